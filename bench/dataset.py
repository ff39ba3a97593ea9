"""A realistic district of N cases for the benchmarks, generated fast.

    .venv/bin/python bench/dataset.py --cases 200000            # SQLite: var/bench/dataset-200000.sqlite3
    .venv/bin/python bench/dataset.py --cases 1000000 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/mediation_bench_1m

The database is created when missing and upgraded to the latest migration. One that already holds data
(users, places) is refused unless --force, which recreates it, or --reuse, which keeps it as it is (a large
district generated once serves many load runs).

The data is the demo's (`mediation demo`), so it is as realistic as the demo: the district, its committees,
users and legal advisors, then the cases from the demo's case maker (types, sources, stages and outcomes in
the demo's shares over the last 12 months, weighted villages, parties with valid ID numbers, timelines,
assignments, records, hearings, extensions, agreements and obligations, judicial confirmations, follow-ups,
archive numbers, case numbers from the counters), then the demo's screenings and zero reports.

Only the writing differs: the demo inserts through SQLAlchemy (about 1 ms a case); this writes the same rows
with COPY on PostgreSQL and plain executemany in one transaction on SQLite (synchronous=OFF while loading; the
search triggers stay, so search finds every generated case), builds the secondary indexes (and on PostgreSQL
checks the foreign keys) and counts the advisors' open workloads once at the end instead of row by row, and
finishes with ANALYZE (VACUUM ANALYZE on PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import operator
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import Table, bindparam, event, func, inspect, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from mediation import database
from mediation.database import write_transaction
from mediation.models import CaseNumberCounter, MediationCase
from mediation.models.assignments import open_cases_counted_at_the_end
from mediation.models.base import utcnow
from mediation.services.demo import CASE_ROWS, DemoService, _Archiving, _CaseMaker, demo_tree
from mediation.services.places import PlaceService
from mediation.settings import PROJECT_ROOT, Settings

BENCH_DIR = PROJECT_ROOT / "var" / "bench"
BENCH_SECRET = "bench-secret-key-0123456789-abcdefghij"
CASE_CHUNK = 2_000  # cases written at a time: about 36,000 rows, 20,000 of them timeline lines
YIELD_EVERY = 10  # cases made between two turns of the event loop (each turn lets the copy move on)
MAINTENANCE_DATABASES = frozenset({"postgres", "template0", "template1"})  # never filled, never dropped
CASE_TABLES: tuple[Table, ...] = (MediationCase.__table__, *(model.__table__ for model in CASE_ROWS))
Row = dict[str, Any]


class DatasetRefused(Exception):
    """The target database cannot be (re)created as asked."""


class Steps:
    """How long each step of a generation took; each is announced on stderr as it starts when `announce`."""

    def __init__(self, announce: bool = False) -> None:
        self.announce = announce
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.announce:
            print(f"{name}…", file=sys.stderr, flush=True)
        started = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - started


@dataclass(frozen=True)
class Generated:
    cases: int
    rows: dict[str, int]  # rows written per table, besides the seeded district
    steps: dict[str, float]  # seconds per step
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class ProgressBar:
    """One line on stderr, redrawn: cases done, a bar, cases and rows per second and the time left. When
    stderr is not a terminal (make's output in a log), a line per tenth instead."""

    WIDTH = 30

    def __init__(self, total: int, stream: Any = None) -> None:
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.started = time.perf_counter()
        self.drawn_at = 0.0
        self.tenths = -1

    def __call__(self, done: int, rows: int) -> None:
        now = time.perf_counter()
        if done == 0:  # the first case is about to be made: rates count from here
            self.started = now
            return
        if self.terminal:
            if now - self.drawn_at < 0.25 and done < self.total:
                return
            self.drawn_at = now
        else:
            tenths = done * 10 // self.total
            if tenths == self.tenths:
                return
            self.tenths = tenths
        elapsed = max(now - self.started, 1e-9)
        left = int((self.total - done) * elapsed / done)
        filled = self.WIDTH * done // self.total
        line = (f"{done:>{len(f'{self.total:,}')},}/{self.total:,} cases "
                f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {100 * done / self.total:3.0f}%  "
                f"{done / elapsed:,.0f} cases/s  {rows / elapsed:,.0f} rows/s  "
                f"ETA {left // 60}:{left % 60:02d}")
        self.stream.write(f"\r{line}" if self.terminal else f"{line}\n")
        if self.terminal and done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


Plan = tuple[Callable[[Row], Any], list[tuple[int, Callable[[Any], Any], Any]]]


class BulkWriter:
    """Writes rows (dicts by column name, the same columns in every row of a table) the fastest way the
    database offers: COPY on PostgreSQL, executemany on SQLite; each value converted by its column's type as
    SQLAlchemy would bind it, so the stored values are those the app writes."""

    def __init__(self, connection: AsyncConnection, copier: Any) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.copier = copier  # the asyncpg connection, on PostgreSQL
        self.plans: dict[tuple[str, tuple[str, ...]], Plan] = {}

    @classmethod
    async def open(cls, session: AsyncSession) -> BulkWriter:
        connection = await session.connection()
        copier = None
        if connection.dialect.name == "postgresql":
            copier = (await connection.get_raw_connection()).driver_connection
        return cls(connection, copier)

    def _plan(self, table: Table, columns: tuple[str, ...]) -> Plan:
        key = (table.name, columns)
        if key not in self.plans:
            # (position, processor, what it makes of None: computed once, most optional values are None)
            processors = [
                (index, processor, processor(None)) for index, name in enumerate(columns)
                if (processor := table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect))
            ]
            values = operator.itemgetter(*columns)
            self.plans[key] = (values if len(columns) > 1 else lambda row: (values(row),)), processors
        return self.plans[key]

    def records(self, table: Table, rows: Sequence[Row]) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        columns = tuple(rows[0])
        values, processors = self._plan(table, columns)
        if not processors:
            return columns, [values(row) for row in rows]
        records = []
        for row in rows:
            record = list(values(row))
            for index, processor, none in processors:
                value = record[index]
                record[index] = none if value is None else processor(value)
            records.append(tuple(record))
        return columns, records

    async def write(self, table: Table, rows: Sequence[Row]) -> None:
        if not rows:
            return
        columns, records = self.records(table, rows)
        if self.copier is not None:
            await self.copier.copy_records_to_table(table.name, records=records, columns=columns)
        else:
            await self.connection.exec_driver_sql(
                f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                records)


