"""Closing with each outcome, the agreement (signing, read-only, amendments), performance, judicial
confirmation, follow-ups, archiving (read-only everywhere) and reopening."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from mediation.models import MediationCase
from tests.conftest import add_user, app_client, post_form, sign_in
from tests.web.cases_support import intake_form, make_district

pytestmark = pytest.mark.anyio
AGREEMENT = {
    "form": "written", "facts": "双方因宅基地边界发生争执", "disputes": "围墙是否越界",
    "responsibilities": "李四负主要责任", "terms": "李四于十日内拆除越界围墙并赔偿张三 2000 元",
    "performance_method": "银行转账", "performance_place": "石门村村委会", "amount": "2000",
}


@pytest.fixture
async def supervisor(client, db_session, settings):
    district = await make_district(db_session)
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    await add_user(db_session, settings, "chuangkou", "counter", name="陈窗口")
    await sign_in(client, "zhuren")
    client.district = district
    return client


async def new_case(client, accepted_days_ago: int = 10, db_session=None) -> int:
    response = await post_form(client, "/cases/new", intake_form(client.district))
    case_id = int(response.headers["location"].rsplit("/", 1)[1])
    if db_session is not None:
        accepted = local_today() - timedelta(days=accepted_days_ago)
        await db_session.execute(update(MediationCase).where(MediationCase.id == case_id).values(
            accepted_on=accepted, registered_on=accepted, deadline=accepted + timedelta(days=30)))
        await db_session.commit()
    return case_id


def local_today() -> date:
    """Dates in forms are local dates (Asia/Shanghai), not the test machine's UTC date."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def today() -> str:
    return local_today().isoformat()


async def test_success_with_a_written_agreement(supervisor, db_session):
    case_id = await new_case(supervisor, db_session=db_session)
    incomplete = await post_form(supervisor, f"/cases/{case_id}/close", {"outcome": "success", "closed_on": today()})
    assert incomplete.status_code == 422 and "调解成功须有调解协议" in incomplete.text
    saved = await post_form(supervisor, f"/cases/{case_id}/agreement",
                            {**AGREEMENT, "performance_deadline": ""})
    assert saved.status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    number = re.search(r"（\d{4}）\S+?调协字第\d+号", page).group(0)
    missing = await post_form(supervisor, f"/cases/{case_id}/agreement/sign", {"signed_on": today()})
    assert missing.status_code == 422 and "调解协议缺少：履行期限" in missing.text
    deadline = (local_today() + timedelta(days=10)).isoformat()
    await post_form(supervisor, f"/cases/{case_id}/agreement", {**AGREEMENT, "performance_deadline": deadline})
    unsigned = await post_form(supervisor, f"/cases/{case_id}/close", {"outcome": "success", "closed_on": today()})
    assert "须经当事人签名" in unsigned.text
    signed = await post_form(supervisor, f"/cases/{case_id}/agreement/sign", {"signed_on": today()})
    assert signed.status_code == 303
    twice = await post_form(supervisor, f"/cases/{case_id}/agreement/sign", {"signed_on": today()})
    assert twice.status_code == 422 and "不能重复签署" in twice.text
    locked = await post_form(supervisor, f"/cases/{case_id}/agreement", AGREEMENT)
    assert locked.status_code == 422 and "调解协议已签署，只读" in locked.text
    closed = await post_form(supervisor, f"/cases/{case_id}/close", {
        "outcome": "success", "closed_on": today(), "prevented_criminal_people": "2",
        "prevented_petition_people": "0"})
    assert closed.status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    follow_up = (local_today() + timedelta(days=15)).isoformat()
    assert f"结案：调解成功（书面协议 {number}）" in page and f"{follow_up} 回访" in page
    assert "已结案" in page and "李四于十日内拆除越界围墙" in page


async def test_oral_agreement_and_amendments_by_a_supervisor_only(supervisor, db_session, settings):
    case_id = await new_case(supervisor, db_session=db_session)
    await post_form(supervisor, f"/cases/{case_id}/agreement", {
        "form": "oral", "terms": "李四当场赔礼道歉", "performance_method": "当场履行"})
    done = await post_form(supervisor, f"/cases/{case_id}/close", {"outcome": "success", "closed_on": today()})
    assert done.status_code == 303
    assert "结案：调解成功（口头协议" in (await supervisor.get(f"/cases/{case_id}")).text


async def test_failure_needs_the_route_and_withdrawal_closes(supervisor, db_session):
    case_id = await new_case(supervisor, db_session=db_session)
    missing = await post_form(supervisor, f"/cases/{case_id}/close", {"outcome": "failure", "closed_on": today()})
    assert missing.status_code == 422 and "其他解决途径" in missing.text
    done = await post_form(supervisor, f"/cases/{case_id}/close", {
        "outcome": "failure", "closed_on": today(), "route": "litigation", "referral": "已引导至区人民法院立案"})
    assert done.status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert "已告知当事人可通过诉讼解决" in page and "已引导至区人民法院立案" in page
    other = await new_case(supervisor, db_session=db_session)
    withdrawn = await post_form(supervisor, f"/cases/{other}/close", {"outcome": "withdrawn", "closed_on": today()})
    assert withdrawn.status_code == 303
    again = await post_form(supervisor, f"/cases/{other}/close", {"outcome": "withdrawn", "closed_on": today()})
    assert again.status_code == 422 and "不能结案" in again.text


