"""Pages of the sales planning addon (blueprint ``sales_planning``, under ``/sales_planning``).

* ``/``: the plans of the company (current revisions), what is behind plan;
* ``/targets/new``, ``/territory-plans/new``: a company target, a territory plan answering one;
* ``/plan/<id>``: a revision: roll-up by dimension and quarter, approval buttons;
* ``/plan/<id>/allocate``: the allocation wizard (preview, then apply as a new revision);
* ``/plan/<id>/cells``: the cells, edited by hand and locked;
* ``/plan/<id>/revisions``, ``/plan/<id>/diff/<other>``: versions, cell-by-cell diff, restore (undo);
* ``/plan/<id>/consolidation``: a target against the plans of its territories;
* ``/plan/<id>/attainment``: plan vs actual with drill-down, chart and warnings;
* ``/forecast``: the salesperson's rolling forecast of the next three months, accuracy;
* ``/import``: sales lines from .xlsx (when the orders addon does not provide actuals).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from addons.masterdata.services import current_employee
from addons.territories.models import Territory
from core.errors import AccessDenied, ValidationError
from core.i18n import _, _l, current_lang
from core.web.generic import Col, Filter, ModelView
from core.web.menus import MenuItem

from . import charts
from .models import (
    DIMENSION_ORDER,
    DIMENSIONS,
    LEVEL,
    METRIC,
    PLAN_STATE,
    Forecast,
    ImportBatch,
    Plan,
    PlanType,
    Share,
)
from .services import actuals, allocation, plans
from .services.attainment import attainment
from .services.consolidation import consolidation
from .services.engine import quarter_of, week_label, week_of

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("sales_planning", __name__, url_prefix="/sales_planning", template_folder="templates")

OFFICE = ["core.group_director", "core.group_marketing_admin"]

share_view = ModelView(
    name="sales_planning.share",
    model=Share,
    label=_l("Customer share"), label_plural=_l("Customer shares"),
    list_columns=["customer_id", "salesperson_id", "percent", "date_from", "date_to"],
    filters=[Filter("customer_id", _l("Customer"))],
    form_fields=["customer_id", "salesperson_id", "percent", "date_from", "date_to"],
    field_labels={"customer_id": _l("Customer"), "salesperson_id": _l("Salesperson"),
                  "percent": _l("Share (0-1)"), "date_from": _l("From"), "date_to": _l("Until")},
    order_by=["customer_id", "-date_from"],
    url_prefix="/shares",
)
share_view.register(bp)

type_view = ModelView(
    name="sales_planning.plan_type",
    model=PlanType,
    label=_l("Plan type"), label_plural=_l("Plan types"),
    list_columns=["code", "name_zh", "name_en", "metric",
                  Col("dimensions", _l("Dimensions"), value=lambda t: "、".join(
                      DIMENSIONS.label(d) for d in t.dimension_list) if current_lang().startswith("zh")
                      else ", ".join(DIMENSIONS.label(d) for d in t.dimension_list)),
                  "level", "warn_behind", "warn_elapsed"],
    form_fields=["name_zh", "name_en", "warn_behind", "warn_elapsed"],
    field_labels={"code": _l("Code"), "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"),
                  "metric": _l("Metric"), "dimensions": _l("Dimensions"), "level": _l("Level"),
                  "warn_behind": _l("Warn when behind by (share)"),
                  "warn_elapsed": _l("Warn once this share of the period has gone")},
    choices={"metric": list(METRIC.items()), "level": list(LEVEL.items())},
    order_by=["code"],
    url_prefix="/plan-types",
    can_create=False,
)
type_view.register(bp)


def _forecast_readable(env: Env) -> bool:
    from .services import forecast as fc

    return fc.readable(env)


def menu_items(env: Env) -> list[Any]:
    """The addon's menu: plans, import, shares, plan types."""
    return [
        MenuItem("sales_planning", _l("Sales planning"), "sales_planning.index", model=Plan, sequence=35),
        MenuItem("sales_planning_plans", _l("Plans and targets"), "sales_planning.index", model=Plan, sequence=1,
                 parent="sales_planning"),
        MenuItem("sales_planning_forecast", _l("Rolling forecast"), "sales_planning.forecast_page", model=Forecast,
                 sequence=2, parent="sales_planning", visible=_forecast_readable),
        MenuItem("sales_planning_import", _l("Import sales"), "sales_planning.import_page", model=ImportBatch,
                 sequence=2, parent="sales_planning"),
        MenuItem("sales_planning_shares", _l("Customer shares"), "sales_planning.share_list", model=Share,
                 sequence=3, parent="sales_planning"),
        MenuItem("sales_planning_types", _l("Plan types"), "sales_planning.plan_type_list", model=PlanType,
                 sequence=4, parent="sales_planning", group=OFFICE + ["core.group_admin"]),
    ]


