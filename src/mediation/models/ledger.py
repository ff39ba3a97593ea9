"""The ledger (台账) in and out: the audit of every import and export, and what an import brought with
each case that the case itself has no place for."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from mediation.models.base import Base, utcnow


class LedgerTransfer(Base):
    """One import (or its validation, a dry run) or export of the ledger: who, when, what, how many rows.

    A web import is two rows: the validation of the uploaded file (`dry_run`, holding the stored file until
    it is confirmed) and the import job that confirms it (`source_id`), whose `status` runs from `running`
    to `done` (or `failed`)."""

    __tablename__ = "ledger_transfer"
    __table_args__ = (Index("ix_ledger_transfer_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(8))  # import | export
    dry_run: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str] = mapped_column(String(8))  # web | cli
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    # The account's name, or the operating-system user who ran the command line.
    actor_name: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    file_name: Mapped[str] = mapped_column(String(200))
    date_from: Mapped[date | None]
    date_to: Mapped[date | None]
    scope: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(8))  # running | done | invalid | failed
    new_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    exported_count: Mapped[int] = mapped_column(default=0)
    problem_count: Mapped[int] = mapped_column(default=0)
    # The first problems (line, column, reason) and skipped rows (line, number), for the report page.
    details: Mapped[dict | None] = mapped_column(JSON)
    # A validated upload waiting for confirmation: its generated name under MEDIATION_UPLOAD_DIR/ledger.
    stored_name: Mapped[str | None] = mapped_column(String(64))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transfer.id", ondelete="SET NULL"), unique=True)


class LedgerImportedCase(Base):
    """A case that came from a ledger: which import and line, and the ledger's free-text 调解员 and 法律顾问
    (with the names that matched no account or registry entry), and a 协议金额 given without an agreement,
    so that exporting it again gives back the same row."""

    __tablename__ = "ledger_imported_case"
    __table_args__ = (Index("ix_ledger_imported_case_transfer_id", "transfer_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id", ondelete="CASCADE"), primary_key=True)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfer.id", ondelete="SET NULL"))
    line: Mapped[int]
    mediators: Mapped[str] = mapped_column(String(400), default="")
    unlinked_mediators: Mapped[str] = mapped_column(String(400), default="")
    advisors: Mapped[str] = mapped_column(String(400), default="")
    unlinked_advisors: Mapped[str] = mapped_column(String(400), default="")
    agreement_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
