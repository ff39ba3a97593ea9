"""/reports/monthly: the monthly summary page (drill-down, comparisons, charts, per-person tables,
corrections), its CSV and XLSX downloads, and the month close (supervisors and admins)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from mediation.domain.reports import MonthInvalid
from mediation.services.month_close import MonthCloseRefused
from mediation.services.report_page import ReportServices
from mediation.services.reports import summary_csv, summary_xlsx, today_month
from mediation.web.guards import require_role
from mediation.web.pages import redirect_with_flash, render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class ReportController(Controller):
    path = "/reports"
    guards = [require_role("supervisor")]
    include_in_schema = False

    @get("/monthly")
    async def monthly(self, request: Request, reporting: ReportServices, month: str = "", town: int | None = None,
                      live: bool = False) -> Template:
        month = month.strip()[:7] or today_month(reporting.reports.settings)
        try:
            report = await reporting.page(reporting.month(month), request.user, town, live)
        except MonthInvalid as invalid:
            return render(request, "reports/monthly.html", status_code=400, report=None, month=month,
                          error=invalid.zh)
        return render(request, "reports/monthly.html", report=report, month=month, error=None, live=live)

    @get("/charts")
    async def charts(self, request: Request, reporting: ReportServices, month: str = "") -> Template:
        """The month's charts as a fragment (the report page and the dashboard load it after themselves)."""
        try:
            chosen = reporting.month(month.strip()[:7]) if month.strip() else reporting.current_month()
        except MonthInvalid as invalid:
            return render(request, "reports/_chart_error.html", status_code=400, error=invalid.zh)
        return render(request, "reports/_charts.html", charts=await reporting.charts(chosen, request.user))

    @post("/monthly/close")
    async def close(self, request: Request, reporting: ReportServices, data: Form) -> Redirect:
        text = data.get("month", "").strip()[:7]
        back = f"/reports/monthly?month={quote(text)}"
        try:
            closing = await reporting.closes.close(reporting.month(text), request.user, reporting.today())
        except MonthInvalid as invalid:
            return redirect_with_flash(back, invalid.zh, "error")
        except MonthCloseRefused as refused:
            return redirect_with_flash(back, refused.zh, "error")
        return redirect_with_flash(back, f"{closing.month} 已关账，本月统计数据已冻结")

    async def _file(self, request: Request, reporting: ReportServices, month: str, live: bool,
                    kind: str) -> Response[bytes]:
        try:
            summary = await reporting.summary(
                reporting.month(month.strip()[:7] or today_month(reporting.reports.settings)), request.user, live)
        except MonthInvalid as invalid:
            return Response(invalid.zh.encode(), status_code=400, media_type="text/plain; charset=utf-8")
        content, media_type = (summary_csv(summary), "text/csv; charset=utf-8") if kind == "csv" \
            else (summary_xlsx(summary), XLSX)
        filename = quote(f"矛盾纠纷调解月度统计-{summary.month.key}.{kind}")
        return Response(content, media_type=media_type, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{filename}", "Cache-Control": "private, no-store"})

    @get("/monthly.csv")
    async def monthly_csv(self, request: Request, reporting: ReportServices, month: str = "",
                          live: bool = False) -> Response[bytes]:
        return await self._file(request, reporting, month, live, "csv")

    @get("/monthly.xlsx")
    async def monthly_xlsx(self, request: Request, reporting: ReportServices, month: str = "",
                           live: bool = False) -> Response[bytes]:
        return await self._file(request, reporting, month, live, "xlsx")
