"""Batching for hot paths: the work that concurrent callers submit while a batch is in flight
goes out together in the next one.

A service handles many requests or events at once, and on the hot paths each spends most of
its time on one round trip (a statement and its commit, a Redis script). ``Batcher`` gathers
those calls: the first caller starts a flusher, later callers queue behind it, and each batch
runs as one round trip while the next one fills. Under light load a batch holds one call and
costs one event-loop turn of delay; under heavy load batches grow by themselves.

``GroupCommit`` is the case for one SQL statement: a batch runs as one ``fetchmany`` (an
``executemany`` that returns rows), pipelined and atomic (asyncpg sends one Sync: all rows
commit together or none does), one WAL flush for the lot. Each caller still waits for its own
row, so an event is acknowledged only after its effect is durable, and a batch that PostgreSQL
refuses is run again row by row (the rows at once), so one bad row fails only its own caller.
A statement that returns one row per run (a count of what it wrote, say) hands each caller
its own row: ``fetchrow``.

``SetCommit`` goes one step further for a statement written over arrays: the whole batch is
ONE execution (its items' values as column arrays, unnested in the statement), so PostgreSQL
plans it once, fires its statement triggers once and runs each step over every item at once,
where a ``fetchmany`` pays all of that per item. The statement says which items it applied
by returning their positions.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import asyncpg

from civicloop.platform.db import commit_sent

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Runs a batch; returns, per item and in order, its result or the exception it failed with.
BatchRunner = Callable[[list[T]], Awaitable[list[R | BaseException]]]


class Batcher(Generic[T, R]):
    """Runs the items of concurrent callers in batches of at most ``max_batch``."""

    def __init__(
        self, run_batch: BatchRunner[T, R], *, max_batch: int = 64, in_flight: int = 1
    ) -> None:
        self.run_batch = run_batch
        self.max_batch = max_batch
        self.batches = 0  # how many batches ran (for tests and profiling)
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._flusher: asyncio.Task[None] | None = None
        # Batches that may run at once. One keeps the callers' order; more overlap the round
        # trips (a commit's WAL flush, above all) of batches whose rows cannot deadlock.
        self._slots = asyncio.Semaphore(in_flight)
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, item: T) -> R:
        """Run ``item`` in the next batch; returns its result or raises its error."""
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        self._start_flusher()
        return await done

    async def submit_many(self, items: Sequence[T]) -> list[R | BaseException]:
        """Run ``items`` in the next batches (in order, together as far as ``max_batch``
        allows); each one's result or the exception it failed with."""
        loop = asyncio.get_running_loop()
        waiting = [(item, loop.create_future()) for item in items]
        self._waiting.extend(waiting)
        self._start_flusher()
        return list(await asyncio.gather(*(done for _, done in waiting), return_exceptions=True))

    def _start_flusher(self) -> None:
        if self._flusher is None:
            # A context of its own: the flusher serves every caller, not the first one's span.
            self._flusher = asyncio.create_task(self._flush(), context=contextvars.Context())

    async def _flush(self) -> None:
        try:
            while self._waiting:
                # One turn of the loop lets the callers woken together join this batch; while
                # every slot is busy, the next batch keeps filling.
                await asyncio.sleep(0)
                await self._slots.acquire()
                batch = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
                task = asyncio.create_task(self._run_in_slot(batch))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
        except asyncio.CancelledError:
            # The process is stopping: whoever still waits hears it, none hangs.
            for task in self._running:
                task.cancel()
            for _, done in self._waiting:
                done.cancel()
            self._waiting.clear()
            raise
        finally:
            self._flusher = None

    async def _run_in_slot(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            await self._run(batch)
        except asyncio.CancelledError:
            for _, done in batch:
                done.cancel()
            raise
        finally:
            self._slots.release()

    async def _run(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        # A caller that gave up (its request or consumer cancelled) is not served.
        batch = [(item, done) for item, done in batch if not done.done()]
        if not batch:
            return
        self.batches += 1
        try:
            outcomes = await self.run_batch([item for item, _ in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for a batch of {len(batch)}")
        except Exception as exc:  # the runner itself broke: every caller hears it
            outcomes = [exc] * len(batch)
        for (_, done), outcome in zip(batch, outcomes, strict=True):
            if done.done():  # cancelled while the batch ran
                continue
            if isinstance(outcome, BaseException):
                done.set_exception(outcome)
            else:
                done.set_result(outcome)


class GroupCommit:
    """Runs one statement for concurrent callers as one ``executemany`` per batch.

    ``lock_order`` gives each row's key in the order its locks should be taken (the key it
    may conflict on, such as an event id): batches of two processes that lock in one order
    cannot deadlock each other.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        statement: str,
        *,
        lock_order: Callable[[Sequence[Any]], str] | None = None,
        max_batch: int = 64,
    ) -> None:
        self.pool = pool
        self.statement = statement
        self.lock_order = lock_order
        self._batcher: Batcher[Sequence[Any], asyncpg.Record | None] = Batcher(
            self._run, max_batch=max_batch
        )

    @property
    def batches(self) -> int:
        return self._batcher.batches

    async def execute(self, args: Sequence[Any]) -> None:
        """Run the statement with ``args``; returns when it has committed, raises if it failed."""
        commit_sent()
        await self._batcher.submit(args)

    async def fetchrow(self, args: Sequence[Any]) -> asyncpg.Record:
        """Run a statement that returns exactly one row with ``args``; its row, once
        committed."""
        commit_sent()
        row = await self._batcher.submit(args)
        if row is None:
            raise RuntimeError("the statement returned no row")
        return row

    async def _run(self, rows: list[Sequence[Any]]) -> list[asyncpg.Record | None | BaseException]:
        order = list(range(len(rows)))
        if self.lock_order:
            lock_order = self.lock_order
            order.sort(key=lambda i: lock_order(rows[i]))
        try:
            async with self.pool.acquire() as conn:
                # Pipelined and atomic like executemany, and each run's row comes back.
                returned = await conn.fetchmany(self.statement, [rows[i] for i in order])
        except Exception as exc:
            if len(rows) == 1 or not _row_error(exc):
                # The database is away or the link broke (the batch may even have committed
                # just before): every caller hears it, and a redelivery or a retry with the
                # same key settles it.
                return [exc] * len(rows)
            # A row the database refused rolled the whole batch back: each row again on its
            # own, so only the rows that fail by themselves fail their callers.
            log.warning(
                "group commit refused; running its %d rows one by one", len(rows), exc_info=True
            )
            return list(await asyncio.gather(*(self._run_one(args) for args in rows)))
        if not returned:  # a statement that returns nothing
            return [None] * len(rows)
        if len(returned) != len(rows):
            raise RuntimeError(f"{len(returned)} rows returned for a batch of {len(rows)} runs")
        results: list[asyncpg.Record | None | BaseException] = [None] * len(rows)
        for position, index in enumerate(order):
            results[index] = returned[position]
        return results

    async def _run_one(self, args: Sequence[Any]) -> asyncpg.Record | None | BaseException:
        try:
            return await self.pool.fetchrow(self.statement, *args)
        except Exception as exc:
            return exc


class SetCommit(Generic[T]):
    """Runs a statement over arrays once per batch of concurrent callers.

    ``arguments`` turns a batch's items, in lock order, into the statement's parameters; the
    statement returns one row, with column ``n``, per item it applied (``n`` its 1-based
    position in that list, as ``unnest ... WITH ORDINALITY`` numbers it), and each caller
    gets its row, or None for an item the statement left alone. Items are ordered by
    ``lock_order`` (as in ``GroupCommit``: batches in flight at once, in this process or
    another, lock in one order); a batch that PostgreSQL refuses runs again item by item, so
    one bad item fails only its own caller.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        statement: str,
        arguments: Callable[[list[T]], Sequence[Any]],
        *,
        lock_order: Callable[[T], str],
        max_batch: int = 64,
        in_flight: int = 1,
    ) -> None:
        self.pool = pool
        self.statement = statement
        self.arguments = arguments
        self.lock_order = lock_order
        self._batcher: Batcher[T, asyncpg.Record | None] = Batcher(
            self._run, max_batch=max_batch, in_flight=in_flight
        )

    @property
    def batches(self) -> int:
        return self._batcher.batches

    async def fetchrow(self, item: T) -> asyncpg.Record | None:
        """Run the statement for ``item``; its row once committed, None if not applied."""
        commit_sent()
        return await self._batcher.submit(item)

    async def _run(self, items: list[T]) -> list[asyncpg.Record | None | BaseException]:
        order = sorted(range(len(items)), key=lambda i: self.lock_order(items[i]))
        try:
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(self.statement, *self.arguments([items[i] for i in order]))
        except Exception as exc:
            if len(items) == 1 or not _row_error(exc):
                return [exc] * len(items)
            log.warning(
                "set commit refused; running its %d items one by one", len(items), exc_info=True
            )
            alone = await asyncio.gather(*(self._run([item]) for item in items))
            return [outcome for (outcome,) in alone]
        by_position = {row["n"]: row for row in rows}
        results: list[asyncpg.Record | None | BaseException] = [None] * len(items)
        for position, index in enumerate(order, start=1):
            results[index] = by_position.get(position)
        return results


def _row_error(exc: Exception) -> bool:
    """Whether PostgreSQL refused something in the statement's data (a constraint, a lock
    conflict), rather than the connection or the server failing."""
    return isinstance(exc, asyncpg.PostgresError) and not isinstance(
        exc, asyncpg.PostgresConnectionError | asyncpg.exceptions.OperatorInterventionError
    )
