"""Mediation work on a case: the rights notice, investigations, hearings, legal opinions, evidence files,
and extensions of the deadline. Each record is also a line on the case's timeline."""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import write_transaction
from mediation.domain import workflow
from mediation.domain.uploads import MAX_UPLOAD_BYTES, display_name, display_name_problem, sniff_type
from mediation.domain.validation import Invalid, Problem
from mediation.models import (
    CaseEvent,
    Evidence,
    Extension,
    Hearing,
    InvestigationRecord,
    LegalAdvisor,
    LegalOpinion,
    MediationCase,
    RightsNotice,
)
from mediation.models.base import utcnow
from mediation.services.access import case_scope
from mediation.services.accounts import CurrentUser
from mediation.services.cases import CaseNotFound
from mediation.settings import Settings

NOTICE_METHODS = {"written": "书面告知", "oral": "口头告知"}


@dataclass(frozen=True)
class EvidenceFile:
    path: Path
    display_name: str
    content_type: str


@dataclass(frozen=True)
class WorkRecords:
    notices: list[Any]
    investigations: list[Any]
    hearings: list[Any]
    opinions: list[Any]
    evidence: list[Any]
    extensions: list[Any]


def _text(form: Mapping[str, object], name: str, label: str, limit: int, problems: dict[str, Problem],
          required: bool = True) -> str:
    value = str(form.get(name, "") or "").strip()
    if required and not value:
        problems[name] = Problem(f"请填写{label}")
    elif len(value) > limit:
        problems[name] = Problem(f"{label}不能超过 {limit} 字")
    return value


def _moment(form: Mapping[str, object], name: str, label: str, settings: Settings,
            problems: dict[str, Problem], earliest: date) -> datetime | None:
    """A local date and time from a datetime-local input: not before the case was registered, not in the future."""
    raw = str(form.get(name, "") or "").strip()
    try:
        moment = datetime.fromisoformat(raw).replace(tzinfo=settings.tz) if raw else None
    except ValueError:
        moment = None
    if moment is None:
        problems[name] = Problem(f"请填写有效的{label}")
    elif moment > utcnow():
        problems[name] = Problem(f"{label}不能晚于现在")
        return None
    elif moment.date() < earliest:
        problems[name] = Problem(f"{label}不能早于案件登记日期 {earliest}")
        return None
    return moment


