"""The signed-in user's dashboard."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from mediation.services.cases import CaseService
from mediation.services.dashboard import DashboardService
from mediation.services.queues import QueueService
from mediation.web.pages import render

# Those who answer for the figures see the trend and breakdowns of their scope on their dashboard, loaded by
# htmx when scrolled into view (/reports/charts), so the queues above never wait for them.
CHART_ROLES = frozenset({"supervisor", "admin"})


@get("/", include_in_schema=False)
async def dashboard(request: Request, dashboards: DashboardService, cases: CaseService,
                    queues: QueueService) -> Template:
    user = request.user
    return render(request, "home/dashboard.html", overview=await dashboards.overview(user),
                  queue=await cases.queue(user), queues=await queues.for_user(user),
                  show_charts=user.role in CHART_ROLES)
