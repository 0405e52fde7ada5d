"""What the amenities tests share: callers, a registration and a search near a point."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

from harness import grpc_auth

from civicloop.v1 import amenities_pb2, amenities_pb2_grpc, common_pb2

OFFICE = grpc_auth("office", subject="office-clerk")
RESIDENT = grpc_auth("resident", subject="resident-1")


def worker_of(community: str, subject: str = "") -> tuple[tuple[str, str], ...]:
    return grpc_auth("worker", subject=subject or f"worker-{community}", community=community)


def spot() -> tuple[float, float]:
    """A point in Dujiangyan's centre, apart from other tests' (they never search beyond
    about a kilometre)."""
    return 30.975 + random.random() * 0.05, 103.585 + random.random() * 0.07


def point(lat: float, lng: float, **kw: Any) -> common_pb2.GeoPoint:
    return common_pb2.GeoPoint(latitude=lat, longitude=lng, **kw)


def details(lat: float, lng: float, **overrides: Any) -> amenities_pb2.AmenityDetails:
    fields: dict[str, Any] = {
        "kind": amenities_pb2.AMENITY_KIND_SHARED_TOILET,
        "name": "幸福超市共享厕所",
        "address": "幸福街道幸福路12号",
        "location": point(lat, lng),
        "opening_hours": "24/7",
        "merchant": amenities_pb2.AmenityMerchant(
            name="幸福超市", enrolled=True, sign_number="DJY-XF-0012"
        ),
        "access": amenities_pb2.AMENITY_ACCESS_PUBLIC,
    }
    fields.update(overrides)
    return amenities_pb2.AmenityDetails(**{k: v for k, v in fields.items() if v is not None})


@dataclass
class AmenityClient:
    stub: amenities_pb2_grpc.AmenitiesServiceStub

    async def register(
        self,
        lat: float,
        lng: float,
        community: str = "C001",
        caller: tuple[tuple[str, str], ...] | None = None,
        **overrides: Any,
    ) -> amenities_pb2.Amenity:
        response = await self.stub.RegisterAmenity(
            amenities_pb2.RegisterAmenityRequest(
                request_id=str(uuid.uuid4()),
                community_code=community,
                details=details(lat, lng, **overrides),
            ),
            metadata=caller or worker_of(community),
            timeout=10,
        )
        return response.amenity

    async def nearby(
        self, lat: float, lng: float, radius: int = 500, **kw: Any
    ) -> list[amenities_pb2.NearbyAmenity]:
        response = await self.stub.FindNearby(
            amenities_pb2.FindNearbyRequest(location=point(lat, lng), radius_meters=radius, **kw),
            timeout=10,
        )
        return list(response.results)

    async def found(
        self, lat: float, lng: float, amenity_id: str, radius: int = 100, **kw: Any
    ) -> amenities_pb2.NearbyAmenity | None:
        """The amenity among the results of a search, or None."""
        for result in await self.nearby(lat, lng, radius, **kw):
            if result.amenity.amenity_id == amenity_id:
                return result
        return None
