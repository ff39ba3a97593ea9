"""The ledger (台账) in and out: imports checked row by row before anything is written (all or nothing),
exports read in keyset batches, the audit of both, and web imports run as background jobs.

Web imports are background jobs in the process that accepted the confirmation. The job holds one write
transaction for the whole file (all or nothing), so its progress cannot be read from the database while it
runs: it is kept in this process (`LedgerJobs`) and the status page, polled by htmx, reads it from there.
The job's row (`LedgerTransfer`, committed as `running` before the job starts) takes the final result in
the same transaction as the cases, so the outcome is in the database for any worker to show. On SQLite the
polling never waits for the job: the database runs in WAL mode, where readers are not blocked by the one
writer, and the status page only reads. Other writers wait for the import as for any write (up to the busy
timeout, 30 s, so a very large file is better imported with `mediation ledger import` out of hours); on
PostgreSQL the import locks the case table against other writers likewise, so the numbers it found free stay
free until it commits. The parsing and the spreadsheet formatting run in threads, so a large file does not
stall the worker's other requests. A status request that reaches another worker shows the job as running
(without a count) until the row says it is done; a job no process finished within two hours (the server was
restarted) is shown as interrupted, and wrote nothing."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import ColumnElement, func, insert, or_, select, text, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased, defer

from mediation.database import write_transaction
from mediation.domain import deadlines
from mediation.domain.case_numbers import format_case_number
from mediation.domain.closing import DEFAULT_ARCHIVE_TEMPLATE
from mediation.domain.ledger import (
    LEDGER_COLUMNS,
    SEPARATOR,
    ImportArea,
    LedgerParty,
    LedgerProblem,
    LedgerRecord,
    LedgerReference,
    LedgerRow,
    OrganizationRef,
    case_number_pattern,
    ledger_cells,
    ledger_names,
    numbering_of,
    parse_date,
    parse_ledger,
    split_names,
)
from mediation.domain.uploads import MAX_UPLOAD_BYTES, display_name, display_name_problem
from mediation.domain.validation import Invalid, Problem
from mediation.models import (
    Agreement,
    CaseAssignment,
    CaseEvent,
    CaseNumberCounter,
    DictionaryEntry,
    JudicialConfirmation,
    LedgerImportedCase,
    LedgerTransfer,
    LegalAdvisor,
    MediationCase,
    Organization,
    Party,
    Place,
    User,
)
from mediation.models.base import utcnow
from mediation.services.access import case_scope
from mediation.services.accounts import CurrentUser
from mediation.services.assignments import ACTIVE, MEDIATOR_ROLES
from mediation.services.resolution import agreement_number
from mediation.settings import Settings
from mediation.spreadsheets import SpreadsheetError, escape_cell, read_table

logger = logging.getLogger(__name__)

BATCH = 2000
LOOKUP_CHUNK = 2000
MAX_DETAILS = 1000
UPLOAD_SUBDIR = "ledger"
FILE_KINDS = (".csv", ".xlsx")
STALE_UPLOAD = timedelta(days=1)
STALE_JOB = timedelta(hours=2)
EVENT_KIND = "ledger_import"
UNKNOWN_COURT = "法院（台账未载明）"
TEXT_COLUMNS = frozenset({"案件编号", "申请人身份证号", "申请人电话", "被申请人身份证号", "被申请人电话"})
NUMBER_COLUMNS = frozenset({"涉及人数", "防止民转刑人数", "防止群体性上访人数"})
AMOUNT_COLUMNS = frozenset({"涉及金额(元)", "协议金额(元)"})
ORGANIZATION_LEVELS = {"village_committee": "village", "town_committee": "town", "district_center": "district"}
PLACE_LEVELS = {"district": "district", "town": "town", "village": "village", "grid": "village"}
ACTION_LABELS = {"import": "导入", "export": "导出"}
STATUS_LABELS = {"running": "进行中", "done": "完成", "invalid": "有错误，未写入", "failed": "失败，未写入"}

Progress = Callable[[int, int], None]


class LedgerUnavailable(Exception):
    """The database cannot take a ledger yet (English, for the command line)."""


class LedgerNotFound(Exception):
    """No such transfer, or not the user's to see."""


@dataclass(frozen=True)
class LedgerActor:
    """Who runs an import or export: a signed-in user, or the command line run by an OS user."""

    user: CurrentUser | None
    os_user: str = ""

    @property
    def channel(self) -> str:
        return "web" if self.user else "cli"

    @property
    def name(self) -> str:
        return (self.user.display_name if self.user else self.os_user)[:64]

    @property
    def district_wide(self) -> bool:
        return self.user is None or self.user.role == "admin" or self.user.organization_kind == "district_center"

    @property
    def scope(self) -> str:
        if self.user is None:
            return "全区（命令行）"
        return "全区" if self.district_wide else self.user.organization_name[:120]

    @property
    def area(self) -> ImportArea:
        """Where the user may create cases, mirroring `case_scope` for the cases they would create."""
        user = self.user
        if user is None or self.district_wide:
            return ImportArea()
        if user.organization_kind == "town_committee":
            return ImportArea(town_id=user.organization_place_id)
        if user.organization_kind == "village_committee":
            return ImportArea(village_id=user.organization_place_id)
        return ImportArea(organization_id=user.organization_id)


