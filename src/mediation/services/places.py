"""The place tree and the mediation organizations: import, browse in place-tree order, edit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import case, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain.places import CHILD_LEVEL, LEVEL_LABELS, MAX_PLACE_NAME, PlaceTree
from mediation.domain.validation import Invalid, Problem
from mediation.models import Organization, Place

ORGANIZATION_KINDS = {
    "district_center": "区矛盾纠纷调解中心",
    "town_committee": "镇街调委会",
    "village_committee": "村居调委会",
    "specialised": "行业性专业性调委会",
}
_SUFFIXES = re.compile(r"(街道办事处|街道|社区居委会|社区|居委会|村委会|新村|镇|乡|村)$")


def short_name_for(*names: str) -> str:
    """The short name used in case numbers: place names without their 镇/街道/村/社区 suffixes."""
    return "".join(_SUFFIXES.sub("", name) or name for name in names)[:20]


@dataclass(frozen=True)
class ImportSummary:
    towns: int
    villages: int
    grids: int
    organizations: int

    @property
    def total(self) -> int:
        return self.towns + self.villages + self.grids


@dataclass(frozen=True)
class PlaceNode:
    id: int
    name: str
    level: str
    position: int
    children: int

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


@dataclass(frozen=True)
class OrganizationRow:
    id: int
    name: str
    short_name: str
    kind: str
    place_name: str
    specialty: str | None
    active: bool

    @property
    def kind_label(self) -> str:
        return ORGANIZATION_KINDS.get(self.kind, self.kind)


class PlaceService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def district(self) -> Place:
        return (await self.session.scalars(select(Place).where(Place.parent_id.is_(None)).order_by(Place.id))).one()

    async def import_tree(self, tree: PlaceTree) -> ImportSummary:
        """Create what is missing (re-importing the same file changes nothing), with each new committee.
        Each level's new places are inserted in one statement, then the new committees in another."""
        async with write_transaction(self.session):
            district = await self.district()
            existing = {
                (parent_id, name): (place_id, level)
                for place_id, parent_id, name, level in (
                    await self.session.execute(select(Place.id, Place.parent_id, Place.name, Place.level))
                ).all()
            }
            next_position: dict[int, int] = dict(
                (await self.session.execute(select(Place.parent_id, func.max(Place.position)).group_by(Place.parent_id))).all()
            )
            org_names = set(await self.session.scalars(select(Organization.name)))
            # A committee is identified by its place and kind, so a renamed committee is not created again.
            committee_places = set(
                (
                    await self.session.execute(
                        select(Organization.place_id, Organization.kind).where(
                            Organization.kind.in_(("town_committee", "village_committee"))
                        )
                    )
                ).all()
            )
            created = {"town": 0, "village": 0, "grid": 0}

            def found(parent_id: int, name: str, level: str) -> int | None:
                place = existing.get((parent_id, name))
                if place and place[1] != level:
                    raise Invalid({"places": Problem(f"“{name}”已作为其他层级存在",
                                                     f"{name!r} exists at another level")})
                return place[0] if place else None

            # Places at another level are refused before anything is written, the first in file order reported
            # (only children of existing places can clash).
            for town, town_villages in tree.towns.items():
                if (town_id := found(district.id, town, "town")) is None:
                    continue
                for village, grids in town_villages.items():
                    if (village_id := found(town_id, village, "village")) is not None:
                        for grid in grids:
                            found(village_id, grid, "grid")

            async def ensure_level(level: str, wanted: list[tuple[int, str]]) -> list[int]:
                """The ids of the (parent id, name) places, the missing ones inserted after their siblings."""
                new = [key for key in wanted if key not in existing]
                rows = []
                for parent_id, name in new:
                    next_position[parent_id] = position = next_position.get(parent_id, 0) + 1
                    rows.append({"parent_id": parent_id, "name": name, "level": level, "position": position})
                if rows:
                    ids = await self.session.scalars(
                        insert(Place).returning(Place.id, sort_by_parameter_order=True), rows)
                    for key, place_id in zip(new, ids, strict=True):
                        existing[key] = (place_id, level)
                    created[level] = len(rows)
                return [existing[key][0] for key in wanted]

            towns = list(tree.towns)
            town_ids = dict(zip(
                towns, await ensure_level("town", [(district.id, town) for town in towns]), strict=True))
            villages = [(town, village) for town in towns for village in tree.towns[town]]
            village_ids = dict(zip(villages, await ensure_level(
                "village", [(town_ids[town], village) for town, village in villages]), strict=True))
            await ensure_level("grid", [(village_ids[(town, village)], grid)
                                        for town, village in villages for grid in tree.towns[town][village]])

            committees: list[dict[str, object]] = []

            def add_committee(place_id: int, name: str, short_name: str, kind: str) -> None:
                if (place_id, kind) not in committee_places and name not in org_names:
                    committee_places.add((place_id, kind))
                    org_names.add(name)
                    committees.append(
                        {"name": name, "short_name": short_name, "kind": kind, "place_id": place_id})

            for town in towns:
                add_committee(town_ids[town], f"{town}人民调解委员会", short_name_for(town), "town_committee")
                for village in tree.towns[town]:
                    add_committee(village_ids[(town, village)], f"{town}{village}人民调解委员会",
                                  short_name_for(town, village), "village_committee")
            if committees:
                await self.session.execute(insert(Organization), committees)
        return ImportSummary(created["town"], created["village"], created["grid"], len(committees))

    async def children(self, parent_id: int) -> list[PlaceNode]:
        inner = Place.__table__.alias("inner_place")
        child_count = (
            select(func.count()).select_from(inner).where(inner.c.parent_id == Place.id).scalar_subquery()
        )
        rows = await self.session.execute(
            select(Place.id, Place.name, Place.level, Place.position, child_count)
            .where(Place.parent_id == parent_id)
            .order_by(Place.position, Place.id)
        )
        return [PlaceNode(*row) for row in rows.all()]

    async def get(self, place_id: int) -> Place | None:
        return await self.session.get(Place, place_id)

    async def ancestors(self, place: Place) -> list[Place]:
        """The chain from the district down to (and including) `place`; at most four levels."""
        chain = [place]
        while chain[0].parent_id is not None:
            parent = await self.session.get_one(Place, chain[0].parent_id)
            chain.insert(0, parent)
        return chain

    async def add_child(self, parent_id: int, name: str) -> Place:
        name = name.strip()
        async with write_transaction(self.session):
            parent = await self.session.get(Place, parent_id)
            if parent is None or parent.level not in CHILD_LEVEL:
                raise Invalid({"name": Problem("此处不能再添加下级地点", "this place cannot have children")})
            self._check_name(name)
            await self._check_unique(parent.id, name, None)
            position = (
                await self.session.scalar(select(func.max(Place.position)).where(Place.parent_id == parent.id)) or 0
            ) + 1
            place = Place(parent_id=parent.id, name=name, level=CHILD_LEVEL[parent.level], position=position)
            self.session.add(place)
            await self.session.flush()
            if place.level in ("town", "village"):
                chain = await self.ancestors(place)
                names = [p.name for p in chain[1:]]
                self.session.add(
                    Organization(
                        name="".join(names) + "人民调解委员会",
                        short_name=short_name_for(*names),
                        kind=f"{place.level}_committee",
                        place_id=place.id,
                    )
                )
        return place

    async def rename(self, place_id: int, name: str) -> Place:
        name = name.strip()
        async with write_transaction(self.session):
            place = await self.session.get(Place, place_id)
            if place is None:
                raise Invalid({"name": Problem("地点不存在", "no such place")})
            self._check_name(name)
            await self._check_unique(place.parent_id, name, place.id)
            place.name = name
        return place

    async def move(self, place_id: int, direction: int) -> Place:
        """Swap a place with its previous (-1) or next (+1) sibling: the administrator rearranges the tree."""
        async with write_transaction(self.session):
            place = await self.session.get(Place, place_id)
            if place is None or place.parent_id is None:
                raise Invalid({"place": Problem("地点不存在", "no such place")})
            siblings = Place.parent_id == place.parent_id
            neighbour_query = select(Place).where(siblings)
            if direction < 0:
                neighbour_query = neighbour_query.where(Place.position < place.position).order_by(
                    Place.position.desc()
                )
            else:
                neighbour_query = neighbour_query.where(Place.position > place.position).order_by(Place.position)
            neighbour = (await self.session.scalars(neighbour_query.limit(1))).first()
            if neighbour is not None:
                place.position, neighbour.position = neighbour.position, place.position
        return place

    def _check_name(self, name: str) -> None:
        if not name:
            raise Invalid({"name": Problem("请填写名称", "a name is required")})
        if len(name) > MAX_PLACE_NAME:
            raise Invalid({"name": Problem(f"名称不能超过 {MAX_PLACE_NAME} 个字符", "the name is too long")})
        if "/" in name or "、" in name:
            raise Invalid({"name": Problem("名称不能包含“/”或“、”", "a name must not contain '/' or '、'")})

    async def _check_unique(self, parent_id: int | None, name: str, own_id: int | None) -> None:
        query = select(Place.id).where(Place.parent_id == parent_id, Place.name == name)
        if own_id is not None:
            query = query.where(Place.id != own_id)
        if await self.session.scalar(query):
            raise Invalid({"name": Problem("同一上级下已有同名地点", "a sibling already has this name")})

    async def organizations(self) -> list[OrganizationRow]:
        """Every organization in place-tree order: district center, then each town and its villages."""
        town = Place.__table__.alias("town_place")
        rows = await self.session.execute(
            select(
                Organization.id, Organization.name, Organization.short_name, Organization.kind, Place.name,
                Organization.specialty, Organization.active,
            )
            .join(Place, Place.id == Organization.place_id)
            .outerjoin(town, town.c.id == Place.parent_id)
            .order_by(
                Organization.kind != "district_center",
                Organization.kind != "specialised",
                case((Place.level == "village", town.c.position), else_=Place.position),
                Place.level != "town",
                Place.position,
                Organization.id,
            )
        )
        return [OrganizationRow(*row) for row in rows.all()]

    async def organization(self, organization_id: int) -> OrganizationRow | None:
        row = (
            await self.session.execute(
                select(
                    Organization.id, Organization.name, Organization.short_name, Organization.kind, Place.name,
                    Organization.specialty, Organization.active,
                )
                .join(Place, Place.id == Organization.place_id)
                .where(Organization.id == organization_id)
            )
        ).first()
        return OrganizationRow(*row) if row else None

    async def add_specialised(self, name: str, short_name: str, specialty: str) -> Organization:
        async with write_transaction(self.session):
            problems = await self._organization_problems(name, short_name, None)
            if not specialty:
                problems["specialty"] = Problem("请选择专业领域", "a specialty is required")
            if problems:
                raise Invalid(problems)
            district = await self.district()
            organization = Organization(
                name=name.strip(), short_name=short_name.strip(), kind="specialised", place_id=district.id,
                specialty=specialty,
            )
            self.session.add(organization)
        return organization

    async def update_organization(self, organization_id: int, name: str, short_name: str, active: bool) -> None:
        async with write_transaction(self.session):
            organization = await self.session.get(Organization, organization_id)
            if organization is None:
                raise Invalid({"name": Problem("调解组织不存在", "no such organization")})
            problems = await self._organization_problems(name, short_name, organization.id)
            if not active and organization.kind == "district_center":
                problems["active"] = Problem("区矛盾纠纷调解中心不能停用", "the district center cannot be disabled")
            if problems:
                raise Invalid(problems)
            organization.name = name.strip()
            organization.short_name = short_name.strip()
            organization.active = active

    async def _organization_problems(self, name: str, short_name: str, own_id: int | None) -> dict[str, Problem]:
        problems: dict[str, Problem] = {}
        if not name.strip():
            problems["name"] = Problem("请填写组织名称", "a name is required")
        elif len(name.strip()) > 100:
            problems["name"] = Problem("组织名称不能超过 100 个字符", "the name is too long")
        else:
            query = select(Organization.id).where(Organization.name == name.strip())
            if own_id is not None:
                query = query.where(Organization.id != own_id)
            if await self.session.scalar(query):
                problems["name"] = Problem("已有同名的调解组织", "an organization with this name exists")
        if not short_name.strip():
            problems["short_name"] = Problem("请填写简称（用于案件编号）", "a short name is required")
        elif len(short_name.strip()) > 20:
            problems["short_name"] = Problem("简称不能超过 20 个字符", "the short name is too long")
        return problems
