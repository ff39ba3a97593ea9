"""Benchmark: the monthly summary over a generated district, on SQLite or PostgreSQL.

    .venv/bin/python bench/monthly_summary.py --cases 200000            # SQLite file under var/bench/
    .venv/bin/python bench/monthly_summary.py --cases 1000000 --keep \\
        --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/monthly_summary.py \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/mediation_bench_…   # one kept before

Generates a scratch database with bench/dataset.py (a SQLite file, or with --postgres ADMIN_URL a new database
on that server), removed afterwards unless --keep; or, with --database-url, uses a database generated before
(nothing generated, nothing removed), so that one large generation serves several runs. Then computes the
summary of each of the last 12 months several times and prints the median and the worst time per month;
--explain YYYY-MM adds the plans of the summary's queries for that month. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import date
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker

from mediation import database
from mediation.models import MediationCase
from mediation.services.reports import ReportService

from dataset import (  # bench/dataset.py, next to this script
    ProgressBar, Steps, bench_settings, default_url, describe, drop, generate, prepare, server_reachable,
)


def last_months(first_of_this_month: date) -> list[str]:
    months = []
    year, month = first_of_this_month.year, first_of_this_month.month
    for _ in range(12):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


async def time_summaries(url: str, repeats: int) -> None:
    settings = bench_settings(url)
    engine = database.create_engine(url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            cases = await session.scalar(select(func.count()).select_from(MediationCase))
            print(f"monthly summary over {cases:,} cases ({engine.dialect.name}), {repeats} runs per month")
            reports = ReportService(session, settings)
            print(f"{'month':<8} {'median ms':>10} {'max ms':>8} {'受理数':>8} {'结案数':>8}")
            medians, worst = [], 0.0
            for key in last_months(reports.month(time.strftime("%Y-%m")).first):
                timings = []
                for _ in range(repeats):
                    begin = time.perf_counter()
                    summary = await reports.monthly_for(key)
                    timings.append((time.perf_counter() - begin) * 1000)
                total = summary.rows[-1]
                medians.append(statistics.median(timings))
                worst = max(worst, *timings)
                print(f"{key:<8} {medians[-1]:>10.1f} {max(timings):>8.1f} {total[1]:>8} {total[2]:>8}")
            print(f"{'overall':<8} {statistics.median(medians):>10.1f} {worst:>8.1f}   "
                  "(median of the medians, worst of all runs)")
    finally:
        await engine.dispose()


async def explain(url: str, month: str) -> None:
    """The plans of the summary's grouped queries for `month`: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL,
    EXPLAIN QUERY PLAN on SQLite."""
    engine = database.create_engine(url)
    statements: list[tuple[str, Any]] = []

    def capture(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "GROUP BY" in statement:
            statements.append((statement, parameters))

    try:
        event.listen(engine.sync_engine, "before_cursor_execute", capture)
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            await ReportService(session, bench_settings(url)).monthly_for(month)
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        async with engine.connect() as connection:
            for statement, parameters in statements:
                print(f"\n{statement}\n  parameters: {parameters}")
                for row in await connection.exec_driver_sql(prefix + statement, parameters):
                    print("  " + " ".join(str(value) for value in row))
    finally:
        await engine.dispose()


async def measure(url: str, args: argparse.Namespace) -> None:
    await time_summaries(url, args.repeats)
    if args.explain:
        await explain(url, args.explain)


async def run(args: argparse.Namespace) -> None:
    if args.database_url:
        await measure(args.database_url, args)
        return
    if args.postgres:
        if not await server_reachable(args.postgres):
            if args.skip_unreachable:
                print(f"PostgreSQL at {make_url(args.postgres).render_as_string()} is not reachable: skipped")
                return
            raise SystemExit(f"monthly_summary: PostgreSQL at {args.postgres} is not reachable")
        scratch = make_url(args.postgres).set(database=f"mediation_bench_{uuid.uuid4().hex[:8]}")
        url = scratch.render_as_string(hide_password=False)
    else:
        url = default_url(args.cases, "monthly")
    try:
        await prepare(url, force=True)
        generated = await generate(bench_settings(url), args.cases, ProgressBar(args.cases),
                                   Steps(announce=True))
        print(describe(generated, url))
        await measure(url, args)
    finally:
        if args.keep:
            print(f"kept: reuse it with --database-url {url}")
        else:
            await drop(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000, help="cases to generate (default 20,000)")
    parser.add_argument("--postgres", help="an admin URL; a scratch database is created there")
    parser.add_argument("--database-url", help="a database generated before (bench/dataset.py or --keep): "
                                               "time it as it is")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database for later runs")
    parser.add_argument("--repeats", type=int, default=5, help="runs per month (default 5)")
    parser.add_argument("--explain", metavar="YYYY-MM", help="then print the plans of the queries for that month")
    parser.add_argument("--skip-unreachable", action="store_true",
                        help="with --postgres: print a note and stop when the server is not reachable")
    args = parser.parse_args()
    if args.database_url and (args.postgres or args.keep):
        parser.error("--database-url uses an existing database: no --postgres or --keep with it")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
