"""Bearer tokens: EdDSA-signed JWTs verified against a configured JSON Web Key Set.

Roles: ``resident``, ``worker``, ``office``, ``department:<code>``, ``publisher``, ``auditor``,
``operator`` and one ``service:<name>`` identity per service.

A service accepts a token only when it names the configured issuer, lists the service's own
audience (``civicloop-<service>`` unless CIVICLOOP_TOKEN_AUDIENCE says otherwise: a token
meant for one service is refused by the others), carries ``iat`` and ``exp`` no further apart
than the maximum lifetime, and is signed by a key of the key set under the ``kid`` its header
names. Clocks may differ by the leeway. The key set file is read again when it changes, so
keys rotate without a restart: publish the new key next to the old one, sign with it, drop the
old one once its last tokens have expired.

For local runs and tests the development key set shipped in ``devkeys/`` is trusted when
CIVICLOOP_JWKS_FILE is not set; ``civicloop-ops token --role office --service intake`` mints a
token with its private half, which only development installs have (the
``civicloop-devsigning`` distribution, never in an image). Production names the city identity
provider's key set and issuer, and refuses a key set that still holds the development public
key.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import jwt
import orjson

from civicloop.platform.domain import Actor
from civicloop.platform.errors import PermissionDenied, Unauthenticated

log = logging.getLogger(__name__)

ISSUER_DEV = "civicloop-dev"
DEV_KEY_ID = "civicloop-dev-1"
# The defaults a service applies unless configured: an hour is what the identity provider
# issues, and half a minute covers the drift of clocks kept by NTP.
MAX_LIFETIME_SECONDS = 3600
LEEWAY_SECONDS = 30

RESIDENT = "resident"
WORKER = "worker"
OFFICE = "office"
PUBLISHER = "publisher"
AUDITOR = "auditor"
OPERATOR = "operator"
DEPARTMENT_PREFIX = "department:"
SERVICE_PREFIX = "service:"
ANY_DEPARTMENT = "department:*"
ANY_SERVICE = "service:*"


def department(code: str) -> str:
    return f"{DEPARTMENT_PREFIX}{code}"


def service(name: str) -> str:
    return f"{SERVICE_PREFIX}{name}"


def audience_of(service_name: str) -> str:
    """The audience a service accepts tokens for unless its deployment names another."""
    return f"civicloop-{service_name}"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    # The role this request was let in under (``acting_for``), or the one a use case chose
    # (``acting``); empty before any check.
    acting_as: str = ""
    # The community a community worker serves (the token's ``community`` claim, e.g. "C001");
    # empty for callers not bound to one.
    community: str = ""

    def _held(self, role: str) -> list[str]:
        """The caller's roles that ``role`` (which may be a wildcard like department:*) admits."""
        if role.endswith(":*"):
            return sorted(r for r in self.roles if r.startswith(role[:-1]))
        return [role] if role in self.roles else []

    def has_any(self, allowed: Iterable[str]) -> bool:
        return any(self._held(role) for role in allowed)

    def require(self, allowed: Iterable[str]) -> None:
        self.acting_for(allowed)

    def acting_for(self, allowed: Iterable[str]) -> Principal:
        """This caller acting under the first of ``allowed`` it holds (the order is the
        preference; a wildcard takes the first matching role); refused when it holds none."""
        allowed = list(allowed)
        for role in allowed:
            held = self._held(role)
            if held:
                return replace(self, acting_as=held[0])
        raise PermissionDenied(f"requires one of the roles {', '.join(allowed)}")

    def acting(self, role: str) -> Principal:
        """This caller acting under ``role``, one it holds, chosen by the use case (e.g. the
        department that leads the case, for a clerk of two departments)."""
        if role not in self.roles:
            raise PermissionDenied(f"requires the role {role}")
        return replace(self, acting_as=role)

    @property
    def departments(self) -> frozenset[str]:
        return frozenset(
            r[len(DEPARTMENT_PREFIX) :] for r in self.roles if r.startswith(DEPARTMENT_PREFIX)
        )

    @property
    def role(self) -> str:
        """The role this caller acts under: the one its request was let in under, else (no
        check made) the first it holds."""
        if self.acting_as:
            return self.acting_as
        return sorted(self.roles)[0] if self.roles else ""

    def departments_shown(
        self, requested: str | None, see_all: Iterable[str]
    ) -> list[str] | None:
        """The departments a list may show this caller: the one asked for, else every one it
        may see; None (no limit) for the roles in ``see_all``. A department's clerk asking for
        another department's is refused."""
        if self.has_any(see_all):
            return [requested] if requested else None
        if requested and requested not in self.departments:
            raise PermissionDenied(f"department {requested!r} is not yours")
        return [requested] if requested else sorted(self.departments)

    def sees_work_of(self, departments: Iterable[str], see_all: Iterable[str]) -> bool:
        """Whether this caller may read work of ``departments`` (the ones that led or lead a
        case or a round): the roles in ``see_all`` read everything, a department its own."""
        return self.has_any(see_all) or not self.departments.isdisjoint(departments)

    @property
    def actor(self) -> Actor:
        """The caller as the domain records it: subject and the role it acts under."""
        return Actor(self.subject, self.role)


