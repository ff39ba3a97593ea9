"""Deadlines in local dates: 30 days from acceptance, the near/overdue states and their wording."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from mediation.domain.deadlines import (
    MEDIATION_DAYS,
    NEAR_DUE_DAYS,
    days_left,
    deadline_for,
    deadline_state,
    describe_days_left,
    local_date,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)


def test_the_constants():
    assert MEDIATION_DAYS == 30
    assert NEAR_DUE_DAYS == 5


@pytest.mark.parametrize(
    ("accepted", "deadline"),
    [
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 1, 31), date(2026, 3, 2)),  # across a 28-day February
        (date(2026, 4, 15), date(2026, 5, 15)),
        (date(2026, 12, 15), date(2027, 1, 14)),  # across the year end
        (date(2028, 2, 15), date(2028, 3, 16)),  # across a leap-year February
        (date(2028, 1, 31), date(2028, 3, 1)),
    ],
)
def test_deadline_for_is_thirty_days_later(accepted, deadline):
    assert deadline_for(accepted) == deadline


def test_days_left():
    assert days_left(date(2026, 3, 15), TODAY) == 5
    assert days_left(TODAY, TODAY) == 0
    assert days_left(date(2026, 3, 9), TODAY) == -1
    assert days_left(date(2026, 4, 9), TODAY) == 30


def test_days_left_across_a_month_end():
    assert days_left(date(2026, 3, 2), date(2026, 2, 27)) == 3


@pytest.mark.parametrize(
    ("offset", "state"),
    [(-30, "overdue"), (-1, "overdue"), (0, "near"), (1, "near"), (5, "near"), (6, "ok"), (30, "ok")],
)
def test_deadline_state(offset, state):
    deadline = date.fromordinal(TODAY.toordinal() + offset)
    assert days_left(deadline, TODAY) == offset
    assert deadline_state(deadline, TODAY) == state


def test_deadline_state_without_a_deadline():
    assert deadline_state(None, TODAY) == "none"


@pytest.mark.parametrize(
    ("offset", "text"),
    [(-12, "已逾期 12 天"), (-1, "已逾期 1 天"), (0, "今天到期"), (1, "剩余 1 天"), (30, "剩余 30 天")],
)
def test_describe_days_left(offset, text):
    deadline = date.fromordinal(TODAY.toordinal() + offset)
    assert describe_days_left(deadline, TODAY) == text


def test_local_date_converts_utc_to_shanghai():
    assert local_date(datetime(2026, 1, 31, 16, 30, tzinfo=UTC), SHANGHAI) == date(2026, 2, 1)


def test_local_date_just_before_local_midnight():
    assert local_date(datetime(2026, 1, 31, 15, 59, tzinfo=UTC), SHANGHAI) == date(2026, 1, 31)


def test_local_date_in_utc_is_the_utc_date():
    assert local_date(datetime(2026, 1, 31, 16, 30, tzinfo=UTC), ZoneInfo("UTC")) == date(2026, 1, 31)


def test_deadline_from_a_late_evening_acceptance_counts_from_the_local_date():
    accepted = local_date(datetime(2026, 2, 28, 17, 0, tzinfo=UTC), SHANGHAI)
    assert accepted == date(2026, 3, 1)
    assert deadline_for(accepted) == date(2026, 3, 31)
