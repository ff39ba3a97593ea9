"""The rules of a screening record and of a zero report's month, each refusal with its Chinese message."""

from __future__ import annotations

from datetime import date

import pytest

from mediation.domain.reports import parse_month
from mediation.domain.screening import filing_months, parse_filing_month, parse_screening, zero_report_refusal
from mediation.domain.validation import Invalid

TODAY = date(2026, 3, 15)
VILLAGES = {11, 12}
GRIDS = {21}


def form(**overrides: str) -> dict[str, str]:
    values = {"screened_on": "2026-03-15", "village": "11", "grid": "21", "found_disputes": "2",
              "findings": "两户因排水沟发生口角", "actions": "已约双方到村委会协商"}
    values.update(overrides)
    return values


def problems(values: dict[str, str]) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        parse_screening(values, TODAY, VILLAGES, GRIDS)
    return refused.value.messages_zh


def test_a_complete_screening_is_read_with_its_numbers():
    draft = parse_screening(form(findings="  两户口角 "), TODAY, VILLAGES, GRIDS)
    assert (draft.screened_on, draft.village_id, draft.grid_id, draft.found_disputes) == (TODAY, 11, 21, 2)
    assert draft.findings == "两户口角"


def test_grid_and_texts_are_optional_when_nothing_was_found():
    draft = parse_screening(form(grid="", found_disputes="0", findings="", actions=""), TODAY, VILLAGES, GRIDS)
    assert draft.grid_id is None and draft.found_disputes == 0 and draft.actions == ""


@pytest.mark.parametrize(("value", "message"), [
    ("", "请填写排查日期"),
    ("2026-02-30", "排查日期格式不正确，应为 YYYY-MM-DD"),
    ("15/03/2026", "排查日期格式不正确，应为 YYYY-MM-DD"),
    ("2026-03-16", "排查日期不能晚于今天"),
    ("1999-12-31", "排查日期不能早于 2000-01-01"),
])
def test_the_screening_date_is_a_real_day_not_in_the_future(value, message):
    assert problems(form(screened_on=value)) == {"screened_on": message}


@pytest.mark.parametrize(("value", "message"), [
    ("", "请选择村居"),
    ("13", "只能为本辖区内的村居记录排查"),
    ("abc", "只能为本辖区内的村居记录排查"),
])
def test_the_village_must_be_one_of_the_users(value, message):
    assert problems(form(village=value, grid="")) == {"village": message}


@pytest.mark.parametrize("value", ["22", "x"])
def test_the_grid_must_be_under_the_village(value):
    assert problems(form(grid=value)) == {"grid": "所选网格不属于该村居"}


@pytest.mark.parametrize(("value", "message"), [
    ("", "请填写发现纠纷数（没有发现填 0）"),
    ("-1", "发现纠纷数应为不小于 0 的整数"),
    ("1.5", "发现纠纷数应为不小于 0 的整数"),
    ("２", "发现纠纷数应为不小于 0 的整数"),
    ("10000", "发现纠纷数不能超过 9999"),
])
def test_the_number_found_is_a_whole_number(value, message):
    assert problems(form(found_disputes=value)) == {"found_disputes": message}


def test_actions_are_required_when_disputes_were_found():
    assert problems(form(actions="  ")) == {"actions": "发现纠纷时请填写处置措施"}


def test_texts_have_a_limit():
    assert problems(form(findings="情" * 5001, actions="措" * 5001)) == {
        "findings": "排查情况不能超过 5000 字", "actions": "处置措施不能超过 5000 字"}


def test_every_problem_is_reported_at_once():
    assert set(problems({"found_disputes": "3"})) == {"screened_on", "village", "actions"}


def test_a_zero_report_is_for_this_month_or_the_last():
    assert [month.key for month in filing_months(TODAY)] == ["2026-03", "2026-02"]
    assert [month.key for month in filing_months(date(2026, 1, 1))] == ["2026-01", "2025-12"]
    assert parse_filing_month("2026-02", TODAY).key == "2026-02"
    assert parse_filing_month(" 2026-03 ", TODAY).reference == TODAY


@pytest.mark.parametrize(("value", "message"), [
    ("", "请选择零上报的月份"),
    ("2026-3", "月份格式应为 YYYY-MM，例如 2026-03"),
    ("2026-13", "月份格式应为 YYYY-MM，例如 2026-03"),
    ("三月", "月份格式应为 YYYY-MM，例如 2026-03"),
    ("2026-04", "不能为尚未到来的月份零上报"),
    ("2026-01", "只能为本月或上月零上报"),
])
def test_a_zero_report_month_is_refused_with_a_reason(value, message):
    with pytest.raises(Invalid) as refused:
        parse_filing_month(value, TODAY)
    assert refused.value.messages_zh == {"month": message}


def test_a_zero_report_is_refused_after_cases_or_a_first_filing():
    month = parse_month("2026-03", TODAY)
    assert zero_report_refusal(month, 0, None) is None
    assert zero_report_refusal(month, 2, None).zh == "本村本月已有登记案件，无需零上报"
    assert zero_report_refusal(month, 0, date(2026, 3, 2)).zh == "已于 2026-03-02 零上报（2026 年 3 月），无需重复上报"
