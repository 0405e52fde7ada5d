"""platform.protobuf.timestamp against protobuf's own FromDatetime."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from civicloop.platform.protobuf import aware, timestamp

SHANGHAI = timezone(timedelta(hours=8))


def from_datetime(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 12, 1, 18, 55, 11, 123456, tzinfo=UTC),
        datetime(2026, 12, 2, 2, 55, 11, 999999, tzinfo=SHANGHAI),  # the same day in UTC
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC),  # before the epoch
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 6, 30, 12, 0, 0, 1),  # naive: taken as UTC
    ],
)
def test_a_time_is_the_timestamp_protobuf_makes_of_it(at: datetime) -> None:
    assert timestamp(at) == from_datetime(at)


def test_the_timestamp_reads_back_as_the_same_instant() -> None:
    at = datetime(2026, 12, 2, 2, 55, 11, 654321, tzinfo=SHANGHAI)
    stamp = timestamp(at)
    assert stamp is not None and aware(stamp) == at


def test_no_time_is_an_unset_field() -> None:
    assert timestamp(None) is None
