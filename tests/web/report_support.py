"""Hand-built cases for the report tests: every column the monthly summary reads, set directly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select

from mediation.models import Agreement, JudicialConfirmation, MediationCase, Organization
from mediation.models.base import utcnow
from tests.conftest import add_user
from tests.web.cases_support import make_district


async def add_case(session, number, town, village, org, user, status, accepted_on=None, closed_on=None,
                   outcome=None, deadline=None, dispute_type="neighbourhood", form=None, amount=None,
                   confirmed=False, criminal=0, petition=0):
    registered = accepted_on or date(2026, 3, 10)
    result = await session.execute(insert(MediationCase).values(
        number=number, intake_token=number, status=status, source="party_application", dispute_type=dispute_type,
        risk_level="ordinary", town_id=town, village_id=village, people_involved=2, summary="s",
        registered_on=registered, accepted_on=accepted_on, deadline=deadline, closed_on=closed_on,
        outcome=outcome, registering_organization_id=org, organization_id=org, registered_by_id=user,
        suggested_level="village", level="village", prevented_criminal_people=criminal,
        prevented_petition_people=petition, created_at=utcnow(), updated_at=utcnow(), last_action_at=utcnow()))
    case_id = result.inserted_primary_key[0]
    if form:
        await session.execute(insert(Agreement).values(
            case_id=case_id, number=number + "协", form=form, amount=amount, created_by_id=user, updated_at=utcnow()))
    if confirmed:
        await session.execute(insert(JudicialConfirmation).values(
            case_id=case_id, applied_on=closed_on, court="区人民法院", result="confirmed", recorded_by_id=user))
    return case_id


async def seed_march(db_session, settings):
    """Eight cases around March 2026 (A–H), each at an edge of a definition; see test_monthly_report."""
    d = await make_district(db_session)
    user = await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    org = await db_session.scalar(select(Organization.id).where(Organization.kind == "district_center"))
    a = (d.town_a, d.village_a1, org, user.id)
    b = (d.town_b, d.village_b1, org, user.id)
    await add_case(db_session, "A", *a, "closed", date(2026, 3, 1), date(2026, 3, 31), "success",
                   date(2026, 3, 31), form="written", amount=Decimal("12350.00"), confirmed=True, criminal=2)
    await add_case(db_session, "B", *a, "closed", date(2026, 2, 28), date(2026, 3, 1), "failure",
                   date(2026, 3, 30), petition=5)
    await add_case(db_session, "C", *a, "accepted", date(2026, 3, 31), deadline=date(2026, 4, 30),
                   dispute_type="contract")
    await add_case(db_session, "D", *b, "refused")
    await add_case(db_session, "E", *b, "voided", date(2026, 3, 5), date(2026, 3, 6), "success", date(2026, 4, 4))
    await add_case(db_session, "F", *b, "closed", date(2026, 3, 2), date(2026, 4, 2), "success",
                   date(2026, 4, 1), form="oral", amount=Decimal("5000"))
    await add_case(db_session, "G", *b, "in_mediation", date(2026, 1, 15), deadline=date(2026, 2, 14))
    await add_case(db_session, "H", *b, "accepted", date(2026, 3, 1), deadline=date(2026, 3, 31))
    await db_session.commit()
    return d
