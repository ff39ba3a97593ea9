"""The governance grid (district → 镇街 → 村居 → 网格) and the mediation organizations that sit on it."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation.models.base import Base, CreatedAtMixin


class Place(CreatedAtMixin, Base):
    __tablename__ = "place"
    __table_args__ = (
        UniqueConstraint("parent_id", "name"),
        Index("ix_place_parent_id_position", "parent_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    # Sibling order: the order in which places were first imported ("place-tree order").
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Place | None] = relationship(remote_side=[id], lazy="raise")


class Organization(CreatedAtMixin, Base):
    __tablename__ = "organization"
    __table_args__ = (Index("ix_organization_place_id", "place_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(24))
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="RESTRICT"))
    # For specialised committees: the dispute type code they handle.
    specialty: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)

    place: Mapped[Place] = relationship(lazy="raise")
