"""Reading CSV (UTF-8 with or without BOM, GBK) and XLSX files as CONTRACT.md describes."""

import io

import pytest
from openpyxl import Workbook

from mediation.spreadsheets import SpreadsheetError, normalize_header, read_table, unescape_cell

CSV_TEXT = "镇街,村居,网格\r\n城关镇,石门村,第一网格\r\n\r\n东湖街道,湖滨社区,\r\n"


@pytest.mark.parametrize("data", [CSV_TEXT.encode(), b"\xef\xbb\xbf" + CSV_TEXT.encode(), CSV_TEXT.encode("gbk")])
def test_csv_in_every_accepted_encoding(data):
    header, rows = read_table(data, "places.csv")
    assert header == ["镇街", "村居", "网格"]
    assert rows == [(2, ["城关镇", "石门村", "第一网格"]), (4, ["东湖街道", "湖滨社区", ""])]


def test_xlsx_with_number_and_date_cells():
    from datetime import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["镇街", "村居", "涉及金额（元）", "受理日期"])
    sheet.append(["城关镇", "石门村", 1200.0, datetime(2026, 3, 5)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    header, rows = read_table(buffer.getvalue(), "x.xlsx")
    assert header == ["镇街", "村居", "涉及金额(元)", "受理日期"]
    assert rows == [(2, ["城关镇", "石门村", "1200", "2026-03-05"])]


def test_full_width_brackets_are_the_same_header():
    assert normalize_header("涉及金额（元）") == normalize_header("涉及金额(元)") == "涉及金额(元)"


def test_one_leading_quote_before_a_formula_character_is_removed():
    assert unescape_cell("'=SUM(A1)") == "=SUM(A1)"
    assert unescape_cell("''=x") == "''=x"
    assert unescape_cell("'plain") == "'plain"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "the file is empty"),
        (b"\xff\xfe\x00\x00garbage\x81", "a.csv", "neither UTF-8 nor GB18030"),
        (b"not a zip", "a.xlsx", "not a readable .xlsx"),
        (b"x", "a.txt", "must be .csv or .xlsx"),
    ],
)
def test_unreadable_files(data, name, message):
    with pytest.raises(SpreadsheetError, match=message):
        read_table(data, name)
