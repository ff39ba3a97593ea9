"""Configurable code lists: dispute types, case sources, outcomes, risk levels."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mediation.models.base import Base


class DictionaryEntry(Base):
    __tablename__ = "dictionary_entry"
    __table_args__ = (UniqueConstraint("kind", "code"), UniqueConstraint("kind", "label"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
