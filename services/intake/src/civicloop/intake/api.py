"""Intake's HTTP API (JSON): filing petitions and reading petitions and cases."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from civicloop.intake.domain.model import Case, Petition
from civicloop.intake.domain.rules import PetitionInput
from civicloop.intake.handlers import CASE_READERS, FILERS, STAFF_READERS, Intake
from civicloop.intake.store.repository import CASES, PETITIONS
from civicloop.platform import auth
from civicloop.platform.domain import Actor
from civicloop.platform.http import parse_json_body
from civicloop.reference.catalogue import categories, communities


class PetitionBody(BaseModel):
    """A petition as a resident, a grid worker or a client system files it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    channel: Literal["home_visit", "courtyard_meeting", "hotline", "web", "grid_worker"] = "web"
    community_code: str = Field(description="Community code, e.g. C001 (翔凤桥)")
    category_code: str = Field(description="Category code from GET /v1/categories")
    description: str = Field(description="Plain text, 1..4,000 characters")
    petitioner_name: str
    petitioner_phone: str
    latitude: float | None = None
    longitude: float | None = None
    coordinate_system: Literal["wgs84", "gcj02"] = "wgs84"


def petition_json(p: Petition) -> dict[str, Any]:
    return {
        "petition_id": p.id,
        "case_id": p.case_id,
        "channel": p.channel.value,
        "community_code": p.community_code,
        "category_code": p.category_code,
        "location": (
            {"latitude": p.location.latitude, "longitude": p.location.longitude}
            if p.location
            else None
        ),
        "description": p.description,
        "submitted_at": p.submitted_at.isoformat(),
        "resolved_on_site": p.resolved_on_site,
    }


def case_json(c: Case) -> dict[str, Any]:
    return {
        "case_id": c.id,
        "state": c.state.value,
        "version": c.version,
        "petition_ids": c.petition_ids,
        "community_code": c.community_code,
        "category_code": c.category_code,
        "list": c.case_list.value if c.case_list else None,
        "urgency": c.urgency.value if c.urgency else None,
        "summary": c.summary,
        "merged_into": c.merged_into,
        "department_code": c.department_code or None,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
    }


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def build_router(intake: Intake, verifier: auth.TokenVerifier) -> APIRouter:
    router = APIRouter(prefix="/v1")

    def optional_actor(request: Request) -> Actor:
        header = request.headers.get("authorization")
        if not header:
            return Actor("anonymous", auth.RESIDENT)
        return verifier.verify_header(header).acting_for(FILERS).actor

    def reader(request: Request, roles: tuple[str, ...] = STAFF_READERS) -> auth.Principal:
        return verifier.verify_header(request.headers.get("authorization")).acting_for(roles)

    @router.post(
        "/petitions",
        status_code=201,
        summary="File a petition",
        responses={200: {"description": "A repeat of an earlier Idempotency-Key"}},
        # The body is parsed by parse_json_body (strict: 415, 400, 422 naming fields); the
        # document still describes it, for clients and for the API fuzzer.
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": PetitionBody.model_json_schema()}},
            }
        },
    )
    async def submit(
        request: Request,
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> Response:
        body = await parse_json_body(request, PetitionBody)
        actor = optional_actor(request)
        result = await intake.submit_petition(
            PetitionInput(**body.model_dump()),
            actor,
            request_id=idempotency_key,
            request_id_field="Idempotency-Key",
            client_address=client_address(request),
        )
        return _json(
            {"petition": petition_json(result.petition), "case": case_json(result.case)},
            status=201 if result.created else 200,
            headers={"Location": f"/v1/petitions/{result.petition.id}"},
        )

    @router.get("/petitions/{petition_id}")
    async def get_petition(petition_id: str, request: Request) -> Response:
        reader(request)
        return _json(petition_json(await intake.get_petition(petition_id)))

    @router.get("/petitions")
    async def list_petitions(
        request: Request,
        community_code: str | None = None,
        category_code: str | None = None,
        case_id: str | None = None,
        page_size: Annotated[int, Query(ge=1, le=200)] = 50,
        page_token: str | None = None,
    ) -> Response:
        reader(request)
        items, next_token = await intake.list_petitions(
            PETITIONS.request(page_size, page_token, field="page_token"),
            community=community_code,
            category=category_code,
            case_id=case_id,
        )
        return _json(
            {"petitions": [petition_json(p) for p in items], "next_page_token": next_token}
        )

    @router.get("/cases/{case_id}")
    async def get_case(case_id: str, request: Request) -> Response:
        viewer = reader(request, CASE_READERS)
        return _json(case_json(await intake.get_case(case_id, viewer)))

    @router.get("/cases")
    async def list_cases(
        request: Request,
        state: str | None = None,
        community_code: str | None = None,
        category_code: str | None = None,
        page_size: Annotated[int, Query(ge=1, le=200)] = 50,
        page_token: str | None = None,
    ) -> Response:
        reader(request)
        items, next_token = await intake.list_cases(
            CASES.request(page_size, page_token, field="page_token"),
            state=state,
            community=community_code,
            category=category_code,
        )
        return _json({"cases": [case_json(c) for c in items], "next_page_token": next_token})

    @router.get("/categories")
    async def list_categories() -> Response:

        return _json([c.__dict__ for c in categories().values()])

    @router.get("/communities")
    async def list_communities() -> Response:

        return _json([c.__dict__ for c in communities().values()])

    return router
