"""The `mediation` command (CONTRACT.md): serve, migrations, demo data, accounts and imports.

Every command prints a clear English error and exits non-zero on bad input, writing nothing."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mediation import database
from mediation.domain.advisors import parse_advisor_rows
from mediation.domain.places import parse_place_rows
from mediation.domain.reports import MonthInvalid
from mediation.domain.roles import ROLES
from mediation.domain.validation import Invalid
from mediation.services.accounts import AccountService
from mediation.services.advisors import AdvisorImportInvalid, AdvisorService
from mediation.services.backup import BackupRefused, BackupService, Manifest
from mediation.services.demo import DEMO_CASES, DEMO_PASSWORD, DemoService, DemoUnavailable
from mediation.services.ledger import LedgerActor, LedgerService, LedgerUnavailable, parse_range
from mediation.services.places import PlaceService
from mediation.services.reports import ReportService, summary_csv, summary_xlsx
from mediation.settings import Settings, SettingsError
from mediation.spreadsheets import SpreadsheetError, read_table_file

T = TypeVar("T")


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def run_with_session(settings: Settings, use: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = database.create_engine(settings.database_url)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as session:
                return await use(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


@click.group(help="枫桥调解 (fengqiao-mediation): case management for a one-stop mediation center.")
def main() -> None:
    pass


@main.command(help="Serve the web app.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    load_settings()  # refuse to start on a bad environment before any worker is spawned
    uvicorn.run(
        "mediation.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        server_header=False,
        # A spawned worker imports the whole app before it answers the supervisor's first health ping; with
        # uvicorn's 5 s default a slow or busy machine kills and respawns workers over and over.
        timeout_worker_healthcheck=30,
        log_level="info",
    )


@main.group(help="Database migrations.")
def db() -> None:
    pass


@db.command("upgrade", help="Upgrade the database to the latest migration.")
def db_upgrade() -> None:
    settings = load_settings()
    database.upgrade(settings.database_url)
    click.echo("database is at the latest migration")


@db.command("downgrade", help="Downgrade the database to revision REV ('base' removes everything).")
@click.argument("rev")
def db_downgrade(rev: str) -> None:
    settings = load_settings()
    try:
        database.downgrade(settings.database_url, rev)
    except Exception as exc:  # alembic raises CommandError and friends for unknown revisions
        raise click.ClickException(f"cannot downgrade to {rev!r}: {exc}") from exc
    click.echo(f"database downgraded to {rev}")


@db.command("current", help="Print the database's current migration revision.")
def db_current() -> None:
    settings = load_settings()

    async def show() -> str | None:
        engine = database.create_engine(settings.database_url)
        try:
            return await database.current_revision(engine)
        finally:
            await engine.dispose()

    click.echo(asyncio.run(show()) or "none (empty database)")


def print_demo_logins(logins: list[Any]) -> None:
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in logins:
        click.echo(f"  {login.username:<10} {login.role:<17} {login.display_name} · {login.organization}")


@main.command(help=f"Seed the demo district (places, committees, a user for every role) and demo cases spread "
                   f"over the last 12 months: {DEMO_CASES} unless --cases says otherwise. Only into an empty "
                   f"database unless --force.")
@click.option("--cases", default=DEMO_CASES, show_default=True, type=click.IntRange(0, 2_000_000),
              help="How many demo cases to seed (0 for none).")
@click.option("--force", is_flag=True, help="Seed even though the database already has data.")
def demo(cases: int, force: bool) -> None:
    settings = load_settings()
    if settings.production:
        raise click.ClickException("demo data is never seeded when MEDIATION_ENV=production")

    def progress(done: int) -> None:
        click.echo(f"seeded {done:,} of {cases:,} demo cases", err=True)

    async def seed(session: AsyncSession) -> tuple[bool, list[Any]]:
        service = DemoService(session, settings)
        if await service.has_data() and not force:
            return False, await service.existing_demo_logins()
        return True, await service.seed(cases, progress)

    try:
        seeded, logins = run_with_session(settings, seed)
    except DemoUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    if not seeded:
        click.echo("the database already has data: nothing seeded (use --force to add the demo anyway)")
        if logins:
            print_demo_logins(logins)
        return
    click.echo(f"demo district seeded with {cases:,} cases")
    print_demo_logins(logins)


@main.group(help="User accounts.")
def user() -> None:
    pass


@user.command("add", help="Add an account; the password is read from a prompt or --password-stdin.")
@click.argument("username")
@click.option("--role", required=True, help=f"One of: {', '.join(ROLES)}.")
@click.option("--name", "display_name", required=True, help="The person's name as shown in the app.")
@click.option("--org", "organization", default=None, help="Organization name (default: the district center).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def user_add(username: str, role: str, display_name: str, organization: str | None, password_stdin: bool) -> None:
    settings = load_settings()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def add(session: AsyncSession) -> Any:
        return await AccountService(session, settings).add_user(username, role, display_name, password, organization)

    try:
        created = run_with_session(settings, add)
    except Invalid as invalid:
        raise click.ClickException(invalid.english) from invalid
    click.echo(f"added user {created.username} ({created.role})")


def read_rows(file: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and numbered rows of an import file, or a clear error for an unreadable one."""
    try:
        return read_table_file(file)
    except SpreadsheetError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc


