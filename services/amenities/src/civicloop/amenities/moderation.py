"""The community worker's moderation over HTTP (JSON, a bearer token of a worker of the
amenity's community, or the office):

- ``POST /v1/reports/{report_id}/confirm`` ``{"contact_name", "contact_phone"}``: the
  problem is real; it becomes (or joins) a petition in intake, the worker its petitioner of
  record (the contact is passed on to intake and not kept once filed).
- ``POST /v1/reports/{report_id}/reject`` ``{"reason"}``: it does not hold.

An ``Idempotency-Key`` header makes a repeat harmless. 401 without a token, 403 for another
community's worker, 404 for an unknown report, 409 for a report moderated already, 422
naming the field for a body to correct.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import orjson
from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, ConfigDict

from civicloop.amenities.reports import Moderator
from civicloop.platform import auth
from civicloop.platform.commands import CommandRequest
from civicloop.platform.http import parse_json_body
from civicloop.platform.protobuf import parse_uuid

MODERATORS = (auth.OFFICE, auth.WORKER)
Body = TypeVar("Body", bound=BaseModel)


class ConfirmBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_name: str
    contact_phone: str


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str


def build_router(moderator: Moderator, verifier: auth.TokenVerifier) -> APIRouter:
    router = APIRouter(prefix="/v1")

    def moderator_of(request: Request) -> auth.Principal:
        return verifier.verify_header(request.headers.get("authorization")).acting_for(MODERATORS)

    async def moderate(
        request: Request,
        report_id: str,
        key: str | None,
        model: type[Body],
        command: str,
        decide: Callable[[auth.Principal, CommandRequest | None, str, Body], Awaitable[bytes]],
    ) -> Response:
        """What confirming and rejecting share: the worker, the report, the body, the key."""
        principal = moderator_of(request)
        report_id = parse_uuid(report_id, "report_id")
        body = await parse_json_body(request, model)
        keyed = CommandRequest.of(
            principal.subject,
            key,
            command,
            orjson.dumps([report_id, body.model_dump()]),
            field="Idempotency-Key",
        )
        answer = await decide(principal, keyed, report_id, body)
        return Response(
            answer, media_type="application/json", headers={"cache-control": "no-store"}
        )

    @router.post("/reports/{report_id}/confirm", summary="Confirm a report (a worker)")
    async def confirm(
        report_id: str,
        request: Request,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        async def decide(
            p: auth.Principal, keyed: CommandRequest | None, report: str, body: ConfirmBody
        ) -> bytes:
            return await moderator.confirm(p, keyed, report, body.contact_name, body.contact_phone)

        return await moderate(
            request, report_id, idempotency_key, ConfirmBody, "ConfirmReport", decide
        )

    @router.post("/reports/{report_id}/reject", summary="Reject a report (a worker)")
    async def reject(
        report_id: str,
        request: Request,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        async def decide(
            p: auth.Principal, keyed: CommandRequest | None, report: str, body: RejectBody
        ) -> bytes:
            return await moderator.reject(p, keyed, report, body.reason)

        return await moderate(
            request, report_id, idempotency_key, RejectBody, "RejectReport", decide
        )

    return router
