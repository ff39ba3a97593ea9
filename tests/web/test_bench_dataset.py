"""bench/dataset.py, the benchmarks' generator: its bulk-written cases are as consistent as the app's own
(parties on both sides behind the list's name columns, closing dates, agreements, case numbers and their
counters, ids), search finds them, and a real intake afterwards continues the numbers, on both databases."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.dataset import DatasetRefused, already_generated, generate, prepare
from mediation.domain import deadlines
from mediation.domain.case_numbers import format_case_number
from mediation.domain.id_numbers import id_number_problem
from mediation.domain.intake import IntakeDraft, PartyDraft
from mediation.models import (
    Agreement, CaseAssignment, CaseEvent, CaseNumberCounter, LegalAdvisor, MediationCase, Organization, Party, Place,
    User, ZeroReport,
)
from mediation.models.assignments import counts_as_open_workload
from mediation.models.base import utcnow
from mediation.services.accounts import CurrentUser
from mediation.services.demo import DEMO_PASSWORD
from mediation.services.intake import IntakeService
from tests.conftest import POSTGRES_ADMIN_URL, sign_in

pytestmark = pytest.mark.anyio

CASES = 300
SEQ = re.compile(r"第(\d+)号$")


def found_numbers(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"（\d{4}）[^<>]*?调字第\d+号", body)


async def test_generated_cases_are_consistent_and_searchable(database_url, settings, db_session, client):
    assert not await already_generated(database_url)  # migrated, but no district yet: --reuse generates
    await prepare(database_url)
    generated = await generate(settings, CASES)
    assert generated.rows["mediation_case"] == CASES
    with pytest.raises(DatasetRefused):
        await prepare(database_url)  # holds data now: only --force would recreate it
    assert await already_generated(database_url)  # what --reuse uses as it is

    cases = (await db_session.scalars(select(MediationCase).order_by(MediationCase.id))).all()
    assert len(cases) == CASES
    parties: dict[int, list[Party]] = {}
    for party in await db_session.scalars(select(Party).order_by(Party.case_id, Party.side, Party.position)):
        parties.setdefault(party.case_id, []).append(party)
    events = dict((await db_session.execute(
        select(CaseEvent.case_id, func.count()).group_by(CaseEvent.case_id))).all())
    agreements = set(await db_session.scalars(select(Agreement.case_id)))
    short_names = dict((await db_session.execute(select(Organization.id, Organization.short_name))).all())
    counters = {(row.organization_id, row.year): row.last_seq for row in await db_session.scalars(
        select(CaseNumberCounter))}

    for case in cases:
        sides = {side: [party.name for party in parties[case.id] if party.side == side]
                 for side in ("applicant", "respondent")}
        assert sides["applicant"] and sides["respondent"], case.number
        assert case.applicant_names == "、".join(sides["applicant"])
        assert case.respondent_names == "、".join(sides["respondent"])
        assert not [party.id_number for party in parties[case.id]
                    if party.id_number and id_number_problem(party.id_number)]
        assert events[case.id] >= 2
        if case.accepted_on is not None:
            assert case.deadline >= case.accepted_on + timedelta(days=30)
        if case.closed_on is not None:
            assert case.status in ("closed", "archived") and case.closed_on >= case.accepted_on
        if case.outcome == "success":
            assert case.id in agreements, case.number
        seq = int(SEQ.search(case.number)[1])
        year, organization = case.registered_on.year, case.registering_organization_id
        assert case.number == format_case_number(settings.case_number_template, year,
                                                 short_names[organization], seq)
        assert counters[(organization, year)] >= seq
    assert len({case.number for case in cases}) == CASES
    assert (cases[-1].registered_on - cases[0].registered_on).days > 200  # spread over the last year
    assert {"closed", "archived", "in_mediation", "refused"} <= {case.status for case in cases}
    # Screenings and zero reports come after the cases: no 零上报 for a village-month with a case.
    with_cases = {(case.village_id, f"{case.registered_on:%Y-%m}") for case in cases if case.status != "voided"}
    zero_reports = set((await db_session.execute(select(ZeroReport.village_id, ZeroReport.month))).all())
    assert zero_reports and not zero_reports & with_cases
    # Each advisor's open workload (在办), counted once at the end of the load, is what a count gives now.
    counted = dict((await db_session.execute(
        select(CaseAssignment.advisor_id, func.count()).where(counts_as_open_workload())
        .group_by(CaseAssignment.advisor_id))).all())
    workloads = dict((await db_session.execute(select(LegalAdvisor.id, LegalAdvisor.open_cases))).all())
    assert sum(counted.values()) > 0
    assert workloads == {advisor: counted.get(advisor, 0) for advisor in workloads}

    # The list's search finds generated cases by a party's name and by a phrase of 纠纷简要情况 (SQLite's FTS
    # triggers and PostgreSQL's trigram index took the bulk-written rows too).
    await sign_in(client, "admin", DEMO_PASSWORD)
    listed = [case for case in cases if case.status != "voided"]
    latest = listed[-1]  # the list shows the latest registered first
    page = (await client.get("/cases", params={"q": parties[latest.id][0].name})).text
    assert found_numbers(page)[0] == latest.number
    summaries = [case.summary for case in listed]
    older = next(case for case in listed[len(listed) // 3:]
                 if len(case.summary) <= 60 and summaries.count(case.summary) == 1)
    assert found_numbers((await client.get("/cases", params={"q": older.summary})).text) == [older.number]

    # A real intake after the generation: the next number of its organization and a new id.
    user = (await db_session.execute(select(User).where(User.username == "chuangkou"))).scalar_one()
    center = await db_session.get_one(Organization, user.organization_id)
    village = (await db_session.execute(select(Place).where(Place.level == "village").limit(1))).scalar_one()
    year = deadlines.local_date(utcnow(), settings.tz).year
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
    await db_session.commit()
    registered = await IntakeService(db_session, settings).register(draft, current, "after-the-generator")
    assert registered.created and registered.id > cases[-1].id
    assert registered.number == format_case_number(settings.case_number_template, year, center.short_name,
                                                   counters.get((center.id, year), 0) + 1)


async def test_a_database_not_made_yet_is_not_generated(tmp_path, databases):
    assert not await already_generated(f"sqlite+aiosqlite:///{tmp_path / 'missing.sqlite3'}")
    if databases.postgres:
        missing = make_url(POSTGRES_ADMIN_URL).set(database=f"{databases.prefix}_never_made")
        assert not await already_generated(missing.render_as_string(hide_password=False))
