from __future__ import annotations

from pydantic import Field

from civicloop.platform.settings import ServiceSettings

# Development only: deployments set PUBLICATION_SECRET_KEY from a secret (with
# CIVICLOOP_ENVIRONMENT=production the service refuses this value).
DEV_SECRET_KEY = "Y2l2aWNsb29wLWRldi1vbmx5LXB1Ymxpc2gta2V5LTM="


class PublicationSettings(ServiceSettings):
    service_name: str = "publication"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/publication"
    http_port: int = 8004
    grpc_port: int = 50054
    # Rating answers the three rates (GetRates), dispatch the departments' names.
    rating_grpc_target: str = "127.0.0.1:50053"
    dispatch_grpc_target: str = "127.0.0.1:50052"
    # The ledger evidences each step (ListCaseEvidence); empty: the board shows no evidence.
    ledger_grpc_target: str = "127.0.0.1:50055"
    # Where the public reads the ledger (its evidence bundles), for the case page's links.
    ledger_public_base_url: str = "http://127.0.0.1:8005"
    # The board's public address: links in feeds and webhook bodies point there.
    publication_public_base_url: str = "http://127.0.0.1:8004"
    # Seals webhook secrets at rest (32 bytes, base64).
    publication_secret_key: str = DEV_SECRET_KEY
    # Categories whose cases make the homestay opportunities list (民宿机会清单), comma-separated.
    publication_homestay_categories: str = "tourism"
    # Webhook deliveries: attempts before a delivery is dead, and the backoff between them.
    publication_webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    publication_webhook_backoff_seconds: float = Field(default=5.0, gt=0)
    publication_webhook_max_backoff_seconds: float = Field(default=3600.0, gt=0)
    publication_webhook_scan_seconds: float = Field(default=2.0, gt=0)
    # Development and tests deliver to http receivers on this machine; production never.
    publication_webhook_allow_private: bool = False
    # How long a rendered board page is served from memory (the board changes by events, a
    # reader a few seconds behind is fine; Cache-Control says as much to proxies).
    publication_page_cache_seconds: float = Field(default=2.0, ge=0, le=300)
    # How long the city's rates from rating are kept before rating is asked again.
    publication_rates_keep_seconds: float = Field(default=60.0, ge=0)
    # Scheduled batches: every this many hours, each list's cases updated in the last whole
    # period are published as one batch (0: batches come from publishers only).
    publication_schedule_hours: float = Field(default=0.0, ge=0)
    # Public gRPC calls per client address per minute (the pages are served from memory).
    publication_limit_per_address_minute: int = Field(default=600, ge=1)

    @property
    def homestay_categories(self) -> frozenset[str]:
        return frozenset(c.strip() for c in self.publication_homestay_categories.split(",") if c)
