"""Printable documents of a case: `/cases/{id}/documents/{name}` (HTML) and `{name}.pdf` (PDF)."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from mediation.services.case_page import CaseServices
from mediation.services.cases import CaseNotFound
from mediation.services.documents import DocumentNotAvailable, DocumentService, render_pdf
from mediation.web.pages import render
from mediation.web.track import track_url


@get("/cases/{case_id:int}/documents/{name:str}", include_in_schema=False)
async def document(request: Request, workspace: CaseServices, case_id: int, name: str) -> Template | Response[bytes]:
    as_pdf = name.endswith(".pdf")
    name = name.removesuffix(".pdf")
    service = DocumentService(workspace.cases.session, workspace.cases.settings, workspace)
    try:
        data = await service.data(request.user, case_id, name, track_url(request))
    except CaseNotFound as exc:
        raise NotFoundException() from exc
    except DocumentNotAvailable as exc:
        raise NotFoundException(f"该案件目前还没有{exc}") from exc
    if not as_pdf:
        return render(request, "documents/page.html", doc=data)
    engine = request.app.template_engine
    html = engine.get_template("documents/page.html").render(
        doc=data, user=request.user, navigation=[], current_path="", flashes=[], request=request,
        csrf_token=lambda: "")
    stylesheet = (request.app.state.static_dir / "documents.css").read_text(encoding="utf-8")
    pdf = render_pdf(html, stylesheet, data.track_url)
    filename = f"{data.case.number}-{data.title}.pdf"
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "private, no-store",
    })
