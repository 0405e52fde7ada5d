"""One service process: FastAPI (uvicorn), a grpc.aio server, the event consumers and the
outbox relay on one event loop, started in order and stopped gracefully.

SIGTERM (or SIGINT): readiness fails and gRPC health turns NOT_SERVING, consumers stop and
in-flight handlers drain, the gRPC and HTTP servers finish in-flight calls, the relay makes a
last pass, connections close, spans are flushed.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import gc
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import redis.asyncio as aioredis
import uvicorn
import uvloop
from fastapi import FastAPI
from redis.exceptions import RedisError

from civicloop.platform import db, telemetry
from civicloop.platform.auth import ISSUER_DEV, KeySet, ServiceToken, TokenVerifier
from civicloop.platform.bus import EventBus
from civicloop.platform.grpc_server import GrpcServer
from civicloop.platform.http import Readiness
from civicloop.platform.inbox import Inbox, InboxHandler
from civicloop.platform.logs import setup_logging
from civicloop.platform.metrics import DEPENDENCY_UP, watch_event_loop_lag
from civicloop.platform.outbox import OutboxRelay
from civicloop.platform.proxies import TrustedProxies
from civicloop.platform.settings import ServiceSettings

log = logging.getLogger(__name__)

GC_YOUNG_THRESHOLD = 10_000
REDIS_TIMEOUT_SECONDS = 0.5


@dataclass
class ServiceParts:
    """What a service's bootstrap hands to the runtime."""

    http_app: FastAPI
    grpc_services: list[tuple[Callable[[Any, Any], None], Any, str]] = field(default_factory=list)
    event_handlers: dict[str, InboxHandler] = field(default_factory=dict)
    # Run once after migrations, before consumers and servers start (seeding reference data).
    on_start: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    # Long-running loops of the service's own (deadline scanners, ...); cancelled at stop.
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)


async def periodically(
    step: Callable[[], Awaitable[object]], every: float, wake: asyncio.Event | None = None
) -> None:
    """A service's own loop (a deadline scan, a sender): ``step`` every ``every`` seconds, or
    at once when ``wake`` is set; a failure is logged and the next turn tries again."""
    name = getattr(step, "__qualname__", "background step")
    while True:
        try:
            await step()
        except Exception:
            log.exception("%s failed; the next turn tries again", name)
        if wake is None:
            await asyncio.sleep(every)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=every)
        wake.clear()


async def on_schedule(step: Callable[[], Awaitable[object]], every: float) -> None:
    """``step`` at a fixed rate: started every ``every`` seconds whatever each took (one that
    overran is followed at once), so that the starts are never further apart than that
    (a checkpoint's signing interval, say); a failure is logged and the next turn tries again."""
    name = getattr(step, "__qualname__", "scheduled step")
    loop = asyncio.get_running_loop()
    due = loop.time()
    while True:
        try:
            await step()
        except Exception:
            log.exception("%s failed; the next turn tries again", name)
        due = max(due + every, loop.time())
        await asyncio.sleep(due - loop.time())


