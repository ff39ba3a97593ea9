"""What each user's dashboard lists: their new assignments, their cases (near-due, overdue, aging),
and for supervisors the unassigned and declined cases, the 重大 risk alerts and pending extensions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, exists, func, literal_column, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.domain import deadlines, workflow
from mediation.domain.closing import CONFIRMATION_WARNING_DAYS, CONFIRMATION_WINDOW_DAYS
from mediation.models import (
    Agreement,
    CaseAssignment,
    Extension,
    FollowUp,
    JudicialConfirmation,
    LegalAdvisor,
    MediationCase,
)
from mediation.models.assignments import own_assignment
from mediation.models.base import utcnow
from mediation.models.cases import case_among, open_case
from mediation.services.access import case_scope
from mediation.services.accounts import CurrentUser
from mediation.settings import Settings

QUEUE_LIMIT = 20
# Up to this many own cases, a queue of one's own cases sorts them by their ids (see _own_cases).
OWN_FEW = 1000


@dataclass(frozen=True)
class QueueItem:
    case_id: int
    number: str
    applicant_names: str
    respondent_names: str
    status: str
    deadline: date | None
    last_action_on: date  # local date of the last action
    today: date
    assignment_id: int | None = None

    @property
    def status_label(self) -> str:
        return workflow.status_label(self.status)

    @property
    def deadline_state(self) -> str:
        return deadlines.deadline_state(self.deadline, self.today) if self.status in workflow.OPEN_STATUSES \
            else "none"

    @property
    def days_left_text(self) -> str:
        return deadlines.describe_days_left(self.deadline, self.today) if self.deadline else ""

    @property
    def idle_days(self) -> int:
        return max(0, (self.today - self.last_action_on).days)


@dataclass(frozen=True)
class Queues:
    to_accept: list[QueueItem] = field(default_factory=list)
    mine: list[QueueItem] = field(default_factory=list)
    due: list[QueueItem] = field(default_factory=list)
    unassigned: list[QueueItem] = field(default_factory=list)
    declined: list[QueueItem] = field(default_factory=list)
    alerts: list[QueueItem] = field(default_factory=list)
    extensions: list[QueueItem] = field(default_factory=list)
    follow_ups: list[QueueItem] = field(default_factory=list)
    confirmations: list[QueueItem] = field(default_factory=list)


class QueueService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def _items(self, query, today: date, with_assignment: bool = False) -> list[QueueItem]:  # type: ignore[no-untyped-def]
        rows = (await self.session.execute(query.limit(QUEUE_LIMIT))).all()
        return [
            QueueItem(*row[:6], deadlines.local_date(row[6], self.settings.tz), today,
                      row[7] if with_assignment else None)
            for row in rows
        ]

    async def _own_cases(self, user: CurrentUser, open_only: bool) -> ColumnElement[bool]:
        """The user's own cases: an accepted (or since ended) assignment, as mediator or as advisor. Most users
        have few: their ids, read from the assignment indexes, so a queue sorts only those. A user with more
        than OWN_FEW gets the condition instead, which a queue checks while it walks the cases in its order
        (with that many, it soon finds a page); for a user with none or few, that walk would visit every case."""
        my_advisor = select(LegalAdvisor.id).where(LegalAdvisor.user_id == user.id)
        own = select(CaseAssignment.case_id).where(own_assignment(open_only))
        # Two selects, each on its own index; one with an OR of the two would read the whole table to find the
        # few rows of a new user.
        own_ids = union_all(own.where(CaseAssignment.user_id == user.id),
                            own.where(CaseAssignment.advisor_id.in_(my_advisor)))
        counted = await self.session.scalar(
            select(func.count()).select_from(own_ids.limit(OWN_FEW + 1).subquery()))
        if counted > OWN_FEW:
            return MediationCase.id.in_(select(CaseAssignment.case_id).where(
                own_assignment(open_case_only=False),
                (CaseAssignment.user_id == user.id) | CaseAssignment.advisor_id.in_(my_advisor)))
        return case_among(list(await self.session.scalars(own_ids)), self.session.bind.dialect.name)

    async def for_user(self, user: CurrentUser) -> Queues:
        case = MediationCase
        today = deadlines.local_date(utcnow(), self.settings.tz)
        columns = (case.id, case.number, case.applicant_names, case.respondent_names, case.status, case.deadline,
                   case.last_action_at)
        is_open = open_case()
        my_advisor = select(LegalAdvisor.id).where(LegalAdvisor.user_id == user.id)
        to_accept = await self._items(
            select(*columns, CaseAssignment.id)
            .join(CaseAssignment, CaseAssignment.case_id == case.id)
            .where(CaseAssignment.status == "pending", CaseAssignment.advisor_id.in_(my_advisor), is_open)
            .order_by(CaseAssignment.assigned_at), today, with_assignment=True)
        mine_open = await self._own_cases(user, open_only=True)
        mine = await self._items(
            select(*columns).where(mine_open, is_open).order_by(case.last_action_at), today)
        # Near-due and overdue: one's own cases, or everything in scope for those who oversee it.
        oversees = user.role in ("supervisor", "admin")
        near = today + timedelta(days=deadlines.NEAR_DUE_DAYS)
        due = await self._items(
            select(*columns).where(case_scope(user) if oversees else mine_open, is_open, case.deadline <= near)
            .order_by(case.deadline, case.id), today)
        watched = case_scope(user) if oversees else await self._own_cases(user, open_only=False)
        follow_ups = await self._items(
            select(*columns).join(FollowUp, FollowUp.case_id == case.id)
            .where(watched, FollowUp.visited_on.is_(None), FollowUp.scheduled_on <= today,
                   case.status == "closed")
            .order_by(FollowUp.scheduled_on, FollowUp.case_id), today)
        # Judicial confirmation: the 30-day window of a signed written agreement is about to end.
        window_ends = today - timedelta(days=CONFIRMATION_WINDOW_DAYS - CONFIRMATION_WARNING_DAYS)
        confirmations = await self._items(
            select(*columns).join(Agreement, Agreement.case_id == case.id)
            .where(watched, Agreement.form == "written", Agreement.signed_on.is_not(None),
                   Agreement.signed_on <= window_ends,
                   Agreement.signed_on >= today - timedelta(days=CONFIRMATION_WINDOW_DAYS),
                   ~exists().where(JudicialConfirmation.case_id == case.id))
            .order_by(Agreement.signed_on, Agreement.case_id), today)
        queues = Queues(to_accept=to_accept, mine=mine, due=due, follow_ups=follow_ups,
                        confirmations=confirmations)
        if user.role not in ("supervisor", "admin"):
            return queues
        has_mediator = exists().where(CaseAssignment.case_id == case.id, CaseAssignment.role == "mediator",
                                      CaseAssignment.status == "accepted")
        has_advisor = exists().where(CaseAssignment.case_id == case.id, CaseAssignment.role == "advisor",
                                     CaseAssignment.status.in_(("pending", "accepted")))
        # Walked in case order from the partial index of open cases' declined assignments (true() renders as
        # that index states it), so the first 20 are found without visiting the other open cases.
        declined_cases = select(CaseAssignment.case_id).where(
            CaseAssignment.case_open == true(), CaseAssignment.status == literal_column("'declined'")
        ).distinct().subquery()
        unassigned = await self._items(
            select(*columns).where(case_scope(user), is_open, ~has_mediator).order_by(case.registered_on, case.id),
            today)
        declined = await self._items(
            select(*columns).join(declined_cases, declined_cases.c.case_id == case.id)
            .where(case_scope(user), is_open, ~has_advisor).order_by(declined_cases.c.case_id), today)
        alerts = await self._items(
            select(*columns).where(case_scope(user), is_open, case.risk_level == literal_column("'major'"))
            .order_by(case.last_action_at.desc()), today)
        # A pending request was made against the case's deadline, which only its approval moves.
        extensions = await self._items(
            select(*columns).join(Extension, Extension.case_id == case.id)
            .where(case_scope(user), is_open, Extension.status == literal_column("'pending'"))
            .order_by(Extension.current_deadline, Extension.case_id), today)
        return Queues(to_accept, mine, due, unassigned, declined, alerts, extensions, follow_ups, confirmations)
