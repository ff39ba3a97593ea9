"""The intake form as a pure function: submitted fields in, a checked draft (or every problem) out.

Field names are English; the labels the user sees (申请人姓名 …) live in the template. The rules are
the ledger's (CONTRACT.md): required 案件来源, 纠纷类型, 镇街, 村居, 申请人姓名, 被申请人姓名, 纠纷简要情况;
涉及人数 defaults to 2 and 风险等级 to 一般."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from mediation.domain.id_numbers import id_number_problem, normalize_id_number
from mediation.domain.routing import LEVELS
from mediation.domain.validation import Invalid, Problem, whole_number

SIDES = {"applicant": "申请人", "respondent": "被申请人"}
PARTY_KINDS = {"person": "个人", "organization": "单位"}
MAX_PARTIES_PER_SIDE = 20
MAX_SUMMARY = 2000
MAX_NAME = 60
MAX_ADDRESS = 200
MAX_PEOPLE = 100_000
MAX_AMOUNT = Decimal("1000000000000")
PHONE_PATTERN = re.compile(r"^[0-9+\-() ]{5,20}$")


@dataclass(frozen=True)
class PartyDraft:
    side: str
    form_index: int
    kind: str
    name: str
    id_number: str
    phone: str
    address: str
    town_id: int | None
    village_id: int | None


@dataclass(frozen=True)
class IntakeDraft:
    source: str
    dispute_type: str
    town_id: int
    village_id: int
    grid_id: int | None
    people_involved: int
    amount_involved: Decimal | None
    risk_level: str
    summary: str
    claims: str
    parties: tuple[PartyDraft, ...]
    chosen_level: str | None = None
    level_reason: str = ""
    refusal_reason: str | None = None
    refusal_note: str = ""

    def side(self, side: str) -> list[PartyDraft]:
        return [party for party in self.parties if party.side == side]


def party_indexes(form: Mapping[str, str], side: str) -> list[int]:
    """The indexes of the party blocks present in the form (`applicant-0-name`, `applicant-3-name`, …)."""
    pattern = re.compile(rf"^{side}-(\d{{1,2}})-name$")
    found = sorted({int(m.group(1)) for key in form if (m := pattern.match(key))})
    return found[:MAX_PARTIES_PER_SIDE] or [0]


def _text(form: Mapping[str, str], name: str) -> str:
    return str(form.get(name, "")).strip()


def parse_intake(
    form: Mapping[str, str],
    sources: Collection[str],
    dispute_types: Collection[str],
    risk_levels: Collection[str],
    refusal_reasons: Collection[str] = (),
    refusing: bool = False,
) -> IntakeDraft:
    problems: dict[str, Problem] = {}

    def need(name: str, message: str) -> str:
        value = _text(form, name)
        if not value:
            problems[name] = Problem(message, f"{name} is required")
        return value

    source = need("source", "请选择案件来源")
    if source and source not in sources:
        problems["source"] = Problem("案件来源不在列表中", "unknown source")
    dispute_type = need("dispute_type", "请选择纠纷类型")
    if dispute_type and dispute_type not in dispute_types:
        problems["dispute_type"] = Problem("纠纷类型不在列表中", "unknown dispute type")
    town_id = whole_number(need("town", "请选择镇街"))
    village_id = whole_number(need("village", "请选择村居"))
    if _text(form, "town") and town_id is None:
        problems["town"] = Problem("请选择有效的镇街", "invalid town")
    if _text(form, "village") and village_id is None:
        problems["village"] = Problem("请选择有效的村居", "invalid village")
    grid_id = whole_number(_text(form, "grid")) if _text(form, "grid") else None
    if _text(form, "grid") and grid_id is None:
        problems["grid"] = Problem("请选择有效的网格", "invalid grid")

    people_text = _text(form, "people_involved") or "2"
    people = whole_number(people_text)
    if people is None or not 1 <= people <= MAX_PEOPLE:
        problems["people_involved"] = Problem(f"涉及人数应为 1 到 {MAX_PEOPLE} 之间的整数", "bad people count")
        people = 2

    amount: Decimal | None = None
    amount_text = _text(form, "amount_involved").replace(",", "").replace("，", "")
    if amount_text:
        try:
            amount = Decimal(amount_text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT \
                or amount.as_tuple().exponent < -2:
            problems["amount_involved"] = Problem("涉及金额应为不小于 0 的数字，最多两位小数", "bad amount")
            amount = None

    risk_level = _text(form, "risk_level") or "ordinary"
    if risk_level not in risk_levels:
        problems["risk_level"] = Problem("请选择有效的风险等级", "unknown risk level")

    summary = need("summary", "请填写纠纷简要情况")
    if len(summary) > MAX_SUMMARY:
        problems["summary"] = Problem(f"纠纷简要情况不能超过 {MAX_SUMMARY} 字", "summary too long")
    claims = _text(form, "claims")
    if len(claims) > MAX_SUMMARY:
        problems["claims"] = Problem(f"当事人诉求不能超过 {MAX_SUMMARY} 字", "claims too long")

    parties: list[PartyDraft] = []
    for side, side_label in SIDES.items():
        for index in party_indexes(form, side):
            prefix = f"{side}-{index}-"
            kind = _text(form, prefix + "kind") or "person"
            if kind not in PARTY_KINDS:
                kind = "person"
            name = _text(form, prefix + "name")
            if not name:
                problems[prefix + "name"] = Problem(f"请填写{side_label}姓名", "a party name is required")
            elif len(name) > MAX_NAME:
                problems[prefix + "name"] = Problem(f"{side_label}姓名不能超过 {MAX_NAME} 字", "name too long")
            id_number = normalize_id_number(_text(form, prefix + "id_number"))
            if id_number and kind == "person" and (message := id_number_problem(id_number)):
                problems[prefix + "id_number"] = Problem(message, "invalid ID number")
            if id_number and kind == "organization" and len(id_number) > 18:
                problems[prefix + "id_number"] = Problem("证件号码不能超过 18 位", "ID too long")
            phone = _text(form, prefix + "phone")
            if phone and not PHONE_PATTERN.fullmatch(phone):
                problems[prefix + "phone"] = Problem("电话号码格式不正确", "invalid phone")
            address = _text(form, prefix + "address")
            if len(address) > MAX_ADDRESS:
                problems[prefix + "address"] = Problem(f"住址不能超过 {MAX_ADDRESS} 字", "address too long")
            party_town = whole_number(_text(form, prefix + "town"))
            party_village = whole_number(_text(form, prefix + "village"))
            parties.append(
                PartyDraft(side, index, kind, name, id_number, phone.replace(" ", ""), address, party_town,
                           party_village)
            )

    chosen_level = _text(form, "level") or None
    if chosen_level is not None and chosen_level not in LEVELS:
        problems["level"] = Problem("请选择有效的分流层级", "unknown level")
        chosen_level = None
    level_reason = _text(form, "level_reason")
    if len(level_reason) > 500:
        problems["level_reason"] = Problem("理由不能超过 500 字", "reason too long")

    refusal_reason = _text(form, "refusal_reason") or None
    refusal_note = _text(form, "refusal_note")
    if refusing:
        if refusal_reason not in refusal_reasons:
            problems["refusal_reason"] = Problem("不予受理须选择理由", "a refusal reason is required")
        if refusal_reason == "other" and not refusal_note:
            problems["refusal_note"] = Problem("选择“其他”时请写明不予受理的理由", "explain the refusal")
        if len(refusal_note) > 500:
            problems["refusal_note"] = Problem("说明不能超过 500 字", "note too long")

    if problems:
        raise Invalid(problems)
    assert town_id is not None and village_id is not None
    return IntakeDraft(
        source=source, dispute_type=dispute_type, town_id=town_id, village_id=village_id, grid_id=grid_id,
        people_involved=people, amount_involved=amount, risk_level=risk_level, summary=summary, claims=claims,
        parties=tuple(parties), chosen_level=chosen_level, level_reason=level_reason,
        refusal_reason=refusal_reason if refusing else None, refusal_note=refusal_note if refusing else "",
    )
