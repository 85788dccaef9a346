"""Pages of crm_cards: generic views for the cards and settings, plus own pages.

Own pages (blueprint ``crm_cards``, under ``/crm``):

* ``/crm/customers/<id>``: the profile card (客户资料卡), printable (print stylesheet);
* ``/crm/customers/<id>/print`` (+ ``.pdf``): the same card as a printed document (core.pdf);
* ``/crm/strategy/create``: a new strategy card (approval buttons on its detail page);
* ``/crm/monthly/<customer_id>/<YYYY-MM>``: the monthly card form, made for phones;
* ``/crm/monthly/missing``: customers whose card for last month is missing;
* ``/crm/pipeline``: the development-stage board per territory;
* ``/crm/risks``: customers over their credit limit or with overdue collections;
* ``/crm/reviews/start`` (the "New" button of the reviews list) and ``/crm/reviews/run``: the Director
  runs the periodic classification review;
* ``/crm/reviews/<id>/decide``: its proposals side by side, approved or refused one by one or in bulk.

Every read goes through ``g.env`` (record rules); writes through the services.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from addons.crm_cards import services
from addons.crm_cards.models import (
    CARD_STATE,
    CLASS_LABELS,
    CLASS_SOURCE,
    DOCUMENT_KIND,
    FACTOR_LABELS,
    KEY_ACCOUNT_STATUS,
    MONTHLY_STATE,
    PRICE_CLASS,
    PROPOSAL_STATE,
    ActionItem,
    ClassCriteria,
    ClassPolicy,
    ClassProposal,
    ClassReview,
    CustomerClass,
    CustomerDocument,
    CustomerStage,
    DevelopmentStage,
    KeyAccount,
    KeyAccountGoal,
    KeyAccountPlan,
    MonthlyCard,
    StrategyCard,
)
from addons.crm_cards.profile import profile_card
from addons.masterdata.models import CONTACT_ROLE, CUSTOMER_SIZE, Customer
from core.attachments import attachments_of
from core.errors import AccessDenied, ConcurrentEditError, ValidationError
from core.i18n import Choices, LazyText, _, _l, choice_label, current_lang
from core.i18n import label as tr
from core.pdf import print_routes
from core.web.generic import Col, Filter, ModelView, Related, Tab

if TYPE_CHECKING:
    from core.security.env import Env
    from core.web.menus import MenuItem

bp = Blueprint(
    "crm_cards", __name__, url_prefix="/crm", template_folder="templates",
    static_folder="static", static_url_path="/static",
)


def _choices(labels: Choices) -> list[tuple[str, LazyText]]:
    return list(labels.items())


def _risk(card: MonthlyCard) -> Markup:
    if card.at_risk:
        return Markup('<span class="badge bg-danger" data-risk="1">{}</span>').format(_("Risk"))
    return Markup("")


DETAIL = {"detail": "crm_cards/card_detail.html"}

strategy_view = ModelView(
    name="crm_cards.strategy",
    model=StrategyCard,
    label=_l("Strategy card"), label_plural=_l("Strategy cards"),
    list_columns=["customer_id", "year", "class_code", "owner_id", "budget", "state"],
    filters=[Filter("year", _l("Year")), Filter("state", _l("State")), Filter("class_code", _l("Class"))],
    search_fields=["goals", "strategy"],
    form_fields=["class_code", "goals", "opportunities", "difficulties", "strategy", "resources_people", "budget", "owner_id"],
    detail_fields=["customer_id", "year", "class_code", "owner_id", "goals", "opportunities", "difficulties",
                   "strategy", "resources_people", "budget", "state"],
    field_labels={
        "customer_id": _l("Customer"), "year": _l("Year"), "class_code": _l("Class"), "owner_id": _l("Owner"),
        "goals": _l("Goals"), "opportunities": _l("Opportunities"), "difficulties": _l("Difficulties"),
        "strategy": _l("Strategy"), "resources_people": _l("People"), "budget": _l("Budget"), "state": _l("State"),
    },
    choices={"class_code": _choices(CLASS_LABELS), "state": _choices(CARD_STATE)},
    related=[Related("actions", _l("Action plan"), ActionItem, fk="strategy_id",
                     columns=["due_date", "text", "owner_id", "done"], view="crm_cards.action")],
    workflow="crm_cards.strategy",
    order_by=["-year"],
    url_prefix="/strategy",
    can_create=False,
    templates=DETAIL,
)

action_view = ModelView(
    name="crm_cards.action",
    model=ActionItem,
    label=_l("Planned action"), label_plural=_l("Actions"),
    list_columns=["due_date", "customer_id", "text", "owner_id", "done"],
    filters=[Filter("done", _l("Done"))],
    search_fields=["text"],
    form_fields=["customer_id", "strategy_id", "plan_id", "due_date", "text", "owner_id", "done", "done_on"],
    field_labels={"due_date": _l("Date"), "customer_id": _l("Customer"), "text": _l("Planned action"), "owner_id": _l("Owner"),
                  "done": _l("Done"), "done_on": _l("Done on"), "strategy_id": _l("Strategy card"),
                  "plan_id": _l("Key-account plan")},
    order_by=["due_date"],
    url_prefix="/actions",
    can_delete=True,
)

monthly_view = ModelView(
    name="crm_cards.monthly",
    model=MonthlyCard,
    label=_l("Monthly card"), label_plural=_l("Monthly cards"),
    list_columns=["customer_id", "month", "sales_plan", "sales_actual", "collections", "credit_used",
                  "enthusiasm", "state", Col("risk", _l("Risk"), value=_risk, sortable=False)],
    optional_columns=["collections_plan", "overdue_amount", "credit_limit", "owner_id", "reviewed_by_id"],
    filters=[Filter("month", _l("Month")), Filter("state", _l("State"))],
    search_fields=["risks", "next_actions"],
    detail_fields=["customer_id", "month", "owner_id", "sales_plan", "sales_actual", "collections_plan", "collections",
                   "overdue_amount", "credit_limit", "credit_used", "enthusiasm", "risks", "next_actions",
                   "state", "reviewed_by_id", "reviewed_at", "review_comment",
                   Col("risk", _l("Risk"), value=_risk)],
    field_labels={
        "customer_id": _l("Customer"), "month": _l("Month"), "owner_id": _l("Owner"),
        "sales_plan": _l("Sales plan"), "sales_actual": _l("Sales"), "collections_plan": _l("Collections plan"),
        "collections": _l("Collections"), "overdue_amount": _l("Overdue collections"),
        "credit_limit": _l("Credit limit"), "credit_used": _l("Credit used"), "enthusiasm": _l("Enthusiasm (1-5)"),
        "risks": _l("Risks"), "next_actions": _l("Next month's actions"), "state": _l("State"),
        "reviewed_by_id": _l("Reviewed by"), "reviewed_at": _l("Reviewed at"), "review_comment": _l("Review comment"),
    },
    choices={"state": _choices(MONTHLY_STATE)},
    workflow="crm_cards.monthly",
    order_by=["-month"],
    url_prefix="/monthly-cards",
    can_create=False,
    can_edit=False,
    templates=DETAIL,
)

plan_view = ModelView(
    name="crm_cards.plan",
    model=KeyAccountPlan,
    label=_l("Key-account plan"), label_plural=_l("Key-account plans"),
    list_columns=["customer_id", "year", "owner_id", "budget", "spent", "state"],
    filters=[Filter("year", _l("Year")), Filter("state", _l("State"))],
    form_fields=["customer_id", "year", "stage_goals", "strategy", "staffing", "budget", "spent", "owner_id"],
    detail_fields=["customer_id", "year", "owner_id", "stage_goals", "strategy", "staffing", "budget", "spent", "state"],
    field_labels={"customer_id": _l("Customer"), "year": _l("Year"), "owner_id": _l("Owner"),
                  "stage_goals": _l("Stage goals"), "strategy": _l("Strategy"), "staffing": _l("Staffing"),
                  "budget": _l("Budget"), "spent": _l("Spent"), "state": _l("State")},
    choices={"state": _choices(CARD_STATE)},
    related=[
        Related("goals", _l("Stage goals"), KeyAccountGoal, fk="plan_id",
                columns=["due_date", "description", "target_amount", "actual_amount", "done"], view="crm_cards.goal"),
        Related("actions", _l("Actions"), ActionItem, fk="plan_id",
                columns=["due_date", "text", "owner_id", "done"], view="crm_cards.action"),
    ],
    workflow="crm_cards.ka_plan",
    order_by=["-year"],
    url_prefix="/plans",
    templates=DETAIL,
)

goal_view = ModelView(
    name="crm_cards.goal",
    model=KeyAccountGoal,
    label=_l("Stage goal"), label_plural=_l("Stage goals"),
    list_columns=["due_date", "customer_id", "description", "target_amount", "actual_amount", "done"],
    form_fields=["customer_id", "plan_id", "due_date", "description", "target_amount", "actual_amount", "done", "done_on"],
    field_labels={"due_date": _l("Date"), "customer_id": _l("Customer"), "description": _l("Stage goal"),
                  "target_amount": _l("Target amount"), "actual_amount": _l("Achieved amount"), "done": _l("Done"),
                  "done_on": _l("Done on"), "plan_id": _l("Key-account plan")},
    order_by=["due_date"],
    url_prefix="/goals",
    can_delete=True,
)

key_account_view = ModelView(
    name="crm_cards.key_account",
    model=KeyAccount,
    label=_l("Key-account screening"), label_plural=_l("Key accounts"),
    list_columns=["customer_id", "attractiveness", "feasibility",
                  Col("score", _l("Score"), value=lambda r: r.score, sortable=False), "status", "screened_on"],
    filters=[Filter("status", _l("Status"))],
    form_fields=["customer_id", "attractiveness", "feasibility", "status", "screened_on", "note"],
    field_labels={"customer_id": _l("Customer"), "attractiveness": _l("Attractiveness (0-10)"),
                  "feasibility": _l("Feasibility (0-10)"), "status": _l("Status"), "screened_on": _l("Screened on"),
                  "note": _l("Note")},
    choices={"status": _choices(KEY_ACCOUNT_STATUS)},
    order_by=["-attractiveness"],
    url_prefix="/key-accounts",
)

proposal_view = ModelView(
    name="crm_cards.proposal",
    model=ClassProposal,
    label=_l("Class change proposal"), label_plural=_l("Class change proposals"),
    list_columns=["review_id", "customer_id", "old_class", "new_class", "score", "state"],
    filters=[Filter("review_id", _l("Review")), Filter("state", _l("State"))],
    detail_fields=["review_id", "customer_id", "old_class", "new_class", "score",
                   Col("reason", _l("Score breakdown"), value=lambda r: services.format_breakdown(r.reason)), "state",
                   "decided_by_id", "decided_at", "decision_comment"],
    field_labels={"review_id": _l("Review"), "customer_id": _l("Customer"), "old_class": _l("Current class"),
                  "new_class": _l("Proposed class"), "score": _l("Score"), "reason": _l("Reason"),
                  "state": _l("State"), "decided_by_id": _l("Decided by"), "decided_at": _l("Decided at"),
                  "decision_comment": _l("Decision comment")},
    choices={"state": _choices(PROPOSAL_STATE), "old_class": _choices(CLASS_LABELS), "new_class": _choices(CLASS_LABELS)},
    workflow="crm_cards.class_change",
    url_prefix="/class-proposals",
    can_create=False,
    can_edit=False,
    templates=DETAIL,
)

review_view = ModelView(
    name="crm_cards.review",
    model=ClassReview,
    label=_l("Classification review"), label_plural=_l("Classification reviews"),
    list_columns=["period", "run_on", "note"],
    field_labels={"period": _l("Period"), "run_on": _l("Run on"), "note": _l("Note")},
    related=[Related("proposals", _l("Proposals"), ClassProposal, fk="review_id",
                     columns=["customer_id", "old_class", "new_class", "score", "state"], view="crm_cards.proposal")],
    order_by=["-run_on"],
    url_prefix="/reviews",
    can_create=False,
    new_endpoint="crm_cards.review_start",  # "New" opens the start page (period, then the button)
    templates={"detail": "crm_cards/review_detail.html"},
)

class_view = ModelView(
    name="crm_cards.customer_class",
    model=CustomerClass,
    label=_l("Customer class"), label_plural=_l("Class history"),
    list_columns=["set_on", "customer_id", "previous_code", "class_code", "reason", "source", "set_by_id"],
    filters=[Filter("class_code", _l("Class")), Filter("source", _l("Source"))],
    search_fields=["reason"],
    form_fields=["customer_id", "class_code", "reason"],
    field_labels={"set_on": _l("Date"), "customer_id": _l("Customer"), "previous_code": _l("Previous class"),
                  "class_code": _l("Class"), "reason": _l("Reason"), "source": _l("Source"), "set_by_id": _l("Set by"),
                  "score": _l("Score"), "proposal_id": _l("Proposal")},
    choices={"class_code": _choices(CLASS_LABELS), "source": _choices(CLASS_SOURCE)},
    order_by=["-set_on"],
    url_prefix="/classes",
    can_edit=False,
)

stage_view = ModelView(
    name="crm_cards.stage",
    model=DevelopmentStage,
    label=_l("Development stage"), label_plural=_l("Development stages"),
    list_columns=["sequence", "code", "name_zh", "name_en"],
    field_labels={"sequence": _l("Sequence"), "code": _l("Code"), "name_zh": _l("Name (Chinese)"),
                  "name_en": _l("Name (English)")},
    order_by=["sequence"],
    url_prefix="/stages",
)

customer_stage_view = ModelView(
    name="crm_cards.customer_stage",
    model=CustomerStage,
    label=_l("Development progress"), label_plural=_l("Development progress"),
    list_columns=["entered_on", "customer_id", "stage_id", "opportunity", "note"],
    filters=[Filter("stage_id", _l("Stage"))],
    form_fields=["customer_id", "stage_id", "entered_on", "opportunity", "note"],
    field_labels={"entered_on": _l("Entered on"), "customer_id": _l("Customer"), "stage_id": _l("Stage"),
                  "opportunity": _l("Opportunity"), "note": _l("Note")},
    order_by=["-entered_on"],
    url_prefix="/progress",
    can_edit=False,
)

policy_view = ModelView(
    name="crm_cards.policy",
    model=ClassPolicy,
    label=_l("Class policy"), label_plural=_l("Class policies"),
    list_columns=["class_code", "visits_per_month", "credit_days", "credit_terms_zh", "credit_terms_en", "price_class"],
    field_labels={"class_code": _l("Class"), "visits_per_month": _l("Visits per month"), "credit_days": _l("Credit days"),
                  "credit_terms_zh": _l("Credit terms (Chinese)"), "credit_terms_en": _l("Credit terms (English)"),
                  "price_class": _l("Price class")},
    choices={"class_code": _choices(CLASS_LABELS), "price_class": _choices(PRICE_CLASS)},
    order_by=["class_code"],
    url_prefix="/policies",
)

criteria_view = ModelView(
    name="crm_cards.criteria",
    model=ClassCriteria,
    label=_l("Classification criteria"), label_plural=_l("Classification criteria"),
    list_columns=["weight_sales", "weight_size", "weight_standing", "weight_credit", "weight_potential",
                  "threshold_a", "threshold_b", "threshold_c", "review_months"],
    form_fields=["weight_sales", "weight_size", "weight_standing", "weight_credit", "weight_potential",
                 "sales_full_amount", "threshold_a", "threshold_b", "threshold_c", "review_months"],
    field_labels={"weight_sales": _l("Weight: sales volume"), "weight_size": _l("Weight: size"),
                  "weight_standing": _l("Weight: industry standing"), "weight_credit": _l("Weight: credit"),
                  "weight_potential": _l("Weight: potential"), "sales_full_amount": _l("12-month sales for full score"),
                  "threshold_a": _l("Score for class A"), "threshold_b": _l("Score for class B"),
                  "threshold_c": _l("Score for class C"), "review_months": _l("Months between reviews")},
    url_prefix="/criteria",
    can_create=False,
)

document_view = ModelView(
    name="crm_cards.document",
    model=CustomerDocument,
    label=_l("Customer document"), label_plural=_l("Customer archives"),
    list_columns=["doc_date", "customer_id", "kind", "title", "location", "custodian_id"],
    filters=[Filter("kind", _l("Kind"))],
    search_fields=["title", "location"],
    form_fields=["customer_id", "kind", "title", "doc_date", "location", "custodian_id", "note"],
    field_labels={"doc_date": _l("Date"), "customer_id": _l("Customer"), "kind": _l("Kind"), "title": _l("Title"),
                  "location": _l("Kept at"), "custodian_id": _l("Custodian"), "note": _l("Note")},
    choices={"kind": _choices(DOCUMENT_KIND)},
    order_by=["-doc_date"],
    url_prefix="/documents",
    can_delete=True,
)
document_view.attachments = True  # the archive's scans and photos (core.attachments): the Attachments tab

VIEWS = (document_view, strategy_view, action_view, monthly_view, plan_view, goal_view, key_account_view, proposal_view,
         review_view, class_view, stage_view, customer_stage_view, policy_view, criteria_view)
for _view in VIEWS:
    _view.register(bp)


# ----- helpers ---------------------------------------------------------------------------
def _parse_month(text: str) -> dt.date:
    try:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)
    except ValueError:
        abort(404)


def _customer_choices(env: Env, limit: int = 1000) -> list[tuple[int, str]]:
    stmt = env.select(Customer, "read", Customer.id, Customer.name_zh).where(Customer.active.is_(True))
    return [(i, n) for i, n in env.execute(stmt.order_by(Customer.name_zh).limit(limit))]


@bp.app_template_global("crm_hidden_transitions")
def hidden_transitions(record: Any) -> set[str]:
    """Transitions not offered on a card's page: a key account's card goes to the director."""
    if isinstance(record, StrategyCard):
        key = services.is_key_account(g.env, record.customer_id)
        return {"submit"} if key else {"submit_key"}
    return set()


@bp.app_template_global("crm_locked")
def locked(record: Any) -> bool:
    """Whether a card is locked (waiting for approval or approved): no "Edit" button then."""
    editable = {"crm_cards_strategy": services.STRATEGY_EDITABLE, "crm_cards_ka_plan": services.STRATEGY_EDITABLE,
                "crm_cards_monthly": services.MONTHLY_EDITABLE}.get(getattr(record, "__tablename__", ""))
    return editable is not None and record.state not in editable


#: audited keys of a transition that are not columns, labelled here (the kernel stores them raw)
_TRANSITION_KEYS = {"transition": _l("Action"), "comment": _l("Comment"), "amount": _l("Amount")}


@bp.app_template_global("crm_history")
def history_lines(view: ModelView, history: list[dict[str, Any]], approval: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A card's audit history for people: actor, translated action, labelled changes without empty ones.

    Each item: ``at``, ``user``, ``action`` (translated) and ``lines`` of
    ``(label, old or None, new)``; a transition shows its translated name, its
    comment, and no amount when there is none.
    """
    actions = {"create": _("created"), "update": _("updated"), "delete": _("deleted"), "transition": _("state changed")}
    transitions = {}
    if approval:
        transitions = {t.name: tr(t.label) if t.label else t.name for t in approval["workflow"].transitions}
    out = []
    for h in history:
        entry = h["entry"]
        lines: list[tuple[str, Any, Any]] = []
        for key, (old, new) in h["values"].items():
            if key in _TRANSITION_KEYS and key not in view.table.c:
                if new in (None, "", "None"):
                    continue
                value = transitions.get(str(new), str(new)) if key == "transition" else new
                lines.append((tr(_TRANSITION_KEYS[key]), None, value))
            elif old in (None, "") and new in (None, ""):
                continue
            elif key == "reason" and view.model is ClassProposal:  # the score breakdown, translated
                lines.append((tr(_l("Score breakdown")), None, services.format_breakdown(str(new))))
            else:
                lines.append((h["labels"][key], old, new))
        if entry.action == "transition":  # the transition's name says what happened: the state line first
            lines.sort(key=lambda line: 0 if line[1] is not None else 1)
        out.append({"at": entry.at, "user": h["user"], "action": actions.get(entry.action, entry.action), "lines": lines})
    return out


