"""The declarative base: one metadata with stable constraint names, so migrations match on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTimeUTC(timezone=True)}


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
