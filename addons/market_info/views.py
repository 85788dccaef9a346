"""Pages of market_info (blueprint ``market_info``, under ``/market-info``).

* ``/market-info/``: the user's page (phone-first): items to collect and
  overdue, the latest prices they may read, links to file information;
* ``/market-info/prices/new``: file a competitor price (date, place and source
  required; nothing saved on a refusal);
* ``/market-info/notes/new``: file a note (policy, technology, new product ...);
* ``/market-info/file-tech-need`` and ``/market-info/tech-needs/<id>/change``: file or change a
  customer's technical need at a development stage (every field checked, the errors per field in the
  user's language, nothing saved on an error);
* ``/market-info/analyses/<id>``: an analysis, issued by its aggregator;
* generic lists of plans, competitors, competitor products, prices, notes,
  technical needs and analyses (confidential: the rules decide what is listed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from addons.masterdata.models import Customer, Product
from core.errors import AccessDenied, ValidationError
from core.i18n import _, _l
from core.web.generic import ModelView
from core.web.menus import MenuItem

from . import services as svc
from .models import (
    ANALYSIS_STATE,
    CHANNEL,
    FREQUENCY,
    KIND,
    NOTE_KINDS,
    PRICE_KIND,
    SOURCE,
    STAGE,
    Analysis,
    CollectionPlan,
    Competitor,
    CompetitorProduct,
    Note,
    PriceObservation,
    TechNeed,
)
from .services.common import today as local_today

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("market_info", __name__, url_prefix="/market-info", template_folder="templates")

LABELS = {
    "name": _l("Name"), "kind": _l("Kind"), "collector_id": _l("Collector"), "channel": _l("Channel"),
    "frequency": _l("Frequency"), "aggregator_id": _l("Aggregator"), "analysis": _l("Analysis"),
    "next_due": _l("Next due"), "remind_days": _l("Remind days before"), "name_zh": _l("Name (Chinese)"),
    "name_en": _l("Name (English)"), "location": _l("Location"), "strengths": _l("Strengths"),
    "weaknesses": _l("Weaknesses"), "note": _l("Note"), "competitor_id": _l("Competitor"),
    "product_id": _l("Product variety"), "quality": _l("Quality"), "technology": _l("Technology"),
    "observed_on": _l("Date"), "place": _l("Place"), "source": _l("Source"), "price_kind": _l("Kind of price"),
    "price": _l("Price"), "unit": _l("Unit"), "customer_id": _l("Customer"), "plan_id": _l("Plan"),
    "competitor_product_id": _l("Competitor product"), "noted_on": _l("Date"), "title": _l("Title"),
    "body": _l("Text"), "stage": _l("Development stage"), "need": _l("Technical need"),
    "date_from": _l("From"), "date_to": _l("To"), "state": _l("State"), "records": _l("Records"),
    "author_id": _l("Author"),
}

plan_view = ModelView(
    name="market_info.plan", model=CollectionPlan, label=_l("Information collection plan"),
    label_plural=_l("Information collection plans"),
    list_columns=["name", "kind", "collector_id", "channel", "frequency", "aggregator_id", "next_due"],
    search_fields=["name"],
    form_fields=["name", "kind", "collector_id", "channel", "frequency", "aggregator_id", "analysis", "next_due",
                 "remind_days"],
    field_labels=LABELS, choices={"kind": list(KIND.items()), "channel": list(CHANNEL.items()),
                                  "frequency": list(FREQUENCY.items())},
    order_by=["next_due"], url_prefix="/plans", api=False,
)
plan_view.register(bp)

competitor_view = ModelView(
    name="market_info.competitor", model=Competitor, label=_l("Competitor"), label_plural=_l("Competitors"),
    list_columns=["name_zh", "name_en", "location"], search_fields=["name_zh", "name_en"],
    form_fields=["name_zh", "name_en", "location", "strengths", "weaknesses", "note"],
    field_labels=LABELS, order_by=["name_zh"], url_prefix="/competitors", api=False,
)
competitor_view.register(bp)

cproduct_view = ModelView(
    name="market_info.competitor_product", model=CompetitorProduct, label=_l("Competitor product"),
    label_plural=_l("Competitor products"), list_columns=["competitor_id", "name", "product_id"],
    search_fields=["name"], form_fields=["competitor_id", "name", "product_id", "quality", "technology"],
    field_labels=LABELS, order_by=["competitor_id", "name"], url_prefix="/competitor-products", api=False,
)
cproduct_view.register(bp)

price_view = ModelView(
    name="market_info.price", model=PriceObservation, label=_l("Competitor price observation"),
    label_plural=_l("Competitor price observations"),
    list_columns=["observed_on", "competitor_id", "product_id", "price_kind", "price", "place", "source",
                  "collector_id"],
    search_fields=["place", "note"],
    detail_fields=["observed_on", "competitor_id", "competitor_product_id", "product_id", "customer_id",
                   "price_kind", "price", "unit", "place", "source", "collector_id", "plan_id", "note"],
    field_labels=LABELS, choices={"price_kind": list(PRICE_KIND.items()), "source": list(SOURCE.items())},
    order_by=["-observed_on", "-id"], url_prefix="/prices", can_create=False, can_edit=False,
    new_endpoint="market_info.new_price", api=False,
)
price_view.register(bp)

note_view = ModelView(
    name="market_info.note", model=Note, label=_l("Information note"), label_plural=_l("Information notes"),
    list_columns=["noted_on", "kind", "title", "collector_id"], search_fields=["title", "body"],
    detail_fields=["noted_on", "kind", "title", "body", "source", "competitor_id", "customer_id", "collector_id",
                   "plan_id"],
    field_labels=LABELS, choices={"kind": list(KIND.items())}, order_by=["-noted_on", "-id"],
    url_prefix="/notes", can_create=False, can_edit=False, new_endpoint="market_info.new_note", api=False,
)
note_view.register(bp)

need_view = ModelView(
    name="market_info.tech_need", model=TechNeed, label=_l("Technical need"), label_plural=_l("Technical needs"),
    list_columns=["noted_on", "customer_id", "stage", "need", "collector_id"], search_fields=["need"],
    detail_fields=["noted_on", "customer_id", "stage", "need", "product_id", "collector_id", "plan_id"],
    field_labels=LABELS, choices={"stage": list(STAGE.items())}, order_by=["-noted_on", "-id"],
    url_prefix="/tech-needs", can_create=False, can_edit=False, new_endpoint="market_info.new_tech_need", api=False,
)
need_view.register(bp)

analysis_view = ModelView(
    name="market_info.analysis", model=Analysis, label=_l("Information analysis"),
    label_plural=_l("Information analyses"),
    list_columns=["title", "plan_id", "date_from", "date_to", "records", "state"], search_fields=["title"],
    detail_fields=["title", "plan_id", "date_from", "date_to", "records", "state", "author_id", "body"],
    form_fields=["title", "body"],
    field_labels=LABELS, choices={"state": list(ANALYSIS_STATE.items())}, order_by=["-date_to", "-id"],
    url_prefix="/analyses", can_create=False, api=False,
)
analysis_view.register(bp)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@bp.route("/")
def index() -> str:
    """The user's market information page."""
    env = g.env
    pending = svc.pending_items(env)
    prices = env.search(PriceObservation, order_by=[PriceObservation.observed_on.desc(), PriceObservation.id.desc()],
                        limit=10) if env.can(PriceObservation, "read") else []
    plans = env.search(CollectionPlan, order_by=[CollectionPlan.next_due], limit=20) if env.can(CollectionPlan, "read") else []
    needs = []
    if env.can(TechNeed, "read"):
        from addons.masterdata.services import current_employee

        me = current_employee(env)
        if me is not None:
            needs = env.search(TechNeed, TechNeed.collector_id == me.id,
                               order_by=[TechNeed.noted_on.desc(), TechNeed.id.desc()], limit=10)
    return render_template("market_info/index.html", pending=pending, prices=prices, plans=plans, needs=needs,
                           can_file_need=env.can(TechNeed, "create"), kind_label=KIND.label,
                           price_kind_label=PRICE_KIND.label, stage_label=STAGE.label)


