"""The app shell in a real browser: signing in and out, the role-dependent navigation, adding a user,
and the dashboard on a phone-sized screen."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import ADMIN, COUNTER, Account, sign_in

pytestmark = pytest.mark.e2e

ADMIN_PAGES = (
    # (navigation link, the page's h1)
    ("登记受理", "纠纷登记受理"),
    ("案件", "案件"),
    ("法律顾问", "法律顾问"),
    ("排查与零上报", "排查与零上报"),
    ("月度统计", "矛盾纠纷调解月度统计"),
    ("台账", "矛盾纠纷调解台账"),
    ("用户管理", "用户管理"),
    ("地点", "本区"),
    ("调解组织", "调解组织"),
    ("字典", "字典"),
    ("修改密码", "修改密码"),
    ("工作台", "工作台"),
)


def expect_dashboard(page: Page, account: Account) -> None:
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    expect(page.locator(".whoami")).to_contain_text(f"{account.display_name}（{account.role_label}）")


def test_wrong_password_is_refused_and_keeps_the_username(page: Page) -> None:
    sign_in(page, ADMIN, password="not-the-password")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确")
    expect(page.get_by_label("用户名")).to_have_value(ADMIN.username)
    expect(page.get_by_label("密码")).to_have_value("")


def test_admin_lands_on_dashboard_and_every_navigation_link_works(page: Page) -> None:
    sign_in(page, ADMIN)
    expect_dashboard(page, ADMIN)
    navigation = page.get_by_role("navigation", name="主导航")
    expect(navigation.get_by_role("link")).to_have_text(["工作台", *(label for label, _ in ADMIN_PAGES[:-1])])
    for label, heading in ADMIN_PAGES:
        link = navigation.get_by_role("link", name=label, exact=True)
        link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(link).to_have_attribute("aria-current", "page")
        expect(navigation.locator("[aria-current=page]")).to_have_count(1)


def test_counter_sees_no_administration(page: Page) -> None:
    sign_in(page, COUNTER)
    expect_dashboard(page, COUNTER)
    navigation = page.get_by_role("navigation", name="主导航")
    expect(navigation.get_by_role("link")).to_have_text(["工作台", "登记受理", "案件", "法律顾问", "排查与零上报", "修改密码"])
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("无权访问")


def test_sign_out_ends_the_session(page: Page) -> None:
    sign_in(page, COUNTER)
    expect_dashboard(page, COUNTER)
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("您已安全退出")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def test_admin_adds_a_user_who_can_then_sign_in(page: Page, open_page: Callable[..., Page]) -> None:
    newcomer = Account("xinren", "counter", "林新人", "窗口调解员", password="welcome-aboard-2026")
    sign_in(page, ADMIN)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="用户管理").click()
    page.get_by_label("用户名").fill(newcomer.username)
    page.get_by_label("姓名").fill(newcomer.display_name)
    page.get_by_label("角色").select_option(newcomer.role)
    page.get_by_label("初始密码").fill(newcomer.password)
    page.get_by_role("button", name="添加用户").click()
    expect(page.get_by_role("status")).to_contain_text(f"已添加用户 {newcomer.username}")
    expect(page.get_by_role("cell", name=newcomer.display_name)).to_be_visible()

    other_browser = open_page()
    sign_in(other_browser, newcomer)
    expect_dashboard(other_browser, newcomer)


def test_dashboard_fits_a_phone_screen(open_page: Callable[..., Page]) -> None:
    phone = open_page({"width": 375, "height": 812})
    sign_in(phone, ADMIN)
    expect_dashboard(phone, ADMIN)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="/tmp/e2e-dashboard-375.png", full_page=True)


def test_dashboard_on_a_desktop_screen(page: Page) -> None:
    sign_in(page, ADMIN)
    expect_dashboard(page, ADMIN)
    page.screenshot(path="/tmp/e2e-dashboard.png", full_page=True)
