"""How the public pages word things, in Chinese with English: kinds, open now, distances,
walking directions, reasons, dates. Pure: the pages pass the clock's time in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from civicloop.amenities.domain.geo import Direction
from civicloop.amenities.domain.hours import SHANGHAI, OpenStatus


@dataclass(frozen=True)
class Words:
    zh: str
    en: str


KINDS: dict[str, Words] = {
    "shared_toilet": Words("共享厕所", "Toilet open to all"),
    "shared_hot_water": Words("共享热水", "Free hot water"),
    "childcare": Words("托育 · 儿童之家", "Childcare"),
    "reading": Words("阅读空间", "Reading room"),
    "greenway": Words("绿道驿站", "Greenway rest stop"),
    "medical": Words("健康驿站", "First aid / health"),
    "education": Words("学习课堂", "Classes"),
    "other": Words("其他共享", "Other"),
}

REASONS: dict[str, Words] = {
    "closed_when_listed_open": Words("标注开放但实际关闭", "Closed although listed open"),
    "turned_away": Words("被拒绝使用", "Turned away"),
    "unclean": Words("不干净", "Not clean"),
    "wrong_hours": Words("开放时间不对", "Hours are wrong"),
    "sign_missing": Words("没有共享标识", "No sign at the door"),
    "other": Words("其他", "Other"),
}

STATUS: dict[OpenStatus, Words] = {
    OpenStatus.OPEN: Words("开放中", "Open now"),
    OpenStatus.CLOSED: Words("未开放", "Closed now"),
    OpenStatus.UNKNOWN: Words("开放时间不确定", "Hours uncertain"),
}


def words(table: dict[str, Words], code: str) -> Words:
    return table.get(code, Words(code, code))


def distance_words(metres: float) -> str:
    """Rounded as a walker reads it: 10 m steps under 1 km, then tenths of a kilometre."""
    if metres < 1000:
        return f"{max(10, round(metres / 10) * 10):.0f} 米 m"
    return f"{metres / 1000:.1f} 公里 km"


def direction_words(direction: Direction) -> Words:
    return Words(f"向{direction.zh}", f"to the {direction.en}")


def _clock(at: datetime, now: datetime) -> Words:
    """A moment near ``now`` as a walker needs it: a time today, tomorrow, or a date."""
    local, today = at.astimezone(SHANGHAI), now.astimezone(SHANGHAI).date()
    hm = f"{local:%H:%M}"
    if local.date() == today:
        return Words(hm, hm)
    if local.date() == today + timedelta(days=1):
        return Words(f"明天 {hm}", f"tomorrow {hm}")
    return Words(f"{local.month}月{local.day}日 {hm}", f"{local:%d %b} {hm}")


def until_words(status: OpenStatus, change: datetime | None, now: datetime) -> Words | None:
    """When the status changes: "营业至 22:00" / "opens tomorrow 08:00"; None when never."""
    if change is None:
        return Words("全天开放", "always open") if status is OpenStatus.OPEN else None
    when = _clock(change, now)
    if status is OpenStatus.OPEN:
        return Words(f"开放至 {when.zh}", f"until {when.en}")
    if status is OpenStatus.CLOSED:
        return Words(f"{when.zh} 开放", f"opens {when.en}")
    return None


def badges(
    *, wheelchair_accessible: bool, baby_change: bool, all_gender: bool, fee_fen: int
) -> list[Words]:
    shown = []
    if fee_fen == 0:
        shown.append(Words("免费", "Free"))
    if wheelchair_accessible:
        shown.append(Words("无障碍", "Step-free"))
    if baby_change:
        shown.append(Words("母婴台", "Baby change"))
    if all_gender:
        shown.append(Words("第三卫生间", "All-gender room"))
    return shown


def fee_words(fee_fen: int) -> Words:
    if fee_fen == 0:
        return Words("免费", "free")
    yuan = f"{fee_fen / 100:.2f}".rstrip("0").rstrip(".")
    return Words(f"每次 {yuan} 元", f"{yuan} yuan per use")


def day_words(at: datetime) -> Words:
    local = at.astimezone(SHANGHAI)
    return Words(f"{local.year}年{local.month}月{local.day}日", f"{local:%d %B %Y}")
