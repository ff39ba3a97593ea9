"""Who may see which case, as a SQL condition: every list, search, count and download filters by it.

An advisor sees the cases assigned to them and those in the villages they serve; a village mediator their organization's cases;
counter and supervisor users the cases of their organization and the levels below it; admin everything."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from mediation.models import CaseAssignment, LegalAdvisor, MediationCase, advisor_village
from mediation.services.accounts import CurrentUser


def case_scope(user: CurrentUser) -> ColumnElement[bool]:
    case = MediationCase
    if user.role == "admin":
        return true()
    if user.role == "advisor":
        served = (
            select(advisor_village.c.place_id)
            .join(LegalAdvisor, LegalAdvisor.id == advisor_village.c.advisor_id)
            .where(LegalAdvisor.user_id == user.id, LegalAdvisor.active)
        )
        assigned = (
            select(CaseAssignment.case_id)
            .join(LegalAdvisor, LegalAdvisor.id == CaseAssignment.advisor_id)
            .where(LegalAdvisor.user_id == user.id, CaseAssignment.status.in_(("pending", "accepted")))
        )
        return or_(case.village_id.in_(served), case.id.in_(assigned))
    # "Their organization's cases": handled there now, or registered there and sent elsewhere.
    own = or_(case.organization_id == user.organization_id, case.registering_organization_id == user.organization_id)
    if user.role == "village_mediator":
        return own
    if user.role in ("counter", "supervisor"):
        if user.organization_kind == "district_center":
            return true()
        if user.organization_kind == "town_committee":
            return or_(own, case.town_id == user.organization_place_id)
        if user.organization_kind == "village_committee":
            return or_(own, case.village_id == user.organization_place_id)
        return own
    return false()
