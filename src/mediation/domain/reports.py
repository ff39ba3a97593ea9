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
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if first > today:
        raise MonthInvalid("不能统计尚未到来的月份", f"{value} is in the future")
    return ReportMonth(first, last, min(last, today))


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
