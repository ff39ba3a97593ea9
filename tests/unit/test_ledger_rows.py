"""The ledger's row rules (CONTRACT.md, 台账): one test per rule, each naming the column and the reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mediation.domain.case_numbers import DEFAULT_TEMPLATE
from mediation.domain.ledger import (
    LEDGER_COLUMNS,
    REQUIRED_COLUMNS,
    ImportArea,
    LedgerParty,
    LedgerRecord,
    LedgerReference,
    OrganizationRef,
    case_number_pattern,
    format_amount,
    ledger_cells,
    ledger_names,
    numbering_of,
    parse_ledger,
)
from mediation.spreadsheets import read_table

VALID_ID = "11010519491231002X"
OTHER_ID = "440524188001010014"
VILLAGE_COMMITTEE = "城关镇石门村人民调解委员会"
REFERENCE = LedgerReference(
    sources={"当事人申请": "party_application", "公安移送": "police_referral"},
    dispute_types={"邻里": "neighbourhood", "婚姻家庭": "marriage_family"},
    risk_levels={"一般": "ordinary", "较大": "serious", "重大": "major"},
    towns={"城关镇": 2, "东湖街道": 3},
    villages={(2, "石门村"): 4, (3, "湖滨社区"): 5},
    grids={(4, "第一网格"): 6},
    organizations={VILLAGE_COMMITTEE: OrganizationRef(10, "village"), "城关镇人民调解委员会": OrganizationRef(11, "town"),
                   "区矛盾纠纷调解中心": OrganizationRef(1, "district")},
    village_committees={4: VILLAGE_COMMITTEE},  # 湖滨社区 has no committee
)


def valid(**cells: str) -> dict[str, str]:
    row = {
        "案件编号": "（2024）石门调字第1号", "受理日期": "2024-03-05", "案件来源": "当事人申请", "纠纷类型": "邻里",
        "镇街": "城关镇", "村居": "石门村", "申请人姓名": "张三", "被申请人姓名": "李四",
        "纠纷简要情况": "宅基地边界争执", "状态": "调解中",
    }
    row.update(cells)
    return row


def parse(*rows: dict[str, str], reference: LedgerReference = REFERENCE, header: list[str] | None = None):
    header = header or list(dict.fromkeys(name for row in rows for name in row))
    return parse_ledger(header, [(line, [row.get(name, "") for name in header])
                                 for line, row in enumerate(rows, start=2)], reference)


def problems(*rows: dict[str, str], **kwargs) -> set[tuple[int, str, str]]:
    parsed, found = parse(*rows, **kwargs)
    assert parsed == [] or not found
    return {(problem.line, problem.column, problem.en) for problem in found}


def only(row: dict[str, str], **kwargs) -> tuple[str, str]:
    """The one problem of a single row: its column and English reason."""
    found = problems(row, **kwargs)
    assert len(found) == 1, found
    line, column, reason = found.pop()
    assert line == 2
    return column, reason


# The header.

def test_a_valid_minimal_row_takes_the_defaults():
    parsed, found = parse(valid())
    assert found == []
    row = parsed[0]
    assert (row.line, row.number, row.accepted_on) == (2, "（2024）石门调字第1号", date(2024, 3, 5))
    assert (row.source, row.dispute_type, row.town_id, row.village_id, row.grid_id) == \
        ("party_application", "neighbourhood", 2, 4, None)
    assert row.people_involved == 2 and row.risk_level == "ordinary" and row.amount_involved is None
    assert row.organization == OrganizationRef(10, "village")  # the village committee
    assert row.status == "in_mediation" and row.outcome is None and row.confirmation is None
    assert row.prevented_criminal_people == 0 and row.prevented_petition_people == 0
    assert row.applicants == (LedgerParty("张三", "", ""),) and row.mediators == () and row.advisors == ()


def test_an_unknown_column_is_refused():
    assert ("备注", "unknown column") in {(p[1], p[2]) for p in problems(valid(备注="x"))}


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_a_missing_required_column_is_refused(column):
    row = valid()
    del row[column]
    assert problems(row) == {(1, column, "required column is missing")}


def test_a_column_twice_is_refused():
    header = [*valid(), "状态"]
    _parsed, found = parse_ledger(header, [], REFERENCE)
    assert [(p.line, p.column, p.en) for p in found] == [(1, "状态", "the column appears twice")]


def test_header_problems_are_reported_in_chinese_too():
    _, found = parse_ledger(["案件编号", "备注"], [], REFERENCE)
    assert {problem.zh for problem in found} == {"未知的列", "缺少必需的列"}


def test_full_width_brackets_and_any_column_order_are_the_same_header():
    content = "状态,涉及金额（元）,纠纷简要情况,被申请人姓名,申请人姓名,村居,镇街,纠纷类型,案件来源,受理日期,案件编号\r\n" \
              "调解中,1200,争执,李四,张三,石门村,城关镇,邻里,当事人申请,2024/3/5,A-1\r\n"
    header, rows = read_table(content.encode("gb18030"), "台账.csv")
    parsed, found = parse_ledger(header, rows, REFERENCE)
    assert found == []
    assert parsed[0].amount_involved == Decimal(1200) and parsed[0].accepted_on == date(2024, 3, 5)


def test_conditional_columns_may_be_absent_when_no_row_needs_them():
    parsed, found = parse(valid(状态="已受理"), valid(案件编号="2", 状态="不予受理"))
    assert found == [] and [row.status for row in parsed] == ["accepted", "refused"]


def test_an_absent_conditional_column_is_required_by_a_row_that_needs_it():
    assert only(valid(状态="已结案")) == ("调解结果", "is required when 状态 is 已结案 or 已归档")


# Rows: required values, numbers, dates, dictionaries, places.

@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_a_required_value_may_not_be_empty(column):
    assert ("is required") in {reason for _, col, reason in problems(valid(**{column: " "})) if col == column}


def test_every_problem_is_reported_with_its_line_and_nothing_is_returned():
    parsed, found = parse(valid(), valid(案件编号="2", 纠纷类型="吵架"), valid(案件编号="3", 受理日期="昨天"))
    assert parsed == []
    assert {(p.line, p.column) for p in found} == {(3, "纠纷类型"), (4, "受理日期")}
    assert all(p.zh and p.en for p in found)
    assert str(found[0]).startswith("line 3, column 纠纷类型: ")


def test_a_case_number_may_not_repeat_in_the_file():
    assert problems(valid(), valid()) == {(3, "案件编号", "repeats line 2")}


def test_a_case_number_fits_its_column():
    assert only(valid(案件编号="号" * 61)) == ("案件编号", "is longer than 60 characters")


@pytest.mark.parametrize("text", ["2024-03-05", "2024/3/5", "2024-3-5", "2024/03/05"])
def test_dates_are_accepted_as_iso_or_slashed(text):
    parsed, found = parse(valid(受理日期=text))
    assert found == [] and parsed[0].accepted_on == date(2024, 3, 5)


@pytest.mark.parametrize("text", ["2024-02-30", "20240305", "昨天", "2024.3.5"])
def test_a_date_must_be_a_date(text):
    column, reason = only(valid(受理日期=text))
    assert column == "受理日期" and "is not a date" in reason


def test_the_source_must_be_one_of_the_sources():
    assert only(valid(案件来源="朋友介绍"))[0] == "案件来源"


def test_the_dispute_type_must_be_a_configured_type():
    assert only(valid(纠纷类型="吵架"))[0] == "纠纷类型"


def test_the_town_must_be_in_the_place_tree():
    assert only(valid(镇街="西山镇")) == ("镇街", "'西山镇' is not a town of the place tree")


def test_the_village_must_be_under_that_town():
    assert only(valid(村居="湖滨社区")) == ("村居", "'湖滨社区' is not a village of '城关镇'")


def test_a_grid_when_given_must_be_under_that_village():
    assert only(valid(网格="第九网格")) == ("网格", "'第九网格' is not a grid of '石门村'")
    parsed, _ = parse(valid(网格="第一网格"))
    assert parsed[0].grid_id == 6


# Parties.

def test_several_parties_per_side_keep_their_order_across_the_three_columns():
    parsed, found = parse(valid(申请人姓名="张三、王五", 申请人身份证号=f"{VALID_ID}、", 申请人电话="13812345678、13900001111",
                                被申请人姓名="李四、赵六、孙七", 被申请人身份证号=f"、{OTHER_ID}、"))
    assert found == []
    assert parsed[0].applicants == (LedgerParty("张三", VALID_ID, "13812345678"), LedgerParty("王五", "", "13900001111"))
    assert [p.id_number for p in parsed[0].respondents] == ["", OTHER_ID, ""]
    assert [p.phone for p in parsed[0].respondents] == ["", "", ""]


def test_an_empty_name_in_a_list_is_refused():
    assert only(valid(申请人姓名="张三、、王五")) == ("申请人姓名", "name 2 is empty")


def test_a_name_fits_its_column():
    assert only(valid(被申请人姓名="张" * 61)) == ("被申请人姓名", "name 1 is longer than 60 characters")


def test_at_most_twenty_parties_per_side():
    assert only(valid(申请人姓名="、".join(f"甲{i}" for i in range(21)))) == ("申请人姓名", "has more than 20 parties")


def test_id_numbers_must_match_the_names_one_to_one():
    assert only(valid(申请人姓名="张三、王五", 申请人身份证号=VALID_ID)) == ("申请人身份证号", "has 1 entries but 申请人姓名 has 2")


def test_phones_must_match_the_names_one_to_one():
    assert only(valid(被申请人电话="1、2")) == ("被申请人电话", "has 2 entries but 被申请人姓名 has 1")


def test_an_id_number_needs_a_valid_check_digit():
    column, reason = only(valid(申请人身份证号=VALID_ID[:-1] + "1"))
    assert column == "申请人身份证号" and "GB 11643" in reason
    _, found = parse(valid(申请人身份证号=VALID_ID[:-1] + "1"))
    assert "校验位" in found[0].zh


def test_an_id_number_must_have_eighteen_characters():
    assert only(valid(被申请人身份证号="1101051949"))[0] == "被申请人身份证号"


def test_full_width_id_numbers_are_read_as_ascii():
    parsed, found = parse(valid(申请人身份证号="１１０１０５１９４９１２３１００２ｘ"))
    assert found == [] and parsed[0].applicants[0].id_number == VALID_ID


def test_a_phone_fits_its_column():
    assert only(valid(申请人电话="1" * 21)) == ("申请人电话", "entry 1 is longer than 20 characters")


# Figures and levels.

@pytest.mark.parametrize("text", ["0", "-1", "两", "1.5"])
def test_people_involved_is_a_whole_number_of_at_least_one(text):
    assert only(valid(涉及人数=text)) == ("涉及人数", "must be a whole number of at least 1")


@pytest.mark.parametrize(("text", "amount"), [("0", "0"), ("1,234.5", "1234.5"), ("88.05", "88.05")])
def test_amounts_are_decimals_of_at_least_zero(text, amount):
    parsed, found = parse(valid(**{"涉及金额(元)": text}))
    assert found == [] and parsed[0].amount_involved == Decimal(amount)


@pytest.mark.parametrize("text", ["-5", "1.234", "一千", "1e3"])
def test_an_amount_must_be_a_decimal_of_at_least_zero_with_two_decimals(text):
    assert only(valid(**{"涉及金额(元)": text}))[0] == "涉及金额(元)"


def test_the_risk_level_is_one_of_three():
    assert only(valid(风险等级="特大"))[0] == "风险等级"
    parsed, _ = parse(valid(风险等级="重大"))
    assert parsed[0].risk_level == "major"


@pytest.mark.parametrize("column", ["防止民转刑人数", "防止群体性上访人数"])
def test_prevented_people_are_whole_numbers_of_at_least_zero(column):
    assert only(valid(**{column: "-1"})) == (column, "must be a whole number of at least 0")
    parsed, _ = parse(valid(**{column: "0"}), valid(案件编号="2", **{column: "12"}))
    assert [getattr(row, "prevented_criminal_people" if column == "防止民转刑人数" else "prevented_petition_people")
            for row in parsed] == [0, 12]


# Organization and people.

def test_the_organization_must_exist_by_name():
    assert only(valid(调解组织="西山调委会")) == ("调解组织", "'西山调委会' is not the name of an organization")
    parsed, _ = parse(valid(调解组织="城关镇人民调解委员会"))
    assert parsed[0].organization == OrganizationRef(11, "town")


def test_without_an_organization_a_village_needs_its_committee():
    assert only(valid(镇街="东湖街道", 村居="湖滨社区")) == \
        ("调解组织", "the village has no committee: name the organization")


def test_mediators_and_advisors_are_free_text_names():
    parsed, found = parse(valid(调解员="陈窗口、外请调解员", 法律顾问="王明远"))
    assert found == [] and parsed[0].mediators == ("陈窗口", "外请调解员") and parsed[0].advisors == ("王明远",)
    assert only(valid(调解员="调" * 401)) == ("调解员", "is longer than 400 characters")


# Status and closing.

def test_the_status_is_one_of_the_five():
    assert only(valid(状态="已作废"))[0] == "状态"


@pytest.mark.parametrize(("label", "code"), [("已受理", "accepted"), ("调解中", "in_mediation"), ("不予受理", "refused")])
def test_open_and_refused_statuses_map_onto_the_apps(label, code):
    parsed, found = parse(valid(状态=label))
    assert found == [] and parsed[0].status == code


@pytest.mark.parametrize("status", ["已结案", "已归档"])
def test_an_outcome_is_required_exactly_when_closed_or_archived(status):
    assert only(valid(状态=status, 结案日期="2024-03-20")) == \
        ("调解结果", "is required when 状态 is 已结案 or 已归档")
    assert only(valid(调解结果="调解不成", 结案日期="2024-03-20")) == \
        ("调解结果", "must be empty unless 状态 is 已结案 or 已归档")


def test_the_outcome_is_one_of_three():
    assert only(valid(状态="已结案", 调解结果="和解", 结案日期="2024-03-20"))[0] == "调解结果"


def test_a_closing_date_goes_exactly_with_an_outcome():
    assert only(valid(状态="已结案", 调解结果="调解不成")) == ("结案日期", "is required with 调解结果")
    assert only(valid(结案日期="2024-03-20")) == ("结案日期", "must be empty without 调解结果")


def test_a_closing_date_is_not_before_the_acceptance():
    assert only(valid(状态="已结案", 调解结果="当事人撤回", 结案日期="2024-03-04")) == \
        ("结案日期", "is before 受理日期 2024-03-05")
    parsed, found = parse(valid(状态="已结案", 调解结果="当事人撤回", 结案日期="2024-03-05"))
    assert found == [] and parsed[0].closed_on == date(2024, 3, 5) and parsed[0].outcome == "withdrawn"


def test_an_agreement_form_is_required_exactly_for_a_success():
    closed = {"状态": "已归档", "结案日期": "2024-03-20"}
    assert only(valid(调解结果="调解成功", **closed)) == ("协议形式", "is required when 调解结果 is 调解成功")
    assert only(valid(调解结果="调解不成", 协议形式="口头", **closed)) == \
        ("协议形式", "must be empty unless 调解结果 is 调解成功")
    assert only(valid(协议形式="书面")) == ("协议形式", "must be empty unless 调解结果 is 调解成功")
    assert only(valid(调解结果="调解成功", 协议形式="电子", **closed))[0] == "协议形式"


def test_a_success_carries_its_agreement():
    parsed, found = parse(valid(状态="已归档", 调解结果="调解成功", 结案日期="2024-03-20", 协议形式="书面",
                                **{"协议金额(元)": "5000", "司法确认": "已确认"}))
    assert found == []
    row = parsed[0]
    assert (row.status, row.outcome, row.agreement_form, row.agreement_amount, row.confirmation) == \
        ("archived", "success", "written", Decimal(5000), "confirmed")


def test_the_agreement_amount_is_a_decimal_of_at_least_zero():
    assert only(valid(**{"协议金额(元)": "-1"}))[0] == "协议金额(元)"


def test_judicial_confirmation_is_one_of_four():
    assert only(valid(司法确认="已撤回"))[0] == "司法确认"


@pytest.mark.parametrize("label", ["已申请", "已确认", "不予确认"])
def test_judicial_confirmation_needs_a_written_agreement(label):
    closed = {"状态": "已结案", "调解结果": "调解成功", "结案日期": "2024-03-20"}
    assert only(valid(协议形式="口头", 司法确认=label, **closed)) == \
        ("司法确认", "other than 未申请 needs 协议形式 书面")
    assert only(valid(司法确认=label)) == ("司法确认", "other than 未申请 needs 协议形式 书面")
    parsed, found = parse(valid(协议形式="书面", 司法确认=label, **closed))
    assert found == [] and parsed[0].confirmation == {"已申请": "pending", "已确认": "confirmed",
                                                      "不予确认": "refused"}[label]


# The importing user's area.

@pytest.mark.parametrize(("area", "column"), [
    (ImportArea(town_id=3), "镇街"), (ImportArea(village_id=5), "村居"), (ImportArea(organization_id=11), "调解组织"),
])
def test_a_user_imports_only_within_their_area(area, column):
    reference = LedgerReference(**{**REFERENCE.__dict__, "area": area})
    assert only(valid(), reference=reference) == (column, "is outside the importing user's area")


# Writing a case back as a row.

def record(**fields) -> LedgerRecord:
    values = {
        "number": "A-1", "accepted_on": date(2024, 3, 5), "source": "当事人申请", "dispute_type": "邻里", "town": "城关镇",
        "village": "石门村", "grid": "", "applicants": [LedgerParty("张三", VALID_ID, ""), LedgerParty("王五", "", "")],
        "respondents": [LedgerParty("李四", "", "139")], "people_involved": 2, "amount_involved": Decimal("1200.00"),
        "risk_level": "一般", "summary": "争执", "organization": VILLAGE_COMMITTEE, "mediators": "", "advisors": "",
        "status": "closed", "outcome": "success", "closed_on": date(2024, 3, 20), "agreement_form": "oral",
        "agreement_amount": Decimal("0.50"), "confirmation": None, "prevented_criminal_people": 0,
        "prevented_petition_people": 3,
    }
    values.update(fields)
    return LedgerRecord(**values)


def test_a_case_is_written_in_the_contract_order_with_the_ledgers_words():
    cells = dict(zip(LEDGER_COLUMNS, ledger_cells(record()), strict=True))
    assert cells["申请人姓名"] == "张三、王五" and cells["申请人身份证号"] == f"{VALID_ID}、"
    assert cells["申请人电话"] == "" and cells["被申请人电话"] == "139"
    assert cells["涉及金额(元)"] == "1200" and cells["协议金额(元)"] == "0.5"
    assert (cells["状态"], cells["调解结果"], cells["结案日期"], cells["协议形式"], cells["司法确认"]) == \
        ("已结案", "调解成功", "2024-03-20", "口头", "未申请")
    assert cells["防止群体性上访人数"] == "3"


def test_an_open_case_writes_no_closing_cells():
    cells = dict(zip(LEDGER_COLUMNS, ledger_cells(record(status="in_mediation", outcome=None, closed_on=None)),
                     strict=True))
    assert cells["状态"] == "调解中" and cells["调解结果"] == cells["结案日期"] == cells["协议形式"] == ""


@pytest.mark.parametrize(("amount", "text"), [(None, ""), (Decimal("5000.00"), "5000"), (Decimal("0.05"), "0.05"),
                                              (Decimal(10), "10"), (Decimal("0.00"), "0")])
def test_amounts_are_written_as_typed(amount, text):
    assert format_amount(amount) == text


def test_the_names_cell_keeps_the_ledgers_order_and_follows_reassignment():
    assert ledger_names(["外请", "陈窗口"], ["外请"], ["陈窗口"]) == "外请、陈窗口"
    assert ledger_names(["外请", "陈窗口"], ["外请"], []) == "外请"  # 陈窗口 was unassigned since
    assert ledger_names(["外请"], ["外请"], ["赵调解"]) == "外请、赵调解"
    assert ledger_names([], [], ["赵调解", "赵调解"]) == "赵调解"


def test_the_apps_own_case_numbers_are_recognised():
    pattern = case_number_pattern(DEFAULT_TEMPLATE)
    assert numbering_of(pattern, "（2024）石门调字第12号") == (2024, "石门", 12)
    assert numbering_of(pattern, "2024-石门-12") is None
    custom = case_number_pattern("{org_short}-{year}-{seq:05d}")
    assert numbering_of(custom, "城关-2025-00042") == (2025, "城关", 42)
    assert numbering_of(case_number_pattern("{year}.{seq}"), "2025.7") == (2025, None, 7)
