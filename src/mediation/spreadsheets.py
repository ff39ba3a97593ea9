"""Reading and writing the CSV and XLSX files of CONTRACT.md (encodings, headers, formula escaping)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FULL_WIDTH = str.maketrans({"（": "(", "）": ")", "\u3000": " "})


class SpreadsheetError(Exception):
    """The file cannot be read as a table at all (wrong format, undecodable text)."""


def normalize_header(name: str) -> str:
    """Header names match with half- and full-width brackets alike; `(元)` is written as in the contract."""
    return name.translate(_FULL_WIDTH).strip().lstrip("\ufeff")


def unescape_cell(value: str) -> str:
    """Remove the one leading `'` that was written to stop a spreadsheet running the cell as a formula."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def escape_cell(value: str) -> str:
    """A cell that a spreadsheet would run as a formula is written with a leading `'` (CONTRACT.md)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def write_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with a BOM (Excel opens it correctly), CRLF line ends, formula-looking cells escaped (the header's
    too: it may hold names an administrator chose, such as dispute types)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([escape_cell(cell) for cell in row] for row in [header, *rows])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError("the file is neither UTF-8 nor GB18030/GBK text") from exc


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the normalized header and the data rows, each with its line number (header = line 1)."""
    if filename.lower().endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
            raise SpreadsheetError("the file is not a readable .xlsx workbook") from exc
        sheet = workbook.worksheets[0]
        raw_rows = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    elif filename.lower().endswith(".csv"):
        try:
            raw_rows = list(csv.reader(io.StringIO(decode_text(data), newline="")))
        except csv.Error as exc:
            raise SpreadsheetError(f"the CSV file is malformed: {exc}") from exc
    else:
        raise SpreadsheetError("the file must be .csv or .xlsx")
    if not raw_rows or not any(cell.strip() for cell in raw_rows[0]):
        raise SpreadsheetError("the file is empty: line 1 must hold the column names")
    header = [normalize_header(unescape_cell(name)) for name in raw_rows[0]]
    while header and not header[-1]:
        header.pop()
    rows = [
        (line, [unescape_cell(cell) for cell in cells])
        for line, cells in enumerate(raw_rows[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    return header, rows


def read_table_file(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SpreadsheetError(f"cannot read {path}: {exc.strerror}") from exc
    return read_table(data, path.name)
