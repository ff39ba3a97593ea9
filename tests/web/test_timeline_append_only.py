"""The audit timeline is append-only: no code path updates or deletes a CaseEvent.

Checked twice: statically, over the source (no UPDATE or DELETE of case_event in any form, and no case
deleted, which would take its events along through the foreign key's cascade); and at run time, with
SQLAlchemy listeners that record every UPDATE or DELETE statement on case_event (or mediation_case rows
being deleted) and every flushed change to a CaseEvent object, while a whole case life goes through the
web: intake, edit, assignment, hearing, extension, evidence, agreement and signature, closing,
confirmation, follow-up, archive, reopening, closing again, and a second case voided."""

from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from mediation.models import CaseEvent
from tests.conftest import add_user, post_form, sign_in
from tests.web.cases_support import intake_form, make_district

pytestmark = pytest.mark.anyio

SOURCE = Path(__file__).resolve().parents[2] / "src" / "mediation"
PROTECTED_MODELS = {"CaseEvent", "MediationCase"}  # a deleted case takes its events along (ON DELETE CASCADE)
RAW_SQL = re.compile(r"\b(update\s+\"?case_event\"?|delete\s+from\s+\"?(case_event|mediation_case)\"?)\b", re.I)
WRITES = re.compile(r'^\s*(update\s+"?case_event"?\b|delete\s+from\s+"?(case_event|mediation_case)"?\b)', re.I)


def _names_a_protected_model(node: ast.AST) -> str | None:
    """`CaseEvent`, `models.CaseEvent` or `CaseEvent.__table__` as the target of update()/delete()."""
    while isinstance(node, ast.Attribute):
        if node.attr in PROTECTED_MODELS:
            return node.attr
        node = node.value
    return node.id if isinstance(node, ast.Name) and node.id in PROTECTED_MODELS else None


