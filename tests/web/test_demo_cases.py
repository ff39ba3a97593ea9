"""`mediation demo --cases N`: realistic cases in every stage, numbered like real intakes, with the mediation
work the services would have written (assignments, records, extensions, timelines) and, for the older ones,
the resolution (agreements, closing, obligations, judicial confirmation, follow-ups, archiving), on both
databases."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from mediation import database
from mediation.cli import main
from mediation.domain import closing as rules
from mediation.domain import deadlines
from mediation.domain.case_numbers import format_case_number
from mediation.domain.id_numbers import id_number_problem
from mediation.domain.intake import IntakeDraft, PartyDraft
from mediation.domain.workflow import REFUSAL_REASONS
from mediation.models import (
    Agreement, CaseAssignment, CaseEvent, CaseNumberCounter, Extension, FollowUp, Hearing,
    InvestigationRecord, JudicialConfirmation, LegalAdvisor, LegalOpinion, MediationCase, Obligation,
    Organization, Party, Place, RightsNotice, User, advisor_village,
)
from mediation.models.base import utcnow
from mediation.services.accounts import CurrentUser
from mediation.services.assignments import MEDIATOR_ROLES
from mediation.services.intake import IntakeService
from mediation.services.queues import QueueService
from mediation.services.resolution import SATISFACTION, agreement_number

SEQ = re.compile(r"第(\d+)号$")
CASES = 2_000  # enough for every stage and every dashboard queue, whatever the day and hour of the run
WORK_STARTED = {"assigned", "rights_notice", "investigation", "hearing"}  # the events that make a case 调解中
# The lines that are not an action on the case of their own (no new version).
NOT_ACTIONS = {"registered", "accepted", "routed", "repeat", "refused", "edited"}
ARCHIVE_NUMBER = re.compile(r"^（(\d{4})）(.+)调卷字第(\d+)号$")
RESOLUTION_EVENTS = {"agreement_drafted", "agreement_signed", "closed", "obligation_added", "performed",
                     "confirmation_applied", "confirmation_result", "follow_up", "archived"}


@pytest.fixture
def run_cli(database_url, monkeypatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    monkeypatch.setenv("MEDIATION_SECRET_KEY", "cli-test-secret-key-0123456789-abcdef")
    for name in ("MEDIATION_ENV", "MEDIATION_TIMEZONE", "MEDIATION_CASE_NUMBER_TEMPLATE",
                 "MEDIATION_FOLLOW_UP_DAYS"):
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
    work = {model: (await session.scalars(select(model).order_by(model.id))).all()
            for model in (CaseAssignment, RightsNotice, InvestigationRecord, Hearing, LegalOpinion, Extension,
                          Agreement, Obligation, JudicialConfirmation, FollowUp)}
    return {"cases": cases, "parties": parties, "events": events, "short_names": short_names,
            "counters": counters, "work": work,
            "users": {user.id: user for user in await session.scalars(select(User))},
            "advisors": {advisor.id: advisor for advisor in await session.scalars(select(LegalAdvisor))},
            "serves": set((await session.execute(select(advisor_village))).all())}


async def current_user(session, username: str) -> CurrentUser:
    user = (await session.execute(select(User).where(User.username == username))).scalar_one()
    organization = await session.get_one(Organization, user.organization_id)
    return CurrentUser(user.id, user.username, user.display_name, user.role, organization.id,
                       organization.name, organization.kind, organization.place_id)


def test_demo_cases_are_realistic_and_real_intakes_continue_their_numbers(run_cli, database_url, settings):
    result = run_cli("demo", "--cases", str(CASES))
    assert result.exit_code == 0, result.output
    assert f"seeded {CASES:,} of {CASES:,} demo cases" in result.output
    assert f"demo district seeded with {CASES:,} cases" in result.output

    data = read(database_url, snapshot)
    cases = data["cases"]
    assert len(cases) == CASES
    assert len({case.number for case in cases}) == CASES
    statuses = Counter(case.status for case in cases)
    assert set(statuses) == {"accepted", "in_mediation", "closed", "archived", "refused", "voided"}
    assert statuses["in_mediation"] > statuses["accepted"] > 0 and statuses["refused"] > statuses["voided"] > 0

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
        kinds = [event.kind for event in events_of[case.id]]
        if case.accepted_on is None:
            assert case.deadline is None
            assert case.refusal_reason in REFUSAL_REASONS
        else:
            assert case.accepted_on == case.registered_on
            assert case.deadline == case.accepted_on + timedelta(days=30) or "extended" in kinds
        assert kinds[0] == "registered"
        assert case.version == 1 + sum(kind not in NOT_ACTIONS for kind in kinds)  # one version per action
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
    assert len(id_numbers) > CASES
    assert all(id_number_problem(value) is None for value in id_numbers)
    assert any(p.kind == "organization" for p in data["parties"])
    event_kinds = Counter(event.kind for event in data["events"])
    assert event_kinds["registered"] == CASES
    assert event_kinds["transferred"] + event_kinds["escalated"] > 0
    check_mediation_work(data, events_of, today)
    check_resolution(data, events_of, today, settings)
    check_dashboards(database_url, settings)

    # Without --force an existing database is left alone; with it, more cases continue the sequences.
    again = run_cli("demo", "--cases", "20")
    assert "nothing seeded" in again.output
    more = run_cli("demo", "--force", "--cases", "20")
    assert more.exit_code == 0, more.output
    data = read(database_url, snapshot)
    cases = data["cases"]
    assert len(cases) == CASES + 20 and len({case.number for case in cases}) == CASES + 20
    archive_numbers: dict[str, list[int]] = {}  # the second run's archive numbers continue the first's
    for case in cases:
        if case.archive_number:
            year, short_name, seq = ARCHIVE_NUMBER.match(case.archive_number).groups()
            archive_numbers.setdefault(f"（{year}）{short_name}", []).append(int(seq))
    assert all(sorted(numbers) == list(range(1, len(numbers) + 1)) for numbers in archive_numbers.values())

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


def check_mediation_work(data: dict, events_of: dict[int, list[CaseEvent]], today: date) -> None:
    """Open cases went into mediation as the services would have taken them there, line by line."""
    now = utcnow()
    cases = {case.id: case for case in data["cases"]}
    work = data["work"]
    # Most cases accepted more than a week ago are 调解中 (the rest wait in the supervisors' queue).
    settled = [case for case in cases.values()
               if case.status in ("accepted", "in_mediation") and (today - case.accepted_on).days > 7]
    assert sum(case.status == "in_mediation" for case in settled) > 0.85 * len(settled)
    for case in cases.values():
        events = events_of[case.id]
        times = [event.occurred_at for event in events]
        assert times == sorted(times) and case.created_at <= times[0] and times[-1] <= now
        assert case.last_action_at == times[-1]
        kinds = {event.kind for event in events}
        if case.status in ("accepted", "in_mediation"):
            assert (case.status == "in_mediation") == bool(kinds & WORK_STARTED)
        elif case.status in ("closed", "archived"):
            assert kinds & WORK_STARTED or case.outcome == "withdrawn"
        assert (case.risk_level == "major") == bool(case.preventive_steps) == ("risk_raised" in kinds)

    # Mediators are accounts of the case's organization; the advisor is the one serving the case's village,
    # who has accepted, declined (with a reason, and nobody replaced them) or not answered yet.
    assignments = work[CaseAssignment]
    assert {(a.role, a.status) for a in assignments} == {
        ("mediator", "accepted"), ("advisor", "accepted"), ("advisor", "pending"), ("advisor", "declined")}
    for assignment in assignments:
        case = cases[assignment.case_id]
        assert case.status in ("in_mediation", "closed", "archived")
        assert case.created_at <= assignment.assigned_at <= now
        if assignment.role == "mediator":
            user = data["users"][assignment.user_id]
            assert user.organization_id == case.organization_id and user.role in MEDIATOR_ROLES
        else:
            assert (assignment.advisor_id, case.village_id) in data["serves"]
            assert assignment.user_id == data["advisors"][assignment.advisor_id].user_id
            assert (assignment.responded_at is None) == (assignment.status == "pending")
            assert bool(assignment.decline_reason) == (assignment.status == "declined")
    declined = {a.case_id for a in assignments if a.status == "declined"}
    assert not [a for a in assignments
                if a.case_id in declined and a.role == "advisor" and a.status != "declined"]
    accepted_advisors = {(a.case_id, a.advisor_id) for a in assignments
                         if a.role == "advisor" and a.status == "accepted"}

    # Records: after acceptance, written down after they happened, never in the future; one event each.
    for notice in work[RightsNotice]:
        assert notice.method in ("written", "oral") and notice.parties_told
        assert cases[notice.case_id].created_at <= notice.notified_at <= notice.recorded_at <= now
    for record in work[InvestigationRecord]:
        assert record.place and record.investigators and record.subjects and record.findings
        assert cases[record.case_id].created_at <= record.investigated_at <= record.recorded_at <= now
    assert work[Hearing]
    for hearing in work[Hearing]:
        case = cases[hearing.case_id]
        assert case.created_at <= hearing.held_at <= hearing.recorded_at <= now
        assert hearing.place and hearing.mediators and case.applicant_names in hearing.attendees
        assert hearing.record.startswith("调解员核实双方当事人身份") and "释法说理" in hearing.record
    for opinion in work[LegalOpinion]:
        assert (opinion.case_id, opinion.advisor_id) in accepted_advisors and "本案系" in opinion.opinion
    event_kinds = Counter(event.kind for events in events_of.values() for event in events)
    extensions = Counter(extension.status for extension in work[Extension])
    assert event_kinds["rights_notice"] == len(work[RightsNotice]) > 0
    assert event_kinds["investigation"] == len(work[InvestigationRecord]) > 0
    assert event_kinds["hearing"] == len(work[Hearing])
    assert event_kinds["legal_opinion"] == len(work[LegalOpinion]) > 0
    assert event_kinds["advisor_accepted"] == len(accepted_advisors)
    assert event_kinds["advisor_declined"] == len(declined)
    assert event_kinds["extension_requested"] == len(work[Extension])
    assert event_kinds["extended"] == extensions["approved"]
    assert event_kinds["extension_rejected"] == extensions["rejected"]

    # Extensions: a few waiting for a supervisor (at most one per case), approved ones moved the deadline.
    assert extensions["pending"] > 0 and extensions["approved"] > 0 and extensions["rejected"] > 0
    waiting = [extension.case_id for extension in work[Extension] if extension.status == "pending"]
    assert len(waiting) == len(set(waiting))
    for extension in work[Extension]:
        case = cases[extension.case_id]
        assert extension.current_deadline == case.accepted_on + timedelta(days=30)
        assert extension.requested_deadline > extension.current_deadline
        assert extension.applicant_consent and extension.respondent_consent and extension.reason
        pending = extension.status == "pending"
        assert (extension.decided_by_id is None) == (extension.decided_at is None) == pending
        assert pending or extension.decided_at >= extension.recorded_at
        approved = extension.status == "approved"
        assert case.deadline == (extension.requested_deadline if approved else extension.current_deadline)


def check_resolution(data: dict, events_of: dict[int, list[CaseEvent]], today: date, settings) -> None:
    """Older cases were resolved as the resolution service resolves them: closed with an outcome after the
    last hearing, the agreement of the recorded form, obligations and their performance, judicial
    confirmation, a follow-up 15 days after closing, and archiving with the organization's archive numbers;
    line by line."""
    now = utcnow()
    cases = {case.id: case for case in data["cases"]}
    work = data["work"]
    agreements = {agreement.case_id: agreement for agreement in work[Agreement]}
    obligations_of: dict[int, list[Obligation]] = {}
    for obligation in work[Obligation]:
        obligations_of.setdefault(obligation.agreement_id, []).append(obligation)
    confirmations = {confirmation.case_id: confirmation for confirmation in work[JudicialConfirmation]}
    follow_ups: dict[int, list[FollowUp]] = {}
    for follow_up in work[FollowUp]:
        follow_ups.setdefault(follow_up.case_id, []).append(follow_up)
    last_hearing: dict[int, date] = {}
    for hearing in work[Hearing]:
        held_on = deadlines.local_date(hearing.held_at, settings.tz)
        last_hearing[hearing.case_id] = max(held_on, last_hearing.get(hearing.case_id, held_on))

    # Most cases accepted more than 25 days ago are closed (some still open, overdue); younger ones all open.
    accepted = [case for case in cases.values() if case.accepted_on and case.status != "voided"]
    older = [case for case in accepted if (today - case.accepted_on).days > 40]
    resolved = [case for case in cases.values() if case.status in ("closed", "archived")]
    assert sum(case.status in ("closed", "archived") for case in older) > 0.85 * len(older)
    assert any(case.status == "in_mediation" and case.deadline < today for case in older)
    assert all(case.status not in ("closed", "archived")
               for case in accepted if (today - case.accepted_on).days <= 25)
    outcomes = Counter(case.outcome for case in resolved)
    assert set(outcomes) == set(rules.OUTCOMES)
    assert 0.75 < outcomes["success"] / len(resolved) < 0.93
    assert 0.05 < outcomes["failure"] / len(resolved) < 0.16
    forms = Counter(agreements[case.id].form for case in resolved if case.outcome == "success")
    assert 0.6 < forms["written"] / outcomes["success"] < 0.8 and forms["oral"] > 0
    assert 0 < sum(case.prevented_criminal_people > 0 for case in resolved) < 0.1 * len(resolved)
    assert 0 < sum(case.prevented_petition_people > 0 for case in resolved) < 0.1 * len(resolved)
    assert any(case.referral for case in resolved) and any(case.outcome == "failure" and not case.referral
                                                          for case in resolved)

    for case in cases.values():
        kinds = [event.kind for event in events_of[case.id]]
        agreement = agreements.get(case.id)
        if case.status not in ("closed", "archived"):
            assert case.outcome is None and case.closed_on is None and case.archive_number is None
            assert not set(kinds) & {"closed", "archived", "follow_up"} and case.id not in follow_ups
            assert agreement is None or case.status == "in_mediation"
            continue
        closed = [event for event in events_of[case.id] if event.kind == "closed"]
        assert len(closed) == 1
        assert case.accepted_on <= case.closed_on <= today and case.closed_on <= case.deadline
        assert case.closed_on >= last_hearing.get(case.id, case.accepted_on)
        assert case.closed_on == deadlines.local_date(closed[0].occurred_at, settings.tz)
        assert all(event.occurred_at < closed[0].occurred_at for event in events_of[case.id]
                   if event.kind in WORK_STARTED | {"legal_opinion", "agreement_drafted", "agreement_signed",
                                                    "obligation_added", "extended"})
        scheduled = case.closed_on + timedelta(days=rules.FOLLOW_UP_DAYS)  # 15 days after closing
        assert f"结案日期 {case.closed_on}；{scheduled} 回访" in closed[0].summary
        assert closed[0].summary.startswith(f"结案：{rules.OUTCOMES[case.outcome]}")
        assert (case.failure_route in rules.FAILURE_ROUTES) == (case.outcome == "failure")
        assert closed[0].reason == case.referral and (not case.referral or case.outcome == "failure")
        # The agreement: exactly for 调解成功, with what the law requires of its form.
        assert (agreement is not None) == (case.outcome == "success")
        if agreement is not None:
            assert agreement.number == agreement_number(case.number)
            assert f"（{rules.AGREEMENT_FORMS[agreement.form]}协议 {agreement.number}）" in closed[0].summary
            draft = rules.AgreementDraft(**{name: getattr(agreement, name) for name in (
                "form", "facts", "disputes", "responsibilities", "terms", "performance_method",
                "performance_place", "performance_deadline", "signed_on")})
            assert not rules.missing_agreement_parts(draft)
            assert (agreement.amount is not None) == (case.amount_involved is not None)
            assert kinds.count("agreement_drafted") == 1
            if agreement.form == "written":
                assert case.accepted_on <= agreement.signed_on <= case.closed_on
                assert agreement.performance_deadline >= agreement.signed_on
                assert kinds.count("agreement_signed") == 1
                obligations = obligations_of[agreement.id]
                assert obligations and max(o.due_on for o in obligations) == agreement.performance_deadline
                assert kinds.count("obligation_added") == (len(obligations) if len(obligations) > 1 else 0)
                for performed_on in (o.performed_on for o in obligations if o.performed_on):
                    assert agreement.signed_on <= performed_on <= today
            else:
                assert agreement.signed_on is None and agreement.id not in obligations_of
                assert "agreement_signed" not in kinds and case.id not in confirmations
        # Judicial confirmation: applied within 30 days of signing, decided after applying.
        confirmation = confirmations.get(case.id)
        if confirmation is not None:
            assert rules.confirmation_problem(agreement.signed_on, confirmation.applied_on) is None
            assert confirmation.applied_on <= today and confirmation.court
            assert (confirmation.result_on is None) == (confirmation.result == "pending")
            assert confirmation.applied_on <= (confirmation.result_on or confirmation.applied_on) <= today
        # One follow-up, scheduled at closing + 15 days; once made, made after closing with its record.
        (follow_up,) = follow_ups[case.id]
        assert follow_up.scheduled_on == scheduled and follow_up.reason == "结案回访"
        if follow_up.visited_on is not None:
            assert case.closed_on < follow_up.visited_on <= today
            assert follow_up.visitor and follow_up.party and follow_up.performance
            assert follow_up.recorded_by_id
            assert follow_up.satisfaction in SATISFACTION and follow_up.remaining_risk
        assert kinds.count("follow_up") == (follow_up.visited_on is not None)
        # Archived: the last line, by a supervisor, once everything else was done.
        if case.status == "archived":
            assert kinds[-1] == "archived" and kinds.count("archived") == 1
            archived = events_of[case.id][-1]
            assert data["users"][archived.actor_id].role in ("supervisor", "admin")
            assert case.archived_on == deadlines.local_date(archived.occurred_at, settings.tz)
            assert case.archived_on >= case.closed_on + timedelta(days=45) and case.archived_on < today
            assert archived.summary == f"归档：卷宗号 {case.archive_number}，保管期限 {case.retention_period}"
            assert case.retention_period in rules.RETENTION_PERIODS and follow_up.visited_on is not None
            assert all(o.performed_on for o in obligations_of.get(agreement.id if agreement else 0, []))
            assert confirmation is None or confirmation.result != "pending"
        else:
            assert case.archive_number is None and case.archived_on is None and not case.retention_period

    # Archive numbers: unique, （year）short name调卷字第N号 for the organization and the year archived, numbered
    # 1..n in archiving order.
    archived = sorted((case for case in resolved if case.status == "archived"),
                      key=lambda case: (case.last_action_at, case.id))
    assert len({case.archive_number for case in archived}) == len(archived) > 0
    sequences: dict[tuple[str, int], list[int]] = {}
    for case in archived:
        year, short_name, seq = ARCHIVE_NUMBER.match(case.archive_number).groups()
        assert int(year) == case.archived_on.year and short_name == data["short_names"][case.organization_id]
        sequences.setdefault((short_name, int(year)), []).append(int(seq))
    assert len(sequences) > 3
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in sequences.values())
    long_closed = [case for case in resolved if (today - case.closed_on).days > 60]
    assert sum(case.status == "archived" for case in long_closed) > 0.75 * len(long_closed)
    assert Counter(case.retention_period for case in archived).keys() == set(rules.RETENTION_PERIODS)

    # Performance, confirmations and follow-ups in every state the dashboards and the ledger show.
    performed = [o for o in work[Obligation] if o.performed_on]
    assert performed and any(o.performed_on is None and o.due_on < today for o in work[Obligation])
    assert {c.result for c in work[JudicialConfirmation]} == {"pending", "confirmed", "refused"}
    visits = [f for f in work[FollowUp] if f.visited_on]
    assert visits and any(f.visited_on is None and f.scheduled_on <= today for f in work[FollowUp])
    assert any(f.lawsuit_filed for f in visits) and len({f.satisfaction for f in visits}) == 3

    # Every action has its line (and every line its action).
    event_kinds = Counter(event.kind for events in events_of.values() for event in events)
    assert RESOLUTION_EVENTS <= set(event_kinds)
    assert event_kinds["closed"] == len(resolved) == len(work[FollowUp])
    assert event_kinds["archived"] == len(archived)
    assert event_kinds["agreement_drafted"] == len(work[Agreement])
    assert event_kinds["agreement_signed"] == sum(a.signed_on is not None for a in work[Agreement])
    assert event_kinds["performed"] == len(performed)
    assert event_kinds["confirmation_applied"] == len(work[JudicialConfirmation])
    decided = sum(c.result != "pending" for c in work[JudicialConfirmation])
    assert event_kinds["confirmation_result"] == decided
    assert event_kinds["follow_up"] == len(visits)
    assert all(event.occurred_at <= now for events in events_of.values() for event in events)


def check_dashboards(database_url: str, settings) -> None:
    """The demo logins' dashboards have something to show: the advisor's new assignments and cases, the village
    mediator's cases, and every queue of the center's supervisor."""

    async def queues(session):
        service = QueueService(session, settings)
        return {username: await service.for_user(await current_user(session, username))
                for username in ("guwen", "cuntiao", "zhuren")}

    dashboards = read(database_url, queues)
    assert dashboards["guwen"].to_accept and dashboards["guwen"].mine
    assert dashboards["cuntiao"].mine
    zhuren = dashboards["zhuren"]
    assert zhuren.mine and zhuren.due and zhuren.unassigned and zhuren.declined and zhuren.alerts
    assert zhuren.extensions
    assert zhuren.follow_ups and zhuren.confirmations  # 到期回访, 司法确认申请期限将届满
    assert len({item.idle_days for item in zhuren.mine}) > 1  # 未处理天数 varies


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
