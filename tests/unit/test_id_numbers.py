"""Resident identity numbers (GB 11643-1999): the check digit, the birth date, normalizing and masking."""

import pytest

from mediation.domain.id_numbers import (
    check_character,
    id_number_problem,
    mask_id_number,
    mask_phone,
    normalize_id_number,
)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def gb11643_check(first_17: str) -> str:
    """The published algorithm, written independently of the code under test."""
    total = 0
    for digit, weight in zip(first_17, WEIGHTS, strict=True):
        total += int(digit) * weight
    return CHECK_CHARACTERS[total % 11]


def valid_id(first_17: str) -> str:
    return first_17 + gb11643_check(first_17)


def first_prefix_with_check(check: str, region: str = "330681", birth: str = "19850612") -> str:
    """The first 17-digit prefix (region, birth date, sequence 000–999) whose check character is `check`."""
    for sequence in range(1000):
        prefix = f"{region}{birth}{sequence:03d}"
        if gb11643_check(prefix) == check:
            return prefix
    raise AssertionError(f"no sequence gives check character {check}")


def test_the_standard_example_ending_in_x_is_valid():
    assert gb11643_check("11010519491231002") == "X"
    assert check_character("11010519491231002") == "X"
    assert id_number_problem("11010519491231002X") is None


def test_a_computed_number_ending_in_x_is_valid():
    prefix = first_prefix_with_check("X")
    assert check_character(prefix) == "X"
    assert id_number_problem(prefix + "X") is None


@pytest.mark.parametrize("check", list("0123456789X"))
def test_every_check_character_agrees_with_the_published_algorithm(check):
    prefix = first_prefix_with_check(check)
    assert check_character(prefix) == check
    assert id_number_problem(prefix + check) is None


def test_numbers_born_in_the_nineteenth_century_are_valid():
    assert id_number_problem("440524188001010014") is None


def test_leap_day_birth_date_is_valid():
    assert id_number_problem(valid_id("33068120000229123")) is None


@pytest.mark.parametrize("value", ["", "1101051949123100", "11010519491231002", "11010519491231002X0"])
def test_wrong_length(value):
    assert id_number_problem(value) == "身份证号应为 18 位"


def test_fifteen_digit_first_generation_numbers_are_refused():
    assert id_number_problem("110105491231002") == "身份证号应为 18 位"


@pytest.mark.parametrize(
    "value",
    [
        "1101051949123100AX",  # a letter among the first 17
        "A1010519491231002X",
        "11010519491231002Y",  # a last character other than a digit or X
        "11010519491231002x",  # not normalized: lower-case x
        "110105-9491231002X",
    ],
)
def test_letters_and_symbols_are_refused(value):
    assert id_number_problem(value) == "身份证号前 17 位应为数字，最后一位为数字或 X"


def test_non_ascii_digits_are_refused_not_crashed_on():
    value = "²" + "11010519491231002X"[1:]  # "²".isdigit() is True, but int("²") fails
    assert id_number_problem(value) == "身份证号前 17 位应为数字，最后一位为数字或 X"


@pytest.mark.parametrize("birth", ["19990230", "19990229", "19991301", "19990001", "19990100", "00000101"])
def test_invalid_birth_date(birth):
    value = valid_id(f"330681{birth}123")
    assert id_number_problem(value) == "身份证号中的出生日期无效"


def test_wrong_check_digit():
    right = valid_id("33068119850612123")
    wrong = right[:17] + ("0" if right[17] != "0" else "1")
    assert id_number_problem(right) is None
    assert id_number_problem(wrong) == "身份证号校验位不正确，请核对"


def test_a_digit_where_x_belongs_is_wrong():
    assert id_number_problem("110105194912310020") == "身份证号校验位不正确，请核对"


def test_transposed_digits_are_caught():
    right = valid_id("33068119850612123")
    swapped = right[:14] + right[15] + right[14] + right[16:]
    assert swapped != right
    assert id_number_problem(swapped) == "身份证号校验位不正确，请核对"


def test_normalize_upper_cases_x_and_drops_spaces():
    assert normalize_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert id_number_problem(normalize_id_number("11010519491231002x")) is None


def test_normalize_leaves_a_clean_number_alone():
    assert normalize_id_number("440524188001010014") == "440524188001010014"


def test_mask_id_number_keeps_region_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("440524188001010014") == "440524********0014"


def test_mask_id_number_hides_the_birth_date():
    masked = mask_id_number("11010519491231002X")
    assert "19491231" not in masked
    assert len(masked) == 18


def test_mask_id_number_leaves_short_values_alone():
    assert mask_id_number("") == ""
    assert mask_id_number("123456789") == "123456789"


def test_mask_phone_keeps_first_three_and_last_four():
    assert mask_phone("13800138000") == "138****8000"


def test_mask_phone_keeps_only_the_last_four_of_short_numbers():
    assert mask_phone("") == ""
    assert mask_phone("1234") == "****"
    assert mask_phone("123456") == "**3456"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("phone", ["1234567", "88123456"])
def test_mask_phone_hides_at_least_one_digit(phone):
    masked = mask_phone(phone)
    assert sum(character.isdigit() for character in masked) < len(phone)
