"""The life of a case as a state machine: hypothesis drives random sequences of the real actions (intake or
refusal, edit, transfer, escalate, assign, hearing, extension, agreement, signature, closing with each
outcome, follow-up, judicial confirmation, archive, reopen, void) and checks that none reaches an invalid
state.

The rules live in the services (domain/workflow.py holds only part of them), so the machine calls the
services on a test database, as a supervisor of the district center who may do everything. After every
step it checks the case as stored: an action the table below does not allow in the case's status must
be refused and change nothing; an allowed one may only move the case to the statuses listed; and the
invariants of each status hold (closed has an outcome and a closing date not before acceptance, archived
only after closed, voided and refused stay so, the timeline only grows)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mediation import database
from mediation.domain import deadlines
from mediation.domain.closing import FAILURE_ROUTES, OUTCOMES
from mediation.domain.intake import parse_intake
from mediation.domain.validation import Invalid
from mediation.domain.workflow import REFUSAL_REASONS, STATUS_LABELS
from mediation.models import (
    Agreement,
    CaseEvent,
    Extension,
    FollowUp,
    JudicialConfirmation,
    MediationCase,
    Organization,
)
from mediation.models.base import utcnow
from mediation.services.accounts import AccountService, CurrentUser
from mediation.services.assignments import AssignmentService
from mediation.services.cases import CaseConflict, CaseService
from mediation.services.intake import IntakeService
from mediation.services.mediation_work import MediationWorkService
from mediation.services.resolution import ResolutionService
from tests.conftest import PASSWORD
from tests.web.cases_support import District, intake_form, make_district

OPEN = ("accepted", "in_mediation")
# (status, action) -> the statuses the case may have after the action succeeds. Any other pair must be refused.
ALLOWED: dict[tuple[str, str], set[str]] = {
    **{(status, action): {status} for status in OPEN
       for action in ("edit", "transfer", "escalate", "request_extension", "decide_extension", "draft_agreement",
                      "sign_agreement", "apply_confirmation")},
    **{(status, action): {"in_mediation"} for status in OPEN for action in ("assign", "hearing")},
    **{(status, "close"): {"closed"} for status in OPEN},
    **{(status, "void"): {"voided"} for status in (*OPEN, "refused")},
    ("closed", "follow_up"): {"closed"},
    ("closed", "apply_confirmation"): {"closed"},
    ("closed", "archive"): {"archived"},
    ("closed", "reopen"): {"in_mediation"},
    ("archived", "reopen"): {"in_mediation"},
    # A visit due from an earlier closing may still be recorded after the case is reopened.
    ("in_mediation", "follow_up"): {"in_mediation"},
}


@dataclass(frozen=True)
class Snapshot:
    """Everything an action may change, as stored."""

    case: tuple
    events: tuple[tuple[int, str, str], ...]
    agreement: tuple | None
    pending_extension: bool
    extensions: tuple[str, ...]
    pending_follow_up: int | None
    follow_ups: tuple[tuple, ...]
    confirmations: int

    @property
    def status(self) -> str:
        return self.case[0]


@dataclass
class World:
    runner: asyncio.Runner
    sessions: async_sessionmaker[AsyncSession]
    settings: Any
    district: District
    supervisor: CurrentUser
    mediator_id: int
    other_organization_id: int

    def run(self, use: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        return run_in_session(self.runner, self.sessions, use)

    @property
    def today(self) -> date:
        return deadlines.local_date(utcnow(), self.settings.tz)


def run_in_session(runner: asyncio.Runner, sessions: async_sessionmaker[AsyncSession],
                   use: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    """One use case in its own session, as one request would run it."""
    async def in_session() -> Any:
        async with sessions() as session:
            return await use(session)

    return runner.run(in_session())


@pytest.fixture
def world(settings) -> Iterator[World]:
    runner = asyncio.Runner()
    engine = database.create_engine(settings.database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def seed(session: AsyncSession) -> tuple[District, CurrentUser, int, int]:
        district = await make_district(session)
        accounts = AccountService(session, settings)
        boss = await accounts.add_user("zhuren", "supervisor", "周主任", PASSWORD, None)
        mediator = await accounts.add_user("cuntiao", "village_mediator", "李调解", PASSWORD,
                                           district.village_a1_org)
        center = await session.get_one(Organization, boss.organization_id)
        other = await session.scalar(select(Organization.id).where(Organization.name == district.village_b1_org))
        user = CurrentUser(boss.id, boss.username, boss.display_name, boss.role, center.id, center.name,
                           center.kind, center.place_id)
        return district, user, mediator.id, other

    try:
        yield World(runner, sessions, settings, *run_in_session(runner, sessions, seed))
    finally:
        runner.run(engine.dispose())
        runner.close()


class CaseLife(RuleBasedStateMachine):
    world: World  # set by the test before the machine runs

    def __init__(self) -> None:
        super().__init__()
        self.case_id = 0
        self.state: Snapshot | None = None
        self.accepted_on: date | None = None

    # Running one action and judging its result.

    def snapshot(self) -> Snapshot:
        async def read(session: AsyncSession) -> Snapshot:
            case = (await session.execute(select(
                MediationCase.status, MediationCase.outcome, MediationCase.closed_on, MediationCase.accepted_on,
                MediationCase.deadline, MediationCase.archived_on, MediationCase.archive_number,
                MediationCase.retention_period, MediationCase.organization_id, MediationCase.level,
                MediationCase.risk_level, MediationCase.failure_route, MediationCase.void_reason,
                MediationCase.refusal_reason, MediationCase.version,
            ).where(MediationCase.id == self.case_id))).one()
            events = (await session.execute(select(CaseEvent.id, CaseEvent.kind, CaseEvent.summary)
                                            .where(CaseEvent.case_id == self.case_id).order_by(CaseEvent.id))).all()
            agreement = (await session.execute(select(Agreement.form, Agreement.signed_on, Agreement.terms)
                                               .where(Agreement.case_id == self.case_id))).first()
            extensions = tuple(await session.scalars(select(Extension.status).where(
                Extension.case_id == self.case_id).order_by(Extension.id)))
            follow_ups = (await session.execute(select(FollowUp.id, FollowUp.visited_on).where(
                FollowUp.case_id == self.case_id).order_by(FollowUp.id))).all()
            confirmations = len((await session.execute(select(JudicialConfirmation.id).where(
                JudicialConfirmation.case_id == self.case_id))).all())
            return Snapshot(
                tuple(case), tuple(tuple(event) for event in events), tuple(agreement) if agreement else None,
                "pending" in extensions, extensions,
                next((row[0] for row in follow_ups if row[1] is None), None), tuple(tuple(row) for row in follow_ups),
                confirmations)

        return self.world.run(read)

    def act(self, action: str, use: Callable[[AsyncSession], Awaitable[Any]]) -> None:
        before = self.state
        assert before is not None
        try:
            self.world.run(use)
            done = True
        except (Invalid, CaseConflict):
            done = False
        after = self.snapshot()
        allowed = ALLOWED.get((before.status, action))
        if allowed is None:
            assert not done, f"{action} was allowed on a case that is {before.status}"
        if done:
            assert after.status in allowed, f"{action} moved a {before.status} case to {after.status}"
            # Saving a form that changes nothing (an edit to the same values) is no event.
            assert len(after.events) > len(before.events) or after == before, f"{action} left no event"
        else:
            assert after == before, f"the refused {action} changed the case"
        self.state = after

    # The actions.

    @initialize(start=st.sampled_from(["accepted", "in_mediation", "closed", "archived", "refused", "voided"]),
                agreement=st.sampled_from(["none", "written", "signed", "oral"]))
    def register(self, start: str, agreement: str) -> None:
        """Each life starts somewhere along the way, reached through the same actions, so that the random
        steps after it explore every status (and every state of the agreement) rather than the first few."""
        world = self.world
        refuse = start == "refused"
        form = intake_form(world.district, action="refuse" if refuse else "accept",
                           refusal_reason="party_refuses" if refuse else "")

        async def use(session: AsyncSession) -> int:
            intake = IntakeService(session, world.settings)
            sources, types, risks = await intake.valid_codes()
            draft = parse_intake(form, sources, types, risks, REFUSAL_REASONS, refusing=refuse)
            return (await intake.register(draft, world.supervisor, form["intake_token"], refuse)).id

        self.case_id = world.run(use)
        self.state = self.snapshot()
        self.accepted_on = self.state.case[3]
        assert self.state.status == ("refused" if refuse else "accepted")
        if refuse:
            return
        if agreement != "none":
            self.draft_agreement("oral" if agreement == "oral" else "written")
        if agreement == "signed":
            self.sign_agreement()
        if start == "in_mediation":
            self.hearing()
        if start in ("closed", "archived"):
            self.close("success" if agreement in ("signed", "oral") else "failure", 0)
        if start == "archived":
            self.archive("10年")
        if start == "voided":
            self.void(True)
        assert self.state.status == start

    @rule(risk=st.sampled_from(["ordinary", "serious"]))
    def edit(self, risk: str) -> None:
        version = self.state.case[14]
        self.act("edit", lambda s: CaseService(s, self.world.settings).edit_facts(
            self.world.supervisor, self.case_id, version, {
                "source": "party_application", "dispute_type": "neighbourhood", "people_involved": "3",
                "amount_involved": "", "summary": f"修改后的纠纷简要情况（{risk}）", "claims": "",
                "risk_level": risk}))

    @rule()
    def transfer(self) -> None:
        self.act("transfer", lambda s: CaseService(s, self.world.settings).transfer(
            self.world.supervisor, self.case_id,
            {"organization": str(self.world.other_organization_id), "reason": "当事人申请移交"}))

    @rule()
    def escalate(self) -> None:
        self.act("escalate", lambda s: CaseService(s, self.world.settings).escalate(
            self.world.supervisor, self.case_id, {"reason": "村级调解未果"}))

    @rule(now=st.sampled_from([False, False, True]))
    def void(self, now: bool) -> None:
        """Voiding ends a life early, so it is tried on one draw in three to let others run longer."""
        if not now:
            return
        self.act("void", lambda s: CaseService(s, self.world.settings).void(
            self.world.supervisor, self.case_id, {"reason": "误登记"}))

    @rule()
    def assign(self) -> None:
        self.act("assign", lambda s: AssignmentService(s).assign(
            self.world.supervisor, self.case_id, {}, [str(self.world.mediator_id)]))

    @rule()
    def hearing(self) -> None:
        moment = f"{self.world.today.isoformat()}T00:00"
        self.act("hearing", lambda s: MediationWorkService(s, self.world.settings).add_hearing(
            self.world.supervisor, self.case_id, {"held_at": moment, "place": "调委会", "mediators": "李调解",
                                                  "attendees": "张三、李四", "record": "双方陈述意见"}))

    @rule(days=st.integers(min_value=-1, max_value=20))
    def request_extension(self, days: int) -> None:
        deadline = self.state.case[4]
        requested = (deadline or self.world.today) + timedelta(days=days)
        self.act("request_extension", lambda s: MediationWorkService(s, self.world.settings).request_extension(
            self.world.supervisor, self.case_id, {"requested_deadline": requested.isoformat(), "reason": "等待鉴定",
                                                  "applicant_consent": "同意", "respondent_consent": "同意"}))

    @precondition(lambda self: self.state.pending_extension)
    @rule(approve=st.booleans())
    def decide_extension(self, approve: bool) -> None:
        async def use(session: AsyncSession) -> None:
            extension_id = await session.scalar(select(Extension.id).where(
                Extension.case_id == self.case_id, Extension.status == "pending"))
            await MediationWorkService(session, self.world.settings).decide_extension(
                self.world.supervisor, self.case_id, extension_id, approve, "" if approve else "理由不充分")

        self.act("decide_extension", use)

    @rule(form=st.sampled_from(["written", "oral"]))
    def draft_agreement(self, form: str) -> None:
        fields = {"form": form, "terms": "李四拆除越界围墙", "performance_method": "自行拆除"}
        if form == "written":
            fields |= {"facts": "宅基地边界争执", "disputes": "围墙越界", "responsibilities": "李四负主要责任",
                       "performance_place": "石门村", "performance_deadline": "2099-12-31"}
        self.act("draft_agreement", lambda s: ResolutionService(s, self.world.settings).save_agreement(
            self.world.supervisor, self.case_id, fields))

    @rule()
    def sign_agreement(self) -> None:
        self.act("sign_agreement", lambda s: ResolutionService(s, self.world.settings).sign_agreement(
            self.world.supervisor, self.case_id, {"signed_on": self.world.today.isoformat()}))

    @rule()
    def apply_confirmation(self) -> None:
        self.act("apply_confirmation", lambda s: ResolutionService(s, self.world.settings).apply_confirmation(
            self.world.supervisor, self.case_id, {"applied_on": self.world.today.isoformat(), "court": "区人民法院"}))

    @rule(outcome=st.sampled_from(["failure", "withdrawn", "success"]), days=st.sampled_from([0, 0, 0, -1, 1]))
    def close(self, outcome: str, days: int) -> None:
        # Acceptance was today: yesterday is before it, tomorrow is in the future; only today is valid.
        closed_on = self.world.today + timedelta(days=days)
        self.act("close", lambda s: ResolutionService(s, self.world.settings).close(
            self.world.supervisor, self.case_id, {"outcome": outcome, "closed_on": closed_on.isoformat(),
                                                  "route": "litigation"}))

    @precondition(lambda self: self.state.pending_follow_up is not None)
    @rule()
    def follow_up(self) -> None:
        follow_up_id = self.state.pending_follow_up
        self.act("follow_up", lambda s: ResolutionService(s, self.world.settings).record_follow_up(
            self.world.supervisor, self.case_id, follow_up_id, {
                "visited_on": self.world.today.isoformat(), "party": "张三", "performance": "已履行",
                "visitor": "周主任", "satisfaction": "satisfied"}))

    @rule(retention=st.sampled_from(["10年", "永久"]))
    def archive(self, retention: str) -> None:
        self.act("archive", lambda s: ResolutionService(s, self.world.settings).archive(
            self.world.supervisor, self.case_id, {"retention_period": retention}))

    @rule()
    def reopen(self) -> None:
        self.act("reopen", lambda s: ResolutionService(s, self.world.settings).reopen(
            self.world.supervisor, self.case_id, {"reopen_reason": "当事人反悔，申请重新调解"}))

    # What must hold in every state.

    @invariant()
    def status_is_consistent(self) -> None:
        if self.state is None:
            return
        (status, outcome, closed_on, accepted_on, deadline, archived_on, archive_number, retention, _, _, _,
         failure_route, void_reason, refusal_reason, _) = self.state.case
        assert status in STATUS_LABELS
        assert accepted_on == self.accepted_on, "the acceptance date changed"
        if status in OPEN:
            assert outcome is None and closed_on is None and accepted_on and deadline
        if status in ("closed", "archived"):
            assert outcome in OUTCOMES and closed_on is not None
            assert accepted_on <= closed_on <= self.world.today
            if outcome == "success":
                agreement = self.state.agreement
                assert agreement is not None, "closed as a success without an agreement"
                assert agreement[0] == "oral" or (agreement[1] is not None and agreement[1] <= closed_on)
            if outcome == "failure":
                assert failure_route in FAILURE_ROUTES
        if status == "archived":
            assert archive_number and archived_on and retention
        if status == "refused":
            assert accepted_on is None and deadline is None and refusal_reason in REFUSAL_REASONS
        if status == "voided":
            assert void_reason

    @invariant()
    def timeline_only_grows(self) -> None:
        if self.state is None:
            return
        previous = getattr(self, "_events", ())
        assert self.state.events[:len(previous)] == previous, "an event was changed or removed"
        self._events = self.state.events


def test_no_sequence_of_actions_reaches_an_invalid_state(world):
    CaseLife.world = world
    run_state_machine_as_test(CaseLife, settings=hypothesis_settings(
        max_examples=20, stateful_step_count=20, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
