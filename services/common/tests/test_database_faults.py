"""A lost database connection: run again only when nothing was sent to commit, else the
caller is told to try again (503 / UNAVAILABLE); the statement's own faults pass through."""

from __future__ import annotations

import asyncpg
import pytest

from civicloop.platform.db import commit_sent, connection_lost, retry_once_if_safe
from civicloop.platform.errors import Unavailable


class Work:
    """A request's work that loses its connection the first ``failures`` times, optionally
    after sending its commit."""

    def __init__(self, failures: int, *, after_commit: bool = False) -> None:
        self.failures = failures
        self.after_commit = after_commit
        self.runs = 0

    async def __call__(self) -> str:
        self.runs += 1
        if self.after_commit:
            commit_sent()
        if self.runs <= self.failures:
            raise asyncpg.exceptions.AdminShutdownError("terminating connection")
        return "answer"


def request() -> str:
    return "POST /v1/petitions"


async def test_a_connection_lost_before_commit_runs_the_work_once_more() -> None:
    work = Work(failures=1)
    assert await retry_once_if_safe(work, request) == "answer"
    assert work.runs == 2


async def test_a_connection_lost_after_the_commit_was_sent_is_not_run_again() -> None:
    work = Work(failures=1, after_commit=True)
    with pytest.raises(Unavailable) as unavailable:
        await retry_once_if_safe(work, request)
    assert work.runs == 1
    assert unavailable.value.http_status == 503
    assert unavailable.value.grpc_code_name == "UNAVAILABLE"
    assert unavailable.value.retry_after_seconds == 1


async def test_a_connection_lost_twice_tells_the_caller_to_try_again() -> None:
    work = Work(failures=2)
    with pytest.raises(Unavailable):
        await retry_once_if_safe(work, request)
    assert work.runs == 2


async def test_work_whose_caller_already_has_an_answer_is_not_run_again() -> None:
    work = Work(failures=1)
    with pytest.raises(Unavailable):
        await retry_once_if_safe(work, request, repeatable=lambda: False)
    assert work.runs == 1


async def test_a_statements_own_fault_is_neither_retried_nor_hidden() -> None:
    runs = 0

    async def refused() -> None:
        nonlocal runs
        runs += 1
        raise asyncpg.exceptions.UniqueViolationError("duplicate key")

    with pytest.raises(asyncpg.exceptions.UniqueViolationError):
        await retry_once_if_safe(refused, request)
    assert runs == 1


def test_what_counts_as_a_lost_connection() -> None:
    assert connection_lost(asyncpg.exceptions.ConnectionDoesNotExistError("closed midway"))
    assert connection_lost(asyncpg.exceptions.CannotConnectNowError("starting up"))
    assert connection_lost(asyncpg.InterfaceError("connection is closed"))
    assert connection_lost(ConnectionRefusedError(111, "refused"))
    assert not connection_lost(asyncpg.exceptions.QueryCanceledError("statement timeout"))
    assert not connection_lost(asyncpg.exceptions.UniqueViolationError("duplicate key"))
    assert not connection_lost(TimeoutError())


def test_commit_sent_outside_a_request_changes_nothing() -> None:
    commit_sent()  # an event handler's or a background job's commit: no request to mark
