"""Working a case in a real browser, by the labels: the supervisor registers a case in 石门村, sees the village's
advisor suggested, assigns the village mediator and that advisor; the advisor accepts from the dashboard in a
second browser; the supervisor records the hearing and the case's timeline shows every step in order. An
advisor's refusal, with its reason, puts the case on the supervisor's dashboard; screenshots in /tmp."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect
from tests.e2e.conftest import ADVISOR, MEDIATOR, SUPERVISOR, Account, sign_in
from tests.e2e.test_intake import (
    choose_case_facts,
    go_to,
    section,
    submit_intake,
    type_applicant,
    type_rest_of_case,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("mediation_team")]

# The start of today, local time: never in the future, never before a case registered today.
HEARING_DAY = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
HEARING = {
    "调解时间": f"{HEARING_DAY}T00:00",
    "调解地点": "石门村调委会",
    "调解员": MEDIATOR.display_name,
    "参加人员": "张三、李四",
    "调解笔录": "双方陈述了各自意见，同意后退围墙三十厘米。",
}


def sign_in_to_dashboard(page: Page, account: Account) -> None:
    sign_in(page, account)
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")


def register_case(page: Page, applicant: str) -> tuple[int, str]:
    """A neighbours' dispute in 城关镇 石门村, registered without an ID number: the new case's id and number."""
    go_to(page, "登记受理", "纠纷登记受理")
    choose_case_facts(page)
    type_applicant(page, applicant, "")
    type_rest_of_case(page, "李四", "围墙越界约三十厘米，双方多次争吵")
    return submit_intake(page)


def dashboard_row(page: Page, queue: str, number: str) -> Locator:
    """The row of case `number` in the dashboard section headed `queue` and a count."""
    region = page.get_by_role("region", name=re.compile(rf"^{re.escape(queue)}（"))
    return region.get_by_role("row").filter(has=page.get_by_role("link", name=number, exact=True))


def assign(page: Page, mediator: str | None) -> None:
    """In the case page's 分派 section: tick `mediator` if given, choose ADVISOR in the select, press 分派."""
    assigning = page.get_by_role("region", name="分派")
    if mediator:
        assigning.get_by_label(mediator, exact=True).check()
    advisor = assigning.get_by_label("法律顾问", exact=True)
    option = advisor.get_by_role("option", name=re.compile(rf"^{ADVISOR.display_name}（本村顾问"))
    advisor.select_option(option.get_attribute("value"))
    assigning.get_by_role("button", name="分派", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已分派")


def assignments(page: Page) -> Locator:
    return page.get_by_role("region", name="分派").locator(".assignments").get_by_role("listitem")


def record_hearing(page: Page) -> None:
    hearing = page.locator("details").filter(has=page.locator("summary", has_text="记录调解会"))
    hearing.locator("summary").click()
    for label, value in HEARING.items():
        hearing.get_by_label(label, exact=True).fill(value)
    hearing.get_by_role("button", name="保存调解会记录").click()
    expect(page.get_by_role("status")).to_contain_text("已保存调解会记录")


def test_assigned_advisor_accepts_and_the_hearing_completes_the_timeline(
        page: Page, open_page: Callable[..., Page]) -> None:
    sign_in_to_dashboard(page, SUPERVISOR)
    case_id, number = register_case(page, "张三")
    suggestion = page.get_by_role("region", name="分派").locator(".suggestion")
    expect(suggestion.get_by_role("heading", name="建议的法律顾问")).to_be_visible()
    expect(suggestion.get_by_role("listitem")).to_have_text([re.compile(rf"^{ADVISOR.display_name}（服务本村居")])

    assign(page, mediator=MEDIATOR.display_name)
    expect(assignments(page)).to_contain_text([f"调解员：{MEDIATOR.display_name} · 已接受",
                                               f"法律顾问：{ADVISOR.display_name} · 待接受"])

    advisor = open_page()
    sign_in_to_dashboard(advisor, ADVISOR)
    waiting = dashboard_row(advisor, "待接受的分派", number)
    expect(waiting).to_contain_text("张三")
    advisor.screenshot(path="/tmp/e2e-work-dashboard.png", full_page=True)
    waiting.get_by_role("button", name="接受", exact=True).click()
    expect(advisor).to_have_url(re.compile(rf"/cases/{case_id}$"))
    expect(advisor.get_by_role("status")).to_contain_text("已接受分派")
    expect(assignments(advisor)).to_contain_text([f"调解员：{MEDIATOR.display_name} · 已接受",
                                                  f"法律顾问：{ADVISOR.display_name} · 已接受"])

    record_hearing(page)
    expect(page.get_by_role("region", name="调解工作")).to_contain_text(HEARING["调解笔录"])
    steps = (f"登记，案件编号 {number}", "受理，办理期限至", "分流至村居",
             f"分派：{MEDIATOR.display_name}、法律顾问{ADVISOR.display_name}", f"法律顾问{ADVISOR.display_name}接受分派",
             f"调解会：{HEARING_DAY} 00:00 于{HEARING['调解地点']}，调解员 {MEDIATOR.display_name}")
    events = section(page, "办理经过").get_by_role("listitem")
    expect(events.last).to_contain_text(steps[-1])
    text = section(page, "办理经过").inner_text()
    positions = [text.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), dict(zip(steps, positions, strict=True))
    page.screenshot(path="/tmp/e2e-work-case.png", full_page=True)


def test_declined_assignment_returns_to_the_supervisors_dashboard(
        page: Page, open_page: Callable[..., Page]) -> None:
    sign_in_to_dashboard(page, SUPERVISOR)
    case_id, number = register_case(page, "王芳")
    assign(page, mediator=None)

    advisor = open_page()
    sign_in_to_dashboard(advisor, ADVISOR)
    waiting = dashboard_row(advisor, "待接受的分派", number)
    waiting.locator("summary", has_text="拒绝…").click()
    waiting.get_by_label("拒绝理由").fill("本周出差，无法参加调解")
    waiting.get_by_role("button", name="拒绝分派").click()
    expect(advisor.get_by_role("status")).to_contain_text("已拒绝分派，案件已退回主任重新分派")
    expect(dashboard_row(advisor, "待接受的分派", number)).to_have_count(0)

    go_to(page, "工作台", "工作台")
    expect(dashboard_row(page, "法律顾问拒绝、待重新分派", number)).to_contain_text("王芳")
    page.goto(f"/cases/{case_id}")
    expect(assignments(page)).to_have_text(
        [re.compile(rf"^法律顾问：{ADVISOR.display_name} · 已拒绝 · .* · 拒绝理由：本周出差，无法参加调解$")])
