"""Backup and restore (`mediation backup FILE`, `mediation restore FILE`): every table and every uploaded file
in one tar archive, in the same format whichever database wrote it.

The archive holds, in this order:

- `tables/NN-<table>.jsonl.gz`: the rows of each table in dependency order, one JSON array per line;
- `uploads/<path>`: the files under MEDIATION_UPLOAD_DIR;
- `manifest.json`, written last (so a truncated archive has none): the format version, the alembic revision,
  the database kind, when it was taken, and for every table its columns, row count and SHA-256, for every
  upload its size and SHA-256.

A backup reads all tables in one snapshot (REPEATABLE READ on PostgreSQL, one read transaction on SQLite's
WAL), so it is consistent while the app keeps writing. The uploads are copied after the snapshot is taken: an
evidence file is written before the row naming it commits, so every file the snapshot names is in the archive.

A restore checks the whole archive first, then writes every row in one transaction and only after its commit
moves the uploaded files (unpacked and checked beforehand) into place. SQLite's search index (`case_search`)
is not copied: the triggers on `mediation_case` fill it again as the rows go in."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Integer, Table, bindparam, delete, func, literal, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mediation.database import MIGRATIONS_DIR, write_transaction
from mediation.models import Base
from mediation.models.assignments import open_cases_counted_at_the_end
from mediation.settings import Settings

FORMAT = "mediation-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH_ROWS = 1000
# One snapshot for every table, as pg_dump takes it.
SNAPSHOT = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
CHUNK_BYTES = 1024 * 1024
# Rows a freshly upgraded database already holds (the migrations seed the dictionaries, the district and its
# center), and failed sign-ins, which a database collects before anyone can sign in: a restore replaces them.
# The number is how many rows such a table may hold for the database to count as empty (None: any).
REPLACED_ON_RESTORE: dict[str, int | None] = {
    "dictionary_entry": None,
    "login_failure": None,
    "place": 1,
    "organization": 1,
}
DECODERS: dict[type, Callable[[Any], Any]] = {
    Decimal: Decimal,
    date: date.fromisoformat,
    datetime: datetime.fromisoformat,
}

Progress = Callable[[str, int], None]


class BackupRefused(Exception):
    """A backup or restore that cannot go ahead; the message says why, in English, for the command line."""


@dataclass(frozen=True)
class TableEntry:
    name: str
    member: str
    columns: list[str]
    rows: int
    sha256: str


@dataclass(frozen=True)
class UploadEntry:
    path: str
    size: int
    sha256: str

    @property
    def member(self) -> str:
        return f"uploads/{self.path}"


@dataclass(frozen=True)
class Manifest:
    revision: str
    database: str
    created_at: str
    tables: list[TableEntry]
    uploads: list[UploadEntry]
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def rows_of(self, table: str) -> int:
        return next((entry.rows for entry in self.tables if entry.name == table), 0)

    @property
    def row_count(self) -> int:
        return sum(entry.rows for entry in self.tables)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes, source: Path) -> Manifest:
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise BackupRefused(f"{source} is not a mediation backup")
            if raw.get("format_version") != FORMAT_VERSION:
                raise BackupRefused(f"{source} is in backup format version {raw.get('format_version')}; this "
                                    f"version of the app reads version {FORMAT_VERSION}")
            return cls(
                revision=str(raw["revision"]),
                database=str(raw["database"]),
                created_at=str(raw["created_at"]),
                tables=[TableEntry(str(t["name"]), str(t["member"]), [str(c) for c in t["columns"]],
                                   int(t["rows"]), str(t["sha256"])) for t in raw["tables"]],
                uploads=[UploadEntry(_safe_upload_path(str(u["path"]), source), int(u["size"]),
                                     str(u["sha256"])) for u in raw["uploads"]],
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupRefused(f"{source} has an unreadable manifest: {exc}") from exc


def _safe_upload_path(path: str, source: Path) -> str:
    """An upload's path relative to the upload directory; anything that could point outside it is refused."""
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or "\\" in path or any(part in ("", ".", "..") for part in parts):
        raise BackupRefused(f"{source} names an upload outside the upload directory: {path!r}")
    return path


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    raise TypeError(f"cannot store a {type(value).__name__} in a backup")


def _decoder(table: Table, column: str) -> Callable[[Any], Any] | None:
    try:
        return DECODERS.get(table.c[column].type.python_type)
    except NotImplementedError:  # SQLAlchemy's answer for types without one Python type: stored as read
        return None


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


