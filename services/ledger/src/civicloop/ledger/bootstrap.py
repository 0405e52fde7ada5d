"""Wires the ledger's adapters to its use cases, once."""

from __future__ import annotations

from civicloop.ledger import api
from civicloop.ledger.credentials import Credentials, Issuer
from civicloop.ledger.domain.evidence import case_event_types
from civicloop.ledger.exports import Exports
from civicloop.ledger.handlers import Ledger
from civicloop.ledger.queries import LedgerQueries
from civicloop.ledger.rpc import SERVICE_NAME, LedgerServicer
from civicloop.ledger.sequencer import Sequencer
from civicloop.ledger.settings import DEV_ISSUER_PUBLIC_KEY, LedgerSettings, is_development_key
from civicloop.ledger.witnesses import WitnessClient, parse_witnesses
from civicloop.platform.clock import clock_from
from civicloop.platform.event_types import EVENT_TYPES
from civicloop.platform.http import create_http_app
from civicloop.platform.inbox import InboxHandler
from civicloop.platform.ratelimit import AddressLimit, FixedWindows
from civicloop.platform.runtime import Runtime, ServiceParts, on_schedule, periodically
from civicloop.v1 import ledger_pb2_grpc


def build(runtime: Runtime) -> ServiceParts:
    settings = runtime.settings
    assert isinstance(settings, LedgerSettings)
    signer = settings.log_signer()
    settings.require_secret("LEDGER_SIGNING_KEY", is_development_key(signer))
    clock = clock_from(settings.civicloop_clock_file)
    sequencer = Sequencer(
        runtime.pool, signer, settings.ledger_origin, settings.ledger_batch_size, clock
    )
    ledger = Ledger(runtime.pool, sequencer, clock, settings.ledger_append_wait_seconds)
    issuer_key = settings.issuer_key()
    settings.require_secret(
        "LEDGER_ISSUER_KEY", issuer_key.public_key().public_bytes_raw() == DEV_ISSUER_PUBLIC_KEY
    )
    credentials = Credentials(
        runtime.pool,
        Issuer(settings.ledger_issuer_did, issuer_key, settings.ledger_public_base_url),
        sequencer,
        clock,
        settings.ledger_origin,
    )
    sequencer.on_integrated.append(credentials.announce)
    witnesses = parse_witnesses(settings.ledger_witnesses)
    queries = LedgerQueries(runtime.pool, signer.verifier, [w.key for w in witnesses])
    exports = Exports(credentials, queries, settings.ledger_public_prefix, settings.pdf_font())
    witness_client = WitnessClient(runtime.pool, witnesses, settings.ledger_witness_timeout_seconds)

    async def integrate() -> None:
        await periodically(
            sequencer.integrate_all, settings.ledger_integrate_seconds, sequencer.staged
        )

    async def sign_now() -> None:
        """Sign when the tree grew, and have the witnesses cosign what is not cosigned yet."""
        signed = await sequencer.sign()
        if signed is not None:
            queries.remember(signed)
        if witnesses and await witness_client.cosign(signed or await queries.latest(fresh=True)):
            await queries.latest(fresh=True)  # served with its new cosignatures from now on

    async def sign() -> None:
        await on_schedule(sign_now, settings.ledger_checkpoint_seconds)

    app = create_http_app(
        "ledger",
        runtime.readiness,
        title="Civicloop ledger",
        description="存证: the transparency log of every case step, as C2SP tlog-tiles.",
        trusted_proxies=runtime.trusted_proxies,
    )
    app.include_router(api.build_router(queries, settings.ledger_public_prefix))
    limit = AddressLimit(
        FixedWindows(runtime.redis, f"{settings.namespace}ledger:limit"),
        settings.ledger_limit_per_address_minute,
        lease_at_most=settings.ledger_limit_lease,
    )
    app.include_router(
        api.credential_router(
            credentials, exports, runtime.verifier, limit, settings.ledger_public_prefix
        )
    )
    handlers: dict[str, InboxHandler] = {
        event_type: ledger.on_case_event for event_type in case_event_types(EVENT_TYPES)
    }
    return ServiceParts(
        http_app=app,
        grpc_services=[
            (
                ledger_pb2_grpc.add_LedgerServiceServicer_to_server,
                LedgerServicer(
                    ledger,
                    queries,
                    credentials,
                    runtime.verifier,
                    limit,
                    runtime.trusted_proxies,
                    exports=exports,
                ),
                SERVICE_NAME,
            )
        ],
        event_handlers=handlers,
        # The empty tree's checkpoint, so that the log is readable from its first moment.
        on_start=[sequencer.integrate_all, sign_now],
        background=[integrate, sign],
    )
