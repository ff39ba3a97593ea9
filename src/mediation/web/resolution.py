"""Resolving a case: the agreement, closing, obligations and performance, judicial confirmation,
follow-up visits, archiving and reopening. Each action re-renders the case page on a refusal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from mediation.domain.validation import Invalid
from mediation.services.case_page import CaseServices
from mediation.services.cases import CaseNotFound
from mediation.web.cases import case_page
from mediation.web.pages import redirect_with_flash


class ResolutionController(Controller):
    path = "/cases/{case_id:int}"
    include_in_schema = False

    async def _run(self, request: Request, page: CaseServices, case_id: int, panel: str,
                   action: Callable[[dict[str, str]], Awaitable[Any]], done: str) -> Template | Redirect:
        form = await request.form()
        values = {key: str(form.get(key, "")) for key in form.keys()}
        try:
            result = await action(values)
        except CaseNotFound as exc:
            raise NotFoundException() from exc
        except Invalid as invalid:
            return await case_page(request, page, case_id, 422, invalid.messages_zh, values, panel)
        return redirect_with_flash(f"/cases/{case_id}#{panel}", done.format(result=result))

    @post("/agreement")
    async def save_agreement(self, request: Request, page: CaseServices, case_id: int) -> Template | Redirect:
        return await self._run(request, page, case_id, "agreement",
                               lambda values: page.resolution.save_agreement(request.user, case_id, values),
                               "已保存调解协议")

    @post("/agreement/sign")
    async def sign_agreement(self, request: Request, page: CaseServices, case_id: int) -> Template | Redirect:
        return await self._run(request, page, case_id, "agreement",
                               lambda values: page.resolution.sign_agreement(request.user, case_id, values),
                               "已登记协议签署，协议内容此后只读")

    @post("/agreement/amend")
    async def amend_agreement(self, request: Request, page: CaseServices, case_id: int) -> Template | Redirect:
        return await self._run(request, page, case_id, "agreement",
                               lambda values: page.resolution.amend_agreement(request.user, case_id, values),
                               "已登记协议修正")

    @post("/close")
    async def close(self, request: Request, page: CaseServices, case_id: int) -> Template | Redirect:
        return await self._run(request, page, case_id, "close",
                               lambda values: page.resolution.close(request.user, case_id, values), "已结案")

    @post("/obligations")
    async def add_obligation(self, request: Request, page: CaseServices, case_id: int) -> Template | Redirect:
        return await self._run(request, page, case_id, "performance",
                               lambda values: page.resolution.add_obligation(request.user, case_id, values),
                               "已登记履行义务")

    @post("/obligations/{obligation_id:int}/performed")
    async def performed(self, request: Request, page: CaseServices, case_id: int,
                        obligation_id: int) -> Template | Redirect:
        return await self._run(
            request, page, case_id, "performance",
            lambda values: page.resolution.mark_performed(request.user, case_id, obligation_id, values),
            "已登记履行")

    @post("/confirmation")
    async def confirmation(self, request: Request, page: CaseServices, case_id: int) -> Template | Redirect:
        return await self._run(request, page, case_id, "confirmation",
                               lambda values: page.resolution.apply_confirmation(request.user, case_id, values),
                               "已登记司法确认申请")

    @post("/confirmation/result")
    async def confirmation_result(self, request: Request, page: CaseServices,
                                  case_id: int) -> Template | Redirect:
        return await self._run(request, page, case_id, "confirmation",
                               lambda values: page.resolution.confirmation_result(request.user, case_id, values),
                               "已登记司法确认结果")

    @post("/follow-ups/{follow_up_id:int}")
    async def follow_up(self, request: Request, page: CaseServices, case_id: int,
                        follow_up_id: int) -> Template | Redirect:
        return await self._run(
            request, page, case_id, "follow-up",
            lambda values: page.resolution.record_follow_up(request.user, case_id, follow_up_id, values),
            "已记录回访")

    @post("/archive")
    async def archive(self, request: Request, page: CaseServices, case_id: int) -> Template | Redirect:
        return await self._run(request, page, case_id, "archive",
                               lambda values: page.resolution.archive(request.user, case_id, values),
                               "已归档，卷宗号 {result}")

    @post("/reopen")
    async def reopen(self, request: Request, page: CaseServices, case_id: int) -> Template | Redirect:
        return await self._run(request, page, case_id, "archive",
                               lambda values: page.resolution.reopen(request.user, case_id, values),
                               "案件已重新启用")
