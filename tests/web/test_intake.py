"""Counter intake: the form, every validation path, repeat check, routing, case numbers, refusal."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from mediation import database
from mediation.domain.intake import parse_intake
from mediation.models import MediationCase, Party
from mediation.services.accounts import AccountService
from mediation.services.intake import IntakeService
from tests.conftest import add_user, post_form, sign_in
from tests.web.cases_support import VALID_ID, intake_form

pytestmark = pytest.mark.anyio
NUMBER = re.compile(r"（\d{4}）\S+?调字第\d+号")


async def register(client, district, **overrides):
    response = await post_form(client, "/cases/new", intake_form(district, **overrides))
    assert response.status_code == 303, response.text[:2000]
    return response.headers["location"]


async def test_form_labels_follow_the_ledger_and_defaults_are_preselected(counter):
    page = (await counter.get("/cases/new")).text
    for label in ("案件来源", "纠纷类型", "镇街", "村居", "网格", "申请人姓名", "申请人身份证号", "申请人电话",
                  "被申请人姓名", "被申请人身份证号", "被申请人电话", "涉及人数", "涉及金额(元)", "风险等级",
                  "纠纷简要情况", "当事人诉求"):
        assert re.search(rf"<label[^>]*>{re.escape(label)}", page), label
    assert 'name="people_involved" type="number" value="2"' in page
    assert '<option value="ordinary" selected>一般</option>' in page
    assert ">登记受理</button>" in page and "登记为不予受理" in page


async def test_intake_ends_on_the_case_page_with_its_number(counter, district):
    location = await register(counter, district)
    assert re.fullmatch(r"/cases/\d+", location)
    page = (await counter.get(location)).text
    year = date.today().year
    assert f"（{year}）区中心调字第1号" in page
    assert "已登记受理" in page  # the flash message
    for text in ("张三", "李四", "因宅基地边界发生争执", "已受理", "城关镇 石门村", "城关镇石门村人民调解委员会"):
        assert text in page
    assert "剩余 30 天" in page or "剩余 29 天" in page or "剩余 31 天" in page
    for event in ("登记，案件编号", "受理，办理期限至", "分流至村居"):
        assert event in page


async def test_required_fields_are_reported_next_to_each_field_and_input_is_kept(counter, district, db_session):
    form = intake_form(district, source="", dispute_type="", village="", summary="",
                       **{"applicant-0-name": "", "respondent-0-name": ""})
    response = await post_form(counter, "/cases/new", form)
    assert response.status_code == 422
    text = response.text
    for message in ("请选择案件来源", "请选择纠纷类型", "请选择村居", "请填写申请人姓名", "请填写被申请人姓名",
                    "请填写纠纷简要情况"):
        assert message in text
    assert "要求对方拆除越界围墙" in text and VALID_ID in text and "13812345678" in text
    assert await db_session.scalar(select(func.count()).select_from(MediationCase)) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"applicant-0-id_number": "110105194912310021"}, "身份证号校验位不正确"),
        ({"applicant-0-id_number": "12345"}, "身份证号应为 18 位"),
        ({"respondent-0-phone": "abc"}, "电话号码格式不正确"),
        ({"people_involved": "0"}, "涉及人数应为 1 到"),
        ({"amount_involved": "-5"}, "涉及金额应为不小于 0 的数字"),
        ({"amount_involved": "12.345"}, "最多两位小数"),
        ({"risk_level": "extreme"}, "请选择有效的风险等级"),
        ({"source": "aliens"}, "案件来源不在列表中"),
        ({"summary": "长" * 2001}, "纠纷简要情况不能超过 2000 字"),
        ({"applicant-0-name": "名" * 61}, "申请人姓名不能超过 60 字"),
        ({"town": "abc"}, "请选择有效的镇街"),
        ({"level": "province"}, "请选择有效的分流层级"),
    ],
)
async def test_each_bad_value_gets_a_chinese_message(counter, district, db_session, overrides, message):
    response = await post_form(counter, "/cases/new", intake_form(district, **overrides))
    assert response.status_code == 422
    assert message in response.text
    assert await db_session.scalar(select(func.count()).select_from(MediationCase)) == 0


async def test_village_must_belong_to_the_town(counter, district):
    response = await post_form(counter, "/cases/new", intake_form(district, village=district.village_b1))
    assert response.status_code == 422 and "所选村居不属于该镇街" in response.text
    response = await post_form(counter, "/cases/new", intake_form(district, grid=district.village_a2))
    assert "所选网格不属于该村居" in response.text


async def test_double_submission_creates_one_case(counter, district, db_session):
    form = intake_form(district)
    first = await post_form(counter, "/cases/new", form)
    second = await post_form(counter, "/cases/new", form)
    assert first.headers["location"] == second.headers["location"]
    assert "该表单已提交过" in (await counter.get(second.headers["location"])).text
    assert await db_session.scalar(select(func.count()).select_from(MediationCase)) == 1


async def test_several_parties_on_each_side(counter, district, db_session):
    location = await register(counter, district, **{
        "applicant-2-name": "王五", "applicant-2-kind": "person", "applicant-2-town": district.town_a,
        "applicant-2-village": district.village_a2,
        "respondent-1-name": "某某物业公司", "respondent-1-kind": "organization"})
    page = (await counter.get(location)).text
    assert "王五" in page and "某某物业公司" in page and "（单位）" in page
    # parties in two villages of one town: the town level is suggested
    assert "分流至镇街" in page and "当事人分属同一镇街的不同村居" in page


async def test_add_party_button_returns_the_next_block(counter):
    response = await counter.get("/cases/new/party?side=respondent&index=1")
    assert 'for="f-respondent-1-name">被申请人姓名（2）' in response.text
    assert 'hx-swap-oob="true"' in response.text and "index=2" in response.text


async def test_refusal_needs_a_reason_and_stays_on_record(counter, district, db_session):
    missing = await post_form(counter, "/cases/new", intake_form(district, action="refuse"))
    assert missing.status_code == 422 and "不予受理须选择理由" in missing.text
    other = await post_form(counter, "/cases/new", intake_form(district, action="refuse", refusal_reason="other"))
    assert "请写明不予受理的理由" in other.text
    location = await register(counter, district, action="refuse", refusal_reason="party_refuses",
                              refusal_note="被申请人当场表示不接受调解")
    page = (await counter.get(location)).text
    assert "不予受理" in page and "一方当事人明确拒绝调解：被申请人当场表示不接受调解" in page
    assert "打印受理回执" not in page
    case_id = location.rsplit("/", 1)[1]
    assert (await counter.get(f"/cases/{case_id}/documents/receipt")).status_code == 404
    listed = (await counter.get("/cases?status=refused")).text
    assert "李四" in listed


async def test_repeat_dispute_is_shown_and_recorded(counter, district):
    first = await register(counter, district)
    first_page = (await counter.get(first)).text
    first_number = NUMBER.search(first_page.split("<h1>")[1]).group(0)
    # While the form is filled: the same ID number shows the earlier case. It never blocks.
    check = await post_form(counter, "/cases/new/check", intake_form(
        district, **{"applicant-0-name": "张小三", "applicant-0-phone": ""}))
    assert first_number in check.text and "身份证号相同" in check.text and "已受理" in check.text
    # Same name in the same village, different phone and no ID number.
    by_name = await post_form(counter, "/cases/new/check", intake_form(
        district, **{"applicant-0-id_number": "", "applicant-0-phone": "", "respondent-0-phone": "",
                     "applicant-0-name": "张三"}))
    assert "同村同名" in by_name.text
    second = await register(counter, district, **{"applicant-0-phone": "13700000000"})
    page = (await counter.get(second)).text
    assert f'重复来访：<a href="{first}">{first_number}</a>' in page


async def test_check_shows_the_suggested_level(counter, district):
    check = await post_form(counter, "/cases/new/check", intake_form(district, risk_level="major"))
    assert "区中心" in check.text and "风险等级为重大" in check.text
    check = await post_form(counter, "/cases/new/check", intake_form(district, people_involved="12"))
    assert "涉及 12 人（群体性纠纷）" in check.text


async def test_id_number_live_check(counter):
    good = await post_form(counter, "/cases/new/check-id", {"applicant-0-id_number": VALID_ID.lower()})
    assert "身份证号校验通过" in good.text
    bad = await post_form(counter, "/cases/new/check-id", {"respondent-0-id_number": "110105194912310021"})
    assert "校验位不正确" in bad.text


async def test_routing_override_needs_a_reason(counter, district):
    refused = await post_form(counter, "/cases/new", intake_form(district, level="district"))
    assert refused.status_code == 422 and "建议分流到村居；改为区中心须说明理由" in refused.text
    location = await register(counter, district, level="district", level_reason="当事人要求到区中心调解")
    page = (await counter.get(location)).text
    assert "分流至区中心：区矛盾纠纷调解中心（系统建议村居，已改变）" in page
    assert "当事人要求到区中心调解" in page


async def test_parties_from_different_towns_go_to_the_district(counter, district):
    location = await register(counter, district, **{"respondent-0-town": district.town_b,
                                                    "respondent-0-village": district.village_b1})
    page = (await counter.get(location)).text
    assert "分流至区中心" in page and "当事人分属不同镇街" in page


async def test_case_numbers_count_per_organization(counter, district, client, db_session, settings):
    await register(counter, district)
    await register(counter, district)
    await post_form(counter, "/logout")
    await add_user(db_session, settings, "zhenjie", "counter", organization=district.town_a_org)
    await sign_in(client, "zhenjie")
    location = await register(client, district)
    page = (await client.get(location)).text
    assert f"（{date.today().year}）城关调字第1号" in page
    numbers = set(await db_session.scalars(select(MediationCase.number)))
    assert {n.split("调字")[1] for n in numbers} == {"第1号", "第2号"}
    assert len(numbers) == 3


async def test_twenty_concurrent_intakes_get_twenty_numbers(settings, db_session, district):
    user = await AccountService(db_session, settings).add_user("chuangkou", "counter", "陈窗口", "long-password-1")
    await db_session.commit()
    from mediation.services.accounts import CurrentUser

    current = CurrentUser(user.id, user.username, user.display_name, user.role, user.organization_id, "区矛盾纠纷调解中心")
    engine = database.create_engine(settings.database_url)
    makers = async_sessionmaker(engine, expire_on_commit=False)

    async def one(index: int):
        async with makers() as session:
            service = IntakeService(session, settings)
            codes = await service.valid_codes()
            draft = parse_intake(intake_form(district, **{"applicant-0-name": f"申请人{index}"}), *codes)
            return await service.register(draft, current, f"token-{index}")

    results = await asyncio.gather(*(one(i) for i in range(20)))
    await engine.dispose()
    numbers = [result.number for result in results]
    assert len(set(numbers)) == 20
    assert {int(re.search(r"第(\d+)号", n).group(1)) for n in numbers} == set(range(1, 21))
    await db_session.rollback()
    assert await db_session.scalar(select(func.count()).select_from(Party)) == 40


async def test_deadline_is_thirty_days_after_acceptance(counter, district, db_session):
    await register(counter, district)
    case = (await db_session.scalars(select(MediationCase))).one()
    assert case.deadline == case.accepted_on + timedelta(days=30)


async def test_intake_is_not_for_advisors(client, db_session, settings, district):
    await add_user(db_session, settings, "guwen", "advisor")
    await sign_in(client, "guwen")
    assert (await client.get("/cases/new")).status_code == 403
    refused = await post_form(client, "/cases/new", intake_form(district))
    assert refused.status_code == 403


async def test_dependent_place_options(counter, district):
    villages = await counter.get(f"/places/children?town={district.town_a}&placeholder=请选择村居")
    assert "石门村" in villages.text and "大岭村" in villages.text and "湖滨社区" not in villages.text
    assert '<option value="">请选择村居</option>' in villages.text
    grids = await counter.get(f"/places/children?village={district.village_a1}")
    assert "第一网格" in grids.text


async def test_suggestion_shows_even_when_other_fields_are_unfinished(counter, district):
    check = await post_form(counter, "/cases/new/check", intake_form(
        district, risk_level="serious", summary="", **{"applicant-0-name": "", "respondent-0-phone": "bad"}))
    assert "镇街" in check.text and "风险等级为较大" in check.text


async def test_added_party_can_be_removed_and_grid_is_reset_with_the_town(counter, district):
    assert (await counter.get("/cases/new/party/removed")).text == ""
    block = await counter.get("/cases/new/party?side=applicant&index=1")
    assert "移除申请人（2）" in block.text
    villages = await counter.get(f"/places/children?town={district.town_a}&reset=f-grid")
    assert '<select id="f-grid" hx-swap-oob="innerHTML">' in villages.text
    sneaky = await counter.get(f"/places/children?town={district.town_a}&reset=<script>")
    assert "hx-swap-oob" not in sneaky.text
