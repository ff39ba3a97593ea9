"""The `mediation` command: clear English errors, non-zero exits, nothing written on failure."""

from __future__ import annotations

import asyncio
import io

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import func, select

from mediation import database
from mediation.cli import main
from mediation.models import Organization, Place, User


@pytest.fixture
def run_cli(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    monkeypatch.setenv("MEDIATION_SECRET_KEY", "cli-test-secret-key-0123456789-abcdef")
    monkeypatch.delenv("MEDIATION_ENV", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def count(url: str, model) -> int:
    async def main_():
        engine = database.create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.scalar(select(func.count()).select_from(model))
        finally:
            await engine.dispose()

    return asyncio.run(main_())


async def _rename_committee(url: str, old: str, new: str) -> int:
    from sqlalchemy import update

    engine = database.create_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(update(Organization).where(Organization.name == old).values(name=new))
            return result.rowcount
    finally:
        await engine.dispose()


def test_user_add_with_password_from_stdin(run_cli, database_url):
    result = run_cli("user", "add", "chuangkou", "--role", "counter", "--name", "陈窗口", "--password-stdin",
                     input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert "added user chuangkou (counter)" in result.output
    assert count(database_url, User) == 1


def test_user_add_with_prompt(run_cli):
    result = run_cli("user", "add", "zhuren", "--role", "supervisor", "--name", "周主任",
                     input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "boss", "--name", "王"], "a-long-password", "unknown role 'boss'"),
        (["--role", "counter", "--name", "王"], "short", "at least 10 characters"),
        (["--role", "counter", "--name", "王", "--org", "不存在的调委会"], "a-long-password", "no active organization"),
        (["--role", "counter", "--name", " "], "a-long-password", "a name is required"),
    ],
)
def test_user_add_refuses_bad_input(run_cli, database_url, args, password, message):
    result = run_cli("user", "add", "someone", *args, "--password-stdin", input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert count(database_url, User) == 0


def test_duplicate_username_is_refused(run_cli, database_url):
    run_cli("user", "add", "zhuren", "--role", "supervisor", "--name", "周主任", "--password-stdin",
            input="a-long-password\n")
    result = run_cli("user", "add", "ZhuRen", "--role", "counter", "--name", "另一人", "--password-stdin",
                     input="a-long-password\n")
    assert result.exit_code == 1
    assert "the username 'zhuren' already exists" in result.output
    assert count(database_url, User) == 1


def test_user_add_with_org_belongs_there(run_cli, database_url, tmp_path):
    places = tmp_path / "places.csv"
    places.write_text("镇街,村居,网格\n城关镇,石门村,第一网格\n", encoding="utf-8")
    run_cli("places", "import", str(places))
    result = run_cli("user", "add", "cuntiao", "--role", "village_mediator", "--name", "李调解",
                     "--org", "城关镇石门村人民调解委员会", "--password-stdin", input="a-long-password\n")
    assert result.exit_code == 0, result.output


def test_places_import_csv_gbk_and_reimport_changes_nothing(run_cli, database_url, tmp_path):
    places = tmp_path / "places.csv"
    places.write_bytes("镇街,村居,网格\n城关镇,石门村,第一网格\n城关镇,石门村,第二网格\n东湖街道,湖滨社区,\n"
                       .encode("gbk"))
    result = run_cli("places", "import", str(places))
    assert result.exit_code == 0, result.output
    assert "imported 2 towns, 2 villages, 2 grids and 4 committees" in result.output
    assert count(database_url, Place) == 1 + 2 + 2 + 2
    assert count(database_url, Organization) == 1 + 4
    again = run_cli("places", "import", str(places))
    assert "imported 0 towns, 0 villages, 0 grids and 0 committees" in again.output
    run_cli_rename = asyncio.run(_rename_committee(database_url, "城关镇人民调解委员会", "城关镇调委会"))
    assert run_cli_rename == 1
    third = run_cli("places", "import", str(places))
    assert "0 committees" in third.output  # a renamed committee is not created again
    assert count(database_url, Place) == 7


def test_places_import_xlsx(run_cli, database_url, tmp_path):
    workbook = Workbook()
    workbook.active.append(["村居", "镇街"])
    workbook.active.append(["石门村", "城关镇"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "places.xlsx"
    path.write_bytes(buffer.getvalue())
    result = run_cli("places", "import", str(path))
    assert result.exit_code == 0, result.output
    assert count(database_url, Place) == 3


def test_malformed_places_file_reports_lines_and_writes_nothing(run_cli, database_url, tmp_path):
    places = tmp_path / "places.csv"
    places.write_text("镇街,村居,网格\n城关镇,石门村,第一网格\n城关镇,,第二网格\n", encoding="utf-8")
    result = run_cli("places", "import", str(places))
    assert result.exit_code == 1
    assert "line 3, column 村居: is empty" in result.output
    assert "nothing was imported" in result.output
    assert count(database_url, Place) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("镇街,村\n城关镇,石门村\n", "column 村: unknown column"),
        ("", "the file is empty"),
    ],
)
def test_places_file_problems(run_cli, tmp_path, content, message):
    places = tmp_path / "places.csv"
    places.write_text(content, encoding="utf-8")
    result = run_cli("places", "import", str(places))
    assert result.exit_code == 1
    assert message in result.output


def test_places_import_missing_file(run_cli, tmp_path):
    result = run_cli("places", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_demo_seeds_once_at_the_seed_scale(run_cli, database_url):
    result = run_cli("demo")
    assert result.exit_code == 0, result.output
    assert "zhuren" in result.output and "fengqiao-2026" in result.output
    assert count(database_url, Place) == 1 + 15 + 135 + 1028
    again = run_cli("demo")
    assert "nothing seeded" in again.output
    assert "zhuren" in again.output  # `make run` reminds of the logins every time


def test_demo_is_refused_in_production(run_cli, monkeypatch):
    monkeypatch.setenv("MEDIATION_ENV", "production")
    result = run_cli("demo")
    assert result.exit_code == 1
    assert "never seeded when MEDIATION_ENV=production" in result.output


def test_production_without_secret_refuses(run_cli, monkeypatch):
    monkeypatch.setenv("MEDIATION_ENV", "production")
    monkeypatch.delenv("MEDIATION_SECRET_KEY")
    result = run_cli("db", "current")
    assert result.exit_code == 1
    assert "MEDIATION_SECRET_KEY is required" in result.output


def test_db_commands(run_cli, databases, monkeypatch):
    url = databases.empty_url()
    monkeypatch.setenv("MEDIATION_DATABASE_URL", url)
    assert "none (empty database)" in run_cli("db", "current").output
    assert run_cli("db", "upgrade").exit_code == 0
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(database.alembic_config(url)).get_current_head()
    assert run_cli("db", "current").output.strip() == head
    bad = run_cli("db", "downgrade", "nonsense")
    assert bad.exit_code == 1 and "cannot downgrade to 'nonsense'" in bad.output
    assert run_cli("db", "downgrade", "base").exit_code == 0
    assert "none (empty database)" in run_cli("db", "current").output