class _HashingReader:
    """Reads a file object while computing the SHA-256 of what was read."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


class BackupService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.tables = list(Base.metadata.sorted_tables)

    @property
    def postgres(self) -> bool:
        return self.session.bind.dialect.name == "postgresql"

    async def _revision(self) -> str | None:
        connection = await self.session.connection()
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())

    def _refuse_unless_at_head(self, revision: str | None) -> None:
        head = head_revision()
        if revision is None:
            raise BackupRefused("the database has no tables yet: run `mediation db upgrade` first")
        if revision != head:
            raise BackupRefused(f"the database is at migration {revision} but this version of the app "
                                f"expects {head}: run `mediation db upgrade` first")

    # Backup.

    async def backup(self, target: Path, progress: Progress | None = None) -> Manifest:
        """Write the archive beside `target`, moved into place once complete: a failure leaves nothing."""
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.partial")
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
                manifest = await self._write_archive(archive, target.parent, progress)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return manifest

    async def _write_archive(self, archive: tarfile.TarFile, staging: Path, progress: Progress | None
                             ) -> Manifest:
        if self.session.in_transaction():
            await self.session.rollback()
        await self.session.connection(execution_options=SNAPSHOT if self.postgres else {})
        try:
            revision = await self._revision()  # the first statement: the snapshot is taken here
            self._refuse_unless_at_head(revision)
            created_at = datetime.now(UTC).isoformat(timespec="seconds")
            tables = []
            for index, table in enumerate(self.tables, start=1):
                member = f"tables/{index:02d}-{table.name}.jsonl.gz"
                tables.append(await self._write_table(archive, table, member, staging))
                if progress:
                    progress(table.name, tables[-1].rows)
        finally:
            await self.session.rollback()
        uploads = self._write_uploads(archive)
        manifest = Manifest(revision=str(revision), database=self.session.bind.dialect.name,
                            created_at=created_at, tables=tables, uploads=uploads)
        data = manifest.to_json()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
        archive.addfile(info, io.BytesIO(data))
        return manifest

    async def _write_table(self, archive: tarfile.TarFile, table: Table, member: str, staging: Path
                           ) -> TableEntry:
        """Stream the table in batches into a compressed temporary file, then add that file to the archive."""
        rows = 0
        with tempfile.TemporaryFile(dir=staging) as buffer:
            with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as compressed:
                result = await self.session.stream(select(table).order_by(*table.primary_key.columns))
                async for batch in result.partitions(BATCH_ROWS):
                    lines = [json.dumps(list(row), ensure_ascii=False, default=_encode, separators=(",", ":"))
                             for row in batch]
                    compressed.write(("\n".join(lines) + "\n").encode())
                    rows += len(batch)
            reader = self._add_member(archive, member, buffer)
        return TableEntry(table.name, member, [column.name for column in table.columns], rows,
                          reader.digest.hexdigest())

    @staticmethod
    def _add_member(archive: tarfile.TarFile, member: str, source: IO[bytes], size: int | None = None,
                    mtime: float | None = None) -> _HashingReader:
        if size is None:
            size = source.seek(0, io.SEEK_END)
            source.seek(0)
        info = tarfile.TarInfo(member)
        info.size, info.mode = size, 0o600
        info.mtime = int(mtime if mtime is not None else datetime.now(UTC).timestamp())
        reader = _HashingReader(source)
        archive.addfile(info, reader)  # type: ignore[arg-type]  # tarfile only calls read()
        return reader

    def _write_uploads(self, archive: tarfile.TarFile) -> list[UploadEntry]:
        root = self.settings.upload_dir
        uploads = []
        for directory, subdirectories, files in os.walk(root):
            subdirectories.sort()
            for name in sorted(files):
                path = Path(directory) / name
                if path.is_symlink() or not path.is_file():
                    continue
                relative = path.relative_to(root).as_posix()
                with path.open("rb") as handle:
                    status = os.fstat(handle.fileno())
                    # Files only ever grow (an upload being written): copy the size seen now.
                    reader = self._add_member(archive, f"uploads/{relative}", handle, status.st_size,
                                              status.st_mtime)
                uploads.append(UploadEntry(relative, status.st_size, reader.digest.hexdigest()))
        return uploads

    # Restore.

    async def restore(self, source: Path, confirm: Callable[[Manifest], bool],
                      progress: Progress | None = None) -> Manifest:
        """Replace all data of an empty (freshly upgraded) database, and the uploads, with the backup's."""
        with self._open(source) as archive:
            manifest = self._verified_manifest(archive, source)
            await self._check_target(manifest)
            await self.session.rollback()
            if not confirm(manifest):
                raise BackupRefused("restore cancelled: nothing was changed")
            uploads = self.settings.upload_dir
            unpacked = uploads.parent / f".{uploads.name}-restore-{uuid.uuid4().hex}"
            try:
                self._unpack_uploads(archive, manifest, unpacked, source)
                async with write_transaction(self.session):
                    await self._check_target(manifest, lock=True)
                    for table in reversed(self.tables):
                        if table.name in REPLACED_ON_RESTORE:
                            await self.session.execute(delete(table))
                    entries = {entry.name: entry for entry in manifest.tables}
                    async with open_cases_counted_at_the_end(self.session):
                        for table in self.tables:
                            try:
                                await self._restore_table(archive, table, entries[table.name], source)
                            except IntegrityError as exc:
                                raise BackupRefused(f"{source} holds rows of {table.name} that the database "
                                                    f"refuses ({exc.orig}): nothing was restored") from exc
                            if progress:
                                progress(table.name, entries[table.name].rows)
                    if self.postgres:
                        await self._reset_sequences()
                self._move_uploads(manifest, unpacked)
            finally:
                shutil.rmtree(unpacked, ignore_errors=True)
        return manifest

    @staticmethod
    def _open(source: Path) -> tarfile.TarFile:
        try:
            return tarfile.open(source, "r:")
        except FileNotFoundError as exc:
            raise BackupRefused(f"{source} does not exist") from exc
        except (tarfile.TarError, OSError) as exc:
            raise BackupRefused(f"{source} is not a backup file (not a readable tar archive)") from exc

    def _member_stream(self, archive: tarfile.TarFile, name: str, source: Path) -> IO[bytes]:
        try:
            stream = archive.extractfile(name)
        except KeyError:
            stream = None
        except tarfile.TarError as exc:
            raise BackupRefused(f"{source} is damaged: {name} cannot be read ({exc})") from exc
        if stream is None:
            raise BackupRefused(f"{source} is incomplete: {name} is missing")
        return stream

    def _chunks(self, archive: tarfile.TarFile, name: str, source: Path) -> Iterator[bytes]:
        stream = self._member_stream(archive, name, source)
        try:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
        except (tarfile.TarError, OSError) as exc:
            raise BackupRefused(f"{source} is damaged or truncated: {name} cannot be read ({exc})") from exc

    def _verified_manifest(self, archive: tarfile.TarFile, source: Path) -> Manifest:
        """The manifest, once every member it names is there with its SHA-256, for this app's tables."""
        try:
            names = set(archive.getnames())
        except (tarfile.TarError, OSError) as exc:
            raise BackupRefused(f"{source} is damaged or truncated ({exc})") from exc
        if MANIFEST not in names:
            raise BackupRefused(f"{source} is incomplete or not a mediation backup: it has no {MANIFEST} "
                                "(was the file truncated?)")
        manifest = Manifest.from_json(b"".join(self._chunks(archive, MANIFEST, source)), source)
        expected = {table.name: [column.name for column in table.columns] for table in self.tables}
        found = {entry.name: entry.columns for entry in manifest.tables}
        if found != expected:
            differing = sorted(name for name in expected.keys() | found.keys()
                               if expected.get(name) != found.get(name))
            raise BackupRefused(f"{source} does not hold the tables of this version of the app (differing: "
                                f"{', '.join(differing)})")
        members: list[tuple[str, str]] = [(entry.member, entry.sha256) for entry in manifest.tables]
        members += [(upload.member, upload.sha256) for upload in manifest.uploads]
        for name, expected_digest in members:
            digest = hashlib.sha256()
            for chunk in self._chunks(archive, name, source):
                digest.update(chunk)
            if digest.hexdigest() != expected_digest:
                raise BackupRefused(f"{source} is damaged: {name} does not match its SHA-256 in the manifest")
        return manifest

    async def _check_target(self, manifest: Manifest, lock: bool = False) -> None:
        """Refuse a database at another migration than the backup's, or one that holds data already."""
        revision = await self._revision()
        self._refuse_unless_at_head(revision)
        if manifest.revision != revision:
            raise BackupRefused(f"the backup was taken at migration {manifest.revision} but the database is "
                                f"at {revision}: restore it into a database at {manifest.revision} with the "
                                "version of the app that took it, then run `mediation db upgrade`")
        if lock and self.postgres:
            # Nobody writes while the rows go in (readers go on); SQLite's BEGIN IMMEDIATE already does this.
            names = ", ".join(f'"{table.name}"' for table in self.tables)
            await self.session.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
        occupied = []
        for table in self.tables:
            allowed = REPLACED_ON_RESTORE.get(table.name, 0)
            if allowed is None:
                continue
            first_rows = select(literal(1)).select_from(table).limit(allowed + 1).subquery()
            present = await self.session.scalar(select(func.count()).select_from(first_rows))
            if present and present > allowed:
                occupied.append(table.name)
        if occupied:
            raise BackupRefused(f"the database already holds data (in {', '.join(occupied)}): a restore goes "
                                "only into an empty database; create one and run `mediation db upgrade` "
                                "first")

    async def _restore_table(self, archive: tarfile.TarFile, table: Table, entry: TableEntry, source: Path
                             ) -> None:
        """Insert the rows in batches. A reference to a later row of the same table (a place moved under a
        newer one) is inserted empty and filled in once that row exists."""
        decoders = [(index, decoder) for index, column in enumerate(entry.columns)
                    if (decoder := _decoder(table, column)) is not None]
        primary = list(table.primary_key.columns)
        key = primary[0].name if len(primary) == 1 and isinstance(primary[0].type, Integer) else None
        self_references = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table and key]
        forward: list[dict[str, Any]] = []
        rows = 0
        batch: list[dict[str, Any]] = []
        try:
            stream = self._member_stream(archive, entry.member, source)
            with gzip.GzipFile(fileobj=stream, mode="rb") as lines:
                for line in lines:
                    values = json.loads(line)
                    if len(values) != len(entry.columns):
                        raise ValueError(f"a row of {len(values)} values for {len(entry.columns)} columns")
                    for index, decoder in decoders:
                        if values[index] is not None:
                            values[index] = decoder(values[index])
                    row = dict(zip(entry.columns, values, strict=True))
                    for column in self_references:
                        if row[column] is not None and row[column] >= row[key]:
                            forward.append({"b_key": row[key], "b_column": column, "b_value": row[column]})
                            row[column] = None
                    batch.append(row)
                    if len(batch) == BATCH_ROWS:
                        await self.session.execute(table.insert(), batch)
                        rows += len(batch)
                        batch = []
        except (OSError, EOFError, zlib.error, ValueError, TypeError) as exc:
            raise BackupRefused(f"{source} is damaged: the rows of {table.name} cannot be read ({exc})"
                                ) from exc
        if batch:
            await self.session.execute(table.insert(), batch)
            rows += len(batch)
        if rows != entry.rows:
            raise BackupRefused(f"{source} is damaged: {table.name} has {rows} rows, the manifest says "
                                f"{entry.rows}")
        for column in self_references:
            pending = [item for item in forward if item["b_column"] == column]
            if pending and key:
                fill_in = update(table).where(table.c[key] == bindparam("b_key")).values(
                    {column: bindparam("b_value")})
                await self.session.execute(fill_in, [{"b_key": item["b_key"], "b_value": item["b_value"]}
                                                     for item in pending])

    async def _reset_sequences(self) -> None:
        """Rows went in with their ids: move each id sequence past the highest one."""
        for table in self.tables:
            primary = list(table.primary_key.columns)
            if len(primary) == 1 and isinstance(primary[0].type, Integer):
                column = primary[0].name
                await self.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f'COALESCE((SELECT max("{column}") FROM "{table.name}"), 0) + 1, false)'),
                    {"table": table.name, "column": column})

    def _unpack_uploads(self, archive: tarfile.TarFile, manifest: Manifest, unpacked: Path, source: Path
                        ) -> None:
        """Unpack the uploads beside the upload directory, checking each file's SHA-256 again on the way."""
        for upload in manifest.uploads:
            target = unpacked / upload.path
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with target.open("xb") as handle:
                for chunk in self._chunks(archive, upload.member, source):
                    digest.update(chunk)
                    handle.write(chunk)
            if digest.hexdigest() != upload.sha256:
                raise BackupRefused(f"{source} is damaged: {upload.member} does not match its SHA-256")

    def _move_uploads(self, manifest: Manifest, unpacked: Path) -> None:
        for upload in manifest.uploads:
            target = self.settings.upload_dir / upload.path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(unpacked / upload.path, target)
