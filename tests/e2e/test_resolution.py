"""Resolving a case in a real browser, by the labels: the supervisor registers a case in 石门村, drafts the
written agreement and registers its signing (read-only from then on), prints it in a new tab (the print
stylesheet hides the toolbar; the PDF link answers a PDF), closes the case as a success, records the follow-up
visit scheduled by the closing, and archives it: the archived case page offers no form but reopening, and the
printed dossier holds the agreement; screenshots in /tmp."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect
from tests.e2e.conftest import SUPERVISOR
from tests.e2e.test_intake import section
from tests.e2e.test_mediation_work import register_case, sign_in_to_dashboard

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("supervisor_account")]

AGREEMENT = {
    "纠纷的主要事实": "李四修建围墙时越过宅基地边界约三十厘米，张三多次交涉未果。",
    "争议事项": "围墙是否越界、是否应当拆除并赔偿。",
    "各方当事人的责任": "李四未经测量即砌墙，负主要责任。",
    "协议内容": "李四拆除越界部分围墙，并赔偿张三损失 2000 元。",
    "履行方式": "自行拆除；赔偿款银行转账",
    "履行地点": "城关镇石门村",
    "协议金额(元)": "2000",
}
PERFORMANCE = "李四已拆除越界围墙并转账 2000 元"
AGREEMENT_NUMBER = re.compile(r"^（\d{4}）\S+调协字第\d+号$")
ARCHIVE_NUMBER = re.compile(r"（\d{4}）\S+调卷字第1号")


def local_today() -> date:
    """Dates in the forms are the server's local dates (Asia/Shanghai), not the test machine's."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def region(page: Page, name: str) -> Locator:
    """A case page section, labelled by its heading."""
    return page.get_by_role("region", name=name, exact=True)


def disclose(container: Locator, summary: str) -> Locator:
    """Open the <details> whose summary reads `summary`: the form inside it."""
    details = container.locator("details").filter(has=container.page.locator("summary", has_text=summary))
    details.locator("summary").click()
    form = details.locator("form")
    expect(form).to_be_visible()
    return form


def status(page: Page) -> Locator:
    return page.get_by_role("status")


def draft_and_sign_agreement(page: Page, number: str, today: date) -> str:
    """Draft the written agreement, then register its signing today: the agreement's number."""
    agreement = region(page, "调解协议")
    draft = disclose(agreement, "起草调解协议")
    draft.get_by_label("协议形式", exact=True).select_option(label="书面")
    for label, value in AGREEMENT.items():
        draft.get_by_label(label, exact=True).fill(value)
    draft.get_by_label("履行期限", exact=True).fill((today + timedelta(days=10)).isoformat())
    draft.get_by_role("button", name="保存协议", exact=True).click()
    expect(status(page)).to_contain_text("已保存调解协议")
    expect(agreement).to_contain_text("书面协议 · 草稿，尚未签署")
    expect(agreement).to_contain_text(AGREEMENT["协议内容"])
    agreement_number = agreement.locator("strong").first.inner_text()
    assert AGREEMENT_NUMBER.match(agreement_number), agreement_number
    assert agreement_number == number.replace("调字", "调协字"), (agreement_number, number)

    agreement.get_by_label("签署日期", exact=True).fill(today.isoformat())
    agreement.get_by_role("button", name="登记签署（此后只读）", exact=True).click()
    expect(status(page)).to_contain_text("已登记协议签署，协议内容此后只读")
    expect(agreement).to_contain_text(f"{today.isoformat()} 签署生效（只读）")
    expect(agreement.locator("summary", has_text="修改协议草稿")).to_have_count(0)
    expect(agreement.get_by_label("签署日期", exact=True)).to_have_count(0)
    return agreement_number


def check_printed_agreement(page: Page, case_id: int, agreement_number: str) -> None:
    """The agreement's 打印 link opens the printable agreement in a new tab; its PDF answers as a PDF."""
    with page.context.expect_page() as opening:
        region(page, "调解协议").get_by_role("link", name="打印", exact=True).click()
    printed = opening.value
    expect(printed).to_have_url(re.compile(rf"/cases/{case_id}/documents/agreement$"))
    document = printed.locator("article")
    expect(document.get_by_role("heading", level=1)).to_have_text("人民调解协议书")
    expect(document.locator(".doc-number")).to_have_text(agreement_number)
    parties = document.get_by_role("table").get_by_role("row")
    expect(parties).to_contain_text(["姓名", "张三", "李四"])
    expect(document).to_contain_text(AGREEMENT["协议内容"])
    signatures = document.locator(".signatures")
    expect(signatures).to_contain_text("当事人（签名/捺印）")
    expect(signatures).to_contain_text("张三：")
    expect(signatures).to_contain_text("李四：")
    expect(signatures).to_contain_text("调解员（签名）")
    expect(signatures).to_contain_text("（盖章）")

    toolbar = printed.locator(".no-print")
    pdf_link = toolbar.get_by_role("link", name="下载 PDF", exact=True)
    href = pdf_link.get_attribute("href")
    assert href == f"/cases/{case_id}/documents/agreement.pdf", href
    printed.emulate_media(media="print")
    expect(toolbar).to_be_hidden()
    expect(document.get_by_role("heading", level=1)).to_be_visible()

    response = printed.request.get(href)
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf", response.headers
    assert response.body().startswith(b"%PDF-")
    printed.close()


