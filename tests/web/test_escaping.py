"""Markup typed into a case is shown as text everywhere: the case page, the list and search, the dashboard,
every printable document (HTML and PDF), /track, and the ledger export (kept verbatim as data).

The case is registered through the real intake form and worked through the real forms, so every page
reads what a counter would really have stored."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.conftest import add_user, app_client, post_form, sign_in
from tests.web.cases_support import intake_form, make_district

pytestmark = pytest.mark.anyio

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
EXPRESSION = "{{7*7}}"
APPLICANT = f"张{SCRIPT}{EXPRESSION}"
RESPONDENT = f"李{IMG}{EXPRESSION}"
ADDRESS = f"住址{IMG}{EXPRESSION}"
SUMMARY = f"纠纷{SCRIPT}{IMG}{EXPRESSION}"
CLAIMS = f"诉求{SCRIPT}{IMG}{EXPRESSION}"
RECORD = f"笔录{SCRIPT}{IMG}{EXPRESSION}"
TERMS = f"协议{SCRIPT}{IMG}{EXPRESSION}"


def shown(text: str) -> str:
    """What autoescaping makes of `text` in HTML (Jinja writes a double quote as &#34;)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")


def assert_shown_as_text(html: str, what: str, *texts: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html, f"raw markup in {what}"
    for text in texts:
        assert shown(text) in html, f"{text} is not shown escaped in {what}"
        assert shown(text.replace(EXPRESSION, "49")) not in html, f"the template ran {EXPRESSION} in {what}"
    assert "&lt;script&gt;" in html or "&lt;img" in html, what


def local_today() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


@pytest.fixture
async def supervisor(client, db_session, settings):
    client.district = await make_district(db_session)
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    await sign_in(client, "zhuren")
    return client


async def register(client, **overrides) -> int:
    response = await post_form(client, "/cases/new", intake_form(client.district, **{
        "applicant-0-name": APPLICANT, "applicant-0-address": ADDRESS, "respondent-0-name": RESPONDENT,
        "summary": SUMMARY, "claims": CLAIMS, **overrides}))
    assert response.status_code == 303, response.text[:2000]
    return int(response.headers["location"].rsplit("/", 1)[1])


async def work_through(client, case_id: int, agreement: dict[str, str]) -> None:
    """Every record a document is printed from, each holding markup, up to a recorded follow-up visit."""
    today = local_today()
    moment = f"{today}T00:00"  # the start of today: not in the future, not before the registration
    steps = [
        ("rights-notices", {"notified_at": moment, "method": "written", "parties_told": RESPONDENT}),
        ("investigations", {"investigated_at": moment, "place": ADDRESS, "investigators": "周主任",
                            "subjects": RESPONDENT, "findings": RECORD}),
        ("hearings", {"held_at": moment, "place": ADDRESS, "mediators": "周主任", "attendees": APPLICANT,
                      "record": RECORD}),
        ("agreement", agreement),
    ]
    if agreement["form"] == "written":
        steps.append(("agreement/sign", {"signed_on": today}))
    steps.append(("close", {"outcome": "success", "closed_on": today}))
    for path, form in steps:
        response = await post_form(client, f"/cases/{case_id}/{path}", form)
        assert response.status_code == 303, (path, response.text[:2000])
    follow_up = re.search(rf"/cases/{case_id}/follow-ups/\d+", (await client.get(f"/cases/{case_id}")).text)
    response = await post_form(client, follow_up.group(0), {
        "visited_on": today, "visitor": "周主任", "party": APPLICANT, "performance": RECORD,
        "satisfaction": "satisfied"})
    assert response.status_code == 303, response.text[:2000]


WRITTEN = {"form": "written", "facts": SUMMARY, "disputes": CLAIMS, "responsibilities": RECORD, "terms": TERMS,
           "performance_method": "当场履行", "performance_place": ADDRESS, "performance_deadline": "2099-12-31",
           "amount": ""}


async def test_case_page_list_search_and_dashboard_show_markup_as_text(supervisor):
    case_id = await register(supervisor)
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert_shown_as_text(page, "the case page", APPLICANT, RESPONDENT, ADDRESS, SUMMARY, CLAIMS)

    listing = (await supervisor.get("/cases")).text
    assert_shown_as_text(listing, "the case list", APPLICANT, RESPONDENT)
    for query in ("张<script>", "李\"><img", "纠纷<script>alert(1)", EXPRESSION):
        found = (await supervisor.get("/cases", params={"q": query})).text
        assert f"/cases/{case_id}" in found, query
        assert_shown_as_text(found, f"the results for {query}", APPLICANT, RESPONDENT)
        assert f'value="{shown(query)}"' in found, f"the search box does not show {query} escaped"
        partial = await supervisor.get("/cases", params={"q": query},
                                       headers={"HX-Request": "true", "HX-Target": "case-table"})
        assert_shown_as_text(partial.text, f"the htmx results for {query}", APPLICANT, RESPONDENT)

    dashboard = (await supervisor.get("/")).text
    unassigned = dashboard.split('id="unassigned"')[1].split("</section>")[0]
    assert_shown_as_text(unassigned, "the unassigned queue", APPLICANT, RESPONDENT)


async def test_every_document_shows_markup_as_text_in_html_and_pdf(supervisor):
    written = await register(supervisor)
    await work_through(supervisor, written, WRITTEN)
    oral = await register(supervisor)
    await work_through(supervisor, oral, {"form": "oral", "terms": TERMS, "performance_method": RECORD})
    everything = (APPLICANT, RESPONDENT, ADDRESS, SUMMARY, CLAIMS, RECORD, TERMS)
    documents = {  # (case, name): what the document prints of the typed text
        (written, "register"): (APPLICANT, RESPONDENT, ADDRESS, SUMMARY, CLAIMS),
        (written, "rights-notice"): (APPLICANT, RESPONDENT),
        (written, "investigation"): (APPLICANT, RESPONDENT, ADDRESS, RECORD),
        (written, "hearing-record"): (APPLICANT, RESPONDENT, ADDRESS, RECORD),
        (written, "agreement"): everything,
        (written, "follow-up"): (APPLICANT, RECORD),
        (written, "closing-report"): (APPLICANT, RESPONDENT),
        (written, "receipt"): (APPLICANT, RESPONDENT),
        (written, "dossier"): everything,
        (oral, "oral-agreement"): (APPLICANT, RESPONDENT, ADDRESS, RECORD, TERMS),
    }
    for (case_id, name), texts in documents.items():
        response = await supervisor.get(f"/cases/{case_id}/documents/{name}")
        assert response.status_code == 200, name
        assert_shown_as_text(response.text, f"the {name} document", *texts)

    pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed: the PDF text cannot be read back")
    pdf = await supervisor.get(f"/cases/{written}/documents/dossier.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    compact = re.sub(r"\s+", "", text)
    # Markup that was rendered as text is printed; markup that ran would leave no text behind.
    for printed in (SCRIPT, "<imgsrc=xonerror=alert(1)>", EXPRESSION):
        assert printed in compact, printed
    assert "&lt;" not in text and "&#34;" not in text  # escaped once, not twice


async def test_track_shows_the_typed_number_as_text(settings):
    async with app_client(settings) as anonymous:
        await anonymous.get("/track")
        response = await post_form(anonymous, "/track", {"number": SCRIPT + IMG + EXPRESSION, "phone_tail": "1234"})
        assert response.status_code == 400
        assert_shown_as_text(response.text, "/track", SCRIPT + IMG + EXPRESSION)


async def test_ledger_export_keeps_markup_as_plain_data(supervisor):
    await register(supervisor)
    await supervisor.get("/ledger")
    for kind in ("csv", "xlsx"):
        response = await post_form(supervisor, "/ledger/export", {"format": kind, "date_from": "", "date_to": ""})
        assert response.status_code == 200, response.text[:2000]
        if kind == "csv":
            assert "&lt;" not in response.content.decode("utf-8-sig")  # data, not HTML: no entities
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
            rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        record = dict(zip(rows[0], rows[1], strict=True))
        assert record["申请人姓名"] == APPLICANT, kind
        assert record["被申请人姓名"] == RESPONDENT, kind
        assert record["纠纷简要情况"] == SUMMARY, kind
