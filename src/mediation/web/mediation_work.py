"""Working a case: assignment and the advisor's answer, declared conflicts, the rights notice,
investigations, hearings, legal opinions, evidence files and extensions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body
from litestar.response import File, Redirect, Template

from mediation.domain.uploads import MAX_UPLOAD_BYTES
from mediation.domain.validation import Invalid, Problem
from mediation.services.assignments import AssignmentService
from mediation.services.case_page import CaseServices
from mediation.services.cases import CaseNotFound
from mediation.services.mediation_work import MediationWorkService
from mediation.web.cases import case_action, case_page
from mediation.web.pages import redirect_with_flash

# Evidence forms carry the file plus a few fields; allow 20 MB of file and some room for the rest.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 512 * 1024


class CaseWorkController(Controller):
    path = "/cases/{case_id:int}"
    include_in_schema = False

    @post("/assign")
    async def assign(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        mediators = (await request.form()).getall("mediators", [])

        async def action(values: dict[str, str]) -> Any:
            return await workspace.assignments.assign(request.user, case_id, values, [str(m) for m in mediators])

        return await case_action(request, workspace, case_id, "assign", action, "已分派")

    @post("/conflicts")
    async def declare(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        async def action(values: dict[str, str]) -> Any:
            return await workspace.assignments.declare_conflict(request.user, case_id, values.get("relation", ""))

        return await case_action(request, workspace, case_id, "conflicts", action,
                               "已申报利害关系，您将不会被分派到本案")

    @post("/rights-notices")
    async def rights_notice(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        async def action(values: dict[str, str]) -> Any:
            return await workspace.work.add_rights_notice(request.user, case_id, values)

        return await case_action(request, workspace, case_id, "notice", action,
                               "已记录权利义务告知")

    @post("/investigations")
    async def investigation(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        async def action(values: dict[str, str]) -> Any:
            return await workspace.work.add_investigation(request.user, case_id, values)

        return await case_action(request, workspace, case_id, "investigation", action,
                               "已保存调查记录")

    @post("/hearings")
    async def hearing(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        async def action(values: dict[str, str]) -> Any:
            return await workspace.work.add_hearing(request.user, case_id, values)

        return await case_action(request, workspace, case_id, "hearing", action,
                               "已保存调解会记录")

    @post("/opinions")
    async def opinion(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        if request.user.role not in ("advisor", "admin"):
            raise PermissionDeniedException("法律意见由法律顾问填写")

        async def action(values: dict[str, str]) -> Any:
            return await workspace.work.add_opinion(request.user, case_id, values)

        return await case_action(request, workspace, case_id, "opinion", action,
                               "已保存法律意见")

    @post("/extensions")
    async def extension(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        async def action(values: dict[str, str]) -> Any:
            return await workspace.work.request_extension(request.user, case_id, values)

        return await case_action(request, workspace, case_id, "extension", action,
                               "已提交延期申请，等待主任审批")

    @post("/extensions/{extension_id:int}/decision")
    async def decide(self, request: Request, workspace: CaseServices, case_id: int,
                     extension_id: int) -> Template | Redirect:
        if request.user.role not in ("supervisor", "admin"):
            raise PermissionDeniedException("延期须由中心主任/司法所长审批")

        async def action(values: dict[str, str]) -> Any:
            return await workspace.work.decide_extension(request.user, case_id, extension_id,
                                               values.get("decision") == "approve", values.get("decision_note", ""))

        return await case_action(request, workspace, case_id, "extension", action,
                               "已审批延期申请")

    @post("/evidence", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def upload(self, request: Request, workspace: CaseServices, case_id: int,
                     data: dict[str, Any] = Body(media_type=RequestEncodingType.MULTI_PART)) -> Template | Redirect:
        upload = data.get("file")
        description = str(data.get("description", "") or "")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Invalid({"file": Problem("请选择要上传的文件")})
            name = await workspace.work.upload_evidence(request.user, case_id, upload.filename, upload, description)
        except CaseNotFound as exc:
            raise NotFoundException() from exc
        except Invalid as invalid:
            return await case_page(request, workspace, case_id, 422, invalid.messages_zh, {"description": description},
                                   "evidence")
        return redirect_with_flash(f"/cases/{case_id}#evidence", f"已上传：{name}")

    @get("/evidence/{evidence_id:int}")
    async def download(self, request: Request, work: MediationWorkService, case_id: int,
                       evidence_id: int) -> File:
        try:
            found = await work.evidence_file(request.user, case_id, evidence_id)
        except CaseNotFound as exc:
            raise NotFoundException() from exc
        return File(
            path=found.path,
            media_type=found.content_type,
            content_disposition_type="attachment",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.display_name)}",
                     "Cache-Control": "private, no-store"},
        )


class AssignmentController(Controller):
    path = "/assignments"
    include_in_schema = False

    @post("/{assignment_id:int}/respond")
    async def respond(self, request: Request, assignments: AssignmentService, assignment_id: int) -> Redirect:
        form = await request.form()
        accept = form.get("answer") == "accept"
        try:
            case_id = await assignments.respond(request.user, assignment_id, accept,
                                                str(form.get("decline_reason", "")))
        except CaseNotFound as exc:
            raise NotFoundException() from exc
        except Invalid as invalid:
            return redirect_with_flash("/", next(iter(invalid.messages_zh.values())), "error")
        if accept:
            return redirect_with_flash(f"/cases/{case_id}", "已接受分派")
        return redirect_with_flash("/", "已拒绝分派，案件已退回主任重新分派")

