"""User accounts, their server-side sessions and the failed-login record behind the throttle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mediation.models.base import Base, CreatedAtMixin
from mediation.models.places import Organization


class User(CreatedAtMixin, Base):
    __tablename__ = "app_user"
    __table_args__ = (Index("ix_app_user_organization_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(24))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    password_changed_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="raise")


class UserSession(CreatedAtMixin, Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 digest is stored."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user_id", "user_id"),)

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]
    address: Mapped[str] = mapped_column(String(64), default="")


class LoginFailure(Base):
    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_username_address_occurred_at", "username", "address", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime]
