"""Pages of the budget addon (blueprint ``budget``, under ``/budget``), phone-first.

* ``/budget/``: my budget lines with what remains, my claims, the claim form (the remaining
  amount of the chosen line shown while drafting, ``/budget/lines/<id>/remaining``);
* ``/budget/claims/new`` (POST): file and submit a claim with receipts; refused over budget;
* ``/budget/supplements/new``: a supplementary budget request; ``/budget/requests/new``: an expense request;
* ``/budget/approvals``: what waits for the user's decision (supplements in their band, requests, claims);
* ``/budget/budgets``, ``/budget/budgets/<id>``: budgets with their lines' figures, approval;
* generic lists of categories, bands, advances and closed months for finance.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for

from addons.masterdata.services import current_employee
from core.errors import AccessDenied, ValidationError
from core.i18n import _, _l, current_lang
from core.security import approvals
from core.web.generic import Col, ModelView, group_label
from core.web.menus import MenuItem

from .models import (
    BUDGET_STATE,
    CLAIM_STATE,
    REQUEST_STATE,
    Advance,
    Band,
    Budget,
    Category,
    Claim,
    ClosedMonth,
    ExpenseRequest,
    Line,
    Supplement,
)
from .services import budgets as B
from .services import claims as C
from .services import lines as L
from .services.advances import outstanding
from .workflows import BUDGET_WORKFLOW

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("budget", __name__, url_prefix="/budget", template_folder="templates", static_folder="static")

category_view = ModelView(
    name="budget.category", model=Category, label=_l("Expense category"), label_plural=_l("Expense categories"),
    list_columns=["code", "name_zh", "name_en", "sequence", "weight"],
    form_fields=["code", "name_zh", "name_en", "sequence", "weight"],
    field_labels={"code": _l("Code"), "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"),
                  "sequence": _l("Sequence"), "weight": _l("Default weight")},
    order_by=["sequence", "code"], url_prefix="/categories",
)
category_view.register(bp)
band_view = ModelView(
    name="budget.band", model=Band, label=_l("Approval band"), label_plural=_l("Approval bands"),
    list_columns=[Col("group", _l("Group"), value=lambda band: group_label(g.env, band.group)), "limit", "sequence"],
    detail_fields=[Col("group", _l("Group"), value=lambda band: group_label(g.env, band.group)), "limit", "sequence"],
    form_fields=["group", "limit", "sequence"],
    field_labels={"group": _l("Group"), "limit": _l("Largest amount"), "sequence": _l("Sequence")},
    order_by=["sequence"], url_prefix="/bands",
)
band_view.register(bp)
advance_view = ModelView(
    name="budget.advance", model=Advance, label=_l("Advance"), label_plural=_l("Advances"),
    list_columns=["employee_id", "advanced_on", "amount", "purpose"],
    form_fields=["employee_id", "advanced_on", "amount", "purpose"],
    field_labels={"employee_id": _l("Employee"), "advanced_on": _l("Date"), "amount": _l("Amount"),
                  "purpose": _l("Purpose")},
    order_by=["-advanced_on"], url_prefix="/advances",
)
advance_view.register(bp)
closed_view = ModelView(
    name="budget.closed_month", model=ClosedMonth, label=_l("Closed month"), label_plural=_l("Closed months"),
    list_columns=["month"], form_fields=["month"], field_labels={"month": _l("Month (first day)")},
    order_by=["-month"], url_prefix="/closed-months",
)
closed_view.register(bp)


def menu_items(env: Env) -> list[Any]:
    """Claims, approvals, budgets and finance's settings."""
    return [
        MenuItem("budget", _l("Marketing budgets"), "budget.index", model=Line, sequence=75),
        MenuItem("budget_home", _l("My expense claims"), "budget.index", model=Claim, sequence=1, parent="budget"),
        MenuItem("budget_approvals", _l("Approvals"), "budget.approvals", model=Line, sequence=2, parent="budget"),
        MenuItem("budget_budgets", _l("Budgets"), "budget.budgets", model=Budget, sequence=3, parent="budget"),
        MenuItem("budget_advances", _l("Advances"), "budget.advance_list", model=Advance, sequence=4,
                 parent="budget"),
        MenuItem("budget_categories", _l("Expense categories"), "budget.category_list", model=Category,
                 sequence=5, parent="budget"),
        MenuItem("budget_bands", _l("Approval bands"), "budget.band_list", model=Band, sequence=6, parent="budget"),
        MenuItem("budget_closed", _l("Closed months"), "budget.closed_month_list", model=ClosedMonth, sequence=7,
                 parent="budget"),
    ]


