"""Who did the work in month M: a row per mediator and per legal advisor with the cases they hold, how many
they closed and how well, in two grouped queries each (the current holder of an assignment counts)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.domain.reports import ReportMonth, round_half_away
from mediation.models import CaseAssignment, LegalAdvisor, MediationCase, Organization, User
from mediation.services.access import case_scope
from mediation.services.accounts import CurrentUser
from mediation.services.reports import COUNTED, deadline_in_force, flag

HOLDING = ("pending", "accepted")


@dataclass(frozen=True)
class WorkRow:
    name: str
    organization: str  # the mediator's committee, or the advisor's firm
    handled: int  # cases in hand during M: accepted in M, closed in M, or still open at D
    closed: int
    success: int
    rate: str
    mean_days: str
    overdue: int


class PerformanceService:
    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session = session
        self.tz = tz

    def _days(self) -> ColumnElement:
        c = MediationCase
        if self.session.bind.dialect.name == "postgresql":
            return c.closed_on - c.accepted_on
        return func.julianday(c.closed_on) - func.julianday(c.accepted_on)

    async def mediators(self, month: ReportMonth, user: CurrentUser | None = None) -> list[WorkRow]:
        return await self._rows(month, user, CaseAssignment.user_id, "mediator",
                                select(User.id, User.display_name, Organization.name)
                                .join(Organization, Organization.id == User.organization_id))

    async def advisors(self, month: ReportMonth, user: CurrentUser | None = None) -> list[WorkRow]:
        return await self._rows(month, user, CaseAssignment.advisor_id, "advisor",
                                select(LegalAdvisor.id, LegalAdvisor.name, LegalAdvisor.firm))

    async def _rows(self, month: ReportMonth, user: CurrentUser | None, holder: ColumnElement, role: str,
                    people: Select) -> list[WorkRow]:
        c, a = MediationCase, CaseAssignment
        scope = case_scope(user) if user is not None else true()
        d = month.reference
        later, deadline = deadline_in_force(d, self.tz)
        closed_in_month = and_(c.closed_on >= month.first, c.closed_on <= month.last)
        open_at_reference = and_(c.accepted_on <= d, or_(c.closed_on.is_(None), c.closed_on > d))
        success = and_(closed_in_month, c.outcome == "success")
        figures = (
            select(
                holder.label("holder"), func.count().label("handled"), flag(closed_in_month).label("closed"),
                flag(success).label("success"),
                func.sum(case((closed_in_month, self._days()), else_=0)).label("days"),
                flag(and_(open_at_reference, deadline < d)).label("overdue"),
            )
            .join(c, c.id == a.case_id)
            .outerjoin(later, later.c.case_id == c.id)
            .where(scope, a.role == role, a.status.in_(HOLDING), c.status.not_in(COUNTED),
                   or_(and_(c.accepted_on >= month.first, c.accepted_on <= month.last), closed_in_month,
                       open_at_reference))
            .group_by(holder)
        ).subquery()
        names = people.subquery()
        rows = (await self.session.execute(
            select(names.c[1], names.c[2], figures.c.handled, figures.c.closed, figures.c.success,
                   figures.c.days, figures.c.overdue)
            .join(figures, figures.c.holder == names.c[0])
            .order_by(figures.c.closed.desc(), figures.c.handled.desc(), names.c[1]))).all()
        return [_work_row(*row) for row in rows]


def _work_row(name: str, organization: str, handled: int, closed: int, success: int, days, overdue: int) -> WorkRow:
    closed, success = int(closed or 0), int(success or 0)
    rate = round_half_away(Decimal(success) * 100 / closed, 1) if closed else Decimal("0.0")
    mean = round_half_away(Decimal(str(days or 0)) / closed, 1) if closed else Decimal("0.0")
    return WorkRow(name, organization, int(handled), closed, success, f"{rate:.1f}", f"{mean:.1f}", int(overdue or 0))
