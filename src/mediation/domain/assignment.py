"""Assigning people to a case: the suggested legal advisor and the conflict-of-interest check (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AdvisorCandidate:
    advisor_id: int
    name: str
    serves_village: bool
    same_town: bool
    open_cases: int


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str = ""


def rank_advisors(candidates: Iterable[AdvisorCandidate]) -> list[AdvisorCandidate]:
    """一村一法律顾问: the advisor serving the case's village first, then the town's others by open workload."""
    eligible = [c for c in candidates if c.serves_village or c.same_town]
    return sorted(eligible, key=lambda c: (not c.serves_village, c.open_cases, c.name, c.advisor_id))


def conflicts(person: Person, parties: Sequence[Person], declared_relations: Iterable[str] = ()) -> list[str]:
    """Why `person` may not take the case (Chinese reasons); empty when there is no conflict of interest."""
    reasons = []
    for party in parties:
        if person.id_number and party.id_number and person.id_number == party.id_number:
            reasons.append(f"与当事人{party.name}身份证号相同")
        elif person.name and person.name == party.name:
            reasons.append(f"与当事人{party.name}同名")
    reasons += [f"已申报关系：{relation}" for relation in declared_relations if relation.strip()]
    return reasons
