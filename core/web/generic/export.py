"""The .xlsx export of a :class:`~core.web.generic.ModelView` list (formula-like cells escaped)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from flask import abort, g, send_file
from flask_babel import get_timezone
from markupsafe import Markup

from core.web.generic.declarations import escape_formula, tr

EXPORT_LIMIT = 100_000


class ExportMixin:
    """The export page of a :class:`~core.web.generic.ModelView`."""

    def export_view(self) -> Any:
        """The filtered list as an .xlsx file (formula-like cells escaped)."""
        from openpyxl import Workbook

        env = g.env
        if not self.export:
            abort(404)
        cols = self.shown_columns(env)
        stmt, _w, _o = self.list_query(env, cols)
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=_sheet_title(tr(self.label_plural)))
        ws.append([escape_formula(tr(c.label) if c.label is not None else self.field_label(c.name)) for c in cols])
        tz = get_timezone()
        offset = 0
        while True:  # batches: FK labels are loaded once per batch, not per row
            batch = list(env.scalars(stmt.limit(min(2000, EXPORT_LIMIT - offset)).offset(offset)))
            if not batch:
                break
            self.prefetch(batch, cols)
            for record in batch:
                ws.append([_xlsx_value(self.raw_value(record, c), tz) for c in cols])
            offset += len(batch)
            if offset >= EXPORT_LIMIT:
                break
        buf = io.BytesIO()
        wb.save(buf)
        buf.seek(0)
        filename = f"{self.key}-{dt.date.today().isoformat()}.xlsx"
        return send_file(
            buf,
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=filename,
        )


def _xlsx_value(value: Any, tz: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(tz) if tz is not None else value
            value = value.replace(tzinfo=None)
        return value
    if isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    if value is None:
        return None
    if isinstance(value, Markup):
        value = value.striptags()
    return escape_formula(str(value))


def _sheet_title(title: str) -> str:
    bad = '[]:*?/\\'
    clean = "".join(ch for ch in title if ch not in bad)[:31]
    return clean or "Sheet1"
