"""Pages of the field_activity addon (blueprint ``field_activity``, under ``/field_activity``).

* ``/field_activity/today``: the salesperson's phone page (a PWA: manifest and
  service worker served here, no CDN): today's route, the visit form (check-in
  with the phone's position, photo, the type's steps) and the daily report
  form, working offline; entries wait in IndexedDB and go to ``/sync``;
* ``/field_activity/sync``: the batch sync (JSON), one record per entry key;
* ``/field_activity/plan``: next week's plan (from the fixed route, key visits), submit;
  ``/field_activity/plan/<id>``: the plan, the manager's review (comment, change, confirm, return);
* ``/field_activity/month``: this month's (or ``?month=``) sales and action plan, built from the
  salesperson's customers (class visit frequency when crm_cards is enabled), reviewed like a week's;
* ``/field_activity/summary``: the monthly work summary with next month's key points;
* ``/field_activity/inspections/``, ``/field_activity/competitors/``: market inspection reports and
  competitor records (lists and details; the forms ``/field_activity/inspection/new`` and
  ``/field_activity/competitor/new?visit=<id>``);
* ``/field_activity/route``: the weekly fixed route per weekday, with a suggested order;
* ``/field_activity/meeting``: the manager's weekly-meeting page;
* ``/field_activity/team``: who has (not) submitted the daily report, flagged check-ins;
* ``/field_activity/visits/<id>``: a visit and its photos; generic lists of visits and daily reports.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from addons.masterdata.models import Customer
from core.errors import AccessDenied, ValidationError
from core.i18n import _, _l
from core.security import approvals
from core.web.generic import Filter, ModelView
from core.web.menus import MenuItem

from . import services as svc
from .models import (
    PLAN_KIND,
    PLAN_STATE,
    REPORT_STATE,
    STEPS,
    WEEKDAYS,
    CompetitorRecord,
    DailyReport,
    MarketInspection,
    Plan,
    PlanLine,
    Visit,
    VisitType,
)
from .services.common import me, week_start

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("field_activity", __name__, url_prefix="/field_activity", template_folder="templates",
               static_folder="static", static_url_path="/static")
STATIC = Path(__file__).resolve().parent / "static"


def _choices(c: Any) -> list[tuple[Any, Any]]:
    return list(c.items())


visit_view = ModelView(
    name="field_activity.visit",
    model=Visit,
    label=_l("Visit"), label_plural=_l("Visits"),
    list_columns=["visit_date", "salesperson_id", "customer_id", "visit_type_id", "distance_m", "flagged",
                  "no_position"],
    filters=[Filter("visit_date", _l("Visit date")), Filter("flagged", _l("Flagged"))],
    detail_fields=["visit_date", "salesperson_id", "customer_id", "visit_type_id", "checkin_at", "checkout_at",
                   "latitude", "longitude", "distance_m", "flagged", "no_position", "contacts_met", "needs",
                   "competitor", "promises", "next_step", "follow_up_on", "order_amount", "notes"],
    field_labels={"visit_date": _l("Visit date"), "salesperson_id": _l("Salesperson"), "customer_id": _l("Customer"),
                  "visit_type_id": _l("Visit type"), "checkin_at": _l("Check-in"), "checkout_at": _l("Check-out"),
                  "latitude": _l("Latitude"), "longitude": _l("Longitude"), "distance_m": _l("Distance (m)"),
                  "flagged": _l("Flagged"), "no_position": _l("No position"), "contacts_met": _l("Contacts met"),
                  "needs": _l("Needs and decision makers"), "competitor": _l("Competitors seen and prices heard"),
                  "promises": _l("Samples or quotes promised"), "next_step": _l("Next step"),
                  "follow_up_on": _l("Follow-up date"), "order_amount": _l("Order amount"), "notes": _l("Notes")},
    order_by=["-visit_date", "-id"],
    url_prefix="/visit-list",
    can_create=False, can_edit=False,
)
visit_view.register(bp)

report_view = ModelView(
    name="field_activity.daily_report",
    model=DailyReport,
    label=_l("Daily sales report"), label_plural=_l("Daily sales reports"),
    list_columns=["report_date", "salesperson_id", "state", "visits_count", "orders_amount", "collections_amount",
                  "expenses_amount", "on_time"],
    filters=[Filter("report_date", _l("Report date")), Filter("state", _l("State"))],
    detail_fields=["report_date", "salesperson_id", "state", "submitted_at", "on_time", "visits_count",
                   "visits_summary", "orders_amount", "collections_amount", "expenses_amount", "problems", "tomorrow"],
    field_labels={"report_date": _l("Report date"), "salesperson_id": _l("Salesperson"), "state": _l("State"),
                  "submitted_at": _l("Submitted at"), "on_time": _l("On time"), "visits_count": _l("Visits"),
                  "visits_summary": _l("Visits of the day"), "orders_amount": _l("Orders"),
                  "collections_amount": _l("Collections"), "expenses_amount": _l("Expenses"),
                  "problems": _l("Problems"), "tomorrow": _l("Plan for tomorrow")},
    choices={"state": _choices(REPORT_STATE)},
    order_by=["-report_date", "-id"],
    url_prefix="/report-list",
    can_create=False, can_edit=False,
)
report_view.register(bp)


inspection_view = ModelView(
    name="field_activity.inspection",
    model=MarketInspection,
    label=_l("Market inspection report"), label_plural=_l("Market inspection reports"),
    list_columns=["date_from", "date_to", "salesperson_id", "area"],
    filters=[Filter("date_from", _l("From"))],
    detail_fields=["date_from", "date_to", "salesperson_id", "area", "customers_seen", "market_situation",
                   "competitor_activity", "problems", "suggestions"],
    field_labels={"date_from": _l("From"), "date_to": _l("To"), "salesperson_id": _l("Salesperson"),
                  "area": _l("Area inspected"), "customers_seen": _l("Customers seen"),
                  "market_situation": _l("Market situation"), "competitor_activity": _l("Competitor activity"),
                  "problems": _l("Problems"), "suggestions": _l("Suggestions")},
    order_by=["-date_from", "-id"],
    url_prefix="/inspections",
    can_create=False, can_edit=False, new_endpoint="field_activity.inspection_form",
)
inspection_view.register(bp)

competitor_view = ModelView(
    name="field_activity.competitor",
    model=CompetitorRecord,
    label=_l("Competitor record"), label_plural=_l("Competitor records"),
    list_columns=["record_date", "salesperson_id", "customer_id", "competitor", "competitor_product",
                  "competitor_price", "our_price", "market_share"],
    filters=[Filter("record_date", _l("Date"))],
    search_fields=["competitor", "competitor_product"],
    detail_fields=["record_date", "salesperson_id", "customer_id", "product_id", "visit_id", "competitor",
                   "competitor_product", "competitor_price", "our_price", "market_share", "strengths", "weaknesses",
                   "countermeasures"],
    field_labels={"record_date": _l("Date"), "salesperson_id": _l("Salesperson"), "customer_id": _l("Customer"),
                  "product_id": _l("Product variety"), "visit_id": _l("Visit"), "competitor": _l("Competitor"),
                  "competitor_product": _l("Competitor product"), "competitor_price": _l("Competitor price"),
                  "our_price": _l("Our price"), "market_share": _l("Market share (percent)"),
                  "strengths": _l("Strengths"), "weaknesses": _l("Weaknesses"),
                  "countermeasures": _l("Our countermeasures")},
    order_by=["-record_date", "-id"],
    url_prefix="/competitors",
    can_create=False, can_edit=False, new_endpoint="field_activity.competitor_form",
)
competitor_view.register(bp)


def menu_items(env: Env) -> list[Any]:
    """The addon's menu: today, plan, route, meeting, team, lists."""
    managers = ["core.group_territory_manager", "core.group_director", "core.group_general_manager"]
    return [
        MenuItem("field_activity", _l("Field activity"), "field_activity.today", model=Visit, sequence=35),
        MenuItem("field_activity_today", _l("Today's route"), "field_activity.today", model=Visit, sequence=1,
                 parent="field_activity"),
        MenuItem("field_activity_plan", _l("Next week's plan"), "field_activity.plan", model=Plan, perm="create",
                 sequence=2,
                 parent="field_activity"),
        MenuItem("field_activity_month", _l("Monthly plan"), "field_activity.month", model=Plan, perm="create",
                 sequence=2,
                 parent="field_activity"),
        MenuItem("field_activity_route", _l("Weekly fixed route"), "field_activity.route_page", model=Plan,
                 sequence=3, parent="field_activity"),
        MenuItem("field_activity_summary", _l("Monthly work summary"), "field_activity.summary", model=Plan,
                 sequence=8, parent="field_activity"),
        MenuItem("field_activity_inspections", _l("Market inspection reports"), "field_activity.inspection_list",
                 model=MarketInspection, sequence=9, parent="field_activity"),
        MenuItem("field_activity_competitors", _l("Competitor records"), "field_activity.competitor_list",
                 model=CompetitorRecord, sequence=10, parent="field_activity"),
        MenuItem("field_activity_meeting", _l("Weekly meeting"), "field_activity.meeting_page", model=Visit,
                 sequence=4, parent="field_activity", group=managers),
        MenuItem("field_activity_team", _l("Daily reports of the team"), "field_activity.team_page", model=Visit,
                 sequence=5, parent="field_activity", group=managers),
        MenuItem("field_activity_visits", _l("Visits"), "field_activity.visit_list", model=Visit, sequence=6,
                 parent="field_activity"),
        MenuItem("field_activity_reports", _l("Daily sales reports"), "field_activity.daily_report_list",
                 model=DailyReport, sequence=7, parent="field_activity"),
        MenuItem("field_activity_settings", _l("Field activity settings"), "field_activity.settings_page",
                 model=VisitType, sequence=20, parent="field_activity",
                 group=["core.group_director", "core.group_admin"]),
    ]


