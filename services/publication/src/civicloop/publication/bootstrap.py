"""Wires publication's adapters to its use cases, once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from civicloop.platform.clock import clock_from
from civicloop.platform.departments import DepartmentNames
from civicloop.platform.event_types import type_of
from civicloop.platform.grpc_server import client_channel
from civicloop.platform.http import create_http_app
from civicloop.platform.ratelimit import AddressLimit, FixedWindows
from civicloop.platform.runtime import Runtime, ServiceParts, periodically
from civicloop.publication import board
from civicloop.publication.delivery import WebhookDeliverer
from civicloop.publication.domain.webhooks import RetryPolicy
from civicloop.publication.handlers import Projector, Publisher
from civicloop.publication.peers import LedgerEvidence, RatingRates
from civicloop.publication.queries import PublicationQueries
from civicloop.publication.rpc import SERVICE_NAME, PublicationServicer
from civicloop.publication.secrets import SecretBox
from civicloop.publication.settings import DEV_SECRET_KEY, PublicationSettings
from civicloop.publication.steps import CONSUMED
from civicloop.publication.urls import UrlPolicy
from civicloop.v1 import dispatch_pb2_grpc, ledger_pb2_grpc, publication_pb2_grpc, rating_pb2_grpc


def build(runtime: Runtime) -> ServiceParts:
    settings = runtime.settings
    assert isinstance(settings, PublicationSettings)
    settings.require_secret(
        "PUBLICATION_SECRET_KEY", settings.publication_secret_key == DEV_SECRET_KEY
    )
    if (
        settings.publication_webhook_allow_private
        and settings.civicloop_environment == "production"
    ):
        raise RuntimeError("PUBLICATION_WEBHOOK_ALLOW_PRIVATE is for development only")
    clock = clock_from(settings.civicloop_clock_file)
    secrets = SecretBox(settings.publication_secret_key)
    urls = UrlPolicy(allow_private=settings.publication_webhook_allow_private)
    queries = PublicationQueries(runtime.pool)
    departments = DepartmentNames(
        dispatch_pb2_grpc.DispatchServiceStub(
            client_channel(settings.dispatch_grpc_target, runtime.service_token("dispatch"))
        )
    )
    rates = RatingRates(
        rating_pb2_grpc.RatingServiceStub(
            client_channel(settings.rating_grpc_target, runtime.service_token("rating"))
        ),
        settings.publication_rates_keep_seconds,
    )
    deliveries_waiting = asyncio.Event()
    publisher = Publisher(
        runtime.pool,
        queries,
        secrets,
        urls,
        board_url=settings.publication_public_base_url,
        deliveries_waiting=deliveries_waiting,
        clock=clock,
    )
    deliverer = WebhookDeliverer(
        runtime.pool,
        secrets,
        urls,
        RetryPolicy(
            settings.publication_webhook_max_attempts,
            settings.publication_webhook_backoff_seconds,
            settings.publication_webhook_max_backoff_seconds,
        ),
    )
    projector = Projector(settings.homestay_categories)

    async def deliver_webhooks() -> None:
        await periodically(
            deliverer.deliver_due, settings.publication_webhook_scan_seconds, deliveries_waiting
        )

    app = create_http_app(
        "publication",
        runtime.readiness,
        title="Civicloop publication",
        description="晒单: the public board, its JSON and Atom feeds.",
        trusted_proxies=runtime.trusted_proxies,
    )
    evidence = (
        LedgerEvidence(
            ledger_pb2_grpc.LedgerServiceStub(
                client_channel(settings.ledger_grpc_target, runtime.service_token("ledger"))
            )
        )
        if settings.ledger_grpc_target
        else None
    )
    views = board.BoardViews(
        queries,
        departments,
        rates,
        settings.publication_public_base_url,
        evidence,
        settings.ledger_public_base_url,
    )
    app.include_router(
        board.build_router(views, board.PageCache(settings.publication_page_cache_seconds))
    )
    limit = AddressLimit(
        FixedWindows(runtime.redis, f"{settings.namespace}publication:limit"),
        settings.publication_limit_per_address_minute,
    )
    background = [deliver_webhooks]
    if settings.publication_schedule_hours:
        period = timedelta(hours=settings.publication_schedule_hours)

        async def publish_on_schedule() -> None:
            # Looked at more often than the period, so a restart does not skip one.
            await periodically(
                lambda: publisher.publish_scheduled(period),
                min(period.total_seconds(), 300.0),
            )

        background.append(publish_on_schedule)
    return ServiceParts(
        http_app=app,
        grpc_services=[
            (
                publication_pb2_grpc.add_PublicationServiceServicer_to_server,
                PublicationServicer(publisher, queries, departments, runtime.verifier, limit),
                SERVICE_NAME,
            )
        ],
        event_handlers={type_of(payload): projector.on_case_event for payload in CONSUMED},
        background=background,
    )
