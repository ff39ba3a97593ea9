"""Resolution: the agreement (draft, signature, amendments, obligations and performance), closing with an
outcome, judicial confirmation, follow-up visits, archiving and reopening."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain import closing as rules
from mediation.domain import deadlines, workflow
from mediation.domain.case_numbers import format_case_number
from mediation.domain.validation import Invalid, Problem, whole_number
from mediation.models import (
    Agreement,
    AgreementAmendment,
    CaseEvent,
    Evidence,
    FollowUp,
    JudicialConfirmation,
    MediationCase,
    Obligation,
    Organization,
)
from mediation.models.base import utcnow
from mediation.services.access import case_scope
from mediation.services.accounts import CurrentUser
from mediation.services.cases import CaseNotFound
from mediation.settings import Settings

AGREEMENT_TEXT_FIELDS = {
    "facts": ("纠纷的主要事实", 5000),
    "disputes": ("争议事项", 2000),
    "responsibilities": ("各方当事人的责任", 2000),
    "terms": ("协议内容", 5000),
    "performance_method": ("履行方式", 400),
    "performance_place": ("履行地点", 200),
}
SUPERVISING_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class Resolution:
    agreement: Agreement | None
    amendments: list[AgreementAmendment]
    obligations: list[Obligation]
    confirmation: JudicialConfirmation | None
    follow_ups: list[FollowUp]
    receipts: list[tuple[int, str]]
    today: date

    @property
    def confirmation_deadline(self) -> date | None:
        if self.agreement and self.agreement.form == "written" and self.agreement.signed_on:
            return rules.confirmation_deadline(self.agreement.signed_on)
        return None

    @property
    def confirmation_days_left(self) -> int | None:
        deadline = self.confirmation_deadline
        return (deadline - self.today).days if deadline else None


def _date(form: Mapping[str, object], name: str, label: str, problems: dict[str, Problem],
          required: bool = True) -> date | None:
    raw = str(form.get(name, "") or "").strip()
    if not raw:
        if required:
            problems[name] = Problem(f"请填写{label}")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems[name] = Problem(f"{label}格式应为 年-月-日")
        return None


def _people(form: Mapping[str, object], name: str, label: str, problems: dict[str, Problem]) -> int:
    raw = str(form.get(name, "") or "").strip() or "0"
    number = whole_number(raw)
    if number is None or number > 100_000:
        problems[name] = Problem(f"{label}应为 0 或正整数")
        return 0
    return number


class ResolutionService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    @property
    def today(self) -> date:
        return deadlines.local_date(utcnow(), self.settings.tz)

    async def _case(self, user: CurrentUser, case_id: int) -> MediationCase:
        case = await self.session.scalar(select(MediationCase).where(MediationCase.id == case_id, case_scope(user)))
        if case is None:
            raise CaseNotFound()
        return case

    @staticmethod
    def _require_workable(case: MediationCase) -> None:
        """Archived cases are read-only until reopened; voided and refused ones take no further work."""
        if case.status == "archived":
            raise Invalid({"action": Problem("案件已归档，只读；如需修改，须由中心主任/司法所长重新启用")})
        if case.status in ("voided", "refused"):
            raise Invalid({"action": Problem(f"案件当前状态为“{workflow.status_label(case.status)}”，不能再办理")})

    def _event(self, case: MediationCase, user: CurrentUser, kind: str, summary: str, reason: str = "") -> None:
        case.last_action_at = utcnow()
        self.session.add(CaseEvent(case_id=case.id, actor_id=user.id, kind=kind, summary=summary[:400],
                                   reason=reason))

    async def view(self, user: CurrentUser, case_id: int) -> Resolution:
        return await self.view_of(await self._case(user, case_id))

    async def view_of(self, case: MediationCase) -> Resolution:
        """The agreement, confirmation and follow-ups of a case the user may see."""
        agreement = await self.session.scalar(select(Agreement).where(Agreement.case_id == case.id))
        amendments: list[AgreementAmendment] = []
        obligations: list[Obligation] = []
        if agreement is not None:
            amendments = list(await self.session.scalars(
                select(AgreementAmendment).where(AgreementAmendment.agreement_id == agreement.id)
                .order_by(AgreementAmendment.id)))
            obligations = list(await self.session.scalars(
                select(Obligation).where(Obligation.agreement_id == agreement.id).order_by(Obligation.due_on,
                                                                                          Obligation.id)))
        confirmation = await self.session.scalar(
            select(JudicialConfirmation).where(JudicialConfirmation.case_id == case.id))
        follow_ups = list(await self.session.scalars(
            select(FollowUp).where(FollowUp.case_id == case.id).order_by(FollowUp.scheduled_on, FollowUp.id)))
        receipts = list((await self.session.execute(
            select(Evidence.id, Evidence.display_name).where(Evidence.case_id == case.id).order_by(Evidence.id)
        )).all())
        return Resolution(agreement, amendments, obligations, confirmation, follow_ups,
                          [(row[0], row[1]) for row in receipts], self.today)

    def _agreement_fields(self, form: Mapping[str, object], problems: dict[str, Problem]) -> dict[str, object]:
        values: dict[str, object] = {}
        for name, (label, limit) in AGREEMENT_TEXT_FIELDS.items():
            text = str(form.get(name, "") or "").strip()
            if len(text) > limit:
                problems[name] = Problem(f"{label}不能超过 {limit} 字")
            values[name] = text
        values["performance_deadline"] = _date(form, "performance_deadline", "履行期限", problems, required=False)
        raw_amount = str(form.get("amount", "") or "").strip().replace(",", "")
        amount = None
        if raw_amount:
            try:
                amount = Decimal(raw_amount)
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2 \
                    or amount >= Decimal("1000000000000"):
                problems["amount"] = Problem("协议金额应为不小于 0 的数字，最多两位小数")
                amount = None
        values["amount"] = amount
        return values

    async def save_agreement(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        """Create or edit the agreement draft of an open case; a signed agreement is read-only."""
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            self._require_workable(case)
            if case.status not in workflow.OPEN_STATUSES:
                raise Invalid({"action": Problem("只有在办案件可以起草调解协议")})
            agreement = await self.session.scalar(select(Agreement).where(Agreement.case_id == case.id))
            if agreement is not None and agreement.signed_on is not None:
                raise Invalid({"agreement": Problem("调解协议已签署，只读；更正须由中心主任/司法所长登记修正")})
            problems: dict[str, Problem] = {}
            form_kind = str(form.get("form", "") or "")
            if form_kind not in rules.AGREEMENT_FORMS:
                problems["form"] = Problem("请选择协议形式（书面或口头）")
            values = self._agreement_fields(form, problems)
            if problems:
                raise Invalid(problems)
            if agreement is None:
                agreement = Agreement(case_id=case.id, number=agreement_number(case.number), form=form_kind,
                                      created_by_id=user.id)
                self.session.add(agreement)
                summary = f"起草{rules.AGREEMENT_FORMS[form_kind]}调解协议 {agreement.number}"
            else:
                summary = f"修改调解协议草稿 {agreement.number}"
            agreement.form = form_kind
            for name, value in values.items():
                setattr(agreement, name, value)
            agreement.updated_at = utcnow()
            self._event(case, user, "agreement_drafted", summary)

    async def sign_agreement(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            self._require_workable(case)
            agreement = await self.session.scalar(select(Agreement).where(Agreement.case_id == case.id))
            if agreement is None or agreement.form != "written":
                raise Invalid({"agreement": Problem("只有书面调解协议需要登记签署")})
            if agreement.signed_on is not None:
                raise Invalid({"agreement": Problem(f"调解协议已于 {agreement.signed_on} 签署，不能重复签署")})
            if case.status not in workflow.OPEN_STATUSES:
                # Closing as a success needs the signature first: one signed later would contradict the outcome.
                raise Invalid({"agreement": Problem("只有在办案件可以登记协议签署")})
            problems: dict[str, Problem] = {}
            signed_on = _date(form, "signed_on", "签署日期", problems)
            missing = rules.missing_agreement_parts(_draft(agreement))
            if missing:
                problems["agreement"] = Problem("调解协议缺少：" + "、".join(missing))
            if signed_on and case.accepted_on and signed_on < case.accepted_on:
                problems["signed_on"] = Problem(f"签署日期不能早于受理日期 {case.accepted_on}")
            if signed_on and signed_on > self.today:
                problems["signed_on"] = Problem("签署日期不能晚于今天")
            if problems:
                raise Invalid(problems)
            agreement.signed_on = signed_on
            self._event(case, user, "agreement_signed",
                        f"调解协议 {agreement.number} 经当事人签名、调解员签名并盖章，{signed_on} 生效")

    async def amend_agreement(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        if user.role not in SUPERVISING_ROLES:
            raise Invalid({"action": Problem("已签署协议的更正须由中心主任/司法所长登记")})
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            self._require_workable(case)
            agreement = await self.session.scalar(select(Agreement).where(Agreement.case_id == case.id))
            if agreement is None or agreement.signed_on is None:
                raise Invalid({"action": Problem("只有已签署的协议需要登记修正；草稿可直接修改")})
            problems: dict[str, Problem] = {}
            reason = str(form.get("amend_reason", "") or "").strip()
            if not reason:
                problems["amend_reason"] = Problem("修正须写明理由")
            values = self._agreement_fields(form, problems)
            if problems:
                raise Invalid(problems)
            changes = {
                name: [_plain(getattr(agreement, name)), _plain(value)]
                for name, value in values.items() if getattr(agreement, name) != value
            }
            if not changes:
                raise Invalid({"amendment": Problem("没有需要修正的内容")})
            for name, value in values.items():
                setattr(agreement, name, value)
            self.session.add(AgreementAmendment(agreement_id=agreement.id, amended_by_id=user.id, reason=reason,
                                                changes=changes))
            labels = [AGREEMENT_TEXT_FIELDS.get(name, (_FIELD_LABELS.get(name, name),))[0] for name in changes]
            self._event(case, user, "agreement_amended", "登记协议修正：" + "、".join(labels), reason)

    async def close(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            self._require_workable(case)
            if case.status not in workflow.OPEN_STATUSES:
                raise Invalid({"action": Problem(
                    f"案件当前状态为“{workflow.status_label(case.status)}”，不能结案")})
            problems: dict[str, Problem] = {}
            outcome = str(form.get("outcome", "") or "")
            closed_on = _date(form, "closed_on", "结案日期", problems)
            route = str(form.get("route", "") or "")
            referral = str(form.get("referral", "") or "").strip()[:1000]
            criminal = _people(form, "prevented_criminal_people", "防止民转刑人数", problems)
            petition = _people(form, "prevented_petition_people", "防止群体性上访人数", problems)
            agreement = await self.session.scalar(select(Agreement).where(Agreement.case_id == case.id))
            found = rules.closing_problems(outcome, closed_on, case.accepted_on or case.registered_on, self.today,
                                           _draft(agreement) if agreement else None, route)
            problems.update({name: Problem(message) for name, message in found.items() if name not in problems})
            if outcome == "success" and agreement and agreement.signed_on and closed_on \
                    and closed_on < agreement.signed_on:
                problems["closed_on"] = Problem(f"结案日期不能早于协议签署日期 {agreement.signed_on}")
            if problems:
                raise Invalid(problems)
            assert closed_on is not None
            case.status, case.outcome, case.closed_on = "closed", outcome, closed_on
            case.failure_route = route if outcome == "failure" else None
            case.referral = referral if outcome == "failure" else ""
            case.prevented_criminal_people, case.prevented_petition_people = criminal, petition
            case.updated_at = utcnow()
            if outcome == "success" and agreement and agreement.performance_deadline:
                has_obligations = await self.session.scalar(
                    select(func.count()).select_from(Obligation).where(Obligation.agreement_id == agreement.id))
                if not has_obligations:
                    self.session.add(Obligation(agreement_id=agreement.id, description=agreement.terms[:400],
                                                due_on=agreement.performance_deadline))
            follow_up_on = rules.follow_up_date(closed_on, self.settings.follow_up_days)
            self.session.add(FollowUp(case_id=case.id, scheduled_on=follow_up_on, reason="结案回访"))
            detail = rules.OUTCOMES[outcome]
            if outcome == "success" and agreement:
                detail += f"（{rules.AGREEMENT_FORMS[agreement.form]}协议 {agreement.number}）"
            if outcome == "failure":
                detail += f"，已告知当事人可通过{rules.FAILURE_ROUTES[route]}解决"
            self._event(case, user, "closed", f"结案：{detail}；结案日期 {closed_on}；{follow_up_on} 回访", referral)

    async def add_obligation(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            self._require_workable(case)
            agreement = await self.session.scalar(select(Agreement).where(Agreement.case_id == case.id))
            if agreement is None:
                raise Invalid({"action": Problem("先起草调解协议，再登记履行义务")})
            problems: dict[str, Problem] = {}
            description = str(form.get("description", "") or "").strip()
            if not description or len(description) > 400:
                problems["description"] = Problem("请填写履行义务（400 字以内）")
            due_on = _date(form, "due_on", "履行期限", problems)
            if problems:
                raise Invalid(problems)
            self.session.add(Obligation(agreement_id=agreement.id, description=description, due_on=due_on))
            self._event(case, user, "obligation_added", f"登记履行义务：{description}（{due_on} 前）")

    async def mark_performed(self, user: CurrentUser, case_id: int, obligation_id: int,
                             form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            self._require_workable(case)
            obligation = await self.session.scalar(
                select(Obligation).join(Agreement, Agreement.id == Obligation.agreement_id)
                .where(Obligation.id == obligation_id, Agreement.case_id == case.id))
            if obligation is None:
                raise CaseNotFound()
            if obligation.performed_on is not None:
                raise Invalid({"action": Problem("该义务已登记履行")})
            problems: dict[str, Problem] = {}
            performed_on = _date(form, "performed_on", "履行日期", problems)
            if performed_on and performed_on > self.today:
                problems["performed_on"] = Problem("履行日期不能晚于今天")
            elif performed_on and case.accepted_on and performed_on < case.accepted_on:
                problems["performed_on"] = Problem(f"履行日期不能早于受理日期 {case.accepted_on}")
            receipt = whole_number(form.get("receipt"))
            if str(form.get("receipt", "") or "").strip() and not await self.session.scalar(
                    select(Evidence.id).where(Evidence.id == receipt, Evidence.case_id == case.id)):
                problems["receipt"] = Problem("请选择本案已上传的材料作为履行凭证")
            if problems:
                raise Invalid(problems)
            obligation.performed_on = performed_on
            obligation.note = str(form.get("note", "") or "").strip()[:400]
            obligation.receipt_id = receipt
            self._event(case, user, "performed", f"登记履行：{obligation.description}（{performed_on}）",
                        obligation.note)

    async def apply_confirmation(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            self._require_workable(case)
            agreement = await self.session.scalar(select(Agreement).where(Agreement.case_id == case.id))
            if agreement is None or agreement.form != "written" or agreement.signed_on is None:
                raise Invalid({"action": Problem("只有已签署的书面调解协议可以申请司法确认")})
            if await self.session.scalar(select(JudicialConfirmation.id).where(
                    JudicialConfirmation.case_id == case.id)):
                raise Invalid({"action": Problem("已登记过司法确认申请")})
            problems: dict[str, Problem] = {}
            applied_on = _date(form, "applied_on", "申请日期", problems)
            court = str(form.get("court", "") or "").strip()
            if not court or len(court) > 100:
                problems["court"] = Problem("请填写受理法院（100 字以内）")
            if applied_on and (problem := rules.confirmation_problem(agreement.signed_on, applied_on)):
                problems["applied_on"] = Problem(problem)
            elif applied_on and applied_on > self.today:
                problems["applied_on"] = Problem("申请日期不能晚于今天")
            if problems:
                raise Invalid(problems)
            self.session.add(JudicialConfirmation(case_id=case.id, applied_on=applied_on, court=court,
                                                  recorded_by_id=user.id))
            self._event(case, user, "confirmation_applied", f"双方当事人向{court}申请司法确认（{applied_on}）")

    async def confirmation_result(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            self._require_workable(case)
            confirmation = await self.session.scalar(
                select(JudicialConfirmation).where(JudicialConfirmation.case_id == case.id))
            if confirmation is None:
                raise Invalid({"action": Problem("尚未登记司法确认申请")})
            if confirmation.result != "pending":
                raise Invalid({"action": Problem("司法确认结果已登记")})
            problems: dict[str, Problem] = {}
            result = str(form.get("result", "") or "")
            if result not in ("confirmed", "refused"):
                problems["result"] = Problem("请选择已确认或不予确认")
            result_on = _date(form, "result_on", "裁定日期", problems)
            if result_on and result_on < confirmation.applied_on:
                problems["result_on"] = Problem(f"裁定日期不能早于申请日期 {confirmation.applied_on}")
            elif result_on and result_on > self.today:
                problems["result_on"] = Problem("裁定日期不能晚于今天")
            if problems:
                raise Invalid(problems)
            confirmation.result, confirmation.result_on = result, result_on
            self._event(case, user, "confirmation_result",
                        f"司法确认结果：{rules.CONFIRMATION_RESULTS[result]}（{result_on}）")

    async def record_follow_up(self, user: CurrentUser, case_id: int, follow_up_id: int,
                               form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            self._require_workable(case)
            follow_up = await self.session.scalar(
                select(FollowUp).where(FollowUp.id == follow_up_id, FollowUp.case_id == case.id))
            if follow_up is None:
                raise CaseNotFound()
            if follow_up.visited_on is not None:
                raise Invalid({"action": Problem("该回访已记录")})
            problems: dict[str, Problem] = {}
            visited_on = _date(form, "visited_on", "回访日期", problems)
            if visited_on and case.closed_on and visited_on < case.closed_on:
                problems["visited_on"] = Problem(f"回访日期不能早于结案日期 {case.closed_on}")
            if visited_on and visited_on > self.today:
                problems["visited_on"] = Problem("回访日期不能晚于今天")
            texts = {}
            for name, label, limit, required in (
                ("party", "回访对象", 120, True), ("performance", "履行情况", 400, True),
                ("remaining_risk", "遗留风险", 400, False), ("measures", "采取的措施", 400, False),
                ("visitor", "回访人", 60, True),
            ):
                text = str(form.get(name, "") or "").strip()
                if required and not text:
                    problems[name] = Problem(f"请填写{label}")
                elif len(text) > limit:
                    problems[name] = Problem(f"{label}不能超过 {limit} 字")
                texts[name] = text
            satisfaction = str(form.get("satisfaction", "") or "")
            if satisfaction not in SATISFACTION:
                problems["satisfaction"] = Problem("请选择当事人满意度")
            if problems:
                raise Invalid(problems)
            for name, value in texts.items():
                setattr(follow_up, name, value)
            follow_up.visited_on, follow_up.satisfaction = visited_on, satisfaction
            follow_up.lawsuit_filed = form.get("lawsuit_filed") == "1"
            follow_up.recorded_by_id = user.id
            self._event(case, user, "follow_up", f"回访：{texts['party']}，{SATISFACTION[satisfaction]}"
                        + ("，已起诉" if follow_up.lawsuit_filed else ""), texts["performance"])

    async def archive(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> str:
        if user.role not in SUPERVISING_ROLES:
            raise Invalid({"action": Problem("归档须由中心主任/司法所长办理")})
        retention = str(form.get("retention_period", "") or "")
        if retention not in rules.RETENTION_PERIODS:
            raise Invalid({"retention_period": Problem("请选择保管期限")})
        for _attempt in range(3):
            try:
                async with write_transaction(self.session):
                    case = await self._case(user, case_id)
                    if case.status != "closed":
                        raise Invalid({"action": Problem("只有已结案的案件可以归档")})
                    # A reopened case archived again keeps its 卷宗号; a new one takes the next free sequence.
                    number = case.archive_number or await self._next_archive_number(case)
                    case.status, case.archive_number = "archived", number
                    case.archived_on, case.retention_period = self.today, retention
                    self._event(case, user, "archived", f"归档：卷宗号 {number}，保管期限 {retention}")
                return number
            except IntegrityError:
                # Another supervisor took the same archive number at the same moment: count again.
                continue
        raise Invalid({"action": Problem("归档编号冲突，请稍后重试")})

    async def _next_archive_number(self, case: MediationCase) -> str:
        organization = await self.session.get_one(Organization, case.organization_id)
        year = self.today.year
        prefix = rules.DEFAULT_ARCHIVE_TEMPLATE.split("{seq}")[0].format(year=year, org_short=organization.short_name)
        taken = await self.session.scalars(
            select(MediationCase.archive_number).where(MediationCase.archive_number.like(prefix + "%")))
        highest = max((int(match[1]) for number in taken if (match := _SEQUENCE.search(number or ""))), default=0)
        return format_case_number(rules.DEFAULT_ARCHIVE_TEMPLATE, year, organization.short_name, highest + 1)

    async def reopen(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        if user.role not in SUPERVISING_ROLES:
            raise Invalid({"action": Problem("重新启用须由中心主任/司法所长办理")})
        reason = str(form.get("reopen_reason", "") or "").strip()
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            if case.status not in ("closed", "archived"):
                raise Invalid({"action": Problem("只有已结案或已归档的案件可以重新启用")})
            if not reason or len(reason) > 500:
                raise Invalid({"reopen_reason": Problem("重新启用须写明理由（500 字以内）")})
            previous = f"{workflow.status_label(case.status)}，原结案日期 {case.closed_on}"
            case.status, case.outcome, case.closed_on = "in_mediation", None, None
            case.failure_route = None
            case.archived_on = None
            case.updated_at = utcnow()
            self._event(case, user, "reopened", f"重新启用（{previous}）", reason)


SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意"}
_SEQUENCE = re.compile(r"第(\d+)号$")
_FIELD_LABELS = {"performance_deadline": "履行期限", "amount": "协议金额(元)"}


def agreement_number(case_number: str) -> str:
    """The agreement's number follows the case's: （2026）城关调字第12号 → （2026）城关调协字第12号."""
    return case_number.replace("调字", "调协字", 1) if "调字" in case_number else f"{case_number}-协议"


def _draft(agreement: Agreement) -> rules.AgreementDraft:
    return rules.AgreementDraft(
        form=agreement.form, facts=agreement.facts, disputes=agreement.disputes,
        responsibilities=agreement.responsibilities, terms=agreement.terms,
        performance_method=agreement.performance_method, performance_place=agreement.performance_place,
        performance_deadline=agreement.performance_deadline, signed_on=agreement.signed_on)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, Decimal) else value
