"""Printable documents of a case (A4). So far the intake receipt (受理回执)."""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from mediation.services.cases import CaseNotFound, CaseService
from mediation.web.pages import render
from mediation.web.track import track_url


@get("/cases/{case_id:int}/documents/receipt", include_in_schema=False)
async def receipt(request: Request, cases: CaseService, case_id: int) -> Template:
    try:
        case = await cases.view(request.user, case_id)
    except CaseNotFound as exc:
        raise NotFoundException() from exc
    if case.status not in ("accepted", "in_mediation", "closed", "archived"):
        raise NotFoundException("该案件未受理，没有受理回执")
    return render(request, "documents/receipt.html", case=case, track_url=track_url(request))
