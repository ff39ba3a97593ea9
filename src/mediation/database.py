"""Engines, sessions and migrations for both databases (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from mediation.settings import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
# SQLite: a write transaction takes the write lock when it begins (BEGIN IMMEDIATE), so two concurrent
# writers queue on the busy timeout instead of one failing when it upgrades a read lock.
WRITE_OPTION = "mediation_write"
# Search structures that exist in one database only (created by the migrations, not by the models).
SEARCH_OBJECTS = frozenset(
    {"case_search", "ix_mediation_case_summary_trgm", "ix_party_name_pattern"}
)


def include_in_comparison(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate and the drift test leave the database-specific search structures alone."""
    return not (name in SEARCH_OBJECTS or (type_ == "table" and name and name.startswith("case_search")))


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    # No JIT: it compiled the monthly report's scans for longer (about 30 ms each) than they then ran.
    return {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True, "pool_recycle": 1800,
            "connect_args": {"server_settings": {"jit": "off"}}}


def prepare_engine(engine: AsyncEngine) -> AsyncEngine:
    """Install the SQLite connection set-up (WAL, foreign keys, explicit BEGIN) on an engine."""
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def create_engine(url: str, **overrides: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    return prepare_engine(create_async_engine(url, **(engine_options(url) | overrides)))


@asynccontextmanager
async def write_transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """One use case, one transaction: begins as a writer, commits on success, rolls back on error."""
    if session.in_transaction():
        await session.rollback()  # end any read-only transaction so the write lock is taken up front
    await session.connection(execution_options={WRITE_OPTION: True})
    try:
        yield session
    except BaseException:
        await session.rollback()
        raise
    await session.commit()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _in_thread(func: Any, *args: Any) -> None:
    """Alembic's env.py runs its own event loop; keep it off any loop that is already running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        func(*args)
        return
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            func(*args)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def upgrade(url: str, revision: str = "head") -> None:
    _in_thread(command.upgrade, alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    _in_thread(command.downgrade, alembic_config(url), revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
