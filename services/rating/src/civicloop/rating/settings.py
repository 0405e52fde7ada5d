from __future__ import annotations

import base64

from pydantic import Field

from civicloop.platform.settings import ServiceSettings
from civicloop.rating.sms import DEV_SMS_SECRET

# Development only: deployments set RATING_LINK_KEY (and RATING_SMS_SECRET) from a secret (with
# CIVICLOOP_ENVIRONMENT=production the service refuses these values).
DEV_LINK_KEY = "Y2l2aWNsb29wLWRldi1vbmx5LWxpbmsta2V5LTMyYnk="


class RatingSettings(ServiceSettings):
    service_name: str = "rating"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/rating"
    http_port: int = 8003
    grpc_port: int = 50053
    # Intake answers the petitioners' contacts (GetPetitionerContacts), dispatch the
    # departments' names.
    intake_grpc_target: str = "127.0.0.1:50051"
    dispatch_grpc_target: str = "127.0.0.1:50052"
    # Where links point: the rating page's public address.
    rating_public_base_url: str = "http://127.0.0.1:8003"
    # The key link tokens are derived under (base64, at least 32 bytes).
    rating_link_key: str = DEV_LINK_KEY
    rating_link_ttl_hours: int = Field(default=7 * 24, ge=1, le=720)
    # Unsatisfied ratings that reopen a case before the office must decide.
    rating_reopen_limit: int = Field(default=2, ge=0, le=10)
    # The SMS gateway (Standard Webhooks signed POSTs); the stack runs a local sink.
    rating_sms_url: str = "http://127.0.0.1:8025/messages"
    rating_sms_secret: str = DEV_SMS_SECRET
    rating_sms_max_attempts: int = Field(default=5, ge=1, le=20)
    rating_sms_backoff_seconds: float = Field(default=0.5, gt=0)
    # How often unsent links and expired links are looked for, seconds.
    rating_scan_seconds: float = Field(default=5.0, gt=0)
    # How often the appended rate count changes are folded into the counts, seconds.
    rating_fold_seconds: float = Field(default=1.0, gt=0)
    # Rating page views and submissions per client address per minute.
    rating_limit_per_address_minute: int = Field(default=30, ge=1)
    # Hits of an address's window leased from the shared counter at most at once (see
    # AddressLimit): a busy address (a carrier's NAT in front of many phones) costs one Redis
    # round trip per this many page views and ratings, not one each.
    rating_limit_lease: int = Field(default=32, ge=1, le=1000)

    @property
    def link_key(self) -> bytes:
        return base64.b64decode(self.rating_link_key)

    def uses_development_link_key(self) -> bool:
        """The development key however it is spelled: the decoded bytes are compared."""
        try:
            return self.link_key == base64.b64decode(DEV_LINK_KEY)
        except ValueError:
            return False  # not base64: LinkTokens refuses it with its own message
