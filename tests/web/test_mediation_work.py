"""Assignment, the advisor's answer, queues, mediation records, evidence files, extensions, risk alerts."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from mediation.models import CaseEvent, LegalAdvisor, MediationCase, advisor_village
from mediation.services import queues
from tests.conftest import add_user, app_client, post_form, sign_in
from tests.web.cases_support import assign, intake_form, make_district, version_of

pytestmark = pytest.mark.anyio
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
async def world(db_session, settings):
    district = await make_district(db_session)
    users = {}
    for username, role, org, name in (
        ("zhuren", "supervisor", None, "周主任"),
        ("chuangkou", "counter", None, "陈窗口"),
        ("cuntiao", "village_mediator", district.village_a1_org, "李调解"),
        ("cuntiao2", "village_mediator", district.village_a1_org, "张三"),  # shares a party's name
        ("tingyong", "village_mediator", district.village_a1_org, "停用者"),
        ("waicun", "village_mediator", district.village_b1_org, "外村调解员"),
        ("guwen", "advisor", None, "王明远"),
        ("guwen2", "advisor", None, "李静"),
    ):
        users[username] = await add_user(db_session, settings, username, role, org, name)
    advisors = {}
    for username, name, licence, villages in (("guwen", "王明远", "13300000000001", [district.village_a1]),
                                              ("guwen2", "李静", "13300000000002", [district.village_a2])):
        result = await db_session.execute(insert(LegalAdvisor).values(
            name=name, firm="明理律师事务所", licence_no=licence, phone="", duty_days="每周一",
            user_id=users[username].id, active=True, created_at=users[username].created_at))
        advisors[username] = result.inserted_primary_key[0]
        for village in villages:
            await db_session.execute(insert(advisor_village).values(advisor_id=advisors[username], place_id=village))
    await db_session.commit()
    users["tingyong"].active = False
    await db_session.merge(users["tingyong"])
    await db_session.commit()
    return {"district": district, "users": users, "advisors": advisors}


@pytest.fixture
async def supervisor(client, world):
    await sign_in(client, "zhuren")
    return client


async def new_case(client, world, **overrides) -> int:
    response = await post_form(client, "/cases/new", intake_form(world["district"], **overrides))
    assert response.status_code == 303, response.text[:1500]
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_case_page_suggests_the_village_advisor_without_a_click(supervisor, world):
    case_id = await new_case(supervisor, world)
    page = (await supervisor.get(f"/cases/{case_id}")).text
    suggestion = page.split("建议的法律顾问")[1].split("</ol>")[0]
    assert suggestion.index("王明远") < suggestion.index("李静")
    assert "服务本村居" in suggestion and "本镇街其他村居" in suggestion


async def test_assign_mediator_and_advisor_who_accepts(supervisor, world, settings):
    case_id = await new_case(supervisor, world)
    users, advisors = world["users"], world["advisors"]
    response = await assign(supervisor, case_id, mediators=[str(users["cuntiao"].id)],
                            advisor=str(advisors["guwen"]), chosen_by_parties="1")
    assert response.status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert "分派：李调解、法律顾问王明远（当事人选定）" in page and "调解中" in page and "待接受" in page

    async with app_client(settings) as advisor:
        await sign_in(advisor, "guwen")
        dashboard = (await advisor.get("/")).text
        waiting = dashboard.split("待接受的分派")[1].split("</section>")[0]
        assert "张三" in waiting
        assignment_id = re.search(r'/assignments/(\d+)/respond', waiting).group(1)
        accepted = await post_form(advisor, f"/assignments/{assignment_id}/respond", {"answer": "accept"})
        assert accepted.status_code == 303
        again = await post_form(advisor, f"/assignments/{assignment_id}/respond", {"answer": "accept"})
        assert "该分派已处理过" in (await advisor.get(again.headers["location"])).text
        mine = (await advisor.get("/")).text.split("我办理的案件")[1].split("</section>")[0]
        assert "张三" in mine
    assert "法律顾问王明远接受分派" in (await supervisor.get(f"/cases/{case_id}")).text


@pytest.mark.parametrize("own_few", [1000, 0], ids=["by-ids", "by-condition"])
async def test_a_mediators_dashboard_lists_their_own_cases_only(supervisor, world, settings, monkeypatch, own_few):
    """Whether a user's own cases are few (read as ids) or many (checked as a condition), the dashboard lists
    the same: their own cases, not a colleague's, and none for a mediator who has no case yet."""
    monkeypatch.setattr(queues, "OWN_FEW", own_few)
    users = world["users"]
    own = await new_case(supervisor, world, **{"applicant-0-name": "赵大"})
    colleagues = await new_case(supervisor, world, **{"applicant-0-name": "钱二"})
    assert (await assign(supervisor, own, mediators=[str(users["cuntiao"].id)])).status_code == 303
    assert (await assign(supervisor, colleagues, mediators=[str(users["cuntiao2"].id)])).status_code == 303

    def mine(page: str) -> str:
        return page.split('<h2 id="mine">')[1].split("</section>")[0]

    async with app_client(settings) as mediator:
        await sign_in(mediator, "cuntiao")
        listed = mine((await mediator.get("/")).text)
        assert "我办理的案件（1）" in listed and "赵大" in listed and "钱二" not in listed
    async with app_client(settings) as newcomer:
        await sign_in(newcomer, "waicun")
        listed = mine((await newcomer.get("/")).text)
        assert "我办理的案件（0）" in listed and "赵大" not in listed and "钱二" not in listed


