"""`mediation serve --workers 2`: nothing another worker needs lives in one process's memory. A session made
on one worker works on the other and on a worker started after it; the failed-login throttle counts the
failures of both workers; requests keep being answered while a worker is killed and replaced.

Which worker answered is read from the operating system (which process holds the server end of the client's
connection), not from anything the app would have to add to its responses."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mediation.settings import Settings
from tests.conftest import TEST_SECRET
from tests.web.server_support import ServedApp, prepare_office, sign_in

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="tells the workers apart through Linux's /proc")
SIGNED_IN_MARK = "陈窗口（窗口调解员）"
ATTEMPTS = 200


@pytest.fixture(scope="module")
def server(databases, tmp_path_factory) -> Iterator[ServedApp]:
    workdir = tmp_path_factory.mktemp("workers")
    settings = Settings(database_url=databases.migrated_url(), secret_key=TEST_SECRET,
                        upload_dir=workdir / "uploads", var_dir=workdir)
    prepare_office(settings, ("chuangkou", "shoukong"))
    served = ServedApp.start(settings, workdir, workers=2)
    try:
        yield served
    finally:
        served.stop()


def children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:  # gone meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmdline:
                found.add(int(entry))
    return found


def worker_holding(server: ServedApp, client_port: int) -> int | None:
    """The worker process holding the server end of the TCP connection from `client_port`."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if (int(fields[1].rsplit(":", 1)[1], 16) == server.port
                and int(fields[2].rsplit(":", 1)[1], 16) == client_port):
            inode = fields[9]
    if inode is None:
        return None
    for pid in children(server.process.pid):
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(f"/proc/{pid}/fd/{descriptor}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


def answered_by(server: ServedApp, response: httpx.Response) -> int | None:
    return worker_holding(server, response.extensions["network_stream"].get_extra_info("client_addr")[1])


@contextmanager
def client_on(server: ServedApp, worker: int, cookies: httpx.Cookies | None = None) -> Iterator[httpx.Client]:
    """A fresh connection that the given worker accepted (a new one goes to whichever worker takes it)."""
    for _ in range(ATTEMPTS):
        client = server.client(cookies)
        try:
            response = client.get("/healthz")
            if response.status_code == 200 and answered_by(server, response) == worker:
                yield client
                return
        finally:
            client.close()
    pytest.fail(f"worker {worker} accepted none of {ATTEMPTS} new connections")


def serving_workers(server: ServedApp, count: int, seconds: float = 90) -> list[int]:
    """The worker processes, once `count` of them answer on new connections."""
    deadline = time.monotonic() + seconds
    seen: set[int] = set()
    while time.monotonic() < deadline:
        with server.client() as client:
            response = client.get("/healthz")
            if response.status_code == 200 and (worker := answered_by(server, response)):
                seen.add(worker)
        seen &= children(server.process.pid)
        if len(seen) == count:
            return sorted(seen)
        time.sleep(0.05)
    pytest.fail(f"{count} workers did not answer within {seconds} s (saw {sorted(seen)}):\n"
                f"{server.log.read_text()}")


def is_signed_in(response: httpx.Response) -> bool:
    return response.status_code == 200 and SIGNED_IN_MARK in response.text


def test_a_session_made_on_one_worker_works_on_the_other_and_on_a_new_one(server):
    first, second = serving_workers(server, 2)
    with client_on(server, first) as on_first:
        assert sign_in(on_first, "chuangkou").status_code == 303
        cookies = on_first.cookies
        assert is_signed_in(on_first.get("/"))
    with client_on(server, second, cookies) as on_second:
        assert is_signed_in(on_second.get("/"))

    os.kill(first, signal.SIGKILL)
    # While the supervisor replaces it, new connections are answered (by the other worker), signed in.
    for _ in range(5):
        with server.client(cookies) as fresh:
            response = fresh.get("/")
            assert is_signed_in(response) and answered_by(server, response) not in (None, first)
    replacement = next(iter(set(serving_workers(server, 2)) - {second}))
    assert replacement != first
    # A process started after the sign-in cannot hold the session in memory.
    with client_on(server, replacement, cookies) as on_replacement:
        assert is_signed_in(on_replacement.get("/cases"))


def test_the_failed_login_throttle_counts_the_failures_of_both_workers(server):
    workers = serving_workers(server, 2)
    for attempt in range(5):
        with client_on(server, workers[attempt % 2]) as client:
            refused = sign_in(client, "shoukong", "not-the-password")
            assert refused.status_code == 400 and "用户名或密码不正确" in refused.text
    for worker in workers:
        with client_on(server, worker) as client:
            throttled = sign_in(client, "shoukong")  # the right password, too late
            assert throttled.status_code == 400 and "登录失败次数过多" in throttled.text
