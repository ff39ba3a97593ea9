"""The documents of the 卷宗 as HTML and PDF: available as soon as they apply, the PDF text holds the case
number and the Chinese party names, full ID numbers only where required, markup escaped."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from mediation.models import MediationCase
from tests.conftest import add_user, post_form, sign_in
from tests.web.cases_support import VALID_ID, intake_form, make_district

pytestmark = pytest.mark.anyio


def local_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
async def supervisor(client, db_session, settings):
    client.district = await make_district(db_session)
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    await sign_in(client, "zhuren")
    return client


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


async def full_case(client, db_session) -> int:
    response = await post_form(client, "/cases/new", intake_form(
        client.district, **{"respondent-0-name": "李四<b>粗体</b>"}))
    case_id = int(response.headers["location"].rsplit("/", 1)[1])
    accepted = local_today() - timedelta(days=20)
    await db_session.execute(update(MediationCase).where(MediationCase.id == case_id).values(
        accepted_on=accepted, registered_on=accepted, deadline=accepted + timedelta(days=30)))
    await db_session.commit()
    today = local_today().isoformat()
    past = f"{(local_today() - timedelta(days=5)).isoformat()}T09:30"
    for path, form in (
        ("rights-notices", {"notified_at": past, "method": "written", "parties_told": "张三、李四"}),
        ("investigations", {"investigated_at": past, "place": "石门村", "investigators": "周主任",
                            "subjects": "王五", "findings": "围墙越界约三十厘米"}),
        ("hearings", {"held_at": past, "place": "石门村调委会", "mediators": "周主任", "attendees": "张三、李四",
                      "record": "双方同意协商解决"}),
        ("agreement", {"form": "written", "facts": "宅基地边界争执", "disputes": "围墙越界",
                       "responsibilities": "李四负主要责任", "terms": "李四拆除越界围墙",
                       "performance_method": "自行拆除", "performance_place": "石门村",
                       "performance_deadline": (local_today() + timedelta(days=10)).isoformat(), "amount": "0"}),
        ("agreement/sign", {"signed_on": today}),
        ("close", {"outcome": "success", "closed_on": today}),
    ):
        assert (await post_form(client, f"/cases/{case_id}/{path}", form)).status_code == 303, path
    return case_id


async def test_documents_appear_as_they_apply(supervisor, db_session):
    response = await post_form(supervisor, "/cases/new", intake_form(supervisor.district))
    case_id = int(response.headers["location"].rsplit("/", 1)[1])
    for name in ("register", "rights-notice", "receipt", "dossier"):
        assert (await supervisor.get(f"/cases/{case_id}/documents/{name}")).status_code == 200, name
    for name in ("investigation", "hearing-record", "agreement", "oral-agreement", "follow-up", "closing-report"):
        missing = await supervisor.get(f"/cases/{case_id}/documents/{name}")
        assert missing.status_code == 404 and "该案件目前还没有" in missing.text, name
    assert (await supervisor.get(f"/cases/{case_id}/documents/nonsense")).status_code == 404


async def test_every_document_as_html_and_pdf(supervisor, db_session):
    case_id = await full_case(supervisor, db_session)
    page = (await supervisor.get(f"/cases/{case_id}")).text
    number = re.search(r"<h1>([^<]+)</h1>", page).group(1)
    for name, title in (("register", "受理登记表"), ("rights-notice", "权利义务告知书"), ("investigation", "调查记录"),
                        ("hearing-record", "调解笔录"), ("agreement", "调解协议书"), ("closing-report", "结案报告表"),
                        ("receipt", "受理回执")):
        html = await supervisor.get(f"/cases/{case_id}/documents/{name}")
        assert html.status_code == 200 and title in html.text, name
        assert "李四&lt;b&gt;粗体&lt;/b&gt;" in html.text and "<b>粗体</b>" not in html.text
        pdf = await supervisor.get(f"/cases/{case_id}/documents/{name}.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf", name
        text = pdf_text(pdf.content)
        assert number.replace("调协字", "调字") in text.replace("调协字", "调字") or number in text, name
        assert "张三" in text, name
    register = (await supervisor.get(f"/cases/{case_id}/documents/register")).text
    assert VALID_ID in register
    hearing = (await supervisor.get(f"/cases/{case_id}/documents/hearing-record")).text
    assert VALID_ID not in hearing and "110105********002X" in hearing


async def test_the_dossier_holds_every_document_in_order(supervisor, db_session):
    case_id = await full_case(supervisor, db_session)
    html = (await supervisor.get(f"/cases/{case_id}/documents/dossier")).text
    order = ["人民调解卷宗", "卷内目录", "人民调解受理登记表", "人民调解权利义务告知书", "人民调解调查记录", "人民调解笔录",
             "人民调解协议书", "人民调解结案报告表", "封底"]
    positions = [html.index(title) for title in order[:-1]] + [html.rindex("封底")]
    assert positions == sorted(positions)
    pdf = await supervisor.get(f"/cases/{case_id}/documents/dossier.pdf")
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) >= 8
    text = pdf_text(pdf.content)
    assert "人民调解卷宗" in text and "张三" in text and "— 1 —" in text
    fonts = {str(font) for page in reader.pages for font in (page.get("/Resources") or {}).get("/Font", {}).values()}
    assert fonts  # the CJK font is embedded, not referenced


async def test_oral_agreement_follow_up_and_their_pdfs(supervisor, db_session):
    response = await post_form(supervisor, "/cases/new", intake_form(supervisor.district))
    case_id = int(response.headers["location"].rsplit("/", 1)[1])
    today = local_today().isoformat()
    await post_form(supervisor, f"/cases/{case_id}/agreement", {
        "form": "oral", "terms": "李四当场赔礼道歉并赔偿 300 元", "performance_method": "当场现金支付"})
    assert (await post_form(supervisor, f"/cases/{case_id}/close",
                            {"outcome": "success", "closed_on": today})).status_code == 303
    assert (await supervisor.get(f"/cases/{case_id}/documents/follow-up")).status_code == 404
    page = (await supervisor.get(f"/cases/{case_id}")).text
    follow = re.search(rf"/cases/{case_id}/follow-ups/(\d+)", page).group(0)
    await db_session.execute(update(MediationCase).where(MediationCase.id == case_id).values(
        closed_on=local_today()))
    await db_session.commit()
    assert (await post_form(supervisor, follow, {
        "visited_on": today, "visitor": "周主任", "party": "张三", "performance": "已当场履行",
        "satisfaction": "basic"})).status_code == 303
    for name, words in (("oral-agreement", ["口头调解协议登记表", "李四当场赔礼道歉"]),
                        ("follow-up", ["人民调解回访记录", "已当场履行", "基本满意"])):
        html = await supervisor.get(f"/cases/{case_id}/documents/{name}")
        assert html.status_code == 200 and all(word in html.text for word in words), name
        text = pdf_text((await supervisor.get(f"/cases/{case_id}/documents/{name}.pdf")).content)
        assert "张三" in text and words[0] in text, name