def refuse_import(file: Path, errors: list[Any]) -> NoReturn:
    """Print every problem by line and column, then stop: nothing was written."""
    for error in errors:
        click.echo(f"{file}: {error}", err=True)
    raise click.ClickException(f"{len(errors)} problem(s) found; nothing was imported")


@main.group(help="The place tree.")
def places() -> None:
    pass


@places.command("import", help="Import the place tree from a CSV or XLSX file with columns 镇街, 村居, 网格.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def places_import(file: Path) -> None:
    settings = load_settings()
    tree, errors = parse_place_rows(*read_rows(file))
    if errors:
        refuse_import(file, errors)

    async def run(session: AsyncSession) -> Any:
        return await PlaceService(session).import_tree(tree)

    try:
        summary = run_with_session(settings, run)
    except Invalid as invalid:
        raise click.ClickException(f"{invalid.english}; nothing was imported") from invalid
    click.echo(
        f"imported {summary.towns} towns, {summary.villages} villages, {summary.grids} grids "
        f"and {summary.organizations} committees (existing places unchanged)"
    )


@main.group(help="The legal advisor registry.")
def advisors() -> None:
    pass


@advisors.command("import", help="Import advisors (姓名, 执业机构, 执业证号, 电话, 服务村居, 账号) from CSV or XLSX.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def advisors_import(file: Path) -> None:
    settings = load_settings()
    parsed, errors = parse_advisor_rows(*read_rows(file))
    if not errors:

        async def run(session: AsyncSession) -> Any:
            return await AdvisorService(session).import_rows(parsed)

        try:
            summary = run_with_session(settings, run)
        except AdvisorImportInvalid as invalid:
            errors = invalid.errors
    if errors:
        refuse_import(file, errors)
    click.echo(f"imported {summary.created} new advisors, updated {summary.updated}")


@main.group(help="The case ledger (台账).")
def ledger() -> None:
    pass


SKIPPED_SHOWN = 100


def os_user() -> str:
    """Who ran the command, for the audit of ledger imports and exports."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@ledger.command("import", help="Import a case ledger (the CONTRACT.md columns) from CSV or XLSX. Every row is "
                               "checked first and nothing is written if any is invalid; rows whose 案件编号 "
                               "already exists are skipped.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only check the file and say what an import would do.")
def ledger_import(file: Path, dry_run: bool) -> None:
    settings = load_settings()
    header, rows = read_rows(file)
    actor = LedgerActor(None, os_user())
    with click.progressbar(length=max(len(rows), 1), label="importing cases", file=sys.stderr,
                           hidden=dry_run) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        async def run(session: AsyncSession) -> Any:
            return await LedgerService(session, settings).import_rows(actor, file.name, header, rows, dry_run,
                                                                      progress)

        try:
            outcome = run_with_session(settings, run)
        except LedgerUnavailable as exc:
            raise click.ClickException(str(exc)) from exc
    if outcome.problems:
        refuse_import(file, outcome.problems)
    skipped = len(outcome.skipped)
    for line, number in outcome.skipped[:SKIPPED_SHOWN]:
        click.echo(f"{file}: line {line}: 案件编号 {number} already exists: skipped", err=True)
    if skipped > SKIPPED_SHOWN:
        click.echo(f"{file}: ... and {skipped - SKIPPED_SHOWN} more rows skipped", err=True)
    if dry_run:
        click.echo(f"dry run: would import {outcome.new} new cases and skip {skipped} (案件编号 already exists); "
                   "nothing was written")
    else:
        click.echo(f"imported {outcome.new} new cases, skipped {skipped} (案件编号 already exists)")


@ledger.command("export", help="Export the cases accepted (受理日期) between --from and --to, inclusive, as a "
                               "ledger that imports again; .csv or .xlsx by FILE's extension.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--from", "date_from", default="", help="First 受理日期, YYYY-MM-DD (default: the earliest).")
@click.option("--to", "date_to", default="", help="Last 受理日期, YYYY-MM-DD (default: the latest).")
def ledger_export(file: Path, date_from: str, date_to: str) -> None:
    settings = load_settings()
    kind = file.suffix.lower().lstrip(".")
    if kind not in ("csv", "xlsx"):
        raise click.ClickException(f"{file}: the file name must end in .csv or .xlsx")
    try:
        start, end = parse_range(date_from, date_to)
    except Invalid as invalid:
        raise click.ClickException(invalid.english) from invalid
    actor = LedgerActor(None, os_user())

    async def run(session: AsyncSession) -> int:
        return await LedgerService(session, settings).export(actor, file, kind, start, end, str(file))

    try:
        count = run_with_session(settings, run)
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror}") from exc
    click.echo(f"exported {count} cases to {file}")


@main.group(help="Reports.")
def report() -> None:
    pass


@report.command("monthly", help="Write the monthly summary (CONTRACT.md) as CSV or XLSX.")
@click.option("--month", required=True, help="The month, YYYY-MM.")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--output", required=True, type=click.Path(path_type=Path, dir_okay=False))
def report_monthly(month: str, file_format: str, output: Path) -> None:
    settings = load_settings()

    async def build(session: AsyncSession) -> Any:
        return await ReportService(session, settings).monthly_for(month)

    try:
        summary = run_with_session(settings, build)
    except MonthInvalid as invalid:
        raise click.ClickException(invalid.en) from invalid
    content = summary_csv(summary) if file_format == "csv" else summary_xlsx(summary)
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from exc
    click.echo(f"wrote the summary of {summary.month.key} ({len(summary.rows) - 1} towns) to {output}")


def print_table_progress(table: str, rows: int) -> None:
    click.echo(f"{table}: {rows:,} rows", err=True)


@main.command(help="Write a consistent copy of all data and uploaded files to FILE (a tar archive), while "
                   "the app keeps running.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def backup(file: Path) -> None:
    settings = load_settings()

    async def run(session: AsyncSession) -> Manifest:
        return await BackupService(session, settings).backup(file, print_table_progress)

    try:
        manifest = run_with_session(settings, run)
    except BackupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror or exc}") from exc
    click.echo(f"backup written to {file}: {manifest.row_count:,} rows in {len(manifest.tables)} tables and "
               f"{len(manifest.uploads)} uploaded files")


@main.command(help="Replace all data of the configured database (empty or freshly upgraded) and the uploaded "
                   "files with those of a backup FILE. Asks first unless --yes.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(file: Path, yes: bool) -> None:
    settings = load_settings()
    target = make_url(settings.database_url).render_as_string(hide_password=True)

    def confirm(manifest: Manifest) -> bool:
        if yes:
            return True
        cases = manifest.rows_of("mediation_case")
        click.echo(f"This replaces all data of {target} and adds the uploaded files to {settings.upload_dir} "
                   f"with the backup taken {manifest.created_at} ({cases:,} cases, "
                   f"{len(manifest.uploads)} uploaded files).")
        return click.prompt("Type yes to restore", default="", show_default=False).strip() == "yes"

    async def run(session: AsyncSession) -> Manifest:
        return await BackupService(session, settings).restore(file, confirm, print_table_progress)

    try:
        manifest = run_with_session(settings, run)
    except BackupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot restore {file}: {exc.strerror or exc}") from exc
    click.echo(f"restored {manifest.row_count:,} rows in {len(manifest.tables)} tables and "
               f"{len(manifest.uploads)} uploaded files from {file}")
