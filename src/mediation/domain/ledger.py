"""The case ledger (台账, CONTRACT.md): its columns, the rules a row must meet, and how a case is written
back as a row. Pure: rows in, checked rows or problems out; nothing here reads the database.

The rules of the CONTRACT table are the only rules a row must meet; the lengths checked besides are the
columns' sizes in the database. Anything that needs the database (the place tree, the dictionaries, the
organizations) arrives as a `LedgerReference` built by the service."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from string import Formatter
from typing import Final

from mediation.domain.closing import AGREEMENT_FORMS, CONFIRMATION_RESULTS, OUTCOMES
from mediation.domain.id_numbers import id_number_problem, normalize_id_number
from mediation.domain.validation import whole_number
from mediation.domain.workflow import LEDGER_STATUS

LEDGER_COLUMNS: Final = (
    "案件编号", "受理日期", "案件来源", "纠纷类型", "镇街", "村居", "网格",
    "申请人姓名", "申请人身份证号", "申请人电话", "被申请人姓名", "被申请人身份证号", "被申请人电话",
    "涉及人数", "涉及金额(元)", "风险等级", "纠纷简要情况", "调解组织", "调解员", "法律顾问", "状态",
    "调解结果", "结案日期", "协议形式", "协议金额(元)", "司法确认", "防止民转刑人数", "防止群体性上访人数",
)
REQUIRED_COLUMNS: Final = (
    "案件编号", "受理日期", "案件来源", "纠纷类型", "镇街", "村居", "申请人姓名", "被申请人姓名", "纠纷简要情况", "状态",
)
SIDE_COLUMNS: Final = {
    "applicant": ("申请人姓名", "申请人身份证号", "申请人电话"),
    "respondent": ("被申请人姓名", "被申请人身份证号", "被申请人电话"),
}
STATUS_CODES: Final = {label: code for code, label in LEDGER_STATUS.items()}
CLOSED_STATUSES: Final = frozenset({"closed", "archived"})
OUTCOME_CODES: Final = {label: code for code, label in OUTCOMES.items()}
FORM_CODES: Final = {label: code for code, label in AGREEMENT_FORMS.items()}
NOT_APPLIED: Final = "未申请"
CONFIRMATION_CODES: Final = {NOT_APPLIED: None, **{label: code for code, label in CONFIRMATION_RESULTS.items()}}
SEPARATOR: Final = "、"
DEFAULT_PEOPLE: Final = 2
DEFAULT_RISK: Final = "一般"
MAX_NUMBER = 60
MAX_NAME = 60
MAX_ID = 18
MAX_PHONE = 20
MAX_PARTIES = 20
MAX_NAMES_TEXT = 400
MAX_AMOUNT: Final = Decimal(10) ** 12
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


@dataclass(frozen=True)
class LedgerProblem:
    """One problem of the file: its line (the header is line 1), its column, and why (Chinese and English)."""

    line: int
    column: str
    zh: str
    en: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.en}"


@dataclass(frozen=True)
class OrganizationRef:
    id: int
    level: str  # village | town | district: the level a case handled there sits at


@dataclass(frozen=True)
class ImportArea:
    """Where an importing user may create cases (their scope); all None: anywhere (the district, the CLI)."""

    town_id: int | None = None
    village_id: int | None = None
    organization_id: int | None = None


@dataclass(frozen=True)
class LedgerReference:
    """What the rows are checked against, by the names a ledger uses."""

    sources: Mapping[str, str]  # label -> code
    dispute_types: Mapping[str, str]
    risk_levels: Mapping[str, str]
    towns: Mapping[str, int]  # town name -> place id
    villages: Mapping[tuple[int, str], int]  # (town id, village name) -> place id
    grids: Mapping[tuple[int, str], int]  # (village id, grid name) -> place id
    organizations: Mapping[str, OrganizationRef]  # organization name -> organization
    village_committees: Mapping[int, str]  # village id -> the name of its committee
    area: ImportArea = field(default_factory=ImportArea)


@dataclass(frozen=True)
class LedgerParty:
    name: str
    id_number: str
    phone: str


@dataclass(frozen=True)
class LedgerRow:
    """A valid row, with codes and place and organization ids in place of the ledger's words."""

    line: int
    number: str
    accepted_on: date
    source: str
    dispute_type: str
    town_id: int
    village_id: int
    grid_id: int | None
    applicants: tuple[LedgerParty, ...]
    respondents: tuple[LedgerParty, ...]
    people_involved: int
    amount_involved: Decimal | None
    risk_level: str
    summary: str
    organization: OrganizationRef
    mediators: tuple[str, ...]
    advisors: tuple[str, ...]
    status: str
    outcome: str | None
    closed_on: date | None
    agreement_form: str | None
    agreement_amount: Decimal | None
    confirmation: str | None  # None: 未申请
    prevented_criminal_people: int
    prevented_petition_people: int