# ----- profile card ----------------------------------------------------------------------
@bp.route("/customers/<int:customer_id>")
def profile_page(customer_id: int) -> Any:
    """The printable profile card of a customer."""
    env = g.env
    lang = current_lang(env)
    card = profile_card(env, customer_id)
    return render_template(
        "crm_cards/profile.html", card=card, lang=lang, class_label=lambda c: choice_label(CLASS_LABELS, c, lang),
        state_label=lambda s: choice_label(MONTHLY_STATE, s, lang), last_month=services.last_month(),
        can_tech=env.can("crm_cards_profile", "write"), today=dt.date.today(),
        can_strategy=env.can("crm_cards_strategy", "create"), can_document=env.can("crm_cards_document", "create"),
        can_monthly=env.can("crm_cards_monthly", "read"),
        size_label=lambda k: choice_label(CUSTOMER_SIZE, k, lang),
        role_label=lambda k: choice_label(CONTACT_ROLE, k, lang),
        kind_label=lambda k: choice_label(DOCUMENT_KIND, k, lang),
        price_class_label=lambda k: choice_label(PRICE_CLASS, k, lang),
        document_files=attachments_of(env, CustomerDocument, [d.id for d in card.documents]),
    )


def profile_print_context(env: Env, customer: Customer) -> dict[str, Any]:
    """What the printed profile card shows: the profile page's content (:func:`profile_card`)."""
    lang = current_lang(env)
    return {
        "card": profile_card(env, customer.id),
        "class_label": lambda c: choice_label(CLASS_LABELS, c, lang),
        "state_label": lambda s: choice_label(MONTHLY_STATE, s, lang),
        "size_label": lambda k: choice_label(CUSTOMER_SIZE, k, lang),
        "role_label": lambda k: choice_label(CONTACT_ROLE, k, lang),
        "kind_label": lambda k: choice_label(DOCUMENT_KIND, k, lang),
        "price_class_label": lambda k: choice_label(PRICE_CLASS, k, lang),
    }


