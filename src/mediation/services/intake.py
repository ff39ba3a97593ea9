"""Counter intake (登记受理 / 不予受理): the form's options, the live checks, and registering a case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import and_, case as sql_case, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain import deadlines
from mediation.domain.case_numbers import format_case_number
from mediation.domain.intake import IntakeDraft, PartyDraft
from mediation.domain.routing import LEVEL_LABELS, PartyPlace, RoutingInput, RoutingSuggestion, suggest_level
from mediation.domain.validation import Invalid, Problem
from mediation.domain.workflow import REFUSAL_REASONS, status_label
from mediation.models import CaseEvent, CaseNumberCounter, MediationCase, Organization, Party, Place
from mediation.models.base import utcnow
from mediation.services.access import case_scope
from mediation.services.accounts import CurrentUser
from mediation.services.dictionaries import DictionaryService
from mediation.settings import Settings


class Option(NamedTuple):
    """A select option; it unpacks as (value, label) in the templates' select macro."""

    value: str
    label: str


@dataclass(frozen=True)
class IntakeOptions:
    sources: list[Option]
    dispute_types: list[Option]
    risk_levels: list[Option]
    towns: list[Option]


@dataclass(frozen=True)
class EarlierCase:
    id: int
    number: str
    status: str
    accepted_on: date | None
    registered_on: date
    applicant_names: str
    respondent_names: str
    matched_on: str

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True)
class RegisteredCase:
    id: int
    number: str
    created: bool  # False when the same form was submitted twice: the first case is returned


