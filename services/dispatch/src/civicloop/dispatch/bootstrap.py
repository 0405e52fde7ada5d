"""Wires dispatch's adapters to its use cases, once."""

from __future__ import annotations

import json

from civicloop.dispatch.domain.deadlines import DeadlinePolicy, WorkCalendar
from civicloop.dispatch.domain.model import Clockwork, Limits
from civicloop.dispatch.domain.rules import ReturnReason
from civicloop.dispatch.handlers import Dispatcher
from civicloop.dispatch.queries import DispatchQueries
from civicloop.dispatch.rpc import SERVICE_NAME, DispatchServicer
from civicloop.dispatch.settings import DispatchSettings
from civicloop.dispatch.store.catalogue import CatalogueCache, data_file
from civicloop.platform.clock import clock_from
from civicloop.platform.event_types import type_of
from civicloop.platform.http import create_http_app
from civicloop.platform.runtime import Runtime, ServiceParts, periodically
from civicloop.reference.catalogue import holiday_calendars
from civicloop.v1 import dispatch_pb2_grpc, events_pb2


def packaged_calendar() -> WorkCalendar:
    """Every year's holiday calendar the city's reference data holds, as one calendar."""
    calendar = WorkCalendar()
    for year in holiday_calendars():
        calendar = calendar.merged(WorkCalendar.from_mapping(year))
    return calendar


def build(runtime: Runtime) -> ServiceParts:
    settings = runtime.settings
    assert isinstance(settings, DispatchSettings)
    calendar = (
        WorkCalendar.from_mapping(json.loads(settings.dispatch_calendar_file.read_text("utf-8")))
        if settings.dispatch_calendar_file
        else packaged_calendar()
    )
    policy = (
        DeadlinePolicy.from_mapping(json.loads(settings.dispatch_deadlines))
        if settings.dispatch_deadlines
        else DeadlinePolicy.default()
    )
    reasons = {
        r["code"]: ReturnReason(r["code"], r["name"], r.get("name_en", ""))
        for r in data_file("return_reasons.json")["reasons"]
    }
    clock = clock_from(settings.civicloop_clock_file)
    catalogue = CatalogueCache(runtime.pool)
    dispatcher = Dispatcher(
        pool=runtime.pool,
        catalogue=catalogue,
        clockwork=Clockwork(policy, calendar),
        limits=Limits(
            settings.dispatch_return_limit,
            settings.dispatch_reopen_limit,
            settings.dispatch_extension_limit,
        ),
        reasons=reasons,
        clock=clock,
    )

    async def scan_deadlines() -> None:
        await periodically(dispatcher.escalate_overdue, settings.dispatch_escalation_scan_seconds)

    app = create_http_app(
        "dispatch",
        runtime.readiness,
        title="Civicloop dispatch",
        description="派单, 接单 / 退单, 办单 and 督办; the API is gRPC.",
        trusted_proxies=runtime.trusted_proxies,
    )
    return ServiceParts(
        http_app=app,
        grpc_services=[
            (
                dispatch_pb2_grpc.add_DispatchServiceServicer_to_server,
                DispatchServicer(
                    dispatcher, DispatchQueries(runtime.pool, catalogue, clock), runtime.verifier
                ),
                SERVICE_NAME,
            )
        ],
        event_handlers={
            type_of(events_pb2.CaseOpened): dispatcher.on_case_opened,
            type_of(events_pb2.CaseReopened): dispatcher.on_case_reopened,
        },
        on_start=[dispatcher.seed],
        background=[scan_deadlines],
    )