@dataclass(frozen=True)
class ImportOutcome:
    transfer_id: int
    new: int
    skipped: list[tuple[int, str]]  # (line, 案件编号) of the rows whose number already exists
    problems: list[LedgerProblem]
    dry_run: bool

    @property
    def confirmable(self) -> bool:
        """A valid dry run with something to import."""
        return self.dry_run and not self.problems and self.new > 0


@dataclass(frozen=True)
class TransferView:
    """One audit row as the pages show it."""

    id: int
    action: str
    dry_run: bool
    channel: str
    actor_name: str
    started_at: datetime
    finished_at: datetime | None
    file_name: str
    date_from: date | None
    date_to: date | None
    scope: str
    status: str
    new_count: int
    skipped_count: int
    exported_count: int
    problem_count: int
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    progress: tuple[int, int] | None = None
    confirmable: bool = False
    interrupted: bool = False
    job_id: int | None = None  # the import that confirmed this validation

    @property
    def what(self) -> str:
        if self.action == "import" and self.dry_run:
            return "导入校验"
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def status_label(self) -> str:
        if self.interrupted:
            return "已中断，未写入"
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def running(self) -> bool:
        return self.status == "running" and not self.interrupted

    @property
    def percent(self) -> int:
        if not self.progress or not self.progress[1]:
            return 0
        return min(100, self.progress[0] * 100 // self.progress[1])


@dataclass(frozen=True)
class _Checked:
    """A file checked against the database: the rows to write, the rows skipped, or its problems."""

    new_rows: list[LedgerRow]
    skipped: list[tuple[int, str]]
    problems: list[LedgerProblem]
    short_names: dict[int, str]  # organization id -> short name, for archive numbers

    def record(self, transfer: LedgerTransfer, dry_run: bool) -> ImportOutcome:
        """Put the result on the audit row (the first problems and skipped rows, for the report page)."""
        transfer.finished_at = utcnow()
        transfer.status = "invalid" if self.problems else "done"
        transfer.problem_count = len(self.problems)
        transfer.new_count = 0 if self.problems else len(self.new_rows)
        transfer.skipped_count = 0 if self.problems else len(self.skipped)
        transfer.details = {
            "problems": [[problem.line, problem.column, problem.zh] for problem in self.problems[:MAX_DETAILS]],
            "skipped": [[line, number] for line, number in self.skipped[:MAX_DETAILS]],
        }
        return ImportOutcome(transfer.id, len(self.new_rows), self.skipped, self.problems, dry_run)


class LedgerJobs:
    """The web import jobs running in this process and how far each has got (see the module docstring)."""

    def __init__(self, session_maker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.session_maker = session_maker
        self.settings = settings
        self._progress: dict[int, tuple[int, int]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def progress(self, job_id: int) -> tuple[int, int] | None:
        return self._progress.get(job_id)

    def start(self, job_id: int, user: CurrentUser) -> None:
        self._progress[job_id] = (0, 0)
        task = asyncio.create_task(self._run(job_id, user))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def reporter(self, job_id: int) -> Progress:
        """What a job calls after each batch: how many of how many new cases are written."""
        def report(done: int, total: int) -> None:
            self._progress[job_id] = (done, total)

        return report

    async def _run(self, job_id: int, user: CurrentUser) -> None:
        try:
            async with self.session_maker() as session:
                await LedgerService(session, self.settings, self).run_job(job_id, user, self.reporter(job_id))
        finally:
            self._progress.pop(job_id, None)


class LedgerService:
    def __init__(self, session: AsyncSession, settings: Settings, jobs: LedgerJobs | None = None) -> None:
        self.session = session
        self.settings = settings
        self.jobs = jobs

    @property
    def upload_dir(self) -> Path:
        return self.settings.upload_dir / UPLOAD_SUBDIR

    # Import.

    async def import_rows(self, actor: LedgerActor, file_name: str, header: list[str],
                          rows: list[tuple[int, list[str]]], dry_run: bool = False,
                          progress: Progress | None = None, stored_name: str | None = None) -> ImportOutcome:
        """Check every row, then write every new one in one transaction; rows whose 案件编号 exists are
        skipped. A dry run only reads, then records itself (keeping an uploaded file's `stored_name` when the
        file can be imported); an import records itself in the transaction that writes the cases, or alone
        when a row is invalid."""
        transfer = LedgerTransfer(action="import", dry_run=dry_run, channel=actor.channel,
                                  user_id=actor.user.id if actor.user else None, actor_name=actor.name,
                                  file_name=file_name[:200], scope=actor.scope, status="running")
        if dry_run:
            checked = await self._check(actor, header, rows)
            async with write_transaction(self.session):
                self.session.add(transfer)
                await self.session.flush()
                outcome = checked.record(transfer, dry_run=True)
                if outcome.confirmable and stored_name:
                    transfer.stored_name = stored_name
            return outcome
        registrar = await self._registrar(actor)
        async with write_transaction(self.session):
            self.session.add(transfer)
            await self.session.flush()
            return await self._import(transfer, actor, registrar, header, rows, progress)

    async def _registrar(self, actor: LedgerActor) -> int:
        """Who the imported cases are registered by: the importing user, or for the command line the first
        active administrator (the CLI has no account of its own)."""
        if actor.user is not None:
            return actor.user.id
        found = await self.session.scalar(
            select(User.id).where(User.role == "admin", User.active).order_by(User.id).limit(1))
        if found is None:
            raise LedgerUnavailable("imported cases are registered in the name of an administrator, and there is "
                                    "none: add one with `mediation user add NAME --role admin --name NAME`")
        return found

    async def _check(self, actor: LedgerActor, header: list[str], rows: list[tuple[int, list[str]]]) -> _Checked:
        """Every row against the rules and the database; the numbers that exist already are skipped. The
        parsing runs in a thread so a large file does not hold up the other requests of this worker."""
        reference, short_names = await self._reference(actor.area)
        parsed, problems = await asyncio.to_thread(parse_ledger, header, rows, reference)
        existing = await self._existing_numbers([row.number for row in parsed])
        return _Checked([row for row in parsed if row.number not in existing],
                        [(row.line, row.number) for row in parsed if row.number in existing], problems, short_names)

    async def _import(self, transfer: LedgerTransfer, actor: LedgerActor, registrar: int, header: list[str],
                      rows: list[tuple[int, list[str]]], progress: Progress | None) -> ImportOutcome:
        """Check and write inside the caller's write transaction; `transfer` takes the result."""
        if self.session.bind.dialect.name == "postgresql":
            await self.session.execute(text("LOCK TABLE mediation_case IN SHARE ROW EXCLUSIVE MODE"))
        checked = await self._check(actor, header, rows)
        outcome = checked.record(transfer, dry_run=False)
        if checked.problems:
            return outcome
        new_rows = checked.new_rows
        if progress is not None:
            progress(0, len(new_rows))
        writer = _CaseWriter(self.session, self.settings, transfer, actor, registrar, checked.short_names)
        await writer.prepare(new_rows)
        for start in range(0, len(new_rows), BATCH):
            await writer.write(new_rows[start:start + BATCH])
            if progress is not None:
                progress(min(start + BATCH, len(new_rows)), len(new_rows))
        await writer.bump_counters(new_rows)
        transfer.finished_at = utcnow()
        return outcome

    async def _reference(self, area: ImportArea) -> tuple[LedgerReference, dict[int, str]]:
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for kind, code, label in (await self.session.execute(
                select(DictionaryEntry.kind, DictionaryEntry.code, DictionaryEntry.label))).all():
            labels[kind][label] = code
        towns: dict[str, int] = {}
        villages: dict[tuple[int, str], int] = {}
        grids: dict[tuple[int, str], int] = {}
        for place_id, parent_id, level, name in (await self.session.execute(
                select(Place.id, Place.parent_id, Place.level, Place.name))).all():
            if level == "town":
                towns[name] = place_id
            elif level == "village" and parent_id is not None:
                villages[(parent_id, name)] = place_id
            elif level == "grid" and parent_id is not None:
                grids[(parent_id, name)] = place_id
        organizations: dict[str, OrganizationRef] = {}
        committees: dict[int, str] = {}
        short_names: dict[int, str] = {}
        for org_id, name, short_name, kind, place_id, place_level in (await self.session.execute(
                select(Organization.id, Organization.name, Organization.short_name, Organization.kind,
                       Organization.place_id, Place.level)
                .join(Place, Place.id == Organization.place_id)
                .order_by(Organization.active.desc(), Organization.id))).all():
            level = ORGANIZATION_LEVELS.get(kind) or PLACE_LEVELS.get(place_level, "district")
            organizations[name] = OrganizationRef(org_id, level)
            short_names[org_id] = short_name
            if kind == "village_committee":
                committees.setdefault(place_id, name)
        reference = LedgerReference(
            sources=labels["case_source"], dispute_types=labels["dispute_type"], risk_levels=labels["risk_level"],
            towns=towns, villages=villages, grids=grids, organizations=organizations,
            village_committees=committees, area=area,
        )
        return reference, short_names

    async def _existing_numbers(self, numbers: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(numbers), LOOKUP_CHUNK):
            chunk = numbers[start:start + LOOKUP_CHUNK]
            found.update(await self.session.scalars(
                select(MediationCase.number).where(MediationCase.number.in_(chunk))))
        return found

    # Web imports: upload and validate, confirm, run in the background.

    async def validate_upload(self, user: CurrentUser, filename: str, stream: Any) -> int:
        """Store the upload under a generated name outside the web root and check it (a dry run, audited);
        the file is kept only while a valid import waits for confirmation. Returns the audit row's id."""
        if problem := display_name_problem(filename):
            raise Invalid({"file": Problem(problem)})
        shown_name = display_name(filename)
        if not shown_name.lower().endswith(FILE_KINDS):
            raise Invalid({"file": Problem("请上传 CSV 文件（UTF-8 或 GBK 编码）或 Excel 文件（.xlsx）")})
        await self._remove_stale_uploads()
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        stored_name = uuid.uuid4().hex
        target = self.upload_dir / stored_name
        keep = False
        try:
            size = 0
            with open(target, "xb") as handle:
                while chunk := await stream.read(1024 * 1024):
                    size += len(chunk)
                    if size > MAX_UPLOAD_BYTES:
                        raise Invalid({"file": Problem("文件超过 20 MB，请分成几个文件导入")})
                    handle.write(chunk)
            if size == 0:
                raise Invalid({"file": Problem("请选择要导入的台账文件")})
            try:
                header, rows = await asyncio.to_thread(read_table, target.read_bytes(), shown_name)
            except SpreadsheetError as exc:
                raise Invalid({"file": Problem(
                    "无法读取该文件：请上传第 1 行为列名的 CSV 文件（UTF-8 或 GBK 编码）或 Excel 文件（.xlsx）",
                    str(exc))}) from exc
            outcome = await self.import_rows(LedgerActor(user), shown_name, header, rows, dry_run=True,
                                             stored_name=stored_name)
            keep = outcome.confirmable
        finally:
            if not keep:
                target.unlink(missing_ok=True)
        return outcome.transfer_id

    async def _remove_stale_uploads(self) -> None:
        """Validated files that nobody confirmed within a day are deleted (they hold personal data), and so is
        any download a broken connection left behind."""
        cutoff = utcnow() - STALE_UPLOAD
        async with write_transaction(self.session):
            stale = list(await self.session.scalars(
                select(LedgerTransfer).where(LedgerTransfer.dry_run, LedgerTransfer.stored_name.is_not(None),
                                             LedgerTransfer.started_at < cutoff)))
            for transfer in stale:
                transfer.stored_name = None
        if self.upload_dir.is_dir():
            for path in self.upload_dir.iterdir():
                if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
                    path.unlink(missing_ok=True)

    async def start_import(self, user: CurrentUser, validation_id: int) -> int:
        """Confirm a validated upload: record the job and start it. A second confirmation of the same upload
        finds the job the first one started."""
        if self.jobs is None:
            raise RuntimeError("web imports need the app's job registry")
        async with write_transaction(self.session):
            validation = await self.session.scalar(select(LedgerTransfer).where(
                LedgerTransfer.id == validation_id, LedgerTransfer.user_id == user.id,
                LedgerTransfer.action == "import", LedgerTransfer.dry_run))
            if validation is None:
                raise LedgerNotFound()
            started = await self.session.scalar(
                select(LedgerTransfer.id).where(LedgerTransfer.source_id == validation.id))
            if started is not None:
                return started
            if validation.stored_name is None or validation.status != "done" or not validation.new_count:
                raise Invalid({"confirm": Problem("该文件没有可导入的案件或已过期，请重新上传")})
            job = LedgerTransfer(action="import", dry_run=False, channel="web", user_id=user.id,
                                 actor_name=user.display_name[:64], file_name=validation.file_name,
                                 scope=validation.scope, status="running", stored_name=validation.stored_name,
                                 source_id=validation.id)
            validation.stored_name = None
            self.session.add(job)
            await self.session.flush()
            job_id = job.id
        self.jobs.start(job_id, user)
        return job_id

    async def run_job(self, job_id: int, user: CurrentUser, progress: Progress) -> None:
        """The background half of a web import: the stored file, checked again and written, and the job row
        updated with the result in the same transaction. The file is deleted afterwards."""
        job = await self.session.get_one(LedgerTransfer, job_id)
        stored_name, file_name = str(job.stored_name), job.file_name
        await self.session.rollback()
        path = self.upload_dir / stored_name
        try:
            header, rows = await asyncio.to_thread(read_table, path.read_bytes(), file_name)
            async with write_transaction(self.session):
                job = await self.session.get_one(LedgerTransfer, job_id)
                job.stored_name = None
                await self._import(job, LedgerActor(user), user.id, header, rows, progress)
        except Exception:
            logger.exception("ledger import job %s failed", job_id)
            async with write_transaction(self.session):
                job = await self.session.get_one(LedgerTransfer, job_id)
                job.status, job.finished_at, job.stored_name = "failed", utcnow(), None
        finally:
            path.unlink(missing_ok=True)

    # Export.

    async def export(self, actor: LedgerActor, target: Path, kind: str, date_from: date | None,
                     date_to: date | None, file_name: str) -> int:
        """Write the cases accepted in the range (inclusive), within the actor's scope, to `target` as CSV or
        XLSX; record the export. Cases are read in keyset batches with their parties and people."""
        scope = case_scope(actor.user) if actor.user else true()
        accepted = func.coalesce(MediationCase.accepted_on, MediationCase.registered_on)
        conditions: list[ColumnElement[bool]] = [MediationCase.status != "voided", scope]
        if date_from:
            conditions.append(accepted >= date_from)
        if date_to:
            conditions.append(accepted <= date_to)
        labels = {(kind_, code): label for kind_, code, label in (await self.session.execute(
            select(DictionaryEntry.kind, DictionaryEntry.code, DictionaryEntry.label))).all()}
        sink = _XlsxSink(target) if kind == "xlsx" else _CsvSink(target)
        count = 0
        try:
            after = 0
            while True:
                records, after = await self._export_batch(conditions, after, labels)
                if not records:
                    break
                # Formatting runs in a thread: a large download does not hold up this worker's other requests.
                await asyncio.to_thread(sink.write, [ledger_cells(record) for record in records])
                count += len(records)
            await asyncio.to_thread(sink.close)
        except BaseException:
            sink.abandon()
            raise
        async with write_transaction(self.session):
            self.session.add(LedgerTransfer(
                action="export", channel=actor.channel, user_id=actor.user.id if actor.user else None,
                actor_name=actor.name, finished_at=utcnow(), file_name=file_name[:200], date_from=date_from,
                date_to=date_to, scope=actor.scope, status="done", exported_count=count))
        return count

    async def export_file(self, user: CurrentUser, kind: str, date_from: date | None,
                          date_to: date | None) -> tuple[Path, str]:
        """A download: the export written under a generated name in the upload directory (outside the web
        root), for the caller to send and remove; and the name the browser saves it under."""
        first = date_from.isoformat() if date_from else "最早"
        last = date_to.isoformat() if date_to else "最新"
        name = f"矛盾纠纷调解台账_{first}_{last}.{kind}"
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        path = self.upload_dir / f"{uuid.uuid4().hex}.{kind}"
        await self.export(LedgerActor(user), path, kind, date_from, date_to, name)
        return path, name

    async def _export_batch(self, conditions: list[ColumnElement[bool]], after: int,
                            labels: dict[tuple[str, str], str]) -> tuple[list[LedgerRecord], int]:
        case = MediationCase
        town, village, grid = aliased(Place), aliased(Place), aliased(Place)
        imported = LedgerImportedCase
        rows = (await self.session.execute(
            select(case.id, case.number, func.coalesce(case.accepted_on, case.registered_on), case.source,
                   case.dispute_type, town.name, village.name, grid.name, case.people_involved,
                   case.amount_involved, case.risk_level, case.summary, Organization.name, case.status,
                   case.outcome, case.closed_on, Agreement.form, Agreement.amount, JudicialConfirmation.result,
                   case.prevented_criminal_people, case.prevented_petition_people, imported.mediators,
                   imported.unlinked_mediators, imported.advisors, imported.unlinked_advisors,
                   imported.agreement_amount)
            .join(town, town.id == case.town_id)
            .join(village, village.id == case.village_id)
            .outerjoin(grid, grid.id == case.grid_id)
            .join(Organization, Organization.id == case.organization_id)
            .outerjoin(Agreement, Agreement.case_id == case.id)
            .outerjoin(JudicialConfirmation, JudicialConfirmation.case_id == case.id)
            .outerjoin(imported, imported.case_id == case.id)
            .where(case.id > after, *conditions)
            .order_by(case.id)
            .limit(BATCH)
        )).all()
        if not rows:
            return [], after
        ids = [row[0] for row in rows]
        parties: dict[int, dict[str, list[LedgerParty]]] = defaultdict(lambda: {"applicant": [], "respondent": []})
        for case_id, side, name, id_number, phone in (await self.session.execute(
                select(Party.case_id, Party.side, Party.name, Party.id_number, Party.phone)
                .where(Party.case_id.in_(ids)).order_by(Party.case_id, Party.position, Party.id))).all():
            parties[case_id].setdefault(side, []).append(LedgerParty(name, id_number, phone))
        people: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"mediator": [], "advisor": []})
        for case_id, role, user_name, advisor_name in (await self.session.execute(
                select(CaseAssignment.case_id, CaseAssignment.role, User.display_name, LegalAdvisor.name)
                .outerjoin(User, User.id == CaseAssignment.user_id)
                .outerjoin(LegalAdvisor, LegalAdvisor.id == CaseAssignment.advisor_id)
                .where(CaseAssignment.case_id.in_(ids), CaseAssignment.status.in_(ACTIVE))
                .order_by(CaseAssignment.id))).all():
            name = advisor_name if role == "advisor" else user_name
            if name:
                people[case_id].setdefault(role, []).append(name)
        records = []
        for (case_id, number, accepted_on, source, dispute_type, town_name, village_name, grid_name, people_count,
             amount, risk, summary, organization, status, outcome, closed_on, form, agreement_amount,
             confirmation, criminal, petition, mediators, unlinked_mediators, advisors, unlinked_advisors,
             kept_amount) in rows:
            records.append(LedgerRecord(
                number=number, accepted_on=accepted_on, source=labels.get(("case_source", source), source),
                dispute_type=labels.get(("dispute_type", dispute_type), dispute_type), town=town_name,
                village=village_name, grid=grid_name or "", applicants=parties[case_id]["applicant"],
                respondents=parties[case_id]["respondent"], people_involved=people_count,
                amount_involved=amount, risk_level=labels.get(("risk_level", risk), risk), summary=summary,
                organization=organization,
                mediators=ledger_names(split_names(mediators or ""), split_names(unlinked_mediators or ""),
                                       people[case_id]["mediator"]),
                advisors=ledger_names(split_names(advisors or ""), split_names(unlinked_advisors or ""),
                                      people[case_id]["advisor"]),
                status=status, outcome=outcome, closed_on=closed_on, agreement_form=form,
                agreement_amount=agreement_amount if form else kept_amount, confirmation=confirmation,
                prevented_criminal_people=criminal, prevented_petition_people=petition,
            ))
        return records, ids[-1]

    # The audit.

    async def audit(self, before: int | None = None, limit: int = 50) -> tuple[list[TransferView], int | None]:
        """The latest imports and exports, newest first; the id to continue from when there are more."""
        query = (select(LedgerTransfer).options(defer(LedgerTransfer.details))
                 .order_by(LedgerTransfer.id.desc()).limit(limit + 1))
        if before:
            query = query.where(LedgerTransfer.id < before)
        found = list(await self.session.scalars(query))
        views = [self._view(transfer) for transfer in found[:limit]]
        return views, (views[-1].id if len(found) > limit else None)

    async def transfer(self, user: CurrentUser, transfer_id: int) -> TransferView:
        """One import or export, for the user who ran it or an administrator."""
        transfer = await self.session.get(LedgerTransfer, transfer_id)
        if transfer is None or (user.role != "admin" and transfer.user_id != user.id):
            raise LedgerNotFound()
        job_id = await self.session.scalar(select(LedgerTransfer.id).where(LedgerTransfer.source_id == transfer.id))
        view = self._view(transfer, details=True)
        confirmable = (transfer.dry_run and transfer.stored_name is not None and transfer.user_id == user.id
                       and job_id is None)
        progress = self.jobs.progress(transfer.id) if self.jobs else None
        interrupted = (transfer.status == "running" and progress is None
                       and transfer.started_at < utcnow() - STALE_JOB)
        return replace(view, progress=progress, confirmable=confirmable, interrupted=interrupted, job_id=job_id)

    @staticmethod
    def _view(transfer: LedgerTransfer, details: bool = False) -> TransferView:
        found = (transfer.details or {}) if details else {}
        return TransferView(
            id=transfer.id, action=transfer.action, dry_run=transfer.dry_run, channel=transfer.channel,
            actor_name=transfer.actor_name, started_at=transfer.started_at, finished_at=transfer.finished_at,
            file_name=transfer.file_name, date_from=transfer.date_from, date_to=transfer.date_to,
            scope=transfer.scope, status=transfer.status, new_count=transfer.new_count,
            skipped_count=transfer.skipped_count, exported_count=transfer.exported_count,
            problem_count=transfer.problem_count,
            problems=[(int(line), str(column), str(reason)) for line, column, reason in found.get("problems", [])],
            skipped=[(int(line), str(number)) for line, number in found.get("skipped", [])],
        )


def parse_range(date_from: str, date_to: str) -> tuple[date | None, date | None]:
    """The export's 受理日期 range from the form or the command line; raises Invalid (Chinese and English)."""
    problems: dict[str, Problem] = {}
    parsed: dict[str, date | None] = {}
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        value = value.strip()
        parsed[name] = parse_date(value) if value else None
        if value and parsed[name] is None:
            problems[name] = Problem("日期格式应为 年-月-日", f"{value!r} is not a date (YYYY-MM-DD)")
    start, end = parsed["date_from"], parsed["date_to"]
    if start and end and start > end:
        problems["date_to"] = Problem("截止日期不能早于起始日期", "--to is before --from")
    if problems:
        raise Invalid(problems)
    return start, end


class _CaseWriter:
    """Writes the new cases of one import in batches: one multi-row insert per table per batch."""

    def __init__(self, session: AsyncSession, settings: Settings, transfer: LedgerTransfer, actor: LedgerActor,
                 registrar: int, short_names: dict[int, str]) -> None:
        self.session = session
        self.settings = settings
        self.transfer = transfer
        self.actor = actor
        self.registrar = registrar
        self.short_names = short_names
        self.now = utcnow()
        self.archive_numbers: dict[int, str] = {}
        self.mediators: dict[str, list[tuple[int, int]]] = {}
        self.advisors: dict[str, list[tuple[int, int | None]]] = {}

    async def prepare(self, rows: Sequence[LedgerRow]) -> None:
        """Look up, once for the whole file, the accounts and advisors the names may match and the archive
        numbers already taken."""
        names = sorted({name for row in rows for name in row.mediators})
        for start in range(0, len(names), LOOKUP_CHUNK):
            for user_id, display, organization_id in (await self.session.execute(
                    select(User.id, User.display_name, User.organization_id)
                    .where(User.active, User.role.in_(MEDIATOR_ROLES),
                           User.display_name.in_(names[start:start + LOOKUP_CHUNK]))
                    .order_by(User.id))).all():
                self.mediators.setdefault(display, []).append((user_id, organization_id))
        names = sorted({name for row in rows for name in row.advisors})
        for start in range(0, len(names), LOOKUP_CHUNK):
            for advisor_id, name, user_id in (await self.session.execute(
                    select(LegalAdvisor.id, LegalAdvisor.name, LegalAdvisor.user_id)
                    .where(LegalAdvisor.active, LegalAdvisor.name.in_(names[start:start + LOOKUP_CHUNK]))
                    .order_by(LegalAdvisor.id))).all():
                self.advisors.setdefault(name, []).append((advisor_id, user_id))
        await self._number_archives([row for row in rows if row.status == "archived"])

    async def _number_archives(self, rows: Sequence[LedgerRow]) -> None:
        """Archived rows get the organization's next 卷宗号 of their closing year, after the numbers taken,
        in closing order (as the resolution service numbers an archiving)."""
        def prefix(year: int, short_name: str) -> str:
            return DEFAULT_ARCHIVE_TEMPLATE.split("{seq}")[0].format(year=year, org_short=short_name)

        keys = {(row.closed_on.year, self.short_names[row.organization.id]) for row in rows if row.closed_on}
        prefixes = sorted({prefix(year, short_name) for year, short_name in keys})
        highest: dict[str, int] = defaultdict(int)
        for start in range(0, len(prefixes), 200):
            chunk = prefixes[start:start + 200]
            for number in await self.session.scalars(select(MediationCase.archive_number).where(
                    or_(*(MediationCase.archive_number.startswith(p, autoescape=True) for p in chunk)))):
                for candidate in chunk:
                    sequence = (number or "")[len(candidate):].removesuffix("号")
                    if number and number.startswith(candidate) and sequence.isdigit():
                        highest[candidate] = max(highest[candidate], int(sequence))
        for row in sorted(rows, key=lambda row: (row.closed_on or row.accepted_on, row.line)):
            assert row.closed_on is not None
            short_name = self.short_names[row.organization.id]
            key = prefix(row.closed_on.year, short_name)
            highest[key] += 1
            self.archive_numbers[row.line] = format_case_number(DEFAULT_ARCHIVE_TEMPLATE, row.closed_on.year,
                                                                short_name, highest[key])

    def _mediator(self, name: str, organization_id: int) -> int | None:
        """The account a 调解员 name is linked to: the one of the case's organization with that name, else the
        only one in the district; none when it is ambiguous or unknown."""
        found = self.mediators.get(name, [])
        own = [user_id for user_id, org in found if org == organization_id]
        if len(own) == 1:
            return own[0]
        return found[0][0] if len(found) == 1 else None

    def _advisor(self, name: str) -> tuple[int, int | None] | None:
        found = self.advisors.get(name, [])
        return found[0] if len(found) == 1 else None

    async def write(self, rows: Sequence[LedgerRow]) -> None:
        table = MediationCase.__table__
        inserted = await self.session.execute(
            insert(table).returning(table.c.id, table.c.number), [self._case(row) for row in rows])
        ids = {number: case_id for case_id, number in inserted.all()}
        parties, agreements, confirmations, assignments, events, imported = [], [], [], [], [], []
        for row in rows:
            case_id = ids[row.number]
            for side, side_parties in (("applicant", row.applicants), ("respondent", row.respondents)):
                parties += [{"case_id": case_id, "side": side, "position": position, "kind": "person",
                             "name": party.name, "id_number": party.id_number, "phone": party.phone,
                             "address": "", "town_id": row.town_id, "village_id": row.village_id}
                            for position, party in enumerate(side_parties)]
            if row.outcome == "success" and row.agreement_form:
                agreements.append(self._agreement(case_id, row))
            if row.confirmation is not None:
                confirmations.append({"case_id": case_id, "applied_on": row.closed_on, "court": UNKNOWN_COURT,
                                      "result": row.confirmation, "result_on": None,
                                      "recorded_by_id": self.registrar})
            unlinked_mediators, unlinked_advisors = [], []
            for name in row.mediators:
                user_id = self._mediator(name, row.organization.id)
                if user_id is None:
                    unlinked_mediators.append(name)
                else:
                    assignments.append(self._assignment(case_id, "mediator", user_id, None))
            for name in row.advisors:
                advisor = self._advisor(name)
                if advisor is None:
                    unlinked_advisors.append(name)
                else:
                    assignments.append(self._assignment(case_id, "advisor", advisor[1], advisor[0]))
            events.append(self._event(case_id, row))
            imported.append({
                "case_id": case_id, "transfer_id": self.transfer.id, "line": row.line,
                "mediators": SEPARATOR.join(row.mediators), "unlinked_mediators": SEPARATOR.join(unlinked_mediators),
                "advisors": SEPARATOR.join(row.advisors), "unlinked_advisors": SEPARATOR.join(unlinked_advisors),
                "agreement_amount": None if row.outcome == "success" and row.agreement_form
                else row.agreement_amount,
            })
        for model, batch in ((Party, parties), (Agreement, agreements), (JudicialConfirmation, confirmations),
                             (CaseAssignment, assignments), (CaseEvent, events), (LedgerImportedCase, imported)):
            if batch:
                await self.session.execute(insert(model.__table__), batch)

    def _case(self, row: LedgerRow) -> dict[str, Any]:
        refused = row.status == "refused"
        accepted_on = None if refused else row.accepted_on
        archived = row.status == "archived"
        return {
            "number": row.number, "intake_token": uuid.uuid4().hex, "status": row.status, "source": row.source,
            "dispute_type": row.dispute_type, "risk_level": row.risk_level, "town_id": row.town_id,
            "village_id": row.village_id, "grid_id": row.grid_id, "people_involved": row.people_involved,
            "amount_involved": row.amount_involved, "summary": row.summary, "claims": "",
            "applicant_names": SEPARATOR.join(party.name for party in row.applicants)[:400],
            "respondent_names": SEPARATOR.join(party.name for party in row.respondents)[:400],
            "registered_on": row.accepted_on, "accepted_on": accepted_on,
            "deadline": deadlines.deadline_for(accepted_on) if accepted_on else None,
            "registering_organization_id": row.organization.id, "organization_id": row.organization.id,
            "registered_by_id": self.registrar, "suggested_level": row.organization.level,
            "level": row.organization.level, "refusal_reason": None, "refusal_note": "", "void_reason": "",
            "repeat_of_id": None, "outcome": row.outcome, "closed_on": row.closed_on, "failure_route": None,
            "referral": "", "prevented_criminal_people": row.prevented_criminal_people,
            "prevented_petition_people": row.prevented_petition_people,
            "archive_number": self.archive_numbers.get(row.line) if archived else None,
            "archived_on": row.closed_on if archived else None, "retention_period": "", "preventive_steps": "",
            "last_action_at": self.now, "version": 1, "updated_at": self.now, "created_at": self.now,
        }

    def _agreement(self, case_id: int, row: LedgerRow) -> dict[str, Any]:
        return {
            "case_id": case_id, "number": agreement_number(row.number), "form": row.agreement_form, "facts": "",
            "disputes": "", "responsibilities": "", "terms": "", "performance_method": "", "performance_place": "",
            "performance_deadline": None, "amount": row.agreement_amount,
            # A written agreement took effect (was signed) by the time the case closed with it.
            "signed_on": row.closed_on if row.agreement_form == "written" else None,
            "created_by_id": self.registrar, "updated_at": self.now,
        }

    def _assignment(self, case_id: int, role: str, user_id: int | None, advisor_id: int | None) -> dict[str, Any]:
        return {"case_id": case_id, "role": role, "user_id": user_id, "advisor_id": advisor_id,
                "status": "accepted", "chosen_by_parties": False, "assigned_by_id": self.registrar,
                "assigned_at": self.now, "responded_at": self.now, "decline_reason": "",
                "conflict_override_reason": ""}

    def _event(self, case_id: int, row: LedgerRow) -> dict[str, Any]:
        how = "网页导入" if self.actor.user else f"命令行导入（操作系统用户 {self.actor.os_user}）"
        return {"case_id": case_id, "occurred_at": self.now,
                "actor_id": self.actor.user.id if self.actor.user else None, "kind": EVENT_KIND,
                "summary": f"台账导入：{self.transfer.file_name} 第 {row.line} 行"[:400], "reason": how,
                "detail": {"transfer_id": self.transfer.id, "line": row.line}}

    async def bump_counters(self, rows: Iterable[LedgerRow]) -> None:
        """Imported numbers written in the app's own pattern move the number counters past them, so a later
        intake never hands out a number the ledger already used."""
        pattern = case_number_pattern(self.settings.case_number_template)
        by_short_name: dict[str, list[int]] = defaultdict(list)
        for org_id, short_name in self.short_names.items():
            by_short_name[short_name].append(org_id)
        highest: dict[tuple[int, int], int] = {}
        for row in rows:
            found = numbering_of(pattern, row.number)
            if found is None:
                continue
            year, short_name, seq = found
            for org_id in (self.short_names if short_name is None else by_short_name.get(short_name, [])):
                highest[(org_id, year)] = max(highest.get((org_id, year), 0), seq)
        if not highest:
            return
        postgres = self.session.bind.dialect.name == "postgresql"
        upsert = (pg_insert if postgres else sqlite_insert)(CaseNumberCounter)
        larger = func.greatest if postgres else func.max
        await self.session.execute(
            upsert.on_conflict_do_update(
                index_elements=["organization_id", "year"],
                set_={"last_seq": larger(CaseNumberCounter.last_seq, upsert.excluded.last_seq)}),
            [{"organization_id": org_id, "year": year, "last_seq": seq} for (org_id, year), seq in highest.items()])


class _CsvSink:
    """UTF-8 with a BOM and CRLF line ends, formula-looking cells escaped (as spreadsheets.write_csv does),
    written batch by batch to a temporary file that replaces the target only when complete."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        self.handle: BinaryIO = open(self.partial, "xb")
        self.handle.write("\ufeff".encode())
        self.write([list(LEDGER_COLUMNS)])

    def write(self, rows: list[list[str]]) -> None:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerows([escape_cell(cell) for cell in row] for row in rows)
        self.handle.write(buffer.getvalue().encode("utf-8"))

    def close(self) -> None:
        self.handle.close()
        self.partial.replace(self.target)

    def abandon(self) -> None:
        self.handle.close()
        self.partial.unlink(missing_ok=True)


class _XlsxSink:
    """A streamed (write-only) workbook: a bold, frozen header; ID and phone numbers as text cells; counts
    and amounts as numbers; dates as `YYYY-MM-DD` text."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("台账")
        self.sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for index, name in enumerate(LEDGER_COLUMNS):
            cell = WriteOnlyCell(self.sheet, value=name)
            cell.font = bold
            header.append(cell)
            wide = name in TEXT_COLUMNS or name == "纠纷简要情况"
            self.sheet.column_dimensions[get_column_letter(index + 1)].width = 22 if wide else max(10, len(name) * 2 + 2)
        self.sheet.append(header)

    def write(self, rows: list[list[str]]) -> None:
        for row in rows:
            self.sheet.append([self._cell(name, value) for name, value in zip(LEDGER_COLUMNS, row, strict=True)])

    def _cell(self, column: str, value: str) -> Any:
        if column in NUMBER_COLUMNS and value:
            return int(value)
        if column in AMOUNT_COLUMNS and value:
            cell = WriteOnlyCell(self.sheet, value=float(Decimal(value)))
            cell.number_format = "0.00"
            return cell
        if column not in TEXT_COLUMNS:
            return escape_cell(value)
        cell = WriteOnlyCell(self.sheet, value=escape_cell(value))
        cell.number_format = "@"
        return cell

    def close(self) -> None:
        self.workbook.save(self.partial)
        self.partial.replace(self.target)

    def abandon(self) -> None:
        self.workbook.close()
        self.partial.unlink(missing_ok=True)

