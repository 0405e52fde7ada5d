"""Group commit: one statement for many concurrent callers, in one round trip and one commit.

A consumer handles up to ``prefetch`` events at once, and a handler whose whole effect is one
self-claiming statement (see ``inbox``) spends most of its time on that statement's round
trip and commit. ``GroupCommit`` gathers the statements that callers submit while a batch is
in flight and runs them as one ``executemany``: pipelined, atomic (asyncpg sends one Sync, so
all rows commit together or none does), one WAL flush for the lot.

Each caller still waits for its own row: ``execute`` returns once the batch holding it has
committed, so an event is acknowledged only after its effect is durable. A batch that fails
is run again row by row, so one bad row fails only its own caller.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Sequence
from typing import Any

import asyncpg

log = logging.getLogger(__name__)


class GroupCommit:
    """Runs ``statement`` for concurrent callers in batches of at most ``max_batch`` rows."""

    def __init__(self, pool: asyncpg.Pool, statement: str, *, max_batch: int = 64) -> None:
        self.pool = pool
        self.statement = statement
        self.max_batch = max_batch
        self._waiting: list[tuple[Sequence[Any], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0  # how many batches ran (for tests and profiling)

    async def execute(self, args: Sequence[Any]) -> None:
        """Run the statement with ``args``; returns when it has committed, raises if it failed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((args, done))
        if self._flusher is None:
            # A context of its own: the flusher serves every caller, not the first one's span.
            self._flusher = asyncio.create_task(self._flush(), context=contextvars.Context())
        await done

    async def _flush(self) -> None:
        try:
            while self._waiting:
                # One turn of the loop lets the callers woken together join this batch.
                await asyncio.sleep(0)
                batch = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
                try:
                    await self._run(batch)
                except asyncio.CancelledError:
                    # The process is stopping: whoever still waits hears it, none hangs.
                    for _, done in batch + self._waiting:
                        done.cancel()
                    self._waiting.clear()
                    raise
        finally:
            self._flusher = None

    async def _run(self, batch: list[tuple[Sequence[Any], asyncio.Future[None]]]) -> None:
        self.batches += 1
        try:
            async with self.pool.acquire() as conn:
                await conn.executemany(self.statement, [args for args, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc)
                return
            # Nothing of the batch was written: each row again on its own, so only the rows
            # that fail by themselves fail their callers.
            log.warning("group commit failed; running its %d rows one by one", len(batch))
            for args, done in batch:
                try:
                    await self.pool.execute(self.statement, *args)
                except Exception as row_exc:
                    _settle(done, row_exc)
                else:
                    _settle(done, None)
            return
        for _, done in batch:
            _settle(done, None)


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    if done.done():  # the caller was cancelled (a consumer stopping); nothing to tell it
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
