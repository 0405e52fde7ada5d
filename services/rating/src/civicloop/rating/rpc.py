"""RatingService over gRPC: translation between protobuf and the use cases, nothing more."""

from __future__ import annotations

from civicloop.platform import auth
from civicloop.platform.auth import Principal, TokenVerifier
from civicloop.platform.errors import InvalidArgument
from civicloop.platform.grpc_server import Context, client_address, rpc
from civicloop.platform.protobuf import page_request, page_response, timestamp
from civicloop.platform.proxies import TrustedProxies
from civicloop.platform.ratelimit import AddressLimit
from civicloop.rating import messages
from civicloop.rating.handlers import Rater
from civicloop.rating.queries import (
    RATES,
    RATINGS,
    RateFilter,
    RatingFilter,
    RatingQueries,
    groupings,
)
from civicloop.reference.catalogue import communities
from civicloop.v1 import rating_pb2, rating_pb2_grpc

SERVICE_NAME = rating_pb2.DESCRIPTOR.services_by_name["RatingService"].full_name

GROUPING_NAMES = {
    rating_pb2.RATE_GROUPING_DEPARTMENT: "department",
    rating_pb2.RATE_GROUPING_COMMUNITY: "community",
    rating_pb2.RATE_GROUPING_MONTH: "month",
}


# Who sees every department's figures and ratings; a department sees its own.
RATES_SEE_ALL = (auth.OFFICE, auth.AUDITOR, auth.PUBLISHER, auth.service("publication"))
RATINGS_SEE_ALL = (auth.OFFICE, auth.AUDITOR)


class RatingServicer(rating_pb2_grpc.RatingServiceServicer):
    grpc_service_name = SERVICE_NAME

    def __init__(
        self,
        rater: Rater,
        queries: RatingQueries,
        verifier: TokenVerifier,
        public_limit: AddressLimit,
        proxies: TrustedProxies | None = None,
    ) -> None:
        self.rater = rater
        self.queries = queries
        self.verifier = verifier
        # The public RPCs share the rating page's limit per client address.
        self.public_limit = public_limit
        self.proxies = proxies or TrustedProxies()

    @rpc(roles=(auth.service("dispatch"), auth.OFFICE))
    async def RequestRatings(
        self, request: rating_pb2.RequestRatingsRequest, context: Context, principal: Principal
    ) -> rating_pb2.RequestRatingsResponse:
        links = await self.rater.request_ratings(
            principal,
            request.request_id,
            request.case_id,
            request.expected_version,
            request.expires_in_hours,
        )
        return rating_pb2.RequestRatingsResponse(
            links=[messages.link_pb(x, request.case_id) for x in links]
        )

    @rpc(public=True)
    async def GetRatingLink(
        self, request: rating_pb2.GetRatingLinkRequest, context: Context, principal: Principal
    ) -> rating_pb2.GetRatingLinkResponse:
        await self.public_limit.check(client_address(context, self.proxies))
        view = await self.rater.link_view(request.token)
        case, link = view.case, view.link
        return rating_pb2.GetRatingLinkResponse(
            link=rating_pb2.RatingLinkView(
                case_id=case.id,
                state=messages.LINK_STATE_TO_PB[link.state],
                category_code=case.category_code,
                community_code=case.community_code,
                summary=case.summary,
                department_code=case.department_code,
                department_name=await self.rater.departments.name(case.department_code),
                result_summary=case.result_summary,
                completed_at=timestamp(case.completed_at),
                expires_at=timestamp(link.expires_at),
            )
        )

    @rpc(public=True)
    async def SubmitRating(
        self, request: rating_pb2.SubmitRatingRequest, context: Context, principal: Principal
    ) -> rating_pb2.SubmitRatingResponse:
        await self.public_limit.check(client_address(context, self.proxies))
        submitted = await self.rater.submit_rating(
            request.token, request.score, request.comment, request.case_id
        )
        return rating_pb2.SubmitRatingResponse(
            rating=messages.rating_pb(submitted.rating),
            outcome=messages.OUTCOME_TO_PB[submitted.outcome],
            case_state=messages.CASE_STATE_TO_PB[submitted.case_state],
        )

    @rpc(roles=(auth.OFFICE,))
    async def ReopenCase(
        self, request: rating_pb2.ReopenCaseRequest, context: Context, principal: Principal
    ) -> rating_pb2.ReopenCaseResponse:
        case = await self.rater.decide(
            principal,
            request.request_id,
            request.case_id,
            request.expected_version,
            request.reason,
            reopen=True,
        )
        return rating_pb2.ReopenCaseResponse(
            case_id=case.id, case_version=case.version, reopen_count=case.reopen_count
        )

    @rpc(roles=(auth.OFFICE,))
    async def CloseCase(
        self, request: rating_pb2.CloseCaseRequest, context: Context, principal: Principal
    ) -> rating_pb2.CloseCaseResponse:
        case = await self.rater.decide(
            principal,
            request.request_id,
            request.case_id,
            request.expected_version,
            request.reason,
            reopen=False,
        )
        assert case.closed_as is not None
        return rating_pb2.CloseCaseResponse(
            case_id=case.id, case_version=case.version, outcome=case.closed_as.value
        )

    # Publication shows the city's rates on the public board's statistics page.
    @rpc(roles=(*RATES_SEE_ALL, auth.ANY_DEPARTMENT))
    async def GetRates(
        self, request: rating_pb2.GetRatesRequest, context: Context, principal: Principal
    ) -> rating_pb2.GetRatesResponse:
        names = [GROUPING_NAMES.get(g, "unspecified") for g in request.group_by]
        if len(set(names)) != len(names):
            raise InvalidArgument.of("group_by", "names a dimension twice")
        rows, token = await self.queries.rates(
            RateFilter(
                groupings(names),
                principal.departments_shown(request.department_code, RATES_SEE_ALL),
                request.community_code or None,
                request.from_month,
                request.to_month,
            ),
            page_request(request.page, RATES),
        )
        return rating_pb2.GetRatesResponse(
            rows=[
                messages.rate_row_pb(r.department_code, r.community_code, r.month, r.counts)
                for r in rows
            ],
            page=page_response(token),
        )

    @rpc(roles=(auth.OFFICE, auth.AUDITOR, auth.ANY_DEPARTMENT))
    async def ListRatings(
        self, request: rating_pb2.ListRatingsRequest, context: Context, principal: Principal
    ) -> rating_pb2.ListRatingsResponse:
        if request.community_code and request.community_code not in communities():
            raise InvalidArgument.of("community_code", "unknown community")
        ratings, token = await self.queries.ratings(
            RatingFilter(
                case_id=request.case_id or None,
                departments=principal.departments_shown(request.department_code, RATINGS_SEE_ALL),
                community_code=request.community_code or None,
                month=request.month or None,
                satisfied=request.satisfied if request.HasField("satisfied") else None,
            ),
            page_request(request.page, RATINGS),
        )
        return rating_pb2.ListRatingsResponse(
            ratings=[messages.rating_pb(r) for r in ratings], page=page_response(token)
        )
