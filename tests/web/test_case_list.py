"""The case list: columns, filters, search (two-character names too), keyset paging, htmx partial."""

from __future__ import annotations

import re

import pytest

from tests.conftest import add_user, post_form, sign_in
from tests.web.cases_support import intake_form

pytestmark = pytest.mark.anyio


async def register(client, district, **overrides):
    response = await post_form(client, "/cases/new", intake_form(district, **overrides))
    assert response.status_code == 303, response.text[:1500]
    return int(response.headers["location"].rsplit("/", 1)[1])


def rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [row for row in body.split("<tr")[1:] if "/cases/" in row]


async def test_columns_of_the_list(counter, district):
    await register(counter, district)
    page = (await counter.get("/cases")).text
    header = page.split("<thead>")[1].split("</thead>")[0]
    assert re.findall(r">([^<>]+)</th>", header) == ["案件编号", "受理日期", "纠纷类型", "村居", "申请人", "被申请人",
                                                     "状态", "期限"]
    (row,) = rows(page)
    for text in ("调字第1号", "邻里", "石门村", "张三", "李四", "已受理", "剩余"):
        assert text in row
    assert '<input id="f-q" type="search" name="q"' in page and '<label for="f-q">搜索</label>' in page


@pytest.fixture(params=["few", "many"])
def search_way(request, monkeypatch):
    """A search finding few cases sorts their ids; one finding many walks the list: both must agree. With
    no room for "few", every search that finds anything takes the second way."""
    if request.param == "many":
        monkeypatch.setattr("mediation.services.cases.SEARCH_FEW", 0)
    return request.param


async def test_search_finds_two_character_names_phrases_ids_and_phones(counter, district, search_way):
    await register(counter, district)
    await register(counter, district, summary="邻居家空调外机噪音扰民", **{
        "applicant-0-name": "王芳", "applicant-0-id_number": "", "applicant-0-phone": "13611112222",
        "respondent-0-name": "赵敏", "respondent-0-phone": ""})
    cases = {
        "王芳": ["王芳"], "赵敏": ["王芳"], "张三": ["张三"], "王": ["王芳"],
        "空调外机": ["王芳"], "宅基地边界": ["张三"], "11010519491231002X": ["张三"],
        "11010519491231002x": ["张三"], "13611112222": ["王芳"], "不存在的人": [],
    }
    for query, expected in cases.items():
        found = rows((await counter.get("/cases", params={"q": query})).text)
        assert len(found) == len(expected), query
        for name in expected:
            assert name in found[0], query


async def test_search_by_case_number(counter, district, search_way):
    case_id = await register(counter, district)
    page = (await counter.get(f"/cases/{case_id}")).text
    number = re.search(r"<h1>([^<]+)</h1>", page).group(1)
    found = rows((await counter.get("/cases", params={"q": number})).text)
    assert len(found) == 1 and number in found[0]


@pytest.mark.parametrize("query", ["' OR 1=1 --", "%", "_", '"', "\\", "张%", "'; DROP TABLE party; --"])
async def test_search_and_filters_treat_input_as_text(counter, district, query, search_way):
    await register(counter, district)
    response = await counter.get("/cases", params={"q": query, "status": query, "town": query,
                                                  "accepted_from": query, "sort": query, "after": query})
    assert response.status_code == 200
    assert rows(response.text) == []
    assert len(rows((await counter.get("/cases")).text)) == 1


async def test_filters(counter, district):
    await register(counter, district)
    await register(counter, district, dispute_type="contract", risk_level="serious",
                   town=district.town_b, village=district.village_b1, **{"applicant-0-name": "钱七"})
    await register(counter, district, action="refuse", refusal_reason="party_refuses", **{"applicant-0-name": "孙八"})

    async def names(**params):
        return [re.search(r"<td>(张三|钱七|孙八)</td>", row).group(1) for row in rows(
            (await counter.get("/cases", params=params)).text)]

    assert set(await names()) == {"张三", "钱七", "孙八"}
    assert await names(dispute_type="contract") == ["钱七"]
    assert await names(risk_level="serious") == ["钱七"]
    assert await names(town=district.town_b) == ["钱七"]
    assert set(await names(village=district.village_a1)) == {"张三", "孙八"}
    assert await names(status="refused") == ["孙八"]
    assert set(await names(status="accepted")) == {"张三", "钱七"}
    assert set(await names(mine="1")) == {"张三", "钱七", "孙八"}
    assert await names(due="overdue") == []
    assert set(await names(sort="deadline")) == {"张三", "钱七"}
    assert await names(accepted_from="2000-01-01", accepted_to="2000-12-31") == []


async def test_keyset_paging_and_bookmarkable_addresses(counter, district):
    for index in range(27):
        await register(counter, district, **{"applicant-0-name": f"人{index:02d}"})
    first = await counter.get("/cases", params={"dispute_type": "neighbourhood"})
    first_rows = rows(first.text)
    assert len(first_rows) == 25
    assert "人26" in first_rows[0]  # newest first
    link = re.search(r'href="(/cases\?[^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert "dispute_type=neighbourhood" in link and "after=" in link
    second_rows = rows((await counter.get(link)).text)
    assert len(second_rows) == 2 and "人01" in second_rows[0] and "人00" in second_rows[1]
    assert 'rel="next"' not in (await counter.get(link)).text


async def test_htmx_gets_the_table_partial_with_vary(counter, district):
    await register(counter, district)
    response = await counter.get("/cases", params={"q": "张三"},
                                 headers={"hx-request": "true", "hx-target": "case-table"})
    assert "<html" not in response.text and 'id="case-table"' in response.text and "张三" in response.text
    assert "HX-Request" in response.headers["vary"]
    full = await counter.get("/cases", params={"q": "张三"})
    assert "<html" in full.text and "HX-Request" in full.headers["vary"]


async def test_voided_cases_are_hidden_unless_asked_for(client, db_session, settings, district):
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    await sign_in(client, "zhuren")
    case_id = await register(client, district)
    await post_form(client, f"/cases/{case_id}/void", {"reason": "重复录入"})
    assert rows((await client.get("/cases")).text) == []
    assert len(rows((await client.get("/cases", params={"status": "voided"})).text)) == 1