PROFILE_PRINT = print_routes(bp, Customer, "crm_cards/print_profile.html", "/customers/<int:id>/print",
                             endpoint="profile_print", context=profile_print_context,
                             filename=lambda c: f"{c.name_zh}.pdf")


@bp.route("/customers/<int:customer_id>/tech", methods=["POST"])
def tech_data_save(customer_id: int) -> Any:
    """Save the free technical fields (one ``label: value`` per line)."""
    env = g.env
    values: dict[str, str] = {}
    for line in (request.form.get("tech") or "").splitlines():
        if ":" in line or "：" in line:
            key, _sep, value = line.replace("：", ":", 1).partition(":")
            if key.strip():
                values[key.strip()] = value.strip()
    services.set_tech_data(env, customer_id, values)
    flash(_("Saved."), "success")
    return redirect(url_for("crm_cards.profile_page", customer_id=customer_id))


# ----- strategy card ---------------------------------------------------------------------
@bp.route("/strategy/create", methods=["GET", "POST"])
def strategy_create() -> Any:
    """Create a strategy card for a customer and a year (then submit it from its page)."""
    env = g.env
    env.check(StrategyCard, "create")
    errors: dict[str, str] = {}
    form = request.form if request.method == "POST" else request.args
    status = 200
    if request.method == "POST":
        try:
            customer_id = int(form.get("customer_id") or 0)
            year = int(form.get("year") or 0)
        except ValueError:
            customer_id, year = 0, 0
        values = {k: form.get(k) for k in ("goals", "opportunities", "difficulties", "strategy", "resources_people", "budget")}
        actions = []
        for i in range(3):
            text, due = form.get(f"action_text_{i}"), form.get(f"action_date_{i}")
            if text or due:
                actions.append({"text": text, "due_date": due})
        try:
            card = services.create_strategy(env, customer_id, year, values, actions)
            flash(_("Saved."), "success")
            return redirect(url_for(strategy_view.endpoint("detail"), id=card.id))
        except ValidationError as exc:
            env.session.rollback()
            errors = exc.errors or {"form": str(exc)}
            status = 422
        except AccessDenied:
            env.session.rollback()
            errors = {"customer_id": _("Choose one of your customers.")}
            status = 403
    customers = _customer_choices(env)
    wanted = form.get("customer_id", type=int) if hasattr(form, "get") else None
    if wanted and wanted not in dict(customers):
        try:
            cust = services.customer(env, wanted)
            customers.insert(0, (cust.id, cust.name_zh))
        except AccessDenied:
            pass
    return render_template(
        "crm_cards/strategy_form.html", form=form, errors=errors, customers=customers,
        year=int(form.get("year") or dt.date.today().year),
    ), status