def _plan(plan_id: int) -> Plan:
    return g.env.get(Plan, plan_id)


def _money(value: Any) -> str:
    return "" if value is None else f"{Decimal(value):,.2f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{Decimal(value) * 100:.1f}%"


@bp.app_template_filter("sp_money")
def sp_money(value: Any) -> str:
    """Money with thousands separators."""
    return _money(value)


@bp.app_template_filter("sp_pct")
def sp_pct(value: Any) -> str:
    """A share as a percentage."""
    return _pct(value)


def _context() -> dict[str, Any]:
    return {"dim_label": DIMENSIONS.label, "state_label": PLAN_STATE.label, "lang": current_lang(g.env)}


# ----- index and creation ----------------------------------------------------------------------
@bp.route("/")
def index() -> str:
    """The current revision of every plan the user may read, newest year first."""
    env = g.env
    current = env.search(Plan, Plan.superseded_by_id.is_(None), order_by=[Plan.year.desc(), Plan.territory_id, Plan.id])
    targets = [p for p in current if p.plan_type.level == "company"]
    territory_plans = [p for p in current if p.plan_type.level != "company"]
    may_create = env.can(Plan, "create") and env.in_group(*OFFICE, "core.group_admin")
    managed = []
    me = current_employee(env)
    if me is not None and env.can(Plan, "create"):
        managed = env.search(Territory, Territory.manager_id == me.id)
    return render_template("sales_planning/index.html", targets=targets, territory_plans=territory_plans,
                           may_create=may_create, managed=managed, today=dt.date.today(), **_context())


@bp.route("/targets/new", methods=["GET", "POST"])
def new_target() -> Any:
    """A new company target (revision 1, draft), then the allocation wizard."""
    env = g.env
    if not env.in_group(*OFFICE, "core.group_admin"):
        raise AccessDenied(_("Only the director or marketing may set company targets."))
    types = env.search(PlanType, PlanType.level == "company", order_by=[PlanType.code])
    error, status = None, 200
    form = {"year": request.form.get("year", str(dt.date.today().year + 1)), "name": request.form.get("name", ""),
            "plan_type": request.form.get("plan_type", str(types[0].id) if types else ""),
            "horizon": request.form.get("horizon", "1")}
    if request.method == "POST":
        try:
            ptype = next((t for t in types if str(t.id) == form["plan_type"]), None)
            if ptype is None:
                raise ValidationError(_("Choose a plan type."))
            year = _int(form["year"], _("Enter a year between 2000 and 2100."))
            horizon = _int(form["horizon"], _("The horizon is 1 to 3 years."))
            plan = plans.create_plan(env, ptype, year, form["name"], horizon=horizon)
        except ValidationError as exc:
            error, status = str(exc), 422
        else:
            flash(_("Plan %(name)s created: now split it.", name=plan.name), "success")
            return redirect(url_for("sales_planning.allocate", plan_id=plan.id))
    return render_template("sales_planning/new_target.html", types=types, form=form, error=error,
                           **_context()), status


def _int(text: Any, message: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise ValidationError(message) from None


@bp.route("/territory-plans/new", methods=["GET", "POST"])
def new_territory_plan() -> Any:
    """A territory manager's plan answering a company target (revision 1, draft)."""
    env = g.env
    target = _plan(int(request.values.get("target_id", 0) or 0))
    territory = env.get(Territory, int(request.values.get("territory_id", 0) or 0))
    ptype = env.scalar(env.select(PlanType).where(PlanType.level == "territory", PlanType.metric ==
                                                  target.plan_type.metric).order_by(PlanType.id).limit(1))
    if ptype is None:
        abort(404)
    if request.method == "POST":
        try:
            me = current_employee(env)
            plan = plans.create_plan(env, ptype, target.year, f"{target.year} {territory.display()} {ptype.display()}",
                                     territory_id=territory.id, target=target, horizon=target.horizon,
                                     owner_id=me.id if me else None)
        except ValidationError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("sales_planning.index"))
        return redirect(url_for("sales_planning.allocate", plan_id=plan.id))
    return render_template("sales_planning/new_territory_plan.html", target=target, territory=territory,
                           ptype=ptype, goal=_territory_goal(env, target, territory.id), **_context())


