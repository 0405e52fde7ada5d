"""Bearer tokens (EdDSA JWTs against a key set) and role checks."""

from __future__ import annotations

import base64
import json
import time
from importlib import resources
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from civicloop.platform.auth import (
    ANY_DEPARTMENT,
    ANY_SERVICE,
    AUDIENCE,
    DEV_KEY_ID,
    OFFICE,
    RESIDENT,
    WORKER,
    Principal,
    TokenVerifier,
    department,
    mint_dev_token,
    service,
)
from civicloop.platform.errors import PermissionDenied, Unauthenticated


@pytest.fixture(scope="module")
def verifier() -> TokenVerifier:
    return TokenVerifier.from_file(None)


def dev_private_key() -> bytes:
    devsigning = resources.files("civicloop.devsigning")
    return devsigning.joinpath("dev-signing-key.pem").read_bytes()


def signed(
    claims_changes: dict[str, object],
    *,
    key: object = None,
    kid: str = DEV_KEY_ID,
    algorithm: str = "EdDSA",
) -> str:
    """A token like mint_dev_token's, with some claims changed (None removes a claim)."""
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": "civicloop-dev",
        "aud": AUDIENCE,
        "sub": "worker:0042",
        "roles": [WORKER],
        "iat": now,
        "exp": now + 600,
    }
    claims.update(claims_changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(
        claims,
        key if key is not None else dev_private_key(),
        algorithm=algorithm,
        headers={"kid": kid},
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---- a good token ----


def test_a_dev_token_is_verified_into_its_subject_and_roles(verifier: TokenVerifier) -> None:
    token = mint_dev_token("office:0007", [OFFICE, department("housing")])

    principal = verifier.verify(token)

    assert principal == Principal("office:0007", frozenset({OFFICE, "department:housing"}))


def test_a_bearer_header_is_verified(verifier: TokenVerifier) -> None:
    token = mint_dev_token("resident:1", [RESIDENT])

    assert verifier.verify_header(f"Bearer {token}").subject == "resident:1"
    assert verifier.verify_header(f"bearer {token}").roles == {RESIDENT}


def test_a_token_without_roles_has_none(verifier: TokenVerifier) -> None:
    assert verifier.verify(signed({"roles": None})).roles == frozenset()


def test_the_verifier_reads_a_key_set_file(tmp_path: Path) -> None:
    dev = resources.files("civicloop.platform.devkeys").joinpath("dev-jwks.json").read_bytes()
    path = tmp_path / "jwks.json"
    path.write_bytes(dev)

    principal = TokenVerifier.from_file(path).verify(mint_dev_token("office:1", [OFFICE]))

    assert principal.subject == "office:1"


def test_a_key_set_without_keys_is_refused() -> None:
    with pytest.raises(ValueError):
        TokenVerifier({"keys": []})


# ---- bad tokens are unauthenticated ----


def test_an_expired_token_is_refused(verifier: TokenVerifier) -> None:
    token = mint_dev_token("worker:0042", [WORKER], ttl_seconds=-60)

    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token)


@pytest.mark.parametrize("audience", ["someone-else", ["other", "another"]])
def test_a_token_for_another_audience_is_refused(verifier: TokenVerifier, audience: object) -> None:
    with pytest.raises(Unauthenticated, match="(?i)audience"):
        verifier.verify(signed({"aud": audience}))


def test_a_token_without_an_audience_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify(signed({"aud": None}))


@pytest.mark.parametrize("claim", ["exp", "sub"])
def test_a_token_without_a_required_claim_is_refused(verifier: TokenVerifier, claim: str) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify(signed({claim: None}))


def test_a_token_whose_claims_were_changed_after_signing_is_refused(
    verifier: TokenVerifier,
) -> None:
    header, payload, signature = mint_dev_token("resident:1", [RESIDENT]).split(".")
    claims = json.loads(unb64(payload))
    claims["roles"] = ["operator"]
    forged = ".".join([header, b64(json.dumps(claims).encode()), signature])

    with pytest.raises(Unauthenticated, match="invalid bearer token"):
        verifier.verify(forged)


def test_a_token_with_a_damaged_signature_is_refused(verifier: TokenVerifier) -> None:
    header, payload, signature = mint_dev_token("resident:1", [RESIDENT]).split(".")
    raw = bytearray(unb64(signature))
    raw[10] ^= 0x01
    damaged = ".".join([header, payload, b64(bytes(raw))])

    with pytest.raises(Unauthenticated):
        verifier.verify(damaged)


def test_a_token_signed_by_another_key_under_the_dev_key_id_is_refused(
    verifier: TokenVerifier,
) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify(signed({}, key=Ed25519PrivateKey.generate()))


def test_a_token_signed_by_an_unknown_key_id_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated, match="unknown key"):
        verifier.verify(signed({}, kid="somebody-elses-key"))