def _my_lines(env: Env, year: int) -> list[tuple[Line, L.Figures]]:
    return L.lines_with_figures(env, Line.budget_id.in_(
        env.select(Budget, "read", Budget.id).where(Budget.year == year, Budget.state == "approved")))


def _index_context(env: Env, values: dict[str, Any] | None = None) -> dict[str, Any]:
    today = dt.date.today()
    year = int(request.values.get("year") or (values or {}).get("year") or today.year)
    me = current_employee(env)
    lines = _my_lines(env, year)
    claims = env.search(Claim, Claim.employee_id == me.id, order_by=[Claim.id.desc()], limit=20) if me else []
    sups = env.search(Supplement, Supplement.employee_id == me.id, order_by=[Supplement.id.desc()], limit=10) \
        if me else []
    reqs = env.search(ExpenseRequest, ExpenseRequest.employee_id == me.id, ExpenseRequest.state == "approved",
                      order_by=[ExpenseRequest.id.desc()], limit=20) if me else []
    return {"lines": lines, "claims": claims, "supplements": sups, "requests": reqs, "year": year,
            "values": values or {}, "today": today.isoformat(), "lang": current_lang(env),
            "claim_state": CLAIM_STATE, "request_state": REQUEST_STATE, "money": L.money,
            "advance": outstanding(env, me.id, today) if me and env.can(Advance, "read") else None}


@bp.route("/")
def index() -> str:
    """My budget lines, my claims and the claim form."""
    env = g.env
    if not env.can(Line, "read"):
        raise AccessDenied(_("You may not read budgets."))
    ctx = _index_context(env, {"line_id": request.args.get("line_id", ""), "amount": request.args.get("amount", "")})
    return render_template("budget/index.html", **ctx)


@bp.route("/lines/<int:line_id>/remaining")
def remaining(line_id: int) -> Any:
    """What the claim form shows while drafting: the line's figures and whether the amount fits."""
    env = g.env
    line = env.get(Line, line_id)
    req = None
    if request.args.get("request_id"):
        req = env.get(ExpenseRequest, int(request.args["request_id"]))
    p = C.preview(env, line, request.args.get("amount"), req)
    return jsonify({k: (L.money(v) if hasattr(v, "quantize") else v) for k, v in p.items()})


def _receipts() -> list[tuple[str, bytes]]:
    return [(f.filename or "receipt", f.read()) for f in request.files.getlist("receipts") if f and f.filename]


@bp.route("/claims/new", methods=["POST"])
def new_claim() -> Any:
    """File and submit a claim; refused (422, nothing saved) over budget or on bad input."""
    env = g.env
    values = {k: request.form.get(k, "") for k in ("line_id", "amount", "expense_date", "description", "request_id")}
    try:
        if not values["line_id"]:
            raise ValidationError(_("Choose a budget line."))
        claim = C.create_claim(env, values, _receipts(), submit=True)
    except ValidationError as exc:
        ctx = _index_context(env, values)
        ctx["error"] = str(exc)
        return render_template("budget/index.html", **ctx), 422
    flash(_("Claim %(claim)s submitted.", claim=claim.display()), "success")
    return redirect(url_for("budget.index"))


@bp.route("/supplements/new", methods=["GET", "POST"])
def new_supplement() -> Any:
    """A supplementary budget request on a line (before spending)."""
    env = g.env
    line = env.get(Line, int(request.values.get("line_id") or 0)) if request.values.get("line_id") else None
    if line is None:  # asked for before a line was chosen: choose it on the budget page
        flash(_("Choose the budget line first."), "warning")
        return redirect(url_for("budget.index"))
    error, status = None, 200
    values = {"amount": request.values.get("amount", ""), "reason": request.form.get("reason", "")}
    if request.method == "POST":
        try:
            sup = C.create_supplement(env, {"line_id": line.id, **values})
        except ValidationError as exc:
            error, status = str(exc), 422
        else:
            flash(_("Supplementary budget request %(req)s submitted.", req=sup.display()), "success")
            return redirect(url_for("budget.index"))
    return render_template("budget/supplement.html", line=line, figures=L.figures(env, line), values=values,
                           error=error, money=L.money, lang=current_lang(env)), status