def parse_date(text: str) -> date | None:
    """`YYYY-MM-DD` or `YYYY/M/D` (Excel date cells arrive as `YYYY-MM-DD`); None if it is not a date."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def parse_amount(text: str) -> Decimal | None:
    """A sum in 元 (≥ 0, at most two decimals, thousands separators allowed); None if it is not one."""
    plain = text.strip().replace(",", "").replace("，", "")
    if not _AMOUNT.fullmatch(plain):
        return None
    amount = Decimal(plain)
    return amount if amount < MAX_AMOUNT else None


def split_names(text: str) -> list[str]:
    return [part.strip() for part in text.split(SEPARATOR)] if text.strip() else []


class _Row:
    """The cells of one row by column name, collecting its problems as they are found."""

    def __init__(self, line: int, values: dict[str, str]) -> None:
        self.line = line
        self.values = values
        self.problems: list[LedgerProblem] = []
        self.failed_columns: set[str] = set()

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def problem(self, column: str, zh: str, en: str) -> None:
        self.problems.append(LedgerProblem(self.line, column, zh, en))
        self.failed_columns.add(column)

    def failed(self, column: str) -> bool:
        return column in self.failed_columns

    def required(self, column: str) -> str:
        value = self.get(column)
        if not value:
            self.problem(column, "不能为空", "is required")
        return value

    def choice(self, column: str, choices: Mapping[str, str | None], default: str = "") -> str | None:
        value = self.get(column) or default
        if value and value not in choices:
            names = "、".join(choices)
            self.problem(column, f"“{value}”不是可选的值（{names}）", f"{value!r} is not one of {', '.join(choices)}")
            return None
        return choices.get(value) if value else None

    def date(self, column: str) -> date | None:
        value = self.get(column)
        if not value:
            return None
        found = parse_date(value)
        if found is None:
            self.problem(column, f"“{value}”不是日期（应为 YYYY-MM-DD 或 YYYY/M/D）",
                         f"{value!r} is not a date (YYYY-MM-DD or YYYY/M/D)")
        return found

    def count(self, column: str, minimum: int, default: int) -> int:
        value = self.get(column)
        if not value:
            return default
        number = whole_number(value)
        if number is None or number < minimum:
            self.problem(column, f"应为不小于 {minimum} 的整数", f"must be a whole number of at least {minimum}")
            return default
        return number

    def amount(self, column: str) -> Decimal | None:
        value = self.get(column)
        if not value:
            return None
        amount = parse_amount(value)
        if amount is None:
            self.problem(column, "应为不小于 0 的金额，最多两位小数", "must be an amount of at least 0 with at most two decimals")
        return amount

    def limited(self, column: str, limit: int) -> str:
        value = self.get(column)
        if len(value) > limit:
            self.problem(column, f"不能超过 {limit} 个字符", f"is longer than {limit} characters")
        return value


def check_header(header: Sequence[str]) -> list[LedgerProblem]:
    problems = [LedgerProblem(1, name or f"(第 {index} 列)", "未知的列", "unknown column")
                for index, name in enumerate(header, start=1) if name not in LEDGER_COLUMNS]
    problems += [LedgerProblem(1, name, "缺少必需的列", "required column is missing")
                 for name in REQUIRED_COLUMNS if name not in header]
    problems += [LedgerProblem(1, name, "列名重复", "the column appears twice")
                 for name in dict.fromkeys(header) if name and header.count(name) > 1]
    return problems


def parse_ledger(header: Sequence[str], rows: Sequence[tuple[int, Sequence[str]]],
                 reference: LedgerReference) -> tuple[list[LedgerRow], list[LedgerProblem]]:
    """Check every row; the rows come back only when there is no problem at all (all or nothing)."""
    problems = check_header(header)
    if problems:
        return [], problems
    index = {name: position for position, name in enumerate(header)}
    parsed: list[LedgerRow] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
        row = _Row(line, values)
        number = row.limited("案件编号", MAX_NUMBER)
        if number and number in seen:
            row.problem("案件编号", f"与第 {seen[number]} 行重复", f"repeats line {seen[number]}")
        elif number:
            seen[number] = line
        result = _check_row(row, reference)
        problems += row.problems
        if result is not None and not row.problems:
            parsed.append(result)
    return ([], problems) if problems else (parsed, [])


def _check_row(row: _Row, reference: LedgerReference) -> LedgerRow | None:
    for column in REQUIRED_COLUMNS:
        row.required(column)
    accepted_on = row.date("受理日期")
    source = row.choice("案件来源", reference.sources)
    dispute_type = row.choice("纠纷类型", reference.dispute_types)
    town_id, village_id, grid_id = _places(row, reference)
    sides = {side: _parties(row, columns) for side, columns in SIDE_COLUMNS.items()}
    people = row.count("涉及人数", 1, DEFAULT_PEOPLE)
    amount = row.amount("涉及金额(元)")
    risk_level = row.choice("风险等级", reference.risk_levels, DEFAULT_RISK)
    summary = row.get("纠纷简要情况")
    organization = _organization(row, reference, village_id)
    mediators = _names(row, "调解员")
    advisors = _names(row, "法律顾问")
    status = row.choice("状态", STATUS_CODES)
    outcome, closed_on, agreement_form, confirmation = _closing(row, status, accepted_on)
    agreement_amount = row.amount("协议金额(元)")
    criminal = row.count("防止民转刑人数", 0, 0)
    petition = row.count("防止群体性上访人数", 0, 0)
    _check_area(row, reference.area, town_id, village_id, organization)
    if row.problems:
        return None
    assert accepted_on and source and dispute_type and town_id and village_id and risk_level and status
    assert organization is not None
    return LedgerRow(
        line=row.line, number=row.get("案件编号"), accepted_on=accepted_on, source=source,
        dispute_type=dispute_type, town_id=town_id, village_id=village_id, grid_id=grid_id,
        applicants=sides["applicant"], respondents=sides["respondent"], people_involved=people,
        amount_involved=amount, risk_level=risk_level, summary=summary, organization=organization,
        mediators=mediators, advisors=advisors, status=status, outcome=outcome, closed_on=closed_on,
        agreement_form=agreement_form, agreement_amount=agreement_amount, confirmation=confirmation,
        prevented_criminal_people=criminal, prevented_petition_people=petition,
    )


def _places(row: _Row, reference: LedgerReference) -> tuple[int | None, int | None, int | None]:
    town, village, grid = row.get("镇街"), row.get("村居"), row.get("网格")
    town_id = reference.towns.get(town) if town else None
    if town and town_id is None:
        row.problem("镇街", f"地点库中没有镇街“{town}”", f"{town!r} is not a town of the place tree")
    village_id = reference.villages.get((town_id, village)) if town_id and village else None
    if town_id and village and village_id is None:
        row.problem("村居", f"镇街“{town}”下没有村居“{village}”", f"{village!r} is not a village of {town!r}")
    grid_id = reference.grids.get((village_id, grid)) if village_id and grid else None
    if village_id and grid and grid_id is None:
        row.problem("网格", f"村居“{village}”下没有网格“{grid}”", f"{grid!r} is not a grid of {village!r}")
    return town_id, village_id, grid_id


def _parties(row: _Row, columns: tuple[str, str, str]) -> tuple[LedgerParty, ...]:
    """The parties of one side: the three columns list them in the same order, joined with `、`."""
    name_column, id_column, phone_column = columns
    names = split_names(row.get(name_column))
    if len(names) > MAX_PARTIES:
        row.problem(name_column, f"每方当事人最多 {MAX_PARTIES} 人", f"has more than {MAX_PARTIES} parties")
    for position, name in enumerate(names, start=1):
        if not name:
            row.problem(name_column, f"第 {position} 个姓名为空（多余的“、”？）", f"name {position} is empty")
        elif len(name) > MAX_NAME:
            row.problem(name_column, f"第 {position} 个姓名超过 {MAX_NAME} 个字符",
                        f"name {position} is longer than {MAX_NAME} characters")
    id_numbers = [normalize_id_number(value) for value in split_names(row.get(id_column))]
    phones = [value.replace(" ", "") for value in split_names(row.get(phone_column))]
    for column, values in ((id_column, id_numbers), (phone_column, phones)):
        if values and len(values) != len(names):
            row.problem(column, f"有 {len(values)} 项，而{name_column}有 {len(names)} 项（用“、”分隔，顺序一致）",
                        f"has {len(values)} entries but {name_column} has {len(names)}")
    for position, id_number in enumerate(id_numbers, start=1):
        if id_number and (reason := id_number_problem(id_number)):
            row.problem(id_column, f"第 {position} 项：{reason}",
                        f"entry {position} is not a valid 18-character ID number (GB 11643 check digit)")
    for position, phone in enumerate(phones, start=1):
        if len(phone) > MAX_PHONE:
            row.problem(phone_column, f"第 {position} 项超过 {MAX_PHONE} 个字符",
                        f"entry {position} is longer than {MAX_PHONE} characters")
    if row.failed(name_column) or row.failed(id_column) or row.failed(phone_column):
        return ()
    return tuple(
        LedgerParty(name, id_numbers[i] if id_numbers else "", phones[i] if phones else "")
        for i, name in enumerate(names)
    )


def _organization(row: _Row, reference: LedgerReference, village_id: int | None) -> OrganizationRef | None:
    name = row.get("调解组织")
    if name:
        found = reference.organizations.get(name)
        if found is None:
            row.problem("调解组织", f"没有名为“{name}”的调解组织", f"{name!r} is not the name of an organization")
        return found
    if village_id is None:
        return None
    committee = reference.village_committees.get(village_id)
    if committee is None:
        row.problem("调解组织", "该村居没有调委会，请填写调解组织", "the village has no committee: name the organization")
        return None
    return reference.organizations[committee]


def _names(row: _Row, column: str) -> tuple[str, ...]:
    """Free text: one or more names joined with `、` (linked to accounts or the registry where they match)."""
    row.limited(column, MAX_NAMES_TEXT)
    return tuple(dict.fromkeys(name for name in split_names(row.get(column)) if name))


def _closing(row: _Row, status: str | None,
             accepted_on: date | None) -> tuple[str | None, date | None, str | None, str | None]:
    """调解结果 exactly for 已结案/已归档, 结案日期 exactly with it, 协议形式 exactly for 调解成功, and
    司法确认 other than 未申请 only with a written agreement."""
    closed = status in CLOSED_STATUSES
    outcome_text, closed_text, form_text = row.get("调解结果"), row.get("结案日期"), row.get("协议形式")
    outcome = row.choice("调解结果", OUTCOME_CODES)
    if status and closed and not outcome_text:
        row.problem("调解结果", "状态为已结案或已归档时必须填写", "is required when 状态 is 已结案 or 已归档")
    elif status and not closed and outcome_text and not row.failed("调解结果"):
        row.problem("调解结果", "只有状态为已结案或已归档时才能填写", "must be empty unless 状态 is 已结案 or 已归档")
    closed_on = row.date("结案日期")
    if outcome_text and not closed_text:
        row.problem("结案日期", "填写了调解结果时必须填写", "is required with 调解结果")
    elif closed_text and not outcome_text and not closed:
        row.problem("结案日期", "没有调解结果时不能填写", "must be empty without 调解结果")
    elif closed_on and accepted_on and closed_on < accepted_on:
        row.problem("结案日期", f"不能早于受理日期 {accepted_on.isoformat()}", f"is before 受理日期 {accepted_on}")
    agreement_form = row.choice("协议形式", FORM_CODES)
    if outcome == "success" and not form_text:
        row.problem("协议形式", "调解结果为调解成功时必须填写", "is required when 调解结果 is 调解成功")
    elif form_text and outcome != "success" and not row.failed("调解结果") and not row.failed("协议形式"):
        row.problem("协议形式", "只有调解结果为调解成功时才能填写", "must be empty unless 调解结果 is 调解成功")
    confirmation = row.choice("司法确认", CONFIRMATION_CODES, NOT_APPLIED)
    if confirmation is not None and agreement_form != "written" and not row.failed("协议形式"):
        row.problem("司法确认", "只有书面协议才能申请司法确认（协议形式应为书面）",
                    "other than 未申请 needs 协议形式 书面")
    return outcome, closed_on, agreement_form, confirmation


def _check_area(row: _Row, area: ImportArea, town_id: int | None, village_id: int | None,
                organization: OrganizationRef | None) -> None:
    if area.town_id is not None and town_id is not None and town_id != area.town_id:
        row.problem("镇街", "不在您的管辖范围内", "is outside the importing user's area")
    if area.village_id is not None and village_id is not None and village_id != area.village_id:
        row.problem("村居", "不在您的管辖范围内", "is outside the importing user's area")
    if area.organization_id is not None and organization is not None and organization.id != area.organization_id:
        row.problem("调解组织", "不在您的管辖范围内", "is outside the importing user's area")


# Writing a case back as a row.

@dataclass(frozen=True)
class LedgerRecord:
    """One case as the export reads it: labels already looked up, names of places and people as text."""

    number: str
    accepted_on: date
    source: str
    dispute_type: str
    town: str
    village: str
    grid: str
    applicants: Sequence[LedgerParty]
    respondents: Sequence[LedgerParty]
    people_involved: int
    amount_involved: Decimal | None
    risk_level: str
    summary: str
    organization: str
    mediators: str
    advisors: str
    status: str
    outcome: str | None
    closed_on: date | None
    agreement_form: str | None
    agreement_amount: Decimal | None
    confirmation: str | None
    prevented_criminal_people: int
    prevented_petition_people: int


def format_amount(amount: Decimal | None) -> str:
    """The shortest exact writing: 5000, 1234.5, 0.05 (what a ledger keeper types)."""
    if amount is None:
        return ""
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _join(values: Sequence[str]) -> str:
    """A side's IDs or phones: empty when no party has one, else one entry per party (empty ones too)."""
    return SEPARATOR.join(values) if any(values) else ""


