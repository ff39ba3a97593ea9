"""Access guards. Sign-in is required everywhere unless a handler is marked public (default deny).

Guards are coroutines: Litestar runs a plain function guard in a worker thread, two thread hops a request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

PUBLIC = {"public": True}
# Ids are 32-bit integers on PostgreSQL; SQLite overflows past 64 bits.
MAX_ID = 2**31 - 1


async def require_sign_in(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    if handler.opt.get("public"):
        return
    if connection.scope.get("user") is None:
        raise NotAuthorizedException("请先登录")


async def require_ids_in_range(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """An id in the address that no row can have is answered 404 before it overflows a query."""
    if any(isinstance(value, int) and not 0 < value <= MAX_ID for value in connection.path_params.values()):
        raise NotFoundException()


def require_role(*roles: str) -> Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]:
    allowed = frozenset(roles)

    async def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if user is None:
            raise NotAuthorizedException("请先登录")
        if user.role != "admin" and user.role not in allowed:
            raise PermissionDeniedException("您的角色无权访问此页面")

    return guard


def roles_allowed(roles: Iterable[str]) -> frozenset[str]:
    return frozenset(roles) | {"admin"}
