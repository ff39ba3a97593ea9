"""The intake form as a pure function: a checked draft from good fields, every problem from bad ones."""

from decimal import Decimal

import pytest

from mediation.domain import workflow
from mediation.domain.intake import IntakeDraft, PartyDraft, parse_intake
from mediation.domain.validation import Invalid

VALID_ID = "11010519491231002X"
MINIMAL = {
    "source": "party_application",
    "dispute_type": "neighbourhood",
    "town": "3",
    "village": "17",
    "applicant-0-name": "张三",
    "respondent-0-name": "李四",
    "summary": "邻居修建围墙占用通道，双方发生争执。",
}


def parse(form: dict[str, str], refusing: bool = False) -> IntakeDraft:
    return parse_intake(
        form,
        sources={"party_application"},
        dispute_types={"neighbourhood"},
        risk_levels={"ordinary", "serious", "major"},
        refusal_reasons=workflow.REFUSAL_REASONS,
        refusing=refusing,
    )


def problems_of(form: dict[str, str], refusing: bool = False) -> dict[str, str]:
    with pytest.raises(Invalid) as invalid:
        parse(form, refusing)
    return invalid.value.messages_zh


def with_changes(**changes: str) -> dict[str, str]:
    return {**MINIMAL, **changes}


def without(name: str) -> dict[str, str]:
    return {key: value for key, value in MINIMAL.items() if key != name}


def test_minimal_form_gives_the_defaults():
    draft = parse(MINIMAL)
    assert draft.source == "party_application"
    assert draft.dispute_type == "neighbourhood"
    assert (draft.town_id, draft.village_id, draft.grid_id) == (3, 17, None)
    assert draft.people_involved == 2
    assert draft.risk_level == "ordinary"
    assert draft.amount_involved is None
    assert draft.summary == "邻居修建围墙占用通道，双方发生争执。"
    assert draft.claims == ""
    assert draft.chosen_level is None
    assert draft.level_reason == ""
    assert draft.refusal_reason is None
    assert draft.refusal_note == ""


def test_minimal_form_gives_one_person_per_side():
    draft = parse(MINIMAL)
    blank = {"kind": "person", "id_number": "", "phone": "", "address": "", "town_id": None, "village_id": None}
    assert draft.parties == (
        PartyDraft(side="applicant", form_index=0, name="张三", **blank),
        PartyDraft(side="respondent", form_index=0, name="李四", **blank),
    )


def test_text_is_stripped():
    draft = parse(with_changes(summary="  纠纷情况  ", town=" 3 ", **{"applicant-0-name": " 张三 "}))
    assert draft.summary == "纠纷情况"
    assert draft.town_id == 3
    assert draft.side("applicant")[0].name == "张三"


def test_a_full_form():
    draft = parse(
        with_changes(
            grid="5",
            people_involved="4",
            amount_involved="12,345.67",
            risk_level="serious",
            claims="拆除围墙",
            level="town",
            level_reason="双方均要求镇街调解",
            **{
                "applicant-0-id_number": "110105 19491231 002x",
                "applicant-0-phone": "138 0013 8000",
                "applicant-0-address": "城关镇东村 3 组",
                "applicant-0-town": "3",
                "applicant-0-village": "18",
            },
        )
    )
    assert draft.grid_id == 5
    assert draft.people_involved == 4
    assert draft.amount_involved == Decimal("12345.67")
    assert draft.risk_level == "serious"
    assert draft.claims == "拆除围墙"
    assert draft.chosen_level == "town"
    assert draft.level_reason == "双方均要求镇街调解"
    applicant = draft.side("applicant")[0]
    assert applicant.id_number == VALID_ID
    assert applicant.phone == "13800138000"
    assert applicant.address == "城关镇东村 3 组"
    assert (applicant.town_id, applicant.village_id) == (3, 18)


def test_amount_with_a_chinese_comma_and_zero():
    assert parse(with_changes(amount_involved="1，000")).amount_involved == Decimal("1000")
    assert parse(with_changes(amount_involved="0")).amount_involved == Decimal("0")
    assert parse(with_changes(amount_involved="0.5")).amount_involved == Decimal("0.5")


def test_several_parties_per_side():
    form = with_changes(
        **{
            "applicant-3-name": "王五",
            "applicant-3-kind": "organization",
            "respondent-1-name": "赵六",
        }
    )
    draft = parse(form)
    assert [party.name for party in draft.side("applicant")] == ["张三", "王五"]
    assert [party.kind for party in draft.side("applicant")] == ["person", "organization"]
    assert [party.form_index for party in draft.side("applicant")] == [0, 3]
    assert [party.name for party in draft.side("respondent")] == ["李四", "赵六"]
    assert len(draft.parties) == 4


