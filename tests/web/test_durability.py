"""A server killed with SIGKILL in the middle of a stream of intakes loses no case whose registration it
acknowledged and leaves none half-written; started again on the same database it goes on registering."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
from sqlalchemy import func, select

from mediation import database
from mediation.models import CaseEvent, MediationCase, Party
from tests.web.cases_support import intake_form
from tests.web.server_support import ServedApp, post_form, prepare_office, sign_in

WRITERS = 4
ACKNOWLEDGED_BEFORE_KILL = 20


def intake_stream(server: ServedApp, cookies: httpx.Cookies, district, acknowledged: dict[str, int],
                  lock: threading.Lock, stop: threading.Event) -> None:
    """Register cases one after the other until the server stops answering; note each acknowledged one."""
    with server.client(cookies) as client:
        while not stop.is_set():
            form = intake_form(district)
            try:
                response = post_form(client, "/cases/new", form)
            except httpx.TransportError:
                return
            assert response.status_code == 303, response.text[:1500]
            with lock:
                acknowledged[form["intake_token"]] = int(response.headers["location"].rsplit("/", 1)[1])


async def stored_cases(url: str) -> dict[str, object]:
    engine = database.create_engine(url)
    try:
        async with engine.connect() as connection:
            cases = {token: (case_id, number) for case_id, token, number in await connection.execute(
                select(MediationCase.id, MediationCase.intake_token, MediationCase.number))}
            parties = dict((await connection.execute(
                select(Party.case_id, func.count()).group_by(Party.case_id))).all())
            events = {}
            for case_id, kind in await connection.execute(select(CaseEvent.case_id, CaseEvent.kind)):
                events.setdefault(case_id, set()).add(kind)
    finally:
        await engine.dispose()
    return {"cases": cases, "parties": parties, "events": events}


def test_killing_the_server_mid_intake_loses_no_acknowledged_case(settings, tmp_path):
    district = prepare_office(settings)
    server = ServedApp.start(settings, tmp_path)
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()
    try:
        with server.client() as client:
            assert sign_in(client, "chuangkou").status_code == 303
            cookies = client.cookies
        stream = (server, cookies, district, acknowledged, lock, stop)
        writers = [threading.Thread(target=intake_stream, args=stream) for _ in range(WRITERS)]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.02)
        assert all(writer.is_alive() for writer in writers), "a writer stopped before the server was killed"
        server.kill()  # while every writer has an intake on the way
    finally:
        stop.set()
        server.stop()
    for writer in writers:
        writer.join(timeout=30)
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL

    stored = asyncio.run(stored_cases(settings.database_url))
    cases, parties, events = stored["cases"], stored["parties"], stored["events"]
    for token, case_id in acknowledged.items():
        assert cases.get(token, (None,))[0] == case_id, f"acknowledged case {case_id} was lost"
    for case_id, number in cases.values():
        assert parties.get(case_id) == 2, f"case {number} is missing parties"
        assert {"registered", "accepted", "routed"} <= events.get(case_id, set()), f"case {number}: events"
    numbers = [number for _, number in cases.values()]
    assert len(set(numbers)) == len(numbers)

    restarted = ServedApp.start(settings, tmp_path)
    try:
        # The session made before the kill lives in the database: it still signs this client in.
        with restarted.client(cookies) as client:
            response = post_form(client, "/cases/new", intake_form(district))
            assert response.status_code == 303, response.text[:1500]
            page = client.get(response.headers["location"]).text
    finally:
        restarted.stop()
    assert f"调字第{len(cases) + 1}号" in page
