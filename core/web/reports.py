"""The report centre's pages (blueprint ``tixi_reports``, under ``/reports``).

* ``/reports/``: the reports the user may run, grouped by addon;
* ``/reports/<code>?...``: the parameter form (GET: the URL is shareable), the
  table (formats, totals, drill-down links), the chart; refused parameters
  are shown on the form and no query runs (HTTP 422);
* ``/reports/<code>/export.xlsx``, ``/reports/<code>/print`` and ``/print.pdf``:
  the same report with the same parameters (and the same checks);
* ``/reports/<code>/subscribe`` (POST), ``/reports/subscriptions`` (the user's
  own: edit, delete).

A report of an addon the company has not enabled answers 404; a report the
user may not run answers 403 on every one of these pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import Optional

from core.errors import ValidationError
from core.i18n import _, _l, current_lang, label
from core.reports import (
    Link,
    Report,
    ReportParamsError,
    ReportResult,
    UnknownReport,
    available_reports,
    run_report,
)
from core.reports import subscriptions as subs
from core.reports.export import format_value, render_print, render_report_pdf, sheet_title, to_xlsx
from core.reports.params import select_choices
from core.reports.registry import check_access, get_report
from core.reports.run import bind_params

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("tixi_reports", __name__, url_prefix="/reports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SubscribeForm(FlaskForm):
    """Schedule and channel of a subscription; ``params`` carries the report's query string."""

    params = HiddenField()
    schedule = SelectField(_l("Schedule"), choices=select_choices(subs.SCHEDULES.items()), default="weekly")
    weekday = SelectField(_l("Day of the week"), choices=select_choices(subs.WEEKDAYS.items()), default="0",
                          validators=[Optional()])
    day = SelectField(_l("Day of the month"), choices=select_choices((str(d), str(d)) for d in range(1, subs.MAX_DAY + 1)),
                      default="1", validators=[Optional()])
    channel = SelectField(_l("Send"), choices=select_choices(subs.CHANNELS.items()), default="inbox")
    active = BooleanField(_l("Active"), default=True)


# ----- helpers -------------------------------------------------------------------------------------
def _report(code: str) -> Report:
    try:
        report = get_report(g.env, code)
    except UnknownReport:
        abort(404)
    check_access(g.env, report)  # AccessDenied -> 403
    return report


def link_url(link: Link | None) -> str | None:
    """The URL of a drill-down link (``None`` when its target has no page here)."""
    if link is None:
        return None
    if link.kind == "record":
        from core.web.notifications import record_url

        return record_url(link.target, link.values.get("id"))
    try:
        if link.kind == "report":
            return url_for("tixi_reports.report", code=link.target, **_url_values(link.values))
        return url_for(link.target, **dict(link.values))
    except BuildError:
        return None


def _url_values(values: Any) -> dict[str, Any]:
    return {k: v for k, v in dict(values).items() if v not in (None, "", [])}


def _table(result: ReportResult) -> dict[str, Any]:
    """Cells as ``(text, url)`` per row, the totals row, and the header (what the templates show)."""
    lang = current_lang(g.env)
    cols = result.columns
    rows = []
    for row in result.rows:
        rows.append([(format_value(c, row.get(c.key), lang), link_url(result.cell_link(row, c))) for c in cols])
    totals = None
    if result.totals is not None:
        totals = [format_value(c, result.totals.get(c.key), lang) if c.key in result.totals else "" for c in cols]
        if not totals[0]:
            totals[0] = _("Total")
    return {"columns": cols, "rows": rows, "totals": totals}


def _args(form: Any) -> dict[str, list[str]]:
    return form.query_args().to_dict(flat=False)


def _compute(code: str) -> tuple[Report, Any, ReportResult | None]:
    report = _report(code)
    form = bind_params(g.env, report, request.args)
    try:
        return report, form, run_report(g.env, report, form=form)
    except ReportParamsError:
        return report, form, None


# ----- pages -------------------------------------------------------------------------------------
@bp.route("/")
def index() -> Any:
    """The reports the user may run, grouped by addon."""
    env = g.env
    groups: dict[str, list[Report]] = {}
    for r in available_reports(env):
        groups.setdefault(r.addon, []).append(r)
    titles = {name: _addon_label(env, name) for name in groups}
    return render_template("reports/index.html", groups=groups, titles=titles,
                           subscriptions=len(subs.my_subscriptions(env)))


def _addon_label(env: Env, name: str) -> str:
    manifest = env.registry.manifests.get(name)
    return label(getattr(manifest, "label", None) or name) if manifest is not None else name


@bp.route("/<code>")
def report(code: str) -> Any:
    """The report page: parameters, table, totals, chart, links to export, print, PDF and subscribe."""
    report, form, result = _compute(code)
    args = _args(form) if result is not None else request.args.to_dict(flat=False)
    sub_form = SubscribeForm()
    sub_form.params.data = urlencode([(k, v) for k, vs in args.items() for v in vs])
    status = 200 if result is not None else 422
    return render_template(
        "reports/report.html", report=report, form=form, result=result,
        table=_table(result) if result is not None else None, args=_url_values(args), sub_form=sub_form,
        chart_json=_chart_json(result), errors=form.error_messages() if result is None else [],
    ), status


