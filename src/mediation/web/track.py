"""/track: the party-facing progress lookup (no sign-in), and the QR code that points to it."""

from __future__ import annotations

import io

import segno
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from mediation.services.tracking import TrackingRefused, TrackingService
from mediation.web.auth import client_address
from mediation.web.guards import PUBLIC
from mediation.web.pages import render


def track_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/track"


class TrackController(Controller):
    path = "/track"
    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def form(self, request: Request) -> Template:
        return render(request, "track/index.html", progress=None, error=None, number="")

    @post("/", opt=PUBLIC)
    async def lookup(self, request: Request, tracking: TrackingService) -> Template:
        form = await request.form()
        number = str(form.get("number", ""))
        try:
            progress = await tracking.lookup(number, str(form.get("phone_tail", "")), client_address(request))
        except TrackingRefused as refused:
            return render(request, "track/index.html", status_code=400, progress=None, error=refused.message,
                          number=number)
        return render(request, "track/index.html", progress=progress, error=None, number=number)

    @get("/qr.svg", opt=PUBLIC)
    async def qr(self, request: Request) -> Response[bytes]:
        buffer = io.BytesIO()
        segno.make(track_url(request), error="m").save(buffer, kind="svg", scale=4, border=2)
        return Response(buffer.getvalue(), media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})
