"""Pages of brand_campaigns (blueprint ``brand_campaigns``, under ``/brand``).

* ``/brand/``: the overview (the year's positioning, this month's calendar, what waits);
* ``/brand/positionings``: brand value positioning by year, its approval;
* ``/brand/toolkit``: the promotion toolkit (salespeople: the published versions, downloads);
* ``/brand/plans``: promotion plans, their activities and results; ``/brand/activities``: market
  activities and research; ``/brand/calendar``: month grid and list;
* ``/brand/distributors``: distributors, agreements, purchases, evaluations;
* ``/brand/surveys``: questionnaires, invitations, the evaluation report;
* ``/brand/q/<token>``: the public questionnaire page (no login: the token is checked).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from addons.masterdata.models import Contact, Customer, Employee, Product
from core.errors import AccessDenied, ValidationError
from core.i18n import _, _l, current_lang
from core.security import approvals
from core.web.app import public, request_db
from core.web.generic import ModelView
from core.web.menus import MenuItem

from . import services as svc
from .models import (
    ACTIVITY_KIND,
    ACTIVITY_STATE,
    DECISION,
    DISTRIBUTOR_STATE,
    PLAN_STATE,
    POSITIONING_STATE,
    PROPOSITION,
    SURVEY_STATE,
    TOOLKIT_KIND,
    TOOLKIT_LANG,
    VERSION_STATE,
    BrandSurvey,
    Distributor,
    DistributorAgreement,
    DistributorEvaluation,
    DistributorPurchase,
    MarketActivity,
    Positioning,
    PromotionChannel,
    PromotionPlan,
    ToolkitItem,
    ToolkitVersion,
)
from .workflows import POSITIONING_WORKFLOW, VERSION_WORKFLOW

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("brand_campaigns", __name__, url_prefix="/brand", template_folder="templates")

channel_view = ModelView(
    name="brand_campaigns.channel", model=PromotionChannel,
    label=_l("Promotion channel"), label_plural=_l("Promotion channels"),
    list_columns=["code", "name_zh", "name_en", "sequence"],
    form_fields=["code", "name_zh", "name_en", "sequence"],
    field_labels={"code": _l("Code"), "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"),
                  "sequence": _l("Sequence")},
    order_by=["sequence", "id"], url_prefix="/channels",
)
channel_view.register(bp)

LABELS = {"proposition": PROPOSITION, "positioning_state": POSITIONING_STATE, "toolkit_kind": TOOLKIT_KIND,
          "toolkit_lang": TOOLKIT_LANG, "version_state": VERSION_STATE, "plan_state": PLAN_STATE,
          "activity_kind": ACTIVITY_KIND, "activity_state": ACTIVITY_STATE, "distributor_state": DISTRIBUTOR_STATE,
          "decision": DECISION, "survey_state": SURVEY_STATE}


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"L": LABELS}


def _today(env: Env) -> dt.date:
    from core.reports.run import local_today

    return local_today(env)


def _failed(exc: ValidationError) -> str:
    g.tx_failed = True
    return str(exc)


def _employees(env: Env) -> list[Employee]:
    # sudo: owners and supervisors are chosen among the company's active employees (names only)
    return env.sudo().search(Employee, Employee.active.is_(True), order_by=[Employee.name_zh])


def _territories(env: Env) -> list[tuple[int, str]]:
    if "territories" not in env.enabled:
        return []
    from addons.territories.models import Territory

    # the territory tree is reference data (names only), chosen for a distributor
    return [(t.id, str(t)) for t in env.sudo().search(Territory, order_by=[Territory.id])]


def _transitions(env: Env, workflow: Any, record: Any) -> list[Any]:
    try:
        return approvals.available(env, workflow, record)
    except AccessDenied:
        return []


# ----- overview ---------------------------------------------------------------------------------
@bp.route("/")
def index() -> str:
    """The year's positioning, this month's plans and activities, the toolkit at a glance."""
    env = g.env
    today = _today(env)
    first, last = svc.plans.month_bounds(today)
    pos = svc.positioning.current(env, today.year) if env.can(Positioning) else None
    return render_template("brand_campaigns/index.html", positioning=pos, today=today,
                           events=svc.plans.calendar_events(env, first, last) if env.can(PromotionPlan) else [],
                           versions=env.count(ToolkitVersion) if env.can(ToolkitVersion) else 0,
                           can_calendar=env.can(PromotionPlan))


# ----- positioning ------------------------------------------------------------------------------
def _positioning_form(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values.get(k, "") for k in ("year", "customer_needs", "competitor_strengths", "own_strengths",
                                            "proposition", "statement")}


@bp.route("/positionings", methods=["GET", "POST"])
def positionings() -> Any:
    """History by year; the brand owner adds a year's positioning."""
    env = g.env
    env.check(Positioning)
    error, status = None, 200
    values = _positioning_form(request.form) if request.method == "POST" else {"year": _today(env).year + 1}
    if request.method == "POST":
        try:
            p = svc.positioning.save_positioning(env, request.form)
        except ValidationError as exc:
            error, status = _failed(exc), 422
        else:
            flash(_("Brand positioning %(year)s saved.", year=p.year), "success")
            return redirect(url_for("brand_campaigns.positioning", positioning_id=p.id))
    return render_template("brand_campaigns/positionings.html", rows=svc.positioning.history(env), values=values,
                           error=error, can_create=env.can(Positioning, "create")), status


