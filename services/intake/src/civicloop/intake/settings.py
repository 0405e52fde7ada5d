from __future__ import annotations

import base64
import binascii

from pydantic import Field

from civicloop.platform.settings import ServiceSettings

# Development only: real deployments set INTAKE_PII_KEY and INTAKE_OPEN311_API_KEYS from a
# secret (with CIVICLOOP_ENVIRONMENT=production the service refuses these values).
DEV_PII_KEY = "Y2l2aWNsb29wLWRldi1vbmx5LXBpaS1rZXktMzJieXQ="
DEV_OPEN311_KEY = "civicloop-dev-open311-key"
DEV_OPEN311_KEYS = f"dev-client:{DEV_OPEN311_KEY}"


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/intake"
    http_port: int = 8001
    grpc_port: int = 50051
    intake_pii_key: str = DEV_PII_KEY
    # Submissions allowed per phone per hour, and per client address per minute.
    intake_limit_per_phone_hour: int = Field(default=10, ge=1)
    intake_limit_per_address_minute: int = Field(default=60, ge=1)
    # Open311 API keys of registered client systems, "name:key" comma separated.
    intake_open311_api_keys: str = DEV_OPEN311_KEYS
    # Public base URL used in Open311 answers.
    intake_public_base_url: str = "http://127.0.0.1:8001"

    def open311_clients(self) -> dict[str, str]:
        """API key -> client name."""
        pairs = (
            item.split(":", 1) for item in self.intake_open311_api_keys.split(",") if ":" in item
        )
        return {key.strip(): name.strip() for name, key in pairs}

    def uses_development_pii_key(self) -> bool:
        """The development key however it is spelled: base64 decoding ignores what is not
        base64 (line breaks, stray characters), so the bytes are compared, not the text."""
        try:
            return base64.b64decode(self.intake_pii_key) == base64.b64decode(DEV_PII_KEY)
        except (binascii.Error, ValueError):
            return False  # not base64 at all: PiiVault refuses it with its own message

    def uses_development_open311_key(self) -> bool:
        """The development key under any client name."""
        return DEV_OPEN311_KEY in self.open311_clients()
