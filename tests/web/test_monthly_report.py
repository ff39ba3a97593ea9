"""The monthly summary's definitions on hand-built cases at the edges, read back from CSV and XLSX."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from mediation.cli import main
from mediation.domain.reports import FIXED_COLUMNS
from tests.conftest import add_user, sign_in
from tests.web.report_support import seed_march

pytestmark = pytest.mark.anyio


@pytest.fixture
async def cases(db_session, settings):
    return await seed_march(db_session, settings)


def columns(row):
    return dict(zip([*FIXED_COLUMNS, "婚姻家庭", "邻里", "房屋宅基地", "合同"], row, strict=False))


EXPECTED = {
    "城关镇": {"受理数": "2", "结案数": "2", "调解成功数": "1", "成功率(%)": "50.0", "协议涉及金额(万元)": "1.24",
             "书面协议数": "1", "口头协议数": "0", "司法确认申请数": "1", "在办数": "1", "逾期在办数": "0",
             "平均办理天数": "15.5", "防止民转刑件数": "1", "防止民转刑人数": "2", "防止群体性上访件数": "1",
             "防止群体性上访人数": "5", "邻里": "1", "合同": "1"},
    "东湖街道": {"受理数": "2", "结案数": "0", "调解成功数": "0", "成功率(%)": "0.0", "协议涉及金额(万元)": "0.00",
              "在办数": "3", "逾期在办数": "1", "平均办理天数": "0.0", "邻里": "2"},
    "合计": {"受理数": "4", "结案数": "2", "调解成功数": "1", "成功率(%)": "50.0", "协议涉及金额(万元)": "1.24",
           "在办数": "4", "逾期在办数": "1", "平均办理天数": "15.5", "防止民转刑人数": "2"},
}


def check(rows):
    assert [row[0] for row in rows] == ["城关镇", "东湖街道", "合计"]
    for row in rows:
        found = columns(row)
        for name, value in EXPECTED[row[0]].items():
            assert found[name] == value, (row[0], name)


@pytest.fixture
def run_cli(database_url, monkeypatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    monkeypatch.setenv("MEDIATION_SECRET_KEY", "cli-test-secret-key-0123456789-abcdef")
    runner = CliRunner()

    async def invoke(*args):
        import anyio

        return await anyio.to_thread.run_sync(lambda: runner.invoke(main, list(args), catch_exceptions=False))

    return invoke


async def test_csv_from_the_command_line(cases, run_cli, tmp_path):
    output = tmp_path / "m.csv"
    result = await run_cli("report", "monthly", "--month", "2026-03", "--output", str(output))
    assert result.exit_code == 0, result.output
    data = output.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][: len(FIXED_COLUMNS)] == list(FIXED_COLUMNS)
    assert rows[0][len(FIXED_COLUMNS):][:4] == ["婚姻家庭", "邻里", "房屋宅基地", "合同"] and rows[0][-1] == "其他"
    check(rows[1:])


async def test_xlsx_cells(cases, run_cli, tmp_path):
    output = tmp_path / "m.xlsx"
    result = await run_cli("report", "monthly", "--month", "2026-03", "--format", "xlsx", "--output", str(output))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(output).active
    assert sheet.freeze_panes == "B2"
    rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [row[0] for row in rows] == ["城关镇", "东湖街道", "合计"]
    total = dict(zip(FIXED_COLUMNS, rows[2]))
    assert total["受理数"] == 4 and total["成功率(%)"] == 50.0 and total["协议涉及金额(万元)"] == 1.24
    assert sheet._charts, "the workbook holds a native chart of the types"


async def test_a_month_without_closed_cases_and_bad_months(cases, run_cli, tmp_path):
    output = tmp_path / "m.csv"
    assert (await run_cli("report", "monthly", "--month", "2025-05", "--output", str(output))).exit_code == 0
    rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert all(columns(row)["成功率(%)"] == "0.0" and columns(row)["结案数"] == "0" for row in rows[1:])
    for bad, message in (("2026-13", "month must be YYYY-MM"), ("26-03", "month must be YYYY-MM"),
                         ("2999-01", "is in the future")):
        result = await run_cli("report", "monthly", "--month", bad, "--output", str(output))
        assert result.exit_code == 1 and message in result.output


async def test_report_page_and_downloads(cases, client, db_session, settings):
    await sign_in(client, "zhuren")
    page = await client.get("/reports/monthly", params={"month": "2026-03"})
    assert page.status_code == 200 and "2026 年 3 月" in page.text and "<th scope=\"row\">合计</th>" in page.text
    download = await client.get("/reports/monthly.csv", params={"month": "2026-03"})
    check(list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))[1:])
    xlsx = await client.get("/reports/monthly.xlsx", params={"month": "2026-03"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    bad = await client.get("/reports/monthly", params={"month": "2026-3x"})
    assert bad.status_code == 400 and "月份格式应为 YYYY-MM" in bad.text
    future = await client.get("/reports/monthly", params={"month": "2999-01"})
    assert "不能统计尚未到来的月份" in future.text
    await add_user(db_session, settings, "chuangkou", "counter")
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await sign_in(client, "chuangkou")
    assert (await client.get("/reports/monthly")).status_code == 403
    assert (await client.get("/reports/monthly.csv")).status_code == 403