def close_as_success(page: Page, today: date) -> None:
    closing = disclose(region(page, "结案"), "填写结案信息")
    closing.get_by_label("调解结果", exact=True).select_option(label="调解成功")
    closing.get_by_label("结案日期", exact=True).fill(today.isoformat())
    closing.get_by_role("button", name="结案", exact=True).click()
    expect(status(page)).to_contain_text("已结案")
    expect(page.locator(".case-status")).to_contain_text("已结案")
    follow_up_on = (today + timedelta(days=15)).isoformat()
    expect(region(page, "回访")).to_contain_text(f"计划于 {follow_up_on} 回访")


def record_follow_up(page: Page, today: date) -> None:
    visit = disclose(region(page, "回访"), "记录回访")
    visit.get_by_label("回访日期", exact=True).fill(today.isoformat())
    expect(visit.get_by_label("回访人", exact=True)).to_have_value(SUPERVISOR.display_name)
    visit.get_by_label("回访对象", exact=True).fill("张三")
    visit.get_by_label("当事人满意度", exact=True).select_option(label="满意")
    visit.get_by_label("履行情况", exact=True).fill(PERFORMANCE)
    visit.get_by_role("button", name="保存回访记录", exact=True).click()
    expect(status(page)).to_contain_text("已记录回访")
    expect(section(page, "办理经过").get_by_role("listitem").last).to_contain_text("回访：张三，满意")
    expect(region(page, "回访")).to_contain_text(f"履行情况：{PERFORMANCE}")


def archive(page: Page) -> str:
    """Archive for 30 years: the dossier's number."""
    archiving = region(page, "归档")
    archiving.get_by_label("保管期限", exact=True).select_option(label="30年")
    archiving.get_by_role("button", name="归档", exact=True).click()
    expect(status(page)).to_contain_text("已归档，卷宗号")
    expect(archiving).to_contain_text(ARCHIVE_NUMBER)
    expect(archiving).to_contain_text("已归档案件只读")
    match = ARCHIVE_NUMBER.search(archiving.inner_text())
    assert match is not None
    return match.group(0)


def check_read_only(page: Page) -> None:
    """Nothing left to fill in or press on the archived case's page, but the supervisor's 重新启用 summary."""
    main = page.locator("main")
    for summary in ("修改案件信息", "移交其他调解组织", "记录调解会", "记录告知", "起草调解协议", "修改协议草稿",
                    "登记协议修正（主任）", "填写结案信息", "登记履行义务", "记录回访"):
        expect(main.locator("summary", has_text=summary)).to_have_count(0)
    for button in ("结案", "保存协议", "登记签署（此后只读）", "归档", "分派", "上传", "登记申请", "登记履行"):
        expect(main.get_by_role("button", name=button, exact=True)).to_have_count(0)
    expect(main.locator("summary").filter(visible=True)).to_have_text(["重新启用（须写明理由）"])
    expect(main.locator("input, select, textarea, button").filter(visible=True)).to_have_count(0)


def check_dossier(page: Page, case_id: int, archive_number: str, agreement_number: str) -> None:
    """打印卷宗 opens the dossier in a new tab: its cover, its contents and the agreement among the documents."""
    with page.context.expect_page() as opening:
        region(page, "归档").get_by_role("link", name="打印卷宗", exact=True).click()
    dossier = opening.value
    expect(dossier).to_have_url(re.compile(rf"/cases/{case_id}/documents/dossier$"))
    headings = dossier.get_by_role("heading", level=1)
    expect(headings.first).to_have_text("人民调解卷宗")
    cover = dossier.locator(".cover-table").get_by_role("row")
    expect(cover).to_contain_text([f"卷宗号{archive_number}", "保管期限30年"])
    expect(headings).to_contain_text(["人民调解卷宗", "卷内目录", "人民调解协议书", "封底"])
    expect(dossier.locator(".toc").get_by_role("listitem")).to_contain_text(["调解协议书"])
    title = dossier.get_by_role("heading", name="人民调解协议书", exact=True)
    agreement = dossier.locator("article").filter(has=title)
    expect(agreement.locator(".doc-number")).to_have_text(agreement_number)
    expect(agreement).to_contain_text(AGREEMENT["协议内容"])
    dossier.screenshot(path="/tmp/e2e-dossier.png", full_page=True)
    dossier.close()


def test_agreement_print_close_follow_up_and_archive(page: Page) -> None:
    today = local_today()
    sign_in_to_dashboard(page, SUPERVISOR)
    case_id, number = register_case(page, "张三")

    agreement_number = draft_and_sign_agreement(page, number, today)
    check_printed_agreement(page, case_id, agreement_number)
    close_as_success(page, today)
    record_follow_up(page, today)
    archive_number = archive(page)

    expect(page.locator(".case-status")).to_contain_text("已归档")
    check_read_only(page)
    page.screenshot(path="/tmp/e2e-resolution-case.png", full_page=True)
    check_dossier(page, case_id, archive_number, agreement_number)
