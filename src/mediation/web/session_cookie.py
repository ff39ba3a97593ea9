"""The sign-in cookie and the middleware that turns it into `request.user` (or None) on every request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.datastructures import Cookie
from litestar.middleware import ASGIMiddleware

from mediation.services.accounts import AccountService

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

    from mediation.settings import Settings

SESSION_COOKIE = "mediation_session"


def session_cookie(token: str, settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        secure=settings.production,
        samesite="lax",
        max_age=settings.session_hours * 3600,
    )


def cleared_session_cookie(settings: Settings) -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", path="/", httponly=True, secure=settings.production, max_age=0)


class SignedInUserMiddleware(ASGIMiddleware):
    """Looks the session token up in the database, so a session works on every worker and machine. It reads
    with the request's own database session (the one the handler then gets as `db_session`, closed when the
    response starts), so a request takes one connection from the pool and begins one transaction."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"] = None
        token = _cookie(scope, SESSION_COOKIE)
        # Static files and the health check need no user; /healthz must answer 503, not fail, when the
        # database is down, also for a browser that sends its session cookie.
        if token and not scope["path"].startswith("/static/") and scope["path"] != "/healthz":
            state = scope["app"].state
            session = state.db_config.provide_session(state, scope)
            scope["user"] = await AccountService(session, state.settings).resolve(token)
        await next_app(scope, receive, send)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie_name, _, cookie_value = part.strip().partition("=")
                if cookie_name == name and cookie_value:
                    return cookie_value
    return None
