"""A counter intake in a real browser, driven by the labels and mostly by the keyboard: the dependent place
selects and the live ID-number check, the case page, the repeat-visit warning, more respondents, the case
list's active search with the back button, and the server's validation messages; screenshots in /tmp."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
from playwright.sync_api import Locator, Page, expect
from tests.e2e.conftest import COUNTER, sign_in
from tests.web.cases_support import VALID_ID

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("district")]

WRONG_CHECK_DIGIT_ID = "110105194912310021"  # VALID_ID with its last digit mistyped
CASE_URL = re.compile(r"/cases/(\d+)$")
CASE_NUMBER = re.compile(r"^（\d{4}）区中心调字第\d+号$")


def labelled(page: Page, label: str) -> Locator:
    """The input labelled exactly `label`, but for the * of a required field."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\*?$"))


def sign_in_as_counter(page: Page) -> None:
    sign_in(page, COUNTER)
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")


def go_to(page: Page, link: str, heading: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def choose_case_facts(page: Page) -> None:
    """案件基本情况: each place select is loaded by htmx from the choice in the one before it."""
    labelled(page, "案件来源").select_option(label="当事人申请")
    labelled(page, "纠纷类型").select_option(label="邻里")
    labelled(page, "镇街").select_option(label="城关镇")
    village = labelled(page, "村居")
    expect(village.get_by_role("option")).to_have_text(["请选择村居", "石门村", "大岭村"])
    village.select_option(label="石门村")
    grid = labelled(page, "网格")
    expect(grid.get_by_role("option")).to_have_text(["不指定网格", "第一网格"])
    grid.select_option(label="第一网格")


def field_of(page: Page, label: str) -> Locator:
    """The field block around the input labelled `label`: where its live and server messages stand."""
    return page.locator(".field").filter(has=labelled(page, label))


def type_applicant(page: Page, name: str, id_number: str) -> None:
    """Type the applicant's name, then Tab to the ID number, as the counter does."""
    labelled(page, "申请人姓名").press_sequentially(name)
    page.keyboard.press("Tab")
    expect(labelled(page, "申请人身份证号")).to_be_focused()
    page.keyboard.type(id_number)


def type_rest_of_case(page: Page, respondent: str, summary: str) -> None:
    labelled(page, "被申请人姓名").press_sequentially(respondent)
    labelled(page, "纠纷简要情况").press_sequentially(summary)


def submit_intake(page: Page) -> tuple[int, str]:
    """Press 登记受理 with the keyboard; on the new case page, its id and number."""
    page.get_by_role("button", name="登记受理", exact=True).press("Enter")
    expect(page).to_have_url(CASE_URL)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(CASE_NUMBER)
    expect(page.get_by_role("status")).to_contain_text("已登记受理")
    match = CASE_URL.search(page.url)
    assert match is not None
    return int(match.group(1)), heading.inner_text()


def section(page: Page, heading: str) -> Locator:
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


def timeline(page: Page) -> Locator:
    return section(page, "办理经过").get_by_role("listitem")


def test_keyboard_intake_then_a_repeat_visit_is_flagged_but_not_blocked(page: Page) -> None:
    sign_in_as_counter(page)
    go_to(page, "登记受理", "纠纷登记受理")
    choose_case_facts(page)
    type_applicant(page, "张三", WRONG_CHECK_DIGIT_ID)
    id_field = field_of(page, "申请人身份证号")
    expect(id_field.get_by_role("alert")).to_contain_text("身份证号校验位不正确")
    page.keyboard.press("Backspace")
    page.keyboard.type(VALID_ID[-1])
    expect(id_field).to_contain_text("身份证号校验通过")
    expect(id_field.get_by_role("alert")).to_have_count(0)
    page.keyboard.press("Tab")
    expect(labelled(page, "申请人电话")).to_be_focused()
    page.keyboard.type("13812345678")
    type_rest_of_case(page, "李四", "因宅基地边界发生争执，双方多次口角")
    expect(page.locator(".checks-suggestion")).to_contain_text("村居：一般风险、发生在本村居的纠纷，就地化解")
    page.screenshot(path="/tmp/e2e-intake.png", full_page=True)

    first_id, first_number = submit_intake(page)
    expect(page.get_by_text("城关镇 石门村 第一网格")).to_be_visible()
    expect(timeline(page)).to_have_count(3)
    expect(timeline(page)).to_contain_text([f"登记，案件编号 {first_number}", "受理，办理期限至", "分流至村居"])
    page.screenshot(path="/tmp/e2e-case.png", full_page=True)

    go_to(page, "登记受理", "纠纷登记受理")
    choose_case_facts(page)
    type_applicant(page, "张三", VALID_ID)
    repeat_check = page.locator(".checks-repeat")
    expect(repeat_check).to_contain_text("身份证号相同")
    first_link = repeat_check.get_by_role("link", name=first_number)
    expect(first_link).to_have_attribute("href", f"/cases/{first_id}")
    type_rest_of_case(page, "李四", "围墙再次越界，第二次来访")
    second_id, _ = submit_intake(page)
    assert second_id != first_id
    repeat = page.locator(".case-status").get_by_text("重复来访")
    expect(repeat).to_be_visible()
    expect(repeat.get_by_role("link", name=first_number)).to_have_attribute("href", f"/cases/{first_id}")
    expect(timeline(page).last).to_contain_text(f"重复来访：此前案件 {first_number}")


def wait_for_settled(target: Locator) -> None:
    """htmx wires up swapped-in elements only when the swap settles; a click before that would do nothing."""
    expect(target).not_to_have_class(re.compile(r"\bhtmx-settling\b"))


def test_more_respondents_are_added_and_registered(page: Page) -> None:
    sign_in_as_counter(page)
    go_to(page, "登记受理", "纠纷登记受理")
    add_respondent = page.get_by_role("button", name="＋ 添加被申请人")
    respondents = page.locator("#parties-respondent")
    for label in ("被申请人姓名（2）", "被申请人姓名（3）"):
        add_respondent.click()
        expect(labelled(page, label)).to_be_visible()
        wait_for_settled(respondents)
    expect(add_respondent).to_have_count(1)
    expect(page.get_by_label(re.compile(r"^被申请人姓名"))).to_have_count(3)

    choose_case_facts(page)
    type_applicant(page, "王芳", "")
    type_rest_of_case(page, "李四", "三户共用的排水沟堵塞")
    labelled(page, "被申请人姓名（2）").press_sequentially("王五")
    labelled(page, "被申请人姓名（3）").press_sequentially("赵六")
    submit_intake(page)
    parties = section(page, "当事人").get_by_role("row")
    expect(parties).to_contain_text(["姓名", "王芳", "李四", "王五", "赵六"])


def test_two_character_search_pushes_the_url_and_the_back_button_brings_the_results_back(page: Page) -> None:
    sign_in_as_counter(page)
    go_to(page, "登记受理", "纠纷登记受理")
    choose_case_facts(page)
    type_applicant(page, "张三", "")
    type_rest_of_case(page, "李四", "楼上漏水")
    _, number = submit_intake(page)

    go_to(page, "案件", "案件")
    search = labelled(page, "搜索")
    rows = page.get_by_role("table", name="案件列表").locator("tbody").get_by_role("row")
    search.press_sequentially("张三")
    expect(page).to_have_url(re.compile(rf"[?&]q={quote('张三')}(&|$)"))
    expect(rows.filter(has_text=number)).to_have_count(1)
    expect(rows.filter(has_not_text="张三")).to_have_count(0)
    page.screenshot(path="/tmp/e2e-cases.png", full_page=True)

    search.press("Control+A")
    page.keyboard.type("欧阳无忌")
    expect(page).to_have_url(re.compile(rf"[?&]q={quote('欧阳无忌')}(&|$)"))
    expect(rows).to_have_text(["没有符合条件的案件。"])

    page.go_back()
    expect(page).to_have_url(re.compile(rf"[?&]q={quote('张三')}(&|$)"))
    expect(rows.filter(has_text=number)).to_have_count(1)
    expect(rows.filter(has_not_text="张三")).to_have_count(0)


def test_empty_intake_gets_the_servers_messages_next_to_the_fields_and_keeps_the_input(page: Page) -> None:
    sign_in_as_counter(page)
    go_to(page, "登记受理", "纠纷登记受理")
    claims = "要求对方拆除越界围墙"
    labelled(page, "当事人诉求").press_sequentially(claims)
    page.get_by_role("button", name="登记受理", exact=True).press("Enter")

    expect(page.get_by_role("alert").filter(has_text="处需要修改")).to_contain_text("有 7 处需要修改")
    for label, message in (("案件来源", "请选择案件来源"), ("纠纷类型", "请选择纠纷类型"), ("镇街", "请选择镇街"),
                           ("村居", "请选择村居"), ("申请人姓名", "请填写申请人姓名"),
                           ("被申请人姓名", "请填写被申请人姓名"), ("纠纷简要情况", "请填写纠纷简要情况")):
        expect(field_of(page, label).locator(".error")).to_have_text(message)
        expect(labelled(page, label)).to_have_attribute("aria-invalid", "true")
        expect(labelled(page, label)).to_have_accessible_description(message)
    expect(labelled(page, "当事人诉求")).to_have_value(claims)
    expect(page).to_have_url(re.compile(r"/cases/new$"))


def test_intake_form_fits_a_phone_screen(open_page: Callable[..., Page]) -> None:
    phone = open_page({"width": 375, "height": 812})
    sign_in_as_counter(phone)
    go_to(phone, "登记受理", "纠纷登记受理")
    choose_case_facts(phone)
    type_applicant(phone, "欧阳小明", WRONG_CHECK_DIGIT_ID)
    type_rest_of_case(phone, "司马青", "共用楼道堆放杂物，多次协商未果")
    expect(field_of(phone, "申请人身份证号").get_by_role("alert")).to_contain_text("身份证号校验位不正确")
    phone.screenshot(path="/tmp/e2e-intake-375.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
