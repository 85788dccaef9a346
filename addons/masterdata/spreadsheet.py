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
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any
from xml.etree import ElementTree

from core.i18n import N_

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


NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


_COLS: dict[str, int] = {}


def _col_index(ref: str) -> int:
    letters = ref.rstrip("0123456789")
    idx = _COLS.get(letters)
    if idx is None:
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        idx = _COLS[letters] = n - 1
    return idx


def _first_sheet_path(zf: zipfile.ZipFile) -> str:
    """Path of the first worksheet, from the workbook and its relations (parsed with defusedxml)."""
    from defusedxml.ElementTree import fromstring

    workbook = fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
    sheet = workbook.find(f"{NS}sheets/{NS}sheet")
    if sheet is None:
        raise SpreadsheetError(N_("The workbook has no sheet."))
    rid = sheet.get(f"{NS_REL}id")
    rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    for rel in rels.iter(f"{NS_PKG}Relationship"):
        if rel.get("Id") == rid:
            target = rel.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else "xl/" + target.removeprefix("./")
    raise SpreadsheetError(N_("The workbook has no sheet."))


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    out: list[str] = []
    with zf.open("xl/sharedStrings.xml") as fh:
        for _event, el in ElementTree.iterparse(fh, events=("end",)):
            if el.tag == f"{NS}si":
                parts = [t.text or "" for t in el.findall(f"{NS}t")]
                parts += [t.text or "" for t in el.findall(f"{NS}r/{NS}t")]  # rich text runs, not phonetic rPh
                out.append("".join(parts))
                el.clear()
    return out


def read_xlsx(data: bytes) -> list[list[str]]:
    """Rows of the first sheet as strings (header row included), after the safety checks.

    The zip is checked first (:func:`_check_zip`: sizes, ratio, no DTD in any
    XML part). Small parts are parsed with defusedxml; the sheet and shared
    strings are streamed with the C expat parser (no DTD can be present, so no
    entity can be declared or expanded), which reads 100,000 rows in seconds
    where openpyxl's pure-Python path takes minutes. Numbers keep their exact
    text (``0.1`` stays ``"0.1"``), so amounts never pass through a float.
    """
    _check_zip(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            path = _first_sheet_path(zf)
            strings = _shared_strings(zf)
            rows: list[list[str]] = []
            tag_c, tag_row, tag_v = f"{NS}c", f"{NS}row", f"{NS}v"
            tag_is, tag_t = f"{NS}is", f"{NS}t"
            with zf.open(path) as fh:
                row: list[str] = []
                for _event, el in ElementTree.iterparse(fh, events=("end",)):
                    tag = el.tag
                    if tag == tag_c:
                        kind = el.get("t")
                        value = ""
                        for child in el:  # direct children: faster than find() with a path
                            ctag = child.tag
                            if ctag == tag_v:
                                value = child.text or ""
                            elif ctag == tag_is:
                                value = "".join(t.text or "" for t in child.iter(tag_t))
                        if kind == "s" and value:
                            value = strings[int(value)]
                        elif kind == "b":
                            value = "TRUE" if value == "1" else "FALSE"
                        elif kind is None and value.endswith(".0") and value[:-2].lstrip("-").isdigit():
                            value = value[:-2]
                        ref = el.get("r")
                        if ref:
                            idx = _col_index(ref)
                            if idx > len(row):
                                row.extend([""] * (idx - len(row)))
                        row.append(value.strip())
                    elif tag == tag_row:
                        number = el.get("r")
                        if number and number.isdigit():
                            while len(rows) < int(number) - 1:
                                rows.append([])  # empty rows are left out of the file
                        while row and row[-1] == "":
                            row.pop()
                        rows.append(row)
                        row = []
                        el.clear()
                        if len(rows) > MAX_ROWS + 1:
                            raise SpreadsheetError(N_("The file has more than %(n)s rows."), n=MAX_ROWS)
    except SpreadsheetError:
        raise
    except (KeyError, IndexError, ValueError, ElementTree.ParseError, zipfile.BadZipFile):
        raise SpreadsheetError(N_("The file is not a valid .xlsx workbook.")) from None
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
