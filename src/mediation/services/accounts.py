"""Accounts: sign-in with a throttle, server-side sessions, and the administration of users."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain import accounts as rules
from mediation.domain.roles import is_valid_role, role_label
from mediation.domain.validation import Invalid, Problem
from mediation.models import LoginFailure, Organization, User, UserSession
from mediation.models.base import utcnow
from mediation.settings import Settings

_CONTROL_CHARACTERS = dict.fromkeys([*range(32), 127])

DISTRICT_CENTER_KIND = "district_center"
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this keeps the time of an unknown-user sign-in equal to a wrong-password one.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    organization_id: int
    organization_name: str
    organization_kind: str = "district_center"
    organization_place_id: int = 1

    @property
    def role_label(self) -> str:
        return role_label(self.role)


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    organization_name: str
    active: bool
    created_at: datetime

    @property
    def role_label(self) -> str:
        return role_label(self.role)


class SignInRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class AccountService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def sign_in(self, username: str, password: str, address: str) -> str:
        """Check the credentials under the throttle; return a new session token (a new id every sign-in)."""
        username = rules.normalize_username(username)[:40]
        address = address[:64]
        now = utcnow()
        window_start = now - timedelta(minutes=self.settings.login_failure_window_minutes)
        refusal: str | None = None
        token = secrets.token_urlsafe(32)
        async with write_transaction(self.session):
            failures = await self.session.scalar(
                select(func.count())
                .select_from(LoginFailure)
                .where(
                    LoginFailure.username == username,
                    LoginFailure.address == address,
                    LoginFailure.occurred_at >= window_start,
                )
            )
            user = await self.session.scalar(select(User).where(User.username == username))
            valid = _check_password(user.password_hash if user else _DUMMY_HASH, password)
            if rules.is_throttled(failures or 0, self.settings.login_failure_limit):
                refusal = (
                    f"登录失败次数过多，请 {self.settings.login_failure_window_minutes} 分钟后再试，"
                    "或联系系统管理员重置密码"
                )
            elif not user or not valid:
                # One message for an unknown user and a wrong password: account names are not disclosed.
                refusal = "用户名或密码不正确"
                self.session.add(LoginFailure(username=username, address=address, occurred_at=now))
            elif not user.active:
                refusal = "该账号已停用，请联系系统管理员"
            else:
                await self.session.execute(
                    delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.address == address)
                )
                await self.session.execute(delete(UserSession).where(UserSession.expires_at < now))
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = hash_password(password)
                self.session.add(
                    UserSession(
                        token_digest=_digest(token),
                        user_id=user.id,
                        expires_at=now + timedelta(hours=self.settings.session_hours),
                        address=address,
                    )
                )
        if refusal:
            raise SignInRefused(refusal)
        return token

    async def resolve(self, token: str) -> CurrentUser | None:
        row = (
            await self.session.execute(
                select(User, Organization.name, Organization.kind, Organization.place_id)
                .join(UserSession, UserSession.user_id == User.id)
                .join(Organization, Organization.id == User.organization_id)
                .where(UserSession.token_digest == _digest(token), UserSession.expires_at > utcnow(), User.active)
            )
        ).first()
        if row is None:
            return None
        user, organization_name, organization_kind, organization_place_id = row
        return CurrentUser(
            user.id, user.username, user.display_name, user.role, user.organization_id, organization_name,
            organization_kind, organization_place_id,
        )

    async def sign_out(self, token: str) -> None:
        async with write_transaction(self.session):
            await self.session.execute(delete(UserSession).where(UserSession.token_digest == _digest(token)))

    async def change_own_password(self, user_id: int, current: str, new: str, confirm: str) -> None:
        async with write_transaction(self.session):
            user = await self.session.get_one(User, user_id)
            problems: dict[str, Problem] = {}
            if not _check_password(user.password_hash, current):
                problems["current_password"] = Problem("当前密码不正确", "the current password is wrong")
            if problem := rules.password_problem(new):
                problems["new_password"] = problem
            elif new != confirm:
                problems["confirm_password"] = Problem("两次输入的新密码不一致", "the passwords do not match")
            elif new == current:
                problems["new_password"] = Problem("新密码不能与当前密码相同", "the new password equals the old one")
            if problems:
                raise Invalid(problems)
            user.password_hash = hash_password(new)
            user.password_changed_at = utcnow()

    async def add_user(
        self, username: str, role: str, display_name: str, password: str, organization_name: str | None = None
    ) -> User:
        username = rules.normalize_username(username)
        async with write_transaction(self.session):
            problems: dict[str, Problem] = {}
            if problem := rules.username_problem(username):
                problems["username"] = problem
            elif await self.session.scalar(select(User.id).where(User.username == username)):
                problems["username"] = Problem("该用户名已存在", f"the username {username!r} already exists")
            if not is_valid_role(role):
                problems["role"] = Problem(
                    "请选择有效的角色", f"unknown role {role!r}; choose counter, village_mediator, advisor, supervisor or admin"
                )
            if problem := rules.display_name_problem(display_name):
                problems["display_name"] = problem
            if problem := rules.password_problem(password):
                problems["password"] = problem
            organization = await self._organization(organization_name, problems)
            if problems:
                raise Invalid(problems)
            assert organization is not None
            user = User(
                username=username,
                role=role,
                display_name=display_name.strip(),
                organization_id=organization.id,
                password_hash=hash_password(password),
                password_changed_at=utcnow(),
            )
            self.session.add(user)
        return user

    async def _organization(self, name: str | None, problems: dict[str, Problem]) -> Organization | None:
        if name is None or not name.strip():
            query = select(Organization).where(Organization.kind == DISTRICT_CENTER_KIND).order_by(Organization.id)
        else:
            query = select(Organization).where(
                (Organization.name == name.strip()) | (Organization.short_name == name.strip()),
                Organization.active,
            )
        organization = (await self.session.scalars(query.limit(2))).first()
        if organization is None:
            problems["organization"] = Problem("请选择有效的调解组织", f"no active organization named {name!r}")
        return organization

    async def set_active(self, user_id: int, active: bool, acting_user_id: int) -> User:
        async with write_transaction(self.session):
            user = await self.session.get_one(User, user_id)
            if user.id == acting_user_id and not active:
                raise Invalid({"user": Problem("不能停用自己的账号", "you cannot disable your own account")})
            user.active = active
            if not active:
                await self.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        return user

    async def reset_password(self, user_id: int, new_password: str) -> User:
        async with write_transaction(self.session):
            user = await self.session.get_one(User, user_id)
            if problem := rules.password_problem(new_password):
                raise Invalid({"password": problem})
            user.password_hash = hash_password(new_password)
            user.password_changed_at = utcnow()
            # A reset signs the user out everywhere and lifts any sign-in lock on the account.
            await self.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
            await self.session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
        return user

    async def list_users(self, query: str, page: int, per_page: int = 50) -> tuple[list[UserRow], bool]:
        statement = (
            select(
                User.id, User.username, User.display_name, User.role, Organization.name, User.active, User.created_at
            )
            .join(Organization, Organization.id == User.organization_id)
            .order_by(User.username)
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
        # Control characters mean nothing in a name (and SQLite's LIKE stops at a NUL); % and _ typed into
        # the search box are searched for, not used as wildcards.
        text = query.translate(_CONTROL_CHARACTERS).strip()
        if text:
            statement = statement.where(
                func.lower(User.username).contains(text.lower(), autoescape=True)
                | User.display_name.contains(text, autoescape=True)
            )
        rows = [UserRow(*row) for row in (await self.session.execute(statement)).all()]
        return rows[:per_page], len(rows) > per_page

    async def get_user(self, user_id: int) -> UserRow | None:
        row = (
            await self.session.execute(
                select(
                    User.id, User.username, User.display_name, User.role, Organization.name, User.active,
                    User.created_at,
                )
                .join(Organization, Organization.id == User.organization_id)
                .where(User.id == user_id)
            )
        ).first()
        return UserRow(*row) if row else None

    async def user_count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(User)) or 0
