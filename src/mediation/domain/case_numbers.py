"""Case numbers: a sequence per organization and year, written by a configurable template."""

from __future__ import annotations

from string import Formatter

DEFAULT_TEMPLATE = "（{year}）{org_short}调字第{seq}号"
ALLOWED_FIELDS = frozenset({"year", "org_short", "seq"})


def template_problem(template: str) -> str | None:
    """English: the template comes from the environment, checked at start-up."""
    try:
        fields = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError as exc:
        return f"the case number template is malformed: {exc}"
    unknown = {name.split(":")[0].split("!")[0] for name in fields} - ALLOWED_FIELDS
    if unknown:
        return f"the case number template uses unknown fields: {', '.join(sorted(unknown))}"
    if not any(name.startswith("seq") for name in fields):
        return "the case number template must contain {seq}"
    try:
        format_case_number(template, 2026, "城关", 12)
    except (ValueError, KeyError, IndexError) as exc:
        return f"the case number template cannot be formatted: {exc}"
    return None


def format_case_number(template: str, year: int, org_short: str, seq: int) -> str:
    return template.format(year=year, org_short=org_short, seq=seq)
