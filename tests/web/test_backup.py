"""`mediation backup` / `mediation restore`: a round trip gives back every row, page, file and search result;
a restore refuses a database with data, a damaged or truncated file, another migration, and an answer other
than "yes"; a backup taken while intakes keep coming is consistent."""

from __future__ import annotations

import io
import json
import re
import tarfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import anyio
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from mediation import database
from mediation.cli import main, run_with_session
from mediation.models import Base, CaseEvent, LegalAdvisor, MediationCase, Party
from mediation.services.backup import BackupService
from mediation.settings import Settings
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    TEST_SECRET,
    DatabaseFactory,
    add_user,
    app_client,
    post_form,
    sign_in,
)
from tests.web.cases_support import District, assign, intake_form, make_district

pytestmark = pytest.mark.anyio
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
AGREEMENT = {
    "form": "written", "facts": "双方因宅基地边界发生争执", "disputes": "围墙是否越界",
    "responsibilities": "李四负主要责任", "terms": "李四于十日内拆除越界围墙并赔偿张三 2000 元",
    "performance_method": "银行转账", "performance_place": "石门村村委会", "amount": "2000",
}


def mediation(settings: Settings, *args: str, input: str | None = None) -> Result:
    """Run the `mediation` command against the database and upload directory of `settings`."""
    runner = CliRunner(env={"MEDIATION_DATABASE_URL": settings.database_url,
                            "MEDIATION_SECRET_KEY": TEST_SECRET,
                            "MEDIATION_UPLOAD_DIR": str(settings.upload_dir), "MEDIATION_ENV": None})
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


async def run_mediation(settings: Settings, *args: str, input: str | None = None) -> Result:
    """The command runs its own event loop: off this test's loop, in a thread."""
    return await anyio.to_thread.run_sync(lambda: mediation(settings, *args, input=input))


def local_today() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


async def register(client, district: District, **overrides) -> int:
    response = await post_form(client, "/cases/new", intake_form(district, **overrides))
    assert response.status_code == 303, response.text[:1500]
    return int(response.headers["location"].rsplit("/", 1)[1])


async def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = database.create_engine(url)
    try:
        async with engine.connect() as connection:
            return {table.name: [tuple(row) for row in await connection.execute(
                        select(table).order_by(*table.primary_key.columns))]
                    for table in Base.metadata.sorted_tables}
    finally:
        await engine.dispose()


def without_csrf(page: str) -> str:
    """Each browser session gets its own CSRF token; everything else on a page is data."""
    return re.sub(r'("x-csrftoken": "|name="_csrf_token" value=")[^"]+', r"\1", page)


def listed_cases(page: str) -> set[int]:
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    return {int(found) for found in re.findall(r'href="/cases/(\d+)"', rows)}


def stored_files(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*") if path.is_file()) if directory.exists() else []


async def open_office(client, db_session, settings: Settings) -> dict:
    """A supervisor's office with three cases: one with two applicants closed with a signed written
    agreement, a repeat visit of the same parties with an evidence file, and one more given to a legal advisor."""
    district = await make_district(db_session)
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    await sign_in(client, "zhuren")
    agreed = await register(client, district, **{
        "applicant-1-kind": "person", "applicant-1-name": "钱七", "applicant-1-id_number": "",
        "applicant-1-phone": "13700002222", "applicant-1-address": ""})
    deadline = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=10)).isoformat()
    for url, form in ((f"/cases/{agreed}/agreement", {**AGREEMENT, "performance_deadline": deadline}),
                      (f"/cases/{agreed}/agreement/sign", {"signed_on": local_today()}),
                      (f"/cases/{agreed}/close", {"outcome": "success", "closed_on": local_today()})):
        response = await post_form(client, url, form)
        assert response.status_code == 303, (url, response.text[:1500])
    repeat = await register(client, district, summary="围墙再次越界，双方又起争执")
    uploaded = await client.post(f"/cases/{repeat}/evidence",
                                 files={"file": ("收据.pdf", PDF, "application/pdf")},
                                 data={"description": "转账收据", "_csrf_token": client.cookies.get("csrftoken")})
    assert uploaded.status_code == 303
    other = await register(client, district, summary="邻居家空调外机噪音扰民", **{
        "applicant-0-name": "王芳", "applicant-0-id_number": "", "applicant-0-phone": "13611112222",
        "respondent-0-name": "赵敏", "respondent-0-phone": ""})
    advisor = await db_session.scalar(insert(LegalAdvisor).values(
        name="王明远", firm="明理律师事务所", licence_no="13300000000001", phone="", duty_days="每周一",
        active=True).returning(LegalAdvisor.id))
    await db_session.commit()
    assert (await assign(client, other, advisor=str(advisor))).status_code == 303
    return {"district": district, "cases": [agreed, repeat, other], "evidence_case": repeat, "advisor": advisor}


@pytest.fixture
async def office(client, db_session, settings):
    return await open_office(client, db_session, settings)