def timeline_writes(code: str) -> list[str]:
    """Every place in `code` that would update or delete timeline rows (or delete a case)."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("update", "delete") and node.args and (model := _names_a_protected_model(node.args[0])):
                found.append(f"line {node.lineno}: {name}({model}…)")
            if name == "delete" and isinstance(node.func, ast.Attribute) and len(node.args) == 1 \
                    and isinstance(node.args[0], ast.Name) and re.search(r"event|case", node.args[0].id, re.I):
                found.append(f"line {node.lineno}: session.delete({node.args[0].id})")
            if name in ("update", "delete") and isinstance(node.func, ast.Attribute) \
                    and _names_a_protected_model(node.func.value) and node.func.attr != "__table__":
                found.append(f"line {node.lineno}: {ast.unparse(node.func)}()")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and RAW_SQL.search(node.value):
            found.append(f"line {node.lineno}: SQL {node.value.strip()[:60]!r}")
    return found


def test_the_checker_finds_each_way_of_rewriting_the_timeline():
    for code in ("update(CaseEvent).values(summary='x')", "delete(CaseEvent).where(CaseEvent.id == 1)",
                 "sa.delete(models.CaseEvent)", "update(CaseEvent.__table__)", "CaseEvent.__table__.delete()",
                 "session.delete(event)", "session.delete(case)", "delete(MediationCase)",
                 "text('DELETE FROM case_event WHERE id = 1')", "text('update case_event set summary = 1')"):
        assert timeline_writes(code), code
    assert timeline_writes("update(CaseAssignment).values(status='ended')\ndelete(UserSession)") == []


def test_no_source_file_updates_or_deletes_an_event():
    files = sorted(SOURCE.rglob("*.py"))
    assert len(files) > 30, f"the source moved: point this check at it (looked in {SOURCE})"
    found = {str(path.relative_to(SOURCE)): writes for path in files
             if (writes := timeline_writes(path.read_text(encoding="utf-8")))}
    assert found == {}


@pytest.fixture
def watched():
    """Every UPDATE/DELETE on case_event (and DELETE on mediation_case) that any engine sends, and every
    flush that would change or delete a CaseEvent object, while the test runs."""
    seen: list[str] = []

    def on_statement(_connection, _cursor, statement, _parameters, _context, _executemany):
        if WRITES.match(statement):
            seen.append(statement)

    def on_flush(session, _context, _instances):
        for instance in (*session.dirty, *session.deleted):
            if isinstance(instance, CaseEvent) and (instance in session.deleted or session.is_modified(instance)):
                seen.append(f"flush of {instance!r}")

    event.listen(Engine, "before_cursor_execute", on_statement)
    event.listen(Session, "before_flush", on_flush)
    try:
        yield seen
    finally:
        event.remove(Session, "before_flush", on_flush)
        event.remove(Engine, "before_cursor_execute", on_statement)


async def test_the_runtime_watch_sees_a_rewrite(watched, db_session):
    """The listeners are live: deliberate rewrites are recorded (and rolled back)."""
    await db_session.execute(update(CaseEvent).values(summary="改写"))
    await db_session.execute(delete(CaseEvent).where(CaseEvent.id == 1))
    await db_session.rollback()
    assert len(watched) == 2


def form_version(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


async def test_a_whole_case_life_only_ever_adds_events(client, db_session, settings, watched):
    district = await make_district(db_session)
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    mediator = await add_user(db_session, settings, "cuntiao", "village_mediator", district.village_a1_org, "李调解")
    await sign_in(client, "zhuren")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    moment = f"{today.isoformat()}T00:00"
    timeline: list[tuple] = []

    async def step(path: str, form: dict[str, object] | None = None, **upload) -> None:
        if upload:
            response = await client.post(path, files=upload, data={"_csrf_token": client.cookies.get("csrftoken")})
        else:
            response = await post_form(client, path, form)
        assert response.status_code == 303, (path, response.text[:1500])
        await db_session.rollback()
        rows = [tuple(row) for row in (await db_session.execute(
            select(CaseEvent.id, CaseEvent.case_id, CaseEvent.occurred_at, CaseEvent.actor_id, CaseEvent.kind,
                   CaseEvent.summary, CaseEvent.reason).order_by(CaseEvent.id))).all()]
        assert len(rows) > len(timeline), f"{path} added no event"
        assert rows[:len(timeline)] == timeline, f"{path} changed or removed an earlier event"
        timeline[:] = rows

    created = await post_form(client, "/cases/new", intake_form(district))
    case = created.headers["location"]
    await step(f"{case}/edit", {"version": form_version((await client.get(case)).text), "source": "party_application",
                                "dispute_type": "neighbourhood", "people_involved": "3", "amount_involved": "",
                                "summary": "因宅基地边界发生争执，双方多次口角", "claims": "", "risk_level": "ordinary"})
    await step(f"{case}/assign", {"version": form_version((await client.get(case)).text),
                                  "mediators": str(mediator.id)})
    await step(f"{case}/hearings", {"held_at": moment, "place": "调委会", "mediators": "李调解",
                                    "attendees": "张三、李四", "record": "双方陈述"})
    deadline = re.search(r"办理期限至 (\d{4}-\d{2}-\d{2})", (await client.get(case)).text).group(1)
    later = (datetime.fromisoformat(deadline) + timedelta(days=10)).date().isoformat()
    await step(f"{case}/extensions", {"requested_deadline": later, "reason": "等待鉴定",
                                      "applicant_consent": "同意", "respondent_consent": "同意"})
    decision = re.search(r"/cases/\d+/extensions/\d+/decision", (await client.get(case)).text).group(0)
    await step(decision, {"decision": "approve", "decision_note": "同意"})
    await step(f"{case}/evidence", file=("收据.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))
    await step(f"{case}/agreement", {"form": "written", "facts": "边界争执", "disputes": "围墙", "responsibilities": "李四",
                                     "terms": "拆除围墙", "performance_method": "自行拆除", "performance_place": "石门村",
                                     "performance_deadline": later})
    await step(f"{case}/agreement", {"form": "written", "facts": "边界争执（修改）", "disputes": "围墙",
                                     "responsibilities": "李四", "terms": "拆除围墙", "performance_method": "自行拆除",
                                     "performance_place": "石门村", "performance_deadline": later})
    await step(f"{case}/agreement/sign", {"signed_on": today.isoformat()})
    await step(f"{case}/close", {"outcome": "success", "closed_on": today.isoformat()})
    await step(f"{case}/confirmation", {"applied_on": today.isoformat(), "court": "区人民法院"})
    follow_up = re.search(r"/cases/\d+/follow-ups/\d+", (await client.get(case)).text).group(0)
    await step(follow_up, {"visited_on": today.isoformat(), "party": "张三", "performance": "已履行",
                           "visitor": "周主任", "satisfaction": "satisfied"})
    await step(f"{case}/archive", {"retention_period": "10年"})
    await step(f"{case}/reopen", {"reopen_reason": "当事人反悔"})
    await step(f"{case}/close", {"outcome": "withdrawn", "closed_on": today.isoformat()})
    await step(f"{case}/archive", {"retention_period": "永久"})

    other = (await post_form(client, "/cases/new", intake_form(district))).headers["location"]
    await step(f"{other}/void", {"reason": "误登记"})
    assert watched == []
    assert len({row[4] for row in timeline}) >= 15  # the life above went through that many kinds of event
