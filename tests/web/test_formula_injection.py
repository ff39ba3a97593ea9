"""Spreadsheet formula injection: a cell that would start with =, +, -, @, a tab or a carriage return is
written with a leading ' in CSV and XLSX (CONTRACT.md), and reading the file back removes exactly that '.

Covered end to end: the monthly summary (town names, and a dispute type's name in the header) as the
web page downloads it, and the case ledger (village, party names, phone, summary) as
`mediation ledger export` writes it, with the village itself brought in by `mediation places import`."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import anyio
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from mediation.cli import main
from mediation.domain.places import PlaceTree
from mediation.models import Place
from mediation.services.dictionaries import DictionaryService
from mediation.services.places import PlaceService
from mediation.spreadsheets import read_table, read_table_file, write_csv
from tests.conftest import TEST_SECRET, add_user, post_form, sign_in
from tests.web.cases_support import intake_form, make_district

pytestmark = pytest.mark.anyio

# One name per dangerous first character; tab and CR survive only where nothing strips the input.
TOWNS = ['=HYPERLINK("http://example.invalid","点我")', "+1+2镇", "-3+4镇", "@SUM(1,2)镇", "\t=5+6镇", "\r=7+8镇"]
TYPE_NAME = "=1+1类"
VILLAGE = '=HYPERLINK("mailto:x@example.invalid","村")'
APPLICANT = "=SUM(1+1)*cmd|' /C calc'!A0"
RESPONDENT = "@王五"
PHONE = "+8613812345678"
SUMMARY = "-10元纠纷：双方因欠款发生争执"


def raw_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_cells(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def assert_neutralised(data: bytes, kind: str, dangerous: list[str]) -> None:
    """Each dangerous text is stored as ' + text, and no XLSX cell is a formula."""
    if kind == "csv":
        cells = [cell for row in raw_csv(data) for cell in row]
        for text in dangerous:
            assert "'" + text in cells, f"{text!r} is not written with a leading ' in the CSV"
            assert text not in cells, f"{text!r} is written bare in the CSV"
    else:
        cells = xlsx_cells(data)
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a formula cell in the XLSX"
        values = {cell.value for cell in cells if cell.data_type == "s"}
        for text in map(as_in_xlsx, dangerous):
            assert "'" + text in values, f"{text!r} is not written with a leading ' in the XLSX"
            assert text not in values, f"{text!r} is written bare in the XLSX"


def as_in_xlsx(text: str) -> str:
    """XML reads a carriage return in a cell back as a line feed; the leading ' is there all the same."""
    return text.replace("\r", "\n")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "a=b", "普通文字"])
def test_write_then_read_gives_back_the_same_text(text):
    header, rows = read_table(write_csv(["单位"], [[text]]), "x.csv")
    assert header == ["单位"] and rows == [(2, [text])]


async def test_monthly_summary_neutralises_town_and_type_names(client, db_session, settings):
    tree = PlaceTree()
    for index, town in enumerate(TOWNS):
        tree.add(town, f"第{index}村", "")
    await PlaceService(db_session).import_tree(tree)
    await DictionaryService(db_session).add("dispute_type", TYPE_NAME)
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    await sign_in(client, "zhuren")
    month = datetime.now(ZoneInfo(settings.timezone)).strftime("%Y-%m")
    for kind in ("csv", "xlsx"):
        response = await client.get(f"/reports/monthly.{kind}", params={"month": month})
        assert response.status_code == 200, kind
        assert_neutralised(response.content, kind, [*TOWNS, TYPE_NAME])
        header, rows = read_table(response.content, f"summary.{kind}")
        assert TYPE_NAME in header, kind
        read_back = [cells[0] for _, cells in rows]
        if kind == "xlsx":
            # XML turned the leading CR into a LF, which is no formula character: that cell keeps its '.
            assert read_back.pop(TOWNS.index("\r=7+8镇")) == "'\n=7+8镇"
            assert read_back == [town for town in TOWNS if town != "\r=7+8镇"] + ["合计"]
        else:
            assert read_back == [*TOWNS, "合计"]


@pytest.fixture
def run_cli(settings, monkeypatch):
    """`mediation …` on the test database, in a worker thread (the command runs its own event loop)."""
    monkeypatch.setenv("MEDIATION_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MEDIATION_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("MEDIATION_UPLOAD_DIR", str(settings.upload_dir))
    monkeypatch.delenv("MEDIATION_ENV", raising=False)

    async def invoke(*args: str):
        result = await anyio.to_thread.run_sync(
            lambda: CliRunner().invoke(main, list(args), catch_exceptions=False))
        assert result.exit_code == 0, result.output
        return result

    return invoke


async def test_ledger_export_neutralises_village_and_party_cells(client, db_session, settings, run_cli, tmp_path):
    district = await make_district(db_session)
    places = tmp_path / "places.csv"
    # The places file itself holds the village escaped, as the product writes such a cell.
    places.write_bytes(write_csv(["镇街", "村居", "网格"], [["城关镇", VILLAGE, ""]]))
    assert "'=HYPERLINK" in places.read_text(encoding="utf-8-sig")
    await run_cli("places", "import", str(places))
    village = await db_session.scalar(select(Place.id).where(Place.name == VILLAGE))
    assert village is not None, "the leading ' was not removed on reading the places file"

    await add_user(db_session, settings, "chuangkou", "counter", name="陈窗口")
    await sign_in(client, "chuangkou")
    response = await post_form(client, "/cases/new", intake_form(district, village=village, summary=SUMMARY, **{
        "applicant-0-name": APPLICANT, "applicant-0-phone": PHONE, "respondent-0-name": RESPONDENT}))
    assert response.status_code == 303, response.text[:2000]

    expected = {"村居": VILLAGE, "申请人姓名": APPLICANT, "申请人电话": PHONE, "被申请人姓名": RESPONDENT,
                "纠纷简要情况": SUMMARY}
    for kind in ("csv", "xlsx"):
        target: Path = tmp_path / f"ledger.{kind}"
        await run_cli("ledger", "export", str(target))
        assert_neutralised(target.read_bytes(), kind, list(expected.values()))
        header, rows = read_table_file(target)
        (_, cells), = rows
        record = dict(zip(header, cells, strict=True))
        assert {name: record[name] for name in expected} == expected, kind