@bp.route("/requests/new", methods=["GET", "POST"])
def new_request() -> Any:
    """An expense request on a line: approved, it reserves its amount."""
    env = g.env
    line = env.get(Line, int(request.values.get("line_id") or 0)) if request.values.get("line_id") else None
    if line is None:
        abort(404)
    error, status = None, 200
    values = {k: request.form.get(k, "") for k in ("amount", "purpose", "needed_on")}
    if request.method == "POST":
        try:
            req = C.create_request(env, {"line_id": line.id, **values})
        except ValidationError as exc:
            error, status = str(exc), 422
        else:
            flash(_("Expense request %(req)s submitted.", req=req.display()), "success")
            return redirect(url_for("budget.index"))
    return render_template("budget/request.html", line=line, figures=L.figures(env, line), values=values,
                           error=error, money=L.money, lang=current_lang(env),
                           today=dt.date.today().isoformat()), status


DECIDE = {"supplement": (Supplement, C.decide_supplement), "request": (ExpenseRequest, C.decide_request),
          "claim": (Claim, C.decide_claim)}


def approvals_page() -> Any:
    """Supplements, requests and claims waiting for the user's decision."""
    env = g.env
    error, status = None, 200
    if request.method == "POST":
        kind = request.form.get("kind", "")
        if kind not in DECIDE:
            abort(404)
        model, decide = DECIDE[kind]
        record = env.get(model, int(request.form.get("id") or 0))
        try:
            decide(env, record, request.form.get("action", ""), comment=request.form.get("comment") or None)
        except (ValidationError, AccessDenied) as exc:
            error, status = str(exc), 422
        else:
            flash(_("Done: %(what)s.", what=record.display()), "success")
            return redirect(url_for("budget.approvals"))
    waiting = C.pending(env)
    return render_template("budget/approvals.html", waiting=waiting, error=error, money=L.money,
                           lang=current_lang(env)), status


bp.add_url_rule("/approvals", endpoint="approvals", view_func=approvals_page, methods=["GET", "POST"])


@bp.route("/budgets")
def budgets() -> str:
    """The budgets of a year the user may read, with their execution."""
    env = g.env
    from .services.execution import execution_rows

    year = int(request.args.get("year") or dt.date.today().year)
    rows = execution_rows(env, year, by="budget")
    drafts = env.search(Budget, Budget.year == year, Budget.state != "approved", order_by=[Budget.name])
    return render_template("budget/budgets.html", rows=rows, year=year, money=L.money, drafts=drafts,
                           can_create=env.can(Budget, "create"), state=BUDGET_STATE, lang=current_lang(env))


