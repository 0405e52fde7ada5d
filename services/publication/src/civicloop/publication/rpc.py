"""PublicationService over gRPC: translation between protobuf and the use cases, nothing more."""

from __future__ import annotations

from civicloop.platform import auth
from civicloop.platform.auth import Principal, TokenVerifier
from civicloop.platform.departments import DepartmentNames
from civicloop.platform.errors import InvalidArgument
from civicloop.platform.grpc_server import Context, peer_host, rpc
from civicloop.platform.protobuf import CASE_LIST_FROM_PB, page_request, page_response
from civicloop.platform.ratelimit import AddressLimit
from civicloop.publication import messages
from civicloop.publication.domain.batches import BatchState
from civicloop.publication.domain.board import NOT_PUBLIC, BoardList
from civicloop.publication.handlers import Publisher
from civicloop.publication.queries import (
    BATCHES,
    CASES,
    DELIVERIES,
    WEBHOOKS,
    CaseFilter,
    PublicationQueries,
    ShownCase,
)
from civicloop.v1 import publication_pb2, publication_pb2_grpc

SERVICE_NAME = publication_pb2.DESCRIPTOR.services_by_name["PublicationService"].full_name

PUBLISHERS = (auth.PUBLISHER, auth.OFFICE)
READERS = (auth.PUBLISHER, auth.OFFICE, auth.AUDITOR)


