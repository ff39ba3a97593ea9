"""Screenings (排查) and zero reports (零上报): recording them, the scoped list with the month's totals,
each village's reporting state for a month, and the figures the monthly report shows (grouped SQL only).

A user answers for the villages under their organization's place: the district center (and an admin) for
all, a town committee for its town's villages, a village committee for its own village. That rule is a SQL
condition on a (town id, village id) pair, applied in every query here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, false, func, literal, select, true, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from mediation.database import write_transaction
from mediation.domain import deadlines
from mediation.domain.reports import ReportMonth, parse_month
from mediation.domain.screening import (
    ScreeningDraft,
    filing_months,
    parse_filing_month,
    parse_note,
    parse_screening,
    zero_report_refusal,
)
from mediation.domain.validation import Invalid, Problem, whole_number
from mediation.models import MediationCase, Place, Screening, User, ZeroReport
from mediation.models.base import utcnow
from mediation.services.accounts import CurrentUser
from mediation.settings import Settings

PAGE_SIZE = 25
RECORDING_ROLES = frozenset({"village_mediator", "supervisor", "admin"})
_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{1,12})$")


def _cursor(value: str) -> tuple[date, int] | None:
    """The last row of the previous page (its date and id), from the address; None when malformed."""
    match = _CURSOR.fullmatch(value)
    try:
        return (date.fromisoformat(match[1]), int(match[2])) if match else None
    except ValueError:
        return None


def village_scope(user: CurrentUser | None, town: ColumnElement[int],
                  village: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the village (`village`, in town `town`) is one the user answers for; None: no user (the
    command line) sees everything."""
    if user is None or user.role == "admin":
        return true()
    if user.role == "advisor":
        return false()
    if user.organization_kind == "district_center":
        return true()
    if user.organization_kind == "town_committee":
        return town == user.organization_place_id
    if user.organization_kind == "village_committee":
        return village == user.organization_place_id
    return false()


def town_scope(user: CurrentUser | None, town: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the town holds a village the user answers for (a village committee: its own village's town)."""
    if user is not None and user.role != "admin" and user.role != "advisor" \
            and user.organization_kind == "village_committee":
        own = aliased(Place, name="own_place")
        return town == select(own.parent_id).where(own.id == user.organization_place_id).scalar_subquery()
    return village_scope(user, town, town)


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet `condition`."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class VillageOption:
    id: int
    town: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.town}/{self.name}"


@dataclass(frozen=True)
class ScreeningFilters:
    """The list's filters as they appear in the address: the month (default this month), a village, the page."""

    month: str
    village: int | None = None
    after: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str], default_month: str) -> ScreeningFilters:
        after = str(params.get("after", "") or "").strip()[:30]
        return cls(
            month=str(params.get("month", "") or "").strip()[:7] or default_month,
            village=whole_number(str(params.get("village", "") or "")[:12]) or None,
            after=after if _cursor(after) else "",
        )

    def query_items(self, after: str = "") -> list[tuple[str, str]]:
        items = [("month", self.month)]
        if self.village:
            items.append(("village", str(self.village)))
        if after:
            items.append(("after", after))
        return items


@dataclass(frozen=True)
class ScreeningRow:
    id: int
    screened_on: date
    town: str
    village: str
    grid: str | None
    found_disputes: int
    findings: str
    actions: str
    recorded_by: str


@dataclass(frozen=True)
class ScreeningPage:
    rows: list[ScreeningRow]
    next_cursor: str | None
    screenings: int  # 排查次数 of the month (under the filters), over all pages
    found_disputes: int  # 发现纠纷数 of the month


@dataclass(frozen=True)
class VillageStatus:
    """How a village stands for a month: cases registered, a zero report, or neither."""

    id: int
    town: str
    name: str
    cases: int
    filed_on: date | None
    filed_by: str
    note: str

    @property
    def silent(self) -> bool:
        return not self.cases and self.filed_on is None


@dataclass(frozen=True)
class FiguresRow:
    place_id: int | None  # None for 合计
    name: str
    screenings: int  # 排查次数
    found_disputes: int  # 排查发现纠纷
    villages: int
    with_cases: int  # villages that registered a case in M (not voided)
    zero_reports: int  # villages that filed a zero report for M
    silent: int  # villages with neither


@dataclass(frozen=True)
class SilentVillage:
    town: str
    village: str


@dataclass(frozen=True)
class ScreeningFigures:
    """What the monthly report shows of screening and zero reports: a row per town (or, for one town, per
    village) in place-tree order, the 合计 row, and the villages that neither reported a case nor filed a
    zero report."""

    month: ReportMonth
    unit: str  # the rows' level: 镇街 or 村居
    rows: list[FiguresRow]
    total: FiguresRow
    silent_villages: list[SilentVillage]


