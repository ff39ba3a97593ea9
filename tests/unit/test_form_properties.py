"""Properties of the intake form and of the ID check, over generated input.

The parser answers any text in any field with a draft or its own Invalid (every problem named after a
field and told in Chinese), never with another exception; every well-formed form is accepted as typed;
and the GB 11643 check agrees with the ISO 7064 MOD 11-2 computation written out here from the standard."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mediation.domain.id_numbers import check_character, id_number_problem, normalize_id_number
from mediation.domain.intake import MAX_AMOUNT, MAX_NAME, MAX_PEOPLE, MAX_SUMMARY, PHONE_PATTERN, parse_intake
from mediation.domain.routing import LEVELS
from mediation.domain.validation import Invalid
from mediation.domain.workflow import REFUSAL_REASONS

SOURCES = {"party_application", "police_referral"}
TYPES = {"neighbourhood", "contract"}
RISKS = {"ordinary", "serious", "major"}
CASE_FIELDS = ("source", "dispute_type", "town", "village", "grid", "people_involved", "amount_involved",
               "risk_level", "summary", "claims", "level", "level_reason", "refusal_reason", "refusal_note")
PARTY_FIELDS = ("kind", "name", "id_number", "phone", "address", "town", "village")
PARTY_KEY = re.compile(r"^(applicant|respondent)-\d{1,2}-(" + "|".join(PARTY_FIELDS) + ")$")
FIELD_NAMES = [*CASE_FIELDS, *(f"{side}-{index}-{name}" for side in ("applicant", "respondent")
                               for index in (0, 1, 19, 99) for name in PARTY_FIELDS)]
CJK = re.compile(r"[\u4e00-\u9fff]")


def parse(form: dict[str, str], refusing: bool = False):
    return parse_intake(form, SOURCES, TYPES, RISKS, REFUSAL_REASONS, refusing=refusing)


# Any text: control characters, NUL, full-width digits, RTL marks, very long strings.
any_text = st.one_of(st.text(max_size=30), st.text(max_size=2500), st.sampled_from([
    "", " ", "0", "-1", "１２", "²", "1e3", "NaN", "sNaN", "Infinity", "1_000", "9" * 40, "\x00", "X" * 18,
    "11010519491231002X", "person", "organization", "accept", "other"]))


@settings(max_examples=300, deadline=None)
@given(form=st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=20)), any_text, max_size=40),
       refusing=st.booleans())
def test_any_text_in_any_field_gives_a_draft_or_its_own_invalid(form, refusing):
    try:
        draft = parse(form, refusing)
    except Invalid as invalid:
        assert invalid.problems
        for field, message in invalid.messages_zh.items():
            assert field in CASE_FIELDS or PARTY_KEY.match(field), field
            assert CJK.search(message), f"{field}: {message!r} is not a Chinese message"
        return
    # Whatever got through meets the ledger's rules.
    assert draft.source in SOURCES and draft.dispute_type in TYPES and draft.risk_level in RISKS
    assert 0 < draft.town_id and 0 < draft.village_id
    assert 1 <= draft.people_involved <= MAX_PEOPLE
    assert draft.amount_involved is None or Decimal(0) <= draft.amount_involved < MAX_AMOUNT
    assert draft.amount_involved is None or draft.amount_involved.as_tuple().exponent >= -2
    assert draft.summary and len(draft.summary) <= MAX_SUMMARY and len(draft.claims) <= MAX_SUMMARY
    assert draft.chosen_level is None or draft.chosen_level in LEVELS
    assert (draft.refusal_reason in REFUSAL_REASONS) if refusing else draft.refusal_reason is None
    assert draft.side("applicant") and draft.side("respondent")
    for party in draft.parties:
        assert party.name and len(party.name) <= MAX_NAME
        assert not party.phone or PHONE_PATTERN.fullmatch(party.phone)
        if party.kind == "person" and party.id_number:
            assert independent_check(party.id_number[:17]) == party.id_number[17]


def independent_check(first_17: str) -> str:
    """ISO 7064 MOD 11-2 as GB 11643 states it: weight 2^(18-i) mod 11 for the digit at position i (1 to 17),
    then the check value (12 - sum mod 11) mod 11, written X when it is 10."""
    total = sum(int(digit) * pow(2, 18 - position, 11) for position, digit in enumerate(first_17, start=1))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def independently_valid(value: str) -> bool:
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return False
    try:
        datetime.strptime(value[6:14], "%Y%m%d")
    except ValueError:
        return False
    return independent_check(value[:17]) == value[17]


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@st.composite
def valid_ids(draw) -> str:
    first_17 = f"{draw(regions)}{draw(births):%Y%m%d}{draw(sequences):03d}"
    return first_17 + independent_check(first_17)


def test_the_independent_check_agrees_with_the_standards_example():
    assert independent_check("11010519491231002") == "X"


@settings(max_examples=500, deadline=None)
@given(first_17=st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_agrees_with_the_independent_computation(first_17):
    assert check_character(first_17) == independent_check(first_17)


@settings(max_examples=500, deadline=None)
@given(id_number=valid_ids(), last=st.sampled_from("0123456789X"))
def test_an_id_number_passes_exactly_when_its_check_character_is_right(id_number, last):
    candidate = id_number[:17] + last
    assert (id_number_problem(candidate) is None) == (last == id_number[17])


@settings(max_examples=500, deadline=None)
@given(value=st.one_of(st.text(max_size=20), st.text(alphabet="0123456789Xx", min_size=18, max_size=18),
                       valid_ids()))
def test_any_text_passes_the_id_check_only_when_it_is_a_valid_id(value):
    normalized = normalize_id_number(value)
    assert (id_number_problem(normalized) is None) == independently_valid(normalized)


names = st.text(alphabet=st.characters(categories=("Lo", "Lu", "Ll", "Nd")), min_size=1, max_size=MAX_NAME)
phones = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
amounts = st.one_of(st.just(""), st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2,
                                             allow_nan=False, allow_infinity=False).map(str))
texts = st.text(min_size=1, max_size=MAX_SUMMARY).filter(lambda text: text.strip())


@st.composite
def valid_forms(draw) -> dict[str, str]:
    form = {
        "source": draw(st.sampled_from(sorted(SOURCES))),
        "dispute_type": draw(st.sampled_from(sorted(TYPES))),
        "town": str(draw(st.integers(min_value=1, max_value=999_999_999))),
        "village": str(draw(st.integers(min_value=1, max_value=999_999_999))),
        "people_involved": str(draw(st.integers(min_value=1, max_value=MAX_PEOPLE))),
        "amount_involved": draw(amounts),
        "risk_level": draw(st.sampled_from(sorted(RISKS))),
        "summary": draw(texts),
        "claims": draw(st.text(max_size=MAX_SUMMARY)),
    }
    for side in ("applicant", "respondent"):
        for index in range(draw(st.integers(min_value=1, max_value=3))):
            prefix = f"{side}-{index}-"
            form[prefix + "name"] = draw(names)
            form[prefix + "id_number"] = draw(st.one_of(st.just(""), valid_ids(), valid_ids().map(str.lower)))
            form[prefix + "phone"] = draw(st.one_of(st.just(""), phones))
    return form


@settings(max_examples=200, deadline=None)
@given(form=valid_forms())
def test_every_well_formed_form_is_accepted_as_typed(form):
    draft = parse(form)
    assert (draft.source, draft.dispute_type, draft.risk_level) == (form["source"], form["dispute_type"],
                                                                  form["risk_level"])
    assert (draft.town_id, draft.village_id) == (int(form["town"]), int(form["village"]))
    assert draft.people_involved == int(form["people_involved"])
    assert draft.amount_involved == (Decimal(form["amount_involved"]) if form["amount_involved"] else None)
    assert draft.summary == form["summary"].strip() and draft.claims == form["claims"].strip()
    for party in draft.parties:
        prefix = f"{party.side}-{party.form_index}-"
        assert party.name == form[prefix + "name"]
        assert party.id_number == form[prefix + "id_number"].upper()
        assert party.phone == form[prefix + "phone"]
    assert len(draft.parties) == sum(key.endswith("-name") for key in form)
