"""Safe reading and writing of uploaded spreadsheets (.xlsx and .csv).

An upload is size-limited. An .xlsx is a zip: before openpyxl reads it we
refuse zip bombs (too many members, too much uncompressed data, an extreme
compression ratio) and any XML part that declares a DTD (the way to entity
expansion attacks: real .xlsx files never carry one); openpyxl itself parses
through defusedxml. A .csv may be UTF-8 (with or without BOM) or GB18030, as
saved by Chinese Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from addons.masterdata.lang import N_

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
MAX_ROWS = 200_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(ValueError):
    """The file cannot be read safely; ``message``/``params`` are translatable."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def _check_zip(data: bytes) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SpreadsheetError(N_("The file is not a valid .xlsx workbook.")) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise SpreadsheetError(N_("The workbook has too many parts (%(n)s)."), n=len(infos))
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_UNCOMPRESSED_BYTES or total > MAX_UNCOMPRESSED_BYTES:
                raise SpreadsheetError(N_("The workbook expands to more than %(mb)s MB: refused."), mb=MAX_UNCOMPRESSED_BYTES // 2**20)
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1_000_000:
                raise SpreadsheetError(N_("The workbook is compressed suspiciously well (a zip bomb?): refused."))
        for info in infos:
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with zf.open(info) as fh:
                tail = b""
                read = 0
                while True:
                    chunk = fh.read(1 << 16)
                    if not chunk:
                        break
                    read += len(chunk)
                    if read > info.file_size + 1024:
                        raise SpreadsheetError(N_("The workbook is damaged."))
                    window = (tail + chunk).upper()
                    if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                        raise SpreadsheetError(N_("The workbook contains XML declarations that are not allowed: refused."))
                    tail = chunk[-16:]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_xlsx(data: bytes) -> list[list[str]]:
    """Rows of the first sheet as strings (header row included), after the safety checks."""
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise SpreadsheetError(N_("Safe .xlsx parsing is not available on this server."))
    _check_zip(data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parse failure is the user's file
        raise SpreadsheetError(N_("The file is not a valid .xlsx workbook.")) from None
    try:
        ws = wb.worksheets[0]
        rows: list[list[str]] = []
        for raw in ws.iter_rows(values_only=True):
            row = [_cell(v) for v in raw]
            while row and row[-1] == "":
                row.pop()
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise SpreadsheetError(N_("The file has more than %(n)s rows."), n=MAX_ROWS)
    finally:
        wb.close()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def read_csv(data: bytes) -> list[list[str]]:
    """Rows of a CSV file (UTF-8, UTF-8 with BOM or GB18030; comma, semicolon or tab)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise SpreadsheetError(N_("The CSV file is neither UTF-8 nor GB18030 text."))
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for raw in csv.reader(io.StringIO(text), dialect):
        rows.append([c.strip() for c in raw])
        if len(rows) > MAX_ROWS + 1:
            raise SpreadsheetError(N_("The file has more than %(n)s rows."), n=MAX_ROWS)
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """Rows of an uploaded .xlsx or .csv file; :class:`SpreadsheetError` when refused."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError(N_("The file is larger than %(mb)s MB."), mb=MAX_UPLOAD_BYTES // 2**20)
    name = filename.lower()
    if name.endswith(".xlsx"):
        return read_xlsx(data)
    if name.endswith(".csv") or name.endswith(".txt"):
        return read_csv(data)
    raise SpreadsheetError(N_("Only .xlsx and .csv files can be imported."))


def safe_cell(value: Any) -> Any:
    """Escape text that a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1") -> bytes:
    """A one-sheet .xlsx (write-only mode, so memory stays flat); formula-looking text escaped."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append(list(header))
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