class DeferredStructures:
    """The secondary indexes of the tables being loaded (and on PostgreSQL their foreign keys), dropped for
    the load and made again from the database's own definitions once every row is in. Building an index once
    is much cheaper than keeping two dozen up to date row by row, and the foreign keys are still checked, over
    all rows at once, when they come back. Primary keys, unique constraints and SQLite's search triggers stay.
    All of it happens inside the load's transaction: a failed load leaves the schema as it was."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.postgres = session.bind.dialect.name == "postgresql"
        self.restoring: list[str] = []

    async def _definitions(self) -> list[tuple[str, str]]:
        """(statement dropping it, statement making it again) for each index and foreign key to defer."""
        names = {"names": [table.name for table in CASE_TABLES]}
        if not self.postgres:
            return [(f"DROP INDEX {name}", sql) for name, sql in (await self.session.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN :names").bindparams(bindparam("names", expanding=True)), names)).all()]
        foreign_keys = (await self.session.execute(text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text IN :names ORDER BY oid")
            .bindparams(bindparam("names", expanding=True)), names)).all()
        indexes = (await self.session.execute(text(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index AS ix "
            "WHERE indrelid::regclass::text IN :names AND NOT EXISTS (SELECT 1 FROM pg_constraint "
            "WHERE conindid = ix.indexrelid AND contype IN ('p', 'u', 'x')) ORDER BY indexrelid")
            .bindparams(bindparam("names", expanding=True)), names)).all()
        return [(f"DROP INDEX {name}", create) for name, create in indexes] + [
            (f'ALTER TABLE {table} DROP CONSTRAINT "{name}"',
             f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {check}')
            for table, name, check in foreign_keys]

    async def drop(self) -> None:
        for dropping, making in await self._definitions():
            await self.session.execute(text(dropping))
            self.restoring.append(making)

    async def restore(self) -> None:
        if self.postgres:
            await self.session.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
            await self.session.execute(text("SET LOCAL work_mem = '256MB'"))  # the foreign keys' checks
        for statement in self.restoring:
            await self.session.execute(text(statement))


async def seed_district(demo: DemoService) -> None:
    """What `DemoService.seed` makes before its cases: places, committees, users and legal advisors. (Its
    screenings and zero reports follow the cases, here as there, so that no village files "no dispute this
    month" for a month it has cases in.)"""
    await PlaceService(demo.session).import_tree(demo_tree())
    await demo._seed_specialised_committees()
    await demo._seed_users()
    await demo._seed_advisors()


async def write_cases(demo: DemoService, session: AsyncSession, count: int, steps: Steps,
                      progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """`count` demo cases in one transaction; the same steps as `DemoService.seed_cases` (ids reserved up
    front, numbers from the counters, archive numbers once every case is made, the counters left at the last
    number used) with a bulk writer instead of SQLAlchemy inserts. Rows written per table."""
    async with write_transaction(session):
        postgres = session.bind.dialect.name == "postgresql"
        if postgres:
            await session.execute(text("LOCK TABLE case_number_counter IN EXCLUSIVE MODE"))
        district = await demo._demo_district()
        counters = {
            (organization_id, year): last_seq
            for organization_id, year, last_seq in (await session.execute(
                select(CaseNumberCounter.organization_id, CaseNumberCounter.year, CaseNumberCounter.last_seq)
            )).all()
        }
        # Ids of cases and agreements come from blocks reserved up front (on PostgreSQL the sequences are
        # moved past them); the other tables take theirs from their own sequences (or rowids) as rows arrive.
        first_id = await demo._reserve_ids("mediation_case", count, postgres)
        first_agreement_id = await demo._reserve_ids("agreement", count, postgres)
        maker = _CaseMaker(random.Random(2026), district, demo.settings, counters, first_id, utcnow(),
                           first_agreement_id)
        async with open_cases_counted_at_the_end(session):
            deferred = DeferredStructures(session)
            await deferred.drop()
            with steps("cases"):
                written, archivings = await _copy_cases(maker, count, await BulkWriter.open(session), progress)
            with steps("archive numbers"):
                await demo._archive(archivings)
                written["case_event"] += len(archivings)  # each archived case's last timeline line
            if postgres:
                with steps("compacting the archived cases' old row versions"):
                    primary_key = MediationCase.__table__.primary_key.name
                    await session.execute(text(f"CLUSTER mediation_case USING {primary_key}"))
                    await session.execute(text("ALTER TABLE mediation_case SET WITHOUT CLUSTER"))
            with steps("indexes and foreign keys" if postgres else "indexes"):
                await deferred.restore()
        upsert = (pg_insert if postgres else sqlite_insert)(CaseNumberCounter)
        await session.execute(
            upsert.on_conflict_do_update(index_elements=["organization_id", "year"],
                                         set_={"last_seq": upsert.excluded.last_seq}),
            [{"organization_id": organization, "year": year, "last_seq": seq}
             for (organization, year), seq in counters.items()],
        )
    return dict(written)


async def _copy_cases(maker: _CaseMaker, count: int, writer: BulkWriter,
                      progress: Callable[[int, int], None] | None) -> tuple[Counter[str], list[_Archiving]]:
    """Make `count` cases and write them chunk by chunk; the rows written per table, and the archivings."""
    written: Counter[str] = Counter()
    archivings: list[_Archiving] = []

    async def write_chunk(chunk: dict[Table, list[Row]], done: int) -> None:
        for table, rows in chunk.items():
            await writer.write(table, rows)
            written[table.name] += len(rows)
        if progress is not None:
            progress(done, sum(written.values()))

    # A chunk is written while the next one is made: the database works on the other core, and the maker
    # gives the copy a turn every few cases.
    chunk: dict[Table, list[Row]] = {table: [] for table in CASE_TABLES}
    copying: asyncio.Task[None] | None = None
    if progress is not None:
        progress(0, 0)
    try:
        for done, made in enumerate(maker.cases(count), start=1):
            chunk[MediationCase.__table__].append(made.case)
            for model, made_rows in made.rows.items():
                chunk[model.__table__] += made_rows
            if made.archiving is not None:
                archivings.append(made.archiving)
            if done % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            if done % CASE_CHUNK == 0 or done == count:
                if copying is not None:
                    await copying
                copying = asyncio.create_task(write_chunk(chunk, done))
                chunk = {table: [] for table in CASE_TABLES}
        if copying is not None:
            await copying
    finally:
        if copying is not None and not copying.done():
            copying.cancel()
    return written, archivings


def load_engine(url: str) -> AsyncEngine:
    """The app's engine, but on SQLite not waiting for the disk (a crash mid-load loses a scratch database,
    nothing else) and with a larger page cache; the app's own engines keep synchronous=NORMAL."""
    engine = database.create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _load_fast(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MB
            cursor.close()

    return engine


async def analyze(url: str) -> None:
    """Fresh planner statistics (and on PostgreSQL the visibility map a long-lived database has)."""
    postgres = make_url(url).get_backend_name() == "postgresql"
    engine = database.create_engine(url, **({"isolation_level": "AUTOCOMMIT"} if postgres else {}))
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")
            await connection.commit()
    finally:
        await engine.dispose()


async def generate(settings: Settings, cases: int, progress: Callable[[int, int], None] | None = None,
                   steps: Steps | None = None) -> Generated:
    """Upgrade the database of `settings`, seed the demo district and write `cases` cases into it (a
    database holding no data yet: see `prepare`)."""
    steps = steps or Steps()
    started = time.perf_counter()
    with steps("migrations"):
        database.upgrade(settings.database_url)
    engine = load_engine(settings.database_url)
    rows: dict[str, int] = {}
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            demo = DemoService(session, settings)
            with steps("district, committees, users and advisors"):
                await seed_district(demo)
            if cases:
                rows = await write_cases(demo, session, cases, steps, progress)
            with steps("screenings and zero reports"):
                await demo.seed_screenings()
    finally:
        await engine.dispose()
    with steps("VACUUM ANALYZE" if make_url(settings.database_url).get_backend_name() == "postgresql"
               else "ANALYZE"):
        await analyze(settings.database_url)
    return Generated(cases, rows, steps.seconds, time.perf_counter() - started)


def bench_settings(url: str) -> Settings:
    return Settings(database_url=url, secret_key=BENCH_SECRET, var_dir=BENCH_DIR)


def default_url(cases: int, name: str = "dataset") -> str:
    return f"sqlite+aiosqlite:///{BENCH_DIR / f'{name}-{cases}.sqlite3'}"


def _asyncpg_dsn(url: str, database_name: str) -> str:
    return make_url(url).set(drivername="postgresql", database=database_name).render_as_string(
        hide_password=False)


async def server_reachable(url: str) -> bool:
    """Whether the PostgreSQL server of `url` answers (asked through its maintenance database)."""
    try:
        connection = await asyncpg.connect(_asyncpg_dsn(url, "postgres"), timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def holds_data(url: str) -> bool:
    """Whether the database at `url` has data of its own: users, or places besides the district (what
    `DemoService.has_data` asks, answered also for a database not migrated yet)."""
    engine = database.create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
            counts = {table: await connection.scalar(select(func.count()).select_from(text(table)))
                      for table in ("app_user", "place") if table in tables}
            return counts.get("app_user", 0) > 0 or counts.get("place", 0) > 1
    finally:
        await engine.dispose()


async def already_generated(url: str) -> bool:
    """Whether the database at `url` exists and holds data (without creating it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return bool(parsed.database) and Path(parsed.database).exists() and await holds_data(url)
    admin = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", parsed.database)
    finally:
        await admin.close()
    return bool(exists) and await holds_data(url)


async def prepare(url: str, force: bool = False) -> None:
    """Make sure the database at `url` exists and holds no data: create it when missing; when it holds some,
    refuse, or with `force` recreate it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatasetRefused("give a SQLite file, not an in-memory database")
        path = Path(parsed.database)
        if path.exists() and await holds_data(url):
            if not force:
                raise DatasetRefused(f"{path} already holds data (--force recreates it)")
            await drop(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    name = parsed.database or ""
    if not name or name in MAINTENANCE_DATABASES:
        raise DatasetRefused(f"name a database of its own for the generated data, not {name or 'none'!r}")
    admin = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and await holds_data(url):
            if not force:
                raise DatasetRefused(f"database {name!r} already holds data (--force recreates it)")
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop(url: str) -> None:
    """Remove a generated database: the SQLite file, or the PostgreSQL database (never a maintenance one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    if not parsed.database or parsed.database in MAINTENANCE_DATABASES:
        raise DatasetRefused(f"will not drop {parsed.database or 'no database'!r}")
    admin = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    finally:
        await admin.close()


def describe(generated: Generated, url: str) -> str:
    rate = generated.seconds or 1e-9
    lines = [
        f"generated {generated.cases:,} cases ({generated.total_rows:,} rows) in {generated.seconds:.1f} s: "
        f"{generated.cases / rate:,.0f} cases/s, {generated.total_rows / rate:,.0f} rows/s overall, into "
        f"{make_url(url).render_as_string(hide_password=True)}",
        "  steps: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in generated.steps.items()),
        "  rows: " + ", ".join(f"{table} {count:,}" for table, count in
                               sorted(generated.rows.items(), key=lambda item: -item[1])),
    ]
    return "\n".join(lines)


async def run(url: str, cases: int, force: bool, reuse: bool, skip_unreachable: bool) -> None:
    if make_url(url).get_backend_name() == "postgresql" and not await server_reachable(url):
        if skip_unreachable:
            print(f"PostgreSQL at {make_url(url).render_as_string()} is not reachable: skipped")
            return
        raise DatasetRefused(f"PostgreSQL at {make_url(url).render_as_string()} is not reachable")
    if reuse and await already_generated(url):
        print(f"{make_url(url).render_as_string()} holds a generated district already: used as it is")
        return
    await prepare(url, force)
    generated = await generate(bench_settings(url), cases, ProgressBar(cases), Steps(announce=True))
    print(describe(generated, url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, required=True, help="how many cases to generate")
    parser.add_argument("--database-url", help="sqlite+aiosqlite:///FILE or postgresql+asyncpg://…/NAME "
                                               "(default: a SQLite file under var/bench/)")
    parser.add_argument("--force", action="store_true", help="recreate the database if it already holds data")
    parser.add_argument("--reuse", action="store_true",
                        help="use a database that already holds a generated district as it is")
    parser.add_argument("--skip-unreachable", action="store_true",
                        help="on PostgreSQL: print a note and stop when the server is not reachable")
    args = parser.parse_args()
    if args.cases < 0:
        parser.error("--cases must be 0 or more")
    if args.force and args.reuse:
        parser.error("--force recreates, --reuse keeps: give one of them")
    try:
        asyncio.run(run(args.database_url or default_url(args.cases), args.cases, args.force, args.reuse,
                        args.skip_unreachable))
    except DatasetRefused as exc:
        sys.exit(f"dataset: {exc}")


if __name__ == "__main__":
    main()