def test_an_unknown_party_kind_counts_as_a_person():
    draft = parse(with_changes(**{"applicant-0-kind": "alien"}))
    assert draft.side("applicant")[0].kind == "person"


def test_a_gap_in_party_indexes_reports_the_right_key():
    problems = problems_of(with_changes(**{"applicant-3-name": " "}))
    assert problems == {"applicant-3-name": "请填写申请人姓名"}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("source", "请选择案件来源"),
        ("dispute_type", "请选择纠纷类型"),
        ("town", "请选择镇街"),
        ("village", "请选择村居"),
        ("applicant-0-name", "请填写申请人姓名"),
        ("respondent-0-name", "请填写被申请人姓名"),
        ("summary", "请填写纠纷简要情况"),
    ],
)
def test_each_required_field_missing(field, message):
    assert problems_of(without(field)) == {field: message}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("source", "请选择案件来源"),
        ("town", "请选择镇街"),
        ("applicant-0-name", "请填写申请人姓名"),
        ("summary", "请填写纠纷简要情况"),
    ],
)
def test_a_blank_required_field_counts_as_missing(field, message):
    assert problems_of(with_changes(**{field: "   "})) == {field: message}


def test_unknown_source():
    assert problems_of(with_changes(source="rumour")) == {"source": "案件来源不在列表中"}


def test_unknown_dispute_type():
    assert problems_of(with_changes(dispute_type="alien")) == {"dispute_type": "纠纷类型不在列表中"}


def test_unknown_risk_level():
    assert problems_of(with_changes(risk_level="apocalyptic")) == {"risk_level": "请选择有效的风险等级"}


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "3a", "12345678901", "²"])
def test_bad_town_id(text):
    assert problems_of(with_changes(town=text)) == {"town": "请选择有效的镇街"}


@pytest.mark.parametrize("text", ["abc", "-1", "x17"])
def test_bad_village_id(text):
    assert problems_of(with_changes(village=text)) == {"village": "请选择有效的村居"}


def test_bad_grid_id():
    assert problems_of(with_changes(grid="abc")) == {"grid": "请选择有效的网格"}


@pytest.mark.parametrize("text", ["0", "abc", "100001", "-3", "2.5"])
def test_bad_people_involved(text):
    assert problems_of(with_changes(people_involved=text)) == {
        "people_involved": "涉及人数应为 1 到 100000 之间的整数"
    }


def test_people_involved_bounds_are_accepted():
    assert parse(with_changes(people_involved="1")).people_involved == 1
    assert parse(with_changes(people_involved="100000")).people_involved == 100_000


@pytest.mark.parametrize("text", ["-1", "abc", "1.234", "NaN", "Infinity", "1000000000000"])
def test_bad_amount(text):
    assert problems_of(with_changes(amount_involved=text)) == {
        "amount_involved": "涉及金额应为不小于 0 的数字，最多两位小数"
    }


def test_summary_too_long():
    assert parse(with_changes(summary="纠" * 2000)).summary == "纠" * 2000
    assert problems_of(with_changes(summary="纠" * 2001)) == {"summary": "纠纷简要情况不能超过 2000 字"}


def test_claims_too_long():
    assert problems_of(with_changes(claims="诉" * 2001)) == {"claims": "当事人诉求不能超过 2000 字"}


def test_party_name_too_long():
    assert problems_of(with_changes(**{"respondent-0-name": "李" * 61})) == {
        "respondent-0-name": "被申请人姓名不能超过 60 字"
    }


def test_address_too_long():
    assert problems_of(with_changes(**{"applicant-0-address": "址" * 201})) == {
        "applicant-0-address": "住址不能超过 200 字"
    }


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("11010519491231002", "身份证号应为 18 位"),
        ("1101051949123100AX", "身份证号前 17 位应为数字，最后一位为数字或 X"),
        ("110105199902300010", "身份证号中的出生日期无效"),
        ("110105194912310020", "身份证号校验位不正确，请核对"),
    ],
)
def test_bad_id_number_for_a_person(id_number, message):
    assert problems_of(with_changes(**{"applicant-0-id_number": id_number})) == {"applicant-0-id_number": message}


