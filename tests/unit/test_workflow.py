"""The life of a case: which actions each status allows, the labels and the next step shown to parties."""

import pytest

from mediation.domain.workflow import (
    ACTIONS,
    LEDGER_STATUS,
    REFUSAL_REASONS,
    STATUS_LABELS,
    TransitionRefused,
    check_action,
    next_step,
    status_label,
)

ALLOWED = {
    "accepted": {"edit", "route", "transfer", "escalate", "void"},
    "in_mediation": {"edit", "route", "transfer", "escalate", "void"},
    "closed": set(),
    "archived": set(),
    "refused": {"void"},
    "voided": set(),
}
CASES = [(status, action) for status in STATUS_LABELS for action in ACTIONS]


def test_the_table_covers_every_status_and_action():
    assert set(ALLOWED) == set(STATUS_LABELS)
    assert set(ACTIONS) == {"edit", "route", "transfer", "escalate", "void"}


@pytest.mark.parametrize(("status", "action"), [case for case in CASES if case[1] in ALLOWED[case[0]]])
def test_allowed_actions_pass(status, action):
    assert check_action(status, action) is None


@pytest.mark.parametrize(("status", "action"), [case for case in CASES if case[1] not in ALLOWED[case[0]]])
def test_refused_actions_raise_with_the_status_in_chinese(status, action):
    with pytest.raises(TransitionRefused) as refused:
        check_action(status, action)
    assert refused.value.message == f"案件当前状态为“{STATUS_LABELS[status]}”，不能进行此操作"
    assert str(refused.value) == refused.value.message


def test_editing_a_closed_case_is_refused():
    with pytest.raises(TransitionRefused) as refused:
        check_action("closed", "edit")
    assert refused.value.message == "案件当前状态为“已结案”，不能进行此操作"


def test_voiding_a_voided_case_is_refused():
    with pytest.raises(TransitionRefused) as refused:
        check_action("voided", "void")
    assert refused.value.message == "案件当前状态为“已作废”，不能进行此操作"


def test_an_archived_case_is_read_only():
    for action in ACTIONS:
        with pytest.raises(TransitionRefused):
            check_action("archived", action)


def test_a_refused_registration_can_be_voided():
    check_action("refused", "void")


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("accepted", "已受理"),
        ("in_mediation", "调解中"),
        ("closed", "已结案"),
        ("archived", "已归档"),
        ("refused", "不予受理"),
        ("voided", "已作废"),
    ],
)
def test_status_label(status, label):
    assert status_label(status) == label


def test_status_label_of_an_unknown_status_is_the_status():
    assert status_label("mystery") == "mystery"


@pytest.mark.parametrize("status", list(STATUS_LABELS))
def test_next_step_for_every_status(status):
    step = next_step(status)
    assert step.strip()
    assert any("\u4e00" <= character <= "\u9fff" for character in step)


def test_next_step_of_an_unknown_status_is_empty():
    assert next_step("mystery") == ""


def test_the_ledger_has_five_statuses_and_no_voided():
    assert set(LEDGER_STATUS) == set(STATUS_LABELS) - {"voided"}
    assert all(LEDGER_STATUS[status] == STATUS_LABELS[status] for status in LEDGER_STATUS)


def test_refusal_reasons_include_other():
    assert REFUSAL_REASONS["other"] == "其他"
    assert REFUSAL_REASONS["party_refuses"] == "一方当事人明确拒绝调解"