@bp.route("/budgets/<int:budget_id>", methods=["GET", "POST"])
def budget_page(budget_id: int) -> Any:
    """A budget: its lines' figures and its approval buttons."""
    env = g.env
    budget = env.get(Budget, budget_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            B.fire(env, budget, request.form.get("action", ""), comment=request.form.get("comment") or None)
        except (ValidationError, AccessDenied) as exc:
            error, status = str(exc), 422
        else:
            return redirect(url_for("budget.budget_page", budget_id=budget.id))
    lines = L.lines_with_figures(env, Line.budget_id == budget.id)
    buttons = approvals.available(env, BUDGET_WORKFLOW, budget, budget.total_amount)
    can_edit = budget.state == "draft" and env.scalar(
        env.select(Budget, "write", Budget.id).where(Budget.id == budget.id)) is not None
    project = B.project_plan(env, budget)
    return render_template("budget/budget.html", budget=budget, lines=lines, buttons=buttons, error=error,
                           money=L.money, lang=current_lang(env), can_edit=can_edit, project=project,
                           project_label=dict(B.project_choices(env)).get(project.id) if project else None), status


def _field_errors(form: Any, exc: ValidationError, default: str | None = None) -> None:
    """The service's per-field messages under the fields (a message without a field: on ``default``)."""
    from core.web.generic.forms import attach_errors

    if not exc.errors and default is not None:
        exc = ValidationError(str(exc), {default: str(exc)})
    attach_errors(form, exc)


@bp.route("/budgets/new", methods=["GET", "POST"])
def new_budget() -> Any:
    """A new draft budget of a year for a territory, a department, a project or a campaign."""
    from .forms import budget_form

    env = g.env
    env.check(Budget, "create")
    form = budget_form(env, request.method == "POST")
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with env.session.begin_nested():  # nothing stays of a refused budget
                    budget = B.create_budget(env, {k: form[k].data for k in form._fields if k != "csrf_token"})
            except ValidationError as exc:
                _field_errors(form, exc, "name")
                status = 422
            else:
                flash(_("Budget %(budget)s created: enter its lines.", budget=budget.display()), "success")
                return redirect(url_for("budget.edit_budget", budget_id=budget.id))
        else:
            status = 422
    return render_template("budget/budget_new.html", form=form, lang=current_lang(env)), status


@bp.route("/budgets/<int:budget_id>/months", methods=["GET", "POST"])
def edit_months(budget_id: int) -> Any:
    """A draft budget's months, one by one per line; optionally keeping each line's yearly amount."""
    import datetime as dt

    from addons.sales_planning.services.engine import months_of

    env = g.env
    budget = env.get(Budget, budget_id, "write")
    if budget.state != "draft":
        flash(_("Only a draft budget can be changed; this one is %(state)s.", state=budget.state), "warning")
        return redirect(url_for("budget.budget_page", budget_id=budget.id))
    lang = current_lang(env)
    lines = env.search(Line, Line.budget_id == budget.id)
    months = months_of(budget.year)
    current = B.phasing(env, [ln.id for ln in lines])
    values = {B.month_field(ln.category_id, m): f"{current.get((ln.id, m), 0):.2f}" for ln in lines for m in months}
    errors: dict[str, str] = {}
    keep = True
    status = 200
    if request.method == "POST":
        keep = bool(request.form.get("keep_total"))
        raw = {}
        for ln in lines:
            for m in months:
                field = B.month_field(ln.category_id, m)
                if field in request.form:
                    text = request.form.get(field, "")
                    values[field] = text
                    if text.strip() != f"{current.get((ln.id, m), 0):.2f}":
                        raw[(ln.category_id, m)] = text
        try:
            with env.session.begin_nested():  # all or nothing
                if raw:
                    B.set_months(env, budget, raw, keep_total=keep)
        except ValidationError as exc:
            env.session.expire(budget)
            errors = dict(exc.errors or {}) or {"": str(exc)}
            status = 422
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("budget.edit_months", budget_id=budget.id))
    rows = [{"line": ln, "label": ln.category.display(lang),
             "cells": [(m, B.month_field(ln.category_id, m)) for m in months]} for ln in lines]
    return render_template("budget/budget_months.html", budget=budget, rows=rows, values=values, errors=errors,
                           keep=keep, money=L.money, lang=lang, month_label=lambda m: f"{m:%Y-%m}",
                           today=dt.date.today()), status


@bp.route("/budgets/<int:budget_id>/edit", methods=["GET", "POST"])
def edit_budget(budget_id: int) -> Any:
    """A draft budget: its name and basis, its amount per category (or a share of the sales target)."""
    from .forms import header_form, lines_form

    env = g.env
    budget = env.get(Budget, budget_id, "write")
    if budget.state != "draft":
        flash(_("Only a draft budget can be changed; this one is %(state)s.", state=budget.state), "warning")
        return redirect(url_for("budget.budget_page", budget_id=budget.id))
    cats = B.categories(env)
    have = {ln.category_id: ln.amount for ln in env.search(Line, Line.budget_id == budget.id)}
    action = request.form.get("action", "") if request.method == "POST" else ""
    header = header_form(env, budget, action == "header")
    lines = lines_form(env, cats, have, action in ("lines", "propose"))
    status = 200
    if action:
        form = header if action == "header" else lines
        if not form.validate_on_submit():
            status = 422
        else:
            try:
                with env.session.begin_nested():  # all or nothing
                    if action == "header":
                        B.update_budget(env, budget, {k: header[k].data for k in ("name", "owner_id", "basis", "note")})
                    elif action == "propose":
                        B.set_lines(env, budget, B.propose(env, budget, percent=lines["percent"].data or None))
                    else:
                        B.set_amounts(env, budget, {c.id: lines[f"amount_{c.id}"].data for c in cats})
            except ValidationError as exc:
                env.session.expire(budget)
                _field_errors(form, exc, "percent" if action == "propose" else "name")
                status = 422
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("budget.edit_budget", budget_id=budget.id))
    buttons = approvals.available(env, BUDGET_WORKFLOW, budget, budget.total_amount)
    return render_template("budget/budget_edit.html", budget=budget, header=header, lines=lines, cats=cats,
                           buttons=buttons, money=L.money, lang=current_lang(env)), status