def test_bad_id_number_for_a_respondent_has_the_respondent_key():
    assert problems_of(with_changes(**{"respondent-0-id_number": "123"})) == {
        "respondent-0-id_number": "身份证号应为 18 位"
    }


def test_an_organizations_code_is_not_gb_checked():
    form = with_changes(**{"respondent-0-kind": "organization", "respondent-0-id_number": "91330100MA27ABCD1Q"})
    respondent = parse(form).side("respondent")[0]
    assert respondent.kind == "organization"
    assert respondent.id_number == "91330100MA27ABCD1Q"


def test_an_organizations_code_longer_than_eighteen_is_refused():
    form = with_changes(**{"respondent-0-kind": "organization", "respondent-0-id_number": "9" * 19})
    assert problems_of(form) == {"respondent-0-id_number": "证件号码不能超过 18 位"}


@pytest.mark.parametrize("phone", ["abc", "1234", "138-0013-8000-1234-5678", "电话13800138000"])
def test_bad_phone(phone):
    assert problems_of(with_changes(**{"applicant-0-phone": phone})) == {"applicant-0-phone": "电话号码格式不正确"}


@pytest.mark.parametrize("phone", ["13800138000", "0571-88123456", "+86 138 0013 8000", "(0571)88123456"])
def test_good_phone(phone):
    assert parse(with_changes(**{"applicant-0-phone": phone})).side("applicant")[0].phone == phone.replace(" ", "")


def test_level_not_in_levels():
    assert problems_of(with_changes(level="province")) == {"level": "请选择有效的分流层级"}


@pytest.mark.parametrize("level", ["village", "town", "district"])
def test_every_level_can_be_chosen(level):
    assert parse(with_changes(level=level)).chosen_level == level


def test_level_reason_too_long():
    assert problems_of(with_changes(level_reason="理" * 501)) == {"level_reason": "理由不能超过 500 字"}


def test_refusing_without_a_reason():
    assert problems_of(MINIMAL, refusing=True) == {"refusal_reason": "不予受理须选择理由"}


def test_refusing_with_an_unknown_reason():
    assert problems_of(with_changes(refusal_reason="bored"), refusing=True) == {
        "refusal_reason": "不予受理须选择理由"
    }


def test_refusing_with_other_but_no_note():
    assert problems_of(with_changes(refusal_reason="other"), refusing=True) == {
        "refusal_note": "选择“其他”时请写明不予受理的理由"
    }


def test_refusal_note_too_long():
    form = with_changes(refusal_reason="other", refusal_note="说" * 501)
    assert problems_of(form, refusing=True) == {"refusal_note": "说明不能超过 500 字"}


def test_refusing_with_other_and_a_note():
    draft = parse(with_changes(refusal_reason="other", refusal_note="已在派出所调处"), refusing=True)
    assert draft.refusal_reason == "other"
    assert draft.refusal_note == "已在派出所调处"


def test_refusing_with_a_listed_reason():
    draft = parse(with_changes(refusal_reason="party_refuses"), refusing=True)
    assert draft.refusal_reason == "party_refuses"
    assert draft.refusal_note == ""


def test_refusal_fields_are_ignored_when_not_refusing():
    draft = parse(with_changes(refusal_reason="bored", refusal_note="说明"))
    assert draft.refusal_reason is None
    assert draft.refusal_note == ""


def test_many_problems_are_reported_at_once():
    form = {
        "source": "rumour",
        "town": "abc",
        "people_involved": "0",
        "amount_involved": "-5",
        "risk_level": "apocalyptic",
        "applicant-0-name": "张三",
        "applicant-0-id_number": "123",
        "applicant-0-phone": "abc",
        "level": "province",
    }
    with pytest.raises(Invalid) as invalid:
        parse(form, refusing=True)
    assert set(invalid.value.problems) == {
        "source",
        "dispute_type",
        "town",
        "village",
        "people_involved",
        "amount_involved",
        "risk_level",
        "summary",
        "applicant-0-id_number",
        "applicant-0-phone",
        "respondent-0-name",
        "level",
        "refusal_reason",
    }
    assert all(problem.zh and problem.en for problem in invalid.value.problems.values())
    assert invalid.value.messages_zh["town"] == "请选择有效的镇街"
    assert invalid.value.messages_zh["dispute_type"] == "请选择纠纷类型"


def test_invalid_carries_english_for_the_command_line():
    with pytest.raises(Invalid) as invalid:
        parse(without("source"))
    assert invalid.value.english == "source is required"
    assert str(invalid.value) == "source: source is required"
