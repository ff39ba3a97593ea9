"""Sign in, sign out, and changing one's own password."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from mediation.domain.validation import Invalid
from mediation.services.accounts import AccountService, SignInRefused
from mediation.settings import Settings
from mediation.web.guards import PUBLIC
from mediation.web.pages import redirect_with_flash, render, safe_next
from mediation.web.session_cookie import SESSION_COOKIE, cleared_session_cookie, session_cookie


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    include_in_schema = False

    @get("/login", opt=PUBLIC)
    async def login_form(self, request: Request, next: str | None = None) -> Template | Redirect:
        if request.scope.get("user") is not None:
            return Redirect(path=safe_next(next), status_code=303)
        return render(request, "auth/login.html", next=safe_next(next), username="", error=None)

    @post("/login", opt=PUBLIC)
    async def login(self, request: Request, accounts: AccountService, settings: Settings) -> Template | Redirect:
        form = await request.form()
        username = str(form.get("username", ""))
        password = str(form.get("password", ""))
        target = safe_next(str(form.get("next", "")))
        try:
            token = await accounts.sign_in(username, password, client_address(request))
        except SignInRefused as refusal:
            return render(
                request, "auth/login.html", status_code=400, next=target, username=username, error=refusal.message
            )
        response = Redirect(path=target, status_code=303)
        response.set_cookie(session_cookie(token, settings))
        return response

    @post("/logout", opt=PUBLIC)
    async def logout(self, request: Request, accounts: AccountService, settings: Settings) -> Redirect:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await accounts.sign_out(token)
        response = redirect_with_flash("/login", "您已安全退出", "info")
        response.set_cookie(cleared_session_cookie(settings))
        return response

    @get("/account/password")
    async def password_form(self, request: Request) -> Template:
        return render(request, "auth/password.html", errors={})

    @post("/account/password")
    async def change_password(self, request: Request, accounts: AccountService) -> Template | Redirect:
        form = await request.form()
        try:
            await accounts.change_own_password(
                request.user.id,
                str(form.get("current_password", "")),
                str(form.get("new_password", "")),
                str(form.get("confirm_password", "")),
            )
        except Invalid as invalid:
            return render(request, "auth/password.html", status_code=422, errors=invalid.messages_zh)
        return redirect_with_flash("/", "密码已修改")
