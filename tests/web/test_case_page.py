"""One case: facts, masked ID numbers, editing with conflict detection, transfer, escalation, void,
the receipt, the access rules, and the party-facing /track lookup."""

from __future__ import annotations

import re

import pytest

from tests.conftest import add_user, app_client, post_form, sign_in
from tests.web.cases_support import VALID_ID, intake_form

pytestmark = pytest.mark.anyio


@pytest.fixture
async def supervisor(client, db_session, settings, district):
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    await sign_in(client, "zhuren")
    return client


async def register(client, district, **overrides) -> int:
    response = await post_form(client, "/cases/new", intake_form(district, **overrides))
    assert response.status_code == 303, response.text[:1500]
    return int(response.headers["location"].rsplit("/", 1)[1])


def number_of(page: str) -> str:
    return re.search(r"<h1>([^<]+)</h1>", page).group(1)


async def test_edit_is_recorded_on_the_timeline(supervisor, district):
    case_id = await register(supervisor, district)
    page = (await supervisor.get(f"/cases/{case_id}")).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = await post_form(supervisor, f"/cases/{case_id}/edit", {
        "version": version, "source": "party_application", "dispute_type": "neighbourhood",
        "risk_level": "serious", "people_involved": "3", "amount_involved": "", "summary": "补充：已多次协商未果",
        "claims": "要求对方拆除越界围墙"})
    assert response.status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert "补充：已多次协商未果" in page and "修改：纠纷简要情况、风险等级、涉及人数" in page


async def test_second_editor_gets_a_conflict_and_nothing_is_overwritten(supervisor, district):
    case_id = await register(supervisor, district)
    page = (await supervisor.get(f"/cases/{case_id}")).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    base = {"version": version, "source": "party_application", "dispute_type": "neighbourhood",
            "risk_level": "ordinary", "people_involved": "2", "amount_involved": "", "claims": ""}
    first = await post_form(supervisor, f"/cases/{case_id}/edit", {**base, "summary": "第一位调解员的修改"})
    assert first.status_code == 303
    second = await post_form(supervisor, f"/cases/{case_id}/edit", {**base, "summary": "第二位调解员的修改"})
    assert second.status_code == 409
    assert "其他人已修改了此案件" in second.text
    assert "第二位调解员的修改" in second.text  # what the second person typed is kept in the form
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert page.count("第一位调解员的修改") >= 1 and "第二位调解员的修改" not in page


async def test_edit_validation(supervisor, district):
    case_id = await register(supervisor, district)
    page = (await supervisor.get(f"/cases/{case_id}")).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = await post_form(supervisor, f"/cases/{case_id}/edit", {
        "version": version, "source": "party_application", "dispute_type": "nonsense", "risk_level": "ordinary",
        "people_involved": "-1", "amount_involved": "x", "summary": "", "claims": ""})
    assert response.status_code == 422
    for message in ("请填写纠纷简要情况", "纠纷类型不在列表中", "涉及人数应为", "涉及金额应为"):
        assert message in response.text


async def test_transfer_and_escalation_need_reasons_and_reach_the_new_queue(supervisor, district, client,
                                                                            db_session, settings):
    case_id = await register(supervisor, district)
    missing = await post_form(supervisor, f"/cases/{case_id}/transfer", {"organization": "", "reason": ""})
    assert missing.status_code == 422 and "移交须填写理由" in missing.text
    page = (await supervisor.get(f"/cases/{case_id}")).text
    town_org = re.search(r'<option value="(\d+)">城关镇人民调解委员会</option>', page).group(1)
    no_target = await post_form(supervisor, f"/cases/{case_id}/transfer", {"organization": "", "reason": "x"})
    assert "请选择接收案件的其他调解组织" in no_target.text
    moved = await post_form(supervisor, f"/cases/{case_id}/transfer",
                            {"organization": town_org, "reason": "涉及镇规划，需镇里协调"})
    assert moved.status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert "移交：城关镇石门村人民调解委员会 → 城关镇人民调解委员会" in page and "涉及镇规划，需镇里协调" in page

    # The receiving organization sees it in its queue.
    await add_user(db_session, settings, "zhenjie", "counter", organization=district.town_a_org)
    async with app_client(settings) as town_user:
        await sign_in(town_user, "zhenjie")
        dashboard = (await town_user.get("/")).text
        assert number_of(page) in dashboard

    up = await post_form(supervisor, f"/cases/{case_id}/escalate", {"reason": ""})
    assert up.status_code == 422 and "提级须填写理由" in up.text
    up = await post_form(supervisor, f"/cases/{case_id}/escalate", {"reason": "镇里调解两次未成"})
    assert up.status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert "提级至区中心：城关镇人民调解委员会 → 区矛盾纠纷调解中心" in page
    top = await post_form(supervisor, f"/cases/{case_id}/escalate", {"reason": "再提级"})
    assert "案件已在区中心办理，没有更高层级" in top.text


