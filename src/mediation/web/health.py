"""`/healthz`: is the app up and can it reach its database? (No sign-in; used by proxies and monitors.)"""

from __future__ import annotations

from litestar import Request, Response, get
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from mediation.web.guards import PUBLIC


@get("/healthz", opt=PUBLIC, include_in_schema=False, cache_control=None)
async def healthz(request: Request) -> Response[dict[str, str]]:
    try:
        async with request.app.state.session_maker() as session:
            await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return Response({"status": "error", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"}, headers={"Cache-Control": "no-store"})
