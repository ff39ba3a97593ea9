"""Resolving a case: the agreement, closing, obligations and performance, judicial confirmation,
follow-up visits, archiving and reopening. Each action re-renders the case page on a refusal."""

from __future__ import annotations


from litestar import Controller, Request, post
from litestar.response import Redirect, Template

from mediation.services.case_page import CaseServices
from mediation.web.cases import case_action


class ResolutionController(Controller):
    path = "/cases/{case_id:int}"
    include_in_schema = False

    @post("/agreement")
    async def save_agreement(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "agreement",
                               lambda values: workspace.resolution.save_agreement(request.user, case_id, values),
                               "已保存调解协议")

    @post("/agreement/sign")
    async def sign_agreement(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "agreement",
                               lambda values: workspace.resolution.sign_agreement(request.user, case_id, values),
                               "已登记协议签署，协议内容此后只读")

    @post("/agreement/amend")
    async def amend_agreement(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "agreement",
                               lambda values: workspace.resolution.amend_agreement(request.user, case_id, values),
                               "已登记协议修正")

    @post("/close")
    async def close(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "close",
                               lambda values: workspace.resolution.close(request.user, case_id, values), "已结案")

    @post("/obligations")
    async def add_obligation(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "performance",
                               lambda values: workspace.resolution.add_obligation(request.user, case_id, values),
                               "已登记履行义务")

    @post("/obligations/{obligation_id:int}/performed")
    async def performed(self, request: Request, workspace: CaseServices, case_id: int,
                        obligation_id: int) -> Template | Redirect:
        return await case_action(
            request, workspace, case_id, "performance",
            lambda values: workspace.resolution.mark_performed(request.user, case_id, obligation_id, values),
            "已登记履行")

    @post("/confirmation")
    async def confirmation(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "confirmation",
                               lambda values: workspace.resolution.apply_confirmation(request.user, case_id, values),
                               "已登记司法确认申请")

    @post("/confirmation/result")
    async def confirmation_result(self, request: Request, workspace: CaseServices,
                                  case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "confirmation",
                               lambda values: workspace.resolution.confirmation_result(request.user, case_id, values),
                               "已登记司法确认结果")

    @post("/follow-ups/{follow_up_id:int}")
    async def follow_up(self, request: Request, workspace: CaseServices, case_id: int,
                        follow_up_id: int) -> Template | Redirect:
        return await case_action(
            request, workspace, case_id, "follow-up",
            lambda values: workspace.resolution.record_follow_up(request.user, case_id, follow_up_id, values),
            "已记录回访")

    @post("/archive")
    async def archive(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "archive",
                               lambda values: workspace.resolution.archive(request.user, case_id, values),
                               "已归档，卷宗号 {result}")

    @post("/reopen")
    async def reopen(self, request: Request, workspace: CaseServices, case_id: int) -> Template | Redirect:
        return await case_action(request, workspace, case_id, "archive",
                               lambda values: workspace.resolution.reopen(request.user, case_id, values),
                               "案件已重新启用")
