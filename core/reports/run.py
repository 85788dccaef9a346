"""Running a report: access, parameters, query, totals and chart, in that order (:func:`run_report`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from core.errors import ValidationError
from core.i18n import _
from core.reports.declaration import Column, Link, Report
from core.reports.params import ReportParams
from core.reports.registry import check_access, get_report

if TYPE_CHECKING:
    from core.security.env import Env

__all__ = ["ReportParamsError", "ReportResult", "bind_params", "local_today", "run_report"]


class ReportParamsError(ValidationError):
    """The parameters were refused (``errors``: field -> message; ``form``: the bound form). No query ran."""

    def __init__(self, form: ReportParams) -> None:
        messages = form.error_messages()
        super().__init__(_("The report parameters are not valid: %(errors)s", errors="; ".join(messages)),
                         {name: "; ".join(errs) for name, errs in form.errors.items()})
        self.form = form


@dataclass
class ReportResult:
    """A computed report: its form, columns, rows, totals row and chart option."""

    report: Report
    form: ReportParams
    params: dict[str, Any]
    columns: list[Column]
    rows: list[Mapping[str, Any]]
    totals: dict[str, Any] | None = None
    chart: dict[str, Any] | None = None
    computed_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def cell_link(self, row: Mapping[str, Any], column: Column) -> Link | None:
        """The drill-down of one cell (the column's, else the row's for the first column)."""
        if column.link is not None:
            return column.link(row, self.params)
        if self.report.row_link is not None and column is self.columns[0]:
            return self.report.row_link(row, self.params)
        return None


class _EmptyParams(ReportParams):
    """The form of a report without parameters."""


def local_today(env: Env) -> dt.date:
    """Today in the company's time zone."""
    from core.measures import company_tz

    return dt.datetime.now(company_tz(env)).date()


def bind_params(env: Env, report: Report, data: Mapping[str, Any] | None, today: dt.date | None = None) -> ReportParams:
    """The report's parameter form bound to ``data`` for ``env``'s user (not validated yet)."""
    cls = report.params or _EmptyParams
    return cls.bind(env, report, data, today or local_today(env))


def run_report(
    env: Env,
    report: Report | str,
    data: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
    form: ReportParams | None = None,
) -> ReportResult:
    """Compute ``report`` for ``env``'s user with the parameters ``data`` (a query string or stored params).

    Order: the report must be enabled for the company
    (:class:`~core.reports.registry.UnknownReport`), the user must be allowed
    to run it (:class:`~core.errors.AccessDenied`), the parameters must pass
    the form (:class:`ReportParamsError`, no query runs); then the rows come
    from ``report.query(env, params)`` through ``env.select`` (rules apply),
    the totals and the chart from the rows. ``today`` (company time zone by
    default) resolves preset periods.
    """
    if isinstance(report, str):
        report = get_report(env, report)
    check_access(env, report)
    form = form or bind_params(env, report, data, today)
    if not form.validate():
        raise ReportParamsError(form)
    params = form.values()
    columns = report.columns_for(env, params)
    rows = list(report.query(env, params))
    totals = compute_totals(columns, rows) if report.totals else None
    chart = report.chart(rows, columns, params) if report.chart is not None else None
    return ReportResult(report, form, params, columns, rows, totals, chart)


def compute_totals(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The totals row: sums of ``total="sum"`` columns first, then the computed ones (ratios)."""
    totals: dict[str, Any] = {}
    for c in columns:
        if c.total == "sum":
            values = [r.get(c.key) for r in rows if r.get(c.key) is not None]
            zero: Any = Decimal(0) if c.format in ("money", "decimal", "percent") else 0
            totals[c.key] = sum(values, zero)
    for c in columns:
        if callable(c.total):
            totals[c.key] = c.total(rows, totals)
    return totals


def ratio(numerator: str, denominator: str, places: int = 2) -> Callable[[Sequence[Mapping[str, Any]], Mapping[str, Any]], Decimal]:
    """A ``total`` for a percent column: ``100 * totals[numerator] / totals[denominator]`` (0 when empty)."""

    def compute(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Decimal:
        top, bottom = Decimal(totals.get(numerator) or 0), Decimal(totals.get(denominator) or 0)
        if not bottom:
            return Decimal(0).quantize(Decimal(1).scaleb(-places))
        return (top / bottom * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    return compute