@bp.route("/positionings/<int:positioning_id>", methods=["GET", "POST"])
def positioning(positioning_id: int) -> Any:
    """One year's positioning: the analysis, the proposition, the approval and its history."""
    env = g.env
    p = env.get(Positioning, positioning_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            if request.form.get("action"):
                svc.positioning.fire(env, p, request.form["action"], request.form.get("comment") or None)
                flash(_("Done: %(state)s.", state=POSITIONING_STATE.label(p.state)), "success")
            else:
                svc.positioning.save_positioning(env, request.form, p)
                flash(_("Brand positioning %(year)s saved.", year=p.year), "success")
            return redirect(url_for("brand_campaigns.positioning", positioning_id=p.id))
        except ValidationError as exc:
            error, status = _failed(exc), 422
    return render_template("brand_campaigns/positioning.html", p=p, error=error,
                           transitions=_transitions(env, POSITIONING_WORKFLOW, p),
                           history=approvals.history(env, POSITIONING_WORKFLOW, p),
                           can_edit=p.state == "draft" and env.allowed(p, "write"),
                           values=_positioning_form(request.form) if request.method == "POST" else None), status


# ----- toolkit ----------------------------------------------------------------------------------
@bp.route("/toolkit", methods=["GET", "POST"])
def toolkit() -> Any:
    """The toolkit library; the brand owner adds items and versions and moves them to publication."""
    env = g.env
    env.check(ToolkitItem)
    error, status = None, 200
    if request.method == "POST":
        try:
            if request.form.get("form") == "item":
                item = svc.toolkit.create_item(env, request.form)
                flash(_("Toolkit item %(name)s added.", name=item.display()), "success")
            elif request.form.get("form") == "version":
                item = env.get(ToolkitItem, int(request.form.get("item_id") or 0))
                storage = request.files.get("file")
                if storage is None or not storage.filename:
                    storage = None
                v = svc.toolkit.add_version(env, item, request.form.get("lang") or "", storage,
                                            note=request.form.get("note"))
                flash(_("Version %(name)s added.", name=v.display()), "success")
            else:
                v = env.get(ToolkitVersion, int(request.form.get("version_id") or 0))
                svc.toolkit.fire(env, v, request.form.get("action") or "", request.form.get("comment") or None)
                flash(_("%(name)s: %(state)s.", name=v.display(), state=VERSION_STATE.label(v.state)), "success")
            return redirect(url_for("brand_campaigns.toolkit"))
        except ValidationError as exc:
            error, status = _failed(exc), 422
    lib = svc.toolkit.library(env)
    actions = {v.id: _transitions(env, VERSION_WORKFLOW, v) for row in lib for v, _f in row["versions"]}
    return render_template("brand_campaigns/toolkit.html", lib=lib, error=error, actions=actions,
                           can_create=env.can(ToolkitVersion, "create")), status


# ----- plans, activities, calendar ------------------------------------------------------------------
def _plan_form_context(env: Env) -> dict[str, Any]:
    return {"channels": svc.channels(env), "employees": _employees(env),
            "positionings": env.search(Positioning, order_by=[Positioning.year.desc()]) if env.can(Positioning)
            else [], "budget_enabled": svc.plans.budget_api(env) is not None}


@bp.route("/plans", methods=["GET", "POST"])
def plans() -> Any:
    """Promotion plans, newest first; with budget, the year's plans make the campaign budget (POST)."""
    env = g.env
    error, status = None, 200
    year = _today(env).year + (1 if _today(env).month >= 10 else 0)
    can_budget = svc.plans.budget_api(env) is not None and env.can(PromotionPlan, "write")
    if request.method == "POST" and can_budget:
        try:
            budget = svc.plans.budget_from_plans(env, int(request.form.get("year") or year))
        except (ValidationError, ValueError) as exc:
            error, status = _failed(exc if isinstance(exc, ValidationError) else ValidationError(
                _("Enter the year, e.g. 2026."))), 422
        else:
            flash(_("Budget %(budget)s made from the brand plan: review it and submit it for approval.",
                    budget=budget.display()), "success")
            return redirect(url_for("budget.edit_budget", budget_id=budget.id))
    rows = env.search(PromotionPlan, order_by=[PromotionPlan.start_date.desc(), PromotionPlan.id.desc()], limit=500)
    return render_template("brand_campaigns/plans.html", rows=rows, can_create=env.can(PromotionPlan, "create"),
                           can_budget=can_budget, year=year, error=error), status


@bp.route("/plans/new", methods=["GET", "POST"])
@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
def plan_form(plan_id: int | None = None) -> Any:
    """Create or edit a plan (dates in order; the budget line checked by budget when it is enabled)."""
    env = g.env
    plan = env.get(PromotionPlan, plan_id, "write") if plan_id else None
    env.check(PromotionPlan, "write" if plan else "create")
    error, status = None, 200
    values: dict[str, Any] = dict(request.form) if request.method == "POST" else {}
    if plan is not None and request.method == "GET":
        values = {c: getattr(plan, c) for c in ("name", "channel_id", "positioning_id", "start_date", "end_date",
                                                "key_dates", "owner_id", "supervisor_id", "expected_effect",
                                                "expected_reach", "expected_leads", "expected_score",
                                                "budget_amount", "budget_line_id")}
    if request.method == "POST":
        try:
            saved = svc.plans.save_plan(env, request.form, plan)
        except ValidationError as exc:
            error, status = _failed(exc), 422
        else:
            flash(_("Promotion plan %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("brand_campaigns.plan", plan_id=saved.id))
    return render_template("brand_campaigns/plan_form.html", plan=plan, values=values, error=error,
                           **_plan_form_context(env)), status


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
def plan(plan_id: int) -> Any:
    """A plan: expected against actual, its activities (add one, record results), start/finish/cancel."""
    env = g.env
    p = env.get(PromotionPlan, plan_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            form = request.form.get("form")
            if form == "state":
                svc.plans.move_plan(env, p, request.form.get("state") or "")
            elif form == "activity":
                svc.plans.add_activity(env, request.form, p)
            elif form == "result":
                act = env.get(MarketActivity, int(request.form.get("activity_id") or 0))
                svc.plans.record_result(env, act, request.form)
            flash(_("Saved."), "success")
            return redirect(url_for("brand_campaigns.plan", plan_id=p.id))
        except ValidationError as exc:
            error, status = _failed(exc), 422
    return render_template("brand_campaigns/plan.html", p=p, f=svc.plans.plan_figures(env, p), error=error,
                           can_edit=env.allowed(p, "write"), moves=svc.plans.PLAN_MOVES.get(p.state, ()),
                           employees=_employees(env), budget_enabled=svc.plans.budget_api(env) is not None), status


@bp.route("/activities", methods=["GET", "POST"])
def activities() -> Any:
    """Market activities and research without a plan: plan one, then record the results and evaluate."""
    env = g.env
    env.check(MarketActivity)
    error, status = None, 200
    if request.method == "POST":
        try:
            if request.form.get("form") == "result":
                act = env.get(MarketActivity, int(request.form.get("activity_id") or 0))
                svc.plans.record_result(env, act, request.form)
            else:
                svc.plans.add_activity(env, request.form)
            flash(_("Saved."), "success")
            return redirect(url_for("brand_campaigns.activities"))
        except ValidationError as exc:
            error, status = _failed(exc), 422
    rows = env.search(MarketActivity, MarketActivity.plan_id.is_(None), order_by=[MarketActivity.start_date.desc()], limit=300)
    return render_template("brand_campaigns/activities.html", rows=rows, error=error, channels=svc.channels(env),
                           employees=_employees(env), can_edit=env.can(MarketActivity, "create")), status


@bp.route("/calendar")
def calendar_page() -> str:
    """Plans and activities of a month: a month grid (``view=month``) or a list (``view=list``)."""
    env = g.env
    env.check(PromotionPlan)
    today = _today(env)
    try:
        month = dt.date.fromisoformat((request.args.get("month") or today.strftime("%Y-%m")) + "-01")
    except ValueError:
        flash(_("Enter the month as YYYY-MM (2026-11)."), "warning")
        month = today.replace(day=1)
    first, last = svc.plans.month_bounds(month)
    events = svc.plans.calendar_events(env, first, last)
    prev_m = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    next_m = (last + dt.timedelta(days=1)).strftime("%Y-%m")
    view = "list" if request.args.get("view") == "list" else "month"
    return render_template("brand_campaigns/calendar.html", first=first, events=events, view=view, today=today,
                           weeks=svc.plans.month_grid(first, events), prev_m=prev_m, next_m=next_m)


# ----- distributors ---------------------------------------------------------------------------------
@bp.route("/distributors", methods=["GET", "POST"])
def distributors() -> Any:
    """The distributors; the brand owner adds one."""
    env = g.env
    env.check(Distributor)
    error, status = None, 200
    if request.method == "POST":
        try:
            d = svc.distributors.save_distributor(env, request.form)
        except ValidationError as exc:
            error, status = _failed(exc), 422
        else:
            flash(_("Distributor %(name)s saved.", name=d.name), "success")
            return redirect(url_for("brand_campaigns.distributor", distributor_id=d.id))
    rows = env.search(Distributor, order_by=[Distributor.state, Distributor.code])
    return render_template("brand_campaigns/distributors.html", rows=rows, error=error, employees=_employees(env),
                           territories=_territories(env), can_create=env.can(Distributor, "create")), status


@bp.route("/distributors/<int:distributor_id>", methods=["GET", "POST"])
def distributor(distributor_id: int) -> Any:
    """A distributor: agreements, purchases, evaluations (scores, decision, elimination)."""
    env = g.env
    d = env.get(Distributor, distributor_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            form = request.form.get("form")
            if form == "agreement":
                svc.distributors.add_agreement(env, d, request.form)
            elif form == "purchase":
                svc.distributors.record_purchase(env, d, request.form)
            elif form == "evaluation":
                svc.distributors.evaluate(env, d, request.form)
            flash(_("Saved."), "success")
            return redirect(url_for("brand_campaigns.distributor", distributor_id=d.id))
        except ValidationError as exc:
            error, status = _failed(exc), 422
    # sudo: product names (品种) for the purchase form and list are reference data
    products = env.sudo().search(Product, Product.active.is_(True), order_by=[Product.code])
    return render_template(
        "brand_campaigns/distributor.html", d=d, error=error, products=products, today=_today(env),
        agreements=env.search(DistributorAgreement, DistributorAgreement.distributor_id == d.id, order_by=[DistributorAgreement.start_date.desc()]),
        purchases=env.search(DistributorPurchase, DistributorPurchase.distributor_id == d.id, order_by=[DistributorPurchase.purchase_date.desc()],
                             limit=100),
        evaluations=env.search(DistributorEvaluation, DistributorEvaluation.distributor_id == d.id,
                               order_by=[DistributorEvaluation.evaluated_on.desc()]),
        can_edit=env.allowed(d, "write")), status


# ----- questionnaires ---------------------------------------------------------------------------------
@bp.route("/surveys", methods=["GET", "POST"])
def surveys() -> Any:
    """Questionnaires; the brand owner creates one."""
    env = g.env
    env.check(BrandSurvey)
    error, status = None, 200
    if request.method == "POST":
        try:
            s = svc.surveys.create_survey(env, request.form)
        except ValidationError as exc:
            error, status = _failed(exc), 422
        else:
            flash(_("Questionnaire %(name)s created.", name=s.name), "success")
            return redirect(url_for("brand_campaigns.survey", survey_id=s.id))
    return render_template("brand_campaigns/surveys.html", rows=env.search(BrandSurvey, order_by=[BrandSurvey.id.desc()]),
                           plans=env.search(PromotionPlan, order_by=[PromotionPlan.start_date.desc()], limit=200), error=error,
                           can_create=env.can(BrandSurvey, "create"), today=_today(env)), status


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
def survey(survey_id: int) -> Any:
    """A questionnaire: invite a customer's contacts (the links are shown once), close it."""
    env = g.env
    s = env.get(BrandSurvey, survey_id)
    error, status, links = None, 200, []
    if request.method == "POST":
        try:
            if request.form.get("form") == "close":
                svc.surveys.close_survey(env, s)
                flash(_("The questionnaire is closed."), "success")
                return redirect(url_for("brand_campaigns.survey", survey_id=s.id))
            customer = env.get(Customer, int(request.form.get("customer_id") or 0))
            contact_ids = [c.id for c in env.search(Contact, Contact.customer_id == customer.id)]
            for _row, raw in svc.surveys.invite(env, s, contact_ids):
                links.append((_row, url_for("brand_campaigns.answer_public", token=raw, _external=True)))
            sent = svc.surveys.send_invitations(env, s, links)
            mailed = set(sent["mailed"])
            links = [(row, url, row.id in mailed) for row, url in links]
            flash(_("%(mailed)s invitation(s) e-mailed; %(not_mailed)s contact(s) have no e-mail address: "
                    "send them the link below.", mailed=len(mailed), not_mailed=len(sent["not_mailed"])), "info")
        except ValidationError as exc:
            error, status = _failed(exc), 422
    customers = env.search(Customer, order_by=[Customer.name_zh], limit=500) if env.can(Customer) else []
    return render_template("brand_campaigns/survey.html", s=s, error=error, links=links, customers=customers,
                           report=svc.surveys.evaluation_report(env, s),
                           can_edit=env.allowed(s, "write")), status


@bp.route("/surveys/<int:survey_id>/report")
def survey_report(survey_id: int) -> str:
    """The evaluation report: expected against actual, acceptance by customer class, the answers."""
    env = g.env
    s = env.get(BrandSurvey, survey_id)
    return render_template("brand_campaigns/survey_report.html", r=svc.surveys.evaluation_report(env, s),
                           questions=svc.surveys.QUESTIONS)


@bp.route("/q/<token>", methods=["GET", "POST"])
@public
def answer_public(token: str) -> Any:
    """The questionnaire of a public link (no login): checked token, one answer, then thanks."""
    db = request_db()
    registry = current_app.extensions["tixi_registry"]
    values: dict[str, Any] = dict(request.form) if request.method == "POST" else {}
    try:
        row = svc.surveys.resolve(db, token)
        env = svc.surveys.public_env(registry, db, row)
        if "brand_campaigns" not in env.enabled:
            raise svc.surveys.TokenRefused(_("This link is not valid."), "invalid")
    except svc.surveys.TokenRefused as exc:
        g.tx_failed = True
        return render_template("brand_campaigns/public_answer.html", refused=str(exc), reason=exc.reason,
                               questions=svc.surveys.QUESTIONS, values={}), 410 if exc.reason != "invalid" else 404
    error, errors = None, {}
    if request.method == "POST":
        try:
            svc.surveys.submit_answer(env, row, request.form)
        except svc.surveys.TokenRefused as exc:
            g.tx_failed = True
            return render_template("brand_campaigns/public_answer.html", refused=str(exc), reason=exc.reason,
                                   questions=svc.surveys.QUESTIONS, values={}), 410
        except ValidationError as exc:
            g.tx_failed = True
            error, errors = str(exc), exc.errors
        else:
            return render_template("brand_campaigns/public_answer.html", thanks=True, questions=svc.surveys.QUESTIONS,
                                   values={})
    lang = current_lang(env)
    # the company's name heads the page (the visitor has no user: read through the sender's env)
    from core.models import Company

    company = db.get(Company, row.company_id)
    return render_template("brand_campaigns/public_answer.html", survey=row.survey, questions=svc.surveys.QUESTIONS,
                           values=values, error=error, errors=errors, lang=lang,
                           company=company.display(lang) if hasattr(company, "display") else str(company),
                           contact=row.contact.name if row.contact else ""), 422 if error else 200


def menu_items(env: Env) -> list[Any]:
    """The Brand menu."""
    return [
        MenuItem("brand", _l("Brand and campaigns"), "brand_campaigns.index", model=ToolkitItem, sequence=75),
        MenuItem("brand_home", _l("Overview"), "brand_campaigns.index", model=ToolkitItem, parent="brand", sequence=1),
        MenuItem("brand_positionings", _l("Brand positioning"), "brand_campaigns.positionings", model=Positioning,
                 parent="brand", sequence=2),
        MenuItem("brand_toolkit", _l("Promotion toolkit"), "brand_campaigns.toolkit", model=ToolkitItem,
                 parent="brand", sequence=3),
        MenuItem("brand_plans", _l("Promotion plans"), "brand_campaigns.plans", model=PromotionPlan, parent="brand",
                 sequence=4),
        MenuItem("brand_calendar", _l("Campaign calendar"), "brand_campaigns.calendar_page", model=PromotionPlan,
                 parent="brand", sequence=5),
        MenuItem("brand_activities", _l("Market activities and research"), "brand_campaigns.activities",
                 model=MarketActivity, parent="brand", sequence=6),
        MenuItem("brand_distributors", _l("Distributors"), "brand_campaigns.distributors", model=Distributor,
                 parent="brand", sequence=7),
        MenuItem("brand_surveys", _l("Questionnaires"), "brand_campaigns.surveys", model=BrandSurvey, parent="brand",
                 sequence=8),
        MenuItem("brand_channels", _l("Promotion channels"), "brand_campaigns.channel_list", model=PromotionChannel,
                 parent="brand", sequence=9, group=["core.group_marketing_admin", "core.group_admin"]),
    ]


