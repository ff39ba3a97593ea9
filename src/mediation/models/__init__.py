"""SQLAlchemy models, one module per aggregate; importing this package registers them all."""

from mediation.models.accounts import LoginFailure, User, UserSession
from mediation.models.advisors import LegalAdvisor, advisor_village
from mediation.models.assignments import CaseAssignment
from mediation.models.base import Base
from mediation.models.cases import CaseEvent, CaseNumberCounter, MediationCase, Party
from mediation.models.dictionaries import DictionaryEntry
from mediation.models.ledger import LedgerImportedCase, LedgerTransfer
from mediation.models.mediation_work import (
    ConflictDeclaration,
    Evidence,
    Extension,
    Hearing,
    InvestigationRecord,
    LegalOpinion,
    RightsNotice,
)
from mediation.models.places import Organization, Place
from mediation.models.reporting import MonthClose, Screening, ZeroReport
from mediation.models.resolution import (
    Agreement,
    AgreementAmendment,
    FollowUp,
    JudicialConfirmation,
    Obligation,
)

__all__ = [
    "Agreement",
    "AgreementAmendment",
    "FollowUp",
    "JudicialConfirmation",
    "Obligation",
    "Base",
    "CaseAssignment",
    "CaseEvent",
    "ConflictDeclaration",
    "Evidence",
    "Extension",
    "Hearing",
    "InvestigationRecord",
    "LegalOpinion",
    "CaseNumberCounter",
    "MediationCase",
    "MonthClose",
    "Party",
    "DictionaryEntry",
    "LegalAdvisor",
    "LedgerImportedCase",
    "LedgerTransfer",
    "LoginFailure",
    "Organization",
    "Place",
    "RightsNotice",
    "Screening",
    "User",
    "UserSession",
    "ZeroReport",
    "advisor_village",
]
