"""The monthly summary of CONTRACT.md as pure arithmetic: the month, the reference date, the columns and
how each town's figures (and the 合计 row) are computed from raw sums. Rounding is half away from zero."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

FIXED_COLUMNS: Final = (
    "单位", "受理数", "结案数", "调解成功数", "成功率(%)", "协议涉及金额(万元)", "书面协议数", "口头协议数",
    "司法确认申请数", "在办数", "逾期在办数", "平均办理天数", "防止民转刑件数", "防止民转刑人数",
    "防止群体性上访件数", "防止群体性上访人数",
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthInvalid(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


@dataclass(frozen=True)
class ReportMonth:
    first: date
    last: date
    reference: date  # D: the last day of M, or today when M is the current month

    @property
    def label(self) -> str:
        return f"{self.first.year} 年 {self.first.month} 月"

    @property
    def key(self) -> str:
        return f"{self.first.year:04d}-{self.first.month:02d}"


def parse_month(value: str, today: date) -> ReportMonth:
    match = _MONTH.fullmatch(value.strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise MonthInvalid("月份格式应为 YYYY-MM，例如 2026-03", f"month must be YYYY-MM, not {value!r}")
    first = date(int(match[1]), int(match[2]), 1)
    if first > today:
        raise MonthInvalid("不能统计尚未到来的月份", f"{value} is in the future")
    return month_of(first, today)


def month_of(first: date, today: date) -> ReportMonth:
    """The month starting on `first` (already validated), with its reference date as of `today`."""
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return ReportMonth(first, last, min(last, today))


def shift_month(month: ReportMonth, months: int, today: date) -> ReportMonth:
    """The month `months` before (negative) or after M."""
    index = month.first.year * 12 + month.first.month - 1 + months
    return month_of(date(index // 12, index % 12 + 1, 1), today)


def trailing_months(month: ReportMonth, count: int, today: date) -> list[ReportMonth]:
    """The `count` months ending with M, oldest first (a 12-month trend)."""
    return [shift_month(month, offset, today) for offset in range(-(count - 1), 1)]


def round_half_away(value: Decimal, places: int) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP) if value >= 0 else \
        -((-value).quantize(quantum, rounding=ROUND_HALF_UP))


@dataclass
class RawFigures:
    """Sums over the cases of one town (or of all towns): everything the row is computed from."""

    accepted: int = 0
    closed: int = 0
    success: int = 0
    amount_yuan: Decimal = Decimal(0)
    written: int = 0
    oral: int = 0
    confirmations: int = 0
    open_at_reference: int = 0
    overdue_at_reference: int = 0
    closing_days: int = 0
    criminal_cases: int = 0
    criminal_people: int = 0
    petition_cases: int = 0
    petition_people: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    def add(self, other: RawFigures) -> None:
        for name in ("accepted", "closed", "success", "amount_yuan", "written", "oral", "confirmations",
                     "open_at_reference", "overdue_at_reference", "closing_days", "criminal_cases",
                     "criminal_people", "petition_cases", "petition_people"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code, count in other.by_type.items():
            self.by_type[code] = self.by_type.get(code, 0) + count


def row_cells(unit: str, raw: RawFigures, type_codes: Sequence[str]) -> list[str]:
    """The row as written: counts, and rates and means recomputed from the sums (never averaged)."""
    rate = round_half_away(Decimal(raw.success) * 100 / raw.closed, 1) if raw.closed else Decimal("0.0")
    mean = round_half_away(Decimal(raw.closing_days) / raw.closed, 1) if raw.closed else Decimal("0.0")
    amount = round_half_away(raw.amount_yuan / 10000, 2)
    return [
        unit, str(raw.accepted), str(raw.closed), str(raw.success), f"{rate:.1f}", f"{amount:.2f}",
        str(raw.written), str(raw.oral), str(raw.confirmations), str(raw.open_at_reference),
        str(raw.overdue_at_reference), f"{mean:.1f}", str(raw.criminal_cases), str(raw.criminal_people),
        str(raw.petition_cases), str(raw.petition_people),
        *(str(raw.by_type.get(code, 0)) for code in type_codes),
    ]


# The figures compared month on month and year on year, as (column, whether it is a count).
COMPARED_COLUMNS: Final = ("受理数", "结案数", "调解成功数", "成功率(%)", "协议涉及金额(万元)", "在办数", "逾期在办数",
                           "平均办理天数")


@dataclass(frozen=True)
class Comparison:
    column: str
    current: str
    previous: str | None  # the month before; None when it is out of range
    last_year: str | None  # the same month a year before
    month_on_month: str
    year_on_year: str


def change_text(current: str, base: str | None) -> str:
    """The relative change as shown in published reports: "+12.5%", "-3.0%", "持平", or "—" without a base."""
    if base is None or Decimal(base) == 0:
        return "—"
    change = round_half_away((Decimal(current) - Decimal(base)) * 100 / Decimal(base), 1)
    if change == 0:
        return "持平"
    return f"{change:+.1f}%"


def compare(header: Sequence[str], current: Sequence[str], previous: Sequence[str] | None,
            last_year: Sequence[str] | None) -> list[Comparison]:
    """Month-on-month (环比) and year-on-year (同比) for the compared columns of three 合计 rows."""
    def cell(row: Sequence[str] | None, column: str) -> str | None:
        return None if row is None else row[header.index(column)]

    return [
        Comparison(column, cell(current, column) or "0", cell(previous, column), cell(last_year, column),
                   change_text(cell(current, column) or "0", cell(previous, column)),
                   change_text(cell(current, column) or "0", cell(last_year, column)))
        for column in COMPARED_COLUMNS
    ]


@dataclass(frozen=True)
class Difference:
    unit: str
    column: str
    reported: str
    now: str


def differences(header: Sequence[str], reported: Sequence[Sequence[str]],
                now: Sequence[Sequence[str]]) -> list[Difference]:
    """The cells of a closed month's snapshot that today's figures no longer match (the corrections).

    Rows are matched by unit name and cells by column name, so a town or type added since the close shows
    as a difference from an empty cell rather than shifting the others."""
    before = {row[0]: dict(zip(header, row, strict=False)) for row in reported}
    found = []
    for row in now:
        old = before.get(row[0], {})
        for column, value in zip(header, row, strict=False):
            if column != header[0] and old.get(column, "") != value:
                found.append(Difference(row[0], column, old.get(column, ""), value))
    return found