class MediationWorkService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def _case(self, user: CurrentUser, case_id: int, writing: bool = True) -> MediationCase:
        case = await self.session.scalar(select(MediationCase).where(MediationCase.id == case_id, case_scope(user)))
        if case is None:
            raise CaseNotFound()
        if writing and case.status not in workflow.OPEN_STATUSES:
            raise Invalid({"action": Problem(
                f"案件当前状态为“{workflow.status_label(case.status)}”，不能再记录调解工作")})
        return case

    def _record(self, case: MediationCase, user: CurrentUser, kind: str, summary: str, reason: str = "") -> None:
        case.last_action_at = utcnow()
        if case.status == "accepted" and kind in ("hearing", "investigation", "rights_notice"):
            case.status = "in_mediation"
        self.session.add(CaseEvent(case_id=case.id, actor_id=user.id, kind=kind, summary=summary[:400],
                                   reason=reason))

    async def records(self, user: CurrentUser, case_id: int) -> WorkRecords:
        return await self.records_of(await self._case(user, case_id, writing=False))

    async def records_of(self, case: MediationCase) -> WorkRecords:
        """The mediation work recorded on a case the user may see."""

        async def rows(model: Any, order: Any) -> list[Any]:
            return list(await self.session.scalars(select(model).where(model.case_id == case.id).order_by(order)))

        opinions = (await self.session.execute(
            select(LegalOpinion, LegalAdvisor.name)
            .outerjoin(LegalAdvisor, LegalAdvisor.id == LegalOpinion.advisor_id)
            .where(LegalOpinion.case_id == case.id).order_by(LegalOpinion.id))).all()
        return WorkRecords(
            notices=await rows(RightsNotice, RightsNotice.notified_at),
            investigations=await rows(InvestigationRecord, InvestigationRecord.investigated_at),
            hearings=await rows(Hearing, Hearing.held_at),
            opinions=[(opinion, name or "") for opinion, name in opinions],
            evidence=await rows(Evidence, Evidence.id),
            extensions=await rows(Extension, Extension.id),
        )

    async def add_rights_notice(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            problems: dict[str, Problem] = {}
            moment = _moment(form, "notified_at", "告知时间", self.settings, problems, case.registered_on)
            method = str(form.get("method", ""))
            if method not in NOTICE_METHODS:
                problems["method"] = Problem("请选择告知方式")
            told = _text(form, "parties_told", "被告知的当事人", 400, problems)
            note = _text(form, "note", "说明", 1000, problems, required=False)
            if problems:
                raise Invalid(problems)
            self.session.add(RightsNotice(case_id=case.id, recorded_by_id=user.id, notified_at=moment,
                                          method=method, parties_told=told, note=note))
            self._record(case, user, "rights_notice", f"权利义务告知（{NOTICE_METHODS[method]}）：{told}")

    async def add_investigation(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            problems: dict[str, Problem] = {}
            moment = _moment(form, "investigated_at", "调查时间", self.settings, problems, case.registered_on)
            place = _text(form, "place", "调查地点", 200, problems)
            investigators = _text(form, "investigators", "调查人", 200, problems)
            subjects = _text(form, "subjects", "被调查人", 200, problems)
            findings = _text(form, "findings", "调查情况", 5000, problems)
            if problems:
                raise Invalid(problems)
            self.session.add(InvestigationRecord(case_id=case.id, recorded_by_id=user.id, investigated_at=moment,
                                                 place=place, investigators=investigators, subjects=subjects,
                                                 findings=findings))
            self._record(case, user, "investigation", f"调查记录：{place}，被调查人 {subjects}")

    async def add_hearing(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            problems: dict[str, Problem] = {}
            moment = _moment(form, "held_at", "调解时间", self.settings, problems, case.registered_on)
            place = _text(form, "place", "调解地点", 200, problems)
            mediators = _text(form, "mediators", "调解员", 200, problems)
            attendees = _text(form, "attendees", "参加人员", 400, problems)
            record = _text(form, "record", "调解笔录", 20000, problems)
            if problems:
                raise Invalid(problems)
            self.session.add(Hearing(case_id=case.id, recorded_by_id=user.id, held_at=moment, place=place,
                                     mediators=mediators, attendees=attendees, record=record))
            local = moment.astimezone(self.settings.tz).strftime("%Y-%m-%d %H:%M") if moment else ""
            self._record(case, user, "hearing", f"调解会：{local} 于{place}，调解员 {mediators}")

    async def add_opinion(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            problems: dict[str, Problem] = {}
            opinion = _text(form, "opinion", "法律意见", 5000, problems)
            if problems:
                raise Invalid(problems)
            advisor_id = await self.session.scalar(select(LegalAdvisor.id).where(LegalAdvisor.user_id == user.id))
            self.session.add(LegalOpinion(case_id=case.id, recorded_by_id=user.id, advisor_id=advisor_id,
                                          opinion=opinion))
            self._record(case, user, "legal_opinion", f"法律意见：{user.display_name}")

    async def upload_evidence(self, user: CurrentUser, case_id: int, filename: str, stream: Any,
                              description: str) -> str:
        """Store the file under a generated name outside the web root; refuse by size and by content."""
        description = description.strip()
        if len(description) > 200:
            raise Invalid({"description": Problem("说明不能超过 200 字")})
        if problem := display_name_problem(filename):
            raise Invalid({"file": Problem(problem)})
        await self._case(user, case_id)  # scope and state are checked before anything is written
        upload_dir = self.settings.upload_dir
        upload_dir.mkdir(parents=True, exist_ok=True)
        stored_name = uuid.uuid4().hex
        target = upload_dir / stored_name
        digest = hashlib.sha256()
        size = 0
        head = b""
        try:
            with open(target, "xb") as handle:
                while chunk := await stream.read(1024 * 1024):
                    size += len(chunk)
                    if size > MAX_UPLOAD_BYTES:
                        raise Invalid({"file": Problem("文件超过 20 MB，请压缩或分开上传")})
                    if len(head) < 64:
                        head += chunk[: 64 - len(head)]
                    digest.update(chunk)
                    handle.write(chunk)
            if size == 0:
                raise Invalid({"file": Problem("请选择要上传的文件")})
            members: list[str] = []
            if head.startswith(b"PK\x03\x04"):
                try:
                    with zipfile.ZipFile(target) as archive:
                        members = archive.namelist()
                except zipfile.BadZipFile:
                    members = []
            content_type = sniff_type(head, members, filename)
            if content_type is None:
                raise Invalid({"file": Problem("只能上传 PDF、图片（JPG、PNG、GIF、WEBP）或 Office 文档")})
            shown_name = display_name(filename)
            async with write_transaction(self.session):
                case = await self._case(user, case_id)
                self.session.add(Evidence(case_id=case.id, recorded_by_id=user.id, display_name=shown_name,
                                          stored_name=stored_name, content_type=content_type, size=size,
                                          sha256=digest.hexdigest(), description=description))
                self._record(case, user, "evidence", f"上传证据材料：{shown_name}")
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return shown_name

    async def evidence_file(self, user: CurrentUser, case_id: int, evidence_id: int) -> EvidenceFile:
        """Only a user who may see the case gets its files (the scope is part of the query)."""
        row = (await self.session.execute(
            select(Evidence.stored_name, Evidence.display_name, Evidence.content_type)
            .join(MediationCase, MediationCase.id == Evidence.case_id)
            .where(Evidence.id == evidence_id, Evidence.case_id == case_id, case_scope(user))
        )).first()
        if row is None:
            raise CaseNotFound()
        stored_name, display_name, content_type = row
        path = self.settings.upload_dir / stored_name
        if os.path.basename(stored_name) != stored_name or not path.is_file():
            raise CaseNotFound()
        return EvidenceFile(path, display_name, content_type)

    async def request_extension(self, user: CurrentUser, case_id: int, form: Mapping[str, object]) -> None:
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            problems: dict[str, Problem] = {}
            raw = str(form.get("requested_deadline", "")).strip()
            try:
                requested = date.fromisoformat(raw)
            except ValueError:
                requested = None
            if requested is None:
                problems["requested_deadline"] = Problem("请填写延期后的期限")
            elif case.deadline and requested <= case.deadline:
                problems["requested_deadline"] = Problem(f"延期后的期限须晚于现期限 {case.deadline}")
            reason = _text(form, "reason", "延期理由", 500, problems)
            applicant = _text(form, "applicant_consent", "申请人同意情况", 200, problems)
            respondent = _text(form, "respondent_consent", "被申请人同意情况", 200, problems)
            if await self.session.scalar(select(Extension.id).where(
                    Extension.case_id == case.id, Extension.status == "pending")):
                problems["requested_deadline"] = Problem("已有一项延期申请等待审批")
            if problems or requested is None or case.deadline is None:
                raise Invalid(problems or {"requested_deadline": Problem("该案件没有办理期限")})
            self.session.add(Extension(case_id=case.id, recorded_by_id=user.id, current_deadline=case.deadline,
                                       requested_deadline=requested, reason=reason, applicant_consent=applicant,
                                       respondent_consent=respondent))
            self._record(case, user, "extension_requested", f"申请延期至 {requested}（双方当事人同意）", reason)

    async def decide_extension(self, user: CurrentUser, case_id: int, extension_id: int, approve: bool,
                               note: str) -> None:
        if user.role not in ("supervisor", "admin"):
            raise Invalid({"extension": Problem("延期须由中心主任/司法所长审批")})
        async with write_transaction(self.session):
            case = await self._case(user, case_id)
            extension = await self.session.get(Extension, extension_id)
            if extension is None or extension.case_id != case.id:
                raise CaseNotFound()
            if extension.status != "pending":
                raise Invalid({"extension": Problem("该延期申请已审批过")})
            if not approve and not note.strip():
                raise Invalid({"decision_note": Problem("不批准须说明理由")})
            extension.status = "approved" if approve else "rejected"
            extension.decided_by_id, extension.decided_at = user.id, utcnow()
            extension.decision_note = note.strip()[:500]
            if approve:
                old = case.deadline
                case.deadline = extension.requested_deadline
                self._record(case, user, "extended", f"批准延期：期限由 {old} 改为 {case.deadline}",
                             extension.decision_note)
            else:
                self._record(case, user, "extension_rejected", "不批准延期", extension.decision_note)

    async def pending_extensions(self, user: CurrentUser) -> list[tuple[int, str, date, date]]:
        rows = await self.session.execute(
            select(MediationCase.id, MediationCase.number, Extension.current_deadline, Extension.requested_deadline)
            .join(Extension, Extension.case_id == MediationCase.id)
            .where(Extension.status == "pending", case_scope(user))
            .order_by(Extension.id).limit(50))
        return [tuple(row) for row in rows.all()]

