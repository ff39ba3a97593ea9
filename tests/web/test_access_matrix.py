"""Who may reach what, generated from the app's route table: a new route is checked without anyone
remembering to list it.

Every route of `create_app(settings)` is expanded with real ids from one seeded district (a case in
石门村 registered by a counter and due today, with an evidence file, an extension request and an
advisor's pending assignment) and requested signed out and as each role. A path parameter this
module cannot fill fails the run, so a route with a new kind of id is noticed here first.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.app import create_app
from mediation.domain.advisors import AdvisorRow
from mediation.models import (
    Agreement,
    CaseAssignment,
    CaseEvent,
    ConflictDeclaration,
    DictionaryEntry,
    Evidence,
    Extension,
    FollowUp,
    Hearing,
    InvestigationRecord,
    LedgerTransfer,
    LegalAdvisor,
    LegalOpinion,
    MediationCase,
    Obligation,
    RightsNotice,
    User,
)
from mediation.services.advisors import AdvisorService
from mediation.settings import Settings
from tests.conftest import add_user, app_client, csrf_token, post_form, sign_in
from tests.web.cases_support import VALID_ID, District, intake_form, make_district, organization_id

pytestmark = pytest.mark.anyio

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
UPLOAD = {"file": ("调解证据.pdf", PDF, "application/pdf")}

# OPTIONS is answered by the framework itself (an Allow header), HEAD by the same handler as GET.
UNCHECKED_METHODS = frozenset({"OPTIONS", "HEAD"})
PUBLIC_PATHS = {"/login", "/logout", "/healthz", "/track", "/track/qr.svg", "/static/{file_path:path}"}
# Ids that belong to the seeded case: whoever may not see the case may not reach them either.
CASE_BOUND = frozenset({"case_id", "evidence_id", "extension_id", "assignment_id", "follow_up_id", "obligation_id",
                        "name"})
MISSING_ID = 999_999
PARAMETER = re.compile(r"\{(\w+):\w+\}")

USERNAMES = {
    "admin": "admin",
    "supervisor": "zhuren",
    "counter": "chuangkou",
    "village_mediator": "cuntiao",  # of 湖滨社区, another village
    "advisor": "waiguwen",  # serves 湖滨社区 only, not assigned to the case
}
INSIDERS = ("admin", "supervisor", "counter")
OUTSIDERS = ("village_mediator", "advisor")
# Areas a role guard closes to a role, whatever the case: role -> path prefixes (intake is /cases/new).
REFUSED_AREAS = {
    "supervisor": ("/admin",),
    "counter": ("/admin", "/ledger"),
    "village_mediator": ("/admin", "/ledger"),
    "advisor": ("/admin", "/cases/new", "/advisors", "/screenings", "/ledger"),
}
# What the case shows of its parties; a page that shows an outsider any of it leaks the case.
CASE_TEXTS = ("张三", "李四", VALID_ID, "13812345678")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    parameters: frozenset[str]
    public: bool

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def case_bound(self) -> bool:
        return bool(self.parameters & CASE_BOUND)

    def url(self, values: Mapping[str, object]) -> str:
        return PARAMETER.sub(lambda match: str(values[match.group(1)]), self.path)

    def under(self, prefix: str) -> bool:
        return self.path == prefix or self.path.startswith(prefix + "/")


@dataclass(frozen=True)
class World:
    district: District
    case_id: int
    number: str
    values: dict[str, object]
    form: dict[str, str]
    endpoints: list[Endpoint]

    @property
    def missing_values(self) -> dict[str, object]:
        """The same ids, except that the case and everything in it do not exist."""
        return {**self.values, **{name: MISSING_ID for name in CASE_BOUND}}


def route_table(app: Litestar, values: Mapping[str, object]) -> list[Endpoint]:
    endpoints = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            pytest.fail(f"{route.path} is a {type(route).__name__}, not an HTTP route: "
                        "teach this test to reach it")
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - UNCHECKED_METHODS):
                endpoints.append(Endpoint(method, route.path, frozenset(route.path_parameters),
                                          bool(handler.opt.get("public"))))
    unknown = sorted({f"{name} (in {endpoint.path})" for endpoint in endpoints
                      for name in endpoint.parameters if name not in values})
    if unknown:
        pytest.fail(f"path parameters without a seeded value: {', '.join(unknown)}; "
                    "seed a real one in the `world` fixture of this module")
    return endpoints


@asynccontextmanager
async def signed_in(settings: Settings, role: str) -> AsyncIterator[AsyncTestClient]:
    async with app_client(settings) as client:
        response = await sign_in(client, USERNAMES[role])
        assert response.status_code == 303, f"{role} could not sign in: {response.status_code}"
        yield client


async def send(client: AsyncTestClient, endpoint: Endpoint, url: str, form: Mapping[str, str]) -> Any:
    """GET as a link does; any other method as a form would, with its CSRF token and a file attached."""
    if endpoint.method == "GET":
        return await client.get(url)
    return await client.request(endpoint.method, url, data={"_csrf_token": csrf_token(client), **form},
                                files=UPLOAD)


def is_sign_in_redirect(response: Any) -> bool:
    return response.status_code == 303 and response.headers.get("location", "").startswith("/login?next=")


async def case_state(session: AsyncSession, settings: Settings, case_id: int) -> dict[str, object]:
    """What any write to the case would change: its row, its records, its assignments, the stored files."""
    await session.rollback()  # read what is committed now, not this session's earlier snapshot
    state: dict[str, object] = {
        "case": tuple((await session.execute(
            select(MediationCase.status, MediationCase.version, MediationCase.organization_id,
                   MediationCase.deadline).where(MediationCase.id == case_id))).one()),
        "extensions": list(await session.scalars(
            select(Extension.status).where(Extension.case_id == case_id).order_by(Extension.id))),
        "assignments": list(await session.scalars(select(CaseAssignment.status).where(
            CaseAssignment.case_id == case_id).order_by(CaseAssignment.id))),
        "files": sorted(path.name for path in settings.upload_dir.iterdir()),
    }
    for model in (CaseEvent, ConflictDeclaration, Evidence, Hearing, InvestigationRecord, LegalOpinion,
                  RightsNotice):
        state[model.__tablename__] = await session.scalar(
            select(func.count()).select_from(model).where(model.case_id == case_id))
    return state


@pytest.fixture
async def world(client: AsyncTestClient, db_session: AsyncSession, settings: Settings) -> World:
    """The seeded district; `client` is left signed in as the counter who registered the case."""
    district = await make_district(db_session)
    await add_user(db_session, settings, USERNAMES["admin"], "admin", name="管理员")
    await add_user(db_session, settings, USERNAMES["supervisor"], "supervisor", name="周主任")
    await add_user(db_session, settings, USERNAMES["counter"], "counter", name="陈窗口")
    await add_user(db_session, settings, USERNAMES["village_mediator"], "village_mediator",
                   organization=district.village_b1_org, name="湖滨调解员")
    await add_user(db_session, settings, USERNAMES["advisor"], "advisor", name="李静")
    await add_user(db_session, settings, "guwen", "advisor", name="王明远")
    await AdvisorService(db_session).import_rows([
        AdvisorRow(2, "王明远", "明理律师事务所", "13301201010001", "", (("城关镇", "石门村"),), "guwen"),
        AdvisorRow(3, "李静", "正平律师事务所", "13301201010002", "", (("东湖街道", "湖滨社区"),),
                   USERNAMES["advisor"]),
    ])
    advisor_ids = dict((await db_session.execute(select(LegalAdvisor.name, LegalAdvisor.id))).all())

    await sign_in(client, USERNAMES["counter"])
    registered = await post_form(client, "/cases/new", intake_form(district))
    assert registered.status_code == 303, registered.text[:1500]
    case_id = int(registered.headers["location"].rsplit("/", 1)[1])
    uploaded = await client.post(f"/cases/{case_id}/evidence", files=UPLOAD,
                                 data={"_csrf_token": csrf_token(client), "description": "收据"})
    assert uploaded.status_code == 303, uploaded.text[:1500]
    # Due today: so the case is also on the near-due list of every dashboard that may show it.
    await db_session.rollback()
    due = await db_session.scalar(select(MediationCase.accepted_on).where(MediationCase.id == case_id))
    await db_session.execute(update(MediationCase).where(MediationCase.id == case_id).values(deadline=due))
    await db_session.commit()
    extended = await post_form(client, f"/cases/{case_id}/extensions", {
        "requested_deadline": (due + timedelta(days=15)).isoformat(), "reason": "双方同意再协商",
        "applicant_consent": "同意", "respondent_consent": "同意"})
    assert extended.status_code == 303, extended.text[:1500]
    assigned = await post_form(client, f"/cases/{case_id}/assign", {"advisor": str(advisor_ids["王明远"])})
    assert assigned.status_code == 303, assigned.text[:1500]
    drafted = await post_form(client, f"/cases/{case_id}/agreement", {
        "form": "oral", "terms": "李四赔礼道歉", "performance_method": "当面"})
    assert drafted.status_code == 303, drafted.text[:1500]
    obliged = await post_form(client, f"/cases/{case_id}/obligations", {
        "description": "李四赔礼道歉", "due_on": (due + timedelta(days=10)).isoformat()})
    assert obliged.status_code == 303, obliged.text[:1500]
    # A follow-up is scheduled at closing; this open case gets one directly so its route has a real id.
    db_session.add(FollowUp(case_id=case_id, scheduled_on=due + timedelta(days=15), reason="回访"))
    # A ledger validation by the admin, so the ledger's report page has a real id.
    transfer = LedgerTransfer(action="import", dry_run=True, channel="web", actor_name="管理员", file_name="台账.csv",
                              scope="全区", status="done", user_id=await db_session.scalar(
                                  select(User.id).where(User.username == USERNAMES["admin"])))
    db_session.add(transfer)
    await db_session.commit()

    await db_session.rollback()
    number, version = (await db_session.execute(
        select(MediationCase.number, MediationCase.version).where(MediationCase.id == case_id))).one()

    async def case_record(model: Any) -> int:
        return (await db_session.execute(select(model.id).where(model.case_id == case_id))).scalar_one()

    values: dict[str, object] = {
        "case_id": case_id,
        "evidence_id": await case_record(Evidence),
        "extension_id": await case_record(Extension),
        "assignment_id": await case_record(CaseAssignment),
        "follow_up_id": await case_record(FollowUp),
        "obligation_id": (await db_session.execute(
            select(Obligation.id).join(Agreement, Agreement.id == Obligation.agreement_id)
            .where(Agreement.case_id == case_id))).scalar_one(),
        "name": "register",
        "place_id": district.village_a1,
        "organization_id": await organization_id(db_session, district.village_a1_org),
        "user_id": await db_session.scalar(select(User.id).where(User.username == USERNAMES["counter"])),
        "entry_id": await db_session.scalar(select(func.min(DictionaryEntry.id))),
        "file_path": "app.css",
        "transfer_id": transfer.id,
    }
    # One form filled in for every action on the case, so that a refusal is about access, not missing input.
    form = {
        "version": str(version), "source": "party_application", "dispute_type": "neighbourhood",
        "risk_level": "major", "people_involved": "3", "amount_involved": "", "summary": "外人改写的情况",
        "claims": "外人改写的请求", "reason": "外人填写的理由",
        "organization": str(await organization_id(db_session, district.town_a_org)),
        "advisor": str(advisor_ids["李静"]), "case": str(case_id), "relation": "亲属",
        "notified_at": "2024-05-06T09:30", "method": "written", "parties_told": "张三、李四",
        "investigated_at": "2024-05-06T09:30", "place": "村委会", "investigators": "外人", "subjects": "张三",
        "findings": "外人的调查", "held_at": "2024-05-06T09:30", "mediators": "外人", "attendees": "张三、李四",
        "record": "外人的笔录", "opinion": "外人的法律意见", "description": "外人上传",
        "requested_deadline": (due + timedelta(days=30)).isoformat(), "applicant_consent": "同意",
        "respondent_consent": "同意", "decision": "approve", "decision_note": "同意", "answer": "accept",
    }
    return World(district, case_id, number, values, form, route_table(create_app(settings), values))


async def test_signed_out_every_private_route_asks_for_sign_in(world, settings, db_session):
    public = {endpoint.path for endpoint in world.endpoints if endpoint.public}
    assert public == PUBLIC_PATHS, f"the public routes changed: {sorted(public ^ PUBLIC_PATHS)}"
    before = await case_state(db_session, settings, world.case_id)
    async with app_client(settings) as anonymous:
        await anonymous.get("/login")  # the CSRF cookie, so that a refusal is about sign-in
        for endpoint in world.endpoints:
            url = endpoint.url(world.values)
            response = await send(anonymous, endpoint, url, world.form)
            location = response.headers.get("location")
            answer = f"{endpoint} ({url}) signed out: {response.status_code} {location}"
            if endpoint.public:
                assert not is_sign_in_redirect(response) and response.status_code < 500, answer
                assert endpoint.method != "GET" or response.status_code == 200, answer
            else:
                assert response.status_code == 303, answer
                assert location == "/login?next=" + quote(url), answer
    after = await case_state(db_session, settings, world.case_id)
    assert after == before, "a signed-out request changed the case"


async def test_outsiders_reach_nothing_of_the_case_and_change_nothing(world, settings, db_session):
    """A village mediator of another village and an advisor neither serving the village nor assigned get
    exactly the answer a case that does not exist gets (404, or 403 from a role check made before the
    case is looked up) on every route of the case, and no route ever shows them its number."""
    before = await case_state(db_session, settings, world.case_id)
    evidence = f"/cases/{world.case_id}/evidence/{world.values['evidence_id']}"
    for role in OUTSIDERS:
        async with signed_in(settings, role) as outsider:
            for endpoint in world.endpoints:
                if endpoint.public:
                    continue
                url = endpoint.url(world.values)
                response = await send(outsider, endpoint, url, world.form)
                answer = f"{endpoint} ({url}) as {role}: {response.status_code}"
                assert world.number not in response.text, f"{answer} shows the case number"
                if endpoint.case_bound:
                    missing = await send(outsider, endpoint, endpoint.url(world.missing_values), world.form)
                    assert response.status_code in (403, 404), answer
                    assert response.status_code == missing.status_code, \
                        f"{answer}, but {missing.status_code} for a case that does not exist"
            refused = await outsider.get(evidence)
            assert refused.status_code == 404 and PDF not in refused.content, \
                f"GET {evidence} as {role}: {refused.status_code}"
    after = await case_state(db_session, settings, world.case_id)
    assert after == before, "an outsider's request changed the case"


async def test_role_guarded_areas_refuse_the_other_roles(world, settings):
    for role, prefixes in REFUSED_AREAS.items():
        for prefix in prefixes:
            assert any(endpoint.under(prefix) for endpoint in world.endpoints), f"no route under {prefix}"
        guarded = [endpoint for endpoint in world.endpoints if any(map(endpoint.under, prefixes))]
        async with signed_in(settings, role) as user:
            for endpoint in guarded:
                url = endpoint.url(world.values)
                response = await send(user, endpoint, url, world.form)
                assert response.status_code == 403, f"{endpoint} ({url}) as {role}: {response.status_code}"


async def test_insiders_open_every_page_of_the_case(world, settings, client):
    """The control for the refusals above: the same ids answer those who may see the case, and an admin
    may open every page there is."""
    for role in INSIDERS:
        async with signed_in(settings, role) as insider:
            for endpoint in world.endpoints:
                if endpoint.method != "GET" or not (endpoint.case_bound or role == "admin"):
                    continue
                url = endpoint.url(world.values)
                response = await insider.get(url)
                assert response.status_code < 400 and not is_sign_in_redirect(response), \
                    f"{endpoint} ({url}) as {role}: {response.status_code}"
    download = await client.get(f"/cases/{world.case_id}/evidence/{world.values['evidence_id']}")
    assert download.status_code == 200 and download.content == PDF, "the counter cannot download their upload"
    assert download.headers["content-disposition"].startswith("attachment")


def without_echo(page: str, query: str) -> str:
    """The page minus the search box, which rightly shows back what was typed into it."""
    return page.replace(f'value="{query}"', "")


async def test_lists_and_search_show_outsiders_nothing_of_the_case(world, settings, client):
    queries = (*CASE_TEXTS, world.number)
    for query in queries:
        found = await client.get("/cases", params={"q": query})
        assert world.number in found.text, f"the counter's search for {query} misses the case"
    async with signed_in(settings, "supervisor") as supervisor:
        assert world.number in (await supervisor.get("/")).text, "the supervisor's dashboard misses the case"
    for role in OUTSIDERS:
        async with signed_in(settings, role) as outsider:
            for query in queries:
                listed = await outsider.get("/cases", params={"q": query})
                assert listed.status_code == 200, f"/cases?q={query} as {role}: {listed.status_code}"
                shown = without_echo(listed.text, query)
                for text in (world.number, *CASE_TEXTS):
                    assert text not in shown, f"/cases?q={query} as {role} shows {text}"
            dashboard = (await outsider.get("/")).text
            for text in (world.number, *CASE_TEXTS):
                assert text not in dashboard, f"the dashboard of {role} shows {text}"


async def test_repeat_check_at_intake_shows_no_case_outside_scope(world, settings):
    """The repeat-visit check is a search by ID number, phone and name: it is scoped like every other,
    both live on the intake form and in the 重复来访 link of the case it registers."""
    district = world.district
    async with signed_in(settings, "village_mediator") as outsider:
        form = intake_form(district, town=district.town_b, village=district.village_b1)
        check = await post_form(outsider, "/cases/new/check", form)
        assert check.status_code == 200, check.status_code
        for text in (world.number, "李四"):
            assert text not in check.text, f"the repeat check of a village_mediator of 湖滨社区 shows {text}"
        registered = await post_form(outsider, "/cases/new", form)
        assert registered.status_code == 303, registered.text[:1500]
        page = await outsider.get(registered.headers["location"])
        assert world.number not in page.text, "the case they registered links to the case outside scope"
