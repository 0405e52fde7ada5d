"""AmenitiesService over gRPC: translation between protobuf and the use cases, nothing more."""

from __future__ import annotations

from typing import Any, TypeVar

from civicloop.amenities import messages
from civicloop.amenities.domain.model import (
    UPDATABLE,
    Access,
    Amenity,
    AmenityKind,
    Details,
    check_location,
    with_paths,
)
from civicloop.amenities.domain.search import Query, amenity_status, check_query
from civicloop.amenities.handlers import (
    Amenities,
    Change,
    Render,
    check_community,
    reject_unknown_paths,
    steward_role,
)
from civicloop.amenities.index import Finder
from civicloop.amenities.queries import (
    AMENITIES,
    REPORTS,
    AmenityFilter,
    AmenityQueries,
    ReportFilter,
)
from civicloop.platform import auth
from civicloop.platform.auth import Principal, TokenVerifier
from civicloop.platform.clock import Clock, system_clock
from civicloop.platform.commands import CommandRequest
from civicloop.platform.errors import InvalidArgument, Unauthenticated, Violations
from civicloop.platform.grpc_server import ANONYMOUS, Context, client_address, rpc
from civicloop.platform.protobuf import aware, page_request, page_response, parse_uuid, timestamp
from civicloop.platform.proxies import TrustedProxies
from civicloop.platform.ratelimit import AddressLimit
from civicloop.v1 import amenities_pb2, amenities_pb2_grpc, common_pb2

SERVICE_NAME = amenities_pb2.DESCRIPTOR.services_by_name["AmenitiesService"].full_name

STEWARDS = (auth.OFFICE, auth.WORKER)

# The answers of the commands on one amenity: each holds the amenity as the command left it.
AmenityAnswer = TypeVar(
    "AmenityAnswer",
    amenities_pb2.RegisterAmenityResponse,
    amenities_pb2.UpdateAmenityResponse,
    amenities_pb2.WithdrawAmenityResponse,
    amenities_pb2.SuspendAmenityResponse,
    amenities_pb2.ReinstateAmenityResponse,
    amenities_pb2.VerifyAmenityResponse,
)


def _keyed(caller: str, request: Any, command: str) -> CommandRequest | None:
    """The request id bound to this very request, in the caller's own key space."""
    return CommandRequest.of(
        caller, request.request_id, command, request.SerializeToString(deterministic=True)
    )


def _change(principal: Principal, request: Any, command: str) -> Change:
    return Change(
        principal,
        _keyed(principal.subject, request, command),
        parse_uuid(request.amenity_id, "amenity_id"),
        request.expected_version,
    )


def _kind(errors: Violations, name: str, value: amenities_pb2.AmenityKind) -> AmenityKind:
    kind = messages.KIND_FROM_PB.get(value)
    if kind is None:
        errors.add(name, "unknown or missing kind")
        return AmenityKind.OTHER
    return kind


def _location(
    errors: Violations, name: str, point: common_pb2.GeoPoint, present: bool
) -> tuple[float, float]:
    """The point in WGS-84 (0, 0 when it is refused; the error is noted)."""
    if not present:
        errors.add(name, "is required")
        return 0.0, 0.0
    system = messages.coordinate_system(point)
    if system is None:
        errors.add(f"{name}.coordinate_system", "unknown coordinate system")
        return 0.0, 0.0
    found = check_location(errors, name, point.latitude, point.longitude, system)
    return found or (0.0, 0.0)


def _details(
    errors: Violations, d: amenities_pb2.AmenityDetails, paths: frozenset[str] | None = None
) -> Details:
    """The request's details; with ``paths`` (an update) only the named ones are checked."""

    def named(path: str) -> bool:
        return paths is None or path in paths

    kind = _kind(errors, "details.kind", d.kind) if named("kind") else AmenityKind.OTHER
    access = messages.access_from_pb(d.access)
    if access is None:
        errors.add("details.access", "unknown access")
        access = Access.PUBLIC
    lat, lng = 0.0, 0.0
    if named("location"):
        lat, lng = _location(errors, "details.location", d.location, d.HasField("location"))
    return messages.details_from_pb(d, kind, access, lat, lng)


