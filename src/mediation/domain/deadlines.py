"""Deadlines in local dates: mediation generally ends within 30 days of acceptance (若干规定 Art. 33)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MEDIATION_DAYS = 30
NEAR_DUE_DAYS = 5


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def deadline_for(accepted_on: date) -> date:
    return accepted_on + timedelta(days=MEDIATION_DAYS)


def days_left(deadline: date, today: date) -> int:
    return (deadline - today).days


def deadline_state(deadline: date | None, today: date) -> str:
    """"overdue" past the deadline, "near" within 5 days, otherwise "ok" (or "none" without a deadline)."""
    if deadline is None:
        return "none"
    left = days_left(deadline, today)
    if left < 0:
        return "overdue"
    if left <= NEAR_DUE_DAYS:
        return "near"
    return "ok"


def describe_days_left(deadline: date, today: date) -> str:
    left = days_left(deadline, today)
    if left < 0:
        return f"已逾期 {-left} 天"
    if left == 0:
        return "今天到期"
    return f"剩余 {left} 天"