# ----- monthly card ----------------------------------------------------------------------
MONTHLY_FIELDS = ("sales_plan", "sales_actual", "collections_plan", "collections", "overdue_amount",
                  "credit_limit", "credit_used", "enthusiasm", "risks", "next_actions")


@bp.route("/monthly/<int:customer_id>/<month>", methods=["GET", "POST"])
def monthly_form(customer_id: int, month: str) -> Any:
    """Fill or correct the monthly card of a customer (phone friendly); save or save and submit."""
    env = g.env
    lang = current_lang(env)
    day = _parse_month(month)
    cust = services.customer(env, customer_id)
    card = env.scalar(env.select(MonthlyCard).where(MonthlyCard.customer_id == customer_id, MonthlyCard.month == day))
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in MONTHLY_FIELDS}
        try:
            version = int(request.form["version"]) if request.form.get("version") else None
            card = services.save_monthly(env, customer_id, day, values, expected_version=version)
            if request.form.get("submit") == "1":
                services.submit_monthly(env, card)
                flash(_("Monthly card submitted for review."), "success")
            else:
                flash(_("Saved."), "success")
            return redirect(url_for(monthly_view.endpoint("detail"), id=card.id))
        except ValidationError as exc:
            env.session.rollback()
            errors = exc.errors or {"form": str(exc)}
            if not exc.errors:
                errors["form"] = str(exc)
            status = 422
        except ConcurrentEditError:
            env.session.rollback()
            errors = {"form": _("Somebody else saved this card since you opened it. Reload the page.")}
            status = 409
        except AccessDenied as exc:
            env.session.rollback()
            errors = {"form": str(exc)}
            status = 403
        data = request.form
    else:
        data = {k: getattr(card, k) for k in MONTHLY_FIELDS} if card is not None else {
            "credit_limit": cust.credit_limit, "enthusiasm": 3,
        }
    editable = card is None or card.state in services.MONTHLY_EDITABLE
    return render_template(
        "crm_cards/monthly_form.html", customer=cust, card=card, month=day, data=data, errors=errors,
        editable=editable, lang=lang,
    ), status