class PublicationServicer(publication_pb2_grpc.PublicationServiceServicer):
    grpc_service_name = SERVICE_NAME

    def __init__(
        self,
        publisher: Publisher,
        queries: PublicationQueries,
        departments: DepartmentNames,
        verifier: TokenVerifier,
        public_limit: AddressLimit,
    ) -> None:
        self.publisher = publisher
        self.queries = queries
        self.departments = departments
        self.verifier = verifier
        self.public_limit = public_limit

    async def _reader(self, principal: Principal, context: Context) -> bool:
        """A public RPC's caller: True for a publisher, office or auditor (who see drafts);
        anyone else is the public, counted against the limit per address."""
        if principal.has_any(READERS):
            return True
        await self.public_limit.check(peer_host(context))
        return False

    async def _case_pb(self, shown: ShownCase) -> publication_pb2.PublicCase:
        name = await self.departments.name(shown.case.department_code)
        return messages.case_pb(shown, name)

    @rpc(roles=PUBLISHERS)
    async def CreateBatch(
        self, request: publication_pb2.CreateBatchRequest, context: Context, principal: Principal
    ) -> publication_pb2.CreateBatchResponse:
        batch = await self.publisher.create_batch(
            principal,
            request.request_id,
            request.title,
            request.description,
            messages.batch_filter(request.filter),
            list(request.excluded_case_ids),
            request.max_cases,
        )
        return publication_pb2.CreateBatchResponse(batch=messages.batch_pb(batch))

    @rpc(roles=PUBLISHERS)
    async def UpdateBatch(
        self, request: publication_pb2.UpdateBatchRequest, context: Context, principal: Principal
    ) -> publication_pb2.UpdateBatchResponse:
        batch = await self.publisher.update_batch(
            principal,
            request.request_id,
            request.batch_id,
            request.expected_version,
            request.title,
            request.description if request.HasField("description") else None,
            list(request.case_ids),
        )
        return publication_pb2.UpdateBatchResponse(batch=messages.batch_pb(batch))

    @rpc(roles=PUBLISHERS)
    async def PublishBatch(
        self, request: publication_pb2.PublishBatchRequest, context: Context, principal: Principal
    ) -> publication_pb2.PublishBatchResponse:
        batch = await self.publisher.publish_batch(
            principal,
            request.request_id,
            request.batch_id,
            request.expected_version,
            list(request.channels),
        )
        return publication_pb2.PublishBatchResponse(batch=messages.batch_pb(batch))

    @rpc(roles=PUBLISHERS)
    async def CorrectBatch(
        self, request: publication_pb2.CorrectBatchRequest, context: Context, principal: Principal
    ) -> publication_pb2.CorrectBatchResponse:
        batch = await self.publisher.correct_batch(
            principal,
            request.request_id,
            request.batch_id,
            request.expected_version,
            request.note,
            request.title,
            request.description if request.HasField("description") else None,
            list(request.add_case_ids),
            list(request.remove_case_ids),
        )
        return publication_pb2.CorrectBatchResponse(batch=messages.batch_pb(batch))

    @rpc(public=True)
    async def GetBatch(
        self, request: publication_pb2.GetBatchRequest, context: Context, principal: Principal
    ) -> publication_pb2.GetBatchResponse:
        reader = await self._reader(principal, context)
        batch = await self.queries.batch(request.batch_id, published_only=not reader)
        cases = await self.queries.shown_cases(batch.case_ids)
        return publication_pb2.GetBatchResponse(
            batch=messages.batch_pb(batch), cases=[await self._case_pb(c) for c in cases]
        )

    @rpc(public=True)
    async def ListBatches(
        self, request: publication_pb2.ListBatchesRequest, context: Context, principal: Principal
    ) -> publication_pb2.ListBatchesResponse:
        reader = await self._reader(principal, context)
        state = messages.BATCH_STATE_FROM_PB.get(request.state) if request.state else None
        if request.state and state is None:
            raise InvalidArgument.of("state", "unknown batch state")
        if not reader:
            if state is BatchState.DRAFT:
                raise InvalidArgument.of("state", "drafts are for publishers")
            state = BatchState.PUBLISHED
        batches, token = await self.queries.batches(
            page_request(request.page, BATCHES), state=state
        )
        return publication_pb2.ListBatchesResponse(
            batches=[messages.batch_pb(b) for b in batches], page=page_response(token)
        )

    @rpc(public=True)
    async def GetPublicCase(
        self,
        request: publication_pb2.GetPublicCaseRequest,
        context: Context,
        principal: Principal,
    ) -> publication_pb2.GetPublicCaseResponse:
        await self._reader(principal, context)
        shown = await self.queries.case(request.case_id)
        return publication_pb2.GetPublicCaseResponse(case=await self._case_pb(shown))

    @rpc(public=True)
    async def ListPublicCases(
        self,
        request: publication_pb2.ListPublicCasesRequest,
        context: Context,
        principal: Principal,
    ) -> publication_pb2.ListPublicCasesResponse:
        await self._reader(principal, context)
        states = []
        for s in request.states:
            state = messages.STATE_FROM_PB.get(s)
            if state is None or state in NOT_PUBLIC:
                raise InvalidArgument.of("states", "not a state the board shows")
            states.append(state)
        if request.list and request.board_list:
            raise InvalidArgument.of("board_list", "give list or board_list, not both")
        board_list = messages.LIST_FROM_PB.get(request.board_list) if request.board_list else None
        if request.board_list and board_list is None:
            raise InvalidArgument.of("board_list", "unknown list")
        if request.list:
            case_list = CASE_LIST_FROM_PB.get(request.list)
            if case_list is None:
                raise InvalidArgument.of("list", "unknown list")
            board_list = BoardList(case_list.value)
        cases, token = await self.queries.cases(
            CaseFilter(
                board_list=board_list,
                category_code=request.category_code or None,
                community_code=request.community_code or None,
                states=tuple(states),
                batch_id=request.batch_id or None,
                escalated_only=request.escalated_only,
            ),
            page_request(request.page, CASES),
        )
        return publication_pb2.ListPublicCasesResponse(
            cases=[await self._case_pb(c) for c in cases], page=page_response(token)
        )

    @rpc(roles=PUBLISHERS)
    async def RegisterWebhook(
        self,
        request: publication_pb2.RegisterWebhookRequest,
        context: Context,
        principal: Principal,
    ) -> publication_pb2.RegisterWebhookResponse:
        registered = await self.publisher.register_webhook(
            principal,
            request.request_id,
            request.channel,
            request.url,
            list(request.event_types),
            request.description,
        )
        webhook = await self.queries.webhook(registered.webhook_id)
        return publication_pb2.RegisterWebhookResponse(
            webhook=messages.webhook_pb(webhook), secret=registered.secret
        )

    @rpc(roles=READERS)
    async def ListWebhooks(
        self, request: publication_pb2.ListWebhooksRequest, context: Context, principal: Principal
    ) -> publication_pb2.ListWebhooksResponse:
        webhooks, token = await self.queries.webhooks(
            page_request(request.page, WEBHOOKS), request.channel or None
        )
        return publication_pb2.ListWebhooksResponse(
            webhooks=[messages.webhook_pb(w) for w in webhooks], page=page_response(token)
        )

    @rpc(roles=PUBLISHERS)
    async def DeleteWebhook(
        self, request: publication_pb2.DeleteWebhookRequest, context: Context, principal: Principal
    ) -> publication_pb2.DeleteWebhookResponse:
        await self.publisher.delete_webhook(request.webhook_id)
        return publication_pb2.DeleteWebhookResponse()

    @rpc(roles=READERS)
    async def ListWebhookDeliveries(
        self,
        request: publication_pb2.ListWebhookDeliveriesRequest,
        context: Context,
        principal: Principal,
    ) -> publication_pb2.ListWebhookDeliveriesResponse:
        state = messages.DELIVERY_STATE_FROM_PB.get(request.state) if request.state else None
        if request.state and state is None:
            raise InvalidArgument.of("state", "unknown delivery state")
        deliveries, token = await self.queries.deliveries(
            page_request(request.page, DELIVERIES),
            request.webhook_id or None,
            state.value if state else None,
        )
        return publication_pb2.ListWebhookDeliveriesResponse(
            deliveries=[messages.delivery_pb(d) for d in deliveries], page=page_response(token)
        )

    @rpc(roles=PUBLISHERS)
    async def ReplayWebhookDelivery(
        self,
        request: publication_pb2.ReplayWebhookDeliveryRequest,
        context: Context,
        principal: Principal,
    ) -> publication_pb2.ReplayWebhookDeliveryResponse:
        await self.publisher.replay_delivery(request.delivery_id)
        delivery = await self.queries.delivery(request.delivery_id)
        return publication_pb2.ReplayWebhookDeliveryResponse(
            delivery=messages.delivery_pb(delivery)
        )