class IntakeService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def options(self) -> IntakeOptions:
        by_kind: dict[str, list[Option]] = {}
        for entry in await DictionaryService(self.session).entries(active_only=True):  # in kind, then list order
            by_kind.setdefault(entry.kind, []).append(Option(entry.code, entry.label))
        return IntakeOptions(
            sources=by_kind.get("case_source", []),
            dispute_types=by_kind.get("dispute_type", []),
            risk_levels=by_kind.get("risk_level", []),
            towns=await self.places_under(None),
        )

    async def places_under(self, parent_id: int | None) -> list[Option]:
        """Children in place-tree order; None asks for the towns (children of the district)."""
        if parent_id is None:
            query = select(Place.id, Place.name).where(Place.level == "town")
        else:
            query = select(Place.id, Place.name).where(Place.parent_id == parent_id)
        rows = await self.session.execute(query.order_by(Place.position, Place.id))
        return [Option(str(place_id), name) for place_id, name in rows.all()]

    async def valid_codes(self) -> tuple[set[str], set[str], set[str]]:
        dictionaries = DictionaryService(self.session)
        return (
            {e.code for e in await dictionaries.entries("case_source", active_only=True)},
            {e.code for e in await dictionaries.entries("dispute_type", active_only=True)},
            {e.code for e in await dictionaries.entries("risk_level", active_only=True)},
        )

    async def earlier_cases(self, user: CurrentUser, parties: list[PartyDraft], village_id: int | None,
                            limit: int = 10) -> list[EarlierCase]:
        """Earlier cases of the same people, within what the user may see: same 身份证号 or phone, or the
        same name in the same village."""
        conditions = []
        ids = {p.id_number for p in parties if len(p.id_number) >= 15}
        phones = {p.phone for p in parties if len(p.phone) >= 7}
        names = {p.name for p in parties if p.name}
        if ids:
            conditions.append(Party.id_number.in_(ids))
        if phones:
            conditions.append(Party.phone.in_(phones))
        if names and village_id:
            conditions.append(and_(Party.village_id == village_id, Party.name.in_(names)))
        if not conditions:
            return []
        def flag(condition: Any) -> Any:
            return func.max(sql_case((condition, 1), else_=0))

        matched = (
            select(
                Party.case_id,
                flag(Party.id_number.in_(ids)) if ids else literal(0),
                flag(Party.phone.in_(phones)) if phones else literal(0),
            )
            .where(or_(*conditions))
            .group_by(Party.case_id)
            .subquery()
        )
        query = (
            select(
                MediationCase.id, MediationCase.number, MediationCase.status, MediationCase.accepted_on,
                MediationCase.registered_on, MediationCase.applicant_names, MediationCase.respondent_names,
                matched.c[1], matched.c[2],
            )
            .join(matched, matched.c.case_id == MediationCase.id)
            .where(MediationCase.status != "voided", case_scope(user))
            .order_by(MediationCase.registered_on.desc(), MediationCase.id.desc())
            .limit(limit)
        )
        found = []
        for row in (await self.session.execute(query)).all():
            same_id, same_phone = row[7], row[8]
            reason = "身份证号相同" if same_id else "电话相同" if same_phone else "同村同名"
            found.append(EarlierCase(*row[:7], matched_on=reason))
        return found

    async def suggestion(self, draft: IntakeDraft) -> RoutingSuggestion:
        return await self.suggest(draft.town_id, draft.village_id, list(draft.parties), draft.dispute_type,
                                  draft.risk_level, draft.people_involved)

    async def suggest(self, town_id: int, village_id: int, parties: list[PartyDraft], dispute_type: str,
                      risk_level: str, people_involved: int) -> RoutingSuggestion:
        """The 枫桥 rule over the case's place and each party's (a party's place defaults to the case's)."""
        party_places = [PartyPlace(p.town_id or town_id, p.village_id or village_id) for p in parties]
        return suggest_level(
            RoutingInput(
                case_place=PartyPlace(town_id, village_id),
                party_places=party_places,
                risk_level=risk_level,
                people_involved=people_involved,
                dispute_type=dispute_type,
                specialised_at=await self._specialised_types(town_id),
            )
        )

    async def _specialised_types(self, town_id: int) -> dict[str, frozenset[str]]:
        rows = await self.session.execute(
            select(Place.level, Organization.specialty)
            .join(Place, Place.id == Organization.place_id)
            .where(
                Organization.kind == "specialised", Organization.active, Organization.specialty.is_not(None),
                or_(Place.level == "district", Place.id == town_id),
            )
        )
        found: dict[str, set[str]] = {}
        for level, specialty in rows.all():
            found.setdefault(level, set()).add(specialty)
        return {level: frozenset(types) for level, types in found.items()}

    async def _check_places(self, draft: IntakeDraft) -> None:
        problems: dict[str, Problem] = {}
        wanted = {draft.town_id, draft.village_id} | {draft.grid_id} - {None}
        for party in draft.parties:
            wanted |= {party.town_id, party.village_id} - {None}
        rows = await self.session.execute(select(Place.id, Place.parent_id, Place.level).where(Place.id.in_(wanted)))
        places = {place_id: (parent_id, level) for place_id, parent_id, level in rows.all()}
        if places.get(draft.town_id, (None, ""))[1] != "town":
            problems["town"] = Problem("请选择有效的镇街", "unknown town")
        if places.get(draft.village_id) != (draft.town_id, "village"):
            problems["village"] = Problem("所选村居不属于该镇街", "the village is not in that town")
        if draft.grid_id is not None and places.get(draft.grid_id) != (draft.village_id, "grid"):
            problems["grid"] = Problem("所选网格不属于该村居", "the grid is not in that village")
        for party in draft.parties:
            key = f"{party.side}-{party.form_index}-village"
            if party.village_id is not None:
                parent = places.get(party.village_id)
                if parent is None or parent[1] != "village" or (party.town_id and parent[0] != party.town_id):
                    problems[key] = Problem("当事人所在村居无效或不属于所选镇街", "bad party village")
            if party.town_id is not None and places.get(party.town_id, (None, ""))[1] != "town":
                problems[key.replace("-village", "-town")] = Problem("当事人所在镇街无效", "bad party town")
        if problems:
            raise Invalid(problems)

    async def _target_organization(self, draft: IntakeDraft, level: str, specialised: bool) -> Organization:
        if specialised:
            place_filter = Place.level == "district" if level == "district" else Place.id == draft.town_id
            found = await self.session.scalar(
                select(Organization)
                .join(Place, Place.id == Organization.place_id)
                .where(Organization.kind == "specialised", Organization.active,
                       Organization.specialty == draft.dispute_type, place_filter)
                .order_by(Organization.id)
                .limit(1)
            )
            if found is not None:
                return found
        if level == "district":
            query = select(Organization).where(Organization.kind == "district_center")
        elif level == "town":
            query = select(Organization).where(Organization.kind == "town_committee",
                                               Organization.place_id == draft.town_id)
        else:
            query = select(Organization).where(Organization.kind == "village_committee",
                                               Organization.place_id == draft.village_id)
        found = await self.session.scalar(query.where(Organization.active).order_by(Organization.id).limit(1))
        if found is None:
            raise Invalid({"level": Problem(f"{LEVEL_LABELS[level]}没有在用的调解组织，请选择其他层级",
                                            "no active organization at that level")})
        return found

    async def next_number(self, organization: Organization, year: int) -> str:
        """Hand out the next number with one atomic upsert: concurrent intakes never share a number."""
        insert = pg_insert if self.session.bind.dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(CaseNumberCounter)
            .values(organization_id=organization.id, year=year, last_seq=1)
            .on_conflict_do_update(
                index_elements=["organization_id", "year"],
                set_={"last_seq": CaseNumberCounter.last_seq + 1},
            )
            .returning(CaseNumberCounter.last_seq)
        )
        seq = (await self.session.execute(statement)).scalar_one()
        return format_case_number(self.settings.case_number_template, year, organization.short_name, seq)

    async def register(self, draft: IntakeDraft, user: CurrentUser, intake_token: str,
                       refusing: bool = False) -> RegisteredCase:
        intake_token = intake_token.strip()[:40] or uuid.uuid4().hex
        async with write_transaction(self.session):
            existing = (
                await self.session.execute(
                    select(MediationCase.id, MediationCase.number).where(MediationCase.intake_token == intake_token)
                )
            ).first()
            if existing is not None:
                return RegisteredCase(existing[0], existing[1], created=False)
            await self._check_places(draft)
            suggestion = await self.suggestion(draft)
            level = draft.chosen_level or suggestion.level
            specialised = suggestion.specialised and level == suggestion.level
            if level != suggestion.level and not draft.level_reason:
                raise Invalid({"level_reason": Problem(
                    f"建议分流到{suggestion.label}；改为{LEVEL_LABELS[level]}须说明理由", "override needs a reason")})
            target = await self._target_organization(draft, level, specialised)
            registering = await self.session.get_one(Organization, user.organization_id)
            today = deadlines.local_date(utcnow(), self.settings.tz)
            number = await self.next_number(registering, today.year)
            earlier = await self.earlier_cases(user, list(draft.parties), draft.village_id, limit=1)
            accepted_on = None if refusing else today
            case = MediationCase(
                number=number,
                intake_token=intake_token,
                status="refused" if refusing else "accepted",
                source=draft.source,
                dispute_type=draft.dispute_type,
                risk_level=draft.risk_level,
                town_id=draft.town_id,
                village_id=draft.village_id,
                grid_id=draft.grid_id,
                people_involved=draft.people_involved,
                amount_involved=draft.amount_involved,
                summary=draft.summary,
                claims=draft.claims,
                applicant_names="、".join(p.name for p in draft.side("applicant"))[:400],
                respondent_names="、".join(p.name for p in draft.side("respondent"))[:400],
                registered_on=today,
                accepted_on=accepted_on,
                deadline=deadlines.deadline_for(accepted_on) if accepted_on else None,
                registering_organization_id=registering.id,
                organization_id=target.id,
                registered_by_id=user.id,
                suggested_level=suggestion.level,
                level=level,
                refusal_reason=draft.refusal_reason,
                refusal_note=draft.refusal_note,
                repeat_of_id=earlier[0].id if earlier else None,
            )
            self.session.add(case)
            await self.session.flush()
            for side in ("applicant", "respondent"):
                for position, party in enumerate(draft.side(side)):
                    self.session.add(Party(
                        case_id=case.id, side=side, position=position, kind=party.kind, name=party.name,
                        id_number=party.id_number, phone=party.phone, address=party.address,
                        town_id=party.town_id or draft.town_id, village_id=party.village_id or draft.village_id,
                    ))
            events = [self._event(case, user, "registered", f"登记，案件编号 {number}")]
            if refusing:
                reason = REFUSAL_REASONS.get(draft.refusal_reason or "", "")
                events.append(self._event(case, user, "refused", "不予受理", "；".join(
                    part for part in (reason, draft.refusal_note) if part)))
            else:
                events.append(self._event(
                    case, user, "accepted", f"受理，办理期限至 {case.deadline.isoformat()}（30 天）"))
                routed = f"分流至{LEVEL_LABELS[level]}：{target.name}"
                if level == suggestion.level:
                    events.append(self._event(case, user, "routed", routed + "（采纳系统建议）",
                                              "；".join(suggestion.reasons)))
                else:
                    events.append(self._event(
                        case, user, "routed", routed + f"（系统建议{suggestion.label}，已改变）", draft.level_reason))
            if earlier:
                events.append(self._event(case, user, "repeat", f"重复来访：此前案件 {earlier[0].number}",
                                          earlier[0].matched_on, {"earlier_case_id": earlier[0].id}))
            self.session.add_all(events)
            result = RegisteredCase(case.id, case.number, created=True)
        return result

    @staticmethod
    def _event(case: MediationCase, user: CurrentUser, kind: str, summary: str, reason: str = "",
               detail: dict | None = None) -> CaseEvent:
        return CaseEvent(case_id=case.id, actor_id=user.id, kind=kind, summary=summary[:400], reason=reason,
                         detail=detail)
