"""The platform's guards against hostile input: text checks, body cap, parameter and header
checks, trusted proxies, gRPC string checks, coarse public coordinates, development keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

import httpx
import orjson
import pytest
from fastapi import Request, Response

from civicloop.platform.auth import KeySet
from civicloop.platform.errors import Violations
from civicloop.platform.geo import coarsened
from civicloop.platform.grpc_server import holds_text, unsafe_text
from civicloop.platform.http import MAX_BODY_BYTES, create_http_app
from civicloop.platform.proxies import TrustedProxies
from civicloop.platform.runtime import Runtime
from civicloop.platform.settings import ServiceSettings
from civicloop.platform.text import character_problem, displayable, plain_text, text_problem
from civicloop.v1 import amenities_pb2, common_pb2, dispatch_pb2, intake_pb2

REPOSITORY = Path(__file__).resolve().parents[3]


# ---- text ----


@pytest.mark.parametrize(
    "text", ["a\x00b", "a\uffffb", "a\ufffeb", "a\x0bb", "a\x1fb", "a\u202eb", "a\u2066b"]
)
def test_text_no_feed_can_carry_is_named(text: str) -> None:
    assert character_problem(text) is not None


def test_line_breaks_tabs_and_chinese_punctuation_are_plain_text() -> None:
    assert text_problem("路灯不亮。\n\t请尽快修理！（3栋）") is None


@pytest.mark.parametrize("text", ["<b>急</b>", "<img src=x onerror=alert(1)>", "&lt;", "&#x41;"])
def test_markup_is_not_plain_text(text: str) -> None:
    assert text_problem(text) == "must be plain text, not HTML or XML markup"


def test_plain_text_is_trimmed_redacted_and_refused_naming_the_field() -> None:
    errors = Violations()
    assert plain_text(errors, "note", "  已联系 13912345678  ", 100) == "已联系 139****5678"
    assert not errors.items
    plain_text(errors, "note", "<script>x</script>", 100)
    plain_text(errors, "reason", "   ", 100)
    plain_text(errors, "measures", "x" * 101, 100)
    plain_text(errors, "comment", "", 100, required=False)
    assert [v.field for v in errors.items] == ["note", "reason", "measures"]


def test_displayable_text_keeps_everything_but_what_feeds_cannot_carry() -> None:
    assert displayable("路灯\uffff不亮\x0b\u202e。\n") == "路灯不亮。\n"


# ---- trusted proxies ----


def test_no_proxy_is_trusted_by_default() -> None:
    assert TrustedProxies.parse("").client("127.0.0.1", ["203.0.113.9"]) == "127.0.0.1"


def test_behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() -> None:
    proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.1")
    # The client wrote 198.51.100.1 itself; the ingress appended the address it saw.
    chain = ["198.51.100.1, 203.0.113.9", "10.1.2.3"]
    assert proxies.client("192.168.1.1", chain) == "203.0.113.9"
    assert proxies.client("203.0.113.50", chain) == "203.0.113.50"  # not a proxy of ours
    assert proxies.client("10.0.0.1", ["not-an-address"]) == "10.0.0.1"
    assert proxies.client("10.0.0.1", []) == "10.0.0.1"


# ---- HTTP: body cap, parameters and headers, forwarded addresses ----


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async def ready() -> dict[str, bool]:
        return {"ok": True}

    app = create_http_app("test", ready, title="test")

    @app.post("/echo")
    async def echo(request: Request) -> Response:
        body = await request.body()
        return Response(orjson.dumps({"bytes": len(body)}), media_type="application/json")

    @app.get("/who")
    async def who(request: Request) -> dict[str, str | None]:
        return {"client": request.client.host if request.client else None}

    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_a_body_declared_over_the_cap_is_413_problem_details(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post("/echo", content=b"x" * (MAX_BODY_BYTES + 1))
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"] == [
        {"field": "body", "detail": f"at most {MAX_BODY_BYTES} bytes"}
    ]


async def test_a_streamed_body_is_refused_once_it_passes_the_cap(
    client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"x" * 4096

    answer = await client.post("/echo", content=chunks())
    assert answer.status_code == 413
    assert (await client.post("/echo", content=b"x" * MAX_BODY_BYTES)).json() == {
        "bytes": MAX_BODY_BYTES
    }


async def test_a_nul_in_a_query_parameter_or_a_header_is_400_naming_it(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/who?state=open&category_code=%00T")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "category_code"
    answer = await client.get("/who", headers={"idempotency-key": "k\x00"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "idempotency-key"
    assert (await client.get("/who%00")).status_code == 400


async def test_x_forwarded_for_from_an_untrusted_peer_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/who", headers={"x-forwarded-for": "203.0.113.9"})
    assert answer.json() == {"client": "127.0.0.1"}


async def test_x_forwarded_for_from_a_trusted_proxy_names_the_client() -> None:
    async def ready() -> dict[str, bool]:
        return {}

    app = create_http_app("test", ready, title="t", trusted_proxies=TrustedProxies(["127.0.0.1"]))

    @app.get("/who")
    async def who(request: Request) -> dict[str, str | None]:
        return {"client": request.client.host if request.client else None}

    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        answer = await c.get("/who", headers={"x-forwarded-for": "198.51.100.1, 203.0.113.9"})
    assert answer.json() == {"client": "203.0.113.9"}


# ---- gRPC strings ----


def test_a_nul_in_any_grpc_string_is_found_by_its_contract_name() -> None:
    assert unsafe_text(intake_pb2.ListCasesRequest(category_code="\x00T")) is not None
    found = unsafe_text(
        dispatch_pb2.UpdateProgressRequest(
            case_id="c",
            measures_taken="已处理",
            attachments=[
                {"url": "https://files.example/a.jpg"},
                {"url": "https://files.example/b\ufffe.jpg"},
            ],
        )
    )
    assert found is not None and found.field == "attachments[1].url"
    assert unsafe_text(intake_pb2.ListCasesRequest(category_code="streetlight")) is None


def test_only_messages_that_can_hold_text_at_some_depth_are_walked() -> None:
    assert holds_text(dispatch_pb2.UpdateProgressRequest.DESCRIPTOR)
    assert holds_text(amenities_pb2.FindNearbyRequest.DESCRIPTOR) is False
    assert holds_text(common_pb2.GeoPoint.DESCRIPTOR) is False
    assert unsafe_text(amenities_pb2.FindNearbyRequest(radius_meters=500)) is None


# ---- public coordinates ----


def test_public_coordinates_are_coarsened_to_about_100_m() -> None:
    assert coarsened(30.9985123, 103.6290456) == (30.999, 103.629)


# ---- development keys ----


def development_key_set() -> dict[str, object]:
    raw = resources.files("civicloop.platform.devkeys").joinpath("dev-jwks.json").read_bytes()
    jwks: dict[str, object] = orjson.loads(raw)
    return jwks


def key_set_file(tmp_path: Path, name: str, keys: list[dict[str, str]]) -> KeySet:
    path = tmp_path / name
    path.write_bytes(orjson.dumps({"keys": keys}))
    return KeySet(path)


def test_a_key_set_holding_the_development_key_under_another_id_is_recognised(
    tmp_path: Path,
) -> None:
    dev = development_key_set()["keys"][0]  # type: ignore[index]
    real = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "kid": "city-1",
    }
    renamed = {**dev, "kid": "city-2", "x": dev["x"] + "="}
    assert key_set_file(tmp_path, "both.json", [real, renamed]).trusts_development_key()
    assert KeySet(None).trusts_development_key()
    assert not key_set_file(tmp_path, "real.json", [real]).trusts_development_key()


def test_production_refuses_a_key_set_holding_the_development_key(tmp_path: Path) -> None:
    dev = development_key_set()["keys"][0]  # type: ignore[index]
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(orjson.dumps({"keys": [{**dev, "kid": "city-1"}]}))
    settings = ServiceSettings(civicloop_environment="production", civicloop_jwks_file=jwks)
    with pytest.raises(RuntimeError, match="CIVICLOOP_JWKS_FILE"):
        Runtime(settings, "civicloop.platform.migrations")


def test_the_development_private_key_is_not_in_the_runtime_package_or_the_images() -> None:
    platform = resources.files("civicloop.platform")
    shipped = [p.name for p in platform.joinpath("devkeys").iterdir()]
    assert not [name for name in shipped if name.endswith((".pem", ".key"))]
    image = (REPOSITORY / "services" / "Dockerfile").read_text()
    [install] = [line for line in image.splitlines() if "pip install --no-deps" in line]
    installed = install.split("--no-build-isolation ")[1]
    assert installed == "./services/common ./services/verify ./services/${SERVICE} \\"
    # And the build fails should it ever be installed.
    assert 'if python -c "import civicloop.devsigning"' in image