# ----- the PWA shell ------------------------------------------------------------------------------
@bp.route("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the blueprint's root so its scope is ``/field_activity/``."""
    body = (STATIC / "sw.js").read_text(encoding="utf-8")
    assets = [url_for("tixi.vendor", filename="bootstrap/bootstrap.min.css"),
              url_for("tixi.vendor", filename="bootstrap/bootstrap.bundle.min.js"),
              url_for("static", filename="tixi.css"), url_for("static", filename="tixi.js"),
              url_for("static", filename="favicon.svg"),
              url_for("field_activity.static", filename="field_activity.js"),
              url_for("field_activity.static", filename="offline_forms.js"),
              url_for("field_activity.manifest")]
    pages = [url_for(".today"), url_for(".summary"), url_for(".inspection_form"), url_for(".competitor_form")]
    body = (body.replace("__ASSETS__", json.dumps(assets)).replace("__TODAY__", json.dumps(url_for(".today")))
            .replace("__PAGES__", json.dumps(pages)))
    resp = Response(body, mimetype="text/javascript")
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Service-Worker-Allowed"] = url_for(".today").rsplit("/", 1)[0] + "/"
    return resp


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest (installable on the phone's home screen)."""
    data = {"name": _("Field activity"), "short_name": _("Today's route"), "start_url": url_for(".today"),
            "scope": url_for(".today").rsplit("/", 1)[0] + "/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#0d6efd",
            "icons": [{"src": url_for("static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"}]}
    return Response(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")


def _step_labels() -> dict[str, str]:
    return {k: str(STEPS.label(k)) for k in STEPS}


@bp.route("/")
def index() -> Any:
    """The start page is today's route."""
    return redirect(url_for(".today"))


@bp.route("/today")
def today() -> Response:
    """Today's route with the visit and daily report forms (all in the page: it works offline)."""
    env = g.env
    emp = me(env)
    day = svc.local_today(env)
    stops = svc.today_route(env, emp.id, day) if emp else []
    types = [{"id": t.id, "name": t.display(), "steps": t.step_list(), "photo_required": t.photo_required}
             for t in env.search(VisitType, order_by=[VisitType.sequence, VisitType.id])]
    report = svc.find_report(env, emp.id, day) if emp else None
    done = [{"customer": v.customer.display() if v.customer else "", "time": v.checkin_at.isoformat() if v.checkin_at else "",
             "flagged": v.flagged, "no_position": v.no_position}
            for v in (env.search(Visit, Visit.salesperson_id == emp.id, Visit.visit_date == day,
                                 order_by=[Visit.checkin_at, Visit.id]) if emp else [])]
    config = {
        "today": day.isoformat(), "sync_url": url_for(".sync_endpoint"), "sw_url": url_for(".service_worker"),
        "scope": url_for(".today").rsplit("/", 1)[0] + "/",
        "user": env.user_id, "stops": stops, "types": types, "steps": _step_labels(), "done": done,
        "report_state": report.state if report else None, "max_photo_kb": svc.settings(env).max_photo_kb,
        "messages": {
            "queued": _("Saved on the phone: %(n)s waiting to be sent."), "synced": _("Sent: the server holds it."),
            "offline": _("No network: entries stay on the phone and are sent when the network returns."),
            "conflict": _("Conflict: the server keeps its version; yours is kept on the phone."),
            "error": _("Not accepted"), "no_position": _("No position: the visit is recorded and marked."),
            "pick_customer": _("Choose the customer visited."), "sending": _("Sending…"),
            "photo_big": _("The photo is too large: at most %(max)s KB.", max=svc.settings(env).max_photo_kb),
            "photo_type": _("The photo must be an image (JPEG, PNG or WebP)."),
            "visit_saved": _("Visit saved."), "report_saved": _("Daily report saved."),
            "pending_none": _("Nothing waiting."), "checked_in": _("Checked in at %(time)s"),
        },
    }
    resp = make_response(render_template("field_activity/today.html", emp=emp, day=day, config=config, stops=stops,
                                         types=types, report=report, customers=_my_customers(env, emp)))
    # the check-in needs the phone's position and the photo its camera (the kernel denies both elsewhere)
    resp.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=(self)"
    return resp


def _my_customers(env: Env, emp: Any) -> list[dict[str, Any]]:
    """Customers the salesperson may visit off-route: the ones they own (first 300 by name)."""
    if emp is None:
        return []
    rows = env.search(Customer, Customer.owner_id == emp.id, Customer.active.is_(True),
                      order_by=[Customer.name_zh], limit=300)
    return [{"id": c.id, "name": c.display()} for c in rows]


@bp.route("/sync", methods=["POST"])
def sync_endpoint() -> Any:
    """The offline queue's batch: ``{"entries": [{"key", "kind": "visit"|"report", "data", "photo"}]}``."""
    env = g.env
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("entries"), list):
        return jsonify(error="invalid", message=_("This entry cannot be read; record it again.")), 400
    try:
        results = svc.sync(env, payload["entries"])
    except ValidationError as exc:
        return jsonify(error="invalid", message=str(exc)), 422
    return jsonify(results=results)


# ----- visits -------------------------------------------------------------------------------------
@bp.route("/visits/<int:visit_id>")
def visit_page(visit_id: int) -> str:
    """A visit, its check-in facts and its photos (the visit's rules decide; photos follow)."""
    env = g.env
    visit = env.get(Visit, visit_id)
    return render_template("field_activity/visit.html", visit=visit, photos=svc.visit_photos(env, visit),
                           steps=visit.visit_type.step_list() if visit.visit_type else [], step_label=STEPS.label,
                           can_update_customer=env.can(Customer, "write"))


@bp.route("/visits/<int:visit_id>/customer", methods=["POST"])
def visit_customer(visit_id: int) -> Any:
    """What the visit brought back about the customer (目标客户基本信息): address, industry, province, city."""
    env = g.env
    visit = env.get(Visit, visit_id)
    values = {k: request.form.get(k) for k in ("address", "industry", "province", "city") if k in request.form}
    try:
        svc.update_from_visit(env, visit, values)
        flash(_("Customer information saved."), "success")
    except ValidationError as exc:
        flash(str(exc), "danger")
    return redirect(url_for(".visit_page", visit_id=visit.id), code=303)


# ----- plans and the review -------------------------------------------------------------------------
@bp.route("/plan", methods=["GET", "POST"])
def plan() -> Any:
    """Next week's plan of the user (created from the fixed route), with key visits; submit it."""
    env = g.env
    emp = me(env)
    if emp is None:
        raise AccessDenied(_("You have no employee record in this company, so you cannot record visits."))
    start = week_start(svc.local_today(env)) + dt.timedelta(days=7)
    if request.values.get("week"):
        try:
            start = week_start(dt.date.fromisoformat(request.values["week"]))
        except ValueError:
            flash(_("Enter the date as YYYY-MM-DD."), "danger")
    record = svc.week_plan(env, emp.id, start)
    return redirect(url_for(".plan_page", plan_id=record.id))


@bp.route("/plan/<int:plan_id>", methods=["GET", "POST"])
def plan_page(plan_id: int) -> Any:
    """A plan: its lines; the salesperson adds lines, marks key visits, submits; the manager reviews."""
    env = g.env
    record = env.get(Plan, plan_id)
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "add":
                svc.add_line(env, record, int(request.form.get("customer_id") or 0), request.form.get("planned_on"),
                             request.form.get("purpose"), key=bool(request.form.get("key")))
                flash(_("Planned visit added."), "success")
            elif action == "key":
                line = env.get(PlanLine, int(request.form["line_id"]), "write")
                if line.plan_id != record.id:
                    abort(404)
                svc.plans._check_editable(env, record)
                env.write(line, {"key": not line.key})
            elif action == "target":
                svc.set_sales_target(env, record, request.form.get("sales_target"), request.form.get("note"))
                flash(_("Sales target saved."), "success")
            elif action == "submit":
                svc.submit_plan(env, record, request.form.get("comment"))
                flash(_("Plan submitted to the manager."), "success")
            elif action in ("confirm", "return"):
                changes = [{"id": int(k.split("_", 1)[1]), "key": True} for k in request.form if k.startswith("key_")]
                keyed = {c["id"] for c in changes}
                changes += [{"id": line.id, "key": False} for line in record.lines if line.key and line.id not in keyed]
                svc.review_plan(env, record, action == "confirm", request.form.get("comment"), changes)
                flash(_("Plan confirmed.") if action == "confirm" else _("Plan returned for changes."), "success")
            else:
                abort(400)
            return redirect(url_for(".plan_page", plan_id=record.id), code=303)
        except ValidationError as exc:
            flash(str(exc), "danger")
            status = 422
    wf = svc.PLAN_WORKFLOW
    mine = record.salesperson_id == getattr(me(env), "id", None)
    if record.kind == "month":
        end = svc.plans.month_end(record.period_start)
        days = [record.period_start + dt.timedelta(days=i) for i in range((end - record.period_start).days)]
        figures = svc.month_figures(env, record)
    else:
        days, figures = [record.period_start + dt.timedelta(days=i) for i in range(7)], None
    return render_template(
        "field_activity/plan.html", plan=record, mine=mine, state_label=PLAN_STATE.label, kind_label=PLAN_KIND.label,
        transitions=[t.name for t in approvals.available(env, wf, record)],
        history=approvals.history(env, wf, record), customers=_my_customers(env, record.salesperson),
        days=days, weekday=WEEKDAYS.label, figures=figures,
    ), status


@bp.route("/month")
def month() -> Any:
    """The user's monthly sales and action plan (this month, or ``?month=YYYY-MM-DD``), created when missing."""
    env = g.env
    emp = me(env)
    if emp is None:
        raise AccessDenied(_("You have no employee record in this company, so you cannot record visits."))
    first = svc.local_today(env).replace(day=1)
    if request.values.get("month"):
        try:
            first = dt.date.fromisoformat(request.values["month"][:10]).replace(day=1)
        except ValueError:
            flash(_("Enter the date as YYYY-MM-DD."), "danger")
    record = svc.month_plan(env, emp.id, first)
    return redirect(url_for(".plan_page", plan_id=record.id))


@bp.route("/summary", methods=["GET", "POST"])
def summary() -> Any:
    """The user's monthly work summary (this month, or ``?month=``): the month's figures, what was
    done, problems, next month's key points; saved as a draft or submitted."""
    env = g.env
    emp = me(env)
    if emp is None:
        raise AccessDenied(_("You have no employee record in this company, so you cannot record visits."))
    first = svc.local_today(env).replace(day=1)
    if request.values.get("month"):
        try:
            first = dt.date.fromisoformat(request.values["month"][:10]).replace(day=1)
        except ValueError:
            flash(_("Enter the date as YYYY-MM-DD."), "danger")
    status = 200
    if request.method == "POST":
        try:
            svc.save_month_summary(env, {**request.form.to_dict(), "month": first.isoformat()},
                                   submit=request.form.get("action") == "submit")
            flash(_("Monthly work summary saved."), "success")
            return redirect(url_for(".summary", month=first.isoformat()), code=303)
        except ValidationError as exc:
            flash(str(exc), "danger")
            status = 422
    row = svc.month_summary(env, emp.id, first)
    return render_template("field_activity/summary.html", month=first, row=row, form=request.form,
                           facts=svc.month_facts(env, emp.id, first)), status


@bp.route("/inspection/new", methods=["GET", "POST"])
def inspection_form() -> Any:
    """A new market inspection report (市场巡视工作报告)."""
    env = g.env
    status = 200
    if request.method == "POST":
        try:
            record = svc.save_inspection(env, request.form.to_dict())
            flash(_("Market inspection report saved."), "success")
            return redirect(url_for(".inspection_detail", id=record.id), code=303)
        except ValidationError as exc:
            flash(str(exc), "danger")
            status = 422
    return render_template("field_activity/inspection_form.html", form=request.form,
                           today=svc.local_today(env)), status


@bp.route("/competitor/new", methods=["GET", "POST"])
def competitor_form() -> Any:
    """A new competitor record (竞争产品分析), from a visit with ``?visit=<id>``."""
    env = g.env
    visit = env.get(Visit, request.values.get("visit", type=int)) if request.values.get("visit") else None
    status = 200
    if request.method == "POST":
        try:
            record = svc.save_competitor(env, request.form.to_dict(), visit=visit)
            flash(_("Competitor record saved."), "success")
            return redirect(url_for(".competitor_detail", id=record.id), code=303)
        except ValidationError as exc:
            flash(str(exc), "danger")
            status = 422
    from addons.masterdata.models import Product

    products = [{"id": p.id, "name": p.display()} for p in env.search(Product, Product.active.is_(True),
                                                                              order_by=[Product.code], limit=300)]
    return render_template("field_activity/competitor_form.html", form=request.form, visit=visit,
                           customers=_my_customers(env, me(env)), products=products,
                           today=svc.local_today(env)), status


@bp.route("/route", methods=["GET", "POST"])
def route_page() -> Any:
    """The user's weekly fixed route, one ordered list per weekday; a suggested order."""
    env = g.env
    emp = me(env)
    if emp is None:
        raise AccessDenied(_("You have no employee record in this company, so you cannot record visits."))
    status = 200
    if request.method == "POST":
        try:
            weekday = int(request.form.get("weekday", -1))
            ids = [int(x) for x in request.form.getlist("customer_id") if x]
            if request.form.get("action") == "suggest":
                ids = svc.suggested_order(env, ids)
            svc.set_route(env, emp.id, weekday, ids)
            flash(_("Route saved."), "success")
            return redirect(url_for(".route_page"), code=303)
        except (ValueError, ValidationError) as exc:
            flash(str(exc) if isinstance(exc, ValidationError) else _("Choose a weekday."), "danger")
            status = 422
    stops = svc.route(env, emp.id)
    by_day: dict[int, list[Any]] = {d: [] for d in range(7)}
    for s in stops:
        by_day[s.weekday].append(s)
    return render_template("field_activity/route.html", by_day=by_day, weekday=WEEKDAYS.label,
                           customers=_my_customers(env, emp)), status


@bp.route("/meeting")
def meeting_page() -> str:
    """The weekly meeting: the manager's salespeople side by side."""
    env = g.env
    try:
        days = int(request.args.get("days") or 0) or None
    except ValueError:
        days = None
    manager_id = request.args.get("manager", type=int)
    data = svc.meeting(env, manager_id, days=days, page=request.args.get("page", 1, type=int) or 1)
    return render_template("field_activity/meeting.html", data=data, state_label=PLAN_STATE.label)


@bp.route("/team")
def team_page() -> str:
    """Who has (not) submitted the daily report of a day; flagged check-ins of the last 30 days."""
    env = g.env
    day = svc.local_today(env)
    if request.args.get("day"):
        try:
            day = dt.date.fromisoformat(request.args["day"])
        except ValueError:
            flash(_("Enter the date as YYYY-MM-DD."), "danger")
    return render_template("field_activity/team.html", day=day, rows=svc.team_status(env, day),
                           flagged=svc.flagged_visits(env, since=day - dt.timedelta(days=30)))


# ----- settings and visit types (the director, an administrator) -------------------------------------

STEP_ROWS = len(STEPS)


def _require_editor(env: Env) -> None:
    from .services.config import EDITORS

    if not env.in_group(*EDITORS):
        raise AccessDenied(_("Only the director or an administrator changes the field activity settings."))


@bp.route("/settings", methods=["GET", "POST"])
def settings_page() -> Any:
    """The company's field rules (radius, cut-off hour, not-visited days, photo size) and its visit types."""
    env = g.env
    _require_editor(env)
    errors: dict[str, str] = {}
    status = 200
    current = svc.settings(env)
    values = {k: getattr(current, k) for k in ("radius_m", "cutoff_hour", "not_visited_days", "max_photo_kb")}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            svc.save_settings(env, values)
        except ValidationError as exc:
            g.tx_failed = True
            errors, status = dict(exc.errors) or {"radius_m": str(exc)}, 422
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for(".settings_page"), code=303)
    types = env.search(VisitType, order_by=[VisitType.sequence, VisitType.id])
    return render_template("field_activity/settings.html", values=values, errors=errors, types=types,
                           step_label=STEPS.label), status


@bp.route("/visit-types/new", methods=["GET", "POST"], endpoint="visit_type_new")
@bp.route("/visit-types/<int:type_id>", methods=["GET", "POST"], endpoint="visit_type_edit")
def visit_type_edit(type_id: int | None = None) -> Any:
    """A visit type: code, names, its steps in order, whether a photo is required."""
    env = g.env
    _require_editor(env)
    vtype = env.get(VisitType, type_id) if type_id else None
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = request.form.to_dict()
        steps = [request.form.get(f"step_{i}") or "" for i in range(STEP_ROWS)]
        try:
            vtype = svc.save_visit_type(env, values, steps, vtype=vtype)
        except ValidationError as exc:
            g.tx_failed = True
            errors, status = dict(exc.errors) or {"code": str(exc)}, 422
        else:
            flash(_("Visit type saved."), "success")
            return redirect(url_for(".settings_page"), code=303)
    else:
        steps = vtype.step_list() if vtype else ["checkin", "photo", "contacts", "next_step", "checkout"]
        values = ({"code": vtype.code, "name_zh": vtype.name_zh, "name_en": vtype.name_en,
                   "photo_required": "1" if vtype.photo_required else "", "sequence": vtype.sequence}
                  if vtype else {"photo_required": "1", "sequence": 10})
    steps = (list(steps) + [""] * STEP_ROWS)[:STEP_ROWS]
    return render_template("field_activity/visit_type.html", vtype=vtype, values=values, errors=errors,
                           steps=steps, step_choices=[(k, STEPS.label(k)) for k in STEPS]), status