@bp.route("/file-price", methods=["GET", "POST"])
def new_price() -> Any:
    """File a competitor price (phone-first)."""
    env = g.env
    error, status = None, 200
    if request.method == "POST":
        f = request.form
        try:
            row = svc.record_price(env, _int(f.get("competitor_id")), f.get("price"), f.get("observed_on"),
                                   f.get("place"), f.get("source"), price_kind=f.get("price_kind") or "wholesale",
                                   product=_int(f.get("product_id")), customer=_int(f.get("customer_id")),
                                   unit=f.get("unit"), note=f.get("note"))
        except (ValidationError, AccessDenied) as exc:
            g.tx_failed = True
            error, status = str(exc), 422
        else:
            flash(_("Competitor price saved."), "success")
            return redirect(url_for("market_info.price_detail", id=row.id))
    return render_template(
        "market_info/new_price.html", error=error, form=request.form,
        competitors=env.search(Competitor, order_by=[Competitor.name_zh]),
        products=env.search(Product, order_by=[Product.id], limit=300) if env.can(Product, "read") else [],
        customers=env.search(Customer, order_by=[Customer.name_zh], limit=300) if env.can(Customer, "read") else [],
        sources=list(SOURCE.items()), kinds=list(PRICE_KIND.items())), status


@bp.route("/file-note", methods=["GET", "POST"])
def new_note() -> Any:
    """File a note: policy, competitor technology, new product, trend ..."""
    env = g.env
    error, status = None, 200
    if request.method == "POST":
        f = request.form
        try:
            row = svc.record_note(env, f.get("kind"), f.get("title"), f.get("noted_on"), body=f.get("body"),
                                  source=f.get("source"), competitor=_int(f.get("competitor_id")))
        except (ValidationError, AccessDenied) as exc:
            g.tx_failed = True
            error, status = str(exc), 422
        else:
            flash(_("Note saved."), "success")
            return redirect(url_for("market_info.note_detail", id=row.id))
    return render_template("market_info/new_note.html", error=error, form=request.form,
                           kinds=[(k, KIND[k]) for k in NOTE_KINDS],
                           competitors=env.search(Competitor, order_by=[Competitor.name_zh])), status