def ledger_cells(record: LedgerRecord) -> list[str]:
    """The row of one case in LEDGER_COLUMNS order, in the words the ledger uses."""
    closed = record.status in CLOSED_STATUSES and record.outcome in OUTCOMES
    success = closed and record.outcome == "success"
    return [
        record.number,
        record.accepted_on.isoformat(),
        record.source,
        record.dispute_type,
        record.town,
        record.village,
        record.grid,
        SEPARATOR.join(party.name for party in record.applicants),
        _join([party.id_number for party in record.applicants]),
        _join([party.phone for party in record.applicants]),
        SEPARATOR.join(party.name for party in record.respondents),
        _join([party.id_number for party in record.respondents]),
        _join([party.phone for party in record.respondents]),
        str(record.people_involved),
        format_amount(record.amount_involved),
        record.risk_level,
        record.summary,
        record.organization,
        record.mediators,
        record.advisors,
        LEDGER_STATUS.get(record.status, ""),
        OUTCOMES[record.outcome] if closed and record.outcome else "",
        record.closed_on.isoformat() if closed and record.closed_on else "",
        AGREEMENT_FORMS.get(record.agreement_form or "", "") if success else "",
        format_amount(record.agreement_amount),
        CONFIRMATION_RESULTS.get(record.confirmation or "", NOT_APPLIED),
        str(record.prevented_criminal_people),
        str(record.prevented_petition_people),
    ]


