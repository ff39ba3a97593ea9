"""The app served for real (`mediation serve` in a subprocess) and driven with plain HTTP, for the tests of
several workers, of a server killed mid-write and of a database that drops its connections."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from mediation import database
from mediation.settings import Settings
from tests.conftest import PASSWORD, TEST_SECRET, add_user
from tests.web.cases_support import District, make_district

# Each worker imports the whole app first; on a busy two-core machine that can take a while.
STARTUP_SECONDS = 90
REQUEST_TIMEOUT = httpx.Timeout(20.0, connect=5.0)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare_office(settings: Settings, usernames: tuple[str, ...] = ("chuangkou",)) -> District:
    """The small district of the case tests and a counter account for each username."""
    async def prepare() -> District:
        engine = database.create_engine(settings.database_url)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as session:
                district = await make_district(session)
                for username in usernames:
                    await add_user(session, settings, username, "counter", name="陈窗口")
                return district
        finally:
            await engine.dispose()

    return asyncio.run(prepare())


@dataclass
class ServedApp:
    """`mediation serve` on a free port, in a process group of its own: stopping it leaves nothing behind."""

    process: subprocess.Popen[bytes]
    url: str
    port: int
    log: Path

    @classmethod
    def start(cls, settings: Settings, workdir: Path, workers: int = 1, database_url: str | None = None
              ) -> ServedApp:
        port = free_port()
        environment = {
            **os.environ,
            "MEDIATION_ENV": "development",
            "MEDIATION_DATABASE_URL": database_url or settings.database_url,
            "MEDIATION_SECRET_KEY": TEST_SECRET,
            "MEDIATION_UPLOAD_DIR": str(settings.upload_dir),
        }
        log = workdir / f"server-{port}.log"
        command = [str(Path(sys.executable).with_name("mediation")), "serve", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", str(workers)]
        with log.open("wb") as output:
            process = subprocess.Popen(command, env=environment, cwd=workdir, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        served = cls(process, f"http://127.0.0.1:{port}", port, log)
        try:
            served.wait_until_healthy()
        except BaseException:
            served.stop()
            raise
        return served

    def wait_until_healthy(self, seconds: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with code {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"/healthz did not answer 200 within {seconds} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the server process (one worker: the whole server) and wait for it to be gone."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        try:  # workers of a killed supervisor: the group is the one this test started
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def client(self, cookies: httpx.Cookies | None = None) -> httpx.Client:
        """A client with exactly one keep-alive connection (so all its requests go to one worker)."""
        return httpx.Client(base_url=self.url, cookies=cookies, timeout=REQUEST_TIMEOUT,
                            follow_redirects=False,
                            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))


def csrf_field(page: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    """The login form the way a browser submits it: the CSRF token from the page, the cookies it set."""
    token = csrf_field(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "_csrf_token": token})


def post_form(client: httpx.Client, path: str, form: dict[str, str]) -> httpx.Response:
    return client.post(path, data={**form, "_csrf_token": client.cookies.get("csrftoken") or ""})
