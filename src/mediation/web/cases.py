"""Cases: counter intake with its live checks, the case list, one case and its actions, the receipt."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from mediation.domain.id_numbers import id_number_problem, normalize_id_number
from mediation.domain.intake import PARTY_KINDS, SIDES, PartyDraft, party_indexes, parse_intake
from mediation.domain.roles import INTAKE_ROLES
from mediation.domain.validation import Invalid, whole_number
from mediation.domain.workflow import REFUSAL_REASONS, STATUS_LABELS
from mediation.services.cases import DUE_FILTERS, SORTS, CaseConflict, CaseFilters, CaseNotFound, CaseService
from mediation.services.assignments import ASSIGNING_ROLES, OVERRIDING_ROLES, AssignmentService
from mediation.services.intake import IntakeService
from mediation.domain.closing import AGREEMENT_FORMS, FAILURE_ROUTES, OUTCOMES, RETENTION_PERIODS
from mediation.services.case_page import CaseServices
from mediation.services.resolution import SATISFACTION, SUPERVISING_ROLES
from mediation.services.mediation_work import NOTICE_METHODS
from mediation.web.guards import require_role
from mediation.web.pages import redirect_with_flash, render


def _form_dict(form: Any) -> dict[str, str]:
    return {key: str(form.get(key, "")) for key in form.keys()}


class IntakeController(Controller):
    path = "/cases/new"
    guards = [require_role(*INTAKE_ROLES)]
    include_in_schema = False

    async def _form(self, request: Request, intake: IntakeService, values: dict[str, str],
                    errors: dict[str, str], status_code: int = 200) -> Template:
        options = await intake.options()
        town, village = whole_number(values.get("town")), whole_number(values.get("village"))
        villages = await intake.places_under(town) if town else []
        grids = await intake.places_under(village) if village else []
        parties = []
        for side in SIDES:
            for index in party_indexes(values, side):
                party_town = whole_number(values.get(f"{side}-{index}-town"))
                parties.append({
                    "side": side, "index": index,
                    "villages": await intake.places_under(party_town) if party_town else [],
                })
        return render(request, "cases/new.html", status_code=status_code, options=options, villages=villages,
                      grids=grids, parties=parties, values=values, errors=errors, sides=SIDES,
                      party_kinds=PARTY_KINDS, refusal_reasons=REFUSAL_REASONS)

    @get("/")
    async def new(self, request: Request, intake: IntakeService) -> Template:
        values = {"intake_token": uuid.uuid4().hex, "people_involved": "2", "risk_level": "ordinary"}
        return await self._form(request, intake, values, {})

    @post("/")
    async def create(self, request: Request, intake: IntakeService) -> Template | Redirect:
        values = _form_dict(await request.form())
        refusing = values.get("action") == "refuse"
        sources, types, risks = await intake.valid_codes()
        try:
            draft = parse_intake(values, sources, types, risks, REFUSAL_REASONS, refusing=refusing)
            registered = await intake.register(draft, request.user, values.get("intake_token", ""), refusing)
        except Invalid as invalid:
            return await self._form(request, intake, values, invalid.messages_zh, status_code=422)
        if not registered.created:
            return redirect_with_flash(f"/cases/{registered.id}", f"该表单已提交过，案件 {registered.number} 已登记", "info")
        verb = "已登记（不予受理）" if refusing else "已登记受理"
        return redirect_with_flash(f"/cases/{registered.id}", f"{verb}：{registered.number}")

    @get("/party")
    async def party_block(self, request: Request, intake: IntakeService, side: str = "applicant",
                          index: int = 1) -> Template:
        if side not in SIDES or not 0 <= index < 20:
            raise NotFoundException()
        options = await intake.options()
        return render(request, "cases/_party_added.html", party={"side": side, "index": index, "villages": []},
                      options=options, values={}, errors={}, sides=SIDES, party_kinds=PARTY_KINDS, oob=True)

    @post("/check")
    async def check(self, request: Request, intake: IntakeService) -> Template:
        """Live, debounced: earlier cases of the same people and the suggested level. Informs, never blocks."""
        values = _form_dict(await request.form())
        _, types, risks = await intake.valid_codes()
        parties = _loose_parties(values)
        town, village = whole_number(values.get("town")), whole_number(values.get("village"))
        suggestion = None
        if town and village and values.get("dispute_type") in types:
            # Only what the rule needs: a missing name or a wrong phone elsewhere does not hide the suggestion.
            suggestion = await intake.suggest(
                town, village, parties, values.get("dispute_type", ""),
                values.get("risk_level") if values.get("risk_level") in risks else "ordinary",
                whole_number(values.get("people_involved")) or 2)
        earlier = await intake.earlier_cases(request.user, parties, village)
        return render(request, "cases/_checks.html", suggestion=suggestion, earlier=earlier)

    @get("/party/removed")
    async def party_removed(self) -> str:
        """An added party block is removed by swapping in nothing (no script needed)."""
        return ""

    @post("/check-id")
    async def check_id(self, request: Request) -> Template:
        form = await request.form()
        field_name = next((key for key in form.keys() if key.endswith("-id_number")), "")
        value = normalize_id_number(str(form.get(field_name, "")))
        problem = id_number_problem(value) if value else None
        return render(request, "cases/_id_check.html", value=value, problem=problem)


def _loose_parties(values: dict[str, str]) -> list[PartyDraft]:
    """Parties from a half-filled form, for the repeat check before the form is complete."""
    parties = []
    for side in SIDES:
        for index in party_indexes(values, side):
            prefix = f"{side}-{index}-"
            parties.append(PartyDraft(
                side, index, "person", values.get(prefix + "name", "").strip(),
                normalize_id_number(values.get(prefix + "id_number", "")),
                values.get(prefix + "phone", "").strip().replace(" ", ""), "",
                whole_number(values.get(prefix + "town")), whole_number(values.get(prefix + "village"))))
    return parties


class PlaceOptionsController(Controller):
    path = "/places"
    include_in_schema = False

    @get("/children")
    async def children(self, request: Request, intake: IntakeService) -> Template:
        """Options for a dependent select: the select sends its own value under its own name."""
        parent = next((number for value in request.query_params.values() if (number := whole_number(value))), None)
        options = await intake.places_under(parent) if parent else []
        placeholder = request.query_params.get("placeholder", "请选择")
        # A dependent select further down (网格 under 村居) is emptied when its parent changes.
        reset = request.query_params.get("reset", "")
        return render(request, "cases/_options.html", options=options, placeholder=placeholder[:20],
                      reset=reset if re.fullmatch(r"f-[a-z0-9_-]{1,40}", reset) else "")


async def case_page(request: Request, workspace: CaseServices, case_id: int, status_code: int = 200,
                    errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                    open_panel: str = "") -> Template:
    """The case page, also re-rendered with a form's errors and what was typed into it."""
    try:
        page = await workspace.page(request.user, case_id)
    except CaseNotFound as exc:
        raise NotFoundException() from exc
    role = request.user.role
    return render(request, "cases/detail.html", status_code=status_code, case=page.case, errors=errors or {},
                  values=values or {}, open_panel=open_panel, options=page.options,
                  transfer_targets=page.transfer_targets, resolution=page.resolution, outcomes=OUTCOMES, agreement_forms=AGREEMENT_FORMS,
                  failure_routes=FAILURE_ROUTES, retention_periods=[(period, period) for period in RETENTION_PERIODS],
                  satisfaction=SATISFACTION, can_supervise=role in SUPERVISING_ROLES,
                  can_void=role in ("supervisor", "admin"), can_assign=role in ASSIGNING_ROLES,
                  can_override=role in OVERRIDING_ROLES, can_decide=role in ("supervisor", "admin"),
                  is_advisor=role == "advisor", panel=page.panel, records=page.records, notice_methods=NOTICE_METHODS)