def _territory_goal(env: Env, target: Plan, territory_id: int) -> Decimal | None:
    rows = {r.territory_id: r.target for r in consolidation(env, target)}
    return rows.get(territory_id)


# ----- a plan ----------------------------------------------------------------------------------
@bp.route("/plan/<int:plan_id>")
def plan_page(plan_id: int) -> str:
    """A revision: totals by a dimension and quarter, the approval buttons, where to go next."""
    env = g.env
    plan = _plan(plan_id)
    plan_dims = plans.dims(plan)
    by = request.args.get("by") or (plan_dims[0] if plan_dims else "")
    if by not in plan_dims:
        by = plan_dims[0] if plan_dims else ""
    cells = plans.read_cells(env, plan)
    at = plan_dims.index(by) if by else None
    rows: dict[Any, dict[dt.date, Decimal]] = {}
    quarters = sorted({quarter_of(m) for m in plans.months(plan)})
    for (member, month), value in cells.items():
        key = member[at] if at is not None else None
        row = rows.setdefault(key, {})
        q = quarter_of(month)
        row[q] = row.get(q, Decimal(0)) + value.amount
    from .measures import DIMS

    labels = next((d for d in DIMS if d.name == by), None)
    names = labels.labels(env, list(rows)) if labels else {}
    table = sorted(({"key": k, "name": names.get(k, str(k)), "quarters": v, "total": sum(v.values(), Decimal(0))}
                    for k, v in rows.items()), key=lambda r: -r["total"])
    latest = plans.latest(env, plan)
    return render_template(
        "sales_planning/plan.html", plan=plan, latest=latest, by=by, plan_dims=plan_dims, table=table,
        quarters=quarters, transitions=plans.available_transitions(env, plan), cell_count=len(cells),
        may_write=env.allowed(plan, "write") and plan.state == "draft" and plan.superseded_by_id is None,
        may_revise=env.allowed(latest, "write") and latest.state == "approved",
        may_split_weeks=env.allowed(latest, "write") and latest.grain == "month" and latest.state != "submitted"
        and bool(cells),
        total=sum((c.amount for c in cells.values()), Decimal(0)), **_context(),
    )


@bp.route("/plan/<int:plan_id>/fire/<transition>", methods=["POST"])
def fire(plan_id: int, transition: str) -> Any:
    """Submit, approve or send back a revision."""
    env = g.env
    plan = _plan(plan_id)
    if transition not in ("submit", "approve", "reject"):
        abort(404)
    try:
        plans.fire(env, plan, transition, comment=request.form.get("comment") or None)
    except ValidationError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("sales_planning.plan_page", plan_id=plan.id)), 303
    flash(_("Plan %(name)s: %(state)s.", name=plan.display(), state=PLAN_STATE.label(plan.state)), "success")
    return redirect(url_for("sales_planning.plan_page", plan_id=plan.id))


@bp.route("/plan/<int:plan_id>/weeks", methods=["POST"])
def weeks(plan_id: int) -> Any:
    """Allocate each month to its weeks: a new weekly revision."""
    env = g.env
    try:
        new = allocation.to_weeks(env, _plan(plan_id))
    except ValidationError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("sales_planning.plan_page", plan_id=plan_id))
    flash(_("Revision v%(n)s plans by weeks.", n=new.revision), "success")
    return redirect(url_for("sales_planning.plan_page", plan_id=new.id))


