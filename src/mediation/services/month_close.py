"""月度关账: a supervisor freezes month M's summary for their organization's scope, so what was reported stays
reproducible; what changed afterwards is listed as corrections in the next month's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain.reports import FIXED_COLUMNS, Difference, ReportMonth, differences
from mediation.models import CaseEvent, MediationCase, MonthClose, User
from mediation.services.access import case_scope
from mediation.services.accounts import CurrentUser
from mediation.services.reports import MonthlySummary, ReportService

# Timeline entries that can change a month's figures: its dates, outcome, agreement, type, place or deadline.
CORRECTING_KINDS = ("edited", "voided", "reopened", "transferred", "closed", "agreement_signed",
                    "agreement_amended", "confirmation_applied", "extended")
CORRECTIONS_SHOWN = 100


class MonthCloseRefused(Exception):
    def __init__(self, zh: str) -> None:
        super().__init__(zh)
        self.zh = zh


@dataclass(frozen=True)
class Closing:
    month: str
    closed_at: datetime
    closed_by: str
    reference_on: date
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class CorrectedCase:
    case_id: int
    number: str
    occurred_at: datetime
    actor: str
    summary: str


@dataclass(frozen=True)
class Corrections:
    closing: Closing
    differences: list[Difference]
    cases: list[CorrectedCase]
    case_count: int


class MonthCloseService:
    def __init__(self, session: AsyncSession, reports: ReportService) -> None:
        self.session = session
        self.reports = reports

    async def find(self, month: ReportMonth, user: CurrentUser) -> Closing | None:
        row = (await self.session.execute(
            select(MonthClose, User.display_name).join(User, User.id == MonthClose.closed_by_id)
            .where(MonthClose.organization_id == user.organization_id, MonthClose.month == month.key))).first()
        if row is None:
            return None
        close, name = row
        return Closing(close.month, close.closed_at, name, close.reference_on, list(close.header),
                       [list(cells) for cells in close.rows])

    async def close(self, month: ReportMonth, user: CurrentUser, today: date) -> Closing:
        """Freeze M as this user's organization reports it. Refused before M is over and a second time."""
        if month.last >= today:
            raise MonthCloseRefused(f"{month.label}尚未结束，月末之后才能关账")
        existing = await self.find(month, user)
        if existing is not None:
            raise MonthCloseRefused(self._already(existing))
        summary = await self.reports.monthly(month, user)
        try:
            async with write_transaction(self.session):
                self.session.add(MonthClose(organization_id=user.organization_id, month=month.key,
                                            closed_by_id=user.id, reference_on=month.reference,
                                            header=summary.header, rows=summary.rows))
        except IntegrityError:
            existing = await self.find(month, user)
            raise MonthCloseRefused(self._already(existing) if existing else "该月已关账，不能重复关账") from None
        closing = await self.find(month, user)
        assert closing is not None
        return closing

    async def frozen(self, month: ReportMonth, user: CurrentUser) -> MonthlySummary | None:
        """M's summary as it was reported, when M is closed for this user's organization."""
        closing = await self.find(month, user)
        return None if closing is None else snapshot(closing, month)

    async def corrections(self, month: ReportMonth, user: CurrentUser) -> Corrections | None:
        """What changed in closed month M since it was closed: the cells that differ now, and the cases of M
        whose figures-bearing facts were edited after the close (the latest first)."""
        closing = await self.find(month, user)
        if closing is None:
            return None
        now = await self.reports.monthly(month, user)
        c, e = MediationCase, CaseEvent
        of_month = and_(
            case_scope(user), e.occurred_at > closing.closed_at, e.kind.in_(CORRECTING_KINDS),
            c.accepted_on <= month.last,
            or_(c.accepted_on >= month.first, and_(c.closed_on >= month.first, c.closed_on <= month.last),
                e.kind.in_(("edited", "voided", "reopened", "transferred"))),
        )
        count = await self.session.scalar(
            select(func.count(func.distinct(c.id))).select_from(e).join(c, c.id == e.case_id).where(of_month)) or 0
        rows = (await self.session.execute(
            select(c.id, c.number, e.occurred_at, func.coalesce(User.display_name, "系统"), e.summary)
            .select_from(e).join(c, c.id == e.case_id).outerjoin(User, User.id == e.actor_id)
            .where(of_month).order_by(e.occurred_at.desc(), e.id.desc()).limit(CORRECTIONS_SHOWN))).all()
        return Corrections(closing, differences(closing.header, closing.rows, now.rows),
                           [CorrectedCase(*row) for row in rows], count)

    def _already(self, closing: Closing) -> str:
        when = closing.closed_at.astimezone(self.reports.settings.tz).strftime("%Y-%m-%d %H:%M")
        return f"{closing.month} 已于 {when} 由{closing.closed_by}关账，不能重复关账"


def snapshot(closing: Closing, month: ReportMonth) -> MonthlySummary:
    """The summary as it was reported when `month` was closed."""
    return MonthlySummary(month, closing.header, closing.rows, closing.header[len(FIXED_COLUMNS):])
