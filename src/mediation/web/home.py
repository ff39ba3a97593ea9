"""The signed-in user's dashboard."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from mediation.services.cases import CaseService
from mediation.services.dashboard import DashboardService
from mediation.services.queues import QueueService
from mediation.web.pages import render


@get("/", include_in_schema=False)
async def dashboard(request: Request, dashboards: DashboardService, cases: CaseService,
                    queues: QueueService) -> Template:
    return render(request, "home/dashboard.html", overview=await dashboards.overview(request.user),
                  queue=await cases.queue(request.user), queues=await queues.for_user(request.user))
