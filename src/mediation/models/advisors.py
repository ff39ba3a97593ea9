"""The village legal advisor registry ("一村一法律顾问") and the villages each advisor serves."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column

from mediation.models.base import Base, CreatedAtMixin

advisor_village = Table(
    "advisor_village",
    Base.metadata,
    Column("advisor_id", ForeignKey("legal_advisor.id", ondelete="CASCADE"), primary_key=True),
    Column("place_id", ForeignKey("place.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_advisor_village_place_id", "place_id"),
)


class LegalAdvisor(CreatedAtMixin, Base):
    __tablename__ = "legal_advisor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    firm: Mapped[str] = mapped_column(String(100))
    licence_no: Mapped[str] = mapped_column(String(40), unique=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    duty_days: Mapped[str] = mapped_column(String(60), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Open workload (在办): the advisor's pending and accepted assignments on open cases. Kept by database
    # triggers on case_assignment (migration 0009), whichever code path changes an assignment or a case's
    # status; never written by the application, except by a restore's recount
    # (mediation.models.assignments.recount_open_cases).
    open_cases: Mapped[int] = mapped_column(server_default=text("0"))