async def test_closing_date_and_people_are_checked(supervisor, db_session):
    case_id = await new_case(supervisor, db_session=db_session)
    early = (local_today() - timedelta(days=40)).isoformat()
    response = await post_form(supervisor, f"/cases/{case_id}/close", {
        "outcome": "withdrawn", "closed_on": early, "prevented_criminal_people": "-1"})
    assert response.status_code == 422
    assert "结案日期不能早于受理日期" in response.text and "防止民转刑人数应为 0 或正整数" in response.text


async def signed_and_closed(client, db_session, signed_days_ago=0) -> int:
    case_id = await new_case(client, accepted_days_ago=60, db_session=db_session)
    signed_on = (local_today() - timedelta(days=signed_days_ago)).isoformat()
    await post_form(client, f"/cases/{case_id}/agreement", {
        **AGREEMENT, "performance_deadline": (local_today() + timedelta(days=5)).isoformat()})
    await post_form(client, f"/cases/{case_id}/agreement/sign", {"signed_on": signed_on})
    closed = await post_form(client, f"/cases/{case_id}/close", {"outcome": "success", "closed_on": today()})
    assert closed.status_code == 303, closed.text[:500]
    return case_id


async def test_judicial_confirmation_window(supervisor, db_session):
    case_id = await signed_and_closed(supervisor, db_session, signed_days_ago=25)
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert "还剩 5 天" in page and "confirmation-closing" in page
    late = await post_form(supervisor, f"/cases/{case_id}/confirmation", {
        "applied_on": (local_today() + timedelta(days=6)).isoformat(), "court": "区人民法院"})
    assert late.status_code == 422 and "已超过司法确认申请期限" in late.text
    early = await post_form(supervisor, f"/cases/{case_id}/confirmation", {
        "applied_on": (local_today() - timedelta(days=26)).isoformat(), "court": "区人民法院"})
    assert "申请日期不能早于协议生效日期" in early.text
    applied = await post_form(supervisor, f"/cases/{case_id}/confirmation", {"applied_on": today(), "court": "区人民法院"})
    assert applied.status_code == 303
    result = await post_form(supervisor, f"/cases/{case_id}/confirmation/result",
                             {"result": "confirmed", "result_on": today()})
    assert result.status_code == 303
    assert "司法确认结果：已确认" in (await supervisor.get(f"/cases/{case_id}")).text


async def test_performance_and_follow_up(supervisor, db_session):
    case_id = await signed_and_closed(supervisor, db_session)
    page = (await supervisor.get(f"/cases/{case_id}")).text
    obligation = re.search(rf"/cases/{case_id}/obligations/(\d+)/performed", page).group(0)
    future = await post_form(supervisor, obligation, {"performed_on": "2099-01-01"})
    assert "履行日期不能晚于今天" in future.text
    assert (await post_form(supervisor, obligation, {"performed_on": today(), "note": "已转账"})).status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert f"已于 {today()} 履行" in page
    follow = re.search(rf"/cases/{case_id}/follow-ups/(\d+)", page).group(0)
    missing = await post_form(supervisor, follow, {"visited_on": today()})
    assert missing.status_code == 422
    for message in ("请填写回访对象", "请填写履行情况", "请选择当事人满意度"):
        assert message in missing.text
    done = await post_form(supervisor, follow, {
        "visited_on": today(), "visitor": "周主任", "party": "张三", "performance": "已全部履行",
        "satisfaction": "satisfied", "remaining_risk": "无"})
    assert done.status_code == 303
    assert "回访：张三，满意" in (await supervisor.get(f"/cases/{case_id}")).text


