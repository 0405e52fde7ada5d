"""LedgerService over gRPC: translation between protobuf and the use cases, nothing more."""

from __future__ import annotations

from civicloop.ledger import messages
from civicloop.ledger.domain.evidence import check_id, evidence_leaf
from civicloop.ledger.handlers import Ledger
from civicloop.ledger.queries import CASE_EVIDENCE, LedgerQueries
from civicloop.platform import auth
from civicloop.platform.auth import Principal, TokenVerifier
from civicloop.platform.errors import DomainError, InvalidArgument
from civicloop.platform.grpc_server import Context, client_address, rpc
from civicloop.platform.protobuf import aware, page_request, page_response, parse_uuid
from civicloop.platform.proxies import TrustedProxies
from civicloop.platform.ratelimit import AddressLimit
from civicloop.v1 import ledger_pb2, ledger_pb2_grpc

SERVICE_NAME = ledger_pb2.DESCRIPTOR.services_by_name["LedgerService"].full_name

EVIDENCE_READERS = (auth.OFFICE, auth.AUDITOR, auth.WORKER, auth.ANY_SERVICE)


class LedgerServicer(ledger_pb2_grpc.LedgerServiceServicer):
    grpc_service_name = SERVICE_NAME

    def __init__(
        self,
        ledger: Ledger,
        queries: LedgerQueries,
        verifier: TokenVerifier,
        public_limit: AddressLimit,
        proxies: TrustedProxies | None = None,
    ) -> None:
        self.ledger = ledger
        self.queries = queries
        self.verifier = verifier
        self.public_limit = public_limit
        self.proxies = proxies or TrustedProxies()

    async def _limit(self, context: Context) -> None:
        await self.public_limit.check(client_address(context, self.proxies))

    @rpc(roles=(auth.ANY_SERVICE,))
    async def AppendEvidence(
        self, request: ledger_pb2.AppendEvidenceRequest, context: Context, principal: Principal
    ) -> ledger_pb2.AppendEvidenceResponse:
        leaf = request.leaf
        entry, already = await self.ledger.append(
            evidence_leaf(leaf.event_id, leaf.event_type, leaf.subject, leaf.event_sha256),
            principal.role,
            aware(request.occurred_at) if request.HasField("occurred_at") else None,
        )
        return ledger_pb2.AppendEvidenceResponse(
            entry=messages.entry_pb(entry), already_present=already
        )

    @rpc(public=True)
    async def GetCheckpoint(
        self, request: ledger_pb2.GetCheckpointRequest, context: Context, principal: Principal
    ) -> ledger_pb2.GetCheckpointResponse:
        await self._limit(context)
        checkpoint = await self.queries.checkpoint(request.tree_size)
        return ledger_pb2.GetCheckpointResponse(checkpoint=messages.checkpoint_pb(checkpoint))

    @rpc(public=True)
    async def GetInclusionProof(
        self, request: ledger_pb2.GetInclusionProofRequest, context: Context, principal: Principal
    ) -> ledger_pb2.GetInclusionProofResponse:
        await self._limit(context)
        which = request.WhichOneof("leaf")
        if which is None:
            raise InvalidArgument.of("leaf", "give leaf_index or event_id")
        event_id = None
        if which == "event_id":
            event_id = check_id(request.event_id, "event_id")
        found = await self.queries.inclusion(
            request.leaf_index if which == "leaf_index" else None, event_id, request.tree_size
        )
        return ledger_pb2.GetInclusionProofResponse(
            entry=messages.entry_pb(found.entry),
            audit_path=found.audit_path,
            checkpoint=messages.checkpoint_pb(found.checkpoint),
        )

    @rpc(public=True)
    async def GetConsistencyProof(
        self,
        request: ledger_pb2.GetConsistencyProofRequest,
        context: Context,
        principal: Principal,
    ) -> ledger_pb2.GetConsistencyProofResponse:
        await self._limit(context)
        found = await self.queries.consistency(request.first_tree_size, request.second_tree_size)
        return ledger_pb2.GetConsistencyProofResponse(
            first_tree_size=found.first_size,
            second_tree_size=found.second_size,
            proof=found.proof,
            checkpoint=messages.checkpoint_pb(found.checkpoint),
        )

    @rpc(roles=EVIDENCE_READERS)
    async def ListCaseEvidence(
        self, request: ledger_pb2.ListCaseEvidenceRequest, context: Context, principal: Principal
    ) -> ledger_pb2.ListCaseEvidenceResponse:
        case_id = parse_uuid(request.case_id, "case_id")
        entries, token = await self.queries.case_evidence(
            case_id, page_request(request.page, CASE_EVIDENCE)
        )
        return ledger_pb2.ListCaseEvidenceResponse(
            entries=[messages.entry_pb(e) for e in entries], page=page_response(token)
        )

    # ---- credentials: not in this version ----

    @rpc(public=True)
    async def IssueCredential(
        self, request: ledger_pb2.IssueCredentialRequest, context: Context, principal: Principal
    ) -> ledger_pb2.IssueCredentialResponse:
        raise CredentialsNotServed()

    @rpc(public=True)
    async def GetCredential(
        self, request: ledger_pb2.GetCredentialRequest, context: Context, principal: Principal
    ) -> ledger_pb2.GetCredentialResponse:
        raise CredentialsNotServed()

    @rpc(public=True)
    async def VerifyCredential(
        self, request: ledger_pb2.VerifyCredentialRequest, context: Context, principal: Principal
    ) -> ledger_pb2.VerifyCredentialResponse:
        raise CredentialsNotServed()

    @rpc(public=True)
    async def RevokeCredential(
        self, request: ledger_pb2.RevokeCredentialRequest, context: Context, principal: Principal
    ) -> ledger_pb2.RevokeCredentialResponse:
        raise CredentialsNotServed()

    @rpc(public=True)
    async def GetStatusList(
        self, request: ledger_pb2.GetStatusListRequest, context: Context, principal: Principal
    ) -> ledger_pb2.GetStatusListResponse:
        raise CredentialsNotServed()


class CredentialsNotServed(DomainError):
    """The credential RPCs of ledger.proto come in a later version of the ledger."""

    grpc_code_name = "UNIMPLEMENTED"
    http_status = 501
    title = "Not implemented"

    def __init__(self) -> None:
        super().__init__("credentials are not issued by this version of the ledger")