@bp.route("/plan/<int:plan_id>/revise", methods=["POST"])
def revise(plan_id: int) -> Any:
    """A new draft revision copied from this one."""
    env = g.env
    try:
        new = plans.new_revision(env, _plan(plan_id), note=request.form.get("note") or None)
    except ValidationError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("sales_planning.plan_page", plan_id=plan_id))
    flash(_("Revision v%(n)s started.", n=new.revision), "success")
    return redirect(url_for("sales_planning.plan_page", plan_id=new.id))


# ----- allocation wizard -----------------------------------------------------------------------
def _member_key(member: tuple) -> str:
    return "-".join("" if v is None else str(v) for v in member)


def _member_names(env: Env, plan: Plan, members: list[tuple]) -> dict[tuple, str]:
    from .measures import DIMS

    plan_dims = plans.dims(plan)
    by_dim = {d.name: d for d in DIMS}
    parts = {d: by_dim[d].labels(env, [m[i] for m in members]) for i, d in enumerate(plan_dims)}
    return {m: " · ".join(parts[d].get(m[i], "") for i, d in enumerate(plan_dims) if m[i] is not None)
            for m in members}


@bp.route("/plan/<int:plan_id>/allocate", methods=["GET", "POST"])
def allocate(plan_id: int) -> Any:
    """Split a total: choose the method and members, preview, then apply (a new revision)."""
    env = g.env
    plan = plans.latest(env, _plan(plan_id))
    if not env.allowed(plan, "write"):
        raise AccessDenied(_("You may not change this plan."))
    defaults = allocation.default_members(env, plan)
    if plan.target_id is not None and request.method == "GET":
        target = env.get(Plan, plan.target_id)
        goal = _territory_goal(env, target, plan.territory_id) if plan.territory_id else None
    else:
        goal = None
    form = {"total": request.form.get("total", str(goal) if goal is not None else str(plan.total_amount or "")),
            "method": request.form.get("method", "even"), "spread": request.form.get("spread", "even")}
    members = list(defaults)
    chosen = set(request.form.getlist("member")) if request.method == "POST" else {_member_key(m) for m in members}
    weights_in = {k[2:]: v for k, v in request.form.items() if k.startswith("w_")}
    names = _member_names(env, plan, members)
    proposal, error, status = None, None, 200
    if request.method == "POST":
        try:
            selected = [m for m in members if _member_key(m) in chosen]
            if form["method"] == "last_year" and not selected:
                selected = None  # last year's members
            weights = {m: weights_in.get(_member_key(m), "0") for m in (selected or [])}
            proposal = allocation.propose(env, plan, form["total"], form["method"], form["spread"],
                                          members=selected, weights=weights)
            if request.form.get("action") == "apply":
                new = allocation.apply(env, proposal)
                flash(_("Allocated %(total)s to %(n)s cells (v%(rev)s).", total=_money(proposal.total),
                        n=proposal.cell_count, rev=new.revision), "success")
                return redirect(url_for("sales_planning.plan_page", plan_id=new.id))
            names.update(_member_names(env, plan, [m for m in proposal.by_member if m not in names]))
        except ValidationError as exc:
            error, status, proposal = str(exc), 422, None
    quarters = sorted({quarter_of(m) for m in plans.months(plan)})
    return render_template(
        "sales_planning/allocate.html", plan=plan, form=form, members=members, names=names, chosen=chosen,
        weights=weights_in, member_key=_member_key, proposal=proposal, error=error, quarters=quarters,
        methods=allocation.METHODS, spreads=allocation.SPREADS, goal=goal, **_context(),
    ), status


# ----- cells -----------------------------------------------------------------------------------
def _period_label(period: dt.date, grain: str) -> str:
    """``2026-01``, or for a week part ``2026-W05 01-26``."""
    if grain == "week":
        return f"{week_label(week_of(period))} {period:%m-%d}"
    return f"{period:%Y-%m}"


