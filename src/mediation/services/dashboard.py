"""What a user sees first: their organization's place in the tree and the district's size at a glance."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.models import LegalAdvisor, Organization, Place, User
from mediation.services.accounts import CurrentUser


@dataclass(frozen=True)
class Overview:
    organization_name: str
    place_name: str
    place_counts: dict[str, int]
    organizations: int
    active_users: int
    advisors: int


class DashboardService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def overview(self, user: CurrentUser) -> Overview:
        organization, place_name = (
            await self.session.execute(
                select(Organization.name, Place.name)
                .join(Place, Place.id == Organization.place_id)
                .where(Organization.id == user.organization_id)
            )
        ).one()
        counts = dict((await self.session.execute(select(Place.level, func.count()).group_by(Place.level))).all())
        return Overview(
            organization_name=organization,
            place_name=place_name,
            place_counts={level: counts.get(level, 0) for level in ("town", "village", "grid")},
            organizations=await self.session.scalar(
                select(func.count()).select_from(Organization).where(Organization.active)
            )
            or 0,
            active_users=await self.session.scalar(select(func.count()).select_from(User).where(User.active)) or 0,
            advisors=await self.session.scalar(
                select(func.count()).select_from(LegalAdvisor).where(LegalAdvisor.active)
            )
            or 0,
        )