@pytest.fixture
def empty_target(databases: DatabaseFactory, tmp_path: Path) -> Settings:
    """A freshly upgraded database and an upload directory that does not exist yet."""
    return Settings(database_url=databases.migrated_url(), secret_key=TEST_SECRET,
                    upload_dir=tmp_path / "restored" / "uploads", var_dir=tmp_path / "restored")


async def test_round_trip_gives_back_rows_pages_files_and_search(office, settings, empty_target, tmp_path):
    archive = tmp_path / "office.tar"
    made = await run_mediation(settings, "backup", str(archive))
    assert made.exit_code == 0, made.output
    assert f"backup written to {archive}" in made.output and "1 uploaded files" in made.output

    restored = await run_mediation(empty_target, "restore", str(archive), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.output and "1 uploaded files" in restored.output

    source_rows = await table_rows(settings.database_url)
    assert await table_rows(empty_target.database_url) == source_rows
    assert len(source_rows["mediation_case"]) == 3 and len(source_rows["party"]) == 7

    async with app_client(settings) as source_client, app_client(empty_target) as restored_client:
        for signed_in in (source_client, restored_client):
            assert (await sign_in(signed_in, "zhuren")).status_code == 303
        for case_id in office["cases"]:
            before = (await source_client.get(f"/cases/{case_id}")).text
            after = (await restored_client.get(f"/cases/{case_id}")).text
            assert without_csrf(after) == without_csrf(before)
        page = (await restored_client.get(f"/cases/{office['evidence_case']}")).text
        assert "收据.pdf" in page and "李四于十日内拆除越界围墙" in (
            await restored_client.get(f"/cases/{office['cases'][0]}")).text
        link = re.search(rf"/cases/{office['evidence_case']}/evidence/\d+", page).group(0)
        download = await restored_client.get(link)
        assert download.status_code == 200 and download.content == PDF
        agreed, repeat, other = office["cases"]
        for query, expected in (("钱七", {agreed}), ("王芳", {other}), ("赵敏", {other}), ("张三", {agreed, repeat}),
                                ("空调外机", {other}), ("宅基地边界", {agreed}), ("再次越界", {repeat})):
            listing = (await restored_client.get("/cases", params={"q": query})).text
            assert listed_cases(listing) == expected, query
        # New rows get new ids and the next case number after the restored ones.
        added = await register(restored_client, office["district"], **{"applicant-0-name": "孙八"})
        assert added not in office["cases"]
        assert "调字第4号" in (await restored_client.get(f"/cases/{added}")).text
        # The advisor's open workload is the one case given to them, not counted again by the restore, and
        # it is counted on afterwards.
        assert "王明远（在办 1 件）" in (await restored_client.get("/cases")).text
        assert (await assign(restored_client, added, advisor=str(office["advisor"]))).status_code == 303
        assert "王明远（在办 2 件）" in (await restored_client.get("/cases")).text


async def test_restore_refuses_a_database_that_holds_data(office, settings, tmp_path):
    archive = tmp_path / "office.tar"
    assert (await run_mediation(settings, "backup", str(archive))).exit_code == 0
    before = await table_rows(settings.database_url)
    refused = await run_mediation(settings, "restore", str(archive), "--yes")
    assert refused.exit_code != 0
    assert "the database already holds data" in refused.output and "mediation_case" in refused.output
    assert await table_rows(settings.database_url) == before


async def assert_untouched(target: Settings, fresh_rows: dict[str, list[tuple]]) -> None:
    assert await table_rows(target.database_url) == fresh_rows
    assert stored_files(target.upload_dir) == []
    assert stored_files(target.upload_dir.parent) == []  # no unpacked files left beside it either


def rewrite(archive: Path, target: Path, change) -> None:
    """Copy a backup archive member by member, letting `change(name, data)` alter each member's bytes."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))


def flip_a_byte(name: str, data: bytes) -> bytes:
    if name.endswith("-party.jsonl.gz"):
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
    return data


def other_revision(name: str, data: bytes) -> bytes:
    if name == "manifest.json":
        manifest = json.loads(data)
        manifest["revision"] = "0001"
        return json.dumps(manifest).encode()
    return data


def damaged_upload(name: str, data: bytes) -> bytes:
    return data.replace(b"%%EOF", b"%%EOX") if name.startswith("uploads/") else data


@pytest.mark.parametrize(("damage", "message"), [
    ("truncated", "truncated"),
    ("flipped", "is damaged: tables/"),
    ("upload", "is damaged: uploads/"),
    ("revision", "the backup was taken at migration 0001 but the database is at"),
    ("not a tar", "is not a backup file"),
])
async def test_restore_refuses_a_damaged_file_or_another_migration(office, settings, empty_target, tmp_path,
                                                                    damage, message):
    archive = tmp_path / "office.tar"
    assert (await run_mediation(settings, "backup", str(archive))).exit_code == 0
    bad = tmp_path / "bad.tar"
    if damage == "truncated":
        bad.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    elif damage == "not a tar":
        bad.write_bytes(b"PK\x03\x04 certainly not a tar archive" * 100)
    else:
        change = {"flipped": flip_a_byte, "upload": damaged_upload, "revision": other_revision}[damage]
        rewrite(archive, bad, change)
    fresh = await table_rows(empty_target.database_url)
    refused = await run_mediation(empty_target, "restore", str(bad), "--yes")
    assert refused.exit_code != 0
    assert message in refused.output, refused.output
    await assert_untouched(empty_target, fresh)


async def test_restore_asks_first_and_only_yes_goes_ahead(office, settings, empty_target, tmp_path):
    archive = tmp_path / "office.tar"
    assert (await run_mediation(settings, "backup", str(archive))).exit_code == 0
    fresh = await table_rows(empty_target.database_url)
    for answer in ("no\n", "y\n", "\n", ""):
        declined = await run_mediation(empty_target, "restore", str(archive), input=answer)
        assert declined.exit_code != 0, answer
        assert "This replaces all data of" in declined.output
        assert "(3 cases, 1 uploaded files)" in declined.output
        await assert_untouched(empty_target, fresh)
    accepted = await run_mediation(empty_target, "restore", str(archive), input="yes\n")
    assert accepted.exit_code == 0, accepted.output
    assert len((await table_rows(empty_target.database_url))["mediation_case"]) == 3
    assert [path.read_bytes() for path in stored_files(empty_target.upload_dir)] == [PDF]


async def test_backup_while_intakes_keep_coming_is_consistent(office, client, settings, empty_target,
                                                              tmp_path):
    """Cases are registered while the tables are read one after the other (the progress callback lingers after
    each): without one snapshot the archive would hold parties of cases it does not have."""
    district = office["district"]
    archive = tmp_path / "busy.tar"
    acknowledged = [0]
    seen: dict[str, int] = {}
    done = threading.Event()

    def linger(table: str, rows: int) -> None:
        seen[table] = acknowledged[0]
        time.sleep(0.05)

    def take_backup() -> None:
        try:
            run_with_session(settings,
                             lambda session: BackupService(session, settings).backup(archive, linger))
        finally:
            done.set()

    # A thread of its own: the test client runs the app in its own thread and blocks this loop per request.
    backup = threading.Thread(target=take_backup)
    backup.start()
    try:
        while not done.is_set():
            n = acknowledged[0]
            await register(client, district, **{"applicant-0-name": f"甲{n}", "respondent-0-name": f"乙{n}"})
            acknowledged[0] += 1
    finally:
        backup.join(timeout=60)
    assert archive.exists(), "the backup failed"
    assert seen["party"] > seen["mediation_case"], "no case was registered between reading cases and parties"

    assert (await run_mediation(empty_target, "restore", str(archive), "--yes")).exit_code == 0
    engine = database.create_engine(empty_target.database_url)
    try:
        async with engine.connect() as connection:
            cases = await connection.scalar(select(func.count()).select_from(MediationCase))
            without_parties = await connection.scalar(select(func.count()).select_from(MediationCase).where(
                ~select(Party.id).where(Party.case_id == MediationCase.id).exists()))
            without_event = await connection.scalar(select(func.count()).select_from(MediationCase).where(
                ~select(CaseEvent.id).where(CaseEvent.case_id == MediationCase.id,
                                            CaseEvent.kind == "registered").exists()))
            orphans = await connection.scalar(select(func.count()).select_from(Party).where(
                ~select(MediationCase.id).where(MediationCase.id == Party.case_id).exists()))
    finally:
        await engine.dispose()
    # The snapshot was taken before the case table was read: at most the one intake then in flight is extra.
    assert 3 <= cases <= 3 + seen["mediation_case"] + 1
    assert (without_parties, without_event, orphans) == (0, 0, 0)


@pytest.mark.skipif(not POSTGRES_ADMIN_URL, reason="restoring a SQLite backup into PostgreSQL: run with "
                    "MEDIATION_TEST_DATABASE_URL set to a PostgreSQL server")
async def test_a_sqlite_backup_restores_into_postgresql(empty_target, tmp_path):
    """The office that outgrows its embedded database moves to PostgreSQL with the same two commands."""
    embedded = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'office.sqlite3'}", secret_key=TEST_SECRET,
                        upload_dir=tmp_path / "uploads", var_dir=tmp_path)
    database.upgrade(embedded.database_url)
    engine = database.create_engine(embedded.database_url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, \
                app_client(embedded) as client:
            office = await open_office(client, session, embedded)
    finally:
        await engine.dispose()
    archive = tmp_path / "office.tar"
    assert (await run_mediation(embedded, "backup", str(archive))).exit_code == 0
    restored = await run_mediation(empty_target, "restore", str(archive), "--yes")
    assert restored.exit_code == 0, restored.output
    assert await table_rows(empty_target.database_url) == await table_rows(embedded.database_url)
    async with app_client(empty_target) as client:
        assert (await sign_in(client, "zhuren")).status_code == 303
        assert listed_cases((await client.get("/cases", params={"q": "空调外机"})).text) == {office["cases"][2]}
        added = await register(client, office["district"], **{"applicant-0-name": "孙八"})
        assert "调字第4号" in (await client.get(f"/cases/{added}")).text