def test_an_unsigned_token_is_refused(verifier: TokenVerifier) -> None:
    unsigned = jwt.encode(
        {
            "sub": "operator:1",
            "aud": AUDIENCE,
            "roles": ["operator"],
            "exp": int(time.time()) + 600,
        },
        None,
        algorithm="none",
        headers={"kid": DEV_KEY_ID},
    )

    with pytest.raises(Unauthenticated):
        verifier.verify(unsigned)


def test_a_token_whose_roles_are_not_a_list_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated, match="roles"):
        verifier.verify(signed({"roles": "operator"}))


@pytest.mark.parametrize("garbage", ["", "not-a-jwt", "a.b.c", "...."])
def test_a_malformed_token_is_refused(verifier: TokenVerifier, garbage: str) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify(garbage)


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"]
)
def test_a_header_without_a_bearer_token_is_refused(
    verifier: TokenVerifier, header: str | None
) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify_header(header)


def test_a_token_sent_without_the_bearer_scheme_is_refused(verifier: TokenVerifier) -> None:
    token = mint_dev_token("resident:1", [RESIDENT])

    with pytest.raises(Unauthenticated, match="Bearer"):
        verifier.verify_header(token)


# ---- roles ----


def test_a_principal_has_a_role_it_was_given() -> None:
    principal = Principal("office:1", frozenset({OFFICE}))

    assert principal.has_any([OFFICE])
    assert principal.has_any([RESIDENT, OFFICE])
    assert not principal.has_any([RESIDENT, WORKER])
    assert not principal.has_any([])


def test_any_department_admits_every_department_and_nobody_else() -> None:
    housing = Principal("dept:1", frozenset({department("housing")}))
    office = Principal("office:1", frozenset({OFFICE}))
    dispatcher = Principal("svc:1", frozenset({service("dispatch")}))

    assert housing.has_any([ANY_DEPARTMENT])
    assert not office.has_any([ANY_DEPARTMENT])
    assert not dispatcher.has_any([ANY_DEPARTMENT])
    assert dispatcher.has_any([ANY_SERVICE])


def test_a_named_department_admits_only_that_department() -> None:
    housing = Principal("dept:1", frozenset({department("housing")}))

    assert housing.has_any([department("housing")])
    assert not housing.has_any([department("sanitation")])


def test_a_wildcard_does_not_match_a_role_that_merely_shares_its_prefix() -> None:
    impostor = Principal("x", frozenset({"departmental_admin"}))

    assert not impostor.has_any([ANY_DEPARTMENT])


def test_a_principal_lists_its_departments() -> None:
    principal = Principal("x", frozenset({OFFICE, department("housing"), department("water")}))

    assert principal.departments == {"housing", "water"}


def test_require_passes_silently_for_an_allowed_role() -> None:
    Principal("office:1", frozenset({OFFICE})).require([OFFICE, ANY_DEPARTMENT])


def test_require_refuses_a_missing_role_naming_what_was_needed() -> None:
    resident = Principal("resident:1", frozenset({RESIDENT}))

    with pytest.raises(PermissionDenied, match="office") as refused:
        resident.require([OFFICE, ANY_DEPARTMENT])

    assert refused.value.grpc_code_name == "PERMISSION_DENIED"
    assert refused.value.http_status == 403


def test_require_accepts_any_iterable_of_roles() -> None:
    resident = Principal("resident:1", frozenset({RESIDENT}))

    resident.require(r for r in (OFFICE, RESIDENT))
    with pytest.raises(PermissionDenied):
        resident.require(r for r in (OFFICE, WORKER))


def test_a_department_sees_its_own_and_the_office_every_one() -> None:
    clerk = Principal("clerk", frozenset({"department:water", "department:power"}))
    office = Principal("li", frozenset({"office"}))
    see_all = ("office",)
    assert clerk.departments_shown(None, see_all) == ["power", "water"]
    assert clerk.departments_shown("water", see_all) == ["water"]
    with pytest.raises(PermissionDenied):
        clerk.departments_shown("housing", see_all)
    assert office.departments_shown(None, see_all) is None
    assert office.departments_shown("housing", see_all) == ["housing"]
