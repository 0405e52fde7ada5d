"""IntakeService over gRPC: translation between protobuf and the use cases, nothing more."""

from __future__ import annotations

from civicloop.intake import messages
from civicloop.intake.domain import similarity
from civicloop.intake.domain.rules import PetitionInput
from civicloop.intake.handlers import CASE_READERS, FILERS, STAFF_READERS, Intake
from civicloop.intake.store.repository import CASES, PETITIONS
from civicloop.platform import auth
from civicloop.platform.auth import Principal, TokenVerifier
from civicloop.platform.errors import InvalidArgument
from civicloop.platform.grpc_server import Context, client_address, rpc
from civicloop.platform.protobuf import (
    CASE_LIST_FROM_PB,
    URGENCY_FROM_PB,
    page_request,
    page_response,
)
from civicloop.platform.proxies import TrustedProxies
from civicloop.v1 import common_pb2, intake_pb2, intake_pb2_grpc

SERVICE_NAME = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    grpc_service_name = SERVICE_NAME

    def __init__(
        self, intake: Intake, verifier: TokenVerifier, proxies: TrustedProxies | None = None
    ) -> None:
        self.intake = intake
        self.verifier = verifier
        self.proxies = proxies or TrustedProxies()

    @rpc(roles=FILERS)
    async def SubmitPetition(
        self,
        request: intake_pb2.SubmitPetitionRequest,
        context: Context,
        principal: Principal,
    ) -> intake_pb2.SubmitPetitionResponse:
        location = request.location if request.HasField("location") else None
        crs = (
            "gcj02"
            if location and location.coordinate_system == common_pb2.COORDINATE_SYSTEM_GCJ02
            else "wgs84"
        )
        channel = messages.CHANNEL_FROM_PB.get(request.channel)
        if channel is None:
            raise InvalidArgument.of("channel", "is required")
        result = await self.intake.submit_petition(
            PetitionInput(
                channel=channel.value,
                community_code=request.community_code,
                category_code=request.category_code,
                description=request.description,
                petitioner_name=request.petitioner_name,
                petitioner_phone=request.petitioner_phone,
                latitude=location.latitude if location else None,
                longitude=location.longitude if location else None,
                coordinate_system=crs,
            ),
            principal.actor,
            request_id=request.request_id,
            # Limited per calling address too, as over HTTP: a token is no licence to flood.
            client_address=client_address(context, self.proxies),
        )
        return intake_pb2.SubmitPetitionResponse(
            petition=messages.petition_pb(result.petition), case=messages.case_pb(result.case)
        )

    @rpc(roles=STAFF_READERS)
    async def GetPetition(
        self,
        request: intake_pb2.GetPetitionRequest,
        context: Context,
        principal: Principal,
    ) -> intake_pb2.GetPetitionResponse:
        petition = await self.intake.get_petition(request.petition_id)
        return intake_pb2.GetPetitionResponse(petition=messages.petition_pb(petition))

    @rpc(roles=STAFF_READERS)
    async def ListPetitions(
        self,
        request: intake_pb2.ListPetitionsRequest,
        context: Context,
        principal: Principal,
    ) -> intake_pb2.ListPetitionsResponse:
        items, token = await self.intake.list_petitions(
            page_request(request.page, PETITIONS),
            community=request.community_code or None,
            category=request.category_code or None,
            case_id=request.case_id or None,
        )
        return intake_pb2.ListPetitionsResponse(
            petitions=[messages.petition_pb(p) for p in items], page=page_response(token)
        )

    @rpc(roles=CASE_READERS)
    async def GetCase(
        self,
        request: intake_pb2.GetCaseRequest,
        context: Context,
        principal: Principal,
    ) -> intake_pb2.GetCaseResponse:
        return intake_pb2.GetCaseResponse(
            case=messages.case_pb(await self.intake.get_case(request.case_id, principal))
        )

    @rpc(roles=STAFF_READERS)
    async def ListCases(
        self,
        request: intake_pb2.ListCasesRequest,
        context: Context,
        principal: Principal,
    ) -> intake_pb2.ListCasesResponse:
        state = messages.STATE_FROM_PB.get(request.state)
        items, token = await self.intake.list_cases(
            page_request(request.page, CASES),
            state=state.value if state else None,
            community=request.community_code or None,
            category=request.category_code or None,
        )
        return intake_pb2.ListCasesResponse(
            cases=[messages.case_pb(c) for c in items], page=page_response(token)
        )

    @rpc(roles=(auth.WORKER, auth.OFFICE))
    async def ResolveOnSite(
        self,
        request: intake_pb2.ResolveOnSiteRequest,
        context: Context,
        principal: Principal,
    ) -> intake_pb2.ResolveOnSiteResponse:
        case = await self.intake.resolve_on_site(
            request.case_id,
            request.note,
            principal,
            request.expected_version,
            request.request_id,
        )
        return intake_pb2.ResolveOnSiteResponse(case=messages.case_pb(case))

    @rpc(roles=(auth.OFFICE,))
    async def ProposeClusters(
        self,
        request: intake_pb2.ProposeClustersRequest,
        context: Context,
        principal: Principal,
    ) -> intake_pb2.ProposeClustersResponse:
        found, total = await self.intake.propose_clusters(
            request.community_code or None,
            request.window_hours or similarity.DEFAULT_WINDOW_HOURS,
            request.min_similarity or similarity.DEFAULT_THRESHOLD,
            request.max_distance_meters or similarity.DEFAULT_MAX_DISTANCE_M,
            request.max_clusters or similarity.DEFAULT_MAX_CLUSTERS,
        )
        return intake_pb2.ProposeClustersResponse(
            clusters=[
                intake_pb2.DuplicateCluster(
                    petition_ids=c.petition_ids,
                    case_ids=c.case_ids,
                    category_code=c.category_code,
                    min_similarity=c.min_score,
                    rank=c.rank,
                    score=c.score,
                    links=[
                        intake_pb2.DuplicateLink(
                            petition_id=link.petition_a,
                            other_petition_id=link.petition_b,
                            score=link.score,
                            distance_meters=link.distance_m,
                            hours_apart=link.hours_apart,
                            shared_words=link.shared_words,
                            same_community=link.same_community,
                            same_category=link.same_category,
                            word_similarity=link.words,
                            character_similarity=link.chars,
                        )
                        for link in c.links
                    ],
                )
                for c in found
            ],
            total_clusters=total,
        )

    @rpc(roles=(auth.OFFICE,))
    async def ConsolidateCase(
        self,
        request: intake_pb2.ConsolidateCaseRequest,
        context: Context,
        principal: Principal,
    ) -> intake_pb2.ConsolidateCaseResponse:
        case_list = CASE_LIST_FROM_PB.get(request.list)
        urgency = URGENCY_FROM_PB.get(request.urgency)
        if case_list is None:
            raise InvalidArgument.of("list", "choose urgent_needs (急难愁盼) or practical_matters")
        if urgency is None:
            raise InvalidArgument.of("urgency", "is required")
        case = await self.intake.consolidate(
            list(request.petition_ids),
            case_list,
            urgency,
            request.category_code,
            request.summary,
            principal,
            request.review_before_opening,
            request.request_id,
        )
        return intake_pb2.ConsolidateCaseResponse(case=messages.case_pb(case))

    @rpc(roles=(auth.OFFICE,))
    async def SplitPetition(
        self,
        request: intake_pb2.SplitPetitionRequest,
        context: Context,
        principal: Principal,
    ) -> intake_pb2.SplitPetitionResponse:
        from_case, new_case = await self.intake.split_petition(
            request.petition_id, request.reason, principal, request.request_id
        )
        return intake_pb2.SplitPetitionResponse(
            from_case=messages.case_pb(from_case), new_case=messages.case_pb(new_case)
        )

    @rpc(roles=(auth.service("rating"),))
    async def GetPetitionerContacts(
        self,
        request: intake_pb2.GetPetitionerContactsRequest,
        context: Context,
        principal: Principal,
    ) -> intake_pb2.GetPetitionerContactsResponse:
        contacts = await self.intake.petitioner_contacts(request.case_id, principal)
        return intake_pb2.GetPetitionerContactsResponse(
            contacts=[
                intake_pb2.PetitionerContact(petition_id=pid, name=c.name, phone=c.phone)
                for pid, c in contacts
            ]
        )
