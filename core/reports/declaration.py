"""What an addon declares for a report: :class:`Report`, its :class:`Column` s and drill-down :class:`Link` s."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.errors import TixiError

if TYPE_CHECKING:
    from core.reports.params import ReportParams
    from core.security.env import Env

__all__ = ["FORMATS", "Column", "Link", "Report"]

#: Cell formats: how a value is shown, exported and aligned.
FORMATS: tuple[str, ...] = ("text", "integer", "money", "decimal", "percent", "date")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Link:
    """Where a cell (or a row) leads: a record's detail page, another report, or a Flask endpoint.

    Build one with :meth:`record`, :meth:`report` or :meth:`endpoint`; the web
    shell turns it into a URL (a record without a detail page links nowhere).
    """

    kind: str
    target: str
    values: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def record(cls, model: str, res_id: int) -> Link:
        """The detail page of record ``res_id`` of the table ``model`` (``"pricing_quote"``)."""
        return cls("record", model, {"id": res_id})

    @classmethod
    def report(cls, code: str, **params: Any) -> Link:
        """Another report (or the same) with these parameters (``Link.report("pricing.margin", by="product")``)."""
        return cls("report", code, params)

    @classmethod
    def endpoint(cls, endpoint: str, **values: Any) -> Link:
        """A Flask endpoint of an addon (``Link.endpoint("masterdata.customer_detail", id=3)``)."""
        return cls("endpoint", endpoint, values)


@dataclass(frozen=True)
class Column:
    """One column of a report: its key in the rows, header, format, alignment, total, drill-down.

    * ``format``: one of :data:`FORMATS`. ``money`` is a ``Decimal`` shown with
      ``places`` (2) decimals and thousands separators, ``percent`` a number
      of percent (``12.5`` shows ``12.50%``), ``integer`` an ``int``, ``date``
      a date (``2026-12-03``), ``text`` anything else.
    * ``align``: ``"start"`` or ``"end"``; default: numbers at the end.
    * ``total``: ``"sum"`` to add the column up in the totals row, or a
      function ``(rows, totals) -> value`` (a ratio of two summed columns).
    * ``link``: ``(row, params) -> Link | None``, the cell's drill-down.
    """

    key: str
    label: Any
    format: str = "text"
    places: int | None = None
    align: str | None = None
    total: str | Callable[[Sequence[Mapping[str, Any]], Mapping[str, Any]], Any] | None = None
    link: Callable[[Mapping[str, Any], Mapping[str, Any]], Link | None] | None = None

    @property
    def numeric(self) -> bool:
        """Whether the column holds numbers (right-aligned, numbers in the .xlsx)."""
        return self.format in ("integer", "money", "decimal", "percent")

    @property
    def alignment(self) -> str:
        """``start`` or ``end``."""
        return self.align or ("end" if self.numeric else "start")

    @property
    def decimals(self) -> int:
        """Decimals shown: ``places``, else 2 for money/decimal/percent, 0 otherwise."""
        if self.places is not None:
            return self.places
        return 2 if self.format in ("money", "decimal", "percent") else 0


@dataclass(frozen=True)
class Report:
    """A report an addon contributes through ``tixi_reports()``.

    * ``code``: ``<addon>.<name>`` (the addon prefix is the declaring addon).
    * ``title``, ``description``: lazy msgids (``_l(...)``), shown in the reader's language.
    * ``params``: a :class:`core.reports.params.ReportParams` subclass (a WTForms
      form read from the query string; its ``setup(env)`` fills choices, its
      ``check(env)`` adds cross-field checks).
    * ``query(env, params) -> list[dict]``: the rows, built on ``env.select``
      (record rules apply); ``params`` is the validated form's ``values()``.
    * ``columns``: a sequence of :class:`Column`, or ``(env, params) -> columns``
      when the parameters choose them (dimensions).
    * ``totals``: add a totals row (columns with ``total``).
    * ``chart(rows, columns, params) -> dict | None``: an ECharts option from the rows.
    * ``row_link(row, params) -> Link | None``: a drill-down for the whole row.
    * Access, checked before any parameter is read: ``model`` (read right on
      that table), ``groups`` (one of these group codes), ``restricted_field``
      (``(model class, field name)``: a restricted field the user must see);
      a refusal raises :class:`~core.errors.AccessDenied` with ``denied``
      (a msgid) or a generic message.
    * ``max_days``: longest period allowed (``None``: no limit).
    """

    code: str
    title: Any
    query: Callable[[Env, Mapping[str, Any]], Sequence[Mapping[str, Any]]]
    columns: Sequence[Column] | Callable[[Env, Mapping[str, Any]], Sequence[Column]]
    params: type[ReportParams] | None = None
    description: Any = None
    totals: bool = False
    chart: Callable[[Sequence[Mapping[str, Any]], Sequence[Column], Mapping[str, Any]], dict | None] | None = None
    row_link: Callable[[Mapping[str, Any], Mapping[str, Any]], Link | None] | None = None
    model: str | None = None
    groups: tuple[str, ...] = ()
    restricted_field: tuple[Any, str] | None = None
    denied: str | None = None
    max_days: int | None = 731
    sequence: int = 100
    addon: str = field(default="", compare=False)

    @property
    def name(self) -> str:
        """The part of the code after the addon prefix."""
        return self.code.split(".", 1)[1]

    def columns_for(self, env: Env, params: Mapping[str, Any]) -> list[Column]:
        """The columns for these parameters."""
        cols = self.columns(env, params) if callable(self.columns) else self.columns
        return list(cols)


def check_declaration(report: Any, owner: str | None) -> None:
    """Refuse a malformed declaration with a :class:`TixiError` naming it."""
    if not isinstance(report, Report) or not CODE_RE.match(report.code):
        raise TixiError(f"report {getattr(report, 'code', report)!r}: not a Report named '<addon>.<name>'")
    if owner is not None and report.code.split(".", 1)[0] != owner:
        raise TixiError(f"report {report.code}: declared by addon {owner!r}, must be named '{owner}.<name>'")
    if not callable(report.columns):
        keys = [c.key for c in report.columns]
        if len(set(keys)) != len(keys):
            raise TixiError(f"report {report.code}: two columns with one key")
        bad = [c.format for c in report.columns if c.format not in FORMATS]
        if bad:
            raise TixiError(f"report {report.code}: unknown column format {bad[0]!r}")
