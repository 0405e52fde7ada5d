"""``python -m civicloop.platform.relay``: a service's outbox relay as a process of its own.

Every service publishes its outbox from its own event loop unless told otherwise. One whose
requests write events fast spends much of that loop publishing: the rating page writes two
events a rating, and publishing them took about a third of the page's process. Started with
OUTBOX_RELAY_ENABLED=false beside this process (a second container of its pod: the same image
and environment), the service's loop serves requests only, and the events go out from here,
on another core. Rows are taken FOR UPDATE SKIP LOCKED, so any number of relays (one per
replica) share an outbox safely.

The relay reads the service's settings (SERVICE_NAME, DATABASE_URL, AMQP_URL, the namespace)
and serves /healthz, /readyz (the database and the broker) and /metrics on RELAY_HTTP_PORT.
It waits for the service to have created its database and outbox, so the two may start in
any order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

import asyncpg
from pydantic import Field

from civicloop.platform import db, telemetry
from civicloop.platform.bus import EventBus
from civicloop.platform.http import Readiness, create_http_app
from civicloop.platform.logs import setup_logging
from civicloop.platform.outbox import OutboxRelay
from civicloop.platform.runtime import embedded_http, run, settle_heap, stop_on_signals
from civicloop.platform.settings import ServiceSettings

log = logging.getLogger("civicloop.platform.relay")  # not __main__ when run with -m

# ``python -m`` this, with a service's settings, to run its relay.
MODULE = "civicloop.platform.relay"

# While the service has not created its database or outbox yet, look again this often.
WAIT_FOR_OUTBOX_SECONDS = 1.0


class RelaySettings(ServiceSettings):
    # Its own port: in a pod the relay shares the service's network namespace.
    relay_http_port: int = Field(default=8090, ge=1, le=65535)
    relay_db_pool_max: int = Field(default=4, ge=1, le=50)


def relay_environments(
    service_env: Mapping[str, str], service: str, port: int
) -> tuple[dict[str, str], dict[str, str]]:
    """The environment of a service that leaves its outbox to a relay of its own, and the
    relay's: the service's settings, under the service's name, serving on ``port``."""
    service_side = {**service_env, "OUTBOX_RELAY_ENABLED": "false"}
    return service_side, {**service_side, "SERVICE_NAME": service, "RELAY_HTTP_PORT": str(port)}


async def _outbox_pool(settings: RelaySettings, stop: asyncio.Event) -> asyncpg.Pool | None:
    """A pool on the service's database once its outbox exists (None if stopped first)."""
    while not stop.is_set():
        try:
            pool = await db.create_pool(settings.database_url, 1, settings.relay_db_pool_max)
            if await pool.fetchval("SELECT to_regclass('outbox') IS NOT NULL"):
                return pool
            await pool.close()
            log.info("the outbox is not created yet; waiting for the service")
        except (OSError, asyncpg.PostgresError) as exc:
            log.info("the service's database does not answer yet: %r", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), WAIT_FOR_OUTBOX_SECONDS)
    return None


async def serve_relay(settings: RelaySettings) -> None:
    name = f"{settings.service_name}-relay"
    setup_logging(name, settings.log_level)
    provider = telemetry.setup_tracing(name, settings.civicloop_run_dir)
    stop = stop_on_signals()

    pool = await _outbox_pool(settings, stop)
    if pool is None:
        return
    # Published under the service's own name: the events are the service's.
    bus = EventBus(settings.amqp_url, settings.service_name, settings.namespace)
    await bus.connect()
    relay = OutboxRelay(pool, bus, settings.database_url)

    async def readiness() -> Readiness:
        try:
            async with asyncio.timeout(1.0):
                database = await pool.fetchval("SELECT true") is True
        except Exception:
            database = False
        return Readiness({"database": database, "broker": bus.is_connected}, {})

    app = create_http_app(name, readiness, title=f"Civicloop {settings.service_name} relay")
    http = embedded_http(app, settings.http_host, settings.relay_http_port)
    http_task = asyncio.create_task(http.serve(), name="http")
    relay_task = asyncio.create_task(relay.run(), name="outbox-relay")
    settle_heap()
    log.info("outbox relay started", extra={"fields": {"http": settings.relay_http_port}})

    stopped_by = asyncio.create_task(stop.wait())
    await asyncio.wait({stopped_by, relay_task, http_task}, return_when=asyncio.FIRST_COMPLETED)
    log.info("outbox relay stopping")
    grace = settings.shutdown_grace_seconds
    await relay.finish(relay_task, grace)
    http.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(http_task, grace)
    await bus.close()
    await pool.close()
    provider.shutdown()
    log.info("outbox relay stopped")


def main() -> None:
    settings = RelaySettings()
    run(lambda: serve_relay(settings))


if __name__ == "__main__":
    main()
