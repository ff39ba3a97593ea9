"""/reports/monthly: the monthly summary page and its CSV and XLSX downloads (supervisors and admins)."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Controller, Request, Response, get
from litestar.response import Template

from mediation.domain.reports import MonthInvalid
from mediation.services.reports import ReportService, summary_csv, summary_xlsx, today_month
from mediation.web.guards import require_role
from mediation.web.pages import render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportController(Controller):
    path = "/reports"
    guards = [require_role("supervisor")]
    include_in_schema = False

    @get("/monthly")
    async def monthly(self, request: Request, reports: ReportService, month: str = "") -> Template:
        month = month.strip()[:7] or today_month(reports.settings)
        try:
            summary = await reports.monthly_for(month, request.user)
        except MonthInvalid as invalid:
            return render(request, "reports/monthly.html", status_code=400, summary=None, month=month,
                          error=invalid.zh)
        return render(request, "reports/monthly.html", summary=summary, month=month, error=None)

    async def _file(self, request: Request, reports: ReportService, month: str, kind: str) -> Response[bytes]:
        try:
            summary = await reports.monthly_for(month.strip()[:7] or today_month(reports.settings), request.user)
        except MonthInvalid as invalid:
            return Response(invalid.zh.encode(), status_code=400, media_type="text/plain; charset=utf-8")
        content, media_type = (summary_csv(summary), "text/csv; charset=utf-8") if kind == "csv" \
            else (summary_xlsx(summary), XLSX)
        filename = quote(f"矛盾纠纷调解月度统计-{summary.month.key}.{kind}")
        return Response(content, media_type=media_type, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{filename}", "Cache-Control": "private, no-store"})

    @get("/monthly.csv")
    async def monthly_csv(self, request: Request, reports: ReportService, month: str = "") -> Response[bytes]:
        return await self._file(request, reports, month, "csv")

    @get("/monthly.xlsx")
    async def monthly_xlsx(self, request: Request, reports: ReportService, month: str = "") -> Response[bytes]:
        return await self._file(request, reports, month, "xlsx")
