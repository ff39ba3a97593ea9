"""The 枫桥 routing rule (DOMAIN.md): suggest the lowest level able to resolve a dispute.

"小事不出村、大事不出镇、矛盾不上交": village by default; town when the parties live in different villages
of one town, the risk is 较大, or a village attempt failed; the district center when the parties live in
different towns, the risk is 重大, 10 or more people are involved, or a town attempt failed. A specialised
committee takes the case when its type has one at that level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

LEVELS: Final = ("village", "town", "district")
LEVEL_LABELS: Final = {"village": "村居", "town": "镇街", "district": "区中心"}
SPECIALISED_TYPES: Final = frozenset(
    {"traffic_accident", "medical", "labour", "property_management", "marriage_family"}
)
GROUP_DISPUTE_PEOPLE: Final = 10


@dataclass(frozen=True)
class PartyPlace:
    town_id: int
    village_id: int


@dataclass(frozen=True)
class RoutingInput:
    case_place: PartyPlace
    party_places: Sequence[PartyPlace]
    risk_level: str
    people_involved: int
    dispute_type: str
    failed_at: str | None = None  # "village" or "town": a lower attempt failed
    # Dispute types that have a specialised committee, by level ("town", "district").
    specialised_at: Mapping[str, frozenset[str]] | None = None


@dataclass(frozen=True)
class RoutingSuggestion:
    level: str
    specialised: bool
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level] + ("（行业性专业性调委会）" if self.specialised else "")


def suggest_level(data: RoutingInput) -> RoutingSuggestion:
    places = [data.case_place, *data.party_places]
    towns = {place.town_id for place in places}
    villages = {place.village_id for place in places}
    district: list[str] = []
    town: list[str] = []
    if len(towns) > 1:
        district.append("当事人分属不同镇街")
    if data.risk_level == "major":
        district.append("风险等级为重大")
    if data.people_involved >= GROUP_DISPUTE_PEOPLE:
        district.append(f"涉及 {data.people_involved} 人（群体性纠纷）")
    if data.failed_at == "town":
        district.append("镇街调解未成功，由镇街提级")
    if len(villages) > 1 and len(towns) == 1:
        town.append("当事人分属同一镇街的不同村居")
    if data.risk_level == "serious":
        town.append("风险等级为较大")
    if data.failed_at == "village":
        town.append("村居调解未成功")
    if district:
        level, reasons = "district", district
    elif town:
        level, reasons = "town", town
    else:
        level, reasons = "village", ["一般风险、发生在本村居的纠纷，就地化解"]
    specialised = data.dispute_type in SPECIALISED_TYPES and data.dispute_type in (
        (data.specialised_at or {}).get(level, frozenset())
    )
    if specialised:
        reasons.append("该纠纷类型有本级行业性专业性调委会")
    return RoutingSuggestion(level, specialised, tuple(reasons))


def level_above(level: str) -> str | None:
    """Escalation (提级) goes one level up; the district center has nothing above it."""
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None
