"""Benchmark: the monthly summary over a generated district, on SQLite or PostgreSQL.

    .venv/bin/python bench/monthly_summary.py --cases 200000            # SQLite file under var/bench/
    .venv/bin/python bench/monthly_summary.py --cases 1000000 --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

Seeds a fresh database with `mediation demo --cases N` data, then computes the summary of each of the last
12 months several times and prints the median and the worst time per month. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker

from mediation import database
from mediation.services.demo import DemoService
from mediation.services.reports import ReportService
from mediation.settings import PROJECT_ROOT, Settings


async def scratch_postgres(admin_url: str) -> tuple[str, str]:
    name = f"mediation_bench_{uuid.uuid4().hex[:8]}"
    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), dsn


async def drop_postgres(dsn: str, url: str) -> None:
    connection = await asyncpg.connect(dsn)
    await connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    await connection.close()


async def run(cases: int, postgres: str | None, repeats: int) -> None:
    if postgres:
        url, admin_dsn = await scratch_postgres(postgres)
    else:
        path = PROJECT_ROOT / "var" / "bench" / f"monthly-{cases}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        url, admin_dsn = f"sqlite+aiosqlite:///{path}", ""
    settings = Settings(database_url=url, secret_key="bench-secret-key-0123456789-abcdefghij",
                        var_dir=PROJECT_ROOT / "var" / "bench")
    try:
        await asyncio.to_thread(database.upgrade, url)
        engine = database.create_engine(url)
        makers = async_sessionmaker(engine, expire_on_commit=False)
        started = time.perf_counter()
        async with makers() as session:
            await DemoService(session, settings).seed(cases)
        print(f"seeded {cases:,} cases in {time.perf_counter() - started:.1f} s ({engine.dialect.name})")
        async with makers() as session:
            reports = ReportService(session, settings)
            today = reports.month(time.strftime("%Y-%m")).first
            months = []
            year, month = today.year, today.month
            for _ in range(12):
                months.append(f"{year:04d}-{month:02d}")
                year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            print(f"{'month':<8} {'median ms':>10} {'max ms':>8} {'受理数':>8}")
            for key in months:
                timings = []
                for _ in range(repeats):
                    begin = time.perf_counter()
                    summary = await reports.monthly_for(key)
                    timings.append((time.perf_counter() - begin) * 1000)
                print(f"{key:<8} {statistics.median(timings):>10.1f} {max(timings):>8.1f} {summary.rows[-1][1]:>8}")
        await engine.dispose()
    finally:
        if postgres:
            await drop_postgres(admin_dsn, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--postgres", help="an admin URL; a scratch database is created and dropped")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.cases, args.postgres, args.repeats))


if __name__ == "__main__":
    main()
