"""Assigning mediators and the legal advisor to a case, and the advisor's answer (accept or decline)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case as sql_case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from mediation.database import write_transaction
from mediation.domain import workflow
from mediation.domain.assignment import AdvisorCandidate, Person, conflicts, rank_advisors
from mediation.domain.validation import Invalid, Problem, whole_number
from mediation.models import (
    CaseAssignment,
    CaseEvent,
    ConflictDeclaration,
    LegalAdvisor,
    MediationCase,
    Party,
    Place,
    User,
    advisor_village,
)
from mediation.models.assignments import ACTIVE_STATUSES as ACTIVE
from mediation.models.base import utcnow
from mediation.services.access import case_scope
from mediation.services.accounts import CurrentUser
from mediation.services.cases import CaseConflict, CaseNotFound

MEDIATOR_ROLES = ("counter", "village_mediator", "supervisor")
ASSIGNING_ROLES = frozenset({"counter", "village_mediator", "supervisor", "admin"})
OVERRIDING_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class AssignmentView:
    id: int
    role: str
    name: str
    status: str
    chosen_by_parties: bool
    assigned_at: datetime
    decline_reason: str
    advisor_user_id: int | None

    @property
    def status_label(self) -> str:
        return {"pending": "待接受", "accepted": "已接受", "declined": "已拒绝", "ended": "已结束"}[self.status]


@dataclass(frozen=True)
class AssignmentPanel:
    assignments: list[AssignmentView]
    suggested: list[AdvisorCandidate]
    advisors: list[tuple[int, str]]
    mediators: list[tuple[int, str]]


class AssignmentService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _case(self, user: CurrentUser, case_id: int) -> MediationCase:
        case = await self.session.scalar(select(MediationCase).where(MediationCase.id == case_id, case_scope(user)))
        if case is None:
            raise CaseNotFound()
        return case

    async def panel(self, user: CurrentUser, case_id: int) -> AssignmentPanel:
        return await self.panel_of(await self._case(user, case_id))

    async def panel_of(self, case: MediationCase) -> AssignmentPanel:
        """Who works on a case the user may see, and the advisors to suggest."""
        rows = await self.session.execute(
            select(CaseAssignment.id, CaseAssignment.role,
                   func.coalesce(LegalAdvisor.name, User.display_name), CaseAssignment.status,
                   CaseAssignment.chosen_by_parties, CaseAssignment.assigned_at, CaseAssignment.decline_reason,
                   LegalAdvisor.user_id)
            .outerjoin(User, User.id == CaseAssignment.user_id)
            .outerjoin(LegalAdvisor, LegalAdvisor.id == CaseAssignment.advisor_id)
            .where(CaseAssignment.case_id == case.id)
            .order_by(CaseAssignment.id)
        )
        assignments = [AssignmentView(*row) for row in rows.all()]
        town_villages = select(Place.id).where(Place.parent_id == case.town_id)
        candidates = (await self.session.execute(
            select(LegalAdvisor.id, LegalAdvisor.name,
                   func.max(sql_case((advisor_village.c.place_id == case.village_id, 1), else_=0)),
                   LegalAdvisor.open_cases)
            .join(advisor_village, advisor_village.c.advisor_id == LegalAdvisor.id)
            .where(LegalAdvisor.active, advisor_village.c.place_id.in_(town_villages))
            .group_by(LegalAdvisor.id, LegalAdvisor.name, LegalAdvisor.open_cases)
        )).all()
        suggested = rank_advisors(
            AdvisorCandidate(advisor_id, name, bool(serves), True, open_cases)
            for advisor_id, name, serves, open_cases in candidates
        )
        advisors = [(a.advisor_id, f"{a.name}（{'本村顾问' if a.serves_village else '本镇'}，在办 {a.open_cases} 件）")
                    for a in suggested]
        suggested_ids = {a.advisor_id for a in suggested}
        others = await self.session.execute(
            select(LegalAdvisor.id, LegalAdvisor.name).where(LegalAdvisor.active).order_by(LegalAdvisor.name))
        advisors += [(advisor_id, name) for advisor_id, name in others.all() if advisor_id not in suggested_ids]
        mediators = await self.session.execute(
            select(User.id, User.display_name).where(
                User.organization_id == case.organization_id, User.active, User.role.in_(MEDIATOR_ROLES))
            .order_by(User.display_name))
        return AssignmentPanel(assignments, suggested[:5], advisors, list(mediators.all()))

    async def _conflicts(self, case: MediationCase, person: Person, user_id: int | None,
                         advisor_id: int | None) -> list[str]:
        parties = [Person(name, id_number) for name, id_number in (await self.session.execute(
            select(Party.name, Party.id_number).where(Party.case_id == case.id))).all()]
        declared = select(ConflictDeclaration.relation).where(ConflictDeclaration.case_id == case.id)
        if user_id is not None:
            declared = declared.where(ConflictDeclaration.user_id == user_id)
        else:
            declared = declared.where(ConflictDeclaration.advisor_id == advisor_id)
        return conflicts(person, parties, list(await self.session.scalars(declared)))

    async def assign(self, user: CurrentUser, case_id: int, form: Mapping[str, object],
                     mediator_ids: Sequence[str]) -> list[str]:
        """Assign mediators and/or the legal advisor; returns the names assigned."""
        if user.role not in ASSIGNING_ROLES:
            raise Invalid({"assign": Problem("您的角色不能分派案件")})
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            version = whole_number(form.get("version"))
            if version is not None and version != case.version:
                raise CaseConflict()
            names = await self._assign_to_case(user, case, form, mediator_ids)
            try:
                await self.session.flush()
            except StaleDataError as exc:
                raise CaseConflict() from exc
        return names

    async def bulk_assign(self, user: CurrentUser, case_ids: Sequence[str], form: Mapping[str, object]) -> int:
        """Supervisors assign many cases from the list at once: all of them, or none when one is refused."""
        if user.role not in OVERRIDING_ROLES:
            raise Invalid({"bulk": Problem("只有中心主任/司法所长可以批量分派")})
        ids = [number for value in case_ids if (number := whole_number(value))]
        if not ids:
            raise Invalid({"bulk": Problem("请先勾选要分派的案件")})
        if len(ids) > 200:
            raise Invalid({"bulk": Problem("一次最多分派 200 件")})
        mediator = str(form.get("mediator", "")).strip()
        async with write_transaction(self.session):
            failures: list[str] = []
            for case_id in dict.fromkeys(ids):
                case = await self._case(user, case_id)
                try:
                    await self._assign_to_case(user, case, form, [mediator] if mediator else [])
                except Invalid as invalid:
                    failures.append(f"{case.number}：{'；'.join(invalid.messages_zh.values())}")
            if failures:
                raise Invalid({"bulk": Problem("未分派任何案件。" + " ".join(failures[:10])
                                               + (f" 等 {len(failures)} 件" if len(failures) > 10 else ""))})
        return len(dict.fromkeys(ids))

    async def _assign_to_case(self, user: CurrentUser, case: MediationCase, form: Mapping[str, object],
                              mediator_ids: Sequence[str]) -> list[str]:
        self._require_open(case)
        override = str(form.get("override_reason", "")).strip()[:500]
        chosen = form.get("chosen_by_parties") == "1"
        problems: dict[str, Problem] = {}
        active = await self.session.execute(
            select(CaseAssignment.user_id, CaseAssignment.advisor_id).where(
                CaseAssignment.case_id == case.id, CaseAssignment.status.in_(ACTIVE)))
        active_users, active_advisors = set(), set()
        for active_user, active_advisor in active.all():
            active_users.add(active_user)
            active_advisors.add(active_advisor)
        new_rows: list[CaseAssignment] = []
        names: list[str] = []
        notes: list[str] = []
        wanted = [whole_number(value) for value in mediator_ids if str(value).strip()]
        for mediator_id in dict.fromkeys(wanted):
            mediator = await self.session.get(User, mediator_id) if mediator_id else None
            if mediator is None or mediator.organization_id != case.organization_id \
                    or mediator.role not in MEDIATOR_ROLES:
                problems["mediators"] = Problem("调解员须是本案调解组织的人员")
                continue
            if not mediator.active:
                problems["mediators"] = Problem(f"{mediator.display_name}的账号已停用，不能分派")
                continue
            if mediator.id in active_users:
                problems["mediators"] = Problem(f"{mediator.display_name}已在本案中，不能重复分派")
                continue
            found = await self._conflicts(case, Person(mediator.display_name), mediator.id, None)
            if found and not self._may_override(user, override):
                problems["mediators"] = Problem(f"{mediator.display_name}存在利害关系（{'；'.join(found)}），"
                                                "须由中心主任/司法所长填写理由后方可分派")
                continue
            if found:
                notes.append(f"{mediator.display_name}：{'；'.join(found)}")
            new_rows.append(CaseAssignment(case_id=case.id, role="mediator", user_id=mediator.id,
                                           status="accepted", chosen_by_parties=chosen, assigned_by_id=user.id,
                                           responded_at=utcnow(), conflict_override_reason=override if found else ""))
            names.append(mediator.display_name)
        advisor_id = whole_number(form.get("advisor"))
        if str(form.get("advisor", "")).strip():
            advisor = await self.session.get(LegalAdvisor, advisor_id) if advisor_id else None
            if advisor is None:
                problems["advisor"] = Problem("请选择登记在册的法律顾问")
            elif not advisor.active:
                problems["advisor"] = Problem(f"{advisor.name}已停用，不能分派")
            elif advisor.id in active_advisors:
                problems["advisor"] = Problem(f"{advisor.name}已是本案法律顾问，不能重复分派")
            else:
                found = await self._conflicts(case, Person(advisor.name), None, advisor.id)
                if found and not self._may_override(user, override):
                    problems["advisor"] = Problem(f"{advisor.name}存在利害关系（{'；'.join(found)}），"
                                                  "须由中心主任/司法所长填写理由后方可分派")
                else:
                    if found:
                        notes.append(f"{advisor.name}：{'；'.join(found)}")
                    await self.session.execute(
                        update(CaseAssignment)
                        .where(CaseAssignment.case_id == case.id, CaseAssignment.role == "advisor",
                               CaseAssignment.status.in_(ACTIVE))
                        .values(status="ended"))
                    new_rows.append(CaseAssignment(
                        case_id=case.id, role="advisor", advisor_id=advisor.id, user_id=advisor.user_id,
                        status="pending", chosen_by_parties=chosen, assigned_by_id=user.id,
                        conflict_override_reason=override if found else ""))
                    names.append(f"法律顾问{advisor.name}")
        if not new_rows and not problems:
            problems["assign"] = Problem("请至少选择一名调解员或一名法律顾问")
        if problems:
            raise Invalid(problems)
        self.session.add_all(new_rows)
        if case.status == "accepted":
            case.status = "in_mediation"
        case.last_action_at = case.updated_at = utcnow()
        summary = "分派：" + "、".join(names) + ("（当事人选定）" if chosen else "")
        reason = f"利害关系经主任同意：{'；'.join(notes)}；理由：{override}" if notes else ""
        self.session.add(CaseEvent(case_id=case.id, actor_id=user.id, kind="assigned", summary=summary[:400],
                                   reason=reason))
        return names

    @staticmethod
    def _may_override(user: CurrentUser, reason: str) -> bool:
        return user.role in OVERRIDING_ROLES and bool(reason)

    @staticmethod
    def _require_open(case: MediationCase) -> None:
        if case.status not in workflow.OPEN_STATUSES:
            raise Invalid({"action": Problem(
                f"案件当前状态为“{workflow.status_label(case.status)}”，不能分派")})

    async def respond(self, user: CurrentUser, assignment_id: int, accept: bool, reason: str) -> int:
        """The advisor accepts, or declines with a reason (the case returns to the supervisors' queue)."""
        reason = reason.strip()[:500]
        async with write_transaction(self.session):
            assignment = await self.session.scalar(
                select(CaseAssignment)
                .join(LegalAdvisor, LegalAdvisor.id == CaseAssignment.advisor_id)
                .where(CaseAssignment.id == assignment_id, LegalAdvisor.user_id == user.id))
            if assignment is None:
                raise CaseNotFound()
            if assignment.status != "pending":
                raise Invalid({"respond": Problem("该分派已处理过")})
            case = await self.session.get_one(MediationCase, assignment.case_id)
            self._require_open(case)
            if not accept and not reason:
                raise Invalid({"decline_reason": Problem("拒绝须填写理由")})
            assignment.status = "accepted" if accept else "declined"
            assignment.responded_at = utcnow()
            assignment.decline_reason = "" if accept else reason
            case.last_action_at = utcnow()
            self.session.add(CaseEvent(
                case_id=case.id, actor_id=user.id, kind="advisor_accepted" if accept else "advisor_declined",
                summary=f"法律顾问{user.display_name}{'接受' if accept else '拒绝'}分派", reason=reason))
            case_id = case.id
        return case_id

    async def declare_conflict(self, user: CurrentUser, case_id: int, relation: str) -> None:
        relation = relation.strip()
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            if case.status not in workflow.OPEN_STATUSES:
                raise Invalid({"action": Problem(
                    f"案件当前状态为“{workflow.status_label(case.status)}”，不能再申报")})
            if not relation or len(relation) > 200:
                raise Invalid({"relation": Problem("请写明与当事人的关系（200 字以内）")})
            advisor_id = await self.session.scalar(select(LegalAdvisor.id).where(LegalAdvisor.user_id == user.id))
            self.session.add(ConflictDeclaration(
                case_id=case.id, recorded_by_id=user.id, relation=relation,
                user_id=None if advisor_id else user.id, advisor_id=advisor_id))
            case.last_action_at = utcnow()
            self.session.add(CaseEvent(case_id=case.id, actor_id=user.id, kind="conflict_declared",
                                       summary=f"{user.display_name}申报利害关系", reason=relation))

    async def bulk_options(self, user: CurrentUser) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """Advisors (busiest last) and the mediators of the user's organization, for the list's bulk form."""
        advisors = await self.session.execute(
            select(LegalAdvisor.id, LegalAdvisor.name, LegalAdvisor.open_cases).where(LegalAdvisor.active)
            .order_by(LegalAdvisor.open_cases, LegalAdvisor.name))
        mediators = await self.session.execute(
            select(User.id, User.display_name).where(
                User.organization_id == user.organization_id, User.active, User.role.in_(MEDIATOR_ROLES))
            .order_by(User.display_name))
        return ([(advisor_id, f"{name}（在办 {open_cases} 件）") for advisor_id, name, open_cases in advisors],
                list(mediators.all()))
