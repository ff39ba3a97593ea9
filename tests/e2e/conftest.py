"""Browser end-to-end fixtures: the real app served by uvicorn in a subprocess on a fresh migrated database
(SQLite, or PostgreSQL when MEDIATION_TEST_DATABASE_URL is set), driven by Debian's Chromium through
Playwright's sync API. Playwright's own browser downloads are never used."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect, sync_playwright
from sqlalchemy.ext.asyncio import async_sessionmaker
from tests.conftest import PASSWORD, TEST_SECRET, DatabaseFactory, add_user

from mediation import database
from mediation.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_TIMEOUT_SECONDS = 20
ACTION_TIMEOUT_MS = 5_000


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    display_name: str
    role_label: str
    password: str = PASSWORD


ADMIN = Account("admin", "admin", "管理员", "系统管理员")
COUNTER = Account("chuangkou", "counter", "陈窗口", "窗口调解员")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests, before any server starts, on a machine without Chromium."""
    if CHROMIUM.exists():
        return
    reason = f"browser tests need Chromium at {CHROMIUM} (`make system-packages` installs it)"
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _create_accounts(settings: Settings, accounts: tuple[Account, ...]) -> None:
    async def create() -> None:
        engine = database.create_engine(settings.database_url)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as session:
                for account in accounts:
                    await add_user(session, settings, account.username, account.role,
                                   name=account.display_name)
        finally:
            await engine.dispose()

    asyncio.run(create())


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with code {server.returncode} on start-up:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet (URLError is an OSError)
            pass
        time.sleep(0.1)
    pytest.fail(f"/healthz did not answer 200 within {STARTUP_TIMEOUT_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`mediation serve` on a free local port, with the test accounts in its own fresh database: its URL."""
    workdir = tmp_path_factory.mktemp("e2e")
    settings = Settings(database_url=databases.migrated_url(), secret_key=TEST_SECRET,
                        upload_dir=workdir / "uploads", var_dir=workdir)
    _create_accounts(settings, (ADMIN, COUNTER))
    environment = {
        **os.environ,
        "MEDIATION_ENV": "development",
        "MEDIATION_DATABASE_URL": settings.database_url,
        "MEDIATION_SECRET_KEY": settings.secret_key,
        "MEDIATION_UPLOAD_DIR": str(settings.upload_dir),
    }
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / "server.log"
    command = [str(Path(sys.executable).with_name("mediation")), "serve",
               "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=environment, cwd=workdir,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module scope: Playwright's event loop is gone again before the asyncio-based web tests run."""
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Opens a page in a new browser context (own cookies), e.g. for a second user or a phone screen."""
    contexts: list[BrowserContext] = []

    def open_new(viewport: ViewportSize | None = None) -> Page:
        context = browser.new_context(base_url=live_server, locale="zh-CN",
                                      viewport=viewport or {"width": 1280, "height": 800})
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_new
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page()


def sign_in(page: Page, account: Account, password: str | None = None) -> None:
    """Fill in and submit the sign-in form the way a person does."""
    page.goto("/login")
    page.get_by_label("用户名").fill(account.username)
    page.get_by_label("密码").fill(account.password if password is None else password)
    page.get_by_role("button", name="登录").click()


# The small place tree of tests/web/cases_support.py, as 镇街 → 村居 → 网格.
DISTRICT_PLACES: dict[str, dict] = {"城关镇": {"石门村": {"第一网格": {}}, "大岭村": {}}, "东湖街道": {"湖滨社区": {}}}


def _add_places(page: Page, places: dict[str, dict]) -> None:
    """On a place's admin page: add the missing child places, then their own children the same way."""
    parent_url = page.url
    table = page.get_by_role("table")
    for name in places:
        if not table.get_by_role("link", name=name, exact=True).count():
            page.get_by_label("新增").fill(name)
            page.get_by_role("button", name="添加", exact=True).click()
            expect(page.get_by_role("status")).to_contain_text(f"已添加“{name}”")
    for name, children in places.items():
        if children:
            page.goto(parent_url)
            table.get_by_role("link", name=name, exact=True).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(name)
            _add_places(page, children)


@pytest.fixture(scope="module")
def district(browser: Browser, live_server: str) -> None:
    """The small place tree, each 镇街 and 村居 with its committee, in the live server's database: added by the
    administrator on the place pages. The server lives for the whole run, so places already there are kept."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, ADMIN)
        expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
        page.goto("/admin/places")
        _add_places(page, DISTRICT_PLACES)
    finally:
        context.close()


# The people of a mediation: the district center's supervisor, a mediator of 石门村's committee and the
# advisor serving 石门村, whose account is linked to the advisor registry.
SUPERVISOR = Account("zhuren", "supervisor", "周主任", "中心主任/司法所长")
MEDIATOR = Account("cuntiao", "village_mediator", "李调解", "村调委会调解员")
ADVISOR = Account("guwen", "advisor", "王明远", "村法律顾问")
MEDIATOR_COMMITTEE = "城关镇石门村人民调解委员会"
ADVISOR_REGISTRY = ("姓名,执业机构,执业证号,电话,服务村居,账号\n"
                    f"{ADVISOR.display_name},明理律师事务所,13300000000001,13900000001,城关镇/石门村,"
                    f"{ADVISOR.username}\n")


@pytest.fixture(scope="session", autouse=True)
def live_database_url(databases: DatabaseFactory, request: pytest.FixtureRequest) -> str:
    """The live server's database URL, for the `mediation` command below. `live_server` yields only its
    address, so this fixture, used by every browser test and set up before the others, starts it while
    noting the URL it gets from `databases`."""
    noted: list[str] = []
    make_database = databases.migrated_url

    def make_and_note() -> str:
        noted.append(make_database())
        return noted[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(databases, "migrated_url", make_and_note)
        request.getfixturevalue("live_server")
    if not noted:
        pytest.fail("live_server had started before live_database_url could note its database")
    return noted[-1]


def _mediation(database_url: str, *arguments: str) -> None:
    """Run the `mediation` command on the given database; a failure fails the test with its output."""
    environment = {**os.environ, "MEDIATION_ENV": "development", "MEDIATION_DATABASE_URL": database_url,
                   "MEDIATION_SECRET_KEY": TEST_SECRET}
    command = [str(Path(sys.executable).with_name("mediation")), *arguments]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode:
        pytest.fail(f"`mediation {' '.join(arguments)}` exited with code {result.returncode}:\n"
                    f"{result.stdout}{result.stderr}")


def _add_user(page: Page, account: Account, organization: str | None) -> None:
    """On the user administration page: add `account`, of `organization` or else of the district center."""
    page.get_by_label("用户名").fill(account.username)
    page.get_by_label("姓名").fill(account.display_name)
    page.get_by_label("角色").select_option(account.role)
    if organization:
        page.get_by_label("调解组织").select_option(organization)
    page.get_by_label("初始密码").fill(account.password)
    page.get_by_role("button", name="添加用户").click()
    expect(page.get_by_role("status")).to_contain_text(f"已添加用户 {account.username}")


@pytest.fixture(scope="module")
def mediation_team(district: None, browser: Browser, live_server: str, live_database_url: str,
                   tmp_path_factory: pytest.TempPathFactory) -> None:
    """SUPERVISOR, MEDIATOR and ADVISOR added by the administrator on the user page, and the advisor
    registered as serving 城关镇/石门村 with `mediation advisors import`: after `district`, since the committee
    and the registry name its places. Accounts already there are left alone, so modules may run in any order
    (re-importing the registry updates it in place)."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, ADMIN)
        expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
        for account, organization in ((SUPERVISOR, None), (MEDIATOR, MEDIATOR_COMMITTEE), (ADVISOR, None)):
            _add_user_unless_present(page, account, organization)
    finally:
        context.close()
    registry = tmp_path_factory.mktemp("advisors") / "advisors.csv"
    registry.write_text(ADVISOR_REGISTRY, encoding="utf-8")
    _mediation(live_database_url, "advisors", "import", str(registry))


@pytest.fixture(scope="module")
def supervisor_account(district: None, browser: Browser, live_server: str) -> None:
    """SUPERVISOR, of the district center, added by the administrator on the user page unless already there:
    for a module that needs only the supervisor."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, ADMIN)
        expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
        _add_user_unless_present(page, SUPERVISOR, None)
    finally:
        context.close()


def _add_user_unless_present(page: Page, account: Account, organization: str | None) -> None:
    page.goto(f"/admin/users?q={account.username}")
    if not page.get_by_role("table").get_by_role("link", name=account.username, exact=True).count():
        _add_user(page, account, organization)
