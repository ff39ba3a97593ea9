"""The party-facing progress lookup (/track): case number plus the last four digits of a party's phone.

Shows status, stage, organization and next step, and nothing personal. Failed lookups are throttled
per address in the database, so guessing is slow on every worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain import workflow
from mediation.domain.routing import LEVEL_LABELS
from mediation.models import LoginFailure, MediationCase, Organization, Party
from mediation.models.base import utcnow

TRACK_KEY = "/track"
TRACK_LIMIT = 10
TRACK_WINDOW_MINUTES = 15


@dataclass(frozen=True)
class Progress:
    number: str
    status: str
    level: str
    organization: str
    registered_on: date
    deadline: date | None

    @property
    def status_label(self) -> str:
        return workflow.status_label(self.status)

    @property
    def next_step(self) -> str:
        return workflow.next_step(self.status)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


class TrackingRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TrackingService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lookup(self, number: str, phone_tail: str, address: str) -> Progress:
        number, phone_tail, address = number.strip()[:60], phone_tail.strip(), address[:64]
        if not number or len(phone_tail) != 4 or not (phone_tail.isascii() and phone_tail.isdigit()):
            raise TrackingRefused("请输入案件编号和当事人电话的后 4 位数字")
        now = utcnow()
        found: Progress | None = None
        async with write_transaction(self.session):
            failures = await self.session.scalar(
                select(func.count()).select_from(LoginFailure).where(
                    LoginFailure.username == TRACK_KEY, LoginFailure.address == address,
                    LoginFailure.occurred_at >= now - timedelta(minutes=TRACK_WINDOW_MINUTES)))
            if (failures or 0) >= TRACK_LIMIT:
                raise TrackingRefused(f"查询失败次数过多，请 {TRACK_WINDOW_MINUTES} 分钟后再试")
            row = (await self.session.execute(
                select(MediationCase.number, MediationCase.status, MediationCase.level, Organization.name,
                       MediationCase.registered_on, MediationCase.deadline)
                .join(Organization, Organization.id == MediationCase.organization_id)
                .where(MediationCase.number == number, MediationCase.status != "voided",
                       MediationCase.id.in_(select(Party.case_id).where(Party.phone.like("%" + phone_tail))))
            )).first()
            if row is None:
                self.session.add(LoginFailure(username=TRACK_KEY, address=address, occurred_at=now))
            else:
                found = Progress(*row)
                await self.session.execute(delete(LoginFailure).where(
                    LoginFailure.username == TRACK_KEY, LoginFailure.address == address,
                    LoginFailure.occurred_at < now - timedelta(minutes=TRACK_WINDOW_MINUTES)))
        if found is None:
            raise TrackingRefused("没有找到匹配的案件，请核对案件编号和电话后 4 位")
        return found