async def test_advisor_declines_with_a_reason_and_the_case_returns_to_the_supervisor(supervisor, world, settings):
    case_id = await new_case(supervisor, world)
    await assign(supervisor, case_id, advisor=str(world["advisors"]["guwen"]))
    async with app_client(settings) as advisor:
        await sign_in(advisor, "guwen")
        dashboard = (await advisor.get("/")).text
        assignment_id = re.search(r'/assignments/(\d+)/respond', dashboard).group(1)
        missing = await post_form(advisor, f"/assignments/{assignment_id}/respond", {"answer": "decline"})
        assert "拒绝须填写理由" in (await advisor.get(missing.headers["location"])).text
        await post_form(advisor, f"/assignments/{assignment_id}/respond",
                        {"answer": "decline", "decline_reason": "本周出差"})
    declined = (await supervisor.get("/")).text.split("法律顾问拒绝、待重新分派")[1].split("</section>")[0]
    assert "张三" in declined
    assert "本周出差" in (await supervisor.get(f"/cases/{case_id}")).text


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("tingyong", "停用者的账号已停用，不能分派"),
        ("waicun", "调解员须是本案调解组织的人员"),
        ("chuangkou", "调解员须是本案调解组织的人员"),
    ],
)
async def test_bad_mediator_assignments_change_nothing(supervisor, world, db_session, who, message):
    case_id = await new_case(supervisor, world)
    before = await db_session.scalar(select(func.count()).select_from(CaseEvent))
    response = await assign(supervisor, case_id, mediators=[str(world["users"][who].id)])
    assert response.status_code == 422 and message in response.text
    await db_session.rollback()
    assert await db_session.scalar(select(func.count()).select_from(CaseEvent)) == before


async def test_assigning_twice_and_stale_forms_are_refused(supervisor, world):
    case_id = await new_case(supervisor, world)
    mediator = str(world["users"]["cuntiao"].id)
    stale_version = await version_of(supervisor, case_id)
    assert (await assign(supervisor, case_id, mediators=[mediator])).status_code == 303
    twice = await assign(supervisor, case_id, mediators=[mediator])
    assert twice.status_code == 422 and "李调解已在本案中，不能重复分派" in twice.text
    stale = await post_form(supervisor, f"/cases/{case_id}/assign",
                            {"version": stale_version, "advisor": str(world["advisors"]["guwen2"])})
    assert stale.status_code == 409 and "其他人已修改了此案件" in stale.text
    nothing = await assign(supervisor, case_id)
    assert "请至少选择一名调解员或一名法律顾问" in nothing.text


