"""The monthly summary computed in SQL (three grouped queries, no case rows loaded), per town in
place-tree order plus the 合计 row, and its CSV and XLSX files."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.domain import deadlines
from mediation.domain.reports import FIXED_COLUMNS, RawFigures, ReportMonth, parse_month, row_cells
from mediation.models import Agreement, DictionaryEntry, JudicialConfirmation, MediationCase, Place
from mediation.models.base import utcnow
from mediation.services.access import case_scope
from mediation.services.accounts import CurrentUser
from mediation.settings import Settings
from mediation.spreadsheets import escape_cell, write_csv

COUNTED = ("refused", "voided")  # never in 受理数 or 在办数; voided cases count nowhere at all


@dataclass(frozen=True)
class MonthlySummary:
    month: ReportMonth
    header: list[str]
    rows: list[list[str]]  # one per town in place-tree order, then 合计
    type_labels: list[str]


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet `condition`."""
    return func.sum(case((condition, 1), else_=0))


class ReportService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    def month(self, value: str) -> ReportMonth:
        return parse_month(value, deadlines.local_date(utcnow(), self.settings.tz))

    def _days(self) -> ColumnElement:
        closed, accepted = MediationCase.closed_on, MediationCase.accepted_on
        if self.session.bind.dialect.name == "postgresql":
            return closed - accepted
        return cast(func.julianday(closed) - func.julianday(accepted), Integer)

    async def monthly(self, month: ReportMonth, user: CurrentUser | None = None) -> MonthlySummary:
        scope = case_scope(user) if user is not None else true()
        c = MediationCase
        towns = list((await self.session.execute(
            select(Place.id, Place.name).where(Place.level == "town").order_by(Place.position, Place.id))).all())
        types = list((await self.session.execute(
            select(DictionaryEntry.code, DictionaryEntry.label).where(DictionaryEntry.kind == "dispute_type")
            .order_by(DictionaryEntry.position, DictionaryEntry.id))).all())
        figures = {town_id: RawFigures() for town_id, _ in towns}

        accepted = await self.session.execute(
            select(c.town_id, c.dispute_type, func.count())
            .where(scope, c.accepted_on >= month.first, c.accepted_on <= month.last, c.status.not_in(COUNTED))
            .group_by(c.town_id, c.dispute_type))
        for town_id, code, count in accepted.all():
            raw = figures.setdefault(town_id, RawFigures())
            raw.accepted += count
            raw.by_type[code] = raw.by_type.get(code, 0) + count

        success = c.outcome == "success"
        closed = await self.session.execute(
            select(
                c.town_id, func.count(), flag(success),
                func.sum(case((success, func.coalesce(Agreement.amount, 0)), else_=0)),
                flag(and_(success, Agreement.form == "written")), flag(and_(success, Agreement.form == "oral")),
                flag(and_(success, JudicialConfirmation.id.is_not(None))),
                func.sum(self._days()),
                flag(c.prevented_criminal_people > 0), func.sum(c.prevented_criminal_people),
                flag(c.prevented_petition_people > 0), func.sum(c.prevented_petition_people),
            )
            .outerjoin(Agreement, Agreement.case_id == c.id)
            .outerjoin(JudicialConfirmation, JudicialConfirmation.case_id == c.id)
            .where(scope, c.closed_on >= month.first, c.closed_on <= month.last, c.status != "voided")
            .group_by(c.town_id))
        for town_id, count, won, amount, written, oral, confirmed, days, crim_n, crim_p, pet_n, pet_p in closed.all():
            raw = figures.setdefault(town_id, RawFigures())
            raw.closed += count
            raw.success += won or 0
            raw.amount_yuan += Decimal(str(amount or 0))
            raw.written += written or 0
            raw.oral += oral or 0
            raw.confirmations += confirmed or 0
            raw.closing_days += int(days or 0)
            raw.criminal_cases += crim_n or 0
            raw.criminal_people += crim_p or 0
            raw.petition_cases += pet_n or 0
            raw.petition_people += pet_p or 0

        d = month.reference
        still_open = await self.session.execute(
            select(c.town_id, func.count(), flag(c.deadline < d))
            .where(scope, c.accepted_on <= d, c.status.not_in(COUNTED), or_(c.closed_on.is_(None), c.closed_on > d))
            .group_by(c.town_id))
        for town_id, count, overdue in still_open.all():
            raw = figures.setdefault(town_id, RawFigures())
            raw.open_at_reference += count
            raw.overdue_at_reference += overdue or 0

        codes = [code for code, _ in types]
        total = RawFigures()
        rows = []
        for town_id, name in towns:
            total.add(figures[town_id])
            rows.append(row_cells(name, figures[town_id], codes))
        rows.append(row_cells("合计", total, codes))
        return MonthlySummary(month, [*FIXED_COLUMNS, *(label for _, label in types)], rows,
                              [label for _, label in types])

    async def monthly_for(self, month_text: str, user: CurrentUser | None = None) -> MonthlySummary:
        return await self.monthly(self.month(month_text), user)


def summary_csv(summary: MonthlySummary) -> bytes:
    return write_csv(summary.header, summary.rows)


def summary_xlsx(summary: MonthlySummary) -> bytes:
    """Formatted: frozen header, numbers as numbers, a bold totals row and a native chart of the types."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = summary.month.key
    sheet.append(summary.header)
    for row in summary.rows:
        sheet.append([escape_cell(row[0]), *(_number(cell) for cell in row[1:])])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for column, name in enumerate(summary.header, start=1):
        fmt = "0.0" if name in ("成功率(%)", "平均办理天数") else "0.00" if name == "协议涉及金额(万元)" else "0"
        for row in range(2, sheet.max_row + 1):
            if column > 1:
                sheet.cell(row=row, column=column).number_format = fmt
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = max(8, len(name) * 2 + 2)
    sheet.freeze_panes = "B2"
    chart = BarChart()
    chart.title = f"{summary.month.label} 各类纠纷受理数"
    first_type = len(FIXED_COLUMNS) + 1
    chart.add_data(Reference(sheet, min_col=first_type, max_col=sheet.max_column, min_row=sheet.max_row,
                             max_row=sheet.max_row), from_rows=True, titles_from_data=False)
    chart.set_categories(Reference(sheet, min_col=first_type, max_col=sheet.max_column, min_row=1, max_row=1))
    chart.legend = None
    chart.width, chart.height = 24, 10
    sheet.add_chart(chart, f"A{sheet.max_row + 3}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(cell: str) -> int | float:
    return float(cell) if "." in cell else int(cell)


def today_month(settings: Settings) -> str:
    today: date = deadlines.local_date(utcnow(), settings.tz)
    return f"{today.year:04d}-{today.month:02d}"
