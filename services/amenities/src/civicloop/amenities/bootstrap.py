"""Wires amenities' adapters to its use cases, once."""

from __future__ import annotations

from civicloop.amenities import moderation, pages
from civicloop.amenities.handlers import Amenities
from civicloop.amenities.index import Finder, GeoIndex
from civicloop.amenities.peers import IntakePetitions
from civicloop.amenities.queries import AmenityQueries
from civicloop.amenities.reports import FOLLOWED, Moderator
from civicloop.amenities.rpc import SERVICE_NAME, AmenitiesServicer
from civicloop.amenities.settings import AmenitiesSettings
from civicloop.platform.clock import clock_from
from civicloop.platform.event_types import type_of
from civicloop.platform.grpc_server import client_channel
from civicloop.platform.http import create_http_app
from civicloop.platform.ratelimit import AddressLimit, FixedWindows
from civicloop.platform.runtime import Runtime, ServiceParts, periodically
from civicloop.v1 import amenities_pb2_grpc, intake_pb2_grpc


def build(runtime: Runtime) -> ServiceParts:
    settings = runtime.settings
    assert isinstance(settings, AmenitiesSettings)
    clock = clock_from(settings.civicloop_clock_file)
    finder = Finder(runtime.pool, GeoIndex(runtime.redis, settings.namespace), clock)
    amenities = Amenities(runtime.pool, finder, clock)
    queries = AmenityQueries(runtime.pool)
    limit = AddressLimit(
        FixedWindows(runtime.redis, f"{settings.namespace}amenities:limit"),
        settings.amenities_limit_per_address_minute,
        lease_at_most=settings.amenities_limit_lease,
    )
    app = create_http_app(
        "amenities",
        runtime.readiness,
        title="Civicloop amenities",
        description="幸福共享家: shared facilities open now nearby, and reports on them.",
        trusted_proxies=runtime.trusted_proxies,
    )
    moderator = Moderator(
        runtime.pool,
        IntakePetitions(
            intake_pb2_grpc.IntakeServiceStub(
                client_channel(settings.intake_grpc_target, runtime.service_token("intake"))
            )
        ),
        clock,
    )
    app.include_router(moderation.build_router(moderator, runtime.verifier))
    app.include_router(
        pages.build_router(
            finder=finder,
            queries=queries,
            amenities=amenities,
            problems=moderator,
            limit=limit,
            clock=clock,
        )
    )

    async def file_waiting() -> None:
        await periodically(
            moderator.file_waiting, settings.amenities_filing_scan_seconds, moderator.filing_waiting
        )

    return ServiceParts(
        http_app=app,
        grpc_services=[
            (
                amenities_pb2_grpc.add_AmenitiesServiceServicer_to_server,
                AmenitiesServicer(
                    amenities,
                    queries,
                    finder,
                    runtime.verifier,
                    limit,
                    runtime.trusted_proxies,
                    clock,
                ),
                SERVICE_NAME,
            )
        ],
        # The listings into memory and the index built before the first search.
        on_start=[finder.start],
        event_handlers={type_of(payload): moderator.on_case_event for payload in FOLLOWED},
        # The filing loop; the results' cards built ahead of the searches that show them.
        background=[file_waiting, finder.keep_cards],
    )
