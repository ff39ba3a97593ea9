"""Everything the case page shows, gathered from the services that own each part."""

from __future__ import annotations

from dataclasses import dataclass

from mediation.services.assignments import AssignmentService
from mediation.services.cases import CaseService
from mediation.services.intake import IntakeService
from mediation.services.mediation_work import MediationWorkService
from mediation.services.resolution import ResolutionService


@dataclass(frozen=True)
class CaseServices:
    cases: CaseService
    intake: IntakeService
    assignments: AssignmentService
    work: MediationWorkService
    resolution: ResolutionService
