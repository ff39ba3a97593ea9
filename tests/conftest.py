"""Test fixtures: a fresh database per test (SQLite by default, PostgreSQL when
MEDIATION_TEST_DATABASE_URL names a server), the app, a client and signed-in helpers."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mediation import database
from mediation.app import create_app
from mediation.services.accounts import AccountService
from mediation.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get("MEDIATION_TEST_DATABASE_URL", "")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORD = "correct-horse-battery"


def _asyncpg_dsn(url: str, database_name: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database_name:
        parsed = parsed.set(database=database_name)
    return parsed.render_as_string(hide_password=False)


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_ADMIN_URL))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


class DatabaseFactory:
    """Migrates one template database per test run, then clones it for every test (fast on both)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.prefix = f"mediation_test_{uuid.uuid4().hex[:8]}"
        self.template: str | None = None
        self.made: list[str] = []

    @property
    def postgres(self) -> bool:
        return bool(POSTGRES_ADMIN_URL)

    def empty_url(self) -> str:
        """A new empty database (no migrations applied)."""
        name = f"{self.prefix}_{len(self.made)}"
        self.made.append(name)
        if self.postgres:
            asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
            return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        return f"sqlite+aiosqlite:///{self.workdir / (name + '.sqlite3')}"

    def migrated_url(self) -> str:
        if self.template is None:
            self.template = self.empty_url()
            database.upgrade(self.template)
        name = f"{self.prefix}_{len(self.made)}"
        self.made.append(name)
        if self.postgres:
            template_name = make_url(self.template).database
            asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
            return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        path = self.workdir / (name + ".sqlite3")
        shutil.copyfile(make_url(self.template).database, path)
        return f"sqlite+aiosqlite:///{path}"

    def drop_all(self) -> None:
        if not self.postgres:
            return

        async def drop() -> None:
            for name in self.made:
                await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        asyncio.run(drop())


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def database_url(databases: DatabaseFactory) -> str:
    return databases.migrated_url()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        upload_dir=tmp_path / "uploads",
        var_dir=tmp_path,
    )


@pytest.fixture
async def db_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    engine = database.create_engine(settings.database_url)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session
    await engine.dispose()


@asynccontextmanager
async def app_client(settings: Settings, base_url: str = "http://testserver.local") -> AsyncIterator[AsyncTestClient]:
    """A client of a fresh app instance: two of them on one database behave like two workers."""
    async with AsyncTestClient(app=create_app(settings), base_url=base_url) as test_client:
        test_client.follow_redirects = False
        yield test_client


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with app_client(settings) as test_client:
        yield test_client


async def add_user(session: AsyncSession, settings: Settings, username: str, role: str,
                   organization: str | None = None, name: str | None = None) -> Any:
    return await AccountService(session, settings).add_user(username, role, name or f"{username}姓名", PASSWORD,
                                                            organization)


def csrf_token(client: AsyncTestClient) -> str:
    return client.cookies.get("csrftoken") or ""


async def post_form(client: AsyncTestClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST a form the way the browser does: with the CSRF token from the cookie as a hidden field."""
    if not csrf_token(client):
        await client.get("/login")
    return await client.post(url, data={"_csrf_token": csrf_token(client), **(data or {})}, **kwargs)


async def sign_in(client: AsyncTestClient, username: str, password: str = PASSWORD) -> Any:
    await client.get("/login")
    return await post_form(client, "/login", {"username": username, "password": password})


@pytest.fixture
async def admin_client(client: AsyncTestClient, db_session: AsyncSession, settings: Settings) -> AsyncTestClient:
    await add_user(db_session, settings, "admin", "admin", name="管理员")
    response = await sign_in(client, "admin")
    assert response.status_code == 303
    return client
