"""Bearer tokens: EdDSA-signed JWTs verified against a configured JSON Web Key Set.

Roles: ``resident``, ``worker``, ``office``, ``department:<code>``, ``publisher``, ``auditor``,
``operator`` and one ``service:<name>`` identity per service. For local runs and tests the
development key set shipped in ``devkeys/`` is trusted when CIVICLOOP_JWKS_FILE is not set;
``civicloop-ops token --role office`` mints a token with its private half, which only
development installs have (the ``civicloop-devsigning`` distribution, never in an image).
Production sets CIVICLOOP_JWKS_FILE to the city identity provider's key set, and refuses one
that still holds the development public key.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jwt
import orjson

from civicloop.platform.domain import Actor
from civicloop.platform.errors import PermissionDenied, Unauthenticated

AUDIENCE = "civicloop"
ISSUER_DEV = "civicloop-dev"
DEV_KEY_ID = "civicloop-dev-1"

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


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]

    def has_any(self, allowed: Iterable[str]) -> bool:
        for role in allowed:
            if role in self.roles:
                return True
            if role.endswith(":*") and any(r.startswith(role[:-1]) for r in self.roles):
                return True
        return False

    def require(self, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        if not self.has_any(allowed):
            raise PermissionDenied(f"requires one of the roles {', '.join(allowed)}")

    @property
    def departments(self) -> frozenset[str]:
        return frozenset(
            r[len(DEPARTMENT_PREFIX) :] for r in self.roles if r.startswith(DEPARTMENT_PREFIX)
        )

    @property
    def primary_role(self) -> str:
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

    @property
    def actor(self) -> Actor:
        """The caller as the domain records it: subject and the role it acts under."""
        return Actor(self.subject, self.primary_role)


def _dev_resource(name: str) -> bytes:
    return resources.files("civicloop.platform.devkeys").joinpath(name).read_bytes()


def _dev_signing_key() -> bytes:
    try:
        return resources.files("civicloop.devsigning").joinpath("dev-signing-key.pem").read_bytes()
    except ModuleNotFoundError:
        raise RuntimeError(
            "the development signing key is not installed (make setup installs it; images "
            "never hold it): mount a token at CIVICLOOP_SERVICE_TOKEN_FILE"
        ) from None


def _public_key_values(jwks: dict[str, object]) -> set[str]:
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        return set()
    # The same key under another key id, or its base64url written with padding, is the same key.
    return {str(k.get("x", "")).rstrip("=") for k in keys if isinstance(k, dict)}


class TokenVerifier:
    def __init__(self, jwks: dict[str, object]) -> None:
        keys = jwks.get("keys")
        if not isinstance(keys, list) or not keys:
            raise ValueError("the key set has no keys")
        self._keys = {str(k["kid"]): jwt.PyJWK(k) for k in keys}
        self._public_values = _public_key_values(jwks)

    def trusts_development_key(self) -> bool:
        """Whether the development public key is among the trusted ones, under any key id."""
        development = _public_key_values(orjson.loads(_dev_resource("dev-jwks.json")))
        return bool(development & self._public_values)

    @classmethod
    def from_file(cls, path: Path | None) -> TokenVerifier:
        raw = path.read_bytes() if path else _dev_resource("dev-jwks.json")
        return cls(orjson.loads(raw))

    def verify(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(str(kid))
            if key is None:
                raise Unauthenticated("token signed by an unknown key")
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["EdDSA"],
                audience=AUDIENCE,
                options={"require": ["exp", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid bearer token: {exc}") from None
        roles = claims.get("roles", [])
        if not isinstance(roles, list):
            raise Unauthenticated("invalid bearer token: roles must be a list")
        return Principal(subject=str(claims["sub"]), roles=frozenset(str(r) for r in roles))

    def verify_header(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthenticated("missing authorization: Bearer <token>")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("authorization must be 'Bearer <token>'")
        return self.verify(token.strip())


class ServiceToken:
    """The bearer token a service calls the others with: its own ``service:<name>`` identity.

    Production mounts a token issued by the city's identity provider at
    CIVICLOOP_SERVICE_TOKEN_FILE and rotates it there; the file is read again when it
    changes. Development mints one with the development key, renewed before it expires.
    """

    RENEW_BEFORE_SECONDS = 300

    def __init__(self, name: str, token_file: Path | None) -> None:
        self.name = name
        self.token_file = token_file
        self._token = ""
        self._valid_until = 0.0

    def __call__(self) -> str:
        if self.token_file is not None:
            changed = self.token_file.stat().st_mtime
            if changed != self._valid_until:
                self._token, self._valid_until = self.token_file.read_text().strip(), changed
            return self._token
        if time.time() > self._valid_until - self.RENEW_BEFORE_SECONDS:
            ttl = 3600
            self._token = mint_dev_token(service(self.name), [service(self.name)], ttl)
            self._valid_until = time.time() + ttl
        return self._token


def mint_dev_token(subject: str, roles: Iterable[str], ttl_seconds: int = 3600) -> str:
    """A token signed with the development key: for local runs, demos and tests only."""
    now = int(time.time())
    claims = {
        "iss": ISSUER_DEV,
        "aud": AUDIENCE,
        "sub": subject,
        "roles": list(roles),
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": str(uuid.uuid4()),
    }
    key = _dev_signing_key()
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": DEV_KEY_ID})
