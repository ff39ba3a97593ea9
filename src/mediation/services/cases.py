"""Finding and handling cases: the list with filters, search and keyset paging; one case with its
timeline; editing with optimistic concurrency; transfer, escalation and voiding. Every query is scoped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ColumnElement, Integer, Select, and_, column, false, func, literal, or_, select, text, tuple_, union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from mediation.database import write_transaction
from mediation.domain import deadlines, workflow
from mediation.domain.closing import FAILURE_ROUTES, OUTCOMES
from mediation.domain.id_numbers import mask_id_number
from mediation.domain.intake import MAX_SUMMARY, parse_intake
from mediation.domain.routing import LEVEL_LABELS, level_above
from mediation.domain.validation import Invalid, Problem, whole_number
from mediation.models import CaseEvent, DictionaryEntry, MediationCase, Organization, Party, Place, User
from mediation.models.base import utcnow
from mediation.models.cases import case_among, open_case
from mediation.services.access import case_scope
from mediation.services.accounts import CurrentUser
from mediation.settings import Settings

PAGE_SIZE = 25
# A search finding at most this many cases sorts them; one finding more walks the list in order (see _search).
SEARCH_FEW = 2000
SORTS = {"recent": "受理日期（新→旧）", "deadline": "期限（近→远）"}
DUE_FILTERS = {"near": "临期（5 天内）", "overdue": "已逾期"}
FULL_ID_ROLES = frozenset({"counter", "village_mediator", "supervisor", "admin"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURSOR = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{1,12})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CaseConflict(Exception):
    """Someone else saved the case since this form was opened."""


class CaseNotFound(Exception):
    """No such case, or not within the user's scope (the same answer for both)."""


def _parse_date(value: str) -> date | None:
    if not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _positive_int(value: str) -> int | None:
    number = whole_number(value)
    return number if number else None


@dataclass(frozen=True)
class CaseFilters:
    """The list's filters, as they appear in the address (bookmarkable; unknown values are ignored)."""

    q: str = ""
    status: str = ""
    dispute_type: str = ""
    risk_level: str = ""
    town: int | None = None
    village: int | None = None
    organization: int | None = None
    accepted_from: date | None = None
    accepted_to: date | None = None
    due: str = ""
    mine: bool = False
    sort: str = "recent"
    after: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> CaseFilters:
        def get(name: str, limit: int = 40) -> str:
            # Control characters mean nothing in a filter, and a NUL breaks the full-text search.
            return _CONTROL.sub(" ", str(params.get(name, "") or "")).strip()[:limit]

        status = get("status")
        due = get("due")
        sort = get("sort") or "recent"
        return cls(
            q=get("q", 60),
            status=status if status in workflow.STATUS_LABELS else "",
            dispute_type=get("dispute_type"),
            risk_level=get("risk_level"),
            town=_positive_int(get("town")),
            village=_positive_int(get("village")),
            organization=_positive_int(get("organization")),
            accepted_from=_parse_date(get("accepted_from")),
            accepted_to=_parse_date(get("accepted_to")),
            due=due if due in DUE_FILTERS else "",
            mine=get("mine") == "1",
            sort=sort if sort in SORTS else "recent",
            after=get("after", 30) if _CURSOR.fullmatch(get("after", 30)) else "",
        )

    def query_items(self, **changes: object) -> list[tuple[str, str]]:
        """The filters as address parameters (for links to the next page and to other sorts)."""
        current = replace(self, **changes)  # type: ignore[arg-type]
        items = []
        for name in ("q", "status", "dispute_type", "risk_level", "town", "village", "organization",
                     "accepted_from", "accepted_to", "due", "sort", "after"):
            value = getattr(current, name)
            if value not in ("", None) and not (name == "sort" and value == "recent"):
                items.append((name, value.isoformat() if isinstance(value, date) else str(value)))
        if current.mine:
            items.append(("mine", "1"))
        return items