@bp.route("/monthly/missing")
def monthly_missing() -> Any:
    """Customers whose monthly card for last month is missing (mine, or my team's)."""
    env = g.env
    lang = current_lang(env)
    mine = request.args.get("mine") == "1"
    month = services.last_month()
    total, rows = services.missing_monthly_page(env, month, owner_only=mine, limit=200)
    return render_template("crm_cards/missing.html", rows=rows, total=total, month=month, mine=mine, lang=lang)


# ----- pipeline, risks, reviews ----------------------------------------------------------
@bp.route("/pipeline")
def pipeline_page() -> Any:
    """The development pipeline board, optionally for one territory (and its sub-territories)."""
    env = g.env
    lang = current_lang(env)
    territory_id = request.args.get("territory_id", type=int)
    territories = []
    if services.territories_on(env):
        from addons.territories.models import Territory

        if env.can(Territory, "read"):
            territories = env.search(Territory, order_by=[Territory.sequence, Territory.code])
    board = services.pipeline(env, territory_id)
    return render_template(
        "crm_cards/pipeline.html", board=board, territories=territories, territory_id=territory_id, lang=lang,
        class_label=lambda c: choice_label(CLASS_LABELS, c, lang),
    )


@bp.route("/risks")
def risks_page() -> Any:
    """Customers over their credit limit or with overdue collections."""
    env = g.env
    lang = current_lang(env)
    return render_template("crm_cards/risks.html", rows=services.risk_customers(env), lang=lang)


