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
from jwt.algorithms import OKPAlgorithm

from civicloop.platform.auth import (
    ANY_DEPARTMENT,
    ANY_SERVICE,
    DEV_KEY_ID,
    ISSUER_DEV,
    OFFICE,
    RESIDENT,
    WORKER,
    KeySet,
    Principal,
    ServiceToken,
    TokenPolicy,
    TokenVerifier,
    audience_of,
    department,
    mint_dev_token,
    service,
)
from civicloop.platform.errors import PermissionDenied, Unauthenticated

# The tests stand in for intake: tokens must name its audience.
AUDIENCE = audience_of("intake")
POLICY = TokenPolicy(issuer=ISSUER_DEV, audience=AUDIENCE)


@pytest.fixture(scope="module")
def verifier() -> TokenVerifier:
    return TokenVerifier(KeySet(None), POLICY)


def mint(subject: str, roles: list[str], ttl_seconds: int = 3600) -> str:
    return mint_dev_token(subject, roles, audience=AUDIENCE, ttl_seconds=ttl_seconds)


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
        "iss": ISSUER_DEV,
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
    token = mint("office:0007", [OFFICE, department("housing")])

    principal = verifier.verify(token)

    assert principal == Principal("office:0007", frozenset({OFFICE, "department:housing"}))


def test_a_bearer_header_is_verified(verifier: TokenVerifier) -> None:
    token = mint("resident:1", [RESIDENT])

    assert verifier.verify_header(f"Bearer {token}").subject == "resident:1"
    assert verifier.verify_header(f"bearer {token}").roles == {RESIDENT}


def test_a_token_without_roles_has_none(verifier: TokenVerifier) -> None:
    assert verifier.verify(signed({"roles": None})).roles == frozenset()


def test_the_verifier_reads_a_key_set_file(tmp_path: Path) -> None:
    dev = resources.files("civicloop.platform.devkeys").joinpath("dev-jwks.json").read_bytes()
    path = tmp_path / "jwks.json"
    path.write_bytes(dev)

    principal = TokenVerifier(KeySet(path), POLICY).verify(mint("office:1", [OFFICE]))

    assert principal.subject == "office:1"


@pytest.mark.parametrize(
    "key_set",
    [
        {"keys": []},
        {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "uD_aYbZvnBcKvpqFRan3wjF2xCtviewm-t2U"}]},
    ],
    ids=["no keys", "a key without kid"],
)
def test_a_key_set_without_keys_or_key_ids_is_refused(tmp_path: Path, key_set: object) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(key_set))

    with pytest.raises(ValueError):
        KeySet(path)


# ---- keys rotate without a restart ----


