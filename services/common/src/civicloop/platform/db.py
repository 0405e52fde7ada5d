"""PostgreSQL access: pool creation and per-service migrations under an advisory lock."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from civicloop.platform.errors import Unavailable
from civicloop.platform.metrics import DATABASE_CONNECTION_LOST

# What handlers receive: a plain connection or one borrowed from a pool.
Connection = asyncpg.Connection | PoolConnectionProxy

log = logging.getLogger(__name__)

PLATFORM_MIGRATIONS = "civicloop.platform.migrations"

T = TypeVar("T")


def connection_lost(exc: BaseException) -> bool:
    """Whether the link to PostgreSQL broke or the server is away (terminated, restarting,
    refusing connections): a passing failure, never the statement's fault."""
    if isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.exceptions.AdminShutdownError
        | asyncpg.exceptions.CrashShutdownError
        | asyncpg.exceptions.CannotConnectNowError
        | asyncpg.exceptions.TooManyConnectionsError
        | ConnectionError,
    ):
        return True
    # Raised by asyncpg for a connection found closed ("connection is closed").
    return isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc)


@dataclass
class _Attempt:
    commit_sent: bool = False


_attempt: ContextVar[_Attempt | None] = ContextVar("civicloop_db_attempt", default=None)


def commit_sent() -> None:
    """Called where a request's writes go to commit (a unit of work's commit, a group
    commit): a connection lost from here on leaves unknown whether they took effect, so the
    request is not run again for the caller."""
    attempt = _attempt.get()
    if attempt is not None:
        attempt.commit_sent = True


async def retry_once_if_safe(
    run: Callable[[], Awaitable[T]],
    what: Callable[[], str],
    *,
    repeatable: Callable[[], bool] = lambda: True,
) -> T:
    """Run a request's work; when the database connection is lost before anything was sent
    to commit (nothing written), run it once more. Otherwise, or when the second run loses it
    too, raise Unavailable (503 / UNAVAILABLE): the caller repeats, with the same request id.
    ``what`` names the request for the log (a route, never a path that may hold a
    credential); ``repeatable`` says whether the caller can still be given another answer."""
    attempt = _Attempt()
    token = _attempt.set(attempt)
    try:
        try:
            return await run()
        except Exception as exc:
            if not connection_lost(exc):
                raise
            if attempt.commit_sent or not repeatable():
                raise _unavailable(what, exc, "outcome unknown") from exc
            log.warning(
                "database connection lost before anything was committed; running it again",
                extra={"fields": {"request": what(), "error": repr(exc)}},
            )
            DATABASE_CONNECTION_LOST.labels("retried").inc()
        attempt.commit_sent = False
        try:
            return await run()
        except Exception as exc:
            if not connection_lost(exc):
                raise
            raise _unavailable(what, exc, "lost again") from exc
    finally:
        _attempt.reset(token)


def _unavailable(what: Callable[[], str], exc: Exception, outcome: str) -> Unavailable:
    log.warning(
        "database connection lost; the caller is told to try again",
        extra={"fields": {"request": what(), "error": repr(exc), "outcome": outcome}},
    )
    DATABASE_CONNECTION_LOST.labels("unavailable").inc()
    return Unavailable(
        "the database connection was lost; repeat the request (with the same request id,"
        " if it had one) in a moment"
    )


def _admin(dsn: str) -> tuple[str, str]:
    """The database a DSN names, and a DSN for the server's maintenance database."""
    parts = urlsplit(dsn)
    return parts.path.lstrip("/"), urlunsplit(parts._replace(path="/postgres"))


async def ensure_database(dsn: str) -> None:
    """Create the service's database if it does not exist yet (local runs and tests)."""
    name, admin_dsn = _admin(dsn)
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            except asyncpg.DuplicateDatabaseError:
                pass  # another replica won the race
    finally:
        await conn.close()


async def drop_database(dsn: str) -> None:
    """Drop the database a DSN names, disconnecting its sessions (tests and benchmarks)."""
    name, admin_dsn = _admin(dsn)
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _keep_session(conn: Any) -> None:
    """Connections go back to the pool as they are: the services keep no session state
    (no SET, no temporary tables, advisory locks released explicitly), so asyncpg's reset
    query would be a wasted round trip on every release."""


async def create_pool(dsn: str, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, reset=_keep_session)
    assert pool is not None
    return pool


def _migration_files(package: str) -> list[tuple[str, str]]:
    root = resources.files(package)
    files = sorted(
        (entry.name, entry.read_text("utf-8"))
        for entry in root.iterdir()
        if entry.name.endswith(".sql")
    )
    return files


_CORRECTS = re.compile(r"^-- corrects: ([0-9a-f]{64})$", re.MULTILINE)


def _corrected_checksums(sql: str) -> set[str]:
    """The checksums of the earlier texts a migration file corrects (``-- corrects: <sha>``
    lines): a file that already ran may change only when a later migration, of this
    component or of the platform, brings old databases to what the new text creates."""
    return set(_CORRECTS.findall(sql))


async def migrate(pool: asyncpg.Pool, component: str, package: str) -> list[str]:
    """Apply the package's numbered .sql files not applied yet, each in its own transaction.

    An advisory lock keyed by the component serialises replicas starting at once (and the
    Kubernetes migration Job); applied files are recorded with their checksum.
    """
    lock_key = int.from_bytes(hashlib.sha256(component.encode()).digest()[:8], "big", signed=True)
    applied: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", lock_key)
        try:
            await conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                     component text NOT NULL,
                     name text NOT NULL,
                     checksum text NOT NULL,
                     applied_at timestamptz NOT NULL DEFAULT now(),
                     PRIMARY KEY (component, name))"""
            )
            done = {
                r["name"]: r["checksum"]
                for r in await conn.fetch(
                    "SELECT name, checksum FROM schema_migrations WHERE component = $1", component
                )
            }
            for name, sql in _migration_files(package):
                checksum = hashlib.sha256(sql.encode()).hexdigest()
                if name in done:
                    if done[name] == checksum:
                        continue
                    if done[name] not in _corrected_checksums(sql):
                        raise RuntimeError(f"migration {component}/{name} changed after it ran")
                    # A file corrected for new databases; databases that ran it are as the
                    # correction leaves them (the file says how), so only its checksum moves.
                    await conn.execute(
                        "UPDATE schema_migrations SET checksum = $3"
                        " WHERE component = $1 AND name = $2",
                        component,
                        name,
                        checksum,
                    )
                    continue
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (component, name, checksum)"
                        " VALUES ($1, $2, $3)",
                        component,
                        name,
                        checksum,
                    )
                applied.append(name)
                log.info(
                    "migration applied", extra={"fields": {"migration": f"{component}/{name}"}}
                )
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key)
    return applied