class ScreeningService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    @property
    def today(self) -> date:
        return deadlines.local_date(utcnow(), self.settings.tz)

    def month(self, value: str) -> ReportMonth:
        """The month of the list; raises MonthInvalid (malformed or in the future)."""
        return parse_month(value, self.today)

    def current_month(self) -> str:
        return f"{self.today.year:04d}-{self.today.month:02d}"

    def filing_months(self) -> list[ReportMonth]:
        return filing_months(self.today)

    async def villages(self, user: CurrentUser) -> list[VillageOption]:
        """The villages the user answers for, in place-tree order."""
        village, town = aliased(Place, name="village_place"), aliased(Place, name="town_place")
        rows = await self.session.execute(
            select(village.id, town.name, village.name)
            .join(town, town.id == village.parent_id)
            .where(village.level == "village", village_scope(user, village.parent_id, village.id))
            .order_by(town.position, town.id, village.position, village.id))
        return [VillageOption(*row) for row in rows.all()]

    async def grids(self, user: CurrentUser, village_id: int | None) -> list[tuple[int, str]]:
        """The grids of a village the user answers for (none for any other village)."""
        if village_id is None:
            return []
        village = aliased(Place, name="village_place")
        rows = await self.session.execute(
            select(Place.id, Place.name)
            .join(village, village.id == Place.parent_id)
            .where(Place.level == "grid", village.id == village_id, village.level == "village",
                   village_scope(user, village.parent_id, village.id))
            .order_by(Place.position, Place.id))
        return [(grid_id, name) for grid_id, name in rows.all()]

    async def record(self, user: CurrentUser, form: Mapping[str, object]) -> ScreeningDraft:
        async with write_transaction(self.session):
            villages = {option.id: option for option in await self.villages(user)}
            grids = [grid_id for grid_id, _ in await self.grids(user, whole_number(form.get("village")))]
            draft = parse_screening(form, self.today, villages, grids)
            town_id = await self.session.scalar(select(Place.parent_id).where(Place.id == draft.village_id))
            self.session.add(Screening(
                town_id=town_id, village_id=draft.village_id, grid_id=draft.grid_id, screened_on=draft.screened_on,
                found_disputes=draft.found_disputes, findings=draft.findings, actions=draft.actions,
                recorded_by_id=user.id))
        return draft

    async def screenings(self, user: CurrentUser, month: ReportMonth, filters: ScreeningFilters) -> ScreeningPage:
        """The user's screenings of the month, newest first, a page at a time (keyset), with the month's totals."""
        s = Screening
        town, village, grid = (aliased(Place, name=name) for name in ("town_place", "village_place", "grid_place"))
        conditions = [village_scope(user, s.town_id, s.village_id), s.screened_on >= month.first,
                      s.screened_on <= month.last]
        if filters.village:
            conditions.append(s.village_id == filters.village)
        count, found = (await self.session.execute(
            select(func.count(), func.coalesce(func.sum(s.found_disputes), 0)).where(*conditions))).one()
        query = (
            select(s.id, s.screened_on, town.name, village.name, grid.name, s.found_disputes, s.findings,
                   s.actions, User.display_name)
            .join(town, town.id == s.town_id)
            .join(village, village.id == s.village_id)
            .outerjoin(grid, grid.id == s.grid_id)
            .join(User, User.id == s.recorded_by_id)
            .where(*conditions)
        )
        if cursor := _cursor(filters.after):
            query = query.where(tuple_(s.screened_on, s.id) < tuple_(literal(cursor[0]), literal(cursor[1])))
        rows = [ScreeningRow(*row) for row in (await self.session.execute(
            query.order_by(s.screened_on.desc(), s.id.desc()).limit(PAGE_SIZE + 1))).all()]
        next_cursor = None
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            next_cursor = f"{rows[-1].screened_on.isoformat()}_{rows[-1].id}"
        return ScreeningPage(rows, next_cursor, count, int(found))

    def _cases_in(self, month: ReportMonth) -> ColumnElement[bool]:
        """Cases that count as the village reporting in M: registered in M, not voided."""
        c = MediationCase
        return and_(c.registered_on >= month.first, c.registered_on <= month.last, c.status != "voided")

    async def village_statuses(self, user: CurrentUser, month: ReportMonth) -> list[VillageStatus]:
        """Every village the user answers for, with its cases registered in M and its zero report for M."""
        c = MediationCase
        village, town = aliased(Place, name="village_place"), aliased(Place, name="town_place")
        cases = (
            select(c.village_id, func.count().label("cases"))
            .where(self._cases_in(month), village_scope(user, c.town_id, c.village_id))
            .group_by(c.village_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(village.id, town.name, village.name, func.coalesce(cases.c.cases, 0), ZeroReport.filed_at,
                   User.display_name, ZeroReport.note)
            .join(town, town.id == village.parent_id)
            .outerjoin(cases, cases.c.village_id == village.id)
            .outerjoin(ZeroReport, and_(ZeroReport.village_id == village.id, ZeroReport.month == month.key))
            .outerjoin(User, User.id == ZeroReport.filed_by_id)
            .where(village.level == "village", village_scope(user, village.parent_id, village.id))
            .order_by(town.position, town.id, village.position, village.id))
        return [VillageStatus(village_id, town_name, name, count, self._local_day(filed_at), filed_by or "",
                              note or "")
                for village_id, town_name, name, count, filed_at, filed_by, note in rows.all()]

    def _local_day(self, moment: datetime | None) -> date | None:
        return deadlines.local_date(moment, self.settings.tz) if moment is not None else None

    async def file_zero_report(self, user: CurrentUser, form: Mapping[str, object]) -> tuple[VillageOption,
                                                                                             ReportMonth]:
        """File "本月无矛盾纠纷" for a village the user answers for, once, and only without cases that month."""
        try:
            async with write_transaction(self.session):
                problems: dict[str, Problem] = {}
                month: ReportMonth | None = None
                try:
                    month = parse_filing_month(str(form.get("month", "") or ""), self.today)
                except Invalid as invalid:
                    problems.update(invalid.problems)
                try:
                    note = parse_note(form)
                except Invalid as invalid:
                    problems.update(invalid.problems)
                villages = {option.id: option for option in await self.villages(user)}
                village_id = whole_number(form.get("village"))
                if not str(form.get("village", "") or "").strip():
                    problems["village"] = Problem("请选择村居", "a village is required")
                elif village_id not in villages:
                    problems["village"] = Problem("只能为本辖区内的村居零上报", "the village is outside your scope")
                if problems or month is None or village_id is None:
                    raise Invalid(problems)
                filed_at = await self.session.scalar(select(ZeroReport.filed_at).where(
                    ZeroReport.village_id == village_id, ZeroReport.month == month.key))
                cases = await self.session.scalar(select(func.count()).select_from(MediationCase).where(
                    MediationCase.village_id == village_id, self._cases_in(month))) or 0
                if refusal := zero_report_refusal(month, cases, self._local_day(filed_at)):
                    raise Invalid({"village": refusal})
                self.session.add(ZeroReport(village_id=village_id, month=month.key, filed_by_id=user.id,
                                            filed_at=utcnow(), note=note))
        except IntegrityError as exc:
            # Filed by someone else between the check and the commit.
            await self.session.rollback()
            raise Invalid({"village": Problem("该村居此月已零上报，无需重复上报", "already filed")}) from exc
        return villages[village_id], month

    async def monthly_figures(self, month: ReportMonth, user: CurrentUser | None,
                              town_id: int | None = None) -> ScreeningFigures:
        """Per town in place-tree order (or, given `town_id`, per village of that town): 排查次数, 排查发现纠纷,
        and the villages' reporting for M; plus 合计 and the villages that neither registered a case in M
        (not voided) nor filed a zero report for M. Five queries, grouped, whatever the number of places."""
        s = Screening
        village, town = aliased(Place, name="village_place"), aliased(Place, name="town_place")
        villages_in_scope = [village.level == "village", village_scope(user, village.parent_id, village.id)]
        screened_in_scope = [village_scope(user, s.town_id, s.village_id), s.screened_on >= month.first,
                             s.screened_on <= month.last]
        if town_id is None:
            units = (select(town.id, town.name).where(town.level == "town", town_scope(user, town.id))
                     .order_by(town.position, town.id))
            village_unit, screening_unit = village.parent_id, s.town_id
        else:
            villages_in_scope.append(village.parent_id == town_id)
            screened_in_scope.append(s.town_id == town_id)
            units = (select(village.id, village.name).where(*villages_in_scope)
                     .order_by(village.position, village.id))
            village_unit, screening_unit = village.id, s.village_id

        screened = {unit: (count, int(found)) for unit, count, found in (await self.session.execute(
            select(screening_unit, func.count(), func.coalesce(func.sum(s.found_disputes), 0))
            .where(*screened_in_scope).group_by(screening_unit))).all()}
        # The villages that reported a case, found in one pass over the month's cases (at most one id a village).
        c = MediationCase
        reported = list(await self.session.scalars(
            select(c.village_id).where(self._cases_in(month), village_scope(user, c.town_id, c.village_id))
            .group_by(c.village_id)))
        has_case = village.id.in_(reported)
        has_zero = village.id.in_(select(ZeroReport.village_id).where(ZeroReport.month == month.key))
        silent = and_(~has_case, ~has_zero)
        reporting = {unit: counts for unit, *counts in (await self.session.execute(
            select(village_unit, func.count(), flag(has_case), flag(has_zero), flag(silent))
            .where(*villages_in_scope).group_by(village_unit))).all()}

        rows = []
        for unit, name in (await self.session.execute(units)).all():
            count, found = screened.get(unit, (0, 0))
            rows.append(FiguresRow(unit, name, count, found, *reporting.get(unit, (0, 0, 0, 0))))
        total = FiguresRow(None, "合计", *(sum(getattr(row, name) for row in rows) for name in (
            "screenings", "found_disputes", "villages", "with_cases", "zero_reports", "silent")))
        silent_villages = [SilentVillage(*row) for row in (await self.session.execute(
            select(town.name, village.name)
            .join(town, town.id == village.parent_id)
            .where(*villages_in_scope, silent)
            .order_by(town.position, town.id, village.position, village.id))).all()]
        return ScreeningFigures(month, "镇街" if town_id is None else "村居", rows, total, silent_villages)
