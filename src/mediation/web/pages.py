"""Rendering pages: the common context (user, navigation, flash messages) and the flash cookie."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

FLASH_COOKIE = "mediation_flash"

NAVIGATION = (
    ("工作台", "/", None),
    ("登记受理", "/cases/new", {"counter", "village_mediator", "supervisor"}),
    ("案件", "/cases", None),
    ("法律顾问", "/advisors", {"counter", "village_mediator", "supervisor"}),
    ("排查与零上报", "/screenings", {"village_mediator", "supervisor", "counter"}),
    ("月度统计", "/reports/monthly", {"supervisor"}),
    ("台账", "/ledger", {"supervisor"}),
    ("用户管理", "/admin/users", {"admin"}),
    ("地点", "/admin/places", {"admin"}),
    ("调解组织", "/admin/organizations", {"admin"}),
    ("字典", "/admin/dictionaries", {"admin"}),
    ("修改密码", "/account/password", None),
)


def navigation_for(role: str | None, path: str = "/") -> list[tuple[str, str, bool]]:
    """The links a role sees, each with whether it is the current page (the longest matching prefix)."""
    if role is None:
        return []
    links = [(label, href) for label, href, roles in NAVIGATION if roles is None or role in roles or role == "admin"]
    matching = [href for _, href in links if path == href or (href != "/" and path.startswith(href + "/"))
                or (href != "/" and path == href)]
    current = max(matching, key=len, default=None)
    return [(label, href, href == current) for label, href in links]


def _read_flash(request: Request) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(raw.encode()).decode())
        return [(str(kind), str(text)) for kind, text in items][:5]
    except (ValueError, TypeError):
        return []


def flash_cookie(messages: list[tuple[str, str]]) -> Cookie:
    value = base64.urlsafe_b64encode(json.dumps(messages, ensure_ascii=False).encode()).decode()
    return Cookie(key=FLASH_COOKIE, value=value, path="/", httponly=True, samesite="lax", max_age=120)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Template:
    """A full page (or its htmx partial): the template gets plain data only, never a database handle."""
    user = request.scope.get("user")
    flashes = _read_flash(request)
    cookies = [Cookie(key=FLASH_COOKIE, value="", path="/", max_age=0)] if flashes else []
    return Template(
        template_name=template,
        status_code=status_code,
        context={
            "user": user,
            "navigation": navigation_for(user.role if user else None, request.url.path),
            "current_path": request.url.path,
            "flashes": flashes,
            **context,
        },
        cookies=cookies,
        headers={"Vary": "HX-Request"},
    )


def redirect_with_flash(path: str, message: str, kind: str = "success") -> Redirect:
    """Post/Redirect/Get with a one-time message shown on the next page."""
    return Redirect(path=path, status_code=303, cookies=[flash_cookie([(kind, message)])])


def safe_next(target: str | None) -> str:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
