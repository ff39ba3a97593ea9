"""Everything the case page shows, gathered from the services that own each part."""

from __future__ import annotations

from dataclasses import dataclass

from mediation.services.accounts import CurrentUser
from mediation.services.assignments import AssignmentPanel, AssignmentService
from mediation.services.cases import CaseService, CaseView
from mediation.services.intake import IntakeOptions, IntakeService
from mediation.services.mediation_work import MediationWorkService, WorkRecords
from mediation.services.resolution import Resolution, ResolutionService


@dataclass(frozen=True)
class CasePage:
    case: CaseView
    panel: AssignmentPanel
    records: WorkRecords
    resolution: Resolution
    options: IntakeOptions
    transfer_targets: list[tuple[int, str]]


@dataclass(frozen=True)
class CaseServices:
    cases: CaseService
    intake: IntakeService
    assignments: AssignmentService
    work: MediationWorkService
    resolution: ResolutionService

    async def page(self, user: CurrentUser, case_id: int) -> CasePage:
        """The case page's parts, the case read once (CaseNotFound when the user may not see it)."""
        case = await self.cases.scoped_case(user, case_id)
        view = await self.cases.view_of(user, case)
        return CasePage(
            case=view,
            panel=await self.assignments.panel_of(case),
            records=await self.work.records_of(case),
            resolution=await self.resolution.view_of(case),
            options=await self.intake.options(),
            transfer_targets=await self.cases.transfer_targets(case_id) if view.open else [],
        )
