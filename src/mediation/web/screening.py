"""/screenings: record a screening (排查), file a zero report (零上报), the month's screenings and each
village's reporting state. Counter mediators may look; village mediators and supervisors also record."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from mediation.domain.reports import MonthInvalid
from mediation.domain.validation import Invalid, whole_number
from mediation.services.screening import RECORDING_ROLES, ScreeningFilters, ScreeningService
from mediation.web.guards import require_role
from mediation.web.pages import redirect_with_flash, render

VIEWING_ROLES = ("village_mediator", "supervisor", "counter")


def _form_dict(form: Any) -> dict[str, str]:
    return {key: str(form.get(key, "")) for key in form.keys()}


class ScreeningController(Controller):
    path = "/screenings"
    guards = [require_role(*VIEWING_ROLES)]
    include_in_schema = False

    async def _page(self, request: Request, screening: ScreeningService, status_code: int = 200,
                    values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                    zero_values: dict[str, str] | None = None,
                    zero_errors: dict[str, str] | None = None) -> Template:
        """The page, also re-rendered with a form's problems and everything that was typed into it."""
        user = request.user
        filters = ScreeningFilters.from_query(request.query_params, screening.current_month())
        villages = await screening.villages(user)
        only = str(villages[0].id) if len(villages) == 1 else ""
        values = values or {"screened_on": screening.today.isoformat(), "village": only, "found_disputes": "0"}
        month_error, month, page, statuses = "", None, None, []
        try:
            month = screening.month(filters.month)
        except MonthInvalid as invalid:
            month_error, status_code = invalid.zh, max(status_code, 400)
        if month is not None:
            page = await screening.screenings(user, month, filters)
            statuses = await screening.village_statuses(user, month)
        filing_months = screening.filing_months()
        if zero_values is None:
            keys = [option.key for option in filing_months]
            zero_values = {"month": filters.month if filters.month in keys else keys[0], "village": only}
        grids = await screening.grids(user, whole_number(values.get("village")))
        return render(
            request, "screening/index.html", status_code=status_code, filters=filters, month=month,
            month_error=month_error, page=page, statuses=statuses, villages=villages, grids=grids,
            values=values, errors=errors or {}, zero_values=zero_values, zero_errors=zero_errors or {},
            filing_months=filing_months, can_record=user.role in RECORDING_ROLES,
        )

    @get("/")
    async def index(self, request: Request, screening: ScreeningService) -> Template:
        return await self._page(request, screening)

    @post("/", guards=[require_role("village_mediator", "supervisor")])
    async def record(self, request: Request, screening: ScreeningService) -> Template | Redirect:
        values = _form_dict(await request.form())
        try:
            draft = await screening.record(request.user, values)
        except Invalid as invalid:
            return await self._page(request, screening, 422, values=values, errors=invalid.messages_zh)
        return redirect_with_flash(f"/screenings?month={draft.screened_on.strftime('%Y-%m')}",
                                   f"已保存 {draft.screened_on.isoformat()} 的排查记录")

    @post("/zero-reports", guards=[require_role("village_mediator", "supervisor")])
    async def file_zero_report(self, request: Request, screening: ScreeningService) -> Template | Redirect:
        values = _form_dict(await request.form())
        try:
            village, month = await screening.file_zero_report(request.user, values)
        except Invalid as invalid:
            return await self._page(request, screening, 422, zero_values=values, zero_errors=invalid.messages_zh)
        return redirect_with_flash(f"/screenings?month={month.key}#zero-reports",
                                   f"{village.label} 已零上报：{month.label}无矛盾纠纷")