async def test_conflict_of_interest_blocks_unless_a_supervisor_overrides(client, world, settings):
    await sign_in(client, "chuangkou")
    case_id = await new_case(client, world)
    namesake = str(world["users"]["cuntiao2"].id)  # "张三", like the applicant
    blocked = await assign(client, case_id, mediators=[namesake], override_reason="我同意")
    assert blocked.status_code == 422 and "张三存在利害关系（与当事人张三同名）" in blocked.text
    async with app_client(settings) as supervisor:
        await sign_in(supervisor, "zhuren")
        no_reason = await assign(supervisor, case_id, mediators=[namesake])
        assert no_reason.status_code == 422
        allowed = await assign(supervisor, case_id, mediators=[namesake], override_reason="同名不同人，经核实无利害关系")
        assert allowed.status_code == 303
        page = (await supervisor.get(f"/cases/{case_id}")).text
        assert "利害关系经主任同意" in page and "同名不同人，经核实无利害关系" in page


async def test_declared_relation_blocks_the_advisor(supervisor, world, settings):
    case_id = await new_case(supervisor, world)
    async with app_client(settings) as advisor:
        await sign_in(advisor, "guwen")
        empty = await post_form(advisor, f"/cases/{case_id}/conflicts", {"relation": ""})
        assert empty.status_code == 422
        await post_form(advisor, f"/cases/{case_id}/conflicts", {"relation": "申请人是我的表哥"})
    blocked = await assign(supervisor, case_id, advisor=str(world["advisors"]["guwen"]))
    assert blocked.status_code == 422 and "已申报关系：申请人是我的表哥" in blocked.text


async def test_no_assignment_after_the_case_is_voided(supervisor, world):
    case_id = await new_case(supervisor, world)
    await post_form(supervisor, f"/cases/{case_id}/void", {"reason": "误登记"})
    response = await post_form(supervisor, f"/cases/{case_id}/assign",
                               {"mediators": str(world["users"]["cuntiao"].id)})
    assert response.status_code == 422 and "不能分派" in response.text


async def test_open_workload_follows_the_status_of_the_advisors_cases(supervisor, world):
    def workload(page: str) -> str:
        suggestion = page.split("建议的法律顾问")[1].split("</ol>")[0]
        return re.search(r"王明远</strong>（[^，]+，在办 (\d+) 件）", suggestion).group(1)

    first, second, third = [await new_case(supervisor, world) for _ in range(3)]
    assert workload((await supervisor.get(f"/cases/{third}")).text) == "0"
    for case_id in (first, second):
        await assign(supervisor, case_id, advisor=str(world["advisors"]["guwen"]))
    assert workload((await supervisor.get(f"/cases/{third}")).text) == "2"
    await post_form(supervisor, f"/cases/{first}/void", {"reason": "误登记"})
    assert workload((await supervisor.get(f"/cases/{third}")).text) == "1"
    row = (await supervisor.get("/advisors")).text.split("王明远")[1].split("</tr>")[0]
    assert row.rstrip().endswith("<td>1</td>")


async def test_hearing_notice_investigation_and_opinion(supervisor, world, settings):
    case_id = await new_case(supervisor, world)
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    past = f"{day}T00:00"  # the start of today: not in the future, not before the case was registered
    missing = await post_form(supervisor, f"/cases/{case_id}/hearings", {"held_at": "", "place": "", "record": ""})
    assert missing.status_code == 422
    for message in ("请填写有效的调解时间", "请填写调解地点", "请填写调解员", "请填写调解笔录"):
        assert message in missing.text
    early = await post_form(supervisor, f"/cases/{case_id}/hearings", {
        "held_at": "2020-01-01T09:00", "place": "村委会", "mediators": "李调解", "attendees": "张三、李四",
        "record": "x"})
    assert "调解时间不能早于案件登记日期" in early.text
    future = await post_form(supervisor, f"/cases/{case_id}/hearings", {
        "held_at": "2099-01-01T09:00", "place": "村委会", "mediators": "李调解", "attendees": "张三、李四",
        "record": "x"})
    assert "调解时间不能晚于现在" in future.text
    assert (await post_form(supervisor, f"/cases/{case_id}/rights-notices", {
        "notified_at": past, "method": "written", "parties_told": "张三、李四", "note": "当场签收"})).status_code == 303
    assert (await post_form(supervisor, f"/cases/{case_id}/investigations", {
        "investigated_at": past, "place": "石门村12号", "investigators": "李调解", "subjects": "邻居王五",
        "findings": "围墙越界约30厘米"})).status_code == 303
    assert (await post_form(supervisor, f"/cases/{case_id}/hearings", {
        "held_at": past, "place": "石门村调委会", "mediators": "李调解", "attendees": "张三、李四",
        "record": "双方陈述了各自意见。"})).status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    for text in ("权利义务告知（书面告知）：张三、李四", "围墙越界约30厘米", f"调解会：{day} 00:00 于石门村调委会",
                 "双方陈述了各自意见。", "调解中"):
        assert text in page
    refused = await post_form(supervisor, f"/cases/{case_id}/opinions", {"opinion": "x"})
    assert refused.status_code == 403
    async with app_client(settings) as advisor:
        await sign_in(advisor, "guwen")
        done = await post_form(advisor, f"/cases/{case_id}/opinions", {"opinion": "依据民法典第二百九十条，相邻关系应当互谅互让。"})
        assert done.status_code == 303
    assert "相邻关系应当互谅互让" in (await supervisor.get(f"/cases/{case_id}")).text


