"""Who works on a case: mediators of the organization and the legal advisor (人民调解法 Art. 19–20)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import (
    ColumnElement, ForeignKey, Index, String, Text, Update, func, literal_column, select, text, true, update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from mediation.models.advisors import LegalAdvisor
from mediation.models.base import Base, utcnow


# Pending (waiting for the advisor) and accepted: the assignments that hold a person to a case.
ACTIVE_STATUSES = ("accepted", "pending")
_ACTIVE_SQL = "status IN ('accepted', 'pending')"
# Accepted, or since ended: the assignments that make a case one's own (the dashboard's "my cases").
OWN_STATUSES = ("accepted", "ended")
_OWN_SQL = "status IN ('accepted', 'ended')"


class CaseAssignment(Base):
    __tablename__ = "case_assignment"
    __table_args__ = (
        Index("ix_case_assignment_case_id", "case_id"),
        Index("ix_case_assignment_advisor_id_status", "advisor_id", "status"),
        Index("ix_case_assignment_user_id_status", "user_id", "status"),
        # Open workload (在办) per advisor: the active assignments of open cases, recounted from this index alone.
        Index("ix_case_assignment_open_workload", "advisor_id",
              sqlite_where=text(f"case_open = 1 AND {_ACTIVE_SQL}"),
              postgresql_where=text(f"case_open AND {_ACTIVE_SQL}")),
        # The supervisors' queue of open cases whose advisor declined.
        Index("ix_case_assignment_open_declined", "case_id",
              sqlite_where=text("case_open = 1 AND status = 'declined'"),
              postgresql_where=text("case_open AND status = 'declined'")),
        # One's own open cases (the dashboard's "my cases" and deadlines), as mediator and as advisor.
        Index("ix_case_assignment_own_open_user", "user_id", "case_id",
              sqlite_where=text(f"case_open = 1 AND {_OWN_SQL}"), postgresql_where=text(f"case_open AND {_OWN_SQL}")),
        Index("ix_case_assignment_own_open_advisor", "advisor_id", "case_id",
              sqlite_where=text(f"case_open = 1 AND {_OWN_SQL}"), postgresql_where=text(f"case_open AND {_OWN_SQL}")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # mediator | advisor
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("legal_advisor.id", ondelete="RESTRICT"))
    # pending (waiting for the advisor to accept) | accepted | declined | ended
    status: Mapped[str] = mapped_column(String(16))
    chosen_by_parties: Mapped[bool] = mapped_column(default=False)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    conflict_override_reason: Mapped[str] = mapped_column(Text, default="")
    # Whether the case is open, kept by database triggers (migration 0008) on every insert of an assignment and
    # every change of the case's status, whichever code path makes it: never written by the application.
    case_open: Mapped[bool] = mapped_column(default=False, server_default=text("false"))


def counts_as_open_workload() -> ColumnElement[bool]:
    """An advisor's active assignment on an open case, stated as the open-workload index states it."""
    return (CaseAssignment.case_open
            & CaseAssignment.status.in_([literal_column(f"'{value}'") for value in ACTIVE_STATUSES]))


def own_assignment(open_case_only: bool) -> ColumnElement[bool]:
    """An assignment that makes its case one's own; of an open case, stated as the own-open indexes state it."""
    own = CaseAssignment.status.in_([literal_column(f"'{value}'") for value in OWN_STATUSES])
    return (CaseAssignment.case_open == true()) & own if open_case_only else own


def recount_open_cases() -> Update:
    """Every advisor's open workload counted again from the assignments."""
    return update(LegalAdvisor).values(open_cases=select(func.count()).where(
        CaseAssignment.advisor_id == LegalAdvisor.id, counts_as_open_workload()).scalar_subquery())


@asynccontextmanager
async def open_cases_counted_at_the_end(session: AsyncSession) -> AsyncIterator[None]:
    """For writing many assignments in one transaction (a restore, a generated dataset): the open workloads
    counted once at the end instead of one trigger update a row. On PostgreSQL the counting trigger is off
    meanwhile (the transaction holds the table's lock anyway): each update of an advisor's row leaves a version
    no one may prune before the transaction ends, so its updates of the same few rows would grow ever slower."""
    postgres = session.bind.dialect.name == "postgresql"
    if postgres:
        await session.execute(text("ALTER TABLE case_assignment DISABLE TRIGGER case_assignment_open_cases"))
    yield
    await session.execute(recount_open_cases())
    if postgres:
        await session.execute(text("ALTER TABLE case_assignment ENABLE TRIGGER case_assignment_open_cases"))
