"""The legal advisor registry ("一村一法律顾问"): import, the registry page and village coverage."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain.advisors import AdvisorRow
from mediation.domain.places import RowError
from mediation.models import CaseAssignment, LegalAdvisor, Place, User, advisor_village


class AdvisorImportInvalid(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class AdvisorImportSummary:
    created: int
    updated: int


@dataclass(frozen=True)
class AdvisorEntry:
    id: int
    name: str
    firm: str
    licence_no: str
    phone: str
    duty_days: str
    account: str
    active: bool
    villages: str
    open_cases: int


@dataclass(frozen=True)
class VillageCoverage:
    town: str
    village: str
    advisors: str

    @property
    def covered(self) -> bool:
        return bool(self.advisors)


@dataclass(frozen=True)
class Coverage:
    villages: list[VillageCoverage]

    @property
    def total(self) -> int:
        return len(self.villages)

    @property
    def covered(self) -> int:
        return sum(1 for village in self.villages if village.covered)

    @property
    def share(self) -> str:
        return f"{self.covered / self.total * 100:.1f}%" if self.total else "0.0%"

    @property
    def uncovered(self) -> list[VillageCoverage]:
        return [village for village in self.villages if not village.covered]


class AdvisorService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def import_rows(self, rows: list[AdvisorRow]) -> AdvisorImportSummary:
        """Check every row against the place tree and the accounts first; write all or nothing."""
        async with write_transaction(self.session):
            town = Place.__table__.alias("town_place")
            villages = {
                (town_name, village_name): village_id
                for village_id, village_name, town_name in (await self.session.execute(
                    select(Place.id, Place.name, town.c.name)
                    .join(town, town.c.id == Place.parent_id)
                    .where(Place.level == "village")
                )).all()
            }
            accounts = {
                username: (user_id, role)
                for user_id, username, role in (await self.session.execute(
                    select(User.id, User.username, User.role).where(
                        User.username.in_({row.account for row in rows if row.account}))
                )).all()
            }
            existing = {
                advisor.licence_no: advisor
                for advisor in await self.session.scalars(
                    select(LegalAdvisor).where(LegalAdvisor.licence_no.in_({row.licence_no for row in rows})))
            }
            linked = dict((await self.session.execute(
                select(LegalAdvisor.user_id, LegalAdvisor.licence_no).where(LegalAdvisor.user_id.is_not(None))
            )).all())
            errors: list[RowError] = []
            claimed: dict[int, int] = {}
            for row in rows:
                for pair in row.villages:
                    if pair not in villages:
                        errors.append(RowError(row.line, "服务村居", f"{pair[0]}/{pair[1]} is not in the place tree"))
                if row.account:
                    account = accounts.get(row.account)
                    if account is None:
                        errors.append(RowError(row.line, "账号", f"no account named {row.account!r}"))
                    elif account[1] != "advisor":
                        errors.append(RowError(row.line, "账号", f"{row.account!r} is not an advisor account"))
                    elif linked.get(account[0], row.licence_no) != row.licence_no:
                        errors.append(RowError(row.line, "账号", f"{row.account!r} is linked to another advisor"))
                    elif account[0] in claimed:
                        errors.append(RowError(row.line, "账号", f"{row.account!r} repeats line {claimed[account[0]]}"))
                    else:
                        claimed[account[0]] = row.line
            if errors:
                raise AdvisorImportInvalid(errors)
            created = updated = 0
            for row in rows:
                advisor = existing.get(row.licence_no)
                if advisor is None:
                    advisor = LegalAdvisor(licence_no=row.licence_no, name=row.name, firm=row.firm, phone=row.phone)
                    self.session.add(advisor)
                    created += 1
                else:
                    advisor.name, advisor.firm, advisor.phone = row.name, row.firm, row.phone
                    updated += 1
                advisor.user_id = accounts[row.account][0] if row.account else None
                await self.session.flush()
                await self.session.execute(delete(advisor_village).where(advisor_village.c.advisor_id == advisor.id))
                await self.session.execute(insert(advisor_village), [
                    {"advisor_id": advisor.id, "place_id": villages[pair]} for pair in row.villages])
        return AdvisorImportSummary(created, updated)

    async def coverage(self) -> Coverage:
        """Every village in place-tree order with the advisors serving it (empty: not covered)."""
        town = Place.__table__.alias("town_place")
        served = (
            select(advisor_village.c.place_id, LegalAdvisor.name)
            .join(LegalAdvisor, LegalAdvisor.id == advisor_village.c.advisor_id)
            .where(LegalAdvisor.active)
            .subquery()
        )
        rows = await self.session.execute(
            select(town.c.name, Place.name, func.coalesce(func.aggregate_strings(served.c.name, "、"), ""))
            .join(town, town.c.id == Place.parent_id)
            .outerjoin(served, served.c.place_id == Place.id)
            .where(Place.level == "village")
            .group_by(town.c.position, town.c.id, town.c.name, Place.position, Place.id, Place.name)
            .order_by(town.c.position, town.c.id, Place.position, Place.id)
        )
        return Coverage([VillageCoverage(*row) for row in rows.all()])


    async def registry(self) -> list[AdvisorEntry]:
        """Every advisor with the villages served and the open cases assigned (pending or accepted)."""
        town = Place.__table__.alias("town_place")
        villages = (
            select(advisor_village.c.advisor_id,
                   func.aggregate_strings(town.c.name + "/" + Place.name, "、").label("villages"))
            .join(Place, Place.id == advisor_village.c.place_id)
            .join(town, town.c.id == Place.parent_id)
            .group_by(advisor_village.c.advisor_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(LegalAdvisor.id, LegalAdvisor.name, LegalAdvisor.firm, LegalAdvisor.licence_no,
                   LegalAdvisor.phone, LegalAdvisor.duty_days, func.coalesce(User.username, ""),
                   LegalAdvisor.active, func.coalesce(villages.c.villages, ""),
                   LegalAdvisor.open_cases)
            .outerjoin(User, User.id == LegalAdvisor.user_id)
            .outerjoin(villages, villages.c.advisor_id == LegalAdvisor.id)
            .order_by(LegalAdvisor.active.desc(), LegalAdvisor.name, LegalAdvisor.id)
        )
        return [AdvisorEntry(*row) for row in rows.all()]
