"""Closing a case (结案) and what the law requires for each outcome (人民调解法 Art. 26, 28, 29, 33; 若干规定
Art. 35), the judicial-confirmation window, the follow-up date and the archive number (pure rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

OUTCOMES: Final = {"success": "调解成功", "failure": "调解不成", "withdrawn": "当事人撤回"}
AGREEMENT_FORMS: Final = {"written": "书面", "oral": "口头"}
FAILURE_ROUTES: Final = {"litigation": "诉讼", "arbitration": "仲裁", "administrative": "行政处理", "petition": "信访"}
CONFIRMATION_RESULTS: Final = {"pending": "已申请", "confirmed": "已确认", "refused": "不予确认"}
CONFIRMATION_WINDOW_DAYS: Final = 30
CONFIRMATION_WARNING_DAYS: Final = 7
FOLLOW_UP_DAYS: Final = 15
DEFAULT_ARCHIVE_TEMPLATE: Final = "（{year}）{org_short}调卷字第{seq}号"
RETENTION_PERIODS: Final = ("10年", "30年", "永久")

# Art. 29 and Art. 35: what a written agreement must state before it can be signed.
WRITTEN_AGREEMENT_PARTS: Final = {
    "facts": "纠纷的主要事实",
    "disputes": "争议事项",
    "responsibilities": "各方当事人的责任",
    "terms": "协议内容",
    "performance_method": "履行方式",
    "performance_place": "履行地点",
    "performance_deadline": "履行期限",
}
ORAL_AGREEMENT_PARTS: Final = {"terms": "协议内容", "performance_method": "履行方式"}


@dataclass(frozen=True)
class AgreementDraft:
    form: str
    facts: str = ""
    disputes: str = ""
    responsibilities: str = ""
    terms: str = ""
    performance_method: str = ""
    performance_place: str = ""
    performance_deadline: date | None = None
    signed_on: date | None = None


def missing_agreement_parts(agreement: AgreementDraft) -> list[str]:
    """The Chinese names of the contents the law requires that the agreement still lacks."""
    required = WRITTEN_AGREEMENT_PARTS if agreement.form == "written" else ORAL_AGREEMENT_PARTS
    return [label for name, label in required.items() if not getattr(agreement, name)]


def closing_problems(outcome: str, closed_on: date | None, accepted_on: date, today: date,
                     agreement: AgreementDraft | None, route: str) -> dict[str, str]:
    """What stops a case from being closed with `outcome`, by form field, in Chinese."""
    problems: dict[str, str] = {}
    if outcome not in OUTCOMES:
        problems["outcome"] = "请选择调解结果"
    if closed_on is None:
        problems["closed_on"] = "请填写结案日期"
    elif closed_on < accepted_on:
        problems["closed_on"] = f"结案日期不能早于受理日期 {accepted_on}"
    elif closed_on > today:
        problems["closed_on"] = "结案日期不能晚于今天"
    if outcome == "success":
        if agreement is None:
            problems["agreement"] = "调解成功须有调解协议（书面或口头）"
        else:
            missing = missing_agreement_parts(agreement)
            if missing:
                problems["agreement"] = "调解协议缺少：" + "、".join(missing)
            elif agreement.form == "written" and agreement.signed_on is None:
                problems["agreement"] = "书面调解协议须经当事人签名、调解员签名并加盖调委会印章后方可结案"
    if outcome == "failure" and route not in FAILURE_ROUTES:
        problems["route"] = "调解不成须记录已告知当事人的其他解决途径（诉讼、仲裁、行政处理或信访）"
    return problems


def confirmation_deadline(effective_on: date) -> date:
    """Art. 33: the parties may apply for judicial confirmation within 30 days of the agreement taking effect."""
    return effective_on + timedelta(days=CONFIRMATION_WINDOW_DAYS)


def confirmation_problem(effective_on: date, applied_on: date) -> str | None:
    if applied_on < effective_on:
        return f"申请日期不能早于协议生效日期 {effective_on}"
    if applied_on > confirmation_deadline(effective_on):
        return f"已超过司法确认申请期限（协议生效后 30 日内，至 {confirmation_deadline(effective_on)}）"
    return None


def confirmation_state(effective_on: date, today: date) -> str:
    """"open", "closing" (7 days or less left), or "expired"."""
    left = (confirmation_deadline(effective_on) - today).days
    if left < 0:
        return "expired"
    return "closing" if left <= CONFIRMATION_WARNING_DAYS else "open"


def follow_up_date(closed_on: date, days: int = FOLLOW_UP_DAYS) -> date:
    return closed_on + timedelta(days=days)
