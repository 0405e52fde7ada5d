"""How the board words things for residents: Chinese labels for lists, states and steps, names
for codes, Shanghai times. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from civicloop.platform.months import SHANGHAI
from civicloop.publication.domain.board import BoardList, PublicState, Step, StepKind
from civicloop.reference.catalogue import categories, communities

LIST_LABELS = {
    BoardList.URGENT_NEEDS: "急难愁盼",
    BoardList.PRACTICAL_MATTERS: "为民办实事",
    BoardList.HOMESTAY_OPPORTUNITIES: "民宿机会清单",
}
STATE_LABELS = {
    PublicState.RESOLVED_ON_SITE: "现场解决",
    PublicState.OPEN: "已受理",
    PublicState.DISPATCHED: "已派单",
    PublicState.IN_PROGRESS: "办理中",
    PublicState.COMPLETED: "已办结",
    PublicState.RATED: "已评价",
    PublicState.CLOSED: "已归档",
}
STEP_LABELS = {
    StepKind.RESOLVED_ON_SITE: "现场解决",
    StepKind.OPENED: "统单受理",
    StepKind.DISPATCHED: "派单",
    StepKind.AWAITING_OFFICE: "待中心协调",
    StepKind.ACCEPTED: "接单",
    StepKind.RETURNED: "退单",
    StepKind.PROGRESS: "办理进度",
    StepKind.EXTENSION_REQUESTED: "申请延期",
    StepKind.EXTENSION_DECIDED: "延期审批",
    StepKind.ESCALATED: "督办",
    StepKind.COMPLETED: "办结",
    StepKind.RATED: "群众评价",
    StepKind.REOPENED: "重新办理",
    StepKind.CLOSED: "归档",
}
RUNG_LABELS = {"reminder": "到期提醒", "notice": "督办通知", "supervision": "中心督办"}
SCORE_WORDS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}


def shown_time(at: datetime | None) -> str:
    if at is None:
        return ""
    local = at.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def shown_date(at: datetime | None) -> str:
    if at is None:
        return ""
    local = at.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日"


def category_name(code: str) -> str:
    found = categories().get(code)
    return found.name if found else code


def community_name(code: str) -> str:
    found = communities().get(code)
    return found.name if found else code


def rate_shown(rate: float | None) -> str:
    """A rate with nothing counted is "暂无" (n/a), never 0 %."""
    return "暂无" if rate is None else f"{rate * 100:.1f}%"


@dataclass(frozen=True)
class StepShown:
    label: str
    at: str
    iso: str
    department: str
    text: str
    # The step's entry on the ledger (its leaf index), when the ledger has it.
    ledger_entry: int | None = None


def step_shown(s: Step, department: str, ledger_entry: int | None = None) -> StepShown:
    f = s.facts
    text = s.text
    match s.kind:
        case StepKind.PROGRESS:
            text = f"完成{f.get('percent', 0)}%" + (f"：{s.text}" if s.text else "")
        case StepKind.RATED:
            score = int(f.get("score", 0))
            text = f"{score}分（{SCORE_WORDS.get(score, '')}）"
        case StepKind.ESCALATED:
            text = RUNG_LABELS.get(str(f.get("rung", "")), "督办")
        case StepKind.EXTENSION_DECIDED:
            text = ("同意延期" if f.get("approved") else "不同意延期") + (
                f"：{s.text}" if s.text else ""
            )
        case StepKind.CLOSED:
            text = {
                "rated": "群众评价后归档",
                "rating_expired": "评价期满归档",
                "office_decision": "中心决定归档",
            }.get(str(f.get("outcome", "")), "")
    return StepShown(
        STEP_LABELS.get(s.kind, s.kind.value),
        shown_time(s.at),
        s.at.isoformat(),
        department,
        text,
        ledger_entry,
    )
