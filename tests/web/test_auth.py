"""Sign-in, sign-out, sessions, CSRF and the failed-login throttle, as a user meets them."""

from __future__ import annotations

import pytest
from tests.conftest import PASSWORD, add_user, app_client, post_form, sign_in

pytestmark = pytest.mark.anyio


async def test_every_page_needs_sign_in_except_public_ones(client):
    for path in ("/", "/admin/users", "/admin/places", "/account/password"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    assert (await client.get("/login")).status_code == 200
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/static/app.css")).status_code == 200


async def test_sign_in_lands_on_dashboard_and_sign_out_ends_session(client, db_session, settings):
    await add_user(db_session, settings, "chuangkou", "counter", name="陈窗口")
    response = await sign_in(client, "chuangkou")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "mediation_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # development: plain http on the office PC
    page = await client.get("/")
    assert "陈窗口（窗口调解员）" in page.text
    token = client.cookies.get("mediation_session")

    response = await post_form(client, "/logout")
    assert response.status_code == 303
    assert "您已安全退出" in (await client.get("/login")).text
    # The old session id is dead on the server, not just forgotten by the browser.
    client.cookies.set("mediation_session", token)
    assert (await client.get("/", follow_redirects=False)).status_code == 303


async def test_sign_in_issues_new_session_id_each_time(client, db_session, settings):
    await add_user(db_session, settings, "zhuren", "supervisor")
    await sign_in(client, "zhuren")
    first = client.cookies.get("mediation_session")
    await sign_in(client, "zhuren")
    assert client.cookies.get("mediation_session") != first


async def test_session_works_on_another_app_process(client, db_session, settings):
    """Sessions live in the database: a second app instance (another worker) accepts the cookie."""
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    await sign_in(client, "zhuren")
    async with app_client(settings) as other:
        other.cookies.set("mediation_session", client.cookies.get("mediation_session"))
        assert "周主任" in (await other.get("/")).text


async def test_wrong_password_keeps_username_and_says_why(client, db_session, settings):
    await add_user(db_session, settings, "zhuren", "supervisor")
    response = await sign_in(client, "zhuren", "wrong-password")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.text
    assert 'value="zhuren"' in response.text
    unknown = await sign_in(client, "nobody", "wrong-password")
    assert "用户名或密码不正确" in unknown.text  # unknown accounts are not disclosed


async def test_throttle_after_five_failures_holds_across_processes(client, db_session, settings):
    await add_user(db_session, settings, "zhuren", "supervisor")
    for _ in range(5):
        await sign_in(client, "zhuren", "wrong-password")
    async with app_client(settings) as other:
        response = await sign_in(other, "zhuren", PASSWORD)
        assert response.status_code == 400
        assert "登录失败次数过多，请 15 分钟后再试" in response.text


async def test_disabled_account_cannot_sign_in(client, db_session, settings, admin_client):
    user = await add_user(db_session, settings, "cuntiao", "village_mediator")
    await post_form(admin_client, f"/admin/users/{user.id}/active", {"active": "0"})
    await post_form(admin_client, "/logout")
    response = await sign_in(client, "cuntiao")
    assert "该账号已停用" in response.text


async def test_post_without_csrf_token_is_refused(client, db_session, settings):
    await add_user(db_session, settings, "zhuren", "supervisor")
    await client.get("/login")
    response = await client.post("/login", data={"username": "zhuren", "password": PASSWORD})
    assert response.status_code == 403
    assert "页面已过期" in response.text


async def test_htmx_request_sends_csrf_header(client, db_session, settings):
    await add_user(db_session, settings, "zhuren", "supervisor")
    await sign_in(client, "zhuren")
    page = await client.get("/")
    assert 'hx-headers=\'{"x-csrftoken": "' in page.text
    token = client.cookies.get("csrftoken")
    response = await client.post("/logout", headers={"x-csrftoken": token, "hx-request": "true"})
    assert response.status_code == 303


async def test_next_parameter_only_follows_local_paths(client, db_session, settings):
    await add_user(db_session, settings, "zhuren", "supervisor")
    await client.get("/login")
    response = await post_form(client, "/login", {"username": "zhuren", "password": PASSWORD,
                                                  "next": "https://evil.example/"})
    assert response.headers["location"] == "/"
    await post_form(client, "/logout")
    response = await post_form(client, "/login", {"username": "zhuren", "password": PASSWORD,
                                                  "next": "/admin/users"})
    assert response.headers["location"] == "/admin/users"


async def test_change_own_password(client, db_session, settings):
    await add_user(db_session, settings, "zhuren", "supervisor")
    await sign_in(client, "zhuren")
    short = await post_form(client, "/account/password", {"current_password": PASSWORD,
                                                         "new_password": "short", "confirm_password": "short"})
    assert short.status_code == 422 and "密码至少需要 10 个字符" in short.text
    wrong = await post_form(client, "/account/password", {"current_password": "nope-nope-nope",
                                                         "new_password": "a-new-password-1",
                                                         "confirm_password": "a-new-password-1"})
    assert "当前密码不正确" in wrong.text
    mismatch = await post_form(client, "/account/password", {"current_password": PASSWORD,
                                                            "new_password": "a-new-password-1",
                                                            "confirm_password": "a-new-password-2"})
    assert "两次输入的新密码不一致" in mismatch.text
    done = await post_form(client, "/account/password", {"current_password": PASSWORD,
                                                        "new_password": "a-new-password-1",
                                                        "confirm_password": "a-new-password-1"})
    assert done.status_code == 303
    assert "密码已修改" in (await client.get("/")).text
    await post_form(client, "/logout")
    assert (await sign_in(client, "zhuren", "a-new-password-1")).status_code == 303
