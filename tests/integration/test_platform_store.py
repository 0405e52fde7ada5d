"""The platform's store helpers against the real PostgreSQL: idempotent commands, the unit of
work for an aggregate that is not a case, and migrations corrected in place."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import asyncpg
import pytest
from harness import Infra, drop_database, service_database

from civicloop.platform.auth import Principal
from civicloop.platform.commands import CommandRequest, RequestIdReused
from civicloop.platform.db import PLATFORM_MIGRATIONS, ensure_database, migrate
from civicloop.platform.domain import Actor, RecordsEvents
from civicloop.platform.errors import PermissionDenied
from civicloop.platform.unit_of_work import UnitOfWork
from civicloop.v1 import events_pb2

OFFICE = Principal("office:li", frozenset({"office"}))


@pytest.fixture
async def pool(infra: Infra, run: dict[str, Any]) -> AsyncIterator[asyncpg.Pool]:
    name = f"platform_t{run['id']}"
    await ensure_database(infra.database_url(name))
    try:
        async with service_database(infra, name) as pool:
            await migrate(pool, "platform", PLATFORM_MIGRATIONS)
            await pool.execute("CREATE TABLE amenities (id text PRIMARY KEY, version int)")
            yield pool
    finally:
        await drop_database(infra, name)


@dataclass(frozen=True)
class AmenitySuspended:
    version: int
    actor: Actor | None


@dataclass
class Amenity(RecordsEvents):
    """An aggregate of another kind than a case, as the amenities service will have."""

    aggregate_type: ClassVar[str] = "amenity"
    id: str
    version: int = 1
    state: str = "active"
    events: list[Any] = field(default_factory=list)

    def suspend(self, actor: Actor | None) -> None:
        self.version += 1
        self.state = "suspended"
        self.events.append(AmenitySuspended(self.version, actor))


class AmenityUnitOfWork(UnitOfWork[Amenity]):
    source: ClassVar[str] = "amenities"

    async def save(self, amenity: Amenity) -> None:
        await self.conn.execute(
            "INSERT INTO amenities (id, version) VALUES ($1, $2)"
            " ON CONFLICT (id) DO UPDATE SET version = $2",
            amenity.id,
            amenity.version,
        )


def as_event(amenity: Amenity, event: Any) -> events_pb2.AmenityChanged:
    return events_pb2.AmenityChanged(amenity_id=amenity.id)


async def suspend(
    pool: asyncpg.Pool, request: CommandRequest | None, principal: Principal
) -> bytes:
    """A command as a service's handler runs it: claim the key, change, commit with the answer."""
    async with AmenityUnitOfWork(as_event, pool=pool) as uow:
        earlier = await uow.commands.claim(request)
        if earlier:
            return earlier.replay_to(principal.roles)
        amenity = Amenity("toilet-7", version=await next_version(uow.conn))
        amenity.suspend(principal.actor)
        await asyncio.sleep(0.05)  # long enough for a twin to arrive meanwhile
        uow.track(amenity)
        answer = f"version {amenity.version}".encode()
        await uow.commit(answer=answer, authority="office")
        return answer


async def next_version(conn: Any) -> int:
    return int(await conn.fetchval("SELECT coalesce(max(version), 1) FROM amenities"))


def keyed(request_id: str, body: bytes = b"suspend", caller: str = "office:li") -> CommandRequest:
    request = CommandRequest.of(caller, request_id, "SuspendAmenity", body)
    assert request is not None
    return request


async def test_a_retry_racing_its_first_attempt_waits_and_gets_its_answer(
    pool: asyncpg.Pool,
) -> None:
    first, twin = await asyncio.gather(
        suspend(pool, keyed("r-1"), OFFICE), suspend(pool, keyed("r-1"), OFFICE)
    )
    assert first == twin == b"version 2"
    assert await pool.fetchval("SELECT count(*) FROM history") == 1
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 1


async def test_a_key_is_scoped_to_its_caller_and_bound_to_its_request(pool: asyncpg.Pool) -> None:
    await suspend(pool, keyed("r-2"), OFFICE)
    other_clerk = Principal("office:wang", frozenset({"office"}))
    # Another caller's same key is a request of its own.
    assert await suspend(pool, keyed("r-2", caller=other_clerk.subject), other_clerk) == (
        b"version 3"
    )
    with pytest.raises(RequestIdReused) as reused:
        await suspend(pool, keyed("r-2", body=b"something else"), OFFICE)
    assert reused.value.violations[0].field == "request_id"
    with pytest.raises(PermissionDenied):
        await suspend(pool, keyed("r-2"), Principal("office:li", frozenset({"worker"})))
    assert await pool.fetchval("SELECT count(*) FROM history") == 2


async def test_history_is_kept_per_aggregate_type_and_id(pool: asyncpg.Pool) -> None:
    await suspend(pool, None, OFFICE)
    row = await pool.fetchrow("SELECT * FROM history")
    assert (row["aggregate_type"], row["aggregate_id"], row["version"], row["state"]) == (
        "amenity",
        "toilet-7",
        2,
        "suspended",
    )
    assert row["actor"] == "office:li"
    assert row["event_type"] == "civicloop.amenity.changed.v1"


async def test_a_unit_of_work_joined_to_a_transaction_leaves_the_commit_to_its_owner(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        async with AmenityUnitOfWork(as_event, conn=conn) as uow:
            amenity = Amenity("hot-water-3")
            amenity.suspend(None)  # a schedule, not a person
            uow.track(amenity)
            await uow.commit()
        await transaction.rollback()
    assert await pool.fetchval("SELECT count(*) FROM history") == 0
    async with pool.acquire() as conn, conn.transaction():
        async with AmenityUnitOfWork(as_event, conn=conn) as uow:
            amenity = Amenity("hot-water-3")
            amenity.suspend(None)
            uow.track(amenity)
            await uow.commit()
    assert await pool.fetchval("SELECT actor FROM history") == "service:amenities"


async def test_a_migration_may_correct_the_text_it_names_and_no_other(
    pool: asyncpg.Pool, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "corrected_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    first = "CREATE TABLE toilets (id int);\n"
    (package / "001_toilets.sql").write_text(first)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert await migrate(pool, "toilets", "corrected_migrations") == ["001_toilets.sql"]

    (package / "001_toilets.sql").write_text("CREATE TABLE toilets (id bigint);\n")
    with pytest.raises(RuntimeError, match="changed after it ran"):
        await migrate(pool, "toilets", "corrected_migrations")

    earlier = hashlib.sha256(first.encode()).hexdigest()
    corrected = f"-- corrects: {earlier}\nCREATE TABLE toilets (id bigint);\n"
    (package / "001_toilets.sql").write_text(corrected)
    # Not run again (the table exists); the corrected text is now the one on record.
    assert await migrate(pool, "toilets", "corrected_migrations") == []
    recorded = await pool.fetchval(
        "SELECT checksum FROM schema_migrations WHERE component = 'toilets'"
    )
    assert recorded == hashlib.sha256(corrected.encode()).hexdigest()
