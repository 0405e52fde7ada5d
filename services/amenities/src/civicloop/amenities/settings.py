from __future__ import annotations

from pydantic import Field

from civicloop.platform.settings import ServiceSettings


class AmenitiesSettings(ServiceSettings):
    service_name: str = "amenities"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/amenities"
    http_port: int = 8006
    grpc_port: int = 50056
    # Intake files a confirmed report as a petition (category shared_amenity).
    intake_grpc_target: str = "127.0.0.1:50051"
    # Public calls (search, pages, reports) per client address per minute.
    amenities_limit_per_address_minute: int = Field(default=120, ge=1)
    # Hits of an address's window leased from the shared counter at most at once (see
    # AddressLimit): a busy address costs one Redis round trip per this many searches.
    amenities_limit_lease: int = Field(default=32, ge=1, le=1000)
    # How often problems still waiting for intake are filed again, seconds.
    amenities_filing_scan_seconds: float = Field(default=10.0, gt=0)
