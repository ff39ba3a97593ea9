"""Closing rules, the judicial-confirmation window across month ends, the follow-up date."""

from datetime import date

from mediation.domain.closing import (
    AgreementDraft,
    closing_problems,
    confirmation_deadline,
    confirmation_problem,
    confirmation_state,
    follow_up_date,
    missing_agreement_parts,
)

ACCEPTED = date(2026, 3, 1)
TODAY = date(2026, 3, 20)
COMPLETE = AgreementDraft("written", "事实", "争议", "责任", "条款", "转账", "村委会", date(2026, 4, 1),
                          signed_on=date(2026, 3, 18))


def test_written_agreement_needs_every_part_of_art_29_and_35():
    assert missing_agreement_parts(AgreementDraft("written")) == [
        "纠纷的主要事实", "争议事项", "各方当事人的责任", "协议内容", "履行方式", "履行地点", "履行期限"]
    assert missing_agreement_parts(COMPLETE) == []
    assert missing_agreement_parts(AgreementDraft("oral", terms="赔偿 500 元")) == ["履行方式"]


def test_success_needs_a_complete_signed_agreement():
    problems = closing_problems("success", TODAY, ACCEPTED, TODAY, None, "")
    assert problems == {"agreement": "调解成功须有调解协议（书面或口头）"}
    unsigned = AgreementDraft(**{**COMPLETE.__dict__, "signed_on": None})
    assert "签名" in closing_problems("success", TODAY, ACCEPTED, TODAY, unsigned, "")["agreement"]
    assert closing_problems("success", TODAY, ACCEPTED, TODAY, COMPLETE, "") == {}
    oral = AgreementDraft("oral", terms="当场赔偿 300 元", performance_method="现金")
    assert closing_problems("success", TODAY, ACCEPTED, TODAY, oral, "") == {}


def test_failure_needs_the_route_told_to_the_parties():
    assert "其他解决途径" in closing_problems("failure", TODAY, ACCEPTED, TODAY, None, "")["route"]
    assert closing_problems("failure", TODAY, ACCEPTED, TODAY, None, "litigation") == {}
    assert closing_problems("withdrawn", TODAY, ACCEPTED, TODAY, None, "") == {}


def test_closing_date_bounds():
    assert "不能早于受理日期" in closing_problems("withdrawn", date(2026, 2, 28), ACCEPTED, TODAY, None, "")["closed_on"]
    assert "不能晚于今天" in closing_problems("withdrawn", date(2026, 3, 21), ACCEPTED, TODAY, None, "")["closed_on"]
    assert closing_problems("withdrawn", None, ACCEPTED, TODAY, None, "")["closed_on"] == "请填写结案日期"
    assert closing_problems("nonsense", TODAY, ACCEPTED, TODAY, None, "")["outcome"] == "请选择调解结果"


def test_confirmation_window_crosses_month_ends_and_leap_days():
    assert confirmation_deadline(date(2026, 1, 31)) == date(2026, 3, 2)
    assert confirmation_deadline(date(2028, 2, 15)) == date(2028, 3, 16)
    assert confirmation_deadline(date(2026, 12, 15)) == date(2027, 1, 14)
    assert confirmation_problem(date(2026, 1, 31), date(2026, 3, 2)) is None
    assert "已超过司法确认申请期限" in confirmation_problem(date(2026, 1, 31), date(2026, 3, 3))
    assert "不能早于协议生效日期" in confirmation_problem(date(2026, 1, 31), date(2026, 1, 30))


def test_confirmation_state():
    effective = date(2026, 1, 31)
    assert confirmation_state(effective, date(2026, 2, 1)) == "open"
    assert confirmation_state(effective, date(2026, 2, 23)) == "closing"
    assert confirmation_state(effective, date(2026, 3, 2)) == "closing"
    assert confirmation_state(effective, date(2026, 3, 3)) == "expired"


def test_follow_up_defaults_to_fifteen_days():
    assert follow_up_date(date(2026, 12, 20)) == date(2027, 1, 4)
    assert follow_up_date(date(2026, 12, 20), 7) == date(2026, 12, 27)