async def upload(client, case_id, name, content, description=""):
    return await client.post(f"/cases/{case_id}/evidence",
                             files={"file": (name, content, "application/octet-stream")},
                             data={"description": description, "_csrf_token": client.cookies.get("csrftoken")})


async def test_evidence_upload_and_download(supervisor, world, settings):
    case_id = await new_case(supervisor, world)
    response = await upload(supervisor, case_id, "收据.pdf", PDF, "转账收据")
    assert response.status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert "收据.pdf" in page and "转账收据" in page
    link = re.search(rf'/cases/{case_id}/evidence/(\d+)', page).group(0)
    download = await supervisor.get(link)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert "attachment" in download.headers["content-disposition"]
    stored = list(settings.upload_dir.iterdir())
    assert len(stored) == 1 and re.fullmatch(r"[0-9a-f]{32}", stored[0].name)
    async with app_client(settings) as outsider:
        await sign_in(outsider, "waicun")
        assert (await outsider.get(link)).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 not really a pdf", "只能上传 PDF、图片"),
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "只能上传 PDF、图片"),
        ("empty.pdf", b"", "请选择要上传的文件"),
        ("../../etc/收据.pdf", PDF, "文件名不能包含路径"),
        ("..\\..\\win.ini", PDF, "文件名不能包含路径"),
    ],
)
async def test_refused_uploads_leave_nothing_behind(supervisor, world, settings, name, content, message):
    case_id = await new_case(supervisor, world)
    response = await upload(supervisor, case_id, name, content)
    assert response.status_code == 422 and message in response.text
    assert not settings.upload_dir.exists() or list(settings.upload_dir.iterdir()) == []


async def test_oversize_upload_is_refused(supervisor, world, settings):
    case_id = await new_case(supervisor, world)
    response = await upload(supervisor, case_id, "big.pdf", PDF + b"0" * (20 * 1024 * 1024))
    assert response.status_code in (413, 422)
    assert "20 MB" in response.text or "文件过大" in response.text
    assert not settings.upload_dir.exists() or list(settings.upload_dir.iterdir()) == []


