"""The work of mediating a case: the notice of rights and duties, investigations, hearings (调解会),
the advisor's legal opinions, evidence files, extensions of the deadline and declared conflicts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from mediation.models.base import Base, utcnow


class _CaseRecord:
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id", ondelete="CASCADE"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class RightsNotice(_CaseRecord, Base):
    """权利义务告知 (若干规定 Art. 30): when and how the parties were told, before mediation starts."""

    __tablename__ = "rights_notice"

    notified_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(16))  # written | oral
    parties_told: Mapped[str] = mapped_column(String(400))
    note: Mapped[str] = mapped_column(Text, default="")


class InvestigationRecord(_CaseRecord, Base):
    """调查记录: who, when, where, what was found."""

    __tablename__ = "investigation_record"

    investigated_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    investigators: Mapped[str] = mapped_column(String(200))
    subjects: Mapped[str] = mapped_column(String(200))
    findings: Mapped[str] = mapped_column(Text)


class Hearing(_CaseRecord, Base):
    """调解会 and its 调解笔录: time, place, mediators, attendees, and the record text."""

    __tablename__ = "hearing"

    held_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    mediators: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[str] = mapped_column(String(400))
    record: Mapped[str] = mapped_column(Text)


class LegalOpinion(_CaseRecord, Base):
    __tablename__ = "legal_opinion"

    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("legal_advisor.id", ondelete="RESTRICT"))
    opinion: Mapped[str] = mapped_column(Text)


class Evidence(_CaseRecord, Base):
    """An uploaded file, stored outside the web root under a generated name."""

    __tablename__ = "evidence"

    display_name: Mapped[str] = mapped_column(String(120))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200), default="")


class Extension(_CaseRecord, Base):
    """延期: both parties consent; a supervisor approves (or rejects) before the deadline moves."""

    __tablename__ = "extension"
    __table_args__ = (
        Index("ix_extension_status", "status"),
        # The supervisor's queue of requests to decide, nearest deadline first.
        Index("ix_extension_pending_deadline", "current_deadline", "case_id",
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    current_deadline: Mapped[date]
    requested_deadline: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    applicant_consent: Mapped[str] = mapped_column(String(200))
    respondent_consent: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")


class ConflictDeclaration(_CaseRecord, Base):
    """A mediator or advisor declares a relation to a party; it blocks their assignment to the case."""

    __tablename__ = "conflict_declaration"

    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("legal_advisor.id", ondelete="CASCADE"))
    relation: Mapped[str] = mapped_column(String(200))
