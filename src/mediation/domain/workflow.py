"""The life of a case as states and the actions allowed in each (DOMAIN.md: the life of a case)."""

from __future__ import annotations

from typing import Final

STATUS_LABELS: Final = {
    "accepted": "已受理",
    "in_mediation": "调解中",
    "closed": "已结案",
    "archived": "已归档",
    "refused": "不予受理",
    "voided": "已作废",
}
# The ledger's five values; the app's finer stages map onto them.
LEDGER_STATUS: Final = {
    "accepted": "已受理",
    "in_mediation": "调解中",
    "closed": "已结案",
    "archived": "已归档",
    "refused": "不予受理",
}
OPEN_STATUSES: Final = frozenset({"accepted", "in_mediation"})
ACTIONS: Final = {
    "edit": OPEN_STATUSES,
    "route": OPEN_STATUSES,
    "transfer": OPEN_STATUSES,
    "escalate": OPEN_STATUSES,
    "void": frozenset({"accepted", "in_mediation", "refused"}),
}
REFUSAL_REASONS: Final = {
    "party_refuses": "一方当事人明确拒绝调解",
    "exclusive_jurisdiction": "属于其他机关专属管辖",
    "in_litigation": "已进入诉讼或仲裁程序",
    "not_civil": "不属于民间纠纷",
    "other": "其他",
}


class TransitionRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def check_action(status: str, action: str) -> None:
    """Raise with a Chinese message when `action` is not allowed in `status`."""
    if status not in ACTIONS[action]:
        raise TransitionRefused(f"案件当前状态为“{status_label(status)}”，不能进行此操作")


def next_step(status: str) -> str:
    """What happens next, in words a party understands (shown on /track)."""
    return {
        "accepted": "已受理，等待分派调解员",
        "in_mediation": "调解员正在组织调解，请保持电话畅通",
        "closed": "调解已结束，调解组织将进行回访",
        "archived": "案件已归档",
        "refused": "不予受理，可咨询其他解决途径",
        "voided": "该登记已作废",
    }.get(status, "")
