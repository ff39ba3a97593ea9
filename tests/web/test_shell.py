"""The app shell: error pages (full page or htmx message), health, security headers, production mode."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import add_user, app_client, sign_in

pytestmark = pytest.mark.anyio


async def test_healthz_reports_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_is_503_when_database_is_unreachable(settings):
    unreachable = dataclasses.replace(settings, database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none")
    async with app_client(unreachable) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


async def test_404_is_a_full_page_for_browsers_and_a_message_for_htmx(client, db_session, settings):
    await add_user(db_session, settings, "zhuren", "supervisor")
    await sign_in(client, "zhuren")
    page = await client.get("/no/such/page")
    assert page.status_code == 404
    assert "<html" in page.text and "页面不存在" in page.text and "返回工作台" in page.text
    fragment = await client.get("/no/such/page", headers={"hx-request": "true"})
    assert fragment.status_code == 404
    assert "<html" not in fragment.text and "页面不存在" in fragment.text
    assert fragment.headers["hx-retarget"] == "#messages"
    assert fragment.headers["hx-reswap"] == "beforeend"


async def test_htmx_request_without_session_is_redirected_by_header(client):
    response = await client.get("/admin/users", headers={"hx-request": "true"})
    assert response.headers["hx-redirect"].startswith("/login?next=")


async def test_security_headers(client):
    response = await client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_navigation_follows_role(client, db_session, settings):
    await add_user(db_session, settings, "chuangkou", "counter")
    await sign_in(client, "chuangkou")
    page = (await client.get("/")).text
    assert "工作台" in page and "修改密码" in page and "用户管理" not in page


async def test_markup_in_names_is_escaped(admin_client, db_session, settings):
    await add_user(db_session, settings, "xss", "counter", name="<script>alert(1)</script>")
    page = await admin_client.get("/admin/users")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_production_sets_secure_cookies(settings, db_session):
    production = dataclasses.replace(settings, env="production")
    await add_user(db_session, settings, "zhuren", "supervisor")
    async with app_client(production, base_url="https://mediation.example") as client:
        login_page = await client.get("/login")
        assert "Secure" in login_page.headers["set-cookie"]  # the CSRF cookie
        response = await sign_in(client, "zhuren")
        assert response.status_code == 303
        assert "mediation_session=" in response.headers["set-cookie"]
        assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize(("env", "shows_details"), [("production", False), ("development", True)])
async def test_500_page_shows_debug_details_only_in_development(settings, env, shows_details):
    broken = dataclasses.replace(settings, env=env, database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none")
    async with app_client(broken, base_url="https://mediation.example") as client:
        client.cookies.set("mediation_session", "some-token")
        page = await client.get("/")
    assert page.status_code == 500
    assert "系统出错了" in page.text and "请稍后再试" in page.text
    assert ("Error" in page.text.split("<main")[1]) is shows_details
