"""A mediation case (调解案件), its parties (当事人), its timeline (CaseEvent) and the number counters."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ARRAY, JSON, ColumnElement, ForeignKey, Index, Integer, Numeric, String, Text, any_, bindparam, false, literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mediation.domain.workflow import OPEN_STATUSES
from mediation.models.base import Base, CreatedAtMixin, utcnow

# The open statuses written out as literals in one fixed order. A partial index over open cases is used only
# when the query states its condition the same way: SQLite compares the two expressions, and PostgreSQL
# cannot prove a bound parameter's value when it plans a prepared statement once for all values.
OPEN_STATUS_ORDER = tuple(sorted(OPEN_STATUSES))
OPEN_CASE_SQL = "status IN (" + ", ".join(f"'{status}'" for status in OPEN_STATUS_ORDER) + ")"


class MediationCase(CreatedAtMixin, Base):
    __tablename__ = "mediation_case"
    __table_args__ = (
        Index("ix_mediation_case_registered_on_id", "registered_on", "id"),
        # The monthly summary reads only these two indexes (covering): cases accepted in M, and cases closed in M
        # or still open at D, with every column its figures need.
        Index("ix_mediation_case_accepted_report", "accepted_on", "status", "town_id", "dispute_type"),
        Index("ix_mediation_case_closed_report", "closed_on", "accepted_on", "status", "town_id", "outcome",
              "deadline", "prevented_criminal_people", "prevented_petition_people", "id"),
        # The zero-report check reads which villages registered cases in M from this index alone.
        Index("ix_mediation_case_registered_report", "registered_on", "village_id", "town_id", "status"),
        Index("ix_mediation_case_organization_id_status", "organization_id", "status"),
        Index("ix_mediation_case_village_id_accepted_on", "village_id", "accepted_on"),
        Index("ix_mediation_case_town_id_accepted_on", "town_id", "accepted_on"),
        Index("ix_mediation_case_status_deadline", "status", "deadline"),
        # The dashboard's queues and the organization's queue: open cases by nearest deadline.
        Index("ix_mediation_case_open_deadline", "deadline", "id",
              sqlite_where=text(OPEN_CASE_SQL), postgresql_where=text(OPEN_CASE_SQL)),
        Index("ix_mediation_case_open_organization_deadline", "organization_id", "deadline", "id",
              sqlite_where=text(OPEN_CASE_SQL), postgresql_where=text(OPEN_CASE_SQL)),
        # The dashboard's own cases (longest untouched first) and major-risk alerts (latest first).
        Index("ix_mediation_case_open_last_action_at", "last_action_at", "id",
              sqlite_where=text(OPEN_CASE_SQL), postgresql_where=text(OPEN_CASE_SQL)),
        Index("ix_mediation_case_open_major_last_action_at", "last_action_at", "id",
              sqlite_where=text(f"{OPEN_CASE_SQL} AND risk_level = 'major'"),
              postgresql_where=text(f"{OPEN_CASE_SQL} AND risk_level = 'major'")),
        Index("ix_mediation_case_repeat_of_id", "repeat_of_id"),
        Index("ix_mediation_case_last_action_at", "last_action_at"),
        # A unique index (not a constraint), so adding it never rebuilds the table on SQLite.
        Index("ix_mediation_case_archive_number", "archive_number", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    # Set by the intake form; a second submission of the same form finds the case it already made.
    intake_token: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(40))
    dispute_type: Mapped[str] = mapped_column(String(40))
    risk_level: Mapped[str] = mapped_column(String(16))
    town_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    village_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    people_involved: Mapped[int] = mapped_column(default=2)
    amount_involved: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    summary: Mapped[str] = mapped_column(Text)
    claims: Mapped[str] = mapped_column(Text, default="")
    # Denormalized from the parties for the list (申请人, 被申请人 columns), kept in step by the services.
    applicant_names: Mapped[str] = mapped_column(String(400), default="")
    respondent_names: Mapped[str] = mapped_column(String(400), default="")
    registered_on: Mapped[date]
    accepted_on: Mapped[date | None]
    deadline: Mapped[date | None]
    registering_organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    suggested_level: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    refusal_reason: Mapped[str | None] = mapped_column(String(40))
    refusal_note: Mapped[str] = mapped_column(Text, default="")
    void_reason: Mapped[str] = mapped_column(Text, default="")
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("mediation_case.id", ondelete="SET NULL"))
    # 结案: the outcome, the (latest) closing date, for 调解不成 the route the parties were told, and the
    # figures of the monthly report recorded at closing.
    outcome: Mapped[str | None] = mapped_column(String(16))
    closed_on: Mapped[date | None]
    failure_route: Mapped[str | None] = mapped_column(String(16))
    referral: Mapped[str] = mapped_column(Text, default="", server_default="")
    prevented_criminal_people: Mapped[int] = mapped_column(default=0, server_default="0")
    prevented_petition_people: Mapped[int] = mapped_column(default=0, server_default="0")
    # 归档: the archive number (卷宗号) and retention period; an archived case is read-only.
    archive_number: Mapped[str | None] = mapped_column(String(60))
    archived_on: Mapped[date | None]
    retention_period: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # 人民调解法 Art. 25: the preventive steps taken when the risk is raised to 重大.
    preventive_steps: Mapped[str] = mapped_column(Text, default="")
    # The last thing anyone did on the case: the queue's aging ("days waiting with whom").
    last_action_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}


def case_among(ids: Collection[int], dialect_name: str) -> ColumnElement[bool]:
    """The cases with these ids (found before from an index), for a query that then sorts only those. PostgreSQL
    gets them as one array parameter: one statement, and one plan, for any count."""
    if not ids:
        return false()
    ordered = sorted(set(ids))
    if dialect_name == "postgresql":
        return MediationCase.id == any_(bindparam("case_ids", ordered, type_=ARRAY(Integer), unique=True))
    return MediationCase.id.in_(ordered)


def open_case(status: ColumnElement[str] | None = None) -> ColumnElement[bool]:
    """The case is open (accepted or in mediation), with the values inline so the open-case indexes apply."""
    column = MediationCase.status if status is None else status
    return column.in_([literal_column(f"'{value}'") for value in OPEN_STATUS_ORDER])


class Party(Base):
    __tablename__ = "party"
    __table_args__ = (
        Index("ix_party_case_id", "case_id"),
        # Search by name reads the case ids from the index alone (and PostgreSQL's pattern index INCLUDEs them).
        Index("ix_party_name", "name", "case_id"),
        Index("ix_party_id_number", "id_number"),
        Index("ix_party_phone", "phone"),
        Index("ix_party_village_id_name", "village_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(16))  # applicant | respondent
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16), default="person")  # person | organization
    name: Mapped[str] = mapped_column(String(60))
    id_number: Mapped[str] = mapped_column(String(18), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    town_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    village_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))


class CaseEvent(Base):
    """One line of a case's timeline: who, when, what, why. Rows are only ever inserted."""

    __tablename__ = "case_event"
    __table_args__ = (
        Index("ix_case_event_case_id_id", "case_id", "id"),
        # Corrections after a month close: the events since a moment.
        Index("ix_case_event_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict | None] = mapped_column(JSON)


class CaseNumberCounter(Base):
    """The last sequence number used per organization and year (an atomic upsert hands out the next)."""

    __tablename__ = "case_number_counter"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
