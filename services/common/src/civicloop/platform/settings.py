"""Configuration from environment variables only, with defaults for a local machine."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from civicloop.platform.auth import (
    ISSUER_DEV,
    LEEWAY_SECONDS,
    MAX_LIFETIME_SECONDS,
    TokenPolicy,
    audience_of,
)


class ServiceSettings(BaseSettings):
    """What every service reads from its environment. Services subclass it for their own."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    service_name: str = "civicloop"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/civicloop"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Prefix for every exchange and queue name, so parallel runs on one broker stay apart.
    civicloop_namespace: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50050
    # Where local runs keep span files and logs; OTLP replaces the span file when configured.
    civicloop_run_dir: Path = Path("var")
    # "production" refuses to start on any development secret (the dev key set, the dev PII
    # key, ...) instead of falling back to it; "development" allows them, with a warning.
    civicloop_environment: Literal["development", "production"] = "development"
    # JSON Web Key Set trusted for bearer tokens, read again when it changes (keys rotate
    # without a restart); empty means the development key set.
    civicloop_jwks_file: Path | None = None
    # Who must have issued a token (its `iss`), and the audience it must list (`aud`): this
    # service's own, civicloop-<service> when empty.
    civicloop_token_issuer: str = ISSUER_DEV
    civicloop_token_audience: str = ""
    # The longest a token may live (exp - iat), and how far clocks may differ, seconds. Up to
    # 30 days, for the development tokens a dev cluster is given.
    civicloop_token_max_lifetime_seconds: int = Field(
        default=MAX_LIFETIME_SECONDS, ge=60, le=30 * 86400
    )
    civicloop_token_leeway_seconds: int = Field(default=LEEWAY_SECONDS, ge=0, le=300)
    # The proxies (addresses or CIDR networks, comma separated) whose X-Forwarded-For is
    # believed for the client's address; none by default, so no client can choose its own.
    civicloop_trusted_proxies: str = ""
    # The tokens this service calls the others with (service:<name>), one file per service
    # called, named after it, kept current by the identity provider; empty means tokens
    # minted with the development key.
    civicloop_service_token_dir: Path | None = None
    # A message redelivered this many times goes to the service's parking queue. With the
    # consumer's back-off (up to 5 s between attempts) 20 deliveries ride out a database
    # restart of about a minute before anything is parked.
    event_delivery_limit: int = Field(default=20, ge=1, le=100)
    event_prefetch: int = Field(default=32, ge=1, le=1000)
    db_pool_min: int = 2
    db_pool_max: int = 20
    log_level: str = "INFO"
    # Tests only: read "now" from this file (an ISO timestamp) so deadlines can pass without
    # sleeping. Never set in production; the service logs a warning when it is.
    civicloop_clock_file: Path | None = None
    # Off when the relay runs as its own process (or, in tests, to hold events back).
    outbox_relay_enabled: bool = True
    # Seconds a stopping process waits for in-flight work before closing.
    shutdown_grace_seconds: float = 10.0

    @property
    def namespace(self) -> str:
        return self.civicloop_namespace

    @property
    def token_policy(self) -> TokenPolicy:
        return TokenPolicy(
            issuer=self.civicloop_token_issuer,
            audience=self.civicloop_token_audience or audience_of(self.service_name),
            max_lifetime_seconds=self.civicloop_token_max_lifetime_seconds,
            leeway_seconds=self.civicloop_token_leeway_seconds,
        )

    def require_secret(self, name: str, is_development_value: bool) -> None:
        """Refuse to run in production on a development secret; warn in development.
        Callers compare by value (decoded keys, keys under any name), not by spelling."""
        if not is_development_value:
            return
        if self.civicloop_environment == "production":
            raise RuntimeError(
                f"{name} is not set or holds a development value: production never uses the"
                " development value"
            )
        logging.getLogger(__name__).warning("%s: using the development value", name)
