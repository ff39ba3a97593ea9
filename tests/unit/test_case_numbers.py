"""Case numbers: the default template, custom templates and the start-up check of a template."""

import pytest

from mediation.domain.case_numbers import DEFAULT_TEMPLATE, format_case_number, template_problem


def test_default_template_formatting():
    assert format_case_number(DEFAULT_TEMPLATE, 2026, "城关", 12) == "（2026）城关调字第12号"


def test_default_template_does_not_pad():
    assert format_case_number(DEFAULT_TEMPLATE, 2027, "东城", 1) == "（2027）东城调字第1号"
    assert format_case_number(DEFAULT_TEMPLATE, 2027, "东城", 1234) == "（2027）东城调字第1234号"


def test_default_template_is_good():
    assert template_problem(DEFAULT_TEMPLATE) is None


def test_custom_template_with_padding():
    template = "{org_short}{year}-{seq:05d}"
    assert template_problem(template) is None
    assert format_case_number(template, 2026, "城关", 12) == "城关2026-00012"
    assert format_case_number(template, 2026, "城关", 123456) == "城关2026-123456"


def test_template_with_seq_only_is_good():
    assert template_problem("{seq}") is None


def test_missing_seq():
    assert template_problem("（{year}）{org_short}调字") == "the case number template must contain {seq}"


def test_no_fields_at_all():
    assert template_problem("调字第号") == "the case number template must contain {seq}"


def test_unknown_field():
    assert template_problem("{org}{year}-{seq}") == "the case number template uses unknown fields: org"


def test_unknown_fields_are_listed_sorted():
    assert template_problem("{zone}{area}{seq}") == "the case number template uses unknown fields: area, zone"


def test_unknown_field_with_a_format_spec():
    assert template_problem("{number:05d}") == "the case number template uses unknown fields: number"


@pytest.mark.parametrize("template", ["{seq", "{year}-{seq", "seq}", "{org_short}}{seq}"])
def test_malformed_braces(template):
    problem = template_problem(template)
    assert problem is not None
    assert problem.startswith("the case number template is malformed: ")


def test_escaped_braces_are_fine():
    template = "{{{org_short}}}{seq}"
    assert template_problem(template) is None
    assert format_case_number(template, 2026, "城关", 3) == "{城关}3"


@pytest.mark.parametrize("template", ["{org_short}{seq!z}", "{org_short:05d}{seq}", "{seq:%Y}"])
def test_a_template_that_cannot_be_formatted_is_refused(template):
    with pytest.raises(ValueError):
        format_case_number(template, 2026, "城关", 12)
    assert template_problem(template) is not None
