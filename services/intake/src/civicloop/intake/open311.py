"""Open311 GeoReport v2 over intake's petitions, in JSON and XML.

Follows the specification's wording (service list, service definition, POST service request,
GET service requests with its filters, GET one request, tokens) so existing Open311 clients can
file and follow petitions. Service codes are Civicloop's category codes; the community is an
attribute of every service (``attribute[community]``). Errors use the specification's error
format (a list of code and description) with the HTTP status.

What GET answers is public: anyone may read it. So it shows the public view only: the
redacted description (without the ``address_string`` a client sent, which is sealed with the
petitioner's contact), coordinates coarsened to about 100 m, and text stripped of anything
XML 1.0 cannot carry, so the XML stays well formed whatever was once filed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from civicloop.intake.domain.model import CaseState
from civicloop.intake.domain.rules import PetitionInput
from civicloop.intake.handlers import Intake
from civicloop.platform.domain import Actor
from civicloop.platform.errors import DomainError, InvalidArgument, NotFound
from civicloop.platform.geo import coarsened
from civicloop.platform.paging import PageRequest
from civicloop.platform.redaction import redact
from civicloop.platform.text import displayable
from civicloop.reference.catalogue import categories, communities

JURISDICTION = "dujiangyan.gov.cn"
CLOSED_STATES = {CaseState.RESOLVED_ON_SITE, CaseState.COMPLETED, CaseState.RATED, CaseState.CLOSED}
# The case states behind each Open311 status, as the requests search filters them.
STATES_BY_STATUS = {
    "closed": sorted(s.value for s in CLOSED_STATES),
    "open": sorted(s.value for s in CaseState if s not in CLOSED_STATES),
}
MAX_REQUESTS = 1000
DEFAULT_SPAN_DAYS = 90
# A filing's form: the specification's fields and a few attributes, never a file.
MAX_FORM_FIELDS = 40


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _render(
    fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200
) -> Response:
    if fmt == "json":
        return Response(orjson.dumps(rows), status_code=status, media_type="application/json")
    top = ET.Element(root)
    for row in rows:
        _append(top, item, row)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return Response(body, status_code=status, media_type="text/xml; charset=utf-8")


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, list):
                holder = ET.SubElement(node, key)
                for element in inner:
                    _append(holder, key[:-1] if key.endswith("s") else key, element)
            else:
                _append(node, key, inner)
    elif value is None:
        pass
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    else:
        node.text = displayable(str(value))


def error_response(fmt: str, status: int, description: str) -> Response:
    return _render(
        fmt if fmt in ("json", "xml") else "json",
        "errors",
        "error",
        [{"code": status, "description": description}],
        status,
    )


def _format(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Error(404, f"format {fmt!r} not supported: use .json or .xml")
    return fmt


def _service(code: str) -> dict[str, Any]:
    c = categories()[code]
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.name_en,
        "metadata": True,
        "type": "realtime",
        "keywords": c.name_en.lower(),
        "group": c.group,
    }


def _definition(code: str) -> dict[str, Any]:
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "community",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "The community (社区) the request is in",
                "order": 1,
                "description": "Community",
                "values": [{"key": c.code, "name": c.name} for c in communities().values()],
            }
        ],
    }


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def build_router(intake: Intake, api_keys: dict[str, str]) -> APIRouter:
    router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"])

    def check_jurisdiction(request: Request) -> None:
        jurisdiction = request.query_params.get("jurisdiction_id")
        if jurisdiction not in (None, "", JURISDICTION):
            raise Open311Error(404, f"jurisdiction_id {jurisdiction!r} is not served here")

    async def guarded(
        fmt: str, request: Request, work: Callable[[str], Awaitable[Response]]
    ) -> Response:
        try:
            check_jurisdiction(request)
            return await work(_format(fmt))
        except Open311Error as exc:
            return error_response(fmt, exc.status, exc.description)
        except InvalidArgument as exc:
            return error_response(fmt, 400, exc.message)
        except DomainError as exc:
            return error_response(fmt, exc.http_status, exc.message)

    @router.get("/services.{fmt}")
    async def service_list(fmt: str, request: Request) -> Response:
        async def work(f: str) -> Response:
            return _render(f, "services", "service", [_service(c) for c in categories()])

        return await guarded(fmt, request, work)

    @router.get("/services/{service_code}.{fmt}")
    async def service_definition(service_code: str, fmt: str, request: Request) -> Response:
        async def work(f: str) -> Response:
            if service_code not in categories():
                raise Open311Error(404, f"service_code {service_code!r} not found")
            definition = _definition(service_code)
            if f == "json":
                return Response(orjson.dumps(definition), media_type="application/json")
            root = ET.Element("service_definition")
            ET.SubElement(root, "service_code").text = service_code
            attributes = ET.SubElement(root, "attributes")
            for attribute in definition["attributes"]:
                _append(attributes, "attribute", attribute)
            return Response(
                b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8"),
                media_type="text/xml; charset=utf-8",
            )

        return await guarded(fmt, request, work)

    @router.post("/requests.{fmt}")
    async def post_request(fmt: str, request: Request) -> Response:
        async def work(f: str) -> Response:
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media not in ("application/x-www-form-urlencoded", "multipart/form-data"):
                raise Open311Error(415, "content-type must be application/x-www-form-urlencoded")
            try:
                # Files are refused while parsing (max_files=0), not spooled first.
                form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
            except (StarletteHTTPException, MultiPartException) as refused:
                detail = getattr(refused, "detail", None) or getattr(refused, "message", "")
                raise Open311Error(
                    400, f"the form is refused: {detail} (media are given as media_url)"
                ) from None
            fields = {k: str(v) for k, v in form.items()}
            client = api_keys.get(fields.get("api_key", ""))
            if client is None:
                raise Open311Error(403, "api_key: missing or not a registered client key")
            code = fields.get("service_code", "")
            if not code:
                raise Open311Error(400, "service_code: is required")
            if code not in categories():
                raise Open311Error(400, f"service_code: {code!r} is not a service")
            name = " ".join(
                x for x in (fields.get("last_name", ""), fields.get("first_name", "")) if x
            ).strip()
            submission = await intake.submit_petition(
                PetitionInput(
                    channel="web",
                    community_code=fields.get("attribute[community]", ""),
                    category_code=code,
                    description=fields.get("description", ""),
                    petitioner_name=name,
                    petitioner_phone=fields.get("phone", ""),
                    latitude=_number(fields, "lat"),
                    longitude=_number(fields, "long"),
                    address_text=fields.get("address_string", ""),
                ),
                Actor(f"open311:{client}", "service:open311"),
                # The key keeps its earlier form, so filings keyed before still match.
                request_id=(
                    f"open311:{client}:{fields['device_id']}:{fields['request_key']}"
                    if fields.get("device_id") and fields.get("request_key")
                    else None
                ),
                request_id_field="request_key",
                client_address=request.client.host if request.client else None,
            )
            return _render(
                f,
                "service_requests",
                "request",
                [
                    {
                        "service_request_id": submission.petition.id,
                        "service_notice": "您的诉求已受理 Your request was received",
                        "account_id": None,
                    }
                ],
                status=201 if submission.created else 200,
            )

        return await guarded(fmt, request, work)

    @router.get("/requests.{fmt}")
    async def get_requests(fmt: str, request: Request) -> Response:
        async def work(f: str) -> Response:
            q = request.query_params
            ids = [i for i in q.get("service_request_id", "").split(",") if i]
            end = _date(q.get("end_date")) or datetime.now(UTC)
            start = _date(q.get("start_date")) or end - timedelta(days=DEFAULT_SPAN_DAYS)
            status = q.get("status")
            if status not in (None, "", "open", "closed"):
                raise Open311Error(400, "status: must be open or closed")
            codes = [c for c in q.get("service_code", "").split(",") if c]
            rows = await _requests(
                intake,
                ids or None,
                codes,
                start if not ids else None,
                end if not ids else None,
                status or None,
            )
            return _render(f, "service_requests", "request", rows)

        return await guarded(fmt, request, work)

    @router.get("/requests/{request_id}.{fmt}")
    async def get_request(request_id: str, fmt: str, request: Request) -> Response:
        async def work(f: str) -> Response:
            rows = await _requests(intake, [request_id], [], None, None, None)
            if not rows:
                raise Open311Error(404, f"service_request_id {request_id!r} not found")
            return _render(f, "service_requests", "request", rows)

        return await guarded(fmt, request, work)

    @router.get("/tokens/{token}.{fmt}")
    async def get_token(token: str, fmt: str, request: Request) -> Response:
        # Requests are created synchronously, so a token is the request id itself.
        async def work(f: str) -> Response:
            try:
                await intake.get_petition(token)
            except (NotFound, InvalidArgument):
                raise Open311Error(404, f"token {token!r} not found") from None
            return _render(
                f, "service_requests", "request", [{"service_request_id": token, "token": token}]
            )

        return await guarded(fmt, request, work)

    return router


def _number(fields: dict[str, str], name: str) -> float | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Open311Error(400, f"{name}: must be a decimal number") from None


def _date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"date {raw!r} is not W3C/ISO 8601") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def _requests(
    intake: Intake,
    ids: list[str] | None,
    codes: list[str],
    start: datetime | None,
    end: datetime | None,
    status: str | None,
) -> list[dict[str, Any]]:
    """The newest MAX_REQUESTS petitions that pass every filter (filtered in the database,
    so older matches are not cut off by newer ones that do not match)."""
    petitions, _ = await intake.list_petitions(
        PageRequest(MAX_REQUESTS, None),
        community=None,
        category=None,
        case_id=None,
        since=start,
        until=end,
        ids=ids,
        categories=codes or None,
        case_states=STATES_BY_STATUS.get(status or ""),
    )
    cases = await intake.cases_by_id(sorted({p.case_id for p in petitions}))
    rows = []
    for p in petitions:
        case = cases[p.case_id]
        lat, lon = (
            coarsened(p.location.latitude, p.location.longitude) if p.location else (None, None)
        )
        rows.append(
            {
                "service_request_id": p.id,
                "status": "closed" if case.state in CLOSED_STATES else "open",
                "status_notes": case.state.value,
                "service_name": categories()[p.category_code].name,
                "service_code": p.category_code,
                # Redacted at filing; redacted again under today's rules for older rows.
                "description": displayable(redact(p.description)),
                "agency_responsible": case.department_code or "都江堰市党史学习教育办公室",
                "service_notice": None,
                "requested_datetime": _iso(p.submitted_at),
                "updated_datetime": _iso(case.updated_at),
                "expected_datetime": None,
                "address": communities()[p.community_code].name,
                "address_id": p.community_code,
                "zipcode": "611830",
                "lat": lat,
                "long": lon,
                "media_url": None,
            }
        )
    return rows
