"""/ledger (supervisors and admins): export the ledger within the user's scope, import one (upload, the
validation report, then the import as a background job whose progress htmx polls), and the audit."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import File, Redirect, Template

from mediation.domain.ledger import LEDGER_COLUMNS
from mediation.domain.uploads import MAX_UPLOAD_BYTES
from mediation.domain.validation import Invalid, Problem, whole_number
from mediation.services.ledger import FILE_KINDS, LedgerNotFound, LedgerService, parse_range
from mediation.web.guards import require_role
from mediation.web.pages import render

UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 512 * 1024
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class LedgerController(Controller):
    path = "/ledger"
    guards = [require_role("supervisor")]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, ledger: LedgerService, before: str | None = None) -> Template:
        return await self._page(request, ledger, {"format": "csv"}, {}, whole_number(before))

    async def _page(self, request: Request, ledger: LedgerService, form: dict[str, str], errors: dict[str, str],
                    before: int | None = None, status_code: int = 200) -> Template:
        audit, more = await ledger.audit(before) if request.user.role == "admin" else ([], None)
        return render(request, "ledger/index.html", status_code=status_code, form=form, errors=errors,
                      audit=audit, more=more, kinds=FILE_KINDS, columns=LEDGER_COLUMNS)

    @post("/export", status_code=200)
    async def export(self, request: Request, ledger: LedgerService) -> Template | File:
        submitted = await request.form()
        form = {name: str(submitted.get(name, "") or "").strip()[:20] for name in ("date_from", "date_to", "format")}
        try:
            if form["format"] not in MEDIA_TYPES:
                raise Invalid({"format": Problem("请选择文件格式（CSV 或 Excel）")})
            start, end = parse_range(form["date_from"], form["date_to"])
        except Invalid as invalid:
            return await self._page(request, ledger, form, invalid.messages_zh, status_code=422)
        path, name = await ledger.export_file(request.user, form["format"], start, end)
        return File(
            path=path, media_type=MEDIA_TYPES[form["format"]], content_disposition_type="attachment",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
                     "Cache-Control": "private, no-store"},
            background=BackgroundTask(path.unlink, missing_ok=True),
        )

    @post("/imports", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def upload(self, request: Request, ledger: LedgerService,
                     data: dict[str, Any] = Body(media_type=RequestEncodingType.MULTI_PART)) -> Template | Redirect:
        upload = data.get("file")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Invalid({"file": Problem("请选择要导入的台账文件")})
            transfer_id = await ledger.validate_upload(request.user, upload.filename, upload)
        except Invalid as invalid:
            return await self._page(request, ledger, {"format": "csv"}, invalid.messages_zh, status_code=422)
        return Redirect(path=f"/ledger/imports/{transfer_id}", status_code=303)

    @get("/imports/{transfer_id:int}")
    async def transfer(self, request: Request, ledger: LedgerService, transfer_id: int) -> Template:
        """The validation report of an upload, or an import's progress and result; htmx polls the fragment."""
        try:
            view = await ledger.transfer(request.user, transfer_id)
        except LedgerNotFound as exc:
            raise NotFoundException() from exc
        polled = request.headers.get("hx-request") == "true"
        return render(request, "ledger/_status.html" if polled else "ledger/transfer.html", transfer=view,
                      errors={})

    @post("/imports/{transfer_id:int}/confirm")
    async def confirm(self, request: Request, ledger: LedgerService, transfer_id: int) -> Template | Redirect:
        try:
            job_id = await ledger.start_import(request.user, transfer_id)
        except LedgerNotFound as exc:
            raise NotFoundException() from exc
        except Invalid as invalid:
            view = await ledger.transfer(request.user, transfer_id)
            return render(request, "ledger/transfer.html", status_code=409, transfer=view,
                          errors=invalid.messages_zh)
        return Redirect(path=f"/ledger/imports/{job_id}", status_code=303)
