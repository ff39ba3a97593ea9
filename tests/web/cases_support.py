"""Shared set-up for the case tests: a small district and a valid intake form."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.domain.places import PlaceTree
from mediation.models import Organization, Place
from mediation.services.places import PlaceService
from tests.conftest import post_form

VALID_ID = "11010519491231002X"
OTHER_ID = "440524188001010014"


@dataclass(frozen=True)
class District:
    town_a: int
    town_b: int
    village_a1: int
    village_a2: int
    village_b1: int
    grid_a1: int
    town_a_org: str
    village_a1_org: str
    village_b1_org: str


async def make_district(session: AsyncSession) -> District:
    tree = PlaceTree()
    tree.add("城关镇", "石门村", "第一网格")
    tree.add("城关镇", "大岭村", "")
    tree.add("东湖街道", "湖滨社区", "")
    await PlaceService(session).import_tree(tree)
    ids = {name: place_id for place_id, name in (await session.execute(select(Place.id, Place.name))).all()}
    await session.commit()
    return District(ids["城关镇"], ids["东湖街道"], ids["石门村"], ids["大岭村"], ids["湖滨社区"], ids["第一网格"],
                    "城关镇人民调解委员会", "城关镇石门村人民调解委员会", "东湖街道湖滨社区人民调解委员会")


async def organization_id(session: AsyncSession, name: str) -> int:
    return (await session.execute(select(Organization.id).where(Organization.name == name))).scalar_one()


def intake_form(district: District, **overrides: Any) -> dict[str, str]:
    form = {
        "intake_token": uuid.uuid4().hex,
        "source": "party_application",
        "dispute_type": "neighbourhood",
        "town": str(district.town_a),
        "village": str(district.village_a1),
        "grid": "",
        "applicant-0-kind": "person",
        "applicant-0-name": "张三",
        "applicant-0-id_number": VALID_ID,
        "applicant-0-phone": "13812345678",
        "applicant-0-address": "石门村 12 号",
        "respondent-0-kind": "person",
        "respondent-0-name": "李四",
        "respondent-0-id_number": "",
        "respondent-0-phone": "13900001111",
        "people_involved": "2",
        "amount_involved": "",
        "risk_level": "ordinary",
        "summary": "因宅基地边界发生争执，双方多次口角",
        "claims": "要求对方拆除越界围墙",
        "action": "accept",
    }
    form.update({key: str(value) for key, value in overrides.items()})
    return form


async def version_of(client, case_id) -> str:
    """The version the case page's forms carry (the edit guard)."""
    return re.search(r'name="version" value="(\d+)"', (await client.get(f"/cases/{case_id}")).text).group(1)


async def assign(client, case_id, **form):
    """Assigns the case through its form: advisor=<id>, mediators=<id or ids>."""
    mediators = form.pop("mediators", [])
    data = {"version": await version_of(client, case_id), **form}
    if mediators:
        data["mediators"] = mediators
    return await post_form(client, f"/cases/{case_id}/assign", data)
