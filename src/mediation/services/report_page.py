"""The monthly report page's use case: the summary (frozen once the month is closed), its drill-down, the
comparisons, the charts' figures, the per-person tables and the corrections of the month before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mediation.domain import deadlines
from mediation.domain.charts import GroupedBars, HorizontalBars, grouped_bars, horizontal_bars
from mediation.domain.reports import (
    Comparison,
    ReportMonth,
    compare,
    month_of,
    parse_month,
    shift_month,
    trailing_months,
)
from mediation.models.base import utcnow
from mediation.services.accounts import CurrentUser
from mediation.services.month_close import Closing, Corrections, MonthCloseService, snapshot
from mediation.services.performance import PerformanceService, WorkRow
from mediation.services.reports import MonthlySummary, ReportService
from mediation.services.screening import ScreeningFigures, ScreeningService

EARLIEST_COMPARED = date(2000, 1, 1)


@dataclass(frozen=True)
class MonthCharts:
    trend: GroupedBars
    types: HorizontalBars
    sources: HorizontalBars


@dataclass(frozen=True)
class MonthlyPage:
    summary: MonthlySummary
    closing: Closing | None
    frozen: bool  # the table shows the snapshot taken at the close
    town: tuple[int, str] | None  # the drill-down's town, or None for the district view
    town_links: dict[str, int]  # unit name → town id, for the drill-down links
    comparisons: list[Comparison]
    mediators: list[WorkRow]
    advisors: list[WorkRow]
    corrections: Corrections | None  # of the month before, when it is closed
    screening: ScreeningFigures
    may_close: bool


@dataclass(frozen=True)
class ReportServices:
    reports: ReportService
    performance: PerformanceService
    closes: MonthCloseService
    screening: ScreeningService

    def today(self) -> date:
        return deadlines.local_date(utcnow(), self.reports.settings.tz)

    def month(self, value: str) -> ReportMonth:
        return parse_month(value, self.today())

    def current_month(self) -> ReportMonth:
        today = self.today()
        return month_of(today.replace(day=1), today)

    async def summary(self, month: ReportMonth, user: CurrentUser, live: bool = False) -> MonthlySummary:
        """What the downloads hold: the frozen figures of a closed month, else today's."""
        frozen = None if live else await self.closes.frozen(month, user)
        return frozen or await self.reports.monthly(month, user)

    async def charts(self, month: ReportMonth, user: CurrentUser) -> MonthCharts:
        points = await self.reports.trend(trailing_months(month, 12, self.today()), user)
        trend = grouped_bars(
            "近12个月受理、结案与调解成功", [f"{point.month.first.month}月" for point in points],
            [("受理数", [p.accepted for p in points]), ("结案数", [p.closed for p in points]),
             ("调解成功数", [p.success for p in points])])
        summary = await self.reports.monthly(month, user)
        total = summary.rows[-1]
        by_type = [(label, int(total[summary.header.index(label)])) for label in summary.type_labels]
        return MonthCharts(
            trend,
            horizontal_bars(f"{month.label}各类纠纷受理数", by_type),
            horizontal_bars(f"{month.label}案件来源", await self.reports.sources(month, user)),
        )

    async def page(self, month: ReportMonth, user: CurrentUser, town_id: int | None = None,
                   live: bool = False) -> MonthlyPage:
        today = self.today()
        closing = await self.closes.find(month, user)
        towns = await self.reports.units(None)
        town = next(((place_id, name) for place_id, name in towns if place_id == town_id), None)
        if town is not None:
            summary, frozen = await self.reports.monthly(month, user, town[0]), False
        elif closing is not None and not live:
            summary, frozen = snapshot(closing, month), True
        else:
            summary, frozen = await self.reports.monthly(month, user), False
        current_total = summary.rows[-1] if town is None else (await self.reports.monthly(month, user)).rows[-1]
        previous, last_year = shift_month(month, -1, today), shift_month(month, -12, today)
        return MonthlyPage(
            summary=summary,
            closing=closing,
            frozen=frozen,
            town=town,
            town_links={name: place_id for place_id, name in towns},
            comparisons=compare(
                summary.header, current_total,
                await self._total(previous, user), await self._total(last_year, user)),
            mediators=await self.performance.mediators(month, user),
            advisors=await self.performance.advisors(month, user),
            corrections=await self.closes.corrections(previous, user),
            screening=await self.screening.monthly_figures(month, user, town[0] if town else None),
            may_close=closing is None and month.last < today,
        )

    async def _total(self, month: ReportMonth, user: CurrentUser) -> list[str] | None:
        if month.first < EARLIEST_COMPARED:
            return None
        return (await self.summary(month, user)).rows[-1]