def ledger_names(recorded: Sequence[str], unlinked: Collection[str], assigned: Sequence[str]) -> str:
    """The 调解员 or 法律顾问 cell: the ledger's own names in its order, less those linked to an account at
    import and no longer assigned, then whoever has been assigned since."""
    kept = [name for name in recorded if name in unlinked or name in assigned]
    return SEPARATOR.join(kept + [name for name in dict.fromkeys(assigned) if name not in kept])


def case_number_pattern(template: str) -> re.Pattern[str]:
    """The app's own case numbers (domain/case_numbers.py) as a pattern with `year`, `org_short` and `seq`."""
    pattern = ""
    used: set[str] = set()
    for literal, name, _spec, _conversion in Formatter().parse(template):
        pattern += re.escape(literal)
        if name is None:
            continue
        if name in used:
            pattern += f"(?P={name})"
            continue
        used.add(name)
        pattern += {"year": r"(?P<year>\d{4})", "seq": r"(?P<seq>\d+)"}.get(name, rf"(?P<{name}>.+?)")
    return re.compile(pattern)


def numbering_of(pattern: re.Pattern[str], number: str) -> tuple[int, str | None, int] | None:
    """(year, organization short name, sequence) of a number written by the app's template, else None.
    The short name is None when the template does not write one (the number fits every organization)."""
    match = pattern.fullmatch(number)
    if match is None:
        return None
    groups = match.groupdict()
    if not groups.get("year") or not groups.get("seq"):
        return None
    return int(groups["year"]), groups.get("org_short"), int(groups["seq"])