def _chart_json(result: ReportResult | None) -> str | None:
    if result is None or not result.chart or not result.rows:
        return None
    import json

    return json.dumps(result.chart, ensure_ascii=False, default=str)


def _refused(form: Any) -> Any:
    return render_template("error.html", status=422, title=_("Invalid data"),
                           message=Markup("<br>").join(form.error_messages())), 422


@bp.route("/<code>/export.xlsx")
def export(code: str) -> Any:
    """The report as an .xlsx (same parameters and checks as the page)."""
    report, form, result = _compute(code)
    if result is None:
        return _refused(form)
    name = f"{sheet_title(label(report.title))}.xlsx"
    from urllib.parse import quote

    return Response(to_xlsx(result), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"{report.code}.xlsx\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "private, no-store",
    })


@bp.route("/<code>/print")
def print_view(code: str) -> Any:
    """The print view (the PDF's template in the browser)."""
    report, form, result = _compute(code)
    if result is None:
        return _refused(form)
    back = url_for("tixi_reports.report", code=code, **_url_values(_args(form)))
    pdf = url_for("tixi_reports.pdf", code=code, **_url_values(_args(form)))
    return render_print(g.env, result, screen=True, back_url=back, pdf_url=pdf,
                        table=_table(result))


@bp.route("/<code>/print.pdf")
def pdf(code: str) -> Any:
    """The report as a PDF (A4 landscape, letterhead, page numbers)."""
    from core.pdf import pdf_response

    report, form, result = _compute(code)
    if result is None:
        return _refused(form)
    return pdf_response(render_report_pdf(g.env, result), f"{sheet_title(label(report.title))}.pdf")


# ----- subscriptions ---------------------------------------------------------------------------
@bp.route("/<code>/subscribe", methods=["POST"])
def subscribe(code: str) -> Any:
    """Subscribe to the report with the parameters of the page."""
    report = _report(code)
    form = SubscribeForm()
    params = MultiDict(parse_qsl(form.params.data or "", keep_blank_values=False))
    if not form.validate_on_submit():
        flash(_("The subscription is not valid."), "danger")
        return redirect(url_for("tixi_reports.report", code=code, **params.to_dict(flat=False)))
    try:
        subs.subscribe(g.env, report.code, params, schedule=form.schedule.data, weekday=form.weekday.data,
                       day=form.day.data, channel=form.channel.data)
    except ValidationError as exc:
        g.env.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("tixi_reports.report", code=code, **params.to_dict(flat=False)))
    flash(_("Subscribed: you will receive this report on schedule."), "success")
    return redirect(url_for("tixi_reports.my_subscriptions"))


@bp.route("/subscriptions")
def my_subscriptions() -> Any:
    """The user's own subscriptions, each editable."""
    env = g.env
    from core.reports.registry import reports

    known = reports(env.registry)
    items = []
    for row in subs.my_subscriptions(env):
        form = SubscribeForm(formdata=None, obj=None, prefix=f"s{row.id}", schedule=row.schedule,
                             weekday=str(row.weekday if row.weekday is not None else 0),
                             day=str(row.day or 1), channel=row.channel, active=row.active)
        r = known.get(row.report_code)
        items.append({"row": row, "form": form, "title": label(r.title) if r else row.report_code,
                      "schedule": subs.schedule_label(row), "url": subs.report_path(row.report_code, _loads(row.params))})
    return render_template("reports/subscriptions.html", items=items, channels=subs.CHANNELS)


def _loads(text: str) -> dict[str, Any]:
    import json

    try:
        return json.loads(text or "{}")
    except ValueError:
        return {}


@bp.route("/subscriptions/<int:subscription_id>", methods=["POST"])
def edit_subscription(subscription_id: int) -> Any:
    """Change the schedule, channel or active flag of one of the user's subscriptions."""
    subs.get_subscription(g.env, subscription_id)  # another user's: 403
    form = SubscribeForm(prefix=f"s{subscription_id}")
    if not form.validate_on_submit():
        flash(_("The subscription is not valid."), "danger")
        return redirect(url_for("tixi_reports.my_subscriptions"))
    try:
        subs.update_subscription(g.env, subscription_id, schedule=form.schedule.data, weekday=form.weekday.data,
                                 day=form.day.data, channel=form.channel.data, active=form.active.data)
    except ValidationError as exc:
        g.env.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("tixi_reports.my_subscriptions"))
    flash(_("Subscription saved."), "success")
    return redirect(url_for("tixi_reports.my_subscriptions"))


@bp.route("/subscriptions/<int:subscription_id>/delete", methods=["POST"])
def delete_subscription(subscription_id: int) -> Any:
    """Delete one of the user's subscriptions."""
    subs.delete_subscription(g.env, subscription_id)
    flash(_("Subscription deleted."), "success")
    return redirect(url_for("tixi_reports.my_subscriptions"))