class AmenitiesServicer(amenities_pb2_grpc.AmenitiesServiceServicer):
    grpc_service_name = SERVICE_NAME

    def __init__(
        self,
        amenities: Amenities,
        queries: AmenityQueries,
        finder: Finder,
        verifier: TokenVerifier,
        public_limit: AddressLimit,
        proxies: TrustedProxies | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.amenities = amenities
        self.queries = queries
        self.finder = finder
        self.verifier = verifier
        self.public_limit = public_limit
        self.proxies = proxies or TrustedProxies()
        self.clock = clock

    def _amenity_pb(self, amenity: Amenity, recent_report_count: int = 0) -> amenities_pb2.Amenity:
        return messages.amenity_pb(
            amenity,
            stale=amenity.is_stale(self.clock()),
            recent_report_count=recent_report_count,
        )

    def _render(self, response: type[AmenityAnswer]) -> Render[Amenity]:
        """A command's answer: ``response`` holding the amenity as the command left it."""
        return lambda a: response(amenity=self._amenity_pb(a)).SerializeToString()

    # ---- the registry ----

    @rpc(roles=STEWARDS)
    async def RegisterAmenity(
        self, request: amenities_pb2.RegisterAmenityRequest, context: Context, principal: Principal
    ) -> amenities_pb2.RegisterAmenityResponse:
        errors = Violations()
        details = _details(errors, request.details)
        errors.raise_if_any()
        answer = await self.amenities.register(
            principal,
            _keyed(principal.subject, request, "RegisterAmenity"),
            request.community_code,
            details,
            self._render(amenities_pb2.RegisterAmenityResponse),
        )
        return amenities_pb2.RegisterAmenityResponse.FromString(answer)

    @rpc(roles=STEWARDS)
    async def UpdateAmenity(
        self, request: amenities_pb2.UpdateAmenityRequest, context: Context, principal: Principal
    ) -> amenities_pb2.UpdateAmenityResponse:
        paths = list(request.update_mask.paths)
        reject_unknown_paths(paths, UPDATABLE)
        errors = Violations()
        new = _details(errors, request.details, frozenset(paths))
        errors.raise_if_any()
        answer = await self.amenities.update(
            _change(principal, request, "UpdateAmenity"),
            lambda current: with_paths(current, new, paths),
            self._render(amenities_pb2.UpdateAmenityResponse),
        )
        return amenities_pb2.UpdateAmenityResponse.FromString(answer)

    @rpc(roles=STEWARDS)
    async def WithdrawAmenity(
        self, request: amenities_pb2.WithdrawAmenityRequest, context: Context, principal: Principal
    ) -> amenities_pb2.WithdrawAmenityResponse:
        answer = await self.amenities.withdraw(
            _change(principal, request, "WithdrawAmenity"),
            request.reason,
            self._render(amenities_pb2.WithdrawAmenityResponse),
        )
        return amenities_pb2.WithdrawAmenityResponse.FromString(answer)

    @rpc(roles=STEWARDS)
    async def SuspendAmenity(
        self, request: amenities_pb2.SuspendAmenityRequest, context: Context, principal: Principal
    ) -> amenities_pb2.SuspendAmenityResponse:
        answer = await self.amenities.suspend(
            _change(principal, request, "SuspendAmenity"),
            request.reason,
            self._render(amenities_pb2.SuspendAmenityResponse),
        )
        return amenities_pb2.SuspendAmenityResponse.FromString(answer)

    @rpc(roles=STEWARDS)
    async def ReinstateAmenity(
        self,
        request: amenities_pb2.ReinstateAmenityRequest,
        context: Context,
        principal: Principal,
    ) -> amenities_pb2.ReinstateAmenityResponse:
        answer = await self.amenities.reinstate(
            _change(principal, request, "ReinstateAmenity"),
            self._render(amenities_pb2.ReinstateAmenityResponse),
        )
        return amenities_pb2.ReinstateAmenityResponse.FromString(answer)

    @rpc(roles=STEWARDS)
    async def VerifyAmenity(
        self, request: amenities_pb2.VerifyAmenityRequest, context: Context, principal: Principal
    ) -> amenities_pb2.VerifyAmenityResponse:
        answer = await self.amenities.verify(
            _change(principal, request, "VerifyAmenity"),
            self._render(amenities_pb2.VerifyAmenityResponse),
        )
        return amenities_pb2.VerifyAmenityResponse.FromString(answer)

    @rpc(public=True)
    async def GetAmenity(
        self, request: amenities_pb2.GetAmenityRequest, context: Context, principal: Principal
    ) -> amenities_pb2.GetAmenityResponse:
        await self.public_limit.check(client_address(context, self.proxies))
        view = await self.queries.get(parse_uuid(request.amenity_id, "amenity_id"))
        amenity, now = view.amenity, self.clock()
        status, next_change = amenity_status(amenity, now, self.finder.windows)
        return amenities_pb2.GetAmenityResponse(
            amenity=self._amenity_pb(amenity, view.recent_report_count),
            open_status=messages.OPEN_TO_PB[status],
            next_change_at=timestamp(next_change),
        )

    @rpc(public=True)
    async def ListAmenities(
        self, request: amenities_pb2.ListAmenitiesRequest, context: Context, principal: Principal
    ) -> amenities_pb2.ListAmenitiesResponse:
        await self.public_limit.check(client_address(context, self.proxies))
        errors = Violations()
        if request.community_code:
            check_community(errors, "community_code", request.community_code)
        kind = None
        if request.kind:
            kind = _kind(errors, "kind", request.kind)
        errors.raise_if_any()
        if request.include_withdrawn:
            # Withdrawn amenities for the community's workers and the office only.
            if principal is ANONYMOUS:
                raise Unauthenticated("include_withdrawn needs a worker's or the office's token")
            steward_role(principal, request.community_code or "")
        views, token = await self.queries.amenities(
            AmenityFilter(request.community_code or None, kind, request.include_withdrawn),
            page_request(request.page, AMENITIES),
        )
        return amenities_pb2.ListAmenitiesResponse(
            amenities=[self._amenity_pb(v.amenity, v.recent_report_count) for v in views],
            page=page_response(token),
        )

    # ---- search ----

    @rpc(public=True)
    async def FindNearby(
        self, request: amenities_pb2.FindNearbyRequest, context: Context, principal: Principal
    ) -> amenities_pb2.FindNearbyResponse:
        errors = Violations()
        lat, lng = _location(errors, "location", request.location, request.HasField("location"))
        limit = check_query(errors, request.radius_meters, request.max_results)
        kinds = frozenset(
            _kind(errors, f"kinds[{i}]", value) for i, value in enumerate(request.kinds)
        )
        access = messages.access_from_pb(request.access)
        if access is None:
            errors.add("access", "unknown access")
        errors.raise_if_any()
        assert access is not None
        query = Query(
            latitude=lat,
            longitude=lng,
            radius_m=request.radius_meters,
            at=aware(request.at) if request.HasField("at") else self.clock(),
            kinds=kinds,
            access=access,
            open_only=request.open_now,
            limit=limit,
            wheelchair_accessible=request.wheelchair_accessible,
            baby_change=request.baby_change,
            all_gender=request.all_gender,
            free_only=request.free_only,
        )
        await self.public_limit.check(client_address(context, self.proxies))
        results = await self.finder.find(query)
        return messages.nearby_response(
            (
                shown.card,
                shown.found.distance_m,
                shown.found.status,
                shown.found.next_change_at,
                shown.found.stale,
                shown.recent_reports,
            )
            for shown in results
        )

    # ---- reports ----

    @rpc(public=True)
    async def ReportAmenity(
        self, request: amenities_pb2.ReportAmenityRequest, context: Context, principal: Principal
    ) -> amenities_pb2.ReportAmenityResponse:
        address = client_address(context, self.proxies)
        await self.public_limit.check(address)
        reporter = None if principal is ANONYMOUS else principal  # anonymous ones welcome
        caller = reporter.subject if reporter else f"anonymous:{address or ''}"
        answer = await self.amenities.report(
            reporter,
            _keyed(caller, request, "ReportAmenity"),
            parse_uuid(request.amenity_id, "amenity_id"),
            request.reason_code,
            request.comment,
            lambda r: amenities_pb2.ReportAmenityResponse(
                report=messages.report_pb(r)
            ).SerializeToString(),
        )
        return amenities_pb2.ReportAmenityResponse.FromString(answer)

    @rpc(roles=STEWARDS)
    async def ListReports(
        self, request: amenities_pb2.ListReportsRequest, context: Context, principal: Principal
    ) -> amenities_pb2.ListReportsResponse:
        errors = Violations()
        if request.community_code:
            check_community(errors, "community_code", request.community_code)
        amenity_id = None
        if request.amenity_id:
            try:
                amenity_id = parse_uuid(request.amenity_id, "amenity_id")
            except InvalidArgument:
                errors.add("amenity_id", "must be a UUID")
        errors.raise_if_any()
        if request.community_code:
            steward_role(principal, request.community_code)
            communities: frozenset[str] | None = frozenset({request.community_code})
        elif auth.OFFICE in principal.roles:
            communities = None
        else:
            # A worker sees its own community only (none when its token names none).
            communities = frozenset({principal.community}) if principal.community else frozenset()
        reports, token = await self.queries.reports(
            ReportFilter(
                communities,
                amenity_id,
                request.reason_code or None,
                aware(request.since) if request.HasField("since") else None,
            ),
            page_request(request.page, REPORTS),
        )
        return amenities_pb2.ListReportsResponse(
            reports=[messages.report_pb(r) for r in reports], page=page_response(token)
        )
