"""SQL-injection strings in every filter and search parameter: never a 500, the result empty (or the
filter ignored, as an unknown value is) or a clear Chinese message, and every table keeps its rows.

The parameters are those the list and page controllers read (web/cases.py via CaseFilters, reports,
screenings, the ledger's audit, the admin user list, /track); a typed injection string is also stored
and found as plain text."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mediation.domain.advisors import AdvisorRow
from mediation.models import (
    CaseEvent,
    DictionaryEntry,
    LegalAdvisor,
    MediationCase,
    Organization,
    Party,
    Place,
    User,
)
from mediation.services.advisors import AdvisorService
from tests.conftest import add_user, app_client, post_form, sign_in
from tests.web.cases_support import intake_form, make_district

pytestmark = pytest.mark.anyio

PAYLOADS = [
    "' OR '1'='1",
    "1; DROP TABLE mediation_case;--",
    "%' --",
    "\\",
    "\u2019 OR \u20181\u2019=\u20181",  # curly quotes
    "\uff07 OR \uff071\uff07=\uff071",  # full-width apostrophes
    '" OR ""="',
    "%",
    "_",
    "*",
    "NEAR(张 李)",
    "a\x00b",
    "\x00",
    "2026-01-01' OR '1'='1",
    "2026-01-01_1 OR 1=1",
    "-1",
    "9" * 30,
    "张" * 5000,
]
CASE_FILTERS = ("q", "status", "dispute_type", "risk_level", "town", "village", "organization", "accepted_from",
                "accepted_to", "due", "mine", "sort", "after")
TABLES = (MediationCase, Party, CaseEvent, User, Place, Organization, DictionaryEntry, LegalAdvisor)
INJECTED_NAME = "' OR '1'='1"
# Compared with the stored codes as they are (so a wrong value finds nothing); every other filter
# ignores a value that is not one of its own.
MATCHED_AS_TEXT = frozenset({"q", "dispute_type", "risk_level"})


def case_links(html: str) -> set[str]:
    return set(re.findall(r'href="(/cases/\d+)"', html.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]))


async def row_counts(db_session) -> dict[str, int]:
    await db_session.rollback()
    return {model.__tablename__: await db_session.scalar(select(func.count()).select_from(model))
            for model in TABLES}


@pytest.fixture
async def admin(client, db_session, settings):
    """Two ordinary cases and one whose applicant is literally named like an injection; signed in as admin."""
    district = await make_district(db_session)
    await add_user(db_session, settings, "admin", "admin", name="管理员")
    await AdvisorService(db_session).import_rows([
        AdvisorRow(2, "王明远", "明理律师事务所", "13301201010001", "", (("城关镇", "石门村"),), "")])
    await sign_in(client, "admin")
    client.district, client.cases = district, set()
    for name in ("张三", "王芳", INJECTED_NAME):
        response = await post_form(client, "/cases/new", intake_form(district, **{
            "applicant-0-name": name, "applicant-0-id_number": "", "intake_token": name.encode().hex()}))
        assert response.status_code == 303, response.text[:1500]
        client.cases.add(response.headers["location"])
    client.injected_case = response.headers["location"]
    return client


async def test_case_list_filters_and_search(admin, db_session):
    before = await row_counts(db_session)
    everything = case_links((await admin.get("/cases")).text)
    assert everything == admin.cases
    for name in CASE_FILTERS:
        for payload in PAYLOADS:
            # The two sorts build different queries around the search and the paging cursor.
            for extra in ({}, {"sort": "deadline"}) if name in ("q", "after") else ({},):
                response = await admin.get("/cases", params={name: payload, **extra})
                assert response.status_code == 200, (name, payload, extra)
                found = case_links(response.text)
                if payload == "\x00":  # control characters are dropped: nothing is left to filter by
                    assert found == everything, (name, extra)
                elif name == "q" and payload == INJECTED_NAME:
                    assert found == {admin.injected_case}, "the injection string is searched as text"
                elif name in MATCHED_AS_TEXT:
                    assert found == set(), (name, payload, extra)
                else:
                    assert found == everything, f"{name}={payload!r} is not a valid value and must be ignored"
    assert await row_counts(db_session) == before


async def test_report_screening_ledger_advisor_and_admin_lists(admin, db_session):
    before = await row_counts(db_session)
    for payload in PAYLOADS:
        for url, name in (("/reports/monthly", "month"), ("/reports/monthly.csv", "month"),
                          ("/reports/monthly.xlsx", "month"), ("/screenings", "month")):
            response = await admin.get(url, params={name: payload})
            if re.fullmatch(r"\d{4}-\d{2}", payload[:7]):  # only the first seven characters are read
                assert response.status_code == 200, (url, payload)
                continue
            assert response.status_code == 400, (url, payload)
            assert "月份格式应为 YYYY-MM" in response.text, (url, payload)
        town = await admin.get("/reports/monthly", params={"month": "2026-01", "town": payload})
        assert town.status_code in (200, 400), payload
        if town.status_code == 400:
            assert "请求有误" in town.text, payload
        for url, name in (("/screenings", "village"), ("/screenings", "after"), ("/ledger", "before"),
                          ("/advisors", "q"), ("/admin/users", "page")):
            response = await admin.get(url, params={name: payload})
            assert response.status_code == 200, (url, name, payload)
        users = await admin.get("/admin/users", params={"q": payload})
        assert users.status_code == 200, payload
        matched = "/admin/users/" in users.text
        assert matched == (payload == "\x00"), f"{payload!r}: a search for nothing but a NUL is no search"
    advisors = (await admin.get("/advisors", params={"q": PAYLOADS[0]})).text
    assert "王明远" in advisors
    assert await row_counts(db_session) == before


async def test_track_lookup(admin, settings, db_session):
    number = re.search(r"<h1>([^<]+)</h1>", (await admin.get(admin.injected_case)).text).group(1)
    before = await row_counts(db_session)
    async with app_client(settings) as party:
        await party.get("/track")
        # LIKE wildcards in the phone digits unlock nothing; the right four digits do.
        for tail in ("%%%%", "____", "5%78", "%"):
            refused = await post_form(party, "/track", {"number": number, "phone_tail": tail})
            assert refused.status_code == 400 and "请输入案件编号和当事人电话的后 4 位数字" in refused.text, tail
        found = await post_form(party, "/track", {"number": number, "phone_tail": "5678"})
        assert found.status_code == 200 and 'class="track-result"' in found.text
        # Failed lookups are throttled per address, so the later attempts may meet that message instead.
        for payload in PAYLOADS:
            for form in ({"number": payload, "phone_tail": "5678"}, {"number": number, "phone_tail": payload}):
                response = await post_form(party, "/track", form)
                assert response.status_code == 400, (form, response.text[:500])
                assert re.search(r"请输入案件编号|没有找到匹配的案件|查询失败次数过多|无法保存的字符", response.text), form
                assert 'class="track-result"' not in response.text, form
    after = await row_counts(db_session)
    assert after == before


async def test_a_nul_typed_into_a_form_is_kept_as_text_or_refused_whole(admin, db_session):
    before = await row_counts(db_session)
    response = await post_form(admin, "/cases/new", intake_form(admin.district, summary="纠纷\x00情况", **{
        "applicant-0-name": "张\x00三", "applicant-0-id_number": ""}))
    if db_session.bind.dialect.name == "postgresql":  # PostgreSQL text cannot hold a NUL
        assert response.status_code == 400 and "无法保存的字符" in response.text
        assert await row_counts(db_session) == before
    else:
        assert response.status_code == 303
        await db_session.rollback()
        stored = await db_session.scalar(
            select(Party.name).where(Party.side == "applicant").order_by(Party.id.desc()).limit(1))
        assert stored == "张\x00三"


async def test_ids_no_row_can_have_answer_404(admin):
    for path in ("/cases/99999999999", "/cases/9223372036854775808", "/cases/99999999999/documents/register",
                 "/cases/1/evidence/99999999999", "/admin/users/99999999999", "/admin/places/99999999999",
                 "/admin/organizations/99999999999999999999999"):
        response = await admin.get(path)
        assert response.status_code == 404, path
        assert "页面不存在" in response.text, path
