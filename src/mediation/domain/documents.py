"""The documents of the case file (卷宗, DOMAIN.md) in their order, and when each one applies (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# (address name, title), in the order of the 卷宗.
DOCUMENTS: Final = (
    ("register", "受理登记表"),
    ("rights-notice", "权利义务告知书"),
    ("investigation", "调查记录"),
    ("hearing-record", "调解笔录"),
    ("agreement", "调解协议书"),
    ("oral-agreement", "口头协议登记表"),
    ("follow-up", "回访记录"),
    ("closing-report", "结案报告表"),
    ("receipt", "受理回执"),
)
TITLES: Final = dict(DOCUMENTS) | {"dossier": "卷宗"}
# Only these show full identity numbers: the register and the agreement state the parties' basic details.
FULL_ID_DOCUMENTS: Final = frozenset({"register", "agreement", "oral-agreement"})


@dataclass(frozen=True)
class CaseFacts:
    """What decides which documents exist so far."""

    accepted: bool
    investigations: int
    hearings: int
    agreement_form: str | None
    agreement_signed: bool
    follow_ups_done: int
    closed: bool


def applies(name: str, facts: CaseFacts) -> bool:
    """A document is available as soon as it applies (CONTRACT.md)."""
    if not facts.accepted:
        return False
    return {
        "register": True,
        "rights-notice": True,
        "receipt": True,
        "investigation": facts.investigations > 0,
        "hearing-record": facts.hearings > 0,
        "agreement": facts.agreement_form == "written",
        "oral-agreement": facts.agreement_form == "oral",
        "follow-up": facts.follow_ups_done > 0,
        "closing-report": facts.closed,
        "dossier": True,
    }.get(name, False)


def dossier_contents(facts: CaseFacts) -> list[str]:
    """The documents of the 卷宗 that exist so far, in order (the receipt is the party's, not the file's)."""
    return [name for name, _ in DOCUMENTS if name != "receipt" and applies(name, facts)]
