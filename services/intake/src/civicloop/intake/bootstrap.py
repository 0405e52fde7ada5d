"""Wires intake's adapters to its use cases, once."""

from __future__ import annotations

from civicloop.intake import api, open311
from civicloop.intake.domain.wording import Segmenter
from civicloop.intake.handlers import REPORTED_STATES, Intake
from civicloop.intake.pii import PiiVault
from civicloop.intake.ratelimit import SubmissionLimiter
from civicloop.intake.rpc import SERVICE_NAME, IntakeServicer
from civicloop.intake.settings import IntakeSettings
from civicloop.platform.clock import clock_from
from civicloop.platform.http import create_http_app
from civicloop.platform.runtime import Runtime, ServiceParts
from civicloop.v1 import intake_pb2_grpc


def build(runtime: Runtime) -> ServiceParts:
    settings = runtime.settings
    assert isinstance(settings, IntakeSettings)
    settings.require_secret("INTAKE_PII_KEY", settings.uses_development_pii_key())
    settings.require_secret("INTAKE_OPEN311_API_KEYS", settings.uses_development_open311_key())
    # jieba's dictionary loads once, before the first filing or 统单 needs it.
    Segmenter.load()
    limiter = SubmissionLimiter(
        runtime.redis,
        settings.namespace,
        settings.intake_limit_per_phone_hour,
        settings.intake_limit_per_address_minute,
    )
    intake = Intake(
        runtime.pool,
        PiiVault(settings.intake_pii_key),
        limiter,
        clock=clock_from(settings.civicloop_clock_file),
    )
    app = create_http_app(
        "intake",
        runtime.readiness,
        title="Civicloop intake",
        description="File petitions, follow them, and Open311 GeoReport v2.",
        trusted_proxies=runtime.trusted_proxies,
    )
    app.include_router(api.build_router(intake, runtime.verifier))
    app.include_router(open311.build_router(intake, settings.open311_clients()))
    return ServiceParts(
        http_app=app,
        grpc_services=[
            (
                intake_pb2_grpc.add_IntakeServiceServicer_to_server,
                IntakeServicer(intake, runtime.verifier, runtime.trusted_proxies),
                SERVICE_NAME,
            )
        ],
        event_handlers={event_type: intake.on_case_progress for event_type in REPORTED_STATES},
    )
