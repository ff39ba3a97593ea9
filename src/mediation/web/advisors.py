"""/advisors: the legal advisor registry with each advisor's open workload, and village coverage."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from mediation.services.advisors import AdvisorService
from mediation.web.guards import require_role
from mediation.web.pages import render


@get("/advisors", guards=[require_role("supervisor", "counter", "village_mediator", "admin")],
     include_in_schema=False)
async def advisor_registry(request: Request, advisors: AdvisorService) -> Template:
    return render(request, "advisors/index.html", advisors=await advisors.registry(),
                  coverage=await advisors.coverage())
