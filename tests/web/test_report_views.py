"""The monthly report's other views: village drill-down, comparisons, per-person tables, charts on the
report and the dashboard, and the month close with its frozen snapshot and next month's corrections."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import insert, select, update

from mediation.models import CaseAssignment, CaseEvent, LegalAdvisor, MediationCase, MonthClose
from mediation.models.base import utcnow
from tests.conftest import add_user, post_form, sign_in
from tests.web.report_support import seed_march

pytestmark = pytest.mark.anyio


@pytest.fixture
async def district(db_session, settings):
    d = await seed_march(db_session, settings)
    ids = dict((await db_session.execute(select(MediationCase.number, MediationCase.id))).all())
    supervisor = await db_session.scalar(select(MediationCase.registered_by_id).limit(1))
    mediator = await add_user(db_session, settings, "tiaojie", "counter", name="李调解")
    advisor = (await db_session.execute(insert(LegalAdvisor).values(
        name="王律师", firm="明理律师事务所", licence_no="13301201510000001", phone="", duty_days="",
        active=True, created_at=utcnow()))).inserted_primary_key[0]
    for number in ("A", "G", "H"):
        await db_session.execute(insert(CaseAssignment).values(
            case_id=ids[number], role="mediator", user_id=mediator.id, status="accepted", assigned_by_id=supervisor,
            assigned_at=utcnow(), chosen_by_parties=False, decline_reason="", conflict_override_reason=""))
    await db_session.execute(insert(CaseAssignment).values(
        case_id=ids["B"], role="advisor", advisor_id=advisor, status="accepted", assigned_by_id=supervisor,
        assigned_at=utcnow(), chosen_by_parties=False, decline_reason="", conflict_override_reason=""))
    await db_session.commit()
    return d, ids


def table_rows(html: str, caption: str) -> list[list[str]]:
    """The body rows of the table with this caption, as cell texts."""
    import re

    start = html.index(caption)
    body = html[html.index("<tbody>", start):html.index("</tbody>", start)]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows


async def test_a_town_drills_down_to_its_villages(district, client):
    d, _ = district
    await sign_in(client, "zhuren")
    page = await client.get("/reports/monthly", params={"month": "2026-03"})
    assert f'href="/reports/monthly?month=2026-03&amp;town={d.town_a}"' in page.text
    town = await client.get("/reports/monthly", params={"month": "2026-03", "town": d.town_a})
    assert town.status_code == 200 and "城关镇各村居" in town.text and "返回全区" in town.text
    rows = table_rows(town.text, "2026 年 3 月城关镇各村居调解情况")
    assert [row[0] for row in rows] == ["石门村", "大岭村", "合计"]
    assert rows[0][1:5] == ["2", "2", "1", "50.0"] and rows[1][1:5] == ["0", "0", "0", "0.0"]
    assert rows[2][1:5] == ["2", "2", "1", "50.0"]


async def test_month_on_month_and_year_on_year(district, client):
    await sign_in(client, "zhuren")
    page = await client.get("/reports/monthly", params={"month": "2026-03"})
    rows = {row[0]: row[1:] for row in table_rows(page.text, "全区合计的环比与同比")}
    # February: only B accepted (2-28), nothing closed; March 2025: nothing at all.
    assert rows["受理数"] == ["4", "1", "+300.0%", "0", "—"]
    assert rows["结案数"] == ["2", "0", "—", "0", "—"]
    assert rows["成功率(%)"][:2] == ["50.0", "0.0"]


async def test_per_mediator_and_per_advisor_tables(district, client):
    await sign_in(client, "zhuren")
    page = await client.get("/reports/monthly", params={"month": "2026-03"})
    mediators = table_rows(page.text, "各调解员办案情况")
    # A (closed in March after 30 days), H (accepted in March), G (open and overdue at 3-31).
    assert mediators == [["李调解", "区矛盾纠纷调解中心", "3", "1", "1", "100.0", "30.0", "1"]]
    advisors = table_rows(page.text, "各法律顾问办案情况")
    assert advisors == [["王律师", "明理律师事务所", "1", "1", "0", "0.0", "1.0", "0"]]


async def test_charts_with_their_tables_load_into_the_report_and_the_supervisor_dashboard(district, client):
    await sign_in(client, "zhuren")
    page = await client.get("/reports/monthly", params={"month": "2026-03"})
    assert 'hx-get="/reports/charts?month=2026-03" hx-trigger="load"' in page.text
    charts = await client.get("/reports/charts", params={"month": "2026-03"}, headers={"HX-Request": "true"})
    assert charts.status_code == 200 and "<svg" in charts.text and "<script" not in charts.text
    trend = table_rows(charts.text, "<caption>近12个月受理、结案与调解成功</caption>")
    assert trend[0][0] == "4月" and trend[-1] == ["3月", "4", "2", "1"] and trend[-2] == ["2月", "1", "0", "0"]
    types = table_rows(charts.text, "<caption>2026 年 3 月各类纠纷受理数</caption>")
    assert ["邻里", "3", "75.0%"] in types and ["合同", "1", "25.0%"] in types
    sources = table_rows(charts.text, "<caption>2026 年 3 月案件来源</caption>")
    assert sources[0] == ["当事人申请", "4", "100.0%"] and len(sources) == 9
    current = await client.get("/reports/charts")
    assert current.status_code == 200 and "近12个月受理、结案与调解成功" in current.text
    bad = await client.get("/reports/charts", params={"month": "2026-13"})
    assert bad.status_code == 400 and "月份格式应为 YYYY-MM" in bad.text
    dashboard = await client.get("/")
    assert "统计图表" in dashboard.text and 'hx-get="/reports/charts" hx-trigger="revealed"' in dashboard.text
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await sign_in(client, "tiaojie")
    assert "统计图表" not in (await client.get("/")).text
    assert (await client.get("/reports/charts")).status_code == 403


async def test_closing_a_month_freezes_it_and_corrections_follow_next_month(district, client, db_session):
    _, ids = district
    await sign_in(client, "zhuren")
    closed = await post_form(client, "/reports/monthly/close", {"month": "2026-03"})
    assert closed.status_code == 303
    page = await client.get(closed.headers["location"])
    assert "2026-03 已关账，本月统计数据已冻结" in page.text and "本月已于" in page.text and "由周主任关账" in page.text
    assert "关账时上报的数据" in page.text

    # After the close, C (accepted 3-31) is closed back-dated into March.
    await db_session.execute(update(MediationCase).where(MediationCase.id == ids["C"]).values(
        status="closed", outcome="success", closed_on=date(2026, 3, 31)))
    await db_session.execute(insert(CaseEvent).values(
        case_id=ids["C"], kind="closed", summary="结案：调解成功；结案日期 2026-03-31", reason="", occurred_at=utcnow()))
    await db_session.commit()

    frozen = await client.get("/reports/monthly.csv", params={"month": "2026-03"})
    town = list(csv.reader(io.StringIO(frozen.content.decode("utf-8-sig"))))[1]
    assert town[0] == "城关镇" and town[2] == "2", "the snapshot is what was reported"
    live = await client.get("/reports/monthly.csv", params={"month": "2026-03", "live": "true"})
    assert list(csv.reader(io.StringIO(live.content.decode("utf-8-sig"))))[1][2] == "3"
    assert table_rows((await client.get("/reports/monthly", params={"month": "2026-03"})).text,
                      "各镇街调解情况")[0][2] == "2"

    april = await client.get("/reports/monthly", params={"month": "2026-04"})
    assert "上月（2026-03）关账后的更正" in april.text
    fixes = table_rows(april.text, "上月关账数据与当前数据的差异")
    assert ["城关镇", "结案数", "2", "3"] in fixes and ["合计", "调解成功数", "1", "2"] in fixes
    assert "关账后有修改的案件（共 1 件）" in april.text and ">C</a>" in april.text

    again = await post_form(client, "/reports/monthly/close", {"month": "2026-03"})
    assert "不能重复关账" in (await client.get(again.headers["location"])).text
    assert await db_session.scalar(select(MonthClose.id).where(MonthClose.month == "2026-03")) is not None


async def test_closing_refuses_an_unfinished_or_malformed_month(district, client):
    await sign_in(client, "zhuren")
    today = date.today()
    current = f"{today.year:04d}-{today.month:02d}"
    page = await client.get("/reports/monthly", params={"month": current})
    assert "关账</button>" not in page.text
    refused = await post_form(client, "/reports/monthly/close", {"month": current})
    assert "尚未结束，月末之后才能关账" in (await client.get(refused.headers["location"])).text
    bad = await post_form(client, "/reports/monthly/close", {"month": "2026-3"})
    assert "月份格式应为 YYYY-MM" in (await client.get(bad.headers["location"])).text
    future = await post_form(client, "/reports/monthly/close", {"month": "2999-01"})
    assert "不能统计尚未到来的月份" in (await client.get(future.headers["location"])).text
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await sign_in(client, "tiaojie")
    assert (await post_form(client, "/reports/monthly/close", {"month": "2026-03"})).status_code == 403


async def test_overdue_counts_the_deadline_in_force_at_the_reference_date(district, client, db_session):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from mediation.models import Extension
    from tests.web.report_support import add_case

    d, _ = district
    org, user = (await db_session.execute(
        select(MediationCase.organization_id, MediationCase.registered_by_id).limit(1))).one()
    shanghai = ZoneInfo("Asia/Shanghai")
    # Both were due 3-20 and are extended to 4-20: one extension approved on 3-25 (in force at 3-31), one approved
    # in the first minute of April (local time), so on 3-31 that case was overdue.
    for number, decided in (("EXT-IN", datetime(2026, 3, 25, 10, tzinfo=shanghai)),
                            ("EXT-AFTER", datetime(2026, 4, 1, 0, 0, 30, tzinfo=shanghai))):
        case_id = await add_case(db_session, number, d.town_a, d.village_a1, org, user, "in_mediation",
                                 date(2026, 2, 18), deadline=date(2026, 4, 20))
        await db_session.execute(insert(Extension).values(
            case_id=case_id, recorded_by_id=user, recorded_at=decided, current_deadline=date(2026, 3, 20),
            requested_deadline=date(2026, 4, 20), reason="双方同意", applicant_consent="同意",
            respondent_consent="同意", status="approved", decided_by_id=user, decided_at=decided,
            decision_note=""))
    await db_session.commit()
    await sign_in(client, "zhuren")
    rows = table_rows((await client.get("/reports/monthly", params={"month": "2026-03"})).text, "各镇街调解情况")
    town = dict(zip(["单位", "受理数", "结案数", "调解成功数", "成功率(%)", "协议涉及金额(万元)", "书面协议数", "口头协议数",
                     "司法确认申请数", "在办数", "逾期在办数"], rows[0]))
    assert (town["单位"], town["在办数"], town["逾期在办数"]) == ("城关镇", "3", "1")
    april = table_rows((await client.get("/reports/monthly", params={"month": "2026-04"})).text, "各镇街调解情况")
    assert april[0][10] == "2", "at 4-30 both are past their extended deadline of 4-20"


async def test_the_report_shows_screenings_and_the_villages_that_did_not_report(district, client, db_session):
    from mediation.models import Screening, ZeroReport

    d, _ = district
    user = await db_session.scalar(select(MediationCase.registered_by_id).limit(1))
    await db_session.execute(insert(Screening).values(
        town_id=d.town_a, village_id=d.village_a2, screened_on=date(2026, 3, 12), found_disputes=2,
        findings="两户因排水沟争吵", actions="约双方到村委会调解", recorded_by_id=user, created_at=utcnow()))
    await db_session.execute(insert(ZeroReport).values(
        village_id=d.village_a2, month="2026-03", filed_by_id=user, filed_at=utcnow(), note=""))
    await db_session.commit()
    await sign_in(client, "zhuren")
    page = await client.get("/reports/monthly", params={"month": "2026-03"})
    rows = table_rows(page.text, "2026 年 3 月矛盾纠纷排查及村居上报情况（按镇街）")
    assert rows[0][:3] == ["城关镇", "1", "2"] and rows[-1][:3] == ["合计", "1", "2"]
    # 石门村 and 湖滨社区 reported cases in March, 大岭村 filed a zero report: nobody is silent.
    assert "各村居均已上报" in page.text
    april = await client.get("/reports/monthly", params={"month": "2026-04"})
    assert "城关镇/大岭村" in april.text and "城关镇/石门村" in april.text