async def case_action(request: Request, workspace: CaseServices, case_id: int, panel: str,
                      action: Callable[[dict[str, str]], Awaitable[Any]], done: str) -> Template | Redirect:
    """Run one action of the case page; on a refusal show the page again with the messages and the input."""
    form = await request.form()
    values = {key: str(form.get(key, "")) for key in form.keys()}
    try:
        result = await action(values)
    except CaseNotFound as exc:
        raise NotFoundException() from exc
    except CaseConflict:
        return await case_page(request, workspace, case_id, 409,
                               {panel: "保存失败：在您操作期间，其他人已修改了此案件。请核对最新内容后重试。"},
                               values, panel)
    except Invalid as invalid:
        return await case_page(request, workspace, case_id, 422, invalid.messages_zh, values, panel)
    return redirect_with_flash(f"/cases/{case_id}#{panel}", done.format(result=result))


class CaseController(Controller):
    path = "/cases"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, cases: CaseService, intake: IntakeService,
                    assignments: AssignmentService) -> Template:
        return await self._index(request, cases, intake, assignments)

    async def _index(self, request: Request, cases: CaseService, intake: IntakeService,
                     assignments: AssignmentService, status_code: int = 200,
                     bulk_error: str = "") -> Template:
        filters = CaseFilters.from_query(request.query_params)
        page = await cases.list_cases(request.user, filters)
        can_bulk = request.user.role in OVERRIDING_ROLES
        bulk_advisors, bulk_mediators = await assignments.bulk_options(request.user) if can_bulk else ([], [])
        template = "cases/_table.html" if request.headers.get("hx-request") == "true" \
            and request.headers.get("hx-target") == "case-table" else "cases/index.html"
        options = await intake.options()
        villages = await intake.places_under(filters.town) if filters.town else []
        return render(request, template, status_code=status_code, page=page, filters=filters, options=options,
                      villages=villages, statuses=STATUS_LABELS, sorts=SORTS, due_filters=DUE_FILTERS,
                      organizations=await cases.organization_options(),
                      can_register=request.user.role in INTAKE_ROLES, can_bulk=can_bulk,
                      bulk_advisors=bulk_advisors, bulk_mediators=bulk_mediators, bulk_error=bulk_error)

    @post("/bulk-assign")
    async def bulk_assign(self, request: Request, cases: CaseService, intake: IntakeService,
                          assignments: AssignmentService) -> Template | Redirect:
        form = await request.form()
        values = {key: str(form.get(key, "")) for key in ("advisor", "mediator")}
        try:
            count = await assignments.bulk_assign(request.user, [str(v) for v in form.getall("case", [])], values)
        except CaseNotFound as exc:
            raise NotFoundException() from exc
        except Invalid as invalid:
            return await self._index(request, cases, intake, assignments, 422,
                                     next(iter(invalid.messages_zh.values())))
        back = str(form.get("back", "")).strip()
        return redirect_with_flash(back if back.startswith("/cases") else "/cases", f"已批量分派 {count} 件案件")

    @get("/{case_id:int}")
    async def detail(self, request: Request, workspace: CaseServices, case_id: int) -> Template:
        return await case_page(request, workspace, case_id)

    @post("/{case_id:int}/edit")
    async def edit(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        values = _form_dict(await request.form())
        version = whole_number(values.get("version"))
        version = -1 if version is None else version
        try:
            await workspace.cases.edit_facts(request.user, case_id, version, values)
        except CaseNotFound as exc:
            raise NotFoundException() from exc
        except CaseConflict:
            return await case_page(
                request, workspace, case_id, 409,
                {"edit": "保存失败：在您编辑期间，其他人已修改了此案件。下面是最新内容，您填写的内容保留在表单中，请核对后重新保存。"},
                values, "edit")
        except Invalid as invalid:
            return await case_page(request, workspace, case_id, 422, invalid.messages_zh, values, "edit")
        return redirect_with_flash(f"/cases/{case_id}", "已保存案件信息")

    @post("/{case_id:int}/transfer")
    async def transfer(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "transfer",
                                 lambda values: workspace.cases.transfer(request.user, case_id, values), "已移交至{result}")

    @post("/{case_id:int}/escalate")
    async def escalate(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "escalate",
                                 lambda values: workspace.cases.escalate(request.user, case_id, values), "已提级至{result}")

    @post("/{case_id:int}/void")
    async def void(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        if request.user.role not in ("supervisor", "admin"):
            raise PermissionDeniedException("只有中心主任/司法所长可以作废案件")
        return await case_action(request, workspace, case_id, "void",
                                 lambda values: workspace.cases.void(request.user, case_id, values), "案件已作废")