class Runtime:
    """The adapters a service's handlers use: database pool, bus, Redis, token verifier."""

    def __init__(
        self, settings: ServiceSettings, migrations_package: str, uses_redis: bool = False
    ) -> None:
        self.settings = settings
        self.migrations_package = migrations_package
        self.uses_redis = uses_redis
        self.verifier = TokenVerifier(KeySet(settings.civicloop_jwks_file), settings.token_policy)
        # A key set that still trusts the development key (alone or beside the real ones)
        # lets anyone with the repository mint tokens.
        settings.require_secret("CIVICLOOP_JWKS_FILE", self.verifier.keys.trusts_development_key())
        settings.require_secret(
            "CIVICLOOP_TOKEN_ISSUER", settings.civicloop_token_issuer == ISSUER_DEV
        )
        self.trusted_proxies = TrustedProxies.parse(settings.civicloop_trusted_proxies)
        self.bus = EventBus(settings.amqp_url, settings.service_name, settings.namespace)
        self._pool: asyncpg.Pool | None = None
        self._redis: aioredis.Redis | None = None
        self.accepting = False

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("Runtime.open() was not awaited")
        return self._pool

    @property
    def redis(self) -> aioredis.Redis:
        if self._redis is None:
            raise RuntimeError("this service was not started with Redis")
        return self._redis

    def service_token(self, target: str) -> ServiceToken:
        """This service's identity for calling ``target`` over gRPC: a token of its own for
        each service it calls (each checks that the token names its audience)."""
        s = self.settings
        s.require_secret("CIVICLOOP_SERVICE_TOKEN_DIR", s.civicloop_service_token_dir is None)
        return ServiceToken(s.service_name, target, s.civicloop_service_token_dir)

    async def open(self) -> None:
        s = self.settings
        await db.ensure_database(s.database_url)
        self._pool = await db.create_pool(s.database_url, s.db_pool_min, s.db_pool_max)
        await db.migrate(self._pool, "platform", db.PLATFORM_MIGRATIONS)
        await db.migrate(self._pool, s.service_name, self.migrations_package)
        await self.bus.connect()
        if self.uses_redis:
            # Bounded waits: a Redis that hangs must not hold a filing longer than one
            # that refuses. The client reconnects by itself once Redis is back.
            self._redis = aioredis.from_url(
                s.redis_url,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            try:
                await self._redis.ping()
            except RedisError:
                log.warning("Redis does not answer; starting without it (degraded)")

    async def readiness(self) -> Readiness:
        """Ready while accepting and the database answers: nothing is served without it.
        Without the broker events wait in the outbox, without Redis rate limits are not
        checked: the service serves on, degraded, rather than leave the city with no pod."""
        required = {"accepting": self.accepting}
        try:
            async with asyncio.timeout(1.0):
                required["database"] = await self.pool.fetchval("SELECT true") is True
        except Exception:
            required["database"] = False
        degradable = {"broker": self.bus.is_connected}
        if self.uses_redis:
            try:
                async with asyncio.timeout(1.0):
                    degradable["redis"] = bool(await self.redis.ping())
            except Exception:
                degradable["redis"] = False
        for dependency in ("database", "broker", "redis"):
            up = required.get(dependency, degradable.get(dependency))
            if up is not None:
                DEPENDENCY_UP.labels(dependency).set(int(up))
        return Readiness(required, degradable)

    async def close(self) -> None:
        await self.bus.close()
        if self._redis is not None:
            await self._redis.aclose()
        if self._pool is not None:
            await self._pool.close()


class _EmbeddedUvicorn(uvicorn.Server):
    """uvicorn without its own signal handling: the runtime coordinates the stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def embedded_http(app: Any, host: str, port: int) -> uvicorn.Server:
    """uvicorn serving ``app`` on the running loop, stopped by the runtime, not by signals."""
    return _EmbeddedUvicorn(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            lifespan="off",
            http="httptools",
            loop="none",
            # The platform resolves forwarded addresses, for the configured proxies only.
            proxy_headers=False,
        )
    )


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM (Kubernetes stopping the pod) or SIGINT (Ctrl-C)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


def settle_heap() -> None:
    """What was built so far lives as long as the process (start-up's objects, caches loaded
    in the background): freezing it keeps the collector's full passes, which pause the loop,
    to what requests allocate since.

    Nearly everything a request or an event allocates is freed by reference counting; the
    collector only finds cycles. At its default (a young pass every 700 net allocations)
    dispatch ran about 1,100 passes in a one-minute bench, 5% of its CPU, and one pause
    reached 100 ms; an outbox relay spent 5% of its CPU there too. At 10,000 dispatch ran
    about a dozen, and cycles wait a little longer."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 10, 10)


async def serve(
    settings: ServiceSettings,
    migrations_package: str,
    build: Callable[[Runtime], ServiceParts],
    *,
    uses_redis: bool = False,
) -> None:
    setup_logging(settings.service_name, settings.log_level)
    provider = telemetry.setup_tracing(settings.service_name, settings.civicloop_run_dir)
    runtime = Runtime(settings, migrations_package, uses_redis)
    await runtime.open()
    parts = build(runtime)
    for step in parts.on_start:
        await step()

    stop = stop_on_signals()

    relay = OutboxRelay(runtime.pool, runtime.bus, settings.database_url)
    # Off when the relay runs as a process of its own (or a test holds events back).
    relay_task = (
        asyncio.create_task(relay.run(), name="outbox-relay")
        if settings.outbox_relay_enabled
        else None
    )
    if parts.event_handlers:
        inbox = Inbox(runtime.pool, parts.event_handlers)
        await runtime.bus.consume(
            inbox.event_types,
            inbox,
            prefetch=settings.event_prefetch,
            delivery_limit=settings.event_delivery_limit,
        )
    grpc_server = GrpcServer(settings.grpc_host, settings.grpc_port)
    for register, servicer, name in parts.grpc_services:
        grpc_server.add(register, servicer, name)
    await grpc_server.start()
    http = embedded_http(parts.http_app, settings.http_host, settings.http_port)
    http_task = asyncio.create_task(http.serve(), name="http")
    background = [
        asyncio.create_task(job(), name=getattr(job, "__name__", "job"))
        for job in [*parts.background, watch_event_loop_lag]
    ]
    settle_heap()
    runtime.accepting = True
    log.info(
        "service started",
        extra={
            "fields": {
                "http": f"{settings.http_host}:{settings.http_port}",
                "grpc": grpc_server.address,
                "namespace": settings.namespace,
            }
        },
    )

    stopped_by = asyncio.create_task(stop.wait())
    watched = {stopped_by, http_task} | ({relay_task} if relay_task else set())
    await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)

    log.info("service stopping")
    grace = settings.shutdown_grace_seconds
    runtime.accepting = False
    await grpc_server.set_serving(False)
    await runtime.bus.stop_consuming(grace)
    for task in background:
        task.cancel()
    await grpc_server.stop(grace)
    http.should_exit = True
    with contextlib.suppress(Exception):
        await asyncio.wait_for(http_task, grace)
    if relay_task is not None:
        await relay.finish(relay_task, grace)  # the last requests' events go out
    await runtime.close()
    provider.shutdown()
    log.info("service stopped")


def run(coroutine_factory: Callable[[], Awaitable[None]]) -> None:
    """Run a service's main coroutine on uvloop.

    CIVICLOOP_PROFILE=FILE (performance work only) runs it under cProfile and writes the
    statistics to FILE when the service stops.
    """
    profile_to = os.environ.get("CIVICLOOP_PROFILE")
    profiler = cProfile.Profile() if profile_to else None
    if profiler:
        profiler.enable()
    try:
        uvloop.run(coroutine_factory())  # type: ignore[arg-type]
    finally:
        if profiler and profile_to:
            profiler.disable()
            profiler.dump_stats(profile_to)
