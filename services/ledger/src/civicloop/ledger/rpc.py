"""LedgerService over gRPC: translation between protobuf and the use cases, nothing more."""

from __future__ import annotations

import json
from collections.abc import Sequence

from civicloop.ledger import messages
from civicloop.ledger.credentials import Credentials
from civicloop.ledger.domain.credentials import IssueRequest
from civicloop.ledger.domain.evidence import check_id, evidence_leaf, evidence_leaves
from civicloop.ledger.exports import Exports
from civicloop.ledger.handlers import Ledger
from civicloop.ledger.messages import CHECK_KIND
from civicloop.ledger.queries import CASE_EVIDENCE, LedgerQueries
from civicloop.platform import auth
from civicloop.platform.auth import Principal, TokenVerifier
from civicloop.platform.errors import InvalidArgument, NotFound
from civicloop.platform.grpc_server import Context, client_address, rpc
from civicloop.platform.protobuf import aware, page_request, page_response, parse_uuid, timestamp
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
        credentials: Credentials,
        verifier: TokenVerifier,
        public_limit: AddressLimit,
        proxies: TrustedProxies | None = None,
        *,
        exports: Exports,
    ) -> None:
        self.exports = exports
        self.ledger = ledger
        self.queries = queries
        self.credentials = credentials
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

    @rpc(roles=(auth.ANY_SERVICE,))
    async def AppendEvidenceBatch(
        self,
        request: ledger_pb2.AppendEvidenceBatchRequest,
        context: Context,
        principal: Principal,
    ) -> ledger_pb2.AppendEvidenceBatchResponse:
        offered = request.leaves
        leaves = evidence_leaves(
            [
                (o.leaf.event_id, o.leaf.event_type, o.leaf.subject, o.leaf.event_sha256)
                for o in offered
            ]
        )
        answers = await self.ledger.append_many(
            [
                (leaf, aware(o.occurred_at) if o.HasField("occurred_at") else None)
                for leaf, o in zip(leaves, offered, strict=True)
            ],
            principal.role,
        )
        return ledger_pb2.AppendEvidenceBatchResponse(
            results=[messages.append_result_pb(i, answer) for i, answer in enumerate(answers)]
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

    # ---- credentials ----

    @rpc(roles=(auth.WORKER, auth.OFFICE))
    async def IssueCredential(
        self, request: ledger_pb2.IssueCredentialRequest, context: Context, principal: Principal
    ) -> ledger_pb2.IssueCredentialResponse:
        credential = await self.credentials.issue(
            principal,
            request.request_id,
            IssueRequest(
                request.community_code,
                request.holder_hash,
                request.period,
                request.evidence_type,
                aware(request.verified_at) if request.HasField("verified_at") else None,
            ),
        )
        return ledger_pb2.IssueCredentialResponse(
            credential=messages.credential_pb(
                credential, await self.credentials.leaf_index(credential)
            ),
            vc_json_ld=credential.row["vc_json"].encode(),
        )

    @rpc(roles=(auth.WORKER, auth.OFFICE, auth.AUDITOR))
    async def GetCredential(
        self, request: ledger_pb2.GetCredentialRequest, context: Context, principal: Principal
    ) -> ledger_pb2.GetCredentialResponse:
        _check_formats(request.formats)
        credential = await self.credentials.read(principal, request.credential_id)
        exports = []
        for kind in request.formats:
            if kind == ledger_pb2.CREDENTIAL_FORMAT_VC_JSON_LD:
                exports.append(
                    ledger_pb2.CredentialExport(
                        format=kind,
                        media_type="application/vc",
                        content=credential.row["vc_json"].encode(),
                    )
                )
            elif kind == ledger_pb2.CREDENTIAL_FORMAT_VC_JWT:
                exports.append(
                    ledger_pb2.CredentialExport(
                        format=kind,
                        media_type="application/vc+jwt",
                        content=self.credentials.issuer.jwt(credential.document).encode(),
                    )
                )
            elif kind == ledger_pb2.CREDENTIAL_FORMAT_PDF:
                exports.append(
                    ledger_pb2.CredentialExport(
                        format=kind,
                        media_type="application/pdf",
                        content=await self.exports.printable(credential),
                    )
                )
        return ledger_pb2.GetCredentialResponse(
            credential=messages.credential_pb(
                credential, await self.credentials.leaf_index(credential)
            ),
            vc_json_ld=credential.row["vc_json"].encode(),
            exports=exports,
        )

    @rpc(public=True)
    async def VerifyCredential(
        self, request: ledger_pb2.VerifyCredentialRequest, context: Context, principal: Principal
    ) -> ledger_pb2.VerifyCredentialResponse:
        await self._limit(context)
        if request.WhichOneof("presented") is None:
            raise InvalidArgument.of("presented", "give vc_json_ld or vc_jwt")
        document, jws_verified = self.credentials.presented(request.vc_json_ld, request.vc_jwt)
        at = aware(request.at) if request.HasField("at") else self.credentials.clock()
        checks = await self.credentials.verify(
            document, jws_verified, at, request.expected_holder_hash
        )
        response = ledger_pb2.VerifyCredentialResponse(
            valid=all(c.passed for c in checks),
            checks=[
                ledger_pb2.CredentialCheck(
                    kind=CHECK_KIND[c.kind], passed=c.passed, detail=c.detail
                )
                for c in checks
            ],
        )
        try:
            known = await self.credentials.get(str(document["id"]))
        except NotFound:
            return response
        response.credential.CopyFrom(
            messages.credential_pb(known, await self.credentials.leaf_index(known))
        )
        return response

    @rpc(roles=(auth.WORKER, auth.OFFICE))
    async def RevokeCredential(
        self, request: ledger_pb2.RevokeCredentialRequest, context: Context, principal: Principal
    ) -> ledger_pb2.RevokeCredentialResponse:
        credential, version = await self.credentials.revoke(
            principal,
            request.request_id,
            request.credential_id,
            request.expected_version,
            request.reason_code,
            request.reason_text,
        )
        return ledger_pb2.RevokeCredentialResponse(
            credential=messages.credential_pb(
                credential, await self.credentials.leaf_index(credential)
            ),
            status_list_version=version,
        )

    @rpc(public=True)
    async def GetStatusList(
        self, request: ledger_pb2.GetStatusListRequest, context: Context, principal: Principal
    ) -> ledger_pb2.GetStatusListResponse:
        await self._limit(context)
        row, signed = await self.credentials.status_list(request.status_list_id or "1")
        return ledger_pb2.GetStatusListResponse(
            status_list_id=row["status_list_id"],
            status_purpose="revocation",
            size=len(row["bits"]) * 8,
            encoded_list=signed["credentialSubject"]["encodedList"],
            status_list_credential=json.dumps(signed, ensure_ascii=False).encode(),
            version=row["version"],
            updated_at=timestamp(row["updated_at"]),
        )

    @rpc(roles=(auth.WORKER, auth.OFFICE, auth.AUDITOR))
    async def ExportCredentialBatch(
        self,
        request: ledger_pb2.ExportCredentialBatchRequest,
        context: Context,
        principal: Principal,
    ) -> ledger_pb2.ExportCredentialBatchResponse:
        batch = await self.exports.batch(principal, request.community_code, request.period)
        return ledger_pb2.ExportCredentialBatchResponse(
            csv=batch.csv,
            manifest_jws=batch.manifest_jws,
            credentials=batch.credentials,
            tree_size=batch.tree_size,
        )


EXPORT_FORMATS = (
    ledger_pb2.CREDENTIAL_FORMAT_VC_JSON_LD,
    ledger_pb2.CREDENTIAL_FORMAT_VC_JWT,
    ledger_pb2.CREDENTIAL_FORMAT_PDF,
)


def _check_formats(formats: Sequence[int]) -> None:
    """Each export format once, before any work: a format asked twice would be rendered twice
    (a PDF takes the better part of a second)."""
    first_at: dict[int, int] = {}
    for n, kind in enumerate(formats):
        if kind not in EXPORT_FORMATS:
            raise InvalidArgument.of(
                f"formats[{n}]", "must be CREDENTIAL_FORMAT_VC_JSON_LD, _VC_JWT or _PDF"
            )
        if kind in first_at:
            raise InvalidArgument.of(f"formats[{n}]", f"repeats formats[{first_at[kind]}]")
        first_at[kind] = n
