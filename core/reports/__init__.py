"""The report centre: reports contributed by addons, computed through ``Env``, shown, exported, printed, subscribed.

An addon declares its reports with the start-up hook ``tixi_reports()``; the
kernel offers a company only the reports of the addons it enabled, and a
user only those they may run. Each report gets, from the kernel, a page with
its parameter form (``/reports/<code>?...``: GET parameters, shareable), the
table with formats and totals, an optional ECharts chart, drill-down links,
an .xlsx export, a print view and a PDF, and subscriptions::

    from core.i18n import _l
    from core.reports import Column, Link, PeriodParams, RecordField, Report

    class VisitParams(PeriodParams):
        salesperson = RecordField(_l("Salesperson"), model="masterdata_employee")

    def visits_by_customer(env, p):
        stmt = (env.select(Visit, "read", Visit.customer_id, func.count(Visit.id))
                .where(Visit.day.between(p["date_from"], p["date_to"])).group_by(Visit.customer_id))
        if p["salesperson"]:
            stmt = stmt.where(Visit.owner_id == p["salesperson"])
        return [{"customer": c, "visits": n} for c, n in env.execute(stmt)]

    REPORT = Report(
        "visits.by_customer", _l("Visits by customer"), query=visits_by_customer, params=VisitParams,
        columns=[Column("customer", _l("Customer"), link=lambda row, p: Link.record("masterdata_customer", row["customer"])),
                 Column("visits", _l("Visits"), "integer", total="sum")],
        totals=True, model="visits_visit")

Modules: :mod:`~core.reports.declaration` (``Report``, ``Column``, ``Link``),
:mod:`~core.reports.params` (the parameter forms), :mod:`~core.reports.registry`
(collecting, enabling, access), :mod:`~core.reports.run` (``run_report``),
:mod:`~core.reports.export` (.xlsx, print view, PDF) and
:mod:`~core.reports.subscriptions` (``subscribe``, ``deliver_due``).
"""

from core.reports.declaration import FORMATS, Column, Link, Report
from core.reports.params import (
    ChoiceField,
    MultiChoiceField,
    PeriodParams,
    RecordField,
    ReportParams,
)
from core.reports.registry import (
    UnknownReport,
    available_reports,
    can_run,
    check_access,
    get_report,
    reports,
)
from core.reports.run import ReportParamsError, ReportResult, ratio, run_report

__all__ = [
    "FORMATS",
    "ChoiceField",
    "Column",
    "Link",
    "MultiChoiceField",
    "PeriodParams",
    "RecordField",
    "Report",
    "ReportParams",
    "ReportParamsError",
    "ReportResult",
    "UnknownReport",
    "available_reports",
    "can_run",
    "check_access",
    "get_report",
    "ratio",
    "reports",
    "run_report",
]
