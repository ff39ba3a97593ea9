"""How a case ends and what follows: the agreement (调解协议) and its amendments and obligations, judicial
confirmation (司法确认) and follow-up visits (回访)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from mediation.models.base import Base, utcnow


class Agreement(Base):
    """A written (书面) or oral (口头) agreement. Read-only once signed; corrections are amendments."""

    __tablename__ = "agreement"
    # The monthly summary's join reads the form and amount from the index alone.
    __table_args__ = (
        Index("ix_agreement_case_id_form_amount", "case_id", "form", "amount"),
        # The dashboard's judicial-confirmation warnings: written agreements by signing date.
        Index("ix_agreement_written_signed_on", "signed_on", "case_id",
              sqlite_where=text("form = 'written'"), postgresql_where=text("form = 'written'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    form: Mapped[str] = mapped_column(String(16))  # written | oral
    facts: Mapped[str] = mapped_column(Text, default="")
    disputes: Mapped[str] = mapped_column(Text, default="")
    responsibilities: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(Text, default="")
    performance_method: Mapped[str] = mapped_column(String(400), default="")
    performance_place: Mapped[str] = mapped_column(String(200), default="")
    performance_deadline: Mapped[date | None]
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    signed_on: Mapped[date | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreementAmendment(Base):
    __tablename__ = "agreement_amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    amended_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    amended_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict] = mapped_column(JSON)


class Obligation(Base):
    """One obligation of the agreement with its due date, and its performance (履行) once marked."""

    __tablename__ = "obligation"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(String(400))
    due_on: Mapped[date]
    performed_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(400), default="")
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="SET NULL"))


class JudicialConfirmation(Base):
    __tablename__ = "judicial_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id", ondelete="CASCADE"), unique=True)
    applied_on: Mapped[date]
    court: Mapped[str] = mapped_column(String(100))
    result: Mapped[str] = mapped_column(String(16), default="pending")  # pending | confirmed | refused
    result_on: Mapped[date | None]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))


class FollowUp(Base):
    """回访: scheduled at closing, recorded when the visit is made."""

    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_visited_on_scheduled_on", "visited_on", "scheduled_on"),
        # The dashboard's due follow-ups, oldest first.
        Index("ix_follow_up_due", "scheduled_on", "case_id",
              sqlite_where=text("visited_on IS NULL"), postgresql_where=text("visited_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id", ondelete="CASCADE"), index=True)
    scheduled_on: Mapped[date]
    visited_on: Mapped[date | None]
    visitor: Mapped[str] = mapped_column(String(60), default="")
    party: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
    performance: Mapped[str] = mapped_column(String(400), default="")
    satisfaction: Mapped[str] = mapped_column(String(16), default="")
    lawsuit_filed: Mapped[bool] = mapped_column(default=False)
    remaining_risk: Mapped[str] = mapped_column(String(400), default="")
    measures: Mapped[str] = mapped_column(String(400), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
