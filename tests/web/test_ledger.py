"""The case ledger (台账) in and out: `mediation ledger import/export`, the /ledger pages, and their audit."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mediation import database
from mediation.cli import main
from mediation.domain.advisors import AdvisorRow
from mediation.domain.deadlines import local_date
from mediation.domain.ledger import LEDGER_COLUMNS
from mediation.models import (
    Agreement,
    CaseAssignment,
    CaseEvent,
    CaseNumberCounter,
    JudicialConfirmation,
    LedgerTransfer,
    LegalAdvisor,
    MediationCase,
    Organization,
    Party,
    User,
)
from mediation.models.base import utcnow
from mediation.services.advisors import AdvisorService
from mediation.services.accounts import CurrentUser
from mediation.services.ledger import LedgerActor, LedgerJobs, LedgerService
from mediation.spreadsheets import read_table, write_csv
from tests.conftest import add_user, csrf_token, post_form, sign_in
from tests.web.cases_support import OTHER_ID, VALID_ID, intake_form, make_district

pytestmark = pytest.mark.anyio

THIRD_ID = "110105194912310029"
CLOSED = {"结案日期": "2024-03-25"}


def ledger_row(**cells: str) -> dict[str, str]:
    """A row with every column: the required ones valid, the rest at their defaults."""
    row = {
        "案件编号": "A-1", "受理日期": "2024-03-05", "案件来源": "当事人申请", "纠纷类型": "邻里", "镇街": "城关镇",
        "村居": "石门村", "网格": "", "申请人姓名": "张三", "申请人身份证号": "", "申请人电话": "", "被申请人姓名": "李四",
        "被申请人身份证号": "", "被申请人电话": "", "涉及人数": "2", "涉及金额(元)": "", "风险等级": "一般",
        "纠纷简要情况": "宅基地边界争执", "调解组织": "城关镇石门村人民调解委员会", "调解员": "", "法律顾问": "",
        "状态": "调解中", "调解结果": "", "结案日期": "", "协议形式": "", "协议金额(元)": "", "司法确认": "未申请",
        "防止民转刑人数": "0", "防止群体性上访人数": "0",
    }
    row.update(cells)
    return row


# Every status, outcome, agreement form and confirmation; several parties per side; every column used.
FULL_LEDGER = [
    ledger_row(**{"案件编号": "（2024）石门调字第1号", "网格": "第一网格", "申请人姓名": "张三、王五",
                  "申请人身份证号": f"{VALID_ID}、", "申请人电话": "13812345678、13900001111",
                  "被申请人姓名": "李四", "被申请人身份证号": OTHER_ID, "涉及人数": "3", "涉及金额(元)": "1200.5",
                  "调解员": "陈窗口、外请调解员", "法律顾问": "王明远", "状态": "已受理"}),
    ledger_row(**{"案件编号": "（2024）大岭调字第2号", "受理日期": "2024-04-01", "村居": "大岭村", "风险等级": "较大",
                  "调解组织": "城关镇人民调解委员会", "法律顾问": "李律师", "协议金额(元)": "800",
                  "被申请人姓名": "赵六、孙七、周八", "被申请人电话": "、13700000000、"}),
    ledger_row(**{"案件编号": "A-3", "案件来源": "公安移送", "纠纷类型": "损害赔偿", "状态": "已结案",
                  "调解结果": "调解成功", "协议形式": "书面", "协议金额(元)": "5000", "司法确认": "已申请",
                  "防止民转刑人数": "2", **CLOSED}),
    ledger_row(**{"案件编号": "A-4", "状态": "已结案", "调解结果": "调解成功", "协议形式": "口头", "协议金额(元)": "300",
                  **CLOSED}),
    ledger_row(**{"案件编号": "A-5", "状态": "已结案", "调解结果": "调解不成", **CLOSED}),
    ledger_row(案件编号="A-6", 状态="已结案", 调解结果="当事人撤回", 结案日期="2024-03-05"),
    ledger_row(**{"案件编号": "A-7", "镇街": "东湖街道", "村居": "湖滨社区", "风险等级": "重大", "涉及人数": "15",
                  "调解组织": "区矛盾纠纷调解中心", "状态": "已归档", "调解结果": "调解成功", "协议形式": "书面",
                  "协议金额(元)": "120000.25", "司法确认": "已确认", "防止群体性上访人数": "12", **CLOSED}),
    ledger_row(**{"案件编号": "A-8", "状态": "已归档", "调解结果": "调解成功", "协议形式": "书面", "协议金额(元)": "0",
                  "司法确认": "不予确认", "结案日期": "2024-04-02"}),
    ledger_row(**{"案件编号": "A-9", "状态": "已归档", "调解结果": "调解不成", **CLOSED}),
    ledger_row(案件编号="A-10", 案件来源="信访转办", 状态="不予受理"),
    # Cells a spreadsheet would run as formulas.
    ledger_row(案件编号="A-11", 纠纷简要情况='=HYPERLINK("http://x","点击")', 申请人姓名="+张三", 被申请人姓名="-李四",
               调解员="@某人", 申请人电话="+8613812345678"),
]


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] | list[str] = LEDGER_COLUMNS) -> bytes:
    return write_csv(list(columns), [[row.get(name, "") for name in columns] for row in rows])


def as_cells(rows: list[dict[str, str]]) -> list[list[str]]:
    return [[row[name] for name in LEDGER_COLUMNS] for row in rows]


def read_back(path: Path) -> list[list[str]]:
    header, rows = read_table(path.read_bytes(), path.name)
    assert header == list(LEDGER_COLUMNS)
    return [cells + [""] * (len(header) - len(cells)) for _, cells in rows]


def on(url: str, work):
    """Run `work(session)` on the database at `url`, outside any running event loop (for the CLI tests)."""
    async def run():
        engine = database.create_engine(url)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def count(url: str, model, *conditions) -> int:
    return on(url, lambda session: session.scalar(select(func.count()).select_from(model).where(*conditions)))


async def seed(session: AsyncSession, settings) -> None:
    """The small district, an administrator, a counter mediator named 陈窗口 and the advisor 王明远."""
    await make_district(session)
    await add_user(session, settings, "admin", "admin", name="管理员")
    await add_user(session, settings, "chuangkou", "counter", name="陈窗口")
    await AdvisorService(session).import_rows([
        AdvisorRow(2, "王明远", "明理律师事务所", "13301201010001", "", (("城关镇", "石门村"),), "")])


@pytest.fixture
def seeded(database_url, settings):
    on(database_url, lambda session: seed(session, settings))
    return database_url


@pytest.fixture
def run_cli(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    monkeypatch.setenv("MEDIATION_SECRET_KEY", "cli-test-secret-key-0123456789-abcdef")
    monkeypatch.setenv("MEDIATION_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("USER", "ledger-clerk")
    monkeypatch.setenv("LOGNAME", "ledger-clerk")
    monkeypatch.delenv("MEDIATION_ENV", raising=False)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def write(path: Path, rows: list[dict[str, str]], **kwargs) -> Path:
    path.write_bytes(csv_bytes(rows, **kwargs))
    return path


# The command line.

def test_a_full_ledger_round_trips_through_csv_and_xlsx(seeded, run_cli, databases, settings, tmp_path, monkeypatch):
    source = write(tmp_path / "台账.csv", FULL_LEDGER)
    imported = run_cli("ledger", "import", str(source))
    assert imported.exit_code == 0, imported.output
    assert f"imported {len(FULL_LEDGER)} new cases, skipped 0" in imported.stdout
    assert "importing cases" in imported.stderr  # the progress bar

    exported = tmp_path / "导出.csv"
    result = run_cli("ledger", "export", str(exported))
    assert result.exit_code == 0, result.output
    assert f"exported {len(FULL_LEDGER)} cases" in result.stdout
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")
    back = read_back(exported)
    for line, (want, got) in enumerate(zip(as_cells(FULL_LEDGER), back, strict=True), start=2):
        for column, expected, found in zip(LEDGER_COLUMNS, want, got, strict=True):
            assert found == expected, f"line {line}, {column}: {found!r} != {expected!r}"

    # Export as Excel, import that into another empty database, export again: the same rows.
    workbook_path = tmp_path / "导出.xlsx"
    assert run_cli("ledger", "export", str(workbook_path)).exit_code == 0
    assert read_back(workbook_path) == as_cells(FULL_LEDGER)
    other = databases.migrated_url()
    on(other, lambda session: seed(session, settings))
    monkeypatch.setenv("MEDIATION_DATABASE_URL", other)
    again = run_cli("ledger", "import", str(workbook_path))
    assert again.exit_code == 0, again.output
    second = tmp_path / "再导出.csv"
    assert run_cli("ledger", "export", str(second)).exit_code == 0
    assert read_back(second) == as_cells(FULL_LEDGER)


def test_the_xlsx_export_is_formatted(seeded, run_cli, tmp_path):
    run_cli("ledger", "import", str(write(tmp_path / "台账.csv", FULL_LEDGER[:3])))
    path = tmp_path / "台账.xlsx"
    assert run_cli("ledger", "export", str(path)).exit_code == 0
    sheet = load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    assert header == list(LEDGER_COLUMNS)
    assert all(cell.font.b for cell in sheet[1]) and sheet.freeze_panes == "A2"
    first = {name: sheet.cell(row=2, column=index + 1) for index, name in enumerate(header)}
    for name in ("申请人身份证号", "申请人电话", "被申请人身份证号"):
        assert first[name].data_type == "s" and first[name].number_format == "@"
    assert first["申请人身份证号"].value == f"{VALID_ID}、"
    assert first["涉及人数"].value == 3 and first["涉及金额(元)"].value == 1200.5
    assert first["受理日期"].value == "2024-03-05"


def test_imported_cases_get_parties_people_agreements_confirmations_and_numbers(seeded, run_cli, tmp_path):
    assert run_cli("ledger", "import", str(write(tmp_path / "台账.csv", FULL_LEDGER))).exit_code == 0

    async def look(session: AsyncSession):
        cases = {case.number: case for case in await session.scalars(select(MediationCase))}
        first = cases["（2024）石门调字第1号"]
        parties = (await session.execute(
            select(Party.side, Party.position, Party.name, Party.id_number, Party.phone)
            .where(Party.case_id == first.id).order_by(Party.side, Party.position))).all()
        people = (await session.execute(
            select(CaseAssignment.role, User.display_name, LegalAdvisor.name)
            .outerjoin(User, User.id == CaseAssignment.user_id)
            .outerjoin(LegalAdvisor, LegalAdvisor.id == CaseAssignment.advisor_id)
            .where(CaseAssignment.case_id == first.id).order_by(CaseAssignment.id))).all()
        agreements = {row[0]: row[1:] for row in (await session.execute(
            select(MediationCase.number, Agreement.number, Agreement.form, Agreement.amount, Agreement.signed_on)
            .join(Agreement, Agreement.case_id == MediationCase.id))).all()}
        confirmations = dict((await session.execute(
            select(MediationCase.number, JudicialConfirmation.result)
            .join(JudicialConfirmation, JudicialConfirmation.case_id == MediationCase.id))).all())
        events = (await session.execute(select(CaseEvent.kind, CaseEvent.summary, CaseEvent.reason)
                                        .where(CaseEvent.case_id == first.id))).all()
        organizations = dict((await session.execute(select(Organization.id, Organization.name))).all())
        return cases, parties, people, agreements, confirmations, events, organizations

    cases, parties, people, agreements, confirmations, events, organizations = on(seeded, look)
    first = cases["（2024）石门调字第1号"]
    assert (first.status, first.accepted_on, first.deadline) == ("accepted", date(2024, 3, 5), date(2024, 4, 4))
    assert (first.source, first.dispute_type, first.risk_level, first.people_involved) == \
        ("party_application", "neighbourhood", "ordinary", 3)
    assert first.applicant_names == "张三、王五" and first.level == "village"
    assert organizations[first.organization_id] == "城关镇石门村人民调解委员会"
    assert parties == [("applicant", 0, "张三", VALID_ID, "13812345678"), ("applicant", 1, "王五", "", "13900001111"),
                       ("respondent", 0, "李四", OTHER_ID, "")]
    assert people == [("mediator", "陈窗口", None), ("advisor", None, "王明远")]  # 外请调解员 matches no one
    assert [(kind, summary) for kind, summary, _ in events] == [("ledger_import", "台账导入：台账.csv 第 2 行")]
    assert "ledger-clerk" in events[0][2]
    assert [cases[n].status for n in ("（2024）大岭调字第2号", "A-3", "A-7", "A-10")] == \
        ["in_mediation", "closed", "archived", "refused"]
    assert cases["（2024）大岭调字第2号"].level == "town"
    refused = cases["A-10"]
    assert refused.accepted_on is None and refused.registered_on == date(2024, 3, 5) and refused.deadline is None
    assert (cases["A-3"].outcome, cases["A-3"].closed_on, cases["A-3"].prevented_criminal_people) == \
        ("success", date(2024, 3, 25), 2)
    assert agreements["A-3"] == ("A-3-协议", "written", Decimal("5000.00"), date(2024, 3, 25))
    assert agreements["A-4"] == ("A-4-协议", "oral", Decimal("300.00"), None)
    assert "A-5" not in agreements and "（2024）大岭调字第2号" not in agreements
    assert confirmations == {"A-3": "pending", "A-7": "confirmed", "A-8": "refused"}
    # Archived cases are numbered like an archiving: the organization's next 卷宗号 of the year, in closing order.
    assert cases["A-7"].archive_number == "（2024）区中心调卷字第1号"
    assert cases["A-9"].archive_number == "（2024）城关石门调卷字第1号"
    assert cases["A-8"].archive_number == "（2024）城关石门调卷字第2号"  # closed 2024-04-02, after A-9
    assert cases["A-5"].archive_number is None


def test_an_imported_number_in_the_apps_pattern_moves_the_counter(seeded, run_cli, settings, tmp_path):
    year = local_date(utcnow(), settings.tz).year
    rows = [ledger_row(案件编号=f"（{year}）区中心调字第7号", 受理日期=f"{year}-01-02"),
            ledger_row(案件编号=f"（{year - 1}）区中心调字第40号", 受理日期=f"{year - 1}-01-02")]
    assert run_cli("ledger", "import", str(write(tmp_path / "台账.csv", rows))).exit_code == 0
    counters = on(seeded, lambda session: session.execute(
        select(CaseNumberCounter.year, CaseNumberCounter.last_seq)
        .join(Organization, Organization.id == CaseNumberCounter.organization_id)
        .where(Organization.name == "区矛盾纠纷调解中心")))
    assert sorted(counters.all()) == [(year - 1, 40), (year, 7)]
    # Importing a lower number later never moves a counter back.
    lower = [ledger_row(案件编号=f"（{year}）区中心调字第3号", 受理日期=f"{year}-01-02")]
    assert run_cli("ledger", "import", str(write(tmp_path / "更早.csv", lower))).exit_code == 0
    last = on(seeded, lambda session: session.scalar(
        select(CaseNumberCounter.last_seq).where(CaseNumberCounter.year == year)))
    assert last == 7


async def test_the_next_intake_continues_after_an_imported_number(client, db_session, settings, district):
    year = local_date(utcnow(), settings.tz).year
    await add_user(db_session, settings, "admin", "admin", name="管理员")
    await add_user(db_session, settings, "chuangkou", "counter", name="陈窗口")
    await LedgerService(db_session, settings).import_rows(
        LedgerActor(None, "clerk"), "台账.csv", list(LEDGER_COLUMNS),
        [(2, as_cells([ledger_row(案件编号=f"（{year}）区中心调字第7号")])[0])])
    await sign_in(client, "chuangkou")
    registered = await post_form(client, "/cases/new", intake_form(district))
    assert registered.status_code == 303, registered.text[:500]
    page = await client.get(registered.headers["location"])
    assert f"（{year}）区中心调字第8号" in page.text


def test_invalid_rows_are_reported_by_line_column_and_reason_and_nothing_is_written(seeded, run_cli, tmp_path):
    rows = [ledger_row(), ledger_row(案件编号="A-2", 纠纷类型="吵架", 申请人身份证号="110105194912310021"),
            ledger_row(案件编号="A-3", 状态="已结案", 结案日期="2024-03-01", 调解结果="调解不成"),
            ledger_row(案件编号="A-1")]
    result = run_cli("ledger", "import", str(write(tmp_path / "台账.csv", rows)))
    assert result.exit_code == 1
    for message in ("line 3, column 纠纷类型: '吵架' is not one of", "line 3, column 申请人身份证号: entry 1 is not a valid",
                    "line 4, column 结案日期: is before 受理日期 2024-03-05", "line 5, column 案件编号: repeats line 2",
                    "4 problem(s) found; nothing was imported"):
        assert message in result.output
    assert count(seeded, MediationCase) == 0 and count(seeded, Party) == 0
    assert count(seeded, LedgerTransfer, LedgerTransfer.status == "invalid", LedgerTransfer.problem_count == 4) == 1


@pytest.mark.parametrize(("columns", "message"), [
    ((*LEDGER_COLUMNS, "备注"), "line 1, column 备注: unknown column"),
    (tuple(name for name in LEDGER_COLUMNS if name != "纠纷简要情况"), "line 1, column 纠纷简要情况: required column is missing"),
])
def test_header_problems_refuse_the_file(seeded, run_cli, tmp_path, columns, message):
    result = run_cli("ledger", "import", str(write(tmp_path / "台账.csv", [ledger_row()], columns=columns)))
    assert result.exit_code == 1 and message in result.output
    assert count(seeded, MediationCase) == 0


def test_an_unreadable_file_is_refused(seeded, run_cli, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"not a workbook")
    result = run_cli("ledger", "import", str(path))
    assert result.exit_code == 1 and "not a readable .xlsx workbook" in result.output


def test_a_dry_run_only_checks_and_records_itself(seeded, run_cli, tmp_path):
    path = write(tmp_path / "台账.csv", FULL_LEDGER[:2])
    result = run_cli("ledger", "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: would import 2 new cases and skip 0" in result.stdout
    assert count(seeded, MediationCase) == 0 and count(seeded, CaseEvent) == 0
    assert count(seeded, LedgerTransfer, LedgerTransfer.dry_run, LedgerTransfer.new_count == 2,
                 LedgerTransfer.channel == "cli", LedgerTransfer.actor_name == "ledger-clerk") == 1


def test_rows_whose_number_exists_are_skipped_and_reported(seeded, run_cli, tmp_path):
    assert run_cli("ledger", "import", str(write(tmp_path / "一.csv", FULL_LEDGER[:2]))).exit_code == 0
    result = run_cli("ledger", "import", str(write(tmp_path / "二.csv", FULL_LEDGER[:3])))
    assert result.exit_code == 0, result.output
    assert "imported 1 new cases, skipped 2" in result.stdout
    assert "line 2: 案件编号 （2024）石门调字第1号 already exists: skipped" in result.stderr
    assert count(seeded, MediationCase) == 3
    dry = run_cli("ledger", "import", str(tmp_path / "二.csv"), "--dry-run")
    assert "would import 0 new cases and skip 3" in dry.stdout


def test_the_command_line_needs_an_administrator_to_register_cases_in_the_name_of(run_cli, database_url, tmp_path):
    on(database_url, make_district)
    path = write(tmp_path / "台账.csv", [ledger_row()])
    result = run_cli("ledger", "import", str(path))
    assert result.exit_code == 1 and "mediation user add" in result.output
    assert count(database_url, MediationCase) == 0
    assert run_cli("ledger", "import", str(path), "--dry-run").exit_code == 0  # checking needs no one


def test_export_by_acceptance_date_range_inclusive(seeded, run_cli, tmp_path):
    rows = [ledger_row(案件编号=f"D-{day}", 受理日期=f"2024-05-{day:02d}") for day in (1, 2, 3, 4)]
    rows.append(ledger_row(案件编号="D-refused", 受理日期="2024-05-02", 状态="不予受理"))
    assert run_cli("ledger", "import", str(write(tmp_path / "台账.csv", rows))).exit_code == 0
    path = tmp_path / "range.csv"
    result = run_cli("ledger", "export", str(path), "--from", "2024-05-02", "--to", "2024/5/3")
    assert result.exit_code == 0, result.output
    assert [cells[0] for cells in read_back(path)] == ["D-2", "D-3", "D-refused"]
    transfer = on(seeded, lambda session: session.scalar(
        select(LedgerTransfer).where(LedgerTransfer.action == "export")))
    assert (transfer.date_from, transfer.date_to, transfer.exported_count, transfer.channel, transfer.actor_name) == \
        (date(2024, 5, 2), date(2024, 5, 3), 3, "cli", "ledger-clerk")


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2024-13-01"], "'2024-13-01' is not a date"),
    (["--from", "2024-05-03", "--to", "2024-05-01"], "--to is before --from"),
])
def test_export_refuses_bad_dates(seeded, run_cli, tmp_path, args, message):
    result = run_cli("ledger", "export", str(tmp_path / "x.csv"), *args)
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "x.csv").exists()


def test_export_needs_a_csv_or_xlsx_name(seeded, run_cli, tmp_path):
    result = run_cli("ledger", "export", str(tmp_path / "x.txt"))
    assert result.exit_code == 1 and "must end in .csv or .xlsx" in result.output


def test_gbk_csv_with_full_width_headers_in_any_order_and_an_xlsx_with_typed_cells_are_read(seeded, run_cli,
                                                                                            tmp_path):
    columns = ["状态", "涉及金额（元）", "纠纷简要情况", "被申请人姓名", "申请人电话", "申请人姓名", "村居", "镇街", "纠纷类型",
               "案件来源", "受理日期", "案件编号"]
    text = ",".join(columns) + "\r\n" + "调解中,\"1,500\",邻里口角,李四,13812345678,张三,石门村,城关镇,邻里,当事人申请,2024/3/5,G-1\r\n"
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text.encode("gbk"))
    result = run_cli("ledger", "import", str(gbk))
    assert result.exit_code == 0, result.output

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["案件编号", "受理日期", "案件来源", "纠纷类型", "镇街", "村居", "申请人姓名", "申请人电话", "被申请人姓名",
                  "纠纷简要情况", "状态", "调解结果", "结案日期", "协议形式", "协议金额（元）", "涉及人数"])
    sheet.append(["X-1", datetime(2024, 6, 1), "当事人申请", "合同", "城关镇", "大岭村", "王五", 13900001111, "赵六",
                  "欠款", "已结案", "调解成功", datetime(2024, 6, 20), "口头", 2500.5, 4])
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx = tmp_path / "台账.xlsx"
    xlsx.write_bytes(buffer.getvalue())
    result = run_cli("ledger", "import", str(xlsx))
    assert result.exit_code == 0, result.output

    path = tmp_path / "out.csv"
    run_cli("ledger", "export", str(path))
    rows = {cells[0]: dict(zip(LEDGER_COLUMNS, cells, strict=True)) for cells in read_back(path)}
    assert (rows["G-1"]["受理日期"], rows["G-1"]["涉及金额(元)"], rows["G-1"]["申请人电话"]) == \
        ("2024-03-05", "1500", "13812345678")
    x = rows["X-1"]
    assert (x["受理日期"], x["结案日期"], x["申请人电话"], x["协议金额(元)"], x["涉及人数"], x["调解结果"]) == \
        ("2024-06-01", "2024-06-20", "13900001111", "2500.5", "4", "调解成功")


def test_formula_cells_are_escaped_on_writing_and_read_back_without_the_quote(seeded, run_cli, tmp_path):
    source = write(tmp_path / "台账.csv", [FULL_LEDGER[-1]])
    raw = source.read_bytes().decode("utf-8-sig")
    assert "'=HYPERLINK" in raw and "'+张三" in raw and "'-李四" in raw and "'@某人" in raw
    assert run_cli("ledger", "import", str(source)).exit_code == 0
    stored = on(seeded, lambda session: session.execute(
        select(MediationCase.summary, MediationCase.applicant_names, MediationCase.respondent_names))).one()
    assert tuple(stored) == ('=HYPERLINK("http://x","点击")', "+张三", "-李四")
    for name in ("out.csv", "out.xlsx"):
        path = tmp_path / name
        run_cli("ledger", "export", str(path))
        if name.endswith(".csv"):
            text = path.read_bytes().decode("utf-8-sig")
            assert "'=HYPERLINK" in text and "'+8613812345678" in text and "'@某人" in text
        else:
            sheet = load_workbook(path).active
            assert sheet.cell(row=2, column=LEDGER_COLUMNS.index("纠纷简要情况") + 1).value.startswith("'=")
            assert sheet.cell(row=2, column=LEDGER_COLUMNS.index("纠纷简要情况") + 1).data_type == "s"
        assert read_back(path) == as_cells([FULL_LEDGER[-1]])


# The web pages.

async def ledger_client(client, db_session, settings, username: str, role: str, organization: str | None = None):
    await add_user(db_session, settings, username, role, organization, name=f"{username}姓名")
    response = await sign_in(client, username)
    assert response.status_code == 303
    return client


async def upload(client, content: bytes, name: str = "台账.csv"):
    await client.get("/ledger")
    return await client.post("/ledger/imports", files={"file": (name, content, "text/csv")},
                             data={"_csrf_token": csrf_token(client)})


async def finished(client, url: str):
    """Poll the status fragment as htmx does, until the import is no longer running."""
    for _ in range(400):
        fragment = await client.get(url, headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        if 'hx-trigger="every 1s"' not in fragment.text:
            return fragment
        await asyncio.sleep(0.05)
    pytest.fail("the import did not finish")


async def current_user(session: AsyncSession, username: str) -> CurrentUser:
    user, organization = (await session.execute(
        select(User, Organization).join(Organization, Organization.id == User.organization_id)
        .where(User.username == username))).one()
    return CurrentUser(user.id, user.username, user.display_name, user.role, organization.id, organization.name,
                       organization.kind, organization.place_id)


async def committed(db_session, model, *conditions) -> int:
    await db_session.rollback()
    return await db_session.scalar(select(func.count()).select_from(model).where(*conditions))


async def test_roles_other_than_supervisor_and_admin_are_refused(client, db_session, settings, district):
    await ledger_client(client, db_session, settings, "chuangkou", "counter")
    assert (await client.get("/ledger")).status_code == 403
    refused = await post_form(client, "/ledger/export", {"format": "csv"})
    assert refused.status_code == 403
    assert (await upload(client, csv_bytes([ledger_row()]))).status_code == 403
    assert await committed(db_session, LedgerTransfer) == 0


async def test_the_page_has_labelled_export_and_import_forms(client, db_session, settings, district):
    await ledger_client(client, db_session, settings, "zhuren", "supervisor")
    page = await client.get("/")
    assert 'href="/ledger"' in page.text and ">台账<" in page.text
    page = await client.get("/ledger")
    assert page.status_code == 200
    for control in ("f-date_from", "f-date_to", "f-format-csv", "f-format-xlsx", "f-file"):
        assert f'<label for="{control}"' in page.text or f'<label class="check" for="{control}"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'name="_csrf_token"' in page.text
    assert "导入导出记录" not in page.text  # the audit is for administrators


async def test_upload_shows_a_report_before_anything_is_written_then_imports(client, db_session, settings, district):
    await add_user(db_session, settings, "admin", "admin", name="管理员")
    await ledger_client(client, db_session, settings, "zhuren", "supervisor")
    await LedgerService(db_session, settings).import_rows(
        LedgerActor(None, "clerk"), "旧.csv", list(LEDGER_COLUMNS), [(2, as_cells(FULL_LEDGER[:1])[0])])
    response = await upload(client, csv_bytes(FULL_LEDGER[:4]))
    assert response.status_code == 303
    report_url = response.headers["location"]
    report = await client.get(report_url)
    assert "将新增 3 件，跳过 1 件（案件编号已存在）" in report.text
    assert "（2024）石门调字第1号" in report.text  # the skipped row is listed
    assert await committed(db_session, MediationCase) == 1
    stored = list((settings.upload_dir / "ledger").iterdir())
    assert len(stored) == 1 and "." not in stored[0].name  # a generated name, kept until confirmed

    confirmed = await post_form(client, report_url + "/confirm")
    assert confirmed.status_code == 303
    job_url = confirmed.headers["location"]
    assert job_url != report_url
    done = await finished(client, job_url)
    assert "导入完成：新增 3 件，跳过 1 件（案件编号已存在）" in done.text
    assert await committed(db_session, MediationCase) == 4
    assert not list((settings.upload_dir / "ledger").iterdir())  # the upload is gone once imported
    again = await post_form(client, report_url + "/confirm")  # a second click finds the same job
    assert again.headers["location"] == job_url
    assert await committed(db_session, MediationCase) == 4
    page = await client.get(report_url)
    assert "已确认导入" in page.text and "确认导入 3 件" not in page.text
    jobs = (await db_session.execute(select(LedgerTransfer.dry_run, LedgerTransfer.status, LedgerTransfer.new_count,
                                            LedgerTransfer.skipped_count, LedgerTransfer.channel)
                                     .where(LedgerTransfer.actor_name == "zhuren姓名")
                                     .order_by(LedgerTransfer.id))).all()
    assert [tuple(job) for job in jobs] == [(True, "done", 3, 1, "web"), (False, "done", 3, 1, "web")]
    event = await db_session.scalar(select(CaseEvent.summary).where(CaseEvent.kind == "ledger_import")
                                    .order_by(CaseEvent.id.desc()))
    assert event == "台账导入：台账.csv 第 5 行"


async def test_an_invalid_upload_lists_every_problem_in_chinese_and_writes_nothing(client, db_session, settings,
                                                                                 district):
    await ledger_client(client, db_session, settings, "zhuren", "supervisor")
    rows = [ledger_row(), ledger_row(案件编号="A-2", 镇街="西山镇"),
            ledger_row(案件编号="A-3", 状态="已结案"), ledger_row(案件编号="A-4", 涉及人数="0")]
    response = await upload(client, csv_bytes(rows))
    report = await client.get(response.headers["location"])
    assert "发现 3 处问题" in report.text and "不能导入" in report.text
    for line, column, reason in ((3, "镇街", "地点库中没有镇街“西山镇”"), (4, "调解结果", "状态为已结案或已归档时必须填写"),
                                 (5, "涉及人数", "应为不小于 1 的整数")):
        assert f"<td>{line}</td><td class=\"nowrap\">{column}</td><td>{reason}</td>" in report.text
    assert "确认导入" not in report.text
    assert await committed(db_session, MediationCase) == 0
    assert not list((settings.upload_dir / "ledger").iterdir())
    transfer = (await db_session.execute(select(LedgerTransfer.status, LedgerTransfer.problem_count))).one()
    assert tuple(transfer) == ("invalid", 3)
    refused = await post_form(client, response.headers["location"] + "/confirm")
    assert refused.status_code == 409 and "重新上传" in refused.text
    assert await committed(db_session, MediationCase) == 0


@pytest.mark.parametrize(("name", "content", "message"), [
    ("", b"", "请选择要导入的台账文件"),
    ("证据.pdf", b"%PDF-1.4", "请上传 CSV 文件（UTF-8 或 GBK 编码）或 Excel 文件（.xlsx）"),
    ("台账.xlsx", b"not a workbook", "无法读取该文件"),
    ("台账.csv", b"", "请选择要导入的台账文件"),
    ("../台账.csv", b"a", "文件名不能包含路径"),
])
async def test_upload_refusals_keep_the_page(client, db_session, settings, district, name, content, message):
    await ledger_client(client, db_session, settings, "zhuren", "supervisor")
    await client.get("/ledger")
    files = {"file": (name, content, "application/octet-stream")} if name else None
    response = await client.post("/ledger/imports", files=files, data={"_csrf_token": csrf_token(client)})
    assert response.status_code == 422
    assert message in response.text and 'id="e-file"' in response.text
    assert await committed(db_session, LedgerTransfer) == 0
    assert not (settings.upload_dir / "ledger").exists() or not list((settings.upload_dir / "ledger").iterdir())


async def test_an_upload_over_twenty_megabytes_is_refused(client, db_session, settings, district):
    await ledger_client(client, db_session, settings, "zhuren", "supervisor")
    header = ",".join(LEDGER_COLUMNS).encode() + b"\r\n"
    response = await upload(client, header + b"x" * (20 * 1024 * 1024))
    assert response.status_code == 422 and "文件超过 20 MB" in response.text
    assert not list((settings.upload_dir / "ledger").iterdir())


async def test_a_town_supervisor_imports_only_within_their_town(client, db_session, settings, district):
    await ledger_client(client, db_session, settings, "suozhang", "supervisor", district.town_a_org)
    rows = [ledger_row(), ledger_row(案件编号="A-2", 镇街="东湖街道", 村居="湖滨社区", 调解组织="东湖街道人民调解委员会")]
    response = await upload(client, csv_bytes(rows))
    report = await client.get(response.headers["location"])
    assert '<td>3</td><td class="nowrap">镇街</td><td>不在您的管辖范围内</td>' in report.text
    assert await committed(db_session, MediationCase) == 0


async def test_someone_elses_upload_is_neither_shown_nor_confirmed(client, db_session, settings, district):
    await ledger_client(client, db_session, settings, "zhuren", "supervisor")
    response = await upload(client, csv_bytes([ledger_row()]))
    report_url = response.headers["location"]
    await ledger_client(client, db_session, settings, "suozhang", "supervisor", district.town_a_org)
    assert (await client.get(report_url)).status_code == 404
    assert (await post_form(client, report_url + "/confirm")).status_code == 404
    assert await committed(db_session, MediationCase) == 0


async def test_a_town_supervisor_exports_only_their_towns_cases(client, db_session, settings, district):
    rows = [ledger_row(案件编号="C-1"), ledger_row(案件编号="C-2", 村居="大岭村"),
            ledger_row(案件编号="E-1", 镇街="东湖街道", 村居="湖滨社区", 调解组织="东湖街道人民调解委员会")]
    await add_user(db_session, settings, "admin", "admin", name="管理员")
    await LedgerService(db_session, settings).import_rows(
        LedgerActor(None, "clerk"), "台账.csv", list(LEDGER_COLUMNS), list(enumerate(as_cells(rows), start=2)))
    await ledger_client(client, db_session, settings, "suozhang", "supervisor", district.town_a_org)
    response = await post_form(client, "/ledger/export", {"date_from": "2024-01-01", "date_to": "2024-12-31",
                                                          "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment; filename*=UTF-8''")
    assert response.headers["cache-control"] == "private, no-store"
    header, found = read_table(response.content, "x.csv")
    assert header == list(LEDGER_COLUMNS)
    assert [cells[0] for _, cells in found] == ["C-1", "C-2"]
    excel = await post_form(client, "/ledger/export", {"format": "xlsx"})
    assert excel.status_code == 200 and excel.content.startswith(b"PK")
    header, found = read_table(excel.content, "x.xlsx")
    assert [cells[0] for _, cells in found] == ["C-1", "C-2"]
    assert not [path for path in (settings.upload_dir / "ledger").iterdir()]  # the download was removed
    audit = (await db_session.execute(
        select(LedgerTransfer.actor_name, LedgerTransfer.scope, LedgerTransfer.exported_count, LedgerTransfer.date_from,
               LedgerTransfer.file_name)
        .where(LedgerTransfer.action == "export").order_by(LedgerTransfer.id))).all()
    assert [tuple(row) for row in audit] == [
        ("suozhang姓名", "城关镇人民调解委员会", 2, date(2024, 1, 1), "矛盾纠纷调解台账_2024-01-01_2024-12-31.csv"),
        ("suozhang姓名", "城关镇人民调解委员会", 2, None, "矛盾纠纷调解台账_最早_最新.xlsx")]


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"date_from": "2024-02-30", "format": "csv"}, "date_from", "日期格式应为 年-月-日"),
    ({"date_from": "2024-05-03", "date_to": "2024-05-01", "format": "xlsx"}, "date_to", "截止日期不能早于起始日期"),
    ({"date_from": "2024-05-01"}, "format", "请选择文件格式（CSV 或 Excel）"),
])
async def test_export_form_errors_keep_what_was_chosen(client, db_session, settings, district, form, field, message):
    await ledger_client(client, db_session, settings, "zhuren", "supervisor")
    response = await post_form(client, "/ledger/export", form)
    assert response.status_code == 422
    assert f'<p class="error" id="e-{field}">{message}</p>' in response.text
    assert f'value="{form["date_from"]}"' in response.text
    if form.get("format"):
        assert f'value="{form["format"]}" checked' in response.text
    assert await committed(db_session, LedgerTransfer) == 0


async def test_administrators_see_every_import_and_export_in_the_audit(client, db_session, settings, district):
    await add_user(db_session, settings, "admin", "admin", name="管理员")
    service = LedgerService(db_session, settings)
    await service.import_rows(LedgerActor(None, "ledger-clerk"), "命令行台账.csv", list(LEDGER_COLUMNS),
                              [(2, as_cells([ledger_row()])[0])], dry_run=True)
    await ledger_client(client, db_session, settings, "zhuren", "supervisor")
    await post_form(client, "/ledger/export", {"date_from": "2024-01-01", "format": "csv"})
    await sign_in(client, "admin")
    page = await client.get("/ledger")
    assert "导入导出记录" in page.text
    assert page.text.index("zhuren姓名") < page.text.index("ledger-clerk")  # newest first
    assert "命令行台账.csv" in page.text and "导入校验" in page.text and "命令行" in page.text
    assert "2024-01-01 至 不限" in page.text and "矛盾纠纷调解台账_2024-01-01_最新.csv" in page.text
    first = await db_session.scalar(select(func.min(LedgerTransfer.id)))
    record = await client.get(f"/ledger/imports/{first}")
    assert record.status_code == 200 and "将新增 1 件，跳过 0 件" in record.text
    assert "确认导入" not in record.text  # a command-line dry run has nothing to confirm


async def test_the_audit_pages_back_through_older_records(client, db_session, settings, district):
    await add_user(db_session, settings, "admin", "admin", name="管理员")
    db_session.add_all([LedgerTransfer(action="export", channel="cli", actor_name=f"clerk{i}", file_name=f"f{i}.csv",
                                       scope="全区（命令行）", status="done") for i in range(55)])
    await db_session.commit()
    await sign_in(client, "admin")
    page = await client.get("/ledger")
    assert "f54.csv" in page.text and "f5.csv" in page.text and "f4.csv" not in page.text
    before = page.text.split('<a href="/ledger?before=')[1].split('"')[0]
    older = await client.get(f"/ledger?before={before}")
    assert "f4.csv" in older.text and "f0.csv" in older.text and "f5.csv" not in older.text
    assert "更早的记录" not in older.text


async def test_a_running_import_shows_its_progress_and_is_polled(client, db_session, settings, district):
    await ledger_client(client, db_session, settings, "zhuren", "supervisor")
    user_id = await db_session.scalar(select(User.id).where(User.username == "zhuren"))
    job = LedgerTransfer(action="import", channel="web", user_id=user_id, actor_name="zhuren姓名",
                         file_name="大台账.csv", scope="全区", status="running")
    db_session.add(job)
    await db_session.commit()
    fragment = await client.get(f"/ledger/imports/{job.id}", headers={"HX-Request": "true"})
    assert f'hx-get="/ledger/imports/{job.id}" hx-trigger="every 1s"' in fragment.text
    assert "<html" not in fragment.text and "正在校验并导入" in fragment.text
    page = await client.get(f"/ledger/imports/{job.id}")
    assert "<html" in page.text and 'hx-trigger="every 1s"' in page.text

    engine = database.create_engine(settings.database_url)
    jobs = LedgerJobs(async_sessionmaker(engine), settings)
    jobs.reporter(job.id)(500, 2000)
    view = await LedgerService(db_session, settings, jobs).transfer(
        await current_user(db_session, "zhuren"), job.id)
    await engine.dispose()
    assert (view.running, view.progress, view.percent) == (True, (500, 2000), 25)


async def test_an_import_no_process_finished_is_shown_as_interrupted(client, db_session, settings, district):
    await ledger_client(client, db_session, settings, "zhuren", "supervisor")
    user_id = await db_session.scalar(select(User.id).where(User.username == "zhuren"))
    job = LedgerTransfer(action="import", channel="web", user_id=user_id, actor_name="zhuren姓名",
                         file_name="大台账.csv", scope="全区", status="running",
                         started_at=utcnow() - timedelta(hours=3))
    db_session.add(job)
    await db_session.commit()
    fragment = await client.get(f"/ledger/imports/{job.id}", headers={"HX-Request": "true"})
    assert "every 1s" not in fragment.text and "导入未能完成（服务可能已重启），未写入任何数据" in fragment.text