@bp.route("/plan/<int:plan_id>/cells", methods=["GET", "POST"])
def cells(plan_id: int) -> Any:
    """The cells of a revision by member and month; a draft's are edited and locked here."""
    env = g.env
    plan = _plan(plan_id)
    data = plans.read_cells(env, plan)
    members = sorted({m for m, _mo in data}, key=lambda m: tuple(str(v) for v in m))
    error, status = None, 200
    if request.method == "POST":
        key = request.form.get("key", "")
        try:
            member_s, month_s = key.rsplit("|", 1)
            member = next(m for m in members if _member_key(m) == member_s)
            month = dt.date.fromisoformat(month_s)
        except (ValueError, StopIteration):
            abort(400)
        try:
            written = plans.set_cell(env, plan, (member, month), request.form.get("amount", ""),
                                     locked=request.form.get("locked") == "1")
        except ValidationError as exc:
            error, status = str(exc), 422
        else:
            return redirect(url_for("sales_planning.cells", plan_id=written.id, page=request.args.get("page", 1)))
    page = max(int(request.args.get("page", 1) or 1), 1)
    per = 20
    shown = members[(page - 1) * per: page * per]
    names = _member_names(env, plan, shown)
    return render_template(
        "sales_planning/cells.html", plan=plan, members=shown, names=names, data=data, months=plans.periods(plan),
        period_label=_period_label,
        page=page, pages=max((len(members) + per - 1) // per, 1), member_key=_member_key, error=error,
        may_write=env.allowed(plan, "write") and plan.state == "draft" and plan.superseded_by_id is None,
        **_context(),
    ), status


# ----- versions --------------------------------------------------------------------------------
@bp.route("/plan/<int:plan_id>/revisions")
def revisions(plan_id: int) -> str:
    """Every revision of the plan, with diff and restore."""
    env = g.env
    plan = _plan(plan_id)
    revs = plans.revisions(env, plan)
    return render_template("sales_planning/revisions.html", plan=plan, revs=revs,
                           may_write=env.allowed(plans.latest(env, plan), "write"), **_context())


@bp.route("/plan/<int:plan_id>/diff/<int:other_id>")
def diff(plan_id: int, other_id: int) -> str:
    """Cell-by-cell differences from ``other`` to this revision."""
    env = g.env
    plan, other = _plan(plan_id), _plan(other_id)
    if other.series_id != plan.series_id:
        abort(404)
    rows = plans.diff(env, other, plan)
    names = _member_names(env, plan, list({r["member"] for r in rows}))
    return render_template("sales_planning/diff.html", plan=plan, other=other, rows=rows, names=names,
                           **_context())


@bp.route("/plan/<int:plan_id>/restore/<int:revision_id>", methods=["POST"])
def restore(plan_id: int, revision_id: int) -> Any:
    """Undo by version: a new revision holding what an earlier one held."""
    env = g.env
    try:
        new = plans.restore(env, _plan(plan_id), _plan(revision_id))
    except ValidationError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("sales_planning.revisions", plan_id=plan_id))
    flash(_("Revision v%(n)s started.", n=new.revision), "success")
    return redirect(url_for("sales_planning.plan_page", plan_id=new.id))


# ----- consolidation and plan vs actual --------------------------------------------------------
@bp.route("/plan/<int:plan_id>/consolidation")
def consolidation_page(plan_id: int) -> str:
    """A company target against the plans of its territories: where they differ."""
    env = g.env
    target = _plan(plan_id)
    rows = consolidation(env, target)
    return render_template("sales_planning/consolidation.html", target=target, rows=rows,
                           total_target=sum((r.target for r in rows), Decimal(0)),
                           total_planned=sum((r.planned or Decimal(0) for r in rows), Decimal(0)), **_context())


DRILL_ORDER = ["territory", "salesperson", "customer", "product"]


def _next_dim(plan: Plan, by: str) -> str | None:
    order = DRILL_ORDER
    if by not in order:
        return order[0] if order else None
    i = order.index(by)
    return order[i + 1] if i + 1 < len(order) else None