@bp.route("/reviews/start")
def review_start() -> Any:
    """The start page of the periodic classification review: the period, then one button."""
    env = g.env
    env.check(ClassReview, "create")
    crit = services.criteria(env)
    period = services.review_period(crit, dt.date.today())
    done = env.scalar(env.select(ClassReview, "read", ClassReview.id).where(ClassReview.period == period).limit(1))
    return render_template("crm_cards/review_start.html", period=period, done=done, criteria=crit)


@bp.route("/reviews/run", methods=["POST"])
def review_run() -> Any:
    """Run the periodic classification review (creates proposals for the Director)."""
    env = g.env
    env.check(ClassReview, "create")
    try:
        review = services.run_class_review(env)
    except ValidationError as exc:
        env.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("crm_cards.review_start"))
    n = env.scalar(env.select(ClassProposal, "read", ClassProposal.id).where(ClassProposal.review_id == review.id).limit(1))
    flash(_("Review %(period)s run.", period=review.period) if n else _("No class change to propose."), "success")
    return redirect(url_for("crm_cards.review_board", id=review.id))


def _board_rows(env: Env, review: ClassReview, lang: str) -> list[dict[str, Any]]:
    """The proposals of a review side by side: customer, classes, breakdown, class history."""
    proposals = env.search(ClassProposal, ClassProposal.review_id == review.id, order_by=[ClassProposal.id])
    ids = [p.customer_id for p in proposals]
    names = dict(env.execute(env.select(Customer, "read", Customer.id, Customer.name_zh).where(Customer.id.in_(ids or [-1]))).all())
    history: dict[int, list[CustomerClass]] = {}
    if ids and env.can(CustomerClass, "read"):
        for row in env.search(CustomerClass, CustomerClass.customer_id.in_(ids), order_by=[CustomerClass.id.desc()]):
            if len(history.setdefault(row.customer_id, [])) < 3:
                history[row.customer_id].append(row)
    return [{
        "proposal": p,
        "customer": names.get(p.customer_id, ""),
        "old": choice_label(CLASS_LABELS, p.old_class, lang) if p.old_class else "",
        "new": choice_label(CLASS_LABELS, p.new_class, lang),
        "breakdown": [(choice_label(FACTOR_LABELS, k, lang), services.classification._number(v))
                      for k, v in services.classification.score_breakdown(p.reason)],
        "state": choice_label(PROPOSAL_STATE, p.state, lang),
        "history": [(h.set_on, choice_label(CLASS_LABELS, h.previous_code, lang) if h.previous_code else "",
                     choice_label(CLASS_LABELS, h.class_code, lang), h.reason) for h in history.get(p.customer_id, [])],
    } for p in sorted(proposals, key=lambda p: (p.state != "submitted", names.get(p.customer_id, ""), p.id))]