def _dev_resource(name: str) -> bytes:
    return resources.files("civicloop.platform.devkeys").joinpath(name).read_bytes()


def _parse_key_set(raw: bytes) -> tuple[dict[str, jwt.PyJWK], set[str]]:
    """The keys by key id, and their public values (to recognise a key under any id)."""
    keys = orjson.loads(raw).get("keys")
    if not isinstance(keys, list) or not keys:
        raise ValueError("the key set has no keys")
    parsed: dict[str, jwt.PyJWK] = {}
    for key in keys:
        kid = key.get("kid") if isinstance(key, dict) else None
        if not isinstance(kid, str) or not kid:
            raise ValueError("every key of the key set needs a kid")
        parsed[kid] = jwt.PyJWK(key)
    return parsed, _public_key_values(keys)


def _public_key_values(keys: object) -> set[str]:
    if not isinstance(keys, list):
        return set()
    # The same key under another key id, or its base64url written with padding, is the same key.
    return {str(k.get("x", "")).rstrip("=") for k in keys if isinstance(k, dict)}


def _dev_signing_key() -> bytes:
    try:
        return resources.files("civicloop.devsigning").joinpath("dev-signing-key.pem").read_bytes()
    except ModuleNotFoundError:
        raise RuntimeError(
            "the development signing key is not installed (make setup installs it; images "
            "never hold it): mount the service tokens in CIVICLOOP_SERVICE_TOKEN_DIR"
        ) from None


def _file_signature(path: Path) -> tuple[int, int, int]:
    """What changes when a file is replaced or rewritten. Follows symlinks: a mounted
    ConfigMap or Secret changes by swapping a link."""
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns, st.st_size


