"""What the monthly report is built from besides cases: the frozen snapshot of a closed month (月度关账),
villages' explicit zero reports (零上报) and the screenings (排查) of villages and grids."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mediation.models.base import Base, CreatedAtMixin, utcnow


class MonthClose(Base):
    """Month M closed by a supervisor for their organization's scope: the summary as it was reported."""

    __tablename__ = "month_close"
    __table_args__ = (UniqueConstraint("organization_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reference_on: Mapped[date]
    header: Mapped[list] = mapped_column(JSON)
    rows: Mapped[list] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")


class ZeroReport(Base):
    """A village's explicit "no dispute this month", so no data and nothing happened are never confused."""

    __tablename__ = "zero_report"
    __table_args__ = (UniqueConstraint("village_id", "month"), Index("ix_zero_report_month", "month"))

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class Screening(CreatedAtMixin, Base):
    """One screening (排查) of a village or one of its grids: when, where, what was found and done."""

    __tablename__ = "screening"
    __table_args__ = (
        Index("ix_screening_screened_on", "screened_on"),
        Index("ix_screening_village_id_screened_on", "village_id", "screened_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    village_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    screened_on: Mapped[date]
    found_disputes: Mapped[int] = mapped_column(default=0)
    findings: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
