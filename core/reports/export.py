"""A computed report as text cells, an .xlsx workbook, a print view (HTML) and a PDF (core.pdf)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.i18n import _, current_lang, label, use_lang
from core.reports.declaration import Column
from core.reports.params import choice_pairs

if TYPE_CHECKING:
    from core.reports.run import ReportResult
    from core.security.env import Env

__all__ = ["PRINT_TEMPLATE", "format_value", "render_print", "render_report_pdf", "safe_cell", "sheet_title", "to_xlsx"]

PRINT_TEMPLATE = "reports/print.html"
#: characters Excel refuses in a sheet name
_SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]\x00-\x1f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def format_value(column: Column, value: Any, lang: str | None = None) -> str:
    """A cell's text in ``lang``: grouped numbers with the column's decimals, ``12.50%``, ISO dates."""
    from core.pdf import format_number

    if value is None or value == "":
        return ""
    lang = lang or current_lang()
    if column.format in ("money", "decimal", "integer") and isinstance(value, (int, float, Decimal)):
        return format_number(value, column.decimals, lang)
    if column.format == "percent" and isinstance(value, (int, float, Decimal)):
        return format_number(value, column.decimals, lang) + "%"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return label(value, lang)


def safe_cell(value: Any) -> Any:
    """A string a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@`` ...) gets a leading quote."""
    if isinstance(value, str) and value[:1] in _FORMULA_START:
        return "'" + value
    return value


def sheet_title(title: Any) -> str:
    """A sheet name Excel accepts: no ``\\ / * ? : [ ]``, not starting or ending with a quote, 1-31 characters."""
    text = _SHEET_FORBIDDEN.sub("-", label(title)).strip().strip("'")
    return text[:31].strip() or "report"


def _xlsx_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.numeric and isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.replace(tzinfo=None) if isinstance(value, dt.datetime) else value
    return safe_cell(label(value))


def _number_format(column: Column) -> str | None:
    if column.format == "integer":
        return "#,##0"
    if column.format in ("money", "decimal", "percent"):
        return "#,##0" + ("." + "0" * column.decimals if column.decimals else "")
    if column.format == "date":
        return "yyyy-mm-dd"
    return None


def to_xlsx(result: ReportResult, lang: str | None = None) -> bytes:
    """The report as an .xlsx: title, parameters, header, rows, totals (numbers stay numbers, formulas escaped)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    lang = lang or current_lang(result.form.env)
    with use_lang(lang):
        title = label(result.report.title, lang)
        wb = Workbook()
        ws = wb.active
        ws.title = sheet_title(title)
        ws.append([safe_cell(title)])
        ws["A1"].font = Font(bold=True)
        summary = parameter_summary(result, lang)
        if summary:
            ws.append([safe_cell(summary)])
        ws.append([])
        ws.append([safe_cell(label(c.label, lang)) for c in result.columns])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        rows = list(result.rows)
        if result.totals is not None:
            rows.append({**{c.key: result.totals.get(c.key) for c in result.columns},
                         result.columns[0].key: result.totals.get(result.columns[0].key) or _("Total")})
        for row in rows:
            ws.append([_xlsx_value(c, row.get(c.key)) for c in result.columns])
            for cell, column in zip(ws[ws.max_row], result.columns, strict=False):
                fmt = _number_format(column)
                if fmt:
                    cell.number_format = fmt
                if column.alignment == "end":
                    cell.alignment = Alignment(horizontal="right")
        if result.totals is not None:
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parameter_summary(result: ReportResult, lang: str) -> str:
    """The parameters as one line (``Period: 2026-01-01 - 2026-12-31 · Territory: 华东``)."""
    parts = []
    form = result.form
    if "date_from" in form._fields and form.date_from.data and form.date_to.data:
        period = _("Period")
        parts.append(f"{period}: {form.date_from.data.isoformat()} - {form.date_to.data.isoformat()}")
    for name, f in form._fields.items():
        if name in ("period", "date_from", "date_to") or f.data in (None, "", [], ()):
            continue
        choices = {str(k): v for k, v in choice_pairs(getattr(f, "choices", None) or ())}
        values = f.data if isinstance(f.data, (list, tuple)) else [f.data]
        shown = ", ".join(label(choices.get(str(v), v), lang) for v in values)
        parts.append(f"{label(f.label.text, lang)}: {shown}")
    return " · ".join(parts)


def render_print(env: Env, result: ReportResult, *, screen: bool = False, **context: Any) -> str:
    """The print view of a computed report (letterhead, parameters, table, totals) as HTML."""
    from core.pdf import jinja_environment, letterhead, page_label

    lang = current_lang(env)
    with use_lang(lang):
        values = {
            "env": env, "lang": lang, "screen": screen, "today": dt.date.today(), "page_label": page_label(lang),
            "letterhead": letterhead(env), "result": result, "title": label(result.report.title, lang),
            "summary": parameter_summary(result, lang), "fmt": format_value, **context,
        }
        return jinja_environment(env.registry).get_template(PRINT_TEMPLATE).render(values)


def render_report_pdf(env: Env, result: ReportResult) -> bytes:
    """The PDF of a computed report (A4 landscape, letterhead, page numbers, Noto CJK) through core.pdf."""
    from core.pdf import html_to_pdf, static_folders

    return html_to_pdf(render_print(env, result, screen=False), static_folders(env.registry))
