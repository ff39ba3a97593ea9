"""Access guards. Sign-in is required everywhere unless a handler is marked public (default deny)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

PUBLIC = {"public": True}


def require_sign_in(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    if handler.opt.get("public"):
        return
    if connection.scope.get("user") is None:
        raise NotAuthorizedException("请先登录")


def require_role(*roles: str) -> Callable[[ASGIConnection, BaseRouteHandler], None]:
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if user is None:
            raise NotAuthorizedException("请先登录")
        if user.role != "admin" and user.role not in allowed:
            raise PermissionDeniedException("您的角色无权访问此页面")

    return guard


def roles_allowed(roles: Iterable[str]) -> frozenset[str]:
    return frozenset(roles) | {"admin"}
