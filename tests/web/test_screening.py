"""/screenings: recording screenings (排查) with every refusal next to its field, the scoped and paged list
with the month's totals, zero reports (零上报) and their refusals, and the figures of the monthly report."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update

from mediation.app import template_engine
from mediation.domain import deadlines
from mediation.domain.reports import parse_month
from mediation.models import MediationCase, Organization, Screening, User, ZeroReport
from mediation.models.base import utcnow
from mediation.services.accounts import CurrentUser
from mediation.services.screening import PAGE_SIZE, ScreeningService
from tests.conftest import add_user, app_client, post_form, sign_in
from tests.web.cases_support import intake_form, make_district

pytestmark = pytest.mark.anyio


@pytest.fixture
async def world(db_session, settings):
    district = await make_district(db_session)
    users = {}
    for username, role, org, name in (
        ("admin", "admin", None, "管理员"),
        ("zhuren", "supervisor", None, "周主任"),
        ("suozhang", "supervisor", district.town_a_org, "孙所长"),
        ("chuangkou", "counter", None, "陈窗口"),
        ("cuntiao", "village_mediator", district.village_a1_org, "李调解"),
        ("waicun", "village_mediator", district.village_b1_org, "外村调解员"),
        ("guwen", "advisor", None, "王明远"),
    ):
        users[username] = await add_user(db_session, settings, username, role, org, name)
    return {"district": district, "users": users}


@pytest.fixture
def today(settings) -> date:
    return deadlines.local_date(utcnow(), settings.tz)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)


async def signed_in(client, username):
    response = await sign_in(client, username)
    assert response.status_code == 303
    return client


def screening_form(world, today, **overrides) -> dict[str, str]:
    form = {"screened_on": today.isoformat(), "village": str(world["district"].village_a1),
            "grid": str(world["district"].grid_a1), "found_disputes": "1",
            "findings": "两户因排水沟发生口角", "actions": "已约双方到村委会协商"}
    form.update({key: str(value) for key, value in overrides.items()})
    return form


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', page)
    return found.group(1) if found else ""


async def add_screenings(session, world, village: int, days: list[date], found: int = 0) -> None:
    district = world["district"]
    town = district.town_b if village == district.village_b1 else district.town_a
    await session.execute(insert(Screening), [
        {"town_id": town, "village_id": village, "grid_id": None, "screened_on": day, "found_disputes": found,
         "findings": f"{village}-{day.isoformat()}-{index}", "actions": "",
         "recorded_by_id": world["users"]["admin"].id, "created_at": utcnow()}
        for index, day in enumerate(days)])
    await session.commit()


async def add_case(session, world, village: int, registered_on: date, status: str = "accepted") -> None:
    district = world["district"]
    town = district.town_b if village == district.village_b1 else district.town_a
    organization = await session.scalar(select(Organization.id).where(Organization.kind == "district_center"))
    await session.execute(insert(MediationCase).values(
        number=f"测试-{uuid.uuid4().hex[:12]}", intake_token=uuid.uuid4().hex, status=status,
        source="party_application", dispute_type="neighbourhood", risk_level="ordinary", town_id=town,
        village_id=village, summary="邻里纠纷", registered_on=registered_on, accepted_on=registered_on,
        registering_organization_id=organization, organization_id=organization,
        registered_by_id=world["users"]["admin"].id, suggested_level="village", level="village"))
    await session.commit()


async def file_zero_report(client, month: str, village: object, **extra: str):
    return await post_form(client, "/screenings/zero-reports", {"month": month, "village": str(village), **extra})


async def screening_count(session) -> int:
    await session.rollback()
    return await session.scalar(select(func.count()).select_from(Screening)) or 0


# Recording a screening


async def test_village_mediator_records_a_screening_of_their_own_village(client, world, today, db_session):
    await signed_in(client, "cuntiao")
    page = (await client.get("/screenings")).text
    village_select = page.split('id="f-village"')[1].split("</select>")[0]
    assert "城关镇/石门村" in village_select and "大岭村" not in village_select and "湖滨社区" not in village_select
    assert "第一网格" in page.split('id="f-grid"')[1].split("</select>")[0]
    assert f'value="{today.isoformat()}"' in page

    response = await post_form(client, "/screenings", screening_form(world, today))
    assert response.status_code == 303
    listed = await client.get(response.headers["location"])
    assert f"已保存 {today.isoformat()} 的排查记录" in listed.text
    table = listed.text.split("排查记录</caption>")[1].split("</table>")[0]
    assert "石门村" in table and "第一网格" in table and "两户因排水沟发生口角" in table and "李调解" in table
    assert re.search(r"<dt>排查次数</dt><dd>1</dd>", listed.text)
    assert re.search(r"<dt>发现纠纷数</dt><dd>1</dd>", listed.text)
    saved = (await db_session.execute(select(Screening.town_id, Screening.village_id, Screening.grid_id))).one()
    assert tuple(saved) == (world["district"].town_a, world["district"].village_a1, world["district"].grid_a1)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"screened_on": ""}, "screened_on", "请填写排查日期"),
    ({"screened_on": "2026-02-30"}, "screened_on", "排查日期格式不正确，应为 YYYY-MM-DD"),
    ({"screened_on": "tomorrow"}, "screened_on", "排查日期不能晚于今天"),
    ({"screened_on": "1999-12-31"}, "screened_on", "排查日期不能早于 2000-01-01"),
    ({"village": "", "grid": ""}, "village", "请选择村居"),
    ({"grid": "other-village"}, "grid", "所选网格不属于该村居"),
    ({"found_disputes": ""}, "found_disputes", "请填写发现纠纷数（没有发现填 0）"),
    ({"found_disputes": "-2"}, "found_disputes", "发现纠纷数应为不小于 0 的整数"),
    ({"found_disputes": "10000"}, "found_disputes", "发现纠纷数不能超过 9999"),
    ({"findings": "情" * 5001}, "findings", "排查情况不能超过 5000 字"),
    ({"actions": ""}, "actions", "发现纠纷时请填写处置措施"),
    ({"actions": "措" * 5001}, "actions", "处置措施不能超过 5000 字"),
])
async def test_each_refusal_stands_next_to_its_field_and_keeps_the_input(client, world, today, db_session,
                                                                         changes, field, message):
    await signed_in(client, "zhuren")
    if changes.get("screened_on") == "tomorrow":
        changes = {"screened_on": (today + timedelta(days=1)).isoformat()}
    if changes.get("grid") == "other-village":
        changes = {"village": str(world["district"].village_a2)}  # 第一网格 is 石门村's
    form = screening_form(world, today, **changes)
    response = await post_form(client, "/screenings", form)
    assert response.status_code == 422
    assert error_of(response.text, field) == message
    assert "排查记录未保存" in response.text
    record = response.text.split('id="record"')[1].split("</form>")[0]
    if form["findings"] and len(form["findings"]) < 100:
        assert f">{form['findings']}</textarea>" in record
    assert f'value="{form["found_disputes"]}"' in record
    assert f'value="{form["screened_on"]}"' in record
    if form["village"]:
        assert f'<option value="{form["village"]}" selected>' in record
    assert await screening_count(db_session) == 0


async def test_a_village_mediator_cannot_record_for_another_village(client, world, today, db_session):
    await signed_in(client, "cuntiao")
    district = world["district"]
    for village in (district.village_b1, district.village_a2):
        response = await post_form(client, "/screenings", screening_form(world, today, village=village, grid=""))
        assert response.status_code == 422
        assert error_of(response.text, "village") == "只能为本辖区内的村居记录排查"
    assert await screening_count(db_session) == 0


async def test_a_town_supervisor_records_for_the_villages_of_their_town_only(client, world, today, db_session):
    await signed_in(client, "suozhang")
    district = world["district"]
    page = (await client.get("/screenings")).text
    village_select = page.split('id="f-village"')[1].split("</select>")[0]
    assert "请选择村居" in village_select and "石门村" in village_select and "大岭村" in village_select
    assert "湖滨社区" not in village_select
    outside = screening_form(world, today, village=district.village_b1, grid="")
    refused = await post_form(client, "/screenings", outside)
    assert error_of(refused.text, "village") == "只能为本辖区内的村居记录排查"
    done = await post_form(client, "/screenings", screening_form(world, today, village=district.village_a2, grid="",
                                                                  found_disputes="0", actions=""))
    assert done.status_code == 303
    assert await screening_count(db_session) == 1


@pytest.mark.parametrize("path", ["/screenings", "/screenings/zero-reports"])
async def test_counters_may_look_but_not_record_and_advisors_may_not_look(client, world, today, settings,
                                                                           db_session, path):
    await signed_in(client, "chuangkou")
    page = await client.get("/screenings")
    assert page.status_code == 200
    assert "保存排查记录" not in page.text and "零上报</button>" not in page.text
    form = screening_form(world, today) | {"month": month_key(today)}
    assert (await post_form(client, path, form)).status_code == 403
    async with app_client(settings) as advisor:
        await signed_in(advisor, "guwen")
        assert (await advisor.get("/screenings")).status_code == 403
        assert (await post_form(advisor, path, form)).status_code == 403
    await db_session.rollback()
    assert await screening_count(db_session) == 0
    assert await db_session.scalar(select(func.count()).select_from(ZeroReport)) == 0


async def test_navigation_shows_the_page_to_the_roles_that_use_it(client, world, settings):
    for username, shown in (("cuntiao", True), ("zhuren", True), ("chuangkou", True), ("admin", True),
                            ("guwen", False)):
        async with app_client(settings) as user:
            await signed_in(user, username)
            nav = (await user.get("/")).text.split('aria-label="主导航"')[1].split("</nav>")[0]
            assert ('href="/screenings"' in nav) is shown, username


# The list


async def test_each_user_sees_the_screenings_of_their_villages_only(client, world, today, settings, db_session):
    district = world["district"]
    day = today.replace(day=1)
    await add_screenings(db_session, world, district.village_a1, [day, day], found=2)
    await add_screenings(db_session, world, district.village_a2, [day], found=1)
    await add_screenings(db_session, world, district.village_b1, [day, day, day], found=3)
    expectations = {"cuntiao": (2, 4, {"石门村"}), "waicun": (3, 9, {"湖滨社区"}),
                    "suozhang": (3, 5, {"石门村", "大岭村"}), "zhuren": (6, 14, {"石门村", "大岭村", "湖滨社区"}),
                    "chuangkou": (6, 14, {"石门村", "大岭村", "湖滨社区"})}
    for username, (count, found, villages) in expectations.items():
        async with app_client(settings) as user:
            await signed_in(user, username)
            page = (await user.get("/screenings")).text
            assert re.search(rf"<dt>排查次数</dt><dd>{count}</dd>", page), username
            assert re.search(rf"<dt>发现纠纷数</dt><dd>{found}</dd>", page), username
            table = page.split("排查记录</caption>")[1].split("</table>")[0]
            for name in ("石门村", "大岭村", "湖滨社区"):
                assert (f"<td>{name}</td>" in table) is (name in villages), (username, name)


async def test_the_list_filters_by_month_and_village_with_the_months_totals(client, world, today, db_session):
    district = world["district"]
    last = previous_month(today)
    await add_screenings(db_session, world, district.village_a1, [last.replace(day=1), last], found=1)
    await add_screenings(db_session, world, district.village_a1, [today.replace(day=1)], found=5)
    await add_screenings(db_session, world, district.village_b1, [last], found=2)
    await signed_in(client, "zhuren")
    page = (await client.get("/screenings", params={"month": month_key(last)})).text
    assert re.search(r"<dt>排查次数</dt><dd>3</dd>", page) and re.search(r"<dt>发现纠纷数</dt><dd>4</dd>", page)
    table = page.split("排查记录</caption>")[1].split("</table>")[0]
    assert table.index(last.isoformat()) < table.index(last.replace(day=1).isoformat()) or last.day == 1
    filtered = (await client.get("/screenings", params={"month": month_key(last),
                                                        "village": district.village_b1})).text
    assert re.search(r"<dt>排查次数</dt><dd>1</dd>", filtered) and re.search(r"<dt>发现纠纷数</dt><dd>2</dd>", filtered)
    assert f'<option value="{district.village_b1}" selected>' in filtered
    current = (await client.get("/screenings")).text
    assert re.search(r"<dt>排查次数</dt><dd>1</dd>", current) and re.search(r"<dt>发现纠纷数</dt><dd>5</dd>", current)


async def test_the_list_is_paged_newest_first(client, world, today, db_session):
    district = world["district"]
    first = today.replace(day=1)
    days = [first + timedelta(days=index % today.day) for index in range(PAGE_SIZE + 5)]
    await add_screenings(db_session, world, district.village_a1, days, found=1)
    await signed_in(client, "cuntiao")
    page = (await client.get("/screenings")).text
    assert re.search(rf"<dt>排查次数</dt><dd>{PAGE_SIZE + 5}</dd>", page)
    shown = re.findall(r'<td class="nowrap">(\d{4}-\d{2}-\d{2})</td>', page)
    assert len(shown) == PAGE_SIZE and shown == sorted(shown, reverse=True)
    next_link = re.search(r'href="(/screenings\?[^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    second = (await client.get(next_link)).text
    rest = re.findall(r'<td class="nowrap">(\d{4}-\d{2}-\d{2})</td>', second)
    assert len(rest) == 5 and rest[0] <= shown[-1]
    assert 'rel="next"' not in second and "回到第一页" in second
    findings = re.findall(r"\d+-\d{4}-\d{2}-\d{2}-(\d+)", page + second)
    assert sorted(map(int, findings)) == list(range(PAGE_SIZE + 5))
    for bogus in ("2026-02-30_5", "x_1"):
        first_page = await client.get("/screenings", params={"after": bogus})
        assert first_page.status_code == 200 and 'rel="next"' in first_page.text


@pytest.mark.parametrize(("month", "message"), [
    ("2026-13", "月份格式应为 YYYY-MM，例如 2026-03"),
    ("abc", "月份格式应为 YYYY-MM，例如 2026-03"),
    ("2999-01", "不能统计尚未到来的月份"),
])
async def test_a_malformed_or_future_month_is_refused_with_a_message(client, world, month, message):
    await signed_in(client, "zhuren")
    response = await client.get("/screenings", params={"month": month})
    assert response.status_code == 400
    assert error_of(response.text, "month") == message


# Zero reports


async def test_a_village_files_a_zero_report_once(client, world, today, db_session):
    await signed_in(client, "cuntiao")
    page = (await client.get("/screenings")).text
    form = page.split('action="/screenings/zero-reports"')[1].split("</form>")[0]
    assert f'<option value="{month_key(today)}" selected>' in form
    assert f'<option value="{month_key(previous_month(today))}">' in form
    status = page.split("各村居上报情况</caption>")[1].split("</table>")[0]
    assert "石门村" in status and "未上报" in status and "湖滨社区" not in status

    response = await file_zero_report(client, month_key(today), world["district"].village_a1, note="经排查无纠纷")
    assert response.status_code == 303
    done = (await client.get(response.headers["location"])).text
    assert "城关镇/石门村 已零上报" in done
    status = done.split("各村居上报情况</caption>")[1].split("</table>")[0]
    assert f"已零上报（{today.isoformat()}，李调解：经排查无纠纷）" in status

    again = await file_zero_report(client, month_key(today), world["district"].village_a1)
    assert again.status_code == 422
    label = parse_month(month_key(today), today).label
    assert error_of(again.text, "zero-village") == f"已于 {today.isoformat()} 零上报（{label}），无需重复上报"
    assert await db_session.scalar(select(func.count()).select_from(ZeroReport)) == 1


async def test_the_filing_day_is_the_local_day(client, world, today, db_session):
    """Filed at 00:30 in Shanghai on the 1st is 16:30 UTC on the day before: the page says the 1st."""
    village = world["district"].village_a1
    month = month_key(previous_month(today))
    filed_at = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)
    await db_session.execute(insert(ZeroReport).values(village_id=village, month=month,
                                                       filed_by_id=world["users"]["cuntiao"].id, filed_at=filed_at,
                                                       note=""))
    await db_session.commit()
    await signed_in(client, "cuntiao")
    page = (await client.get("/screenings", params={"month": month})).text
    assert "已零上报（2026-04-01，李调解）" in page
    again = await file_zero_report(client, month, village)
    assert error_of(again.text, "zero-village").startswith("已于 2026-04-01 零上报")


async def test_a_village_with_a_case_this_month_need_not_file(client, world, today, settings, db_session):
    async with app_client(settings) as counter:
        await signed_in(counter, "chuangkou")
        registered = await post_form(counter, "/cases/new", intake_form(world["district"]))
        assert registered.status_code == 303
    await signed_in(client, "cuntiao")
    response = await file_zero_report(client, month_key(today), world["district"].village_a1)
    assert response.status_code == 422
    assert error_of(response.text, "zero-village") == "本村本月已有登记案件，无需零上报"
    status = response.text.split("各村居上报情况</caption>")[1].split("</table>")[0]
    assert "已登记案件" in status

    await db_session.execute(update(MediationCase).values(status="voided", void_reason="误登记"))
    await db_session.commit()
    voided = await file_zero_report(client, month_key(today), world["district"].village_a1)
    assert voided.status_code == 303, "a voided case counts nowhere, so the village may file"


@pytest.mark.parametrize(("month", "message"), [
    ("", "请选择零上报的月份"),
    ("2026/03", "月份格式应为 YYYY-MM，例如 2026-03"),
    ("next", "不能为尚未到来的月份零上报"),
    ("two-ago", "只能为本月或上月零上报"),
])
async def test_a_zero_report_month_must_be_this_month_or_the_last(client, world, today, db_session, month, message):
    if month == "next":
        month = month_key(today.replace(day=28) + timedelta(days=5))
    elif month == "two-ago":
        month = month_key(previous_month(previous_month(today)))
    await signed_in(client, "cuntiao")
    response = await file_zero_report(client, month, world["district"].village_a1, note="说明文字")
    assert response.status_code == 422
    assert error_of(response.text, "zero-month") == message
    assert 'value="说明文字"' in response.text
    assert await db_session.scalar(select(func.count()).select_from(ZeroReport)) == 0


async def test_zero_reports_are_filed_only_for_villages_in_scope(client, world, today, settings, db_session):
    district = world["district"]
    await signed_in(client, "cuntiao")
    for village in (district.village_b1, district.village_a2, "", "x"):
        response = await file_zero_report(client, month_key(today), village)
        assert response.status_code == 422
        expected = "请选择村居" if village == "" else "只能为本辖区内的村居零上报"
        assert error_of(response.text, "zero-village") == expected
    too_long = await file_zero_report(client, month_key(today), district.village_a1, note="说" * 201)
    assert error_of(too_long.text, "zero-note") == "说明不能超过 200 字"
    async with app_client(settings) as town:
        await signed_in(town, "suozhang")
        done = await file_zero_report(town, month_key(previous_month(today)), district.village_a2)
        assert done.status_code == 303
    await db_session.rollback()
    assert (await db_session.execute(select(ZeroReport.village_id, ZeroReport.month))).all() == [
        (district.village_a2, month_key(previous_month(today)))]


async def test_the_status_table_tells_cases_zero_reports_and_silence_apart(client, world, today, db_session):
    district = world["district"]
    await add_case(db_session, world, district.village_a1, today.replace(day=1))
    await add_case(db_session, world, district.village_a2, today.replace(day=1), status="voided")
    await db_session.execute(insert(ZeroReport).values(village_id=district.village_b1, month=month_key(today),
                                                       filed_by_id=world["users"]["waicun"].id, filed_at=utcnow(),
                                                       note=""))
    await db_session.commit()
    await signed_in(client, "zhuren")
    page = (await client.get("/screenings")).text
    rows = {name: row for row in page.split("各村居上报情况</caption>")[1].split("</tbody>")[0].split("<tr")[2:]
            for name in ("石门村", "大岭村", "湖滨社区") if f">{name}<" in row}
    assert "<td>1</td>" in rows["石门村"] and "已登记案件" in rows["石门村"]
    assert "uncovered-row" in rows["大岭村"] and "未上报" in rows["大岭村"]
    assert "已零上报" in rows["湖滨社区"] and "外村调解员" in rows["湖滨社区"]
    summary = "已登记案件的村居 <strong>1</strong>，已零上报 <strong>1</strong>，既无案件也未零上报 <strong>1</strong>"
    assert summary in page


# The monthly report's figures


MONTH = "2026-03"


def user_of(world, username: str, kind: str, place: int) -> CurrentUser:
    account: User = world["users"][username]
    return CurrentUser(account.id, account.username, account.display_name, account.role, account.organization_id,
                       "", kind, place)


@pytest.fixture
async def figures_world(world, db_session):
    """March 2026 in local dates: 石门村 registered a case on the 31st, 大岭村 only a voided one (and one on
    1 April), 湖滨社区 filed a zero report (and registered a case on 28 February)."""
    district = world["district"]
    await add_case(db_session, world, district.village_a1, date(2026, 3, 31))
    await add_case(db_session, world, district.village_a2, date(2026, 3, 10), status="voided")
    await add_case(db_session, world, district.village_a2, date(2026, 4, 1))
    await add_case(db_session, world, district.village_b1, date(2026, 2, 28))
    await db_session.execute(insert(ZeroReport), [
        {"village_id": district.village_b1, "month": MONTH, "filed_by_id": world["users"]["waicun"].id,
         "filed_at": datetime(2026, 3, 31, 16, 30, tzinfo=UTC), "note": ""},
        {"village_id": district.village_a2, "month": "2026-02", "filed_by_id": world["users"]["admin"].id,
         "filed_at": datetime(2026, 2, 27, tzinfo=UTC), "note": ""},
    ])
    await add_screenings(db_session, world, district.village_a1, [date(2026, 2, 28), date(2026, 4, 1)], found=7)
    await add_screenings(db_session, world, district.village_a1, [date(2026, 3, 1), date(2026, 3, 31)], found=2)
    await add_screenings(db_session, world, district.village_a2, [date(2026, 3, 15)], found=0)
    await add_screenings(db_session, world, district.village_b1, [date(2026, 3, 31)], found=3)
    return world


def cells(row) -> tuple:
    return (row.name, row.screenings, row.found_disputes, row.villages, row.with_cases, row.zero_reports,
            row.silent)


async def test_monthly_figures_per_town_with_the_total_and_the_silent_villages(figures_world, db_session, settings):
    figures = await ScreeningService(db_session, settings).monthly_figures(parse_month(MONTH, date(2026, 11, 1)),
                                                                           None)
    assert figures.unit == "镇街"
    assert [cells(row) for row in figures.rows] == [("城关镇", 3, 4, 2, 1, 0, 1), ("东湖街道", 1, 3, 1, 0, 1, 0)]
    assert cells(figures.total) == ("合计", 4, 7, 3, 1, 1, 1)
    assert [(village.town, village.village) for village in figures.silent_villages] == [("城关镇", "大岭村")]


async def test_monthly_figures_per_village_of_one_town(figures_world, db_session, settings):
    district = figures_world["district"]
    figures = await ScreeningService(db_session, settings).monthly_figures(
        parse_month(MONTH, date(2026, 11, 1)), None, town_id=district.town_a)
    assert figures.unit == "村居"
    assert [cells(row) for row in figures.rows] == [("石门村", 2, 4, 1, 1, 0, 0), ("大岭村", 1, 0, 1, 0, 0, 1)]
    assert cells(figures.total) == ("合计", 3, 4, 2, 1, 0, 1)


async def test_monthly_figures_follow_the_users_scope(figures_world, db_session, settings):
    district = figures_world["district"]
    service = ScreeningService(db_session, settings)
    month = parse_month(MONTH, date(2026, 11, 1))
    town = user_of(figures_world, "suozhang", "town_committee", district.town_a)
    figures = await service.monthly_figures(month, town)
    assert [cells(row) for row in figures.rows] == [("城关镇", 3, 4, 2, 1, 0, 1)]
    assert [village.village for village in figures.silent_villages] == ["大岭村"]
    assert (await service.monthly_figures(month, town, town_id=district.town_b)).rows == []

    village = user_of(figures_world, "waicun", "village_committee", district.village_b1)
    figures = await service.monthly_figures(month, village)
    assert [cells(row) for row in figures.rows] == [("东湖街道", 1, 3, 1, 0, 1, 0)]
    assert figures.silent_villages == []

    center = user_of(figures_world, "zhuren", "district_center", 1)
    assert cells((await service.monthly_figures(month, center)).total) == ("合计", 4, 7, 3, 1, 1, 1)
    advisor = user_of(figures_world, "guwen", "district_center", 1)
    assert cells((await service.monthly_figures(month, advisor)).total) == ("合计", 0, 0, 0, 0, 0, 0)


async def test_a_month_with_nothing_lists_every_village_as_silent(figures_world, db_session, settings):
    figures = await ScreeningService(db_session, settings).monthly_figures(
        parse_month("2026-01", date(2026, 11, 1)), None)
    assert cells(figures.total) == ("合计", 0, 0, 3, 0, 0, 3)
    assert [village.village for village in figures.silent_villages] == ["石门村", "大岭村", "湖滨社区"]


async def test_the_report_partial_renders_the_figures(figures_world, db_session, settings):
    service = ScreeningService(db_session, settings)
    template = template_engine(settings).get_template("reports/_screening.html")
    html = template.render(screening=await service.monthly_figures(parse_month(MONTH, date(2026, 11, 1)), None))
    assert "<caption>2026 年 3 月矛盾纠纷排查及村居上报情况（按镇街）</caption>" in html
    assert '<th scope="col">排查次数</th>' in html and '<th scope="col">排查发现纠纷</th>' in html
    assert '<th scope="row">合计</th><td class="num">4</td><td class="num">7</td>' in html
    assert "<li>城关镇/大岭村</li>" in html and "各村居均已上报" not in html
    village = user_of(figures_world, "waicun", "village_committee", figures_world["district"].village_b1)
    quiet = template.render(screening=await service.monthly_figures(parse_month(MONTH, date(2026, 11, 1)), village))
    assert "各村居均已上报" in quiet and "<li>" not in quiet
