"""Resident identity numbers (GB 11643-1999): 18 characters, a valid birth date, the ISO 7064 check digit."""

from __future__ import annotations

import unicodedata
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"


def normalize_id_number(value: str) -> str:
    """Full-width digits and letters (as typed with a Chinese input method) become ASCII."""
    return unicodedata.normalize("NFKC", value).strip().replace(" ", "").upper()


def check_character(first_17: str) -> str:
    return _CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first_17, _WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str) -> str | None:
    """Why `value` is not a valid 身份证号 (in Chinese), or None. Expects a normalized value."""
    if len(value) != 18:
        return "身份证号应为 18 位"
    if not value.isascii() or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "身份证号前 17 位应为数字，最后一位为数字或 X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if check_character(value[:17]) != value[17]:
        return "身份证号校验位不正确，请核对"
    return None


def mask_id_number(value: str) -> str:
    """Keep the region and the last four characters: enough to tell people apart, not to misuse."""
    if len(value) < 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """Mobile numbers keep the first three and last four digits; shorter numbers only the last four."""
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)