class Rotation:
    """A key set file, a clock for its re-reads, and keys of our own to sign with."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.now = 0.0
        self.keys: dict[str, Ed25519PrivateKey] = {}

    def publish(self, *kids: str) -> None:
        for kid in kids:
            self.keys.setdefault(kid, Ed25519PrivateKey.generate())
        jwks = [
            json.loads(OKPAlgorithm.to_jwk(self.keys[kid].public_key())) | {"kid": kid}
            for kid in kids
        ]
        self.path.write_text(json.dumps({"keys": jwks}))
        self.now += KeySet.RECHECK_SECONDS

    def token(self, kid: str) -> str:
        return signed({}, key=self.keys[kid], kid=kid)


@pytest.fixture
def rotation(tmp_path: Path) -> Rotation:
    return Rotation(tmp_path / "jwks.json")


def test_a_key_published_later_is_trusted_without_a_restart(rotation: Rotation) -> None:
    rotation.publish("2026-11")
    verifier = TokenVerifier(KeySet(rotation.path, clock=lambda: rotation.now), POLICY)

    rotation.publish("2026-11", "2026-12")

    assert verifier.verify(rotation.token("2026-12")).subject == "worker:0042"
    assert verifier.verify(rotation.token("2026-11")).subject == "worker:0042"


def test_a_key_dropped_from_the_file_is_no_longer_trusted(rotation: Rotation) -> None:
    rotation.publish("2026-11", "2026-12")
    verifier = TokenVerifier(KeySet(rotation.path, clock=lambda: rotation.now), POLICY)
    old = rotation.token("2026-11")
    assert verifier.verify(old).subject == "worker:0042"

    rotation.publish("2026-12")

    with pytest.raises(Unauthenticated, match="unknown key"):
        verifier.verify(old)


def test_a_damaged_key_set_file_leaves_the_keys_in_use(rotation: Rotation) -> None:
    rotation.publish("2026-11")
    verifier = TokenVerifier(KeySet(rotation.path, clock=lambda: rotation.now), POLICY)

    rotation.path.write_text('{"keys": [')
    rotation.now += KeySet.RECHECK_SECONDS

    assert verifier.verify(rotation.token("2026-11")).subject == "worker:0042"


# ---- bad tokens are unauthenticated ----


def test_an_expired_token_is_refused(verifier: TokenVerifier) -> None:
    token = mint("worker:0042", [WORKER], ttl_seconds=-60)

    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token)


@pytest.mark.parametrize("audience", ["someone-else", ["other", "another"]])
def test_a_token_for_another_audience_is_refused(verifier: TokenVerifier, audience: object) -> None:
    with pytest.raises(Unauthenticated, match="(?i)audience"):
        verifier.verify(signed({"aud": audience}))


def test_a_token_without_an_audience_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify(signed({"aud": None}))


@pytest.mark.parametrize("claim", ["exp", "sub", "iat", "iss"])
def test_a_token_without_a_required_claim_is_refused(verifier: TokenVerifier, claim: str) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify(signed({claim: None}))


def test_a_token_for_another_service_is_refused(verifier: TokenVerifier) -> None:
    meant_for_dispatch = mint_dev_token("office:1", [OFFICE], audience=audience_of("dispatch"))

    with pytest.raises(Unauthenticated, match="(?i)audience"):
        verifier.verify(meant_for_dispatch)


def test_a_token_for_several_services_is_accepted_by_each_of_them(verifier: TokenVerifier) -> None:
    both = mint_dev_token(
        "office:1", [OFFICE], audience=[audience_of("dispatch"), audience_of("intake")]
    )

    assert verifier.verify(both).subject == "office:1"


def test_a_token_from_another_issuer_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated, match="(?i)issuer"):
        verifier.verify(signed({"iss": "https://id.elsewhere.example"}))


def test_a_token_living_longer_than_the_maximum_is_refused(verifier: TokenVerifier) -> None:
    now = int(time.time())

    with pytest.raises(Unauthenticated, match="lives longer"):
        verifier.verify(signed({"iat": now, "exp": now + POLICY.max_lifetime_seconds + 1}))


def test_a_token_living_exactly_the_maximum_is_accepted(verifier: TokenVerifier) -> None:
    now = int(time.time())

    assert verifier.verify(signed({"iat": now, "exp": now + POLICY.max_lifetime_seconds}))


def test_a_token_just_expired_is_accepted_within_the_clock_leeway(
    verifier: TokenVerifier,
) -> None:
    now = int(time.time())
    just_expired = signed({"iat": now - 600, "exp": now - POLICY.leeway_seconds // 3})

    assert verifier.verify(just_expired).subject == "worker:0042"


def test_a_token_expired_beyond_the_clock_leeway_is_refused(verifier: TokenVerifier) -> None:
    now = int(time.time())

    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(signed({"iat": now - 600, "exp": now - POLICY.leeway_seconds * 3}))


def test_a_token_issued_in_the_future_beyond_the_leeway_is_refused(
    verifier: TokenVerifier,
) -> None:
    later = int(time.time()) + POLICY.leeway_seconds * 3

    with pytest.raises(Unauthenticated, match="not yet valid"):
        verifier.verify(signed({"iat": later, "exp": later + 600}))


def test_a_token_naming_no_key_is_refused(verifier: TokenVerifier) -> None:
    unnamed = jwt.encode(
        {"sub": "worker:1", "aud": AUDIENCE, "iss": ISSUER_DEV, "iat": 1, "exp": 2},
        dev_private_key(),
        algorithm="EdDSA",
    )

    with pytest.raises(Unauthenticated, match="kid"):
        verifier.verify(unnamed)


def test_a_token_whose_claims_were_changed_after_signing_is_refused(
    verifier: TokenVerifier,
) -> None:
    header, payload, signature = mint("resident:1", [RESIDENT]).split(".")
    claims = json.loads(unb64(payload))
    claims["roles"] = ["operator"]
    forged = ".".join([header, b64(json.dumps(claims).encode()), signature])

    with pytest.raises(Unauthenticated, match="invalid bearer token"):
        verifier.verify(forged)


def test_a_token_with_a_damaged_signature_is_refused(verifier: TokenVerifier) -> None:
    header, payload, signature = mint("resident:1", [RESIDENT]).split(".")
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
    token = mint("resident:1", [RESIDENT])

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


def test_a_caller_acts_under_the_first_allowed_role_it_holds() -> None:
    worker_and_office = Principal("wang", frozenset({WORKER, OFFICE}))

    assert worker_and_office.acting_for([WORKER, OFFICE]).actor.role == WORKER
    assert worker_and_office.acting_for([OFFICE, WORKER]).actor.role == OFFICE
    assert worker_and_office.acting_for([OFFICE]).role == OFFICE


def test_a_wildcard_acts_under_the_callers_matching_role() -> None:
    clerk = Principal("clerk", frozenset({RESIDENT, department("water")}))

    assert clerk.acting_for([OFFICE, ANY_DEPARTMENT]).role == department("water")


def test_acting_for_refuses_a_caller_holding_none_of_the_roles() -> None:
    with pytest.raises(PermissionDenied, match="office"):
        Principal("resident:1", frozenset({RESIDENT})).acting_for([OFFICE])


def test_a_use_case_may_choose_a_role_the_caller_holds_and_no_other() -> None:
    clerk = Principal("clerk", frozenset({department("water"), department("power")}))

    assert clerk.acting(department("water")).actor.role == department("water")
    with pytest.raises(PermissionDenied):
        clerk.acting(OFFICE)


def test_a_department_sees_the_work_of_its_own_departments_only() -> None:
    clerk = Principal("clerk", frozenset({department("water")}))
    office = Principal("li", frozenset({OFFICE}))

    assert clerk.sees_work_of(["power", "water"], [OFFICE])
    assert not clerk.sees_work_of(["power"], [OFFICE])
    assert not clerk.sees_work_of([], [OFFICE])
    assert office.sees_work_of([], [OFFICE])


# ---- the token a service calls another with ----


def test_a_service_calls_each_service_with_a_token_for_that_one_alone() -> None:
    to_intake = ServiceToken("rating", "intake", None)()
    to_dispatch = ServiceToken("rating", "dispatch", None)()
    intake = TokenVerifier(KeySet(None), TokenPolicy(ISSUER_DEV, audience_of("intake")))

    caller = intake.verify(to_intake)

    assert caller == Principal("service:rating", frozenset({"service:rating"}))
    with pytest.raises(Unauthenticated, match="(?i)audience"):
        intake.verify(to_dispatch)


def test_a_mounted_service_token_is_read_again_when_it_changes(tmp_path: Path) -> None:
    (tmp_path / "intake").write_text("first\n")
    token = ServiceToken("rating", "intake", tmp_path)
    assert token() == "first"

    replaced = tmp_path / "intake.new"
    replaced.write_text("second\n")
    replaced.replace(tmp_path / "intake")

    assert token() == "second"


def test_a_service_without_a_mounted_token_for_a_service_it_calls_does_not_start(
    tmp_path: Path,
) -> None:
    with pytest.raises(RuntimeError, match="dispatch"):
        ServiceToken("rating", "dispatch", tmp_path)


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


def test_a_worker_token_carries_the_community_it_serves(verifier: TokenVerifier) -> None:
    minted = mint_dev_token("w-7", [WORKER], audience=AUDIENCE, community="C001")
    assert verifier.verify(minted).community == "C001"
    assert verifier.verify(mint("office:1", [OFFICE])).community == ""