def _need_form(env: Env, row: TechNeed | None, errors: dict[str, str], form: Any, status: int) -> Any:
    customers = env.search(Customer, Customer.active.is_(True), order_by=[Customer.name_zh], limit=500) \
        if env.can(Customer, "read") else []
    products = env.search(Product, order_by=[Product.id], limit=300) if env.can(Product, "read") else []
    return render_template("market_info/tech_need_form.html", row=row, errors=errors, form=form,
                           customers=customers, products=products, stages=list(STAGE.items())), status


def _need_values(row: TechNeed) -> dict[str, Any]:
    return {"customer_id": row.customer_id, "stage": row.stage, "noted_on": row.noted_on.isoformat(),
            "need": row.need, "product_id": row.product_id or ""}


def _save_need(env: Env, row: TechNeed | None) -> Any:
    """POST of the form: saved and redirected, or the form again with each field's error (status 422)."""
    try:
        saved = svc.save_tech_need(env, request.form, row)
    except ValidationError as exc:
        g.tx_failed = True
        return _need_form(env, row, dict(exc.errors or {}) or {"form": str(exc)}, request.form, 422)
    flash(_("Technical need saved."), "success")
    return redirect(url_for("market_info.tech_need_detail", id=saved.id))


@bp.route("/file-tech-need", methods=["GET", "POST"])
def new_tech_need() -> Any:
    """File a customer's technical need at a development stage (phone-first)."""
    env = g.env
    env.check(TechNeed, "create")
    if request.method == "POST":
        return _save_need(env, None)
    stage = request.args.get("stage") or ""
    return _need_form(env, None, {}, {"customer_id": request.args.get("customer_id", ""), "stage": stage,
                                      "noted_on": local_today(env).isoformat()}, 200)


@bp.route("/tech-needs/<int:need_id>/change", methods=["GET", "POST"])
def edit_tech_need(need_id: int) -> Any:
    """Change a technical need (its collector: the record rules decide)."""
    env = g.env
    row = env.get(TechNeed, need_id)
    if not (env.can(TechNeed, "write") and env.allowed(row, "write")):
        raise AccessDenied(_("Only the collector may change this technical need."))
    if request.method == "POST":
        return _save_need(env, row)
    return _need_form(env, row, {}, _need_values(row), 200)


@bp.route("/analyses/<int:analysis_id>/issue", methods=["POST"])
def issue(analysis_id: int) -> Any:
    """Issue an analysis to the plan's recipients."""
    env = g.env
    try:
        n = svc.issue_analysis(env, analysis_id)
    except (ValidationError, AccessDenied) as exc:
        g.tx_failed = True
        flash(str(exc), "danger")
    else:
        flash(_("Analysis issued to %(count)s recipients.", count=n), "success")
    return redirect(url_for("market_info.analysis_detail", id=analysis_id))


def menu_items(env: Env) -> list[Any]:
    """The "Market information" menu."""
    return [
        MenuItem("market_info", _l("Market information"), "market_info.index", model=PriceObservation, sequence=72),
        MenuItem("market_info_home", _l("My market information"), "market_info.index", model=PriceObservation,
                 sequence=1, parent="market_info"),
        MenuItem("market_info_new_price", _l("File a competitor price"), "market_info.new_price",
                 model=PriceObservation, sequence=2, parent="market_info"),
        MenuItem("market_info_prices", _l("Competitor price observations"), "market_info.price_list",
                 model=PriceObservation, sequence=3, parent="market_info"),
        MenuItem("market_info_notes", _l("Information notes"), "market_info.note_list", model=Note, sequence=4,
                 parent="market_info"),
        MenuItem("market_info_new_need", _l("File a technical need"), "market_info.new_tech_need", model=TechNeed,
                 perm="create", sequence=5, parent="market_info"),
        MenuItem("market_info_needs", _l("Technical needs"), "market_info.tech_need_list", model=TechNeed,
                 sequence=5, parent="market_info"),
        MenuItem("market_info_analyses", _l("Information analyses"), "market_info.analysis_list", model=Analysis,
                 sequence=6, parent="market_info"),
        MenuItem("market_info_plans", _l("Information collection plans"), "market_info.plan_list", model=CollectionPlan,
                 sequence=7, parent="market_info"),
        MenuItem("market_info_competitors", _l("Competitors"), "market_info.competitor_list", model=Competitor,
                 sequence=8, parent="market_info"),
        MenuItem("market_info_cproducts", _l("Competitor products"), "market_info.competitor_product_list",
                 model=CompetitorProduct, sequence=9, parent="market_info"),
    ]
