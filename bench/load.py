"""Benchmark: a load run from a second process against the served app, and against the floor.

    .venv/bin/python bench/dataset.py --cases 10000                       # var/bench/dataset-10000.sqlite3
    .venv/bin/python bench/load.py --database-url sqlite+aiosqlite:///var/bench/dataset-10000.sqlite3
    .venv/bin/python bench/load.py --workers 2 --clients 8 --seconds 8 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/mediation_bench_…

Uses a database generated before by bench/dataset.py (its users have the demo password); intake adds cases to
it, and a counter mediator with no case of their own yet (`xinren`, for the other end of the dashboard) is added
once. Starts `mediation serve --workers W` on a free port, signs in as the demo supervisor (reads), the demo
counter (intake) and that newcomer (their dashboard), picks real search words, case ids, a town and a village from the database, and follows the
case list's "next" link --deep-pages times for the deep page. Then a second process, wrk (C keep-alive
connections over 2 threads; bench/load.lua builds the requests: a random address of the scenario, or a fresh
intake form), runs each scenario for a warm-up run and then a measured run of S seconds (again for 30 s or more when
fewer requests than connections were answered in S). A response of 400 or
more, a timeout or a broken connection is an error; p50 and p95 are wrk's, over all completed requests
(a failing scenario shows its errors). The same is done first for the floor, bench/floor_app.py served by
uvicorn with the same worker count. Prints the machine, the database, one row per scenario (with req/s as a
share of the floor's), the CPU wrk used (near 100% of one core would mean it, not the server, is the
limit), and the resident memory of each server worker at the end; with --table, also adds the rows to a
Markdown table in a file (what `make bench` prints at its end, and the README holds). Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import html
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import aliased

from mediation import database
from mediation.models import MediationCase, Party, Place, User
from mediation.services.accounts import AccountService
from mediation.services.demo import DEMO_PASSWORD
from mediation.settings import Settings

from dataset import BENCH_DIR, BENCH_SECRET, server_reachable  # bench/dataset.py, next to this script

LUA_SCRIPT = Path(__file__).with_name("load.lua")
WRK = shutil.which("wrk") or "wrk"
STARTUP_SECONDS = 120
REQUEST_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
SAMPLE_IDS = 500
NEWCOMER = "xinren"
SLOW_SECONDS = 30  # the measured run of a scenario that answered fewer requests than it has connections
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


@dataclass(frozen=True)
class Scenario:
    name: str
    urls: tuple[str, ...]  # each request GETs one of them at random; intake POSTs to the first
    cookies: dict[str, str]
    intake: dict[str, str] | None = None  # the intake form's fixed fields


@dataclass(frozen=True)
class Measured:
    name: str
    requests: int
    errors: int
    p50: float
    p95: float
    rate: float
    generator_cpu: float  # CPU seconds of the load process per wall second


@dataclass(frozen=True)
class Picks:
    cases: int
    case_ids: list[int]
    name: str
    phrase: str
    town: int
    village: int
    month: str


# --- the load process ---------------------------------------------------------------------------------------

def wrk_environment(scenario: Scenario, paths: Path, result: Path) -> dict[str, str]:
    environment = {**os.environ, "BENCH_PATHS": str(paths), "BENCH_RESULT": str(result),
                   "BENCH_RUN": uuid.uuid4().hex[:12],
                   "BENCH_COOKIE": "; ".join(f"{name}={value}" for name, value in scenario.cookies.items())}
    if scenario.intake is not None:
        environment["BENCH_FORM"] = urlencode({**scenario.intake,
                                               "_csrf_token": scenario.cookies.get("csrftoken", "")})
        environment["BENCH_NAMES"] = "|".join(",".join(quote(character) for character in characters)
                                              for characters in (SURNAMES, GIVEN))
    return environment


def wrk(base_url: str, scenario: Scenario, clients: int, seconds: float, threads: int) -> dict[str, int]:
    """One run of wrk over the scenario; its figures (latencies in microseconds) and the CPU it used."""
    with tempfile.TemporaryDirectory(prefix="bench-load-") as directory:
        paths, result = Path(directory, "paths"), Path(directory, "result")
        paths.write_text("".join(quote(url, safe="/?=&%") + "\n" for url in scenario.urls))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([WRK, "--threads", str(min(threads, clients)), "--connections", str(clients),
                        "--duration", f"{max(1, round(seconds))}s", "--timeout", "30s",
                        "--script", str(LUA_SCRIPT), base_url],
                       env=wrk_environment(scenario, paths, result), check=True, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures = dict(line.split() for line in result.read_text().splitlines())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {**{key: int(value) for key, value in figures.items()}, "cpu_microseconds": round(cpu * 1e6)}


def drive(base_url: str, scenario: Scenario, clients: int, warmup: float, seconds: float,
          threads: int = 2) -> Measured:
    if warmup > 0:
        wrk(base_url, scenario, clients, warmup, threads)
    figures = wrk(base_url, scenario, clients, seconds, threads)
    if figures["requests"] - figures["errors"] < clients:  # slower than one answer per connection: measure longer
        figures = wrk(base_url, scenario, clients, max(3 * seconds, SLOW_SECONDS), threads)
    duration = figures["duration"] / 1e6
    successes = figures["requests"] - figures["errors"]
    if successes <= 0:
        return Measured(scenario.name, 0, figures["errors"], float("nan"), float("nan"), 0.0,
                        figures["cpu_microseconds"] / 1e6 / duration)
    return Measured(scenario.name, successes, figures["errors"], figures["p50"] / 1000,
                    figures["p95"] / 1000, successes / duration,
                    figures["cpu_microseconds"] / 1e6 / duration)


# --- the servers ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A server in a process group of its own, its output in a log file; stop() leaves nothing behind."""

    def __init__(self, command: list[str], environment: dict[str, str], log: Path, health_path: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen([*command, "--port", str(self.port)], env=environment,
                                            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self.wait_until_healthy(health_path)
        except BaseException:
            self.stop()
            raise

    def wait_until_healthy(self, path: str) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with code {self.process.returncode}; see {self.log}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{path} did not answer 200 within {STARTUP_SECONDS} s; see {self.log}")

    def worker_memory(self) -> list[tuple[int, str, float]]:
        """(pid, kind, resident MB) of each child process of the server: its workers, and multiprocessing's
        resource tracker when there is one."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        memory = []
        for child in map(int, children):
            status = Path(f"/proc/{child}/status").read_text()
            kilobytes = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1))
            kind = "resource tracker" if b"resource_tracker" in Path(f"/proc/{child}/cmdline").read_bytes() \
                else "worker"
            memory.append((child, kind, kilobytes / 1024))
        return memory

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        try:  # workers left by the supervisor: the group is the one started here
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def serve_app(database_url: str, workers: int) -> Server:
    environment = {**os.environ, "MEDIATION_ENV": "development", "MEDIATION_DATABASE_URL": database_url,
                   "MEDIATION_SECRET_KEY": BENCH_SECRET, "MEDIATION_UPLOAD_DIR": str(BENCH_DIR / "uploads")}
    command = [str(Path(sys.executable).with_name("mediation")), "serve", "--host", "127.0.0.1",
               "--workers", str(workers)]
    return Server(command, environment, BENCH_DIR / "load-app.log", "/healthz")


def serve_floor(workers: int) -> Server:
    command = [sys.executable, "-m", "uvicorn", "floor_app:app", "--app-dir", str(Path(__file__).parent),
               "--host", "127.0.0.1", "--workers", str(workers), "--no-server-header"]
    return Server(command, dict(os.environ), BENCH_DIR / "load-floor.log", "/")


# --- the set-up -----------------------------------------------------------------------------------------------

def sign_in(base_url: str, username: str) -> dict[str, str]:
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT, follow_redirects=False) as client:
        page = client.get("/login").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                               "_csrf_token": token})
        if response.status_code != 303:
            raise RuntimeError(f"signing in as {username} answered {response.status_code}")
        return {cookie.name: cookie.value for cookie in client.cookies.jar}


def deep_page(base_url: str, cookies: dict[str, str], pages: int) -> str:
    """The case list's address after following its "next" link `pages` times."""
    address = "/cases"
    with httpx.Client(base_url=base_url, cookies=cookies, timeout=REQUEST_TIMEOUT) as client:
        for _ in range(pages):
            found = re.search(r'href="(/cases\?[^"]*)" rel="next"', client.get(address).text)
            if not found:
                break
            address = html.unescape(found.group(1))
    return address


async def pick(url: str, seed: int = 2026) -> Picks:
    """Real values from the database: case ids, a two-character name, four characters found in more than one
    of the sampled cases' summaries, the town with the most cases, a village and the last full month."""
    rng = random.Random(seed)
    engine = database.create_engine(url)
    try:
        async with engine.connect() as connection:
            cases = await connection.scalar(select(func.count()).select_from(MediationCase))
            low, high = (await connection.execute(select(func.min(MediationCase.id),
                                                         func.max(MediationCase.id)))).one()
            guesses = {rng.randint(low, high) for _ in range(SAMPLE_IDS * 2)}
            case_ids = sorted(await connection.scalars(
                select(MediationCase.id).where(MediationCase.id.in_(guesses))))[:SAMPLE_IDS]
            name = await connection.scalar(select(Party.name).where(
                Party.kind == "person", func.length(Party.name) == 2, Party.case_id.in_(case_ids)).limit(1))
            summaries = await connection.scalars(select(MediationCase.summary).where(
                MediationCase.id.in_(case_ids)))
            seen = Counter(phrase for summary in summaries
                           for phrase in set(re.findall(r"[\u4e00-\u9fff]{4}", summary)))
            town = await connection.scalar(select(MediationCase.town_id).group_by(MediationCase.town_id)
                                           .order_by(func.count().desc()).limit(1))
            parent = aliased(Place)
            village = await connection.scalar(select(Place.id).join(parent, Place.parent_id == parent.id)
                                              .where(parent.id == town, Place.level == "village").limit(1))
    finally:
        await engine.dispose()
    last_month = date.today().replace(day=1) - timedelta(days=1)
    phrases = sorted(phrase for phrase, count in seen.items() if count > 1)  # the summaries' wording, not names
    return Picks(cases, case_ids, name, rng.choice(phrases), town, village, f"{last_month:%Y-%m}")


async def ensure_newcomer(url: str) -> None:
    """A counter mediator with no case of their own yet (a new colleague): the other end of the dashboard from
    the demo's users, who have thousands. Added once to a generated database, with the demo password."""
    engine = database.create_engine(url)
    try:
        async with async_sessionmaker(engine)() as session:
            if await session.scalar(select(User.id).where(User.username == NEWCOMER)) is None:
                settings = Settings(database_url=url, secret_key=BENCH_SECRET, upload_dir=BENCH_DIR / "uploads",
                                    var_dir=BENCH_DIR)
                await AccountService(session, settings).add_user(NEWCOMER, "counter", "新窗口", DEMO_PASSWORD)
    finally:
        await engine.dispose()


def scenarios(base_url: str, picks: Picks, deep_pages: int) -> list[Scenario]:
    reader = sign_in(base_url, "zhuren")
    counter = sign_in(base_url, "chuangkou")
    newcomer = sign_in(base_url, NEWCOMER)
    deep = deep_page(base_url, reader, deep_pages)
    intake = {"source": "party_application", "dispute_type": "neighbourhood", "town": str(picks.town),
              "village": str(picks.village), "grid": "", "applicant-0-kind": "person",
              "applicant-0-address": "测试地址 12 号", "respondent-0-kind": "person",
              "respondent-0-id_number": "", "people_involved": "2", "amount_involved": "",
              "risk_level": "ordinary", "summary": "因宅基地边界发生争执，双方多次口角",
              "claims": "要求对方拆除越界围墙", "action": "accept"}
    return [
        Scenario("dashboard /", ("/",), reader),
        Scenario("dashboard /, new counter", ("/",), newcomer),
        Scenario("case list, first page", ("/cases",), reader),
        Scenario(f"case list, deep page ({deep_pages} next)", (deep,), reader),
        Scenario("case list, status+town", (f"/cases?status=in_mediation&town={picks.town}",), reader),
        Scenario(f"search name {picks.name}", (f"/cases?q={picks.name}",), reader),
        Scenario(f"search phrase {picks.phrase}", (f"/cases?q={picks.phrase}",), reader),
        Scenario(f"case page ({len(picks.case_ids)} ids)", tuple(f"/cases/{id_}" for id_ in picks.case_ids),
                 reader),
        Scenario("intake POST /cases/new", ("/cases/new",), counter, intake),
        Scenario(f"monthly summary {picks.month}", (f"/reports/monthly?month={picks.month}",), reader),
    ]


# --- the report -----------------------------------------------------------------------------------------------

def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    memory = int(re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE).group(1))
    return (f"machine: {os.cpu_count()} CPUs, {model.group(1) if model else 'unknown model'}, "
            f"{memory / 1024 / 1024:.1f} GB RAM, Python {sys.version.split()[0]}, load average "
            f"{' '.join(f'{load:.2f}' for load in os.getloadavg())} before the run")


HEADER = f"{'scenario':<34} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} " \
         f"{'vs floor':>8} {'load CPU':>8}"


def row(measured: Measured, floor_rate: float) -> str:
    share = f"{measured.rate / floor_rate:.0%}" if floor_rate else "-"
    return (f"{measured.name:<34} {measured.requests:>8} {measured.errors:>6} {measured.p50:>8.1f} "
            f"{measured.p95:>8.1f} {measured.rate:>8.1f} {share:>8} {measured.generator_cpu:>8.0%}")


TABLE_HEADER = ("| database | cases | scenario | p50 ms | p95 ms | req/s | vs floor | errors |\n"
                "|---|---:|---|---:|---:|---:|---:|---:|\n")


def table_row(database_name: str, cases: int, measured: Measured, floor_rate: float) -> str:
    """The row of the README's table (Markdown) for one measured scenario."""
    share = f"{measured.rate / floor_rate:.1%}" if floor_rate else "-"
    p50, p95 = (f"{value:.1f}" if measured.requests else "-" for value in (measured.p50, measured.p95))
    return (f"| {database_name} | {cases:,} | {measured.name} | {p50} | {p95} | "
            f"{measured.rate:,.1f} | {share} | {measured.errors} |\n")


def append_rows(table: Path, rows: list[str]) -> None:
    """Adds the rows to the Markdown table in `table`, starting it with its header when new."""
    table.parent.mkdir(parents=True, exist_ok=True)
    with table.open("a", encoding="utf-8") as output:
        if output.tell() == 0:
            output.write(TABLE_HEADER)
        output.writelines(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database generated by bench/dataset.py")
    parser.add_argument("--workers", type=int, default=2, help="server workers (app and floor)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds before each scenario")
    parser.add_argument("--deep-pages", type=int, default=50, help="'next' links followed for the deep page")
    parser.add_argument("--name", help="the name to search for (default: a two-character name of the data)")
    parser.add_argument("--phrase", help="the phrase to search for (default: four characters of the data's "
                                         "summaries); the same words make runs over different sizes comparable")
    parser.add_argument("--table", type=Path, help="also add the figures as rows of a Markdown table to this "
                                                   "file (started with its header when new)")
    parser.add_argument("--skip-unreachable", action="store_true",
                        help="on PostgreSQL: print a note and stop when the server is not reachable")
    options = parser.parse_args()
    url = make_url(options.database_url)
    if url.get_backend_name() == "postgresql" and not asyncio.run(server_reachable(options.database_url)):
        if options.skip_unreachable:
            print(f"PostgreSQL at {url.render_as_string()} is not reachable: skipped")
            return
        sys.exit(f"load: PostgreSQL at {url.render_as_string()} is not reachable")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)

    picks = asyncio.run(pick(options.database_url))
    asyncio.run(ensure_newcomer(options.database_url))
    picks = dataclasses.replace(picks, name=options.name or picks.name, phrase=options.phrase or picks.phrase)
    print(machine())
    print(f"database: {make_url(options.database_url).render_as_string(hide_password=True)}, "
          f"{picks.cases:,} cases")
    print(f"load: {options.clients} connections from wrk (2 threads), {options.workers} server "
          f"workers, {options.warmup:g} s warm-up + {options.seconds:g} s per scenario")
    floor_server = serve_floor(options.workers)
    try:
        floor = drive(floor_server.url, Scenario("floor: bare Litestar, text", ("/",), {}), options.clients,
                      options.warmup, options.seconds)
    finally:
        floor_server.stop()
    print()
    print(HEADER)
    print(row(floor, 0))
    database_name = "PostgreSQL" if url.get_backend_name() == "postgresql" else "SQLite"
    rows = [table_row(database_name, picks.cases, floor, 0)]
    app = serve_app(options.database_url, options.workers)
    try:
        for scenario in scenarios(app.url, picks, options.deep_pages):
            measured = drive(app.url, scenario, options.clients, options.warmup, options.seconds)
            print(row(measured, floor.rate), flush=True)
            rows.append(table_row(database_name, picks.cases, measured, floor.rate))
        memory = app.worker_memory()
    finally:
        app.stop()
    print()
    print("resident memory at the end: " + ", ".join(f"{kind} {pid} {megabytes:.0f} MB"
                                                     for pid, kind, megabytes in memory))
    if options.table:
        append_rows(options.table, rows)


if __name__ == "__main__":
    main()