async def test_archived_cases_are_read_only_everywhere_until_reopened(supervisor, db_session, settings):
    case_id = await signed_and_closed(supervisor, db_session)
    page = (await supervisor.get(f"/cases/{case_id}")).text
    obligation = re.search(rf"/cases/{case_id}/obligations/(\d+)/performed", page).group(0)
    follow = re.search(rf"/cases/{case_id}/follow-ups/(\d+)", page).group(0)
    no_retention = await post_form(supervisor, f"/cases/{case_id}/archive", {"retention_period": ""})
    assert no_retention.status_code == 422 and "请选择保管期限" in no_retention.text
    archived = await post_form(supervisor, f"/cases/{case_id}/archive", {"retention_period": "30年"})
    assert archived.status_code == 303
    page = (await supervisor.get(archived.headers["location"].split("#")[0])).text
    assert re.search(r"卷宗号 <strong>（\d{4}）城关石门调卷字第1号</strong>", page)  # the handling committee's
    writes = {
        "edit": {"version": "99", "summary": "x"}, "transfer": {"organization": "1", "reason": "x"},
        "escalate": {"reason": "x"}, "void": {"reason": "x"}, "assign": {"advisor": "1"},
        "conflicts": {"relation": "x"}, "rights-notices": {"notified_at": "2026-01-01T09:00"},
        "investigations": {}, "hearings": {}, "extensions": {}, "agreement": AGREEMENT,
        "agreement/sign": {"signed_on": today()}, "agreement/amend": {**AGREEMENT, "amend_reason": "x"},
        "close": {"outcome": "withdrawn", "closed_on": today()}, "obligations": {"description": "x", "due_on": today()},
        "confirmation": {"applied_on": today(), "court": "x"}, "confirmation/result": {"result": "confirmed"},
        "archive": {"retention_period": "10年"},
    }
    before = (await supervisor.get(f"/cases/{case_id}")).text.count('<li class="event-')
    for path, form in writes.items():
        response = await post_form(supervisor, f"/cases/{case_id}/{path}", form)
        assert response.status_code in (403, 409, 422), (path, response.status_code)
    for path in (obligation, follow):
        assert (await post_form(supervisor, path, {"performed_on": today(), "visited_on": today()})).status_code == 422
    upload = await supervisor.post(f"/cases/{case_id}/evidence", files={"file": ("a.pdf", b"%PDF-1.4\n")},
                                   data={"_csrf_token": supervisor.cookies.get("csrftoken")})
    assert upload.status_code == 422
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert page.count('<li class="event-') == before
    async with app_client(settings) as counter:
        await sign_in(counter, "chuangkou")
        refused = await post_form(counter, f"/cases/{case_id}/reopen", {"reopen_reason": "x"})
        assert refused.status_code == 422 and "须由中心主任/司法所长办理" in refused.text
    no_reason = await post_form(supervisor, f"/cases/{case_id}/reopen", {"reopen_reason": ""})
    assert no_reason.status_code == 422 and "重新启用须写明理由" in no_reason.text
    reopened = await post_form(supervisor, f"/cases/{case_id}/reopen", {"reopen_reason": "当事人反映协议未履行，需继续调解"})
    assert reopened.status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert "重新启用（已归档，原结案日期" in page and "当事人反映协议未履行" in page and "调解中" in page


async def test_due_follow_ups_and_closing_confirmation_windows_are_on_the_dashboard(supervisor, db_session):
    from mediation.models import Agreement, FollowUp

    case_id = await signed_and_closed(supervisor, db_session, signed_days_ago=26)
    await db_session.execute(update(FollowUp).where(FollowUp.case_id == case_id).values(
        scheduled_on=local_today() - timedelta(days=1)))
    await db_session.commit()
    dashboard = (await supervisor.get("/")).text
    assert "到期回访（1）" in dashboard
    windows = dashboard.split("司法确认申请期限将满")[1].split("</section>")[0]
    assert "张三" in windows
    await db_session.execute(update(Agreement).where(Agreement.case_id == case_id).values(
        signed_on=local_today() - timedelta(days=31)))
    await db_session.commit()
    assert "司法确认申请期限将满" not in (await supervisor.get("/")).text


async def test_rearchiving_keeps_the_number_and_later_cases_continue_the_sequence(supervisor, db_session):
    first = await signed_and_closed(supervisor, db_session)
    await post_form(supervisor, f"/cases/{first}/archive", {"retention_period": "10年"})
    await post_form(supervisor, f"/cases/{first}/reopen", {"reopen_reason": "协议未履行"})
    await post_form(supervisor, f"/cases/{first}/close", {"outcome": "withdrawn", "closed_on": today()})
    again = await post_form(supervisor, f"/cases/{first}/archive", {"retention_period": "10年"})
    assert again.status_code == 303
    assert "卷宗号 （" in (page := (await supervisor.get(f"/cases/{first}")).text) and "调卷字第1号" in page
    second = await signed_and_closed(supervisor, db_session)
    assert (await post_form(supervisor, f"/cases/{second}/archive", {"retention_period": "30年"})).status_code == 303
    assert "调卷字第2号" in (await supervisor.get(f"/cases/{second}")).text


async def test_dates_of_results_and_performance_are_bounded(supervisor, db_session):
    case_id = await signed_and_closed(supervisor, db_session, signed_days_ago=2)
    await post_form(supervisor, f"/cases/{case_id}/confirmation", {"applied_on": today(), "court": "区人民法院"})
    future = await post_form(supervisor, f"/cases/{case_id}/confirmation/result",
                             {"result": "confirmed", "result_on": (local_today() + timedelta(days=3)).isoformat()})
    assert future.status_code == 422 and "裁定日期不能晚于今天" in future.text
    page = (await supervisor.get(f"/cases/{case_id}")).text
    obligation = re.search(rf"/cases/{case_id}/obligations/(\d+)/performed", page).group(0)
    early = await post_form(supervisor, obligation, {"performed_on": "2000-01-01"})
    assert early.status_code == 422 and "履行日期不能早于受理日期" in early.text