@bp.route("/reviews/<int:id>/decide", methods=["GET", "POST"])
def review_board(id: int) -> Any:  # noqa: A002
    """Decide a review's proposals side by side: approve or refuse one row, or the selected ones, with reasons.

    A refusal needs a reason (the row's, or the common one for a bulk
    decision); if one is missing nothing is decided and the fields are marked.
    """
    env = g.env
    lang = current_lang(env)
    review = env.get(ClassReview, id)
    may_decide = env.can(ClassProposal, "write") and env.in_group("core.group_director", "core.group_admin")
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not may_decide:
            abort(403)
        action = request.form.get("decide", "")
        verb, _sep, target = action.partition(":")
        if verb not in ("approve", "reject"):
            abort(400)
        chosen = [target] if target and target != "selected" else request.form.getlist("ids")
        common = (request.form.get("bulk_reason") or "").strip()
        decisions = []
        for raw in chosen:
            try:
                proposal = env.get(ClassProposal, int(raw))
            except (ValueError, AccessDenied):
                abort(404)
            if proposal.review_id != review.id or proposal.state != "submitted":
                continue
            reason = (request.form.get(f"reason_{proposal.id}") or "").strip() or (common if target == "selected" else "")
            decisions.append((proposal, verb == "approve", reason or None))
        try:
            services.decide_proposals(env, decisions)
        except ValidationError as exc:
            env.session.rollback()
            errors = dict(exc.errors or {})
            errors["form"] = str(exc)
            status = 422
        except AccessDenied as exc:
            env.session.rollback()
            errors = {"form": str(exc)}
            status = 403
        else:
            n = len(decisions)
            flash(_("%(n)s proposals approved.", n=n) if verb == "approve" else _("%(n)s proposals refused.", n=n), "success")
            return redirect(url_for("crm_cards.review_board", id=review.id))
    rows = _board_rows(env, review, lang)
    return render_template(
        "crm_cards/review_board.html", review=review, rows=rows, may_decide=may_decide, errors=errors,
        form=request.form, waiting=sum(1 for r in rows if r["proposal"].state == "submitted"),
    ), status


