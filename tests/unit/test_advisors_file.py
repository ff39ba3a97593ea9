"""Validation of the legal advisor registry file."""

from mediation.domain.advisors import parse_advisor_rows

HEADER = ["姓名", "执业机构", "执业证号", "电话", "服务村居", "账号"]


def test_valid_rows_with_several_villages():
    advisors, errors = parse_advisor_rows(HEADER, [
        (2, ["王明远", "明理律师事务所", "13301201010001", "13900000001", "城关镇/石门村、城关镇/大岭村", "GuWen"]),
        (3, ["李静", "正平律师事务所", "13301201010002", "", "东湖街道/湖滨社区", ""]),
    ])
    assert errors == []
    assert advisors[0].villages == (("城关镇", "石门村"), ("城关镇", "大岭村"))
    assert advisors[0].account == "guwen"
    assert advisors[1].phone == "" and advisors[1].account == ""


def test_optional_columns_may_be_absent():
    advisors, errors = parse_advisor_rows(["姓名", "执业机构", "执业证号", "服务村居"],
                                          [(2, ["王明远", "明理所", "13301201010001", "城关镇/石门村"])])
    assert errors == [] and advisors[0].account == ""


def test_every_problem_is_reported_by_line_and_column():
    _, errors = parse_advisor_rows(HEADER, [
        (2, ["", "明理所", "13301201010001", "abc", "石门村", ""]),
        (3, ["李静", "正平所", "13301201010001", "", "", ""]),
        (4, ["赵敏", "", "x", "", "城关镇/石门村", ""]),
    ])
    found = {(e.line, e.column) for e in errors}
    assert found == {(2, "姓名"), (2, "电话"), (2, "服务村居"), (3, "执业证号"), (3, "服务村居"),
                     (4, "执业机构"), (4, "执业证号")}
    assert any("repeats line 2" in e.reason for e in errors)


def test_header_problems():
    _, errors = parse_advisor_rows(["姓名", "律所"], [])
    reasons = {(e.column, e.reason) for e in errors}
    assert ("律所", "unknown column") in reasons
    assert ("执业证号", "required column is missing") in reasons


def test_empty_file():
    _, errors = parse_advisor_rows(HEADER, [])
    assert errors[0].reason == "the file has no advisor rows"
