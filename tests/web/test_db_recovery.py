"""When the database drops the app's connections or becomes unreachable, the app recovers on its own (no
restart), and `/healthz` answers 503 while the database cannot be reached.

PostgreSQL: a served app whose connections go through a small TCP proxy in the test, so the test can terminate
its backends (`pg_terminate_backend`) under load, and cut and restore the way to the database without touching
the shared server. SQLite: the database file cannot be opened for a while."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from mediation.settings import Settings
from tests.conftest import POSTGRES_ADMIN_URL, TEST_SECRET, add_user, app_client, sign_in
from tests.web.server_support import ServedApp, free_port, prepare_office
from tests.web.server_support import sign_in as sign_in_over_http

postgres_only = pytest.mark.skipif(not POSTGRES_ADMIN_URL, reason="PostgreSQL connection loss: run with "
                                   "MEDIATION_TEST_DATABASE_URL set to a PostgreSQL server")
sqlite_only = pytest.mark.skipif(bool(POSTGRES_ADMIN_URL), reason="the SQLite database file: runs without "
                                 "MEDIATION_TEST_DATABASE_URL")
SIGNED_IN_MARK = "陈窗口（窗口调解员）"
LOAD_THREADS = 4


class TcpProxy:
    """Forwards a local port to PostgreSQL, on an event loop of its own. `cut()` closes the listener and every
    open connection (the database looks gone); `restore()` listens again on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.listener: asyncio.Server | None = None
        self.open: set[asyncio.StreamWriter] = set()

    def __enter__(self) -> Self:
        self.thread.start()
        self.restore()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    def _run(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def restore(self) -> None:
        async def listen() -> None:
            self.listener = await asyncio.start_server(self._connect, "127.0.0.1", self.port)

        self._run(listen())

    def cut(self) -> None:
        async def close() -> None:
            if self.listener is not None:
                self.listener.close()
                await self.listener.wait_closed()
                self.listener = None
            for writer in list(self.open):
                writer.transport.abort()
            self.open.clear()

        self._run(close())

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self.open |= {writer, upstream_writer}
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.transport.abort()
            self.open.discard(writer)


async def terminate_backends(database_name: str) -> int:
    """Terminate every connection to the database, as an administrator or a failover would."""
    connection = await asyncpg.connect(make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql")
                                       .render_as_string(hide_password=False))
    try:
        return await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()", database_name)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def proxied(databases, tmp_path_factory) -> Iterator[tuple[ServedApp, TcpProxy, str]]:
    """A served app (one worker) reaching its own PostgreSQL database through the proxy, and that database."""
    workdir = tmp_path_factory.mktemp("recovery")
    settings = Settings(database_url=databases.migrated_url(), secret_key=TEST_SECRET,
                        upload_dir=workdir / "uploads", var_dir=workdir)
    prepare_office(settings)
    url = make_url(settings.database_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        served = ServedApp.start(settings, workdir, database_url=through_proxy)
        try:
            yield served, proxy, url.database
        finally:
            served.stop()


def signed_in_cookies(server: ServedApp) -> httpx.Cookies:
    with server.client() as client:
        assert sign_in_over_http(client, "chuangkou").status_code == 303
        return client.cookies


def answers(server: ServedApp, cookies: httpx.Cookies, path: str = "/cases") -> bool:
    try:
        with server.client(cookies) as client:
            response = client.get(path)
    except httpx.TransportError:
        return False
    return response.status_code == 200 and SIGNED_IN_MARK in response.text


def health(server: ServedApp) -> int:
    return httpx.get(f"{server.url}/healthz", timeout=10).status_code


@postgres_only
def test_terminated_connections_are_replaced_without_a_restart(proxied):
    server, _, database_name = proxied
    cookies = signed_in_cookies(server)
    assert answers(server, cookies)

    # Idle: every pooled connection is dead. The pool tests a connection before handing it out (pool_pre_ping)
    # and replaces a dead one, so not even the first request after the termination fails.
    assert asyncio.run(terminate_backends(database_name)) >= 1
    assert [answers(server, cookies) for _ in range(5)] == [True] * 5

    # Under load: only requests in flight at the moment of a termination may fail.
    stop = threading.Event()
    results: list[bool] = []

    def load() -> None:
        while not stop.is_set():
            results.append(answers(server, cookies))

    threads = [threading.Thread(target=load) for _ in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            time.sleep(0.5)
            asyncio.run(terminate_backends(database_name))
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert results.count(True) > 0 and results.count(False) <= 3 * LOAD_THREADS, results.count(False)
    assert all(answers(server, cookies) for _ in range(10))
    assert health(server) == 200
    assert server.process.poll() is None


@postgres_only
def test_healthz_is_503_while_the_database_is_unreachable_and_200_when_it_is_back(proxied):
    server, proxy, _ = proxied
    cookies = signed_in_cookies(server)
    assert health(server) == 200
    proxy.cut()
    try:
        assert health(server) == 503
        assert health(server) == 503
        assert not answers(server, cookies)
    finally:
        proxy.restore()
    deadline = time.monotonic() + 10
    while health(server) != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert health(server) == 200
    assert answers(server, cookies), "the session made before the outage works again"
    assert server.process.poll() is None


@sqlite_only
@pytest.mark.anyio
async def test_healthz_is_503_while_the_sqlite_file_cannot_be_opened(settings, db_session, tmp_path):
    await add_user(db_session, settings, "chuangkou", "counter", name="陈窗口")
    path = Path(make_url(settings.database_url).database)
    async with app_client(settings) as client:  # a monitor: no session cookie
        assert (await client.get("/healthz")).status_code == 200
        # An open connection keeps reading a moved file; what fails is opening it again (a new worker, a pool
        # that replaced its connections): drop the pool's connections, then take the file away.
        await client.app.state.engine.dispose()
        moved = path.rename(tmp_path / "elsewhere.sqlite3")
        path.mkdir()  # a directory where the file was: SQLite cannot open it
        try:
            unreachable = await client.get("/healthz")
            assert unreachable.status_code == 503
            assert unreachable.json() == {"status": "error", "database": "unreachable"}
        finally:
            path.rmdir()
            moved.rename(path)
        assert (await client.get("/healthz")).json() == {"status": "ok", "database": "ok"}
        assert (await sign_in(client, "chuangkou")).status_code == 303
        page = await client.get("/")
        assert page.status_code == 200 and SIGNED_IN_MARK in page.text