async def test_void_by_supervisor_only_with_reason(supervisor, district, client, db_session, settings):
    case_id = await register(supervisor, district)
    missing = await post_form(supervisor, f"/cases/{case_id}/void", {"reason": ""})
    assert missing.status_code == 422 and "作废须填写理由" in missing.text
    done = await post_form(supervisor, f"/cases/{case_id}/void", {"reason": "同一纠纷重复录入"})
    assert done.status_code == 303
    page = (await supervisor.get(f"/cases/{case_id}")).text
    assert "已作废" in page and "同一纠纷重复录入" in page and "作废（误登记，不计入任何统计）" in page
    again = await post_form(supervisor, f"/cases/{case_id}/void", {"reason": "再次"})
    assert again.status_code == 422 and "不能进行此操作" in again.text
    edit = await post_form(supervisor, f"/cases/{case_id}/transfer", {"organization": "1", "reason": "x"})
    assert "不能进行此操作" in edit.text

    await add_user(db_session, settings, "chuangkou", "counter")
    async with app_client(settings) as counter:
        await sign_in(counter, "chuangkou")
        other = await register(counter, district)
        refused = await post_form(counter, f"/cases/{other}/void", {"reason": "x"})
        assert refused.status_code == 403


async def test_receipt_has_number_date_organization_and_track_qr(supervisor, district):
    case_id = await register(supervisor, district)
    page = (await supervisor.get(f"/cases/{case_id}")).text
    receipt = await supervisor.get(f"/cases/{case_id}/documents/receipt")
    assert receipt.status_code == 200
    for text in ("人民调解受理回执", number_of(page), "城关镇石门村人民调解委员会", "/track", "张三", "李四",
                 'src="/track/qr.svg"', "（盖章）"):
        assert text in receipt.text
    qr = await supervisor.get("/track/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")


async def test_id_numbers_are_masked_for_advisors(supervisor, district, db_session, settings):
    case_id = await register(supervisor, district)
    assert VALID_ID in (await supervisor.get(f"/cases/{case_id}")).text
    from sqlalchemy import insert

    from mediation.models import LegalAdvisor, advisor_village

    advisor_user = await add_user(db_session, settings, "guwen", "advisor")
    result = await db_session.execute(insert(LegalAdvisor).values(
        name="王明远", firm="明理律师事务所", licence_no="13300000000001", phone="", duty_days="",
        user_id=advisor_user.id, active=True, created_at=advisor_user.created_at))
    await db_session.execute(insert(advisor_village).values(advisor_id=result.inserted_primary_key[0],
                                                            place_id=district.village_a1))
    await db_session.commit()
    async with app_client(settings) as advisor:
        await sign_in(advisor, "guwen")
        page = (await advisor.get(f"/cases/{case_id}")).text
        assert VALID_ID not in page and "110105********002X" in page


async def test_cases_outside_scope_answer_404_and_never_appear(client, db_session, settings, district):
    await add_user(db_session, settings, "cuntiao", "village_mediator", organization=district.village_b1_org)
    await add_user(db_session, settings, "chuangkou", "counter")
    await sign_in(client, "chuangkou")
    case_id = await register(client, district)  # handled by 石门村
    async with app_client(settings) as other_village:
        await sign_in(other_village, "cuntiao")
        assert (await other_village.get(f"/cases/{case_id}")).status_code == 404
        assert (await other_village.get(f"/cases/{case_id}/documents/receipt")).status_code == 404
        listed = (await other_village.get("/cases", params={"q": "张三"})).text
        assert "张三" not in listed.split("<tbody>")[1]
        assert (await post_form(other_village, f"/cases/{case_id}/transfer",
                                {"organization": "1", "reason": "x"})).status_code == 404
        assert (await post_form(other_village, f"/cases/{case_id}/void", {"reason": "x"})).status_code == 403
        dashboard = (await other_village.get("/")).text
        assert "张三" not in dashboard


async def test_track_shows_progress_without_personal_data(supervisor, district, settings):
    case_id = await register(supervisor, district)
    number = number_of((await supervisor.get(f"/cases/{case_id}")).text)
    async with app_client(settings) as party:
        await party.get("/track")
        found = await post_form(party, "/track", {"number": number, "phone_tail": "1111"})  # respondent's phone
        assert found.status_code == 200
        for text in ("已受理", "城关镇石门村人民调解委员会", "村居", "等待分派调解员"):
            assert text in found.text
        for private in ("张三", "李四", VALID_ID, "宅基地"):
            assert private not in found.text
        wrong = await post_form(party, "/track", {"number": number, "phone_tail": "9999"})
        assert wrong.status_code == 400 and "没有找到匹配的案件" in wrong.text
        malformed = await post_form(party, "/track", {"number": number, "phone_tail": "12"})
        assert "请输入案件编号和当事人电话的后 4 位数字" in malformed.text


async def test_track_is_throttled_against_guessing(supervisor, district, settings):
    case_id = await register(supervisor, district)
    number = number_of((await supervisor.get(f"/cases/{case_id}")).text)
    async with app_client(settings) as guesser:
        await guesser.get("/track")
        for tail in range(10):
            await post_form(guesser, "/track", {"number": number, "phone_tail": f"{tail:04d}"})
        blocked = await post_form(guesser, "/track", {"number": number, "phone_tail": "5678"})
        assert blocked.status_code == 400 and "查询失败次数过多" in blocked.text
