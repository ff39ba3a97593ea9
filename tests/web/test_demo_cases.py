"""`mediation demo --cases N`: realistic cases in every stage, numbered like real intakes, on both databases."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from mediation import database
from mediation.cli import main
from mediation.domain import deadlines
from mediation.domain.case_numbers import format_case_number
from mediation.domain.id_numbers import id_number_problem
from mediation.domain.intake import IntakeDraft, PartyDraft
from mediation.domain.workflow import REFUSAL_REASONS
from mediation.models import CaseEvent, CaseNumberCounter, MediationCase, Organization, Party, Place, User
from mediation.models.base import utcnow
from mediation.services.accounts import CurrentUser
from mediation.services.intake import IntakeService

SEQ = re.compile(r"第(\d+)号$")


@pytest.fixture
def run_cli(database_url, monkeypatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    monkeypatch.setenv("MEDIATION_SECRET_KEY", "cli-test-secret-key-0123456789-abcdef")
    for name in ("MEDIATION_ENV", "MEDIATION_TIMEZONE", "MEDIATION_CASE_NUMBER_TEMPLATE"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def read(url: str, use):
    async def run():
        engine = database.create_engine(url)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as session:
                return await use(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def snapshot(session) -> dict:
    cases = (await session.execute(select(MediationCase).order_by(MediationCase.id))).scalars().all()
    parties = (await session.execute(select(Party))).scalars().all()
    events = (await session.execute(select(CaseEvent).order_by(CaseEvent.id))).scalars().all()
    short_names = dict((await session.execute(select(Organization.id, Organization.short_name))).all())
    counters = {(c.organization_id, c.year): c.last_seq for c in (await session.scalars(select(CaseNumberCounter)))}
    return {"cases": cases, "parties": parties, "events": events, "short_names": short_names, "counters": counters}


def test_demo_cases_are_realistic_and_real_intakes_continue_their_numbers(run_cli, database_url, settings):
    result = run_cli("demo", "--cases", "200")
    assert result.exit_code == 0, result.output
    assert "seeded 200 of 200 demo cases" in result.output
    assert "demo district seeded with 200 cases" in result.output

    data = read(database_url, snapshot)
    cases = data["cases"]
    assert len(cases) == 200
    assert len({case.number for case in cases}) == 200
    statuses = Counter(case.status for case in cases)
    assert set(statuses) == {"accepted", "refused", "voided"}
    assert statuses["accepted"] > statuses["refused"] > statuses["voided"] > 0

    today = deadlines.local_date(utcnow(), settings.tz)
    parties_of: dict[int, list[Party]] = {}
    for party in data["parties"]:
        parties_of.setdefault(party.case_id, []).append(party)
    events_of: dict[int, list[CaseEvent]] = {}
    for event in data["events"]:
        events_of.setdefault(event.case_id, []).append(event)
    by_id = {case.id: case for case in cases}
    for case in cases:
        assert 0 <= (today - case.registered_on).days < 365
        if case.accepted_on is None:
            assert case.deadline is None
            assert case.refusal_reason in REFUSAL_REASONS
        else:
            assert case.accepted_on == case.registered_on
            assert case.deadline == case.accepted_on + timedelta(days=30)
        kinds = [event.kind for event in events_of[case.id]]
        assert kinds[0] == "registered"
        assert ("refused" in kinds) == (case.accepted_on is None)
        assert ("voided" in kinds) == (case.status == "voided") == bool(case.void_reason)
        sides = [p.side for p in sorted(parties_of[case.id], key=lambda p: (p.side, p.position))]
        assert "applicant" in sides and "respondent" in sides
        applicants = [p.name for p in sorted(parties_of[case.id], key=lambda p: p.position) if p.side == "applicant"]
        assert case.applicant_names == "、".join(applicants)
        if case.repeat_of_id is not None:
            earlier = by_id[case.repeat_of_id]
            assert earlier.registered_on <= case.registered_on and earlier.id < case.id
            shared = {p.id_number for p in parties_of[case.id]} & {p.id_number for p in parties_of[earlier.id]}
            assert shared - {""}
            assert "repeat" in kinds
    assert any(case.repeat_of_id for case in cases)
    id_numbers = [p.id_number for p in data["parties"] if p.id_number]
    assert len(id_numbers) > 200
    assert all(id_number_problem(value) is None for value in id_numbers)
    assert any(p.kind == "organization" for p in data["parties"])
    event_kinds = Counter(event.kind for event in data["events"])
    assert event_kinds["registered"] == 200
    assert event_kinds["transferred"] + event_kinds["escalated"] > 0

    # Without --force an existing database is left alone; with it, more cases continue the sequences.
    again = run_cli("demo", "--cases", "20")
    assert "nothing seeded" in again.output
    more = run_cli("demo", "--force", "--cases", "20")
    assert more.exit_code == 0, more.output
    data = read(database_url, snapshot)
    cases = data["cases"]
    assert len(cases) == 220 and len({case.number for case in cases}) == 220

    # Numbers: exactly 1..n per registering organization and year, in registration order; the counters stop at n.
    sequences: dict[tuple[int, int], list[int]] = {}
    for case in cases:
        key = (case.registering_organization_id, case.registered_on.year)
        seq = int(SEQ.search(case.number)[1])
        sequences.setdefault(key, []).append(seq)
        assert case.number == format_case_number(settings.case_number_template, case.registered_on.year,
                                                 data["short_names"][case.registering_organization_id], seq)
    assert len({org for org, _ in sequences}) > 3
    for key, numbers in sequences.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert data["counters"][key] == len(numbers)
    busiest = max(sequences, key=lambda key: len(sequences[key]))

    async def real_intake(session):
        service = IntakeService(session, settings)
        organization = await session.get_one(Organization, busiest[0])
        next_number = await service.next_number(organization, busiest[1])
        await session.commit()
        # A whole intake at the district center: the next number there and an id after the demo's.
        user = (await session.execute(select(User).where(User.username == "chuangkou"))).scalar_one()
        center = await session.get_one(Organization, user.organization_id)
        village = (await session.execute(select(Place).where(Place.level == "village").limit(1))).scalar_one()
        year = deadlines.local_date(utcnow(), settings.tz).year
        used = await session.scalar(select(CaseNumberCounter.last_seq).where(
            CaseNumberCounter.organization_id == center.id, CaseNumberCounter.year == year)) or 0
        highest_id = await session.scalar(select(func.max(MediationCase.id)))
        draft = IntakeDraft(
            source="party_application", dispute_type="neighbourhood", town_id=village.parent_id,
            village_id=village.id, grid_id=None, people_involved=2, amount_involved=None, risk_level="ordinary",
            summary="相邻通道纠纷", claims="", parties=(
                PartyDraft("applicant", 0, "person", "张三", "", "", "", None, None),
                PartyDraft("respondent", 0, "person", "李四", "", "", "", None, None),
            ),
        )
        current = CurrentUser(user.id, user.username, user.display_name, user.role, center.id, center.name,
                              center.kind, center.place_id)
        registered = await service.register(draft, current, "real-intake-token")
        expected = format_case_number(settings.case_number_template, year, center.short_name, used + 1)
        return next_number, organization.short_name, registered, expected, highest_id

    next_number, short_name, registered, expected, highest_id = read(database_url, real_intake)
    assert next_number == format_case_number(settings.case_number_template, busiest[1], short_name,
                                             len(sequences[busiest]) + 1)
    assert registered.created and registered.number == expected
    assert registered.id > highest_id


@pytest.mark.parametrize(("value", "message"), [("-1", "-1 is not in the range"), ("abc", "'abc' is not a valid")])
def test_demo_cases_must_be_a_non_negative_whole_number(run_cli, database_url, value, message):
    result = run_cli("demo", "--cases", value)
    assert result.exit_code == 2
    assert "Invalid value for '--cases'" in result.output and message in result.output

    async def places(session):
        return await session.scalar(select(func.count()).select_from(Place))

    assert read(database_url, places) == 1


def test_demo_help_documents_the_default_cases(run_cli):
    result = run_cli("demo", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--cases" in text and "default: 300" in text