# ----- extension of the customer page ----------------------------------------------------
def customer_tab(env: Env, customer: Customer) -> Markup:
    """The "Customer cards" tab on masterdata's customer page."""
    lang = current_lang(env)
    prof = services.profile(env, customer.id, create=False)
    return Markup(render_template(
        "crm_cards/_customer_tab.html", customer=customer, prof=prof, last_month=services.last_month(),
        class_label=lambda c: choice_label(CLASS_LABELS, c, lang), lang=lang,
        can_monthly=env.can("crm_cards_monthly", "read"), can_strategy=env.can("crm_cards_strategy", "create"),
    ))


def view_extension(view: str, env: Env) -> dict[str, Any] | None:
    """``tixi_view_extend``: a tab on the customer page with class, risk and card links."""
    if view == "masterdata.customer":
        return {"tabs": [Tab("crm_cards", _l("Customer cards"), customer_tab, sequence=20)]}
    return None


def menu_items(env: Env) -> list[MenuItem]:
    """The "Customer management" menu."""
    from core.web.menus import MenuItem

    parent = "crm_cards"
    items = [
        MenuItem(parent, _l("Customer management"), "", sequence=20),
        MenuItem("crm_cards.missing", _l("Missing monthly cards"), "crm_cards.monthly_missing",
                 model=MonthlyCard, parent=parent, sequence=1),
        monthly_view.menu_item(_l("Monthly cards"), sequence=2, parent=parent),
        strategy_view.menu_item(_l("Strategy cards"), sequence=3, parent=parent),
        key_account_view.menu_item(_l("Key accounts"), sequence=4, parent=parent),
        plan_view.menu_item(_l("Key-account plans"), sequence=5, parent=parent),
        MenuItem("crm_cards.pipeline", _l("Development pipeline"), "crm_cards.pipeline_page",
                 model=CustomerStage, parent=parent, sequence=6),
        MenuItem("crm_cards.risks", _l("Customers at risk"), "crm_cards.risks_page",
                 model="crm_cards_profile", parent=parent, sequence=7),
        class_view.menu_item(_l("Class history"), sequence=8, parent=parent),
        document_view.menu_item(_l("Customer archives"), sequence=11, parent=parent),
        review_view.menu_item(_l("Classification reviews"), sequence=9, parent=parent),
        proposal_view.menu_item(_l("Class change proposals"), sequence=10, parent=parent),
        stage_view.menu_item(_l("Development stages"), sequence=20, parent=parent,
                             group=["core.group_director", "core.group_marketing_admin", "core.group_admin"]),
        policy_view.menu_item(_l("Class policies"), sequence=21, parent=parent,
                              group=["core.group_director", "core.group_admin"]),
        criteria_view.menu_item(_l("Classification criteria"), sequence=22, parent=parent,
                                group=["core.group_director", "core.group_admin"]),
    ]
    return items