async def test_extension_needs_consent_and_a_supervisors_approval(client, world, settings, db_session):
    await sign_in(client, "chuangkou")
    case_id = await new_case(client, world)
    case = await db_session.get(MediationCase, case_id)
    later = (case.deadline + timedelta(days=15)).isoformat()
    missing = await post_form(client, f"/cases/{case_id}/extensions", {"requested_deadline": later, "reason": ""})
    assert missing.status_code == 422
    for message in ("请填写延期理由", "请填写申请人同意情况", "请填写被申请人同意情况"):
        assert message in missing.text
    earlier = await post_form(client, f"/cases/{case_id}/extensions", {
        "requested_deadline": date(2000, 1, 1).isoformat(), "reason": "x", "applicant_consent": "同意",
        "respondent_consent": "同意"})
    assert "延期后的期限须晚于现期限" in earlier.text
    done = await post_form(client, f"/cases/{case_id}/extensions", {
        "requested_deadline": later, "reason": "需要等待鉴定结果", "applicant_consent": "张三口头同意",
        "respondent_consent": "李四书面同意"})
    assert done.status_code == 303
    page = (await client.get(f"/cases/{case_id}")).text
    extension_id = re.search(rf'/cases/{case_id}/extensions/(\d+)/decision', page)
    assert extension_id is None  # a counter sees no approval buttons
    async with app_client(settings) as supervisor:
        await sign_in(supervisor, "zhuren")
        assert "待审批的延期" in (await supervisor.get("/")).text
        page = (await supervisor.get(f"/cases/{case_id}")).text
        decision = re.search(rf'/cases/{case_id}/extensions/(\d+)/decision', page).group(0)
        forbidden = await post_form(client, decision, {"decision": "approve"})
        assert forbidden.status_code == 403
        approved = await post_form(supervisor, decision, {"decision": "approve", "decision_note": "同意"})
        assert approved.status_code == 303
        page = (await supervisor.get(f"/cases/{case_id}")).text
        assert f"批准延期：期限由 {case.deadline.isoformat()} 改为 {later}" in page
        twice = await post_form(supervisor, decision, {"decision": "approve"})
        assert "该延期申请已审批过" in twice.text


async def test_raising_risk_to_major_needs_preventive_steps_and_alerts_supervisors(client, world, settings):
    await sign_in(client, "chuangkou")
    case_id = await new_case(client, world)
    base = {"version": await version_of(client, case_id), "source": "party_application",
            "dispute_type": "neighbourhood", "people_involved": "2", "amount_involved": "",
            "summary": "因宅基地边界发生争执，双方多次口角", "claims": "", "risk_level": "major"}
    refused = await post_form(client, f"/cases/{case_id}/edit", base)
    assert refused.status_code == 422 and "须填写已采取的预防措施" in refused.text
    done = await post_form(client, f"/cases/{case_id}/edit", {**base, "preventive_steps": "已通知派出所，安排专人稳控"})
    assert done.status_code == 303
    assert "风险等级升为重大" in (await client.get(f"/cases/{case_id}")).text
    async with app_client(settings) as supervisor:
        await sign_in(supervisor, "zhuren")
        alerts = (await supervisor.get("/")).text.split("重大风险预警")[1].split("</section>")[0]
        assert "张三" in alerts


async def test_bulk_assignment_is_all_or_nothing(supervisor, world, db_session):
    first = await new_case(supervisor, world)
    second = await new_case(supervisor, world, **{"applicant-0-name": "王五", "applicant-0-id_number": ""})
    listing = (await supervisor.get("/cases")).text
    assert 'form="bulk-assign"' in listing and "批量分派勾选的案件" in listing
    guwen = str(world["advisors"]["guwen"])
    none = await post_form(supervisor, "/cases/bulk-assign", {"advisor": guwen})
    assert none.status_code == 422 and "请先勾选要分派的案件" in none.text
    outsider_mediator = str(world["users"]["chuangkou"].id)
    mixed = await post_form(supervisor, "/cases/bulk-assign",
                            {"case": [str(first), str(second)], "advisor": guwen, "mediator": outsider_mediator})
    assert mixed.status_code == 422 and "未分派任何案件" in mixed.text
    await db_session.rollback()
    assert await db_session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "assigned")) == 0
    done = await post_form(supervisor, "/cases/bulk-assign", {"case": [str(first), str(second)], "advisor": guwen})
    assert done.status_code == 303
    assert "已批量分派 2 件案件" in (await supervisor.get(done.headers["location"])).text
    for case_id in (first, second):
        assert "分派：法律顾问王明远" in (await supervisor.get(f"/cases/{case_id}")).text


async def test_advisor_sees_assigned_cases_outside_their_villages(supervisor, world, settings):
    case_id = await new_case(supervisor, world)  # 石门村, served by 王明远, not by 李静
    async with app_client(settings) as other:
        await sign_in(other, "guwen2")
        assert (await other.get(f"/cases/{case_id}")).status_code == 404
        await assign(supervisor, case_id, advisor=str(world["advisors"]["guwen2"]))
        assert (await other.get(f"/cases/{case_id}")).status_code == 200
