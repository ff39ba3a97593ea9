"""The rules of screenings (排查) and zero reports (零上报), pure: form values in, a draft or problems out.

Which villages and grids a user may name comes from the service (it depends on the database and the user's
scope); these functions only check the submitted ids against those sets."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from mediation.domain.reports import MonthInvalid, ReportMonth, parse_month
from mediation.domain.validation import Invalid, Problem, whole_number

EARLIEST_DAY: Final = date(2000, 1, 1)
MAX_FOUND_DISPUTES: Final = 9999
MAX_TEXT: Final = 5000
MAX_NOTE: Final = 200


@dataclass(frozen=True)
class ScreeningDraft:
    screened_on: date
    village_id: int
    grid_id: int | None
    found_disputes: int
    findings: str
    actions: str


def _value(form: Mapping[str, object], name: str) -> str:
    return str(form.get(name, "") or "").strip()


def _day(raw: str, today: date) -> tuple[date | None, Problem | None]:
    if not raw:
        return None, Problem("请填写排查日期", "the screening date is required")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, Problem("排查日期格式不正确，应为 YYYY-MM-DD", f"{raw!r} is not a date")
    if day > today:
        return None, Problem("排查日期不能晚于今天", "the screening date is in the future")
    if day < EARLIEST_DAY:
        return None, Problem("排查日期不能早于 2000-01-01", "the screening date is before 2000")
    return day, None


def _count(raw: str) -> tuple[int | None, Problem | None]:
    if not raw:
        return None, Problem("请填写发现纠纷数（没有发现填 0）", "the number of disputes found is required")
    number = whole_number(raw)
    if number is None:
        return None, Problem("发现纠纷数应为不小于 0 的整数", "disputes found must be a whole number ≥ 0")
    if number > MAX_FOUND_DISPUTES:
        return None, Problem(f"发现纠纷数不能超过 {MAX_FOUND_DISPUTES}", "too many disputes found")
    return number, None


def parse_screening(form: Mapping[str, object], today: date, villages: Collection[int],
                    grids: Collection[int]) -> ScreeningDraft:
    """A screening from the form: `villages` are those the user may record for, `grids` the grids under the
    submitted village. Every problem is reported at once, each under its field."""
    problems: dict[str, Problem] = {}
    screened_on, problem = _day(_value(form, "screened_on"), today)
    if problem:
        problems["screened_on"] = problem
    village_raw = _value(form, "village")
    village_id = whole_number(village_raw)
    if not village_raw:
        problems["village"] = Problem("请选择村居", "a village is required")
    elif village_id is None or village_id not in villages:
        problems["village"] = Problem("只能为本辖区内的村居记录排查", "the village is outside your scope")
    grid_raw = _value(form, "grid")
    grid_id = whole_number(grid_raw) if grid_raw else None
    if grid_raw and "village" not in problems and (grid_id is None or grid_id not in grids):
        problems["grid"] = Problem("所选网格不属于该村居", "the grid is not in that village")
    found, problem = _count(_value(form, "found_disputes"))
    if problem:
        problems["found_disputes"] = problem
    findings = _value(form, "findings")
    if len(findings) > MAX_TEXT:
        problems["findings"] = Problem(f"排查情况不能超过 {MAX_TEXT} 字", "the findings are too long")
    actions = _value(form, "actions")
    if found and not actions:
        problems["actions"] = Problem("发现纠纷时请填写处置措施", "actions are required when disputes were found")
    elif len(actions) > MAX_TEXT:
        problems["actions"] = Problem(f"处置措施不能超过 {MAX_TEXT} 字", "the actions are too long")
    if problems:
        raise Invalid(problems)
    assert screened_on is not None and village_id is not None and found is not None
    return ScreeningDraft(screened_on, village_id, grid_id, found, findings, actions)


def filing_months(today: date) -> list[ReportMonth]:
    """The months a zero report may be filed for: this month (the default) and the previous one."""
    current = parse_month(f"{today.year:04d}-{today.month:02d}", today)
    previous_last = date.fromordinal(current.first.toordinal() - 1)
    return [current, parse_month(f"{previous_last.year:04d}-{previous_last.month:02d}", today)]


def parse_filing_month(value: str, today: date) -> ReportMonth:
    """The month of a zero report: well formed, not in the future, and this month or the previous one."""
    if not value.strip():
        raise Invalid({"month": Problem("请选择零上报的月份", "a month is required")})
    try:
        month = parse_month(value, date.max)
    except MonthInvalid as invalid:
        raise Invalid({"month": Problem(invalid.zh, invalid.en)}) from invalid
    if month.first > today:
        raise Invalid({"month": Problem("不能为尚未到来的月份零上报", f"{month.key} is in the future")})
    if month.key not in {allowed.key for allowed in filing_months(today)}:
        raise Invalid({"month": Problem("只能为本月或上月零上报", f"{month.key} is neither this month nor the last")})
    return parse_month(month.key, today)


def parse_note(form: Mapping[str, object]) -> str:
    note = _value(form, "note")
    if len(note) > MAX_NOTE:
        raise Invalid({"note": Problem(f"说明不能超过 {MAX_NOTE} 字", "the note is too long")})
    return note


def zero_report_refusal(month: ReportMonth, cases_in_month: int, filed_on: date | None) -> Problem | None:
    """Why a village may not file a zero report for `month`: it has filed one already (`filed_on` is that
    filing's local date), or it registered cases in that month."""
    if filed_on is not None:
        return Problem(f"已于 {filed_on.isoformat()} 零上报（{month.label}），无需重复上报",
                       f"a zero report for {month.key} was filed on {filed_on.isoformat()}")
    if cases_in_month:
        return Problem("本村本月已有登记案件，无需零上报", f"the village registered cases in {month.key}")
    return None