@bp.route("/plan/<int:plan_id>/attainment")
def attainment_page(plan_id: int) -> Any:
    """Plan vs actual by a dimension (and a period grain), with drill-down to the next dimension."""
    env = g.env
    plan = _plan(plan_id)
    plan_dims = DRILL_ORDER
    by = request.args.get("by") or (["territory"] + plans.dims(plan))[0]
    if by not in plan_dims:
        by = plan_dims[0]
    grain = request.args.get("grain") or None
    filters: dict[str, list[Any]] = {}
    for d in DIMENSION_ORDER:
        raw = request.args.get(f"f_{d}")
        if raw:
            filters[d] = [raw if d == "settlement" else int(raw)] if (d == "settlement" or raw.isdigit()) else []
    try:
        res = attainment(env, plan, by=[by], grain=grain, filters=filters)
    except ValidationError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("sales_planning.plan_page", plan_id=plan.id))
    nxt = _next_dim(plan, by)
    chart = charts.attainment_chart(res)

    below = {}
    if by == "territory" and plan.territory_id is None:  # a target's region -> the region's own plan
        below = {p.territory_id: p for p in env.search(Plan, Plan.target_id == plan.series_id,
                                                        Plan.superseded_by_id.is_(None))}

    def drill(line: Any) -> str | None:
        if nxt is None or not line.key or line.key[0] is None:
            return None
        if line.key[0] in below:
            return url_for("sales_planning.attainment_page", plan_id=below[line.key[0]].id, by="salesperson",
                           grain=grain or "")
        args = {f"f_{d}": v[0] for d, v in filters.items() if v}
        args[f"f_{by}"] = line.key[0]
        return url_for("sales_planning.attainment_page", plan_id=plan.id, by=nxt, grain=grain or "", **args)

    return render_template(
        "sales_planning/attainment.html", plan=plan, res=res, by=by, grain=grain, plan_dims=plan_dims,
        filters=filters, next_dim=nxt, drill=drill, chart_json=json.dumps(chart, ensure_ascii=False, default=str),
        members_json=json.dumps(charts.members_chart(res), ensure_ascii=False, default=str),
        grains=[("", _("Whole period"))] + ([("week", _("Week"))] if res.plan.grain == "week" else [])
        + [("month", _("Month")), ("quarter", _("Quarter"))], **_context(),
    )


# ----- import ----------------------------------------------------------------------------------
@bp.route("/import", methods=["GET", "POST"])
def import_page() -> Any:
    """Upload sales lines (.xlsx or .csv): all or nothing, errors per row in the user's language."""
    env = g.env
    env.check(ImportBatch, "read")
    result, status = None, 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a file to import."), "danger")
            status = 422
        else:
            result = actuals.import_sales(env, upload.read(), upload.filename)
            if result.ok:
                flash(_("%(n)s sales lines imported.", n=result.created), "success")
                return redirect(url_for("sales_planning.import_page"))
            status = 422
    batches = env.search(ImportBatch, order_by=[ImportBatch.id.desc()], limit=20)
    return render_template("sales_planning/import.html", result=result, batches=batches,
                           measure=actuals.actual_measure(env, "sales"), **_context()), status


@bp.route("/import/<int:batch_id>/delete", methods=["POST"])
def delete_import(batch_id: int) -> Any:
    """Withdraw an import (its lines and their part of the summary)."""
    env = g.env
    actuals.delete_import(env, env.get(ImportBatch, batch_id))
    flash(_("Import withdrawn."), "success")
    return redirect(url_for("sales_planning.import_page"))


# ----- rolling forecast ------------------------------------------------------------------------
@bp.route("/forecast", methods=["GET", "POST"])
def forecast_page() -> Any:
    """The salesperson's next three months per customer; forecast against plan; accuracy of the last months."""
    from .services import forecast as fc

    env = g.env
    env.check(Forecast, "read")
    today = dt.date.today()
    months = fc.next_months(today)
    customers = fc.my_customers(env)
    error, status = None, 200
    if request.method == "POST":
        entries = [(c.id, None, m, request.form.get(f"f_{c.id}_{m:%Y%m}", "")) for c in customers for m in months]
        try:
            n = fc.save(env, entries, today=today)
        except ValidationError as exc:
            error, status = str(exc), 422
        else:
            flash(_("%(n)s forecasts saved.", n=n), "success")
            return redirect(url_for("sales_planning.forecast_page"))
    current = fc.current_entries(env, today)
    values = {k: str(v) for k, v in current.items()}
    if request.method == "POST":
        values = {(c.id, m): request.form.get(f"f_{c.id}_{m:%Y%m}", "") for c in customers for m in months}
    past = [fc.add_months(today.replace(day=1), -k) for k in range(6, 0, -1)]
    return render_template(
        "sales_planning/forecast.html", months=months, customers=customers, values=values, error=error,
        vs_plan=fc.against_plan(env, today), accuracy=fc.accuracy(env, past), source=fc.source(env), **_context(),
    ), status
