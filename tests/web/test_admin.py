"""Administration pages: users, places, organizations, dictionaries; each refusal leaves data unchanged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mediation.models import Organization, Place, User
from mediation.services.places import PlaceService
from mediation.domain.places import PlaceTree
from tests.conftest import add_user, post_form, sign_in

pytestmark = pytest.mark.anyio


async def _tree(session):
    tree = PlaceTree()
    tree.add("城关镇", "石门村", "第一网格")
    tree.add("城关镇", "大岭村", "")
    tree.add("东湖街道", "湖滨社区", "")
    await PlaceService(session).import_tree(tree)


async def test_admin_pages_are_for_admins_only(client, db_session, settings):
    await add_user(db_session, settings, "zhuren", "supervisor")
    await sign_in(client, "zhuren")
    for path in ("/admin/users", "/admin/places", "/admin/organizations", "/admin/dictionaries"):
        response = await client.get(path)
        assert response.status_code == 403
        assert "无权访问" in response.text
    refused = await post_form(client, "/admin/users", {"username": "x1", "role": "admin", "display_name": "x",
                                                       "password": "a-long-password"})
    assert refused.status_code == 403
    assert await db_session.scalar(select(func.count()).select_from(User)) == 1


async def test_add_user_and_see_it_listed(admin_client, db_session):
    response = await post_form(admin_client, "/admin/users", {
        "username": "Chuangkou", "display_name": "陈窗口", "role": "counter", "organization": "",
        "password": "a-long-password"})
    assert response.status_code == 303
    page = await admin_client.get("/admin/users")
    assert "已添加用户 chuangkou（陈窗口）" in page.text
    assert "陈窗口" in page.text and "窗口调解员" in page.text and "区矛盾纠纷调解中心" in page.text
    found = await admin_client.get("/admin/users?q=陈")
    rows = found.text.split("<tbody>")[1].split("</tbody>")[0]
    assert ">chuangkou<" in rows and ">admin<" not in rows


async def test_add_user_errors_show_next_to_fields_and_keep_input(admin_client, db_session):
    response = await post_form(admin_client, "/admin/users", {
        "username": "admin", "display_name": "重名", "role": "emperor", "organization": "",
        "password": "short"})
    assert response.status_code == 422
    text = response.text
    assert "该用户名已存在" in text
    assert "请选择有效的角色" in text
    assert "密码至少需要 10 个字符" in text
    assert 'value="重名"' in text  # what was typed is kept
    assert await db_session.scalar(select(func.count()).select_from(User)) == 1


async def test_disable_reenable_and_reset_password(admin_client, client, db_session, settings):
    user = await add_user(db_session, settings, "cuntiao", "village_mediator")
    response = await post_form(admin_client, f"/admin/users/{user.id}/active", {"active": "0"})
    assert response.status_code == 303
    assert "已停用用户 cuntiao" in (await admin_client.get(f"/admin/users/{user.id}")).text
    await post_form(admin_client, f"/admin/users/{user.id}/active", {"active": "1"})
    assert "已启用用户 cuntiao" in (await admin_client.get(f"/admin/users/{user.id}")).text

    short = await post_form(admin_client, f"/admin/users/{user.id}/password", {"password": "123"})
    assert short.status_code == 422 and "密码至少需要 10 个字符" in short.text
    await post_form(admin_client, f"/admin/users/{user.id}/password", {"password": "brand-new-password"})
    assert (await sign_in(client, "cuntiao", "brand-new-password")).status_code == 303


async def test_admin_cannot_disable_self(admin_client, db_session):
    admin_id = await db_session.scalar(select(User.id).where(User.username == "admin"))
    await post_form(admin_client, f"/admin/users/{admin_id}/active", {"active": "0"})
    assert "不能停用自己的账号" in (await admin_client.get(f"/admin/users/{admin_id}")).text


async def test_unknown_user_page_is_404(admin_client):
    response = await admin_client.get("/admin/users/99999")
    assert response.status_code == 404
    assert "页面不存在" in response.text


async def test_place_tree_browse_add_rename_and_reorder(admin_client, db_session):
    await _tree(db_session)
    district = await admin_client.get("/admin/places")
    assert district.text.index("城关镇") < district.text.index("东湖街道")
    town_id = await db_session.scalar(select(Place.id).where(Place.name == "城关镇"))
    town = await admin_client.get(f"/admin/places/{town_id}")
    assert "下辖村居（2）" in town.text and town.text.index("石门村") < town.text.index("大岭村")

    added = await post_form(admin_client, f"/admin/places/{town_id}/children", {"child_name": "新桥村"})
    assert added.status_code == 303
    page = await admin_client.get(f"/admin/places/{town_id}")
    assert "已添加“新桥村”" in page.text
    await db_session.rollback()  # end the test session's read snapshot to see the app's commit
    assert await db_session.scalar(
        select(func.count()).select_from(Organization).where(Organization.name == "城关镇新桥村人民调解委员会"))

    duplicate = await post_form(admin_client, f"/admin/places/{town_id}/children", {"child_name": "石门村"})
    assert duplicate.status_code == 422 and "同一上级下已有同名地点" in duplicate.text
    assert 'value="石门村"' in duplicate.text

    village_id = await db_session.scalar(select(Place.id).where(Place.name == "大岭村"))
    await post_form(admin_client, f"/admin/places/{village_id}/move", {"direction": "up"})
    page = await admin_client.get(f"/admin/places/{town_id}")
    assert page.text.index("大岭村") < page.text.index("石门村")

    renamed = await post_form(admin_client, f"/admin/places/{village_id}/rename", {"name": "大岭新村"})
    assert renamed.status_code == 303
    bad = await post_form(admin_client, f"/admin/places/{village_id}/rename", {"name": ""})
    assert bad.status_code == 422 and "请填写名称" in bad.text
    assert "大岭新村" in (await admin_client.get(f"/admin/places/{town_id}")).text


async def test_grids_cannot_have_children(admin_client, db_session):
    await _tree(db_session)
    grid_id = await db_session.scalar(select(Place.id).where(Place.level == "grid"))
    response = await post_form(admin_client, f"/admin/places/{grid_id}/children", {"child_name": "x"})
    assert response.status_code == 422


async def test_organizations_listed_in_place_tree_order_and_edited(admin_client, db_session):
    await _tree(db_session)
    page = await admin_client.get("/admin/organizations")
    text = page.text
    assert text.index("区矛盾纠纷调解中心") < text.index("城关镇人民调解委员会") \
        < text.index("城关镇石门村人民调解委员会") < text.index("东湖街道人民调解委员会")

    created = await post_form(admin_client, "/admin/organizations",
                              {"name": "区医疗纠纷人民调解委员会", "short_name": "区医调", "specialty": "medical"})
    assert created.status_code == 303
    assert "区医疗纠纷人民调解委员会" in (await admin_client.get("/admin/organizations")).text

    missing = await post_form(admin_client, "/admin/organizations", {"name": "", "short_name": "", "specialty": ""})
    assert missing.status_code == 422
    assert "请填写组织名称" in missing.text and "请填写简称" in missing.text and "请选择专业领域" in missing.text

    center_id = await db_session.scalar(select(Organization.id).where(Organization.kind == "district_center"))
    refused = await post_form(admin_client, f"/admin/organizations/{center_id}",
                              {"name": "区矛盾纠纷调解中心", "short_name": "区中心", "active": ""})
    assert refused.status_code == 422 and "区矛盾纠纷调解中心不能停用" in refused.text
    saved = await post_form(admin_client, f"/admin/organizations/{center_id}",
                            {"name": "区矛盾纠纷调解中心", "short_name": "区调解中心", "active": "1"})
    assert saved.status_code == 303
    assert "区调解中心" in (await admin_client.get("/admin/organizations")).text


async def test_dictionaries_show_defaults_and_extend_types(admin_client, db_session):
    page = await admin_client.get("/admin/dictionaries")
    for label in ("婚姻家庭", "道路交通事故", "12345热线转办", "调解成功", "重大"):
        assert label in page.text
    added = await post_form(admin_client, "/admin/dictionaries", {"kind": "dispute_type", "label": "旅游"})
    assert added.status_code == 303
    assert "已添加“旅游”" in (await admin_client.get("/admin/dictionaries")).text
    duplicate = await post_form(admin_client, "/admin/dictionaries", {"kind": "dispute_type", "label": "邻里"})
    assert duplicate.status_code == 422 and "已有同名条目" in duplicate.text
    locked = await post_form(admin_client, "/admin/dictionaries", {"kind": "outcome", "label": "其他"})
    assert locked.status_code == 422 and "此类字典不能添加条目" in locked.text
