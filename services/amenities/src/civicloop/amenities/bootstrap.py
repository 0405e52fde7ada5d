"""Wires amenities' adapters to its use cases, once."""

from __future__ import annotations

from civicloop.amenities.handlers import Amenities
from civicloop.amenities.index import Finder, GeoIndex
from civicloop.amenities.queries import AmenityQueries
from civicloop.amenities.rpc import SERVICE_NAME, AmenitiesServicer
from civicloop.amenities.settings import AmenitiesSettings
from civicloop.platform.clock import clock_from
from civicloop.platform.http import create_http_app
from civicloop.platform.ratelimit import AddressLimit, FixedWindows
from civicloop.platform.runtime import Runtime, ServiceParts
from civicloop.v1 import amenities_pb2_grpc


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
    )
    app = create_http_app(
        "amenities",
        runtime.readiness,
        title="Civicloop amenities",
        description="幸福共享家: shared facilities open now nearby, and reports on them.",
        trusted_proxies=runtime.trusted_proxies,
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
    )
