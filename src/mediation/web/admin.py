"""Administration: users, the place tree, organizations and dictionaries (admin role only)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from mediation.domain.roles import ROLE_LABELS
from mediation.domain.validation import Invalid, whole_number
from mediation.services.accounts import AccountService
from mediation.services.dictionaries import EXTENSIBLE_KINDS, KIND_LABELS, DictionaryService
from mediation.services.places import ORGANIZATION_KINDS, PlaceService
from mediation.web.guards import require_role
from mediation.web.pages import redirect_with_flash, render


def _page(value: str | None) -> int:
    number = whole_number(value)
    return number if number and number < 100_000 else 1


class UserAdminController(Controller):
    path = "/admin/users"
    guards = [require_role("admin")]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, accounts: AccountService, places: PlaceService,
                    q: str = "", page: str | None = None) -> Template:
        number = _page(page)
        users, has_next = await accounts.list_users(q[:40], number)
        return render(request, "admin/users.html", users=users, q=q[:40], page=number, has_next=has_next,
                      roles=ROLE_LABELS, organizations=await places.organizations(), form={}, errors={})

    @post("/")
    async def create(self, request: Request, accounts: AccountService, places: PlaceService) -> Template | Redirect:
        form = await request.form()
        values = {key: str(form.get(key, "")) for key in ("username", "display_name", "role", "organization")}
        try:
            user = await accounts.add_user(
                values["username"], values["role"], values["display_name"], str(form.get("password", "")),
                values["organization"] or None,
            )
        except Invalid as invalid:
            users, has_next = await accounts.list_users("", 1)
            return render(request, "admin/users.html", status_code=422, users=users, q="", page=1,
                          has_next=has_next, roles=ROLE_LABELS, organizations=await places.organizations(),
                          form=values, errors=invalid.messages_zh)
        return redirect_with_flash("/admin/users", f"已添加用户 {user.username}（{user.display_name}）")

    @get("/{user_id:int}")
    async def detail(self, request: Request, accounts: AccountService, user_id: int) -> Template:
        user = await accounts.get_user(user_id)
        if user is None:
            raise NotFoundException()
        return render(request, "admin/user.html", account=user, errors={})

    @post("/{user_id:int}/active")
    async def set_active(self, request: Request, accounts: AccountService, user_id: int) -> Redirect:
        if await accounts.get_user(user_id) is None:
            raise NotFoundException()
        form = await request.form()
        active = form.get("active") == "1"
        try:
            user = await accounts.set_active(user_id, active, request.user.id)
        except Invalid as invalid:
            return redirect_with_flash(f"/admin/users/{user_id}", invalid.messages_zh["user"], "error")
        return redirect_with_flash(f"/admin/users/{user_id}", f"已{'启用' if active else '停用'}用户 {user.username}")

    @post("/{user_id:int}/password")
    async def reset_password(self, request: Request, accounts: AccountService, user_id: int) -> Template | Redirect:
        account = await accounts.get_user(user_id)
        if account is None:
            raise NotFoundException()
        form = await request.form()
        try:
            await accounts.reset_password(user_id, str(form.get("password", "")))
        except Invalid as invalid:
            return render(request, "admin/user.html", status_code=422, account=account, errors=invalid.messages_zh)
        return redirect_with_flash(f"/admin/users/{user_id}", f"已重置 {account.username} 的密码，其所有登录已退出")


class PlaceAdminController(Controller):
    path = "/admin/places"
    guards = [require_role("admin")]
    include_in_schema = False

    async def _show(self, request: Request, places: PlaceService, place_id: int | None,
                    status_code: int = 200, errors: dict[str, str] | None = None,
                    form: dict[str, str] | None = None) -> Template:
        place = await places.get(place_id) if place_id else await places.district()
        if place is None:
            raise NotFoundException()
        return render(request, "admin/places.html", status_code=status_code, place=place,
                      chain=await places.ancestors(place), children=await places.children(place.id),
                      errors=errors or {}, form=form or {})

    @get("/")
    async def district(self, request: Request, places: PlaceService) -> Template:
        return await self._show(request, places, None)

    @get("/{place_id:int}")
    async def place(self, request: Request, places: PlaceService, place_id: int) -> Template:
        return await self._show(request, places, place_id)

    @post("/{place_id:int}/children")
    async def add_child(self, request: Request, places: PlaceService, place_id: int) -> Template | Redirect:
        name = str((await request.form()).get("child_name", ""))
        try:
            child = await places.add_child(place_id, name)
        except Invalid as invalid:
            return await self._show(request, places, place_id, 422, {"child_name": invalid.messages_zh["name"]},
                                    {"child_name": name})
        return redirect_with_flash(f"/admin/places/{place_id}", f"已添加“{child.name}”")

    @post("/{place_id:int}/rename")
    async def rename(self, request: Request, places: PlaceService, place_id: int) -> Template | Redirect:
        name = str((await request.form()).get("name", ""))
        try:
            place = await places.rename(place_id, name)
        except Invalid as invalid:
            return await self._show(request, places, place_id, 422, invalid.messages_zh, {"name": name})
        return redirect_with_flash(f"/admin/places/{place_id}", f"已改名为“{place.name}”")

    @post("/{place_id:int}/move")
    async def move(self, request: Request, places: PlaceService, place_id: int) -> Redirect:
        direction = -1 if (await request.form()).get("direction") == "up" else 1
        try:
            place = await places.move(place_id, direction)
        except Invalid as invalid:
            raise NotFoundException() from invalid
        return Redirect(path=f"/admin/places/{place.parent_id}", status_code=303)


class OrganizationAdminController(Controller):
    path = "/admin/organizations"
    guards = [require_role("admin")]
    include_in_schema = False

    async def _index(self, request: Request, places: PlaceService, dictionaries: DictionaryService,
                     status_code: int = 200, form: dict[str, str] | None = None,
                     errors: dict[str, str] | None = None) -> Template:
        return render(request, "admin/organizations.html", status_code=status_code,
                      organizations=await places.organizations(), kinds=ORGANIZATION_KINDS,
                      dispute_types=await dictionaries.entries("dispute_type", active_only=True),
                      form=form or {}, errors=errors or {})

    @get("/")
    async def index(self, request: Request, places: PlaceService, dictionaries: DictionaryService) -> Template:
        return await self._index(request, places, dictionaries)

    @post("/")
    async def create(self, request: Request, places: PlaceService,
                     dictionaries: DictionaryService) -> Template | Redirect:
        form = await request.form()
        values = {key: str(form.get(key, "")) for key in ("name", "short_name", "specialty")}
        try:
            organization = await places.add_specialised(values["name"], values["short_name"], values["specialty"])
        except Invalid as invalid:
            return await self._index(request, places, dictionaries, 422, values, invalid.messages_zh)
        return redirect_with_flash("/admin/organizations", f"已添加“{organization.name}”")

    @get("/{organization_id:int}")
    async def edit_form(self, request: Request, places: PlaceService, organization_id: int) -> Template:
        organization = await places.organization(organization_id)
        if organization is None:
            raise NotFoundException()
        form = {"name": organization.name, "short_name": organization.short_name,
                "active": "1" if organization.active else ""}
        return render(request, "admin/organization.html", organization=organization, form=form, errors={})

    @post("/{organization_id:int}")
    async def update(self, request: Request, places: PlaceService, organization_id: int) -> Template | Redirect:
        organization = await places.organization(organization_id)
        if organization is None:
            raise NotFoundException()
        form = await request.form()
        values = {key: str(form.get(key, "")) for key in ("name", "short_name", "active")}
        try:
            await places.update_organization(organization_id, values["name"], values["short_name"],
                                             values["active"] == "1")
        except Invalid as invalid:
            return render(request, "admin/organization.html", status_code=422, organization=organization,
                          form=values, errors=invalid.messages_zh)
        return redirect_with_flash("/admin/organizations", "已保存调解组织")


class DictionaryAdminController(Controller):
    path = "/admin/dictionaries"
    guards = [require_role("admin")]
    include_in_schema = False

    async def _index(self, request: Request, dictionaries: DictionaryService, status_code: int = 200,
                     errors: dict[str, str] | None = None, form: dict[str, str] | None = None) -> Template:
        entries = await dictionaries.entries()
        groups = [(kind, label, [e for e in entries if e.kind == kind]) for kind, label in KIND_LABELS.items()]
        return render(request, "admin/dictionaries.html", status_code=status_code, groups=groups,
                      extensible=EXTENSIBLE_KINDS, errors=errors or {}, form=form or {})

    @get("/")
    async def index(self, request: Request, dictionaries: DictionaryService) -> Template:
        return await self._index(request, dictionaries)

    @post("/")
    async def add(self, request: Request, dictionaries: DictionaryService) -> Template | Redirect:
        form = await request.form()
        kind, label = str(form.get("kind", "")), str(form.get("label", ""))
        try:
            entry = await dictionaries.add(kind, label)
        except Invalid as invalid:
            return await self._index(request, dictionaries, 422, {f"{kind}.label": invalid.messages_zh["label"]},
                                     {"kind": kind, "label": label})
        return redirect_with_flash("/admin/dictionaries", f"已添加“{entry.label}”")

    @post("/{entry_id:int}/active")
    async def set_active(self, request: Request, dictionaries: DictionaryService, entry_id: int) -> Redirect:
        active = (await request.form()).get("active") == "1"
        try:
            await dictionaries.set_active(entry_id, active)
        except Invalid as invalid:
            raise NotFoundException() from invalid
        return redirect_with_flash("/admin/dictionaries", "已启用" if active else "已停用")
