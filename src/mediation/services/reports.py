"""The monthly summary computed in SQL (four grouped queries over covering indexes, no case rows loaded), per
town in place-tree order plus the 合计 row, and its CSV and XLSX files."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from sqlalchemy import ColumnElement, Integer, Subquery, and_, case, cast, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.domain import deadlines
from mediation.domain.reports import FIXED_COLUMNS, RawFigures, ReportMonth, parse_month, row_cells
from mediation.models import Agreement, DictionaryEntry, Extension, JudicialConfirmation, MediationCase, Place
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


@dataclass(frozen=True)
class TrendPoint:
    month: ReportMonth
    accepted: int
    closed: int
    success: int


def deadline_in_force(d: date, tz: ZoneInfo) -> tuple[Subquery, ColumnElement[date]]:
    """The deadline each case had at the end of day D: an extension approved after D had not yet moved it, so
    the earliest such extension's former deadline applies (outer-join the subquery on case_id)."""
    end_of_d = datetime.combine(d + timedelta(days=1), time.min, tzinfo=tz)
    later = (
        select(Extension.case_id, func.min(Extension.current_deadline).label("deadline"))
        .where(Extension.status == "approved", Extension.decided_at >= end_of_d)
        .group_by(Extension.case_id)
        .subquery()
    )
    return later, func.coalesce(later.c.deadline, MediationCase.deadline)


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

    async def units(self, town_id: int | None) -> list[tuple[int, str]]:
        """The rows of the summary: every town in place-tree order, or the villages of one town."""
        level, parent = ("village", town_id) if town_id is not None else ("town", None)
        query = select(Place.id, Place.name).where(Place.level == level).order_by(Place.position, Place.id)
        if parent is not None:
            query = query.where(Place.parent_id == parent)
        return [(place_id, name) for place_id, name in (await self.session.execute(query)).all()]

    async def type_entries(self) -> list[tuple[str, str]]:
        return [(code, label) for code, label in (await self.session.execute(
            select(DictionaryEntry.code, DictionaryEntry.label).where(DictionaryEntry.kind == "dispute_type")
            .order_by(DictionaryEntry.position, DictionaryEntry.id))).all()]

    async def monthly(self, month: ReportMonth, user: CurrentUser | None = None,
                      town_id: int | None = None) -> MonthlySummary:
        """The summary per town (or, for `town_id`, per village of that town) and its 合计 row."""
        c = MediationCase
        scope = case_scope(user) if user is not None else true()
        unit = c.town_id
        if town_id is not None:
            scope, unit = and_(scope, c.town_id == town_id), c.village_id
        units = await self.units(town_id)
        types = await self.type_entries()
        figures = {unit_id: RawFigures() for unit_id, _ in units}

        accepted = await self.session.execute(
            select(unit, c.dispute_type, func.count())
            .where(scope, c.accepted_on >= month.first, c.accepted_on <= month.last, c.status.not_in(COUNTED))
            .group_by(unit, c.dispute_type))
        for unit_id, code, count in accepted.all():
            raw = figures.setdefault(unit_id, RawFigures())
            raw.accepted += count
            raw.by_type[code] = raw.by_type.get(code, 0) + count

        success = c.outcome == "success"
        closed = await self.session.execute(
            select(
                unit, func.count(), flag(success),
                func.sum(case((success, func.coalesce(Agreement.amount, 0)), else_=0)),
                flag(and_(success, Agreement.form == "written")), flag(and_(success, Agreement.form == "oral")),
                flag(and_(success, JudicialConfirmation.case_id.is_not(None))),
                func.sum(self._days()),
                flag(c.prevented_criminal_people > 0), func.sum(c.prevented_criminal_people),
                flag(c.prevented_petition_people > 0), func.sum(c.prevented_petition_people),
            )
            .outerjoin(Agreement, Agreement.case_id == c.id)
            .outerjoin(JudicialConfirmation, JudicialConfirmation.case_id == c.id)
            .where(scope, c.closed_on >= month.first, c.closed_on <= month.last, c.status != "voided")
            .group_by(unit))
        for unit_id, count, won, amount, written, oral, confirmed, days, crim_n, crim_p, pet_n, pet_p in closed.all():
            raw = figures.setdefault(unit_id, RawFigures())
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
        later, deadline = deadline_in_force(d, self.settings.tz)
        # Open at D: not closed yet, or closed after D. Two queries, so each reads the closed_on index alone.
        for not_closed_by_d in (c.closed_on.is_(None), c.closed_on > d):
            still_open = await self.session.execute(
                select(unit, func.count(), flag(deadline < d))
                .outerjoin(later, later.c.case_id == c.id)
                .where(scope, c.accepted_on <= d, c.status.not_in(COUNTED), not_closed_by_d)
                .group_by(unit))
            for unit_id, count, overdue in still_open.all():
                raw = figures.setdefault(unit_id, RawFigures())
                raw.open_at_reference += count
                raw.overdue_at_reference += overdue or 0

        codes = [code for code, _ in types]
        total = RawFigures()
        rows = []
        for unit_id, name in units:
            total.add(figures[unit_id])
            rows.append(row_cells(name, figures[unit_id], codes))
        rows.append(row_cells("合计", total, codes))
        return MonthlySummary(month, [*FIXED_COLUMNS, *(label for _, label in types)], rows,
                              [label for _, label in types])

    def _month_key(self, column: ColumnElement) -> ColumnElement[str]:
        if self.session.bind.dialect.name == "postgresql":
            return func.to_char(column, "YYYY-MM")
        return func.strftime("%Y-%m", column)

    async def trend(self, months: list[ReportMonth], user: CurrentUser | None = None) -> list[TrendPoint]:
        """受理, 结案 and 调解成功 per month over `months` (oldest first): two grouped range queries."""
        c = MediationCase
        scope = case_scope(user) if user is not None else true()
        first, last = months[0].first, months[-1].last
        accepted_key = self._month_key(c.accepted_on)
        accepted = dict((await self.session.execute(
            select(accepted_key, func.count())
            .where(scope, c.accepted_on >= first, c.accepted_on <= last, c.status.not_in(COUNTED))
            .group_by(accepted_key))).all())
        closed_key = self._month_key(c.closed_on)
        closed = {key: (count, won or 0) for key, count, won in (await self.session.execute(
            select(closed_key, func.count(), flag(c.outcome == "success"))
            .where(scope, c.closed_on >= first, c.closed_on <= last, c.status != "voided")
            .group_by(closed_key))).all()}
        return [TrendPoint(month, accepted.get(month.key, 0), *closed.get(month.key, (0, 0))) for month in months]

    async def sources(self, month: ReportMonth, user: CurrentUser | None = None) -> list[tuple[str, int]]:
        """受理数 of M by 案件来源, in the configured order (every source, also those with none)."""
        c = MediationCase
        scope = case_scope(user) if user is not None else true()
        counts = dict((await self.session.execute(
            select(c.source, func.count())
            .where(scope, c.accepted_on >= month.first, c.accepted_on <= month.last, c.status.not_in(COUNTED))
            .group_by(c.source))).all())
        entries = (await self.session.execute(
            select(DictionaryEntry.code, DictionaryEntry.label).where(DictionaryEntry.kind == "case_source")
            .order_by(DictionaryEntry.position, DictionaryEntry.id))).all()
        return [(label, counts.get(code, 0)) for code, label in entries]

    async def monthly_for(self, month_text: str, user: CurrentUser | None = None) -> MonthlySummary:
        return await self.monthly(self.month(month_text), user)


def summary_csv(summary: MonthlySummary) -> bytes:
    return write_csv(summary.header, summary.rows)


def summary_xlsx(summary: MonthlySummary) -> bytes:
    """Formatted: frozen header, numbers as numbers, a bold totals row and a native chart of the types."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = summary.month.key
    sheet.append([escape_cell(name) for name in summary.header])  # type names are set by administrators
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
