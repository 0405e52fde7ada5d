"""Batches: a draft changes freely; a published batch is frozen, and a correction is a new
edition that says what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicloop.platform.domain import Actor
from civicloop.platform.errors import InvalidArgument, VersionConflict
from civicloop.publication.domain.batches import (
    Batch,
    BatchCorrected,
    BatchFrozen,
    BatchPublished,
    ScheduledWindow,
)

AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
PUBLISHER = Actor("publisher:01", "publisher")


def a_draft() -> Batch:
    return Batch(
        id="b1",
        title="11月第一批",
        description="",
        filter={},
        case_ids=("c1", "c2"),
        created_at=AT,
        created_by=PUBLISHER,
    )


def test_a_draft_is_updated_in_place() -> None:
    batch = a_draft()
    batch.update(1, "11月第一批（修订）", None, ("c1",))
    assert batch.title == "11月第一批（修订）" and batch.case_ids == ("c1",)
    assert batch.version == 2 and not batch.events


def test_a_published_batch_refuses_edits() -> None:
    batch = a_draft()
    batch.publish(1, (), PUBLISHER, AT)
    assert isinstance(batch.pop_events()[0], BatchPublished)
    with pytest.raises(BatchFrozen):
        batch.update(2, "改个标题", None, None)


def test_publishing_names_the_version_last_seen() -> None:
    with pytest.raises(VersionConflict):
        a_draft().publish(7, (), PUBLISHER, AT)


def test_a_correction_makes_edition_two_and_keeps_edition_one_readable() -> None:
    batch = a_draft()
    batch.publish(1, (), PUBLISHER, AT)
    correction = batch.correct(2, "c2 误列入本期", None, None, ("c3",), ("c2",), PUBLISHER, AT)
    assert batch.edition == 2 and batch.version == 3
    assert batch.case_ids == ("c1", "c3")
    assert correction.added_case_ids == ("c3",) and correction.removed_case_ids == ("c2",)
    assert isinstance(batch.events[-1], BatchCorrected)
    first = batch.edition_as_published(1)
    assert set(first.case_ids) == {"c1", "c2"} and first.title == "11月第一批"


def test_a_correction_must_say_why_and_change_something() -> None:
    batch = a_draft()
    batch.publish(1, (), PUBLISHER, AT)
    with pytest.raises(InvalidArgument):
        batch.correct(2, "", "新标题", None, (), (), PUBLISHER, AT)
    with pytest.raises(InvalidArgument):
        batch.correct(2, "没有改动", None, None, (), (), PUBLISHER, AT)
    with pytest.raises(InvalidArgument):
        batch.correct(2, "移出不存在的", None, None, (), ("c9",), PUBLISHER, AT)


def test_every_replica_computes_the_same_scheduled_window() -> None:
    day = timedelta(days=1)
    one = ScheduledWindow.before(datetime(2026, 11, 30, 10, 0, tzinfo=UTC), day)
    other = ScheduledWindow.before(datetime(2026, 11, 30, 23, 59, tzinfo=UTC), day)
    assert one == other
    assert one.start == datetime(2026, 11, 29, tzinfo=UTC)
    assert one.end == datetime(2026, 11, 30, tzinfo=UTC)
    assert ScheduledWindow.before(datetime(2026, 12, 1, 0, 1, tzinfo=UTC), day).start == one.end