class KeySet:
    """The keys tokens may be signed with, by key id. Read from a file, it follows the file:
    a changed file (a rotation, e.g. a ConfigMap update) is read again within
    ``RECHECK_SECONDS``, or at once when a token names a key not known yet. A file that cannot
    be read or parsed leaves the keys as they were (logged), and is tried again."""

    RECHECK_SECONDS = 1.0

    def __init__(self, path: Path | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._clock = clock
        self._seen: tuple[int, int, int] | None = None
        self._checked_at = 0.0
        if path is None:
            self._keys, self._public_values = _parse_key_set(_dev_resource("dev-jwks.json"))
        else:
            self._seen = _file_signature(path)
            self._keys, self._public_values = _parse_key_set(path.read_bytes())
            self._checked_at = clock()

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def trusts_development_key(self) -> bool:
        """Whether the development public key is among the trusted ones, under any key id."""
        _, development = _parse_key_set(_dev_resource("dev-jwks.json"))
        return bool(development & self._public_values)

    def get(self, kid: str) -> jwt.PyJWK | None:
        if self.path is not None:
            now = self._clock()
            if kid not in self._keys or now - self._checked_at >= self.RECHECK_SECONDS:
                self._checked_at = now
                self._reload_if_changed(self.path)
        return self._keys.get(kid)

    def _reload_if_changed(self, path: Path) -> None:
        try:
            seen = _file_signature(path)
            if seen == self._seen:
                return
            keys, public_values = _parse_key_set(path.read_bytes())
        except (OSError, ValueError) as error:
            log.warning("key set %s not read again, keeping the keys in use: %s", path, error)
            return
        self._keys, self._public_values, self._seen = keys, public_values, seen
        log.info("key set read again", extra={"fields": {"key_ids": sorted(keys)}})


@dataclass(frozen=True)
class TokenPolicy:
    """What a service demands of a token besides its signature."""

    issuer: str
    audience: str
    max_lifetime_seconds: int = MAX_LIFETIME_SECONDS
    leeway_seconds: int = LEEWAY_SECONDS


class TokenVerifier:
    def __init__(self, keys: KeySet, policy: TokenPolicy) -> None:
        self.keys = keys
        self.policy = policy

    def verify(self, token: str) -> Principal:
        policy = self.policy
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            if not isinstance(kid, str):
                raise Unauthenticated("invalid bearer token: its header names no key (kid)")
            key = self.keys.get(kid)
            if key is None:
                raise Unauthenticated("token signed by an unknown key")
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["EdDSA"],
                audience=policy.audience,
                issuer=policy.issuer,
                leeway=policy.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid bearer token: {exc}") from None
        if int(claims["exp"]) - int(claims["iat"]) > policy.max_lifetime_seconds:
            raise Unauthenticated(
                "invalid bearer token: it lives longer than the"
                f" {policy.max_lifetime_seconds} s this service accepts"
            )
        roles = claims.get("roles", [])
        if not isinstance(roles, list):
            raise Unauthenticated("invalid bearer token: roles must be a list")
        community = claims.get("community", "")
        if not isinstance(community, str):
            raise Unauthenticated("invalid bearer token: community must be a string")
        return Principal(
            subject=str(claims["sub"]),
            roles=frozenset(str(r) for r in roles),
            community=community,
        )

    def verify_header(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthenticated("missing authorization: Bearer <token>")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("authorization must be 'Bearer <token>'")
        return self.verify(token.strip())


class ServiceToken:
    """The bearer token a service calls one other service (``target``) with: its own
    ``service:<name>`` identity, for the target's audience; one token per service called, so
    that no service can pass on a token it was sent.

    Production mounts the tokens issued by the city's identity provider in
    CIVICLOOP_SERVICE_TOKEN_DIR, one file per service called (named after it), and rotates
    them there; a file is read again when it changes. Development mints one with the
    development key, renewed before it expires.
    """

    RENEW_BEFORE_SECONDS = 300
    DEV_TTL_SECONDS = MAX_LIFETIME_SECONDS

    def __init__(self, name: str, target: str, token_dir: Path | None) -> None:
        self.name = name
        self.target = target
        self.token_file = token_dir / target if token_dir is not None else None
        if self.token_file is not None and not self.token_file.is_file():
            raise RuntimeError(f"no token for calling {target}: {self.token_file} is missing")
        self._token = ""
        self._valid_until = 0.0
        self._seen: tuple[int, int, int] | None = None

    def __call__(self) -> str:
        if self.token_file is not None:
            seen = _file_signature(self.token_file)
            if seen != self._seen:
                self._token, self._seen = self.token_file.read_text().strip(), seen
            return self._token
        if time.time() > self._valid_until - self.RENEW_BEFORE_SECONDS:
            self._token = mint_dev_token(
                service(self.name),
                [service(self.name)],
                audience=audience_of(self.target),
                ttl_seconds=self.DEV_TTL_SECONDS,
            )
            self._valid_until = time.time() + self.DEV_TTL_SECONDS
        return self._token


def mint_dev_token(
    subject: str,
    roles: Iterable[str],
    *,
    audience: str | Sequence[str],
    ttl_seconds: int = MAX_LIFETIME_SECONDS,
    community: str = "",
) -> str:
    """A token signed with the development key, for the services whose audiences it lists
    (and, for a community worker, the community it serves): for local runs, demos and tests
    only."""
    now = int(time.time())
    claims = {
        "iss": ISSUER_DEV,
        "aud": audience if isinstance(audience, str) else list(audience),
        "sub": subject,
        "roles": list(roles),
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": str(uuid.uuid4()),
    }
    if community:
        claims["community"] = community
    key = _dev_signing_key()
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": DEV_KEY_ID})
