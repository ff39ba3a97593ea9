"""htmx-aware error handling: a full page for normal requests, a visible message and no broken swap for htmx."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DBAPIError

from mediation.web.pages import navigation_for

logger = logging.getLogger("mediation")

TITLES = {
    400: "请求有误",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持此操作",
    413: "文件过大",
    429: "操作过于频繁",
    500: "系统出错了",
}
DEFAULT_MESSAGES = {
    403: "您无权查看或操作此内容。",
    404: "您要找的页面或案件不存在，或不在您的管辖范围内。",
    500: "服务器处理请求时出错，已记录。请稍后再试，或联系系统管理员。",
}


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _message(status: int, detail: str) -> str:
    if "CSRF" in detail:
        return "页面已过期或来源不明，请刷新页面后重试。"
    if detail and any("\u4e00" <= ch <= "\u9fff" for ch in detail):
        return detail
    return DEFAULT_MESSAGES.get(status, TITLES.get(status, "请求无法完成"))


def error_response(request: Request, status: int, detail: str = "", debug_text: str = "") -> Response:
    message = _message(status, detail)
    user = request.scope.get("user")
    context = {
        "status": status,
        "title": TITLES.get(status, "请求无法完成"),
        "message": message,
        "user": user,
        "navigation": navigation_for(user.role if user else None, request.url.path),
        "current_path": request.url.path,
        "flashes": [],
        "debug_text": debug_text,
    }
    if _is_htmx(request):
        # Show the message in the page's message area and leave the rest of the page as it was.
        return Template(
            template_name="_partials/toast.html",
            context=context,
            status_code=status,
            headers={"HX-Retarget": "#messages", "HX-Reswap": "beforeend", "Vary": "HX-Request"},
        )
    return Template(template_name="errors/error.html", context=context, status_code=status)


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, NotAuthorizedException):
        target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if _is_htmx(request):
            return Response(content="", status_code=200, headers={"HX-Redirect": target})
        return Redirect(path=target, status_code=303)
    return error_response(request, exc.status_code, str(exc.detail or ""))


def _refused_by_database(exc: Exception) -> bool:
    """PostgreSQL refuses some input outright, such as a NUL character in text or a number too large for
    its column: SQLSTATE class 22, "data exception". That is a bad request, not a failure of the server."""
    return isinstance(exc, DBAPIError) and str(getattr(exc.orig, "sqlstate", "") or "").startswith("22")


def internal_error_handler(request: Request, exc: Exception) -> Response:
    if _refused_by_database(exc):
        logger.warning("input refused by the database on %s %s: %s", request.method, request.url.path, exc.orig)
        return error_response(request, HTTP_400_BAD_REQUEST, "提交的内容含有无法保存的字符（如空字符）或超出范围的数值，请检查后重试。")
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    # Details of the failure are shown to developers only, never in production.
    debug = not request.app.state.settings.production
    return error_response(
        request, HTTP_500_INTERNAL_SERVER_ERROR, "", f"{type(exc).__name__}: {exc}" if debug else ""
    )
