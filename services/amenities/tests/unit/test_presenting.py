"""The public pages' wording (presenting.py)."""

from __future__ import annotations

from datetime import datetime

from civicloop.amenities.domain.geo import walking_direction
from civicloop.amenities.domain.hours import SHANGHAI, OpenStatus
from civicloop.amenities.presenting import (
    Words,
    badges,
    day_words,
    direction_words,
    distance_words,
    fee_words,
    until_words,
)

NOW = datetime(2026, 12, 1, 21, 15, tzinfo=SHANGHAI)


def test_distances_are_rounded_as_a_walker_reads_them() -> None:
    assert distance_words(3.2) == "10 米 m"
    assert distance_words(124.0) == "120 米 m"
    assert distance_words(995.0) == "1000 米 m"
    assert distance_words(1260.0) == "1.3 公里 km"


def test_open_until_and_opens_at() -> None:
    today = datetime(2026, 12, 1, 22, 0, tzinfo=SHANGHAI)
    tomorrow = datetime(2026, 12, 2, 8, 0, tzinfo=SHANGHAI)
    later = datetime(2026, 12, 9, 9, 0, tzinfo=SHANGHAI)
    assert until_words(OpenStatus.OPEN, today, NOW) == Words("开放至 22:00", "until 22:00")
    assert until_words(OpenStatus.CLOSED, tomorrow, NOW) == Words(
        "明天 08:00 开放", "opens tomorrow 08:00"
    )
    assert until_words(OpenStatus.CLOSED, later, NOW) == Words(
        "12月9日 09:00 开放", "opens 09 Dec 09:00"
    )
    assert until_words(OpenStatus.OPEN, None, NOW) == Words("全天开放", "always open")
    assert until_words(OpenStatus.CLOSED, None, NOW) is None


def test_direction_and_badges() -> None:
    north_east = walking_direction(31.0, 103.6, 31.001, 103.601)
    assert direction_words(north_east) == Words("向东北", "to the north-east")
    shown = badges(wheelchair_accessible=True, baby_change=True, all_gender=False, fee_fen=0)
    assert [b.zh for b in shown] == ["免费", "无障碍", "母婴台"]


def test_fees_and_days() -> None:
    assert fee_words(0) == Words("免费", "free")
    assert fee_words(150) == Words("每次 1.5 元", "1.5 yuan per use")
    assert fee_words(200).zh == "每次 2 元"
    assert day_words(datetime(2026, 12, 3, 1, 0, tzinfo=SHANGHAI)) == Words(
        "2026年12月3日", "03 December 2026"
    )