@dataclass(frozen=True)
class CaseRow:
    id: int
    number: str
    accepted_on: date | None
    registered_on: date
    dispute_type: str
    village: str
    applicant_names: str
    respondent_names: str
    status: str
    deadline: date | None
    risk_level: str
    today: date

    @property
    def status_label(self) -> str:
        return workflow.status_label(self.status)

    @property
    def deadline_state(self) -> str:
        if self.status not in workflow.OPEN_STATUSES:
            return "none"
        return deadlines.deadline_state(self.deadline, self.today)

    @property
    def days_left_text(self) -> str:
        if self.deadline is None or self.status not in workflow.OPEN_STATUSES:
            return ""
        return deadlines.describe_days_left(self.deadline, self.today)


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    next_cursor: str | None


@dataclass(frozen=True)
class PartyView:
    side: str
    kind: str
    name: str
    id_number: str
    phone: str
    address: str
    place: str


@dataclass(frozen=True)
class EventView:
    occurred_at: datetime
    actor: str
    kind: str
    summary: str
    reason: str


@dataclass(frozen=True)
class CaseView:
    id: int
    number: str
    status: str
    source: str
    dispute_type: str
    dispute_type_code: str
    source_code: str
    risk_level: str
    risk_level_code: str
    preventive_steps: str
    town: str
    village: str
    grid: str
    people_involved: int
    amount_involved: Decimal | None
    summary: str
    claims: str
    registered_on: date
    accepted_on: date | None
    deadline: date | None
    organization: str
    organization_id: int
    registering_organization: str
    level: str
    suggested_level: str
    refusal_reason: str
    refusal_note: str
    void_reason: str
    repeat_of: tuple[int, str] | None
    version: int
    today: date
    outcome: str = ""
    closed_on: date | None = None
    failure_route: str = ""
    referral: str = ""
    prevented_criminal_people: int = 0
    prevented_petition_people: int = 0
    archive_number: str = ""
    archived_on: date | None = None
    retention_period: str = ""
    parties: list[PartyView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return workflow.status_label(self.status)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def open(self) -> bool:
        return self.status in workflow.OPEN_STATUSES

    @property
    def deadline_state(self) -> str:
        return deadlines.deadline_state(self.deadline, self.today) if self.open else "none"

    @property
    def days_left_text(self) -> str:
        return deadlines.describe_days_left(self.deadline, self.today) if self.open and self.deadline else ""

    def side(self, side: str) -> list[PartyView]:
        return [party for party in self.parties if party.side == side]


def _label_subquery(kind: str, column: ColumnElement) -> ColumnElement:
    return (
        select(DictionaryEntry.label)
        .where(DictionaryEntry.kind == kind, DictionaryEntry.code == column)
        .scalar_subquery()
    )


_village_place = Place.__table__.alias("village_place")
# The list's columns, built once (a statement is immutable; each list adds its conditions to a copy).
_CASE_ROWS = (
    select(
        MediationCase.id, MediationCase.number, MediationCase.accepted_on, MediationCase.registered_on,
        _label_subquery("dispute_type", MediationCase.dispute_type), _village_place.c.name,
        MediationCase.applicant_names, MediationCase.respondent_names, MediationCase.status, MediationCase.deadline,
        _label_subquery("risk_level", MediationCase.risk_level),
    )
    .join(_village_place, _village_place.c.id == MediationCase.village_id)
)


class CaseService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    @property
    def today(self) -> date:
        return deadlines.local_date(utcnow(), self.settings.tz)

    def _search_terms(self, q: str) -> list[tuple[ColumnElement[bool], Select]]:
        """What q may match: the case number, ID and phone numbers, party names (two characters too) and
        纠纷简要情况, each as a condition on the case and as the query of the case ids it finds (a party's from
        the name index alone). Patterns are written into the statement (safely quoted) so PostgreSQL plans
        each search for its own words instead of one generic plan for all."""
        def on_case(condition: ColumnElement[bool]) -> tuple[ColumnElement[bool], Select]:
            return condition, select(MediationCase.id).where(condition)

        def of_parties(condition: ColumnElement[bool]) -> tuple[ColumnElement[bool], Select]:
            ids = select(Party.case_id).where(condition)
            return MediationCase.id.in_(ids), ids

        terms = [on_case(MediationCase.number == q)]
        compact = q.replace(" ", "").upper()
        if re.fullmatch(r"[0-9X\-+]{5,20}", compact):
            terms.append(of_parties(or_(Party.id_number == compact, Party.phone == compact)))
        if self.session.bind.dialect.name == "postgresql":
            escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            terms.append(of_parties(Party.name.like(literal(escaped + "%", literal_execute=True), escape="\\")))
            if len(q) >= 3:
                terms.append(on_case(MediationCase.summary.ilike(literal("%" + escaped + "%", literal_execute=True),
                                                                 escape="\\")))
        else:
            # A range on the name index finds names starting with q, however short (SQLite compares bytes).
            terms.append(of_parties(and_(Party.name >= q, Party.name < q + "\U0010ffff")))
            if len(q) >= 3:
                phrase = '"' + q.replace('"', '""') + '"'
                terms.append(on_case(MediationCase.id.in_(
                    text("SELECT rowid FROM case_search WHERE case_search MATCH :phrase")
                    .bindparams(phrase=phrase)
                    .columns(column("rowid", Integer)))))
        return terms

    async def _search(self, q: str) -> ColumnElement[bool]:
        """The cases q finds. When it finds few (a name, a rare phrase), their ids, read from the indexes of
        each term: the list then sorts only those. When it finds many (a common phrase), the terms
        themselves: the list walks the cases in its order and stops at the page's end, soon."""
        terms = self._search_terms(q)
        found = list(await self.session.scalars(union_all(*(ids for _, ids in terms)).limit(SEARCH_FEW + 1)))
        if len(found) > SEARCH_FEW:
            return or_(*(condition for condition, _ in terms))
        return case_among(found, self.session.bind.dialect.name)

    async def list_cases(self, user: CurrentUser, filters: CaseFilters, open_only: bool = False) -> CasePage:
        case = MediationCase
        today = self.today
        query = _CASE_ROWS.where(case_scope(user))
        if open_only:
            query = query.where(open_case())
        elif filters.status:
            query = query.where(case.status == filters.status)
        else:
            query = query.where(case.status != "voided")
        if filters.dispute_type:
            query = query.where(case.dispute_type == filters.dispute_type)
        if filters.risk_level:
            query = query.where(case.risk_level == filters.risk_level)
        if filters.village:
            query = query.where(case.village_id == filters.village)
        elif filters.town:
            query = query.where(case.town_id == filters.town)
        if filters.organization:
            query = query.where(case.organization_id == filters.organization)
        if filters.accepted_from:
            query = query.where(case.accepted_on >= filters.accepted_from)
        if filters.accepted_to:
            query = query.where(case.accepted_on <= filters.accepted_to)
        if filters.due:
            query = query.where(open_case())
            if filters.due == "overdue":
                query = query.where(case.deadline < today)
            else:
                query = query.where(case.deadline >= today,
                                    case.deadline <= date.fromordinal(today.toordinal() + deadlines.NEAR_DUE_DAYS))
        if filters.mine:
            query = query.where(case.registered_by_id == user.id)
        if filters.q:
            query = query.where(await self._search(filters.q))
        if filters.sort == "deadline":
            query = query.where(case.deadline.is_not(None))
            if cursor := _CURSOR.fullmatch(filters.after):
                query = query.where(tuple_(case.deadline, case.id) >
                                    tuple_(literal(date.fromisoformat(cursor[1])), literal(int(cursor[2]))))
            query = query.order_by(case.deadline, case.id)
        else:
            if cursor := _CURSOR.fullmatch(filters.after):
                query = query.where(tuple_(case.registered_on, case.id) <
                                    tuple_(literal(date.fromisoformat(cursor[1])), literal(int(cursor[2]))))
            query = query.order_by(case.registered_on.desc(), case.id.desc())
        rows = (await self.session.execute(query.limit(PAGE_SIZE + 1))).all()
        page = [CaseRow(*row[:10], row[10], today) for row in rows[:PAGE_SIZE]]
        next_cursor = None
        if len(rows) > PAGE_SIZE:
            last = page[-1]
            sort_value = last.deadline if filters.sort == "deadline" else last.registered_on
            next_cursor = f"{sort_value.isoformat()}_{last.id}"
        return CasePage(page, next_cursor)

    async def scoped_case(self, user: CurrentUser, case_id: int) -> MediationCase:
        """The case, if the user may see it; CaseNotFound otherwise."""
        found = await self.session.scalar(
            select(MediationCase).where(MediationCase.id == case_id, case_scope(user))
        )
        if found is None:
            raise CaseNotFound()
        return found

    async def view(self, user: CurrentUser, case_id: int) -> CaseView:
        return await self.view_of(user, await self.scoped_case(user, case_id))

    async def view_of(self, user: CurrentUser, case: MediationCase) -> CaseView:
        """What the case page shows of a case the user may see (loaded by scoped_case)."""
        names = dict(
            (await self.session.execute(
                select(Place.id, Place.name).where(Place.id.in_({case.town_id, case.village_id, case.grid_id} - {None}))
            )).all()
        )
        labels = {
            (kind, code): label
            for kind, code, label in (await self.session.execute(
                select(DictionaryEntry.kind, DictionaryEntry.code, DictionaryEntry.label)
            )).all()
        }
        organizations = dict(
            (await self.session.execute(
                select(Organization.id, Organization.name).where(
                    Organization.id.in_({case.organization_id, case.registering_organization_id}))
            )).all()
        )
        repeat_of = None
        if case.repeat_of_id:
            number = await self.session.scalar(
                select(MediationCase.number).where(MediationCase.id == case.repeat_of_id))
            repeat_of = (case.repeat_of_id, number) if number else None
        party_town = Place.__table__.alias("party_town")
        party_village = Place.__table__.alias("party_village")
        full_ids = user.role in FULL_ID_ROLES
        parties = [
            PartyView(side, kind, name, id_number if full_ids else mask_id_number(id_number), phone, address,
                      f"{town}{village}")
            for side, kind, name, id_number, phone, address, town, village in (await self.session.execute(
                select(Party.side, Party.kind, Party.name, Party.id_number, Party.phone, Party.address,
                       party_town.c.name, party_village.c.name)
                .join(party_town, party_town.c.id == Party.town_id)
                .join(party_village, party_village.c.id == Party.village_id)
                .where(Party.case_id == case.id)
                .order_by(Party.side, Party.position)
            )).all()
        ]
        events = [
            EventView(*row)
            for row in (await self.session.execute(
                select(CaseEvent.occurred_at, func.coalesce(User.display_name, "系统"), CaseEvent.kind,
                       CaseEvent.summary, CaseEvent.reason)
                .outerjoin(User, User.id == CaseEvent.actor_id)
                .where(CaseEvent.case_id == case.id)
                .order_by(CaseEvent.id)
            )).all()
        ]
        return CaseView(
            id=case.id, number=case.number, status=case.status,
            source=labels.get(("case_source", case.source), case.source),
            dispute_type=labels.get(("dispute_type", case.dispute_type), case.dispute_type),
            dispute_type_code=case.dispute_type, source_code=case.source,
            risk_level=labels.get(("risk_level", case.risk_level), case.risk_level),
            risk_level_code=case.risk_level, preventive_steps=case.preventive_steps,
            town=names.get(case.town_id, ""), village=names.get(case.village_id, ""),
            grid=names.get(case.grid_id, "") if case.grid_id else "",
            people_involved=case.people_involved, amount_involved=case.amount_involved,
            summary=case.summary, claims=case.claims, registered_on=case.registered_on,
            accepted_on=case.accepted_on, deadline=case.deadline,
            organization=organizations.get(case.organization_id, ""), organization_id=case.organization_id,
            registering_organization=organizations.get(case.registering_organization_id, ""),
            level=case.level, suggested_level=case.suggested_level,
            refusal_reason=workflow.REFUSAL_REASONS.get(case.refusal_reason or "", ""),
            refusal_note=case.refusal_note, void_reason=case.void_reason, repeat_of=repeat_of,
            version=case.version, today=self.today, parties=parties, events=events,
            outcome=OUTCOMES.get(case.outcome or "", ""), closed_on=case.closed_on,
            failure_route=FAILURE_ROUTES.get(case.failure_route or "", ""), referral=case.referral,
            prevented_criminal_people=case.prevented_criminal_people,
            prevented_petition_people=case.prevented_petition_people,
            archive_number=case.archive_number or "", archived_on=case.archived_on,
            retention_period=case.retention_period,
        )

    async def edit_facts(self, user: CurrentUser, case_id: int, version: int, form: Mapping[str, str]) -> None:
        """Change the facts of an open case; refuses when someone else saved it after this form was opened."""
        async with write_transaction(self.session):
            case = await self.scoped_case(user, case_id)
            self._check(case, "edit")
            if case.version != version:
                raise CaseConflict()
            codes = await self._codes()
            problems: dict[str, Problem] = {}
            summary = str(form.get("summary", "")).strip()
            if not summary:
                problems["summary"] = Problem("请填写纠纷简要情况")
            elif len(summary) > MAX_SUMMARY:
                problems["summary"] = Problem(f"纠纷简要情况不能超过 {MAX_SUMMARY} 字")
            claims = str(form.get("claims", "")).strip()
            if len(claims) > MAX_SUMMARY:
                problems["claims"] = Problem(f"当事人诉求不能超过 {MAX_SUMMARY} 字")
            # The numbers and codes follow the intake form's rules exactly.
            try:
                checked = parse_intake(
                    {"source": form.get("source", ""), "dispute_type": form.get("dispute_type", ""),
                     "town": str(case.town_id), "village": str(case.village_id),
                     "people_involved": form.get("people_involved", ""),
                     "amount_involved": form.get("amount_involved", ""), "risk_level": form.get("risk_level", ""),
                     "summary": summary or "-", "applicant-0-name": "-", "respondent-0-name": "-"},
                    codes["case_source"], codes["dispute_type"], codes["risk_level"],
                )
            except Invalid as invalid:
                problems = {**invalid.problems, **problems}
                checked = None
            if problems or checked is None:
                raise Invalid(problems)
            changes = {
                "纠纷简要情况": (case.summary, summary), "当事人诉求": (case.claims, claims),
                "案件来源": (case.source, checked.source), "纠纷类型": (case.dispute_type, checked.dispute_type),
                "风险等级": (case.risk_level, checked.risk_level),
                "涉及人数": (case.people_involved, checked.people_involved),
                "涉及金额(元)": (case.amount_involved, checked.amount_involved),
            }
            changed = [label for label, (old, new) in changes.items() if old != new]
            steps = str(form.get("preventive_steps", "")).strip()
            raised_to_major = checked.risk_level == "major" and case.risk_level != "major"
            if raised_to_major and not steps:
                raise Invalid({"preventive_steps": Problem(
                    "风险等级升为重大时，须填写已采取的预防措施（人民调解法第二十五条）")})
            if len(steps) > 2000:
                raise Invalid({"preventive_steps": Problem("预防措施不能超过 2000 字")})
            if not changed:
                return
            case.summary, case.claims = summary, claims
            case.source, case.dispute_type = checked.source, checked.dispute_type
            case.risk_level, case.people_involved = checked.risk_level, checked.people_involved
            case.amount_involved = checked.amount_involved
            case.updated_at = case.last_action_at = utcnow()
            self.session.add(CaseEvent(case_id=case.id, actor_id=user.id, kind="edited",
                                       summary="修改：" + "、".join(changed)))
            if raised_to_major:
                case.preventive_steps = steps
                self.session.add(CaseEvent(case_id=case.id, actor_id=user.id, kind="risk_raised",
                                           summary="风险等级升为重大：已列入主任预警，须立即上报", reason=steps))
            try:
                await self.session.flush()
            except StaleDataError as exc:
                raise CaseConflict() from exc

    async def _codes(self) -> dict[str, set[str]]:
        rows = await self.session.execute(
            select(DictionaryEntry.kind, DictionaryEntry.code).where(DictionaryEntry.active))
        codes: dict[str, set[str]] = {}
        for kind, code in rows.all():
            codes.setdefault(kind, set()).add(code)
        return codes

    @staticmethod
    def _check(case: MediationCase, action: str) -> None:
        try:
            workflow.check_action(case.status, action)
        except workflow.TransitionRefused as refused:
            raise Invalid({"action": Problem(refused.message)}) from refused

    @staticmethod
    def _reason(form: Mapping[str, str], what: str) -> str:
        reason = str(form.get("reason", "")).strip()
        if not reason:
            raise Invalid({"reason": Problem(f"{what}须填写理由")})
        if len(reason) > 500:
            raise Invalid({"reason": Problem("理由不能超过 500 字")})
        return reason

    async def transfer_targets(self, case_id: int) -> list[tuple[int, str]]:
        current = await self.session.scalar(select(MediationCase.organization_id).where(MediationCase.id == case_id))
        rows = await self.session.execute(
            select(Organization.id, Organization.name)
            .where(Organization.active, Organization.id != current)
            .order_by(Organization.kind != "district_center", Organization.kind != "specialised",
                      Organization.kind != "town_committee", Organization.id)
        )
        return [(org_id, name) for org_id, name in rows.all()]

    async def transfer(self, user: CurrentUser, case_id: int, form: Mapping[str, str]) -> str:
        async with write_transaction(self.session):
            case = await self.scoped_case(user, case_id)
            self._check(case, "transfer")
            reason = self._reason(form, "移交")
            target_id = _positive_int(str(form.get("organization", "")).strip())
            target = await self.session.get(Organization, target_id) if target_id else None
            if target is None or not target.active or target.id == case.organization_id:
                raise Invalid({"organization": Problem("请选择接收案件的其他调解组织")})
            source = await self.session.get_one(Organization, case.organization_id)
            case.organization_id = target.id
            case.level = await self._level_of(target)
            case.updated_at = case.last_action_at = utcnow()
            self.session.add(CaseEvent(case_id=case.id, actor_id=user.id, kind="transferred",
                                       summary=f"移交：{source.name} → {target.name}", reason=reason))
            name = target.name
        return name

    async def escalate(self, user: CurrentUser, case_id: int, form: Mapping[str, str]) -> str:
        async with write_transaction(self.session):
            case = await self.scoped_case(user, case_id)
            self._check(case, "escalate")
            reason = self._reason(form, "提级")
            above = level_above(case.level)
            if above is None:
                raise Invalid({"action": Problem("案件已在区中心办理，没有更高层级")})
            if above == "town":
                query = select(Organization).where(Organization.kind == "town_committee",
                                                   Organization.place_id == case.town_id)
            else:
                query = select(Organization).where(Organization.kind == "district_center")
            target = await self.session.scalar(query.where(Organization.active).limit(1))
            if target is None:
                raise Invalid({"action": Problem(f"{LEVEL_LABELS[above]}没有在用的调解组织")})
            source = await self.session.get_one(Organization, case.organization_id)
            case.organization_id, case.level = target.id, above
            case.updated_at = case.last_action_at = utcnow()
            self.session.add(CaseEvent(case_id=case.id, actor_id=user.id, kind="escalated",
                                       summary=f"提级至{LEVEL_LABELS[above]}：{source.name} → {target.name}",
                                       reason=reason))
            name = target.name
        return name

    async def void(self, user: CurrentUser, case_id: int, form: Mapping[str, str]) -> None:
        async with write_transaction(self.session):
            case = await self.scoped_case(user, case_id)
            if user.role not in ("supervisor", "admin"):
                raise Invalid({"action": Problem("只有中心主任/司法所长可以作废案件")})
            self._check(case, "void")
            reason = self._reason(form, "作废")
            case.status, case.void_reason = "voided", reason
            case.updated_at = case.last_action_at = utcnow()
            self.session.add(CaseEvent(case_id=case.id, actor_id=user.id, kind="voided",
                                       summary="作废（误登记，不计入任何统计）", reason=reason))

    async def _level_of(self, organization: Organization) -> str:
        level = await self.session.scalar(select(Place.level).where(Place.id == organization.place_id))
        return {"district": "district", "town": "town"}.get(level or "", "village")

    async def organization_options(self) -> list[tuple[int, str]]:
        rows = await self.session.execute(
            select(Organization.id, Organization.name).where(Organization.active)
            .order_by(Organization.kind != "district_center", Organization.id))
        return [(org_id, name) for org_id, name in rows.all()]

    async def queue(self, user: CurrentUser, limit: int = 20) -> list[CaseRow]:
        """Open cases waiting at the user's organization, nearest deadline first."""
        filters = CaseFilters(organization=user.organization_id, sort="deadline")
        return (await self.list_cases(user, filters, open_only=True)).rows[:limit]
