"""Validation of a legal-advisor registry file (CONTRACT.md): pure, rows in, advisors or errors out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from mediation.domain.places import RowError

ADVISOR_COLUMNS: Final = ("姓名", "执业机构", "执业证号", "电话", "服务村居", "账号")
REQUIRED_ADVISOR_COLUMNS: Final = ("姓名", "执业机构", "执业证号", "服务村居")
LICENCE_PATTERN = re.compile(r"^[0-9A-Za-z\-]{6,40}$")
PHONE_PATTERN = re.compile(r"^[0-9+\-() ]{5,20}$")


@dataclass(frozen=True)
class AdvisorRow:
    line: int
    name: str
    firm: str
    licence_no: str
    phone: str
    villages: tuple[tuple[str, str], ...]  # (镇街, 村居)
    account: str


def parse_advisor_rows(header: list[str], rows: list[tuple[int, list[str]]]) -> tuple[list[AdvisorRow], list[RowError]]:
    errors: list[RowError] = []
    for name in header:
        if name not in ADVISOR_COLUMNS:
            errors.append(RowError(1, name, "unknown column"))
    for name in REQUIRED_ADVISOR_COLUMNS:
        if name not in header:
            errors.append(RowError(1, name, "required column is missing"))
    if len(set(header)) != len(header):
        errors.append(RowError(1, "", "a column appears twice"))
    if errors:
        return [], errors
    index = {name: header.index(name) for name in header}
    advisors: list[AdvisorRow] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
        row_errors: list[RowError] = []
        for name, limit in (("姓名", 40), ("执业机构", 100)):
            if not values[name]:
                row_errors.append(RowError(line, name, "is empty"))
            elif len(values[name]) > limit:
                row_errors.append(RowError(line, name, f"is longer than {limit} characters"))
        licence = values["执业证号"]
        if not LICENCE_PATTERN.fullmatch(licence):
            row_errors.append(RowError(line, "执业证号", "must be 6-40 letters, digits or '-'"))
        elif licence in seen:
            row_errors.append(RowError(line, "执业证号", f"repeats line {seen[licence]}"))
        else:
            seen[licence] = line
        phone = values.get("电话", "")
        if phone and not PHONE_PATTERN.fullmatch(phone):
            row_errors.append(RowError(line, "电话", "is not a phone number"))
        villages: list[tuple[str, str]] = []
        for item in filter(None, (part.strip() for part in values["服务村居"].split("、"))):
            town, slash, village = item.partition("/")
            if not slash or not town.strip() or not village.strip():
                row_errors.append(RowError(line, "服务村居", f"{item!r} is not written as 镇街/村居"))
            elif (town.strip(), village.strip()) not in villages:
                villages.append((town.strip(), village.strip()))
        if not values["服务村居"]:
            row_errors.append(RowError(line, "服务村居", "is empty"))
        if row_errors:
            errors.extend(row_errors)
            continue
        advisors.append(AdvisorRow(line, values["姓名"], values["执业机构"], licence, phone.replace(" ", ""),
                                   tuple(villages), values.get("账号", "").lower()))
    if not errors and not advisors:
        errors.append(RowError(2, "", "the file has no advisor rows"))
    return advisors, errors
