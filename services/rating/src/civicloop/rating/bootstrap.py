"""Wires rating's adapters to its use cases, once."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from civicloop.platform.clock import clock_from
from civicloop.platform.departments import DepartmentNames
from civicloop.platform.event_types import type_of
from civicloop.platform.grpc_server import client_channel
from civicloop.platform.http import add_plain_routes, create_http_app
from civicloop.platform.ratelimit import AddressLimit, FixedWindows
from civicloop.platform.runtime import Runtime, ServiceParts, periodically
from civicloop.rating import api, page
from civicloop.rating.handlers import Rater
from civicloop.rating.links import LinkTokens
from civicloop.rating.peers import IntakeContacts
from civicloop.rating.queries import RatingQueries
from civicloop.rating.rpc import SERVICE_NAME, RatingServicer
from civicloop.rating.settings import RatingSettings
from civicloop.rating.sms import DEV_SMS_SECRET, SmsGateway
from civicloop.rating.store.repository import fold_rate_counts
from civicloop.v1 import dispatch_pb2_grpc, events_pb2, intake_pb2_grpc, rating_pb2_grpc


def build(runtime: Runtime) -> ServiceParts:
    settings = runtime.settings
    assert isinstance(settings, RatingSettings)
    settings.require_secret("RATING_LINK_KEY", settings.uses_development_link_key())
    settings.require_secret("RATING_SMS_SECRET", settings.rating_sms_secret == DEV_SMS_SECRET)
    clock = clock_from(settings.civicloop_clock_file)
    rater = Rater(
        runtime.pool,
        LinkTokens(settings.link_key),
        SmsGateway(
            settings.rating_sms_url,
            settings.rating_sms_secret,
            max_attempts=settings.rating_sms_max_attempts,
            backoff_seconds=settings.rating_sms_backoff_seconds,
            # Signed with the wall clock, never a test's moved one: the gateway checks it.
        ),
        IntakeContacts(
            intake_pb2_grpc.IntakeServiceStub(
                client_channel(settings.intake_grpc_target, runtime.service_token("intake"))
            )
        ),
        DepartmentNames(
            dispatch_pb2_grpc.DispatchServiceStub(
                client_channel(settings.dispatch_grpc_target, runtime.service_token("dispatch"))
            )
        ),
        rating_url=settings.rating_public_base_url,
        reopen_limit=settings.rating_reopen_limit,
        link_ttl=timedelta(hours=settings.rating_link_ttl_hours),
        clock=clock,
    )
    queries = RatingQueries(runtime.pool, clock)

    async def send_links() -> None:
        await periodically(
            rater.send_queued_links, settings.rating_scan_seconds, rater.links_waiting
        )

    async def expire_links() -> None:
        await periodically(rater.expire_due_links, settings.rating_scan_seconds)

    async def fold_counts() -> None:
        await periodically(partial(fold_rate_counts, runtime.pool), settings.rating_fold_seconds)

    app = create_http_app(
        "rating",
        runtime.readiness,
        title="Civicloop rating",
        description="评单: the rating page behind each link, and the three rates as public JSON.",
        trusted_proxies=runtime.trusted_proxies,
    )
    app.include_router(api.build_router(queries))
    limit = AddressLimit(
        FixedWindows(runtime.redis, f"{settings.namespace}rating:limit"),
        settings.rating_limit_per_address_minute,
        lease_at_most=settings.rating_limit_lease,
    )
    # First in the table: the page's POST is the hot path.
    add_plain_routes(app, page.page_routes(rater, limit))
    handled = (events_pb2.CaseDispatched, events_pb2.CaseAccepted, events_pb2.ExtensionDecided)
    return ServiceParts(
        http_app=app,
        grpc_services=[
            (
                rating_pb2_grpc.add_RatingServiceServicer_to_server,
                RatingServicer(rater, queries, runtime.verifier, limit, runtime.trusted_proxies),
                SERVICE_NAME,
            )
        ],
        event_handlers={
            type_of(events_pb2.CaseOpened): rater.on_case_opened,
            **{type_of(payload): rater.on_case_handled for payload in handled},
            type_of(events_pb2.CaseCompleted): rater.on_case_completed,
        },
        background=[send_links, expire_links, fold_counts],
    )
