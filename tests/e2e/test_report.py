"""The monthly report in a real browser: the supervisor registers a case, finds it counted in this month's
row of 城关镇, drills down to 石门村, reads the charts' tables, then closes last month and sees it frozen."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import SUPERVISOR
from tests.e2e.test_mediation_work import register_case, sign_in_to_dashboard

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("supervisor_account")]


def previous_month(today: date) -> str:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def test_report_counts_drills_down_and_closes_last_month(page: Page) -> None:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    sign_in_to_dashboard(page, SUPERVISOR)
    register_case(page, "欧阳报表")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="月度统计").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("矛盾纠纷调解月度统计")

    towns = page.get_by_role("table", name="各镇街调解情况")
    town_row = towns.get_by_role("row").filter(has=page.get_by_role("link", name="城关镇", exact=True))
    accepted = int(town_row.get_by_role("cell").nth(0).inner_text())
    assert accepted >= 1
    expect(page.get_by_role("figure", name="近12个月受理、结案与调解成功")).to_be_visible()
    trend = page.locator("table", has=page.locator("caption", has_text="近12个月受理、结案与调解成功"))
    expect(trend.get_by_role("row").last).to_contain_text(f"{today.month}月")

    town_row.get_by_role("link", name="城关镇").click()
    expect(page.get_by_role("heading", name="城关镇各村居")).to_be_visible()
    villages = page.get_by_role("table", name="城关镇各村居调解情况")
    village_row = villages.get_by_role("row").filter(has=page.get_by_role("rowheader", name="石门村"))
    assert int(village_row.get_by_role("cell").nth(0).inner_text()) >= 1
    page.get_by_role("link", name="返回全区").click()

    last = previous_month(today)
    page.get_by_label("统计月份").fill(last)
    page.get_by_role("button", name="查看").click()
    close = page.get_by_role("button", name="关账")
    close.click()
    expect(page.get_by_role("status")).to_contain_text(f"{last} 已关账，本月统计数据已冻结")
    expect(page.get_by_text("下表为关账时上报的数据")).to_be_visible()
    expect(page.get_by_role("button", name="关账")).to_have_count(0)
    page.screenshot(path="/tmp/e2e-report.png", full_page=True)
