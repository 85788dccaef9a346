"""Pages of the pricing addon (blueprint ``pricing``, under ``/pricing``).

Generic views (``core.web.generic``) for the settings and inputs, plus own pages:

* ``/pricing/quotes/create``: a new quote or bid (lines priced from the strategy);
* ``/pricing/quotes/<id>``: the quote with each line's band, the competitor's
  last price beside ours, cost and margin for the roles that may see them,
  price editing while draft, submit/approve/reject/send/re-quote with comments,
  the customer's reaction, the bid go/no-go, versions and history;
* ``/pricing/quotes/<id>/print`` (+ ``.pdf``): the printed quote (报价单: every line, totals, terms);
* ``/pricing/costs``: Finance's monthly input (metal prices, product costs, import);
* ``/pricing/reports`` (+ ``/<name>.xlsx``): redirects to the report centre (``/reports/pricing.*``).

Reads go through ``g.env``; writes through :mod:`addons.pricing.services`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from addons.masterdata.models import Customer, Product
from addons.pricing import services
from addons.pricing.models import (
    BID_DECISION_LABELS,
    CHANNEL_LABELS,
    LEVEL_LABELS,
    LIFECYCLE_LABELS,
    METHOD_LABELS,
    QUOTE_KIND_LABELS,
    QUOTE_STATE_LABELS,
    QUOTE_TYPE_LABELS,
    REACTION_LABELS,
    SOURCE_LABELS,
    AuthorityBand,
    CompetitorPrice,
    CustomerAssessment,
    Metal,
    MonthlyMetalPrice,
    PriceReaction,
    PricingStrategy,
    ProductCost,
    ProductFormula,
    ProductPricing,
    Quote,
    QuoteLine,
    StrategyMatrix,
    StrategyRule,
    StrategyTarget,
)
from core.errors import AccessDenied, ConcurrentEditError, ValidationError
from core.i18n import Choices, LazyText, _, _l, current_lang
from core.pdf import format_number, print_routes
from core.web.generic import Filter, ModelView, Related, display_name

if TYPE_CHECKING:
    from core.security.env import Env
    from core.web.menus import MenuItem

bp = Blueprint("pricing", __name__, url_prefix="/pricing", template_folder="templates", static_folder="static")

MAX_FORM_LINES = 10


def _choices(labels: Choices) -> list[tuple[str, LazyText]]:
    return list(labels.items())


def _group_choices(env: Env) -> list[tuple[str, str]]:
    from core.models import Group

    lang = current_lang(env)
    # the kernel's roles are reference data: their names are shown to whoever sets the bands
    groups = env.sudo().scalars(select(Group).where(Group.code.like("core.group_%")).order_by(Group.id))
    return [(grp.code, grp.display(lang)) for grp in groups]


LABELS = {
    "code": _l("Code"), "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"), "sequence": _l("Sequence"),
    "month": _l("Month"), "metal_id": _l("Metal"), "price_per_gram": _l("Price per gram"),
    "product_id": _l("Product variety"), "customer_id": _l("Customer"), "manufacturing_cost": _l("Manufacturing cost"),
    "carrier_cost": _l("Carrier cost"), "grams_per_unit": _l("Grams per unit"), "year": _l("Year"),
    "lifecycle_stage": _l("Life-cycle stage"), "list_price": _l("List price"), "name": _l("Name"),
    "default_quote_type": _l("Default quote type"), "channel_markup_pct": _l("Channel markup %"), "notes": _l("Notes"),
    "strategy_id": _l("Quote strategy"), "attractiveness": _l("Customer attractiveness"), "ability": _l("Ability to win"),
    "quote_type": _l("Quote type"), "method": _l("Method"), "target_margin_pct": _l("Target margin %"),
    "floor_margin_pct": _l("Floor margin %"), "target_discount_pct": _l("Target discount %"),
    "max_discount_pct": _l("Maximum discount %"), "customer_class": _l("Customer class"),
    "adjust_pct": _l("Adjustment (points)"), "channel": _l("Channel"), "group_code": _l("Role"),
    "max_below_floor_pct": _l("% below floor"), "number": _l("Quote number"), "revision": _l("Version"),
    "kind": _l("Kind"), "owner_id": _l("Salesperson"), "quote_date": _l("Quote date"), "valid_until": _l("Valid until"),
    "state": _l("State"), "amount_total": _l("Amount"), "max_deviation_pct": _l("% below floor"),
    "bid_decision": _l("Bid decision"), "required_group": _l("Required approver"), "lost_reason": _l("Reason lost"),
    "lost_to": _l("Lost to"), "lost_price": _l("Competitor price"), "note": _l("Note"), "currency": _l("Currency"),
    "competitor": _l("Competitor"), "price": _l("Price"), "observed_on": _l("Date"), "source": _l("Source"),
    "quote_id": _l("Quote"), "counter_price": _l("Counter price"), "competitor_price": _l("Competitor price"),
    "reacted_on": _l("Date"), "decimals": _l("Decimals"), "rounding": _l("Rounding"),
    "quote_validity_days": _l("Quote validity (days)"),
}
CHOICES = {
    "lifecycle_stage": _choices(LIFECYCLE_LABELS), "default_quote_type": _choices(QUOTE_TYPE_LABELS),
    "quote_type": _choices(QUOTE_TYPE_LABELS), "attractiveness": _choices(LEVEL_LABELS),
    "ability": _choices(LEVEL_LABELS), "method": _choices(METHOD_LABELS), "channel": _choices(CHANNEL_LABELS),
    "kind": _choices(QUOTE_KIND_LABELS), "state": _choices(QUOTE_STATE_LABELS),
    "bid_decision": _choices(BID_DECISION_LABELS), "source": _choices(SOURCE_LABELS),
    "group_code": _group_choices,
}


def _view(name: str, model: type, columns: list[str], **kwargs: Any) -> ModelView:
    kwargs.setdefault("field_labels", LABELS)
    kwargs.setdefault("choices", CHOICES)
    return ModelView(name=f"pricing.{name}", model=model, list_columns=columns, **kwargs)


metal_view = _view("metal", Metal, ["code", "name_zh", "name_en", "sequence"], label=_l("Metal"),
                   label_plural=_l("Metals"), url_prefix="/metals", order_by=["sequence"], api=False)
metal_price_view = _view("metal_price", MonthlyMetalPrice, ["month", "metal_id", "price_per_gram"],
                         label=_l("Monthly metal price"), label_plural=_l("Monthly metal prices"),
                         filters=[Filter("metal_id", _l("Metal"))], url_prefix="/metal-prices", order_by=["-month"])
cost_view = _view("cost", ProductCost, ["month", "product_id", "manufacturing_cost", "carrier_cost"],
                  label=_l("Monthly product cost"), label_plural=_l("Monthly product costs"),
                  filters=[Filter("product_id", _l("Product variety"))], url_prefix="/product-costs",
                  order_by=["-month"])
formula_view = _view("formula", ProductFormula, ["product_id", "customer_id", "metal_id", "grams_per_unit"],
                     label=_l("Product formula"), label_plural=_l("Product formulas"),
                     filters=[Filter("product_id", _l("Product variety"))], url_prefix="/formulas", can_delete=True)
product_pricing_view = _view("product_pricing", ProductPricing, ["year", "product_id", "lifecycle_stage", "list_price"],
                             label=_l("List price and life cycle"), label_plural=_l("List prices and life cycle"),
                             filters=[Filter("year", _l("Year")), Filter("lifecycle_stage", _l("Life-cycle stage"))],
                             url_prefix="/list-prices", order_by=["-year"])
matrix_view = _view("matrix", StrategyMatrix, ["strategy_id", "attractiveness", "ability", "quote_type"],
                    label=_l("Strategy matrix"), label_plural=_l("Strategy matrix"), url_prefix="/matrix", api=False)
rule_view = _view("rule", StrategyRule, ["strategy_id", "quote_type", "method", "target_margin_pct", "floor_margin_pct",
                                         "target_discount_pct", "max_discount_pct"],
                  label=_l("Strategy rule"), label_plural=_l("Strategy rules"), url_prefix="/rules", api=False)
target_view = _view("target", StrategyTarget, ["strategy_id", "customer_class", "lifecycle_stage", "adjust_pct",
                                               "target_margin_pct"],
                    label=_l("Pricing target"), label_plural=_l("Pricing targets"), url_prefix="/targets",
                    can_delete=True, api=False)
strategy_view = _view(
    "strategy", PricingStrategy, ["year", "name", "default_quote_type", "channel_markup_pct"],
    label=_l("Pricing strategy"), label_plural=_l("Pricing strategies"), url_prefix="/strategies",
    detail_fields=["year", "name", "default_quote_type", "channel_markup_pct", "notes"],
    form_fields=["year", "name", "default_quote_type", "channel_markup_pct", "notes"],
    related=[
        Related("matrix", _l("Strategy matrix"), StrategyMatrix, fk="strategy_id",
                columns=["attractiveness", "ability", "quote_type"], view="pricing.matrix"),
        Related("rules", _l("Strategy rules"), StrategyRule, fk="strategy_id",
                columns=["quote_type", "method", "target_margin_pct", "floor_margin_pct", "target_discount_pct",
                         "max_discount_pct"], view="pricing.rule"),
        Related("targets", _l("Pricing targets"), StrategyTarget, fk="strategy_id",
                columns=["customer_class", "lifecycle_stage", "adjust_pct", "target_margin_pct"], view="pricing.target"),
    ],
    order_by=["-year"], api=False,
)
assessment_view = _view("assessment", CustomerAssessment,
                        ["year", "customer_id", "attractiveness", "ability", "channel", "customer_class"],
                        label=_l("Customer pricing assessment"), label_plural=_l("Customer pricing assessments"),
                        filters=[Filter("year", _l("Year")), Filter("channel", _l("Channel"))],
                        url_prefix="/assessments", order_by=["-year"])
band_view = _view("band", AuthorityBand, ["sequence", "group_code", "max_below_floor_pct"],
                  label=_l("Pricing authority"), label_plural=_l("Pricing authority"), url_prefix="/authority",
                  order_by=["sequence"], can_delete=True, api=False)
competitor_view = _view("competitor", CompetitorPrice,
                        ["observed_on", "product_id", "customer_id", "competitor", "price", "source"],
                        label=_l("Competitor price"), label_plural=_l("Competitor prices"),
                        search_fields=["competitor"],
                        filters=[Filter("product_id", _l("Product variety")), Filter("source", _l("Source"))],
                        form_fields=["observed_on", "product_id", "customer_id", "competitor", "price", "source", "note"],
                        url_prefix="/competitor-prices", order_by=["-observed_on"])
reaction_view = _view("reaction", PriceReaction,
                      ["reacted_on", "quote_id", "kind", "counter_price", "competitor", "competitor_price"],
                      label=_l("Price reaction"), label_plural=_l("Price reactions"),
                      choices={**CHOICES, "kind": _choices(REACTION_LABELS)},
                      filters=[Filter("kind", _l("Kind"))], url_prefix="/reactions", order_by=["-reacted_on"],
                      can_create=False, can_edit=False, api=False)
quote_view = _view(
    "quote", Quote,
    ["number", "revision", "kind", "customer_id", "owner_id", "quote_date", "valid_until", "state", "amount_total",
     "max_deviation_pct"],
    label=_l("Quote"), label_plural=_l("Quotes"), url_prefix="/quotes",
    search_fields=["number"],
    filters=[Filter("state", _l("State")), Filter("kind", _l("Kind")), Filter("customer_id", _l("Customer"))],
    detail_fields=["number", "revision", "kind", "customer_id", "owner_id", "channel", "customer_class", "currency",
                   "quote_date", "valid_until", "state", "bid_decision", "amount_total", "max_deviation_pct",
                   "required_group", "lost_reason", "lost_to", "lost_price", "note"],
    order_by=["-quote_date", "-number"],
    can_create=False, can_edit=False, api=False,
    templates={"detail": "pricing/quote_detail.html"},
)
VIEWS = [quote_view, competitor_view, reaction_view, strategy_view, matrix_view, rule_view, target_view,
         assessment_view, band_view, product_pricing_view, metal_view, metal_price_view, cost_view, formula_view]
for _v in VIEWS:
    _v.register(bp)


def menu_items(env: Env) -> list[MenuItem]:
    """The Pricing menu (items hidden when the user cannot read their model)."""
    from core.web.menus import MenuItem

    parent = "pricing"
    return [
        MenuItem(parent, _l("Pricing"), "", sequence=40),
        quote_view.menu_item(_l("Quotes"), sequence=10, parent=parent),
        MenuItem("pricing.quote_create", _l("New quote"), "pricing.quote_create", model=Quote, perm="create",
                 sequence=11, parent=parent),
        competitor_view.menu_item(_l("Competitor prices"), sequence=20, parent=parent),
        MenuItem("pricing.costs", _l("Monthly cost input"), "pricing.costs", model=(ProductCost, Metal),
                 sequence=30, parent=parent),
        strategy_view.menu_item(_l("Pricing strategies"), sequence=50, parent=parent),
        assessment_view.menu_item(_l("Customer pricing assessments"), sequence=55, parent=parent),
        product_pricing_view.menu_item(_l("List prices and life cycle"), sequence=60, parent=parent),
        formula_view.menu_item(_l("Product formulas"), sequence=65, parent=parent),
        metal_price_view.menu_item(_l("Monthly metal prices"), sequence=70, parent=parent),
        band_view.menu_item(_l("Pricing authority"), sequence=80, parent=parent),
        metal_view.menu_item(_l("Metals"), sequence=90, parent=parent),
    ]


# ----- helpers -------------------------------------------------------------------------------
def _fail_page(exc: Exception) -> None:
    g.env.session.rollback()
    flash(str(exc), "danger")


def _parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("The date %(value)s is not valid.", value=text)) from None


def _month_arg(text: str | None) -> dt.date:
    if text:
        try:
            year, month = text.split("-")[:2]
            return dt.date(int(year), int(month), 1)
        except ValueError:
            pass
    return services.month_start(services.today(g.env))


@bp.app_template_global("pricing_money")
def money_cell(value: Any, decimals: int | None = None) -> str:
    """A price or amount with the company's decimals, grouped per locale (``984.00``)."""
    if value is None:
        return ""
    from flask_babel import format_decimal

    places = services.money(g.env).decimals if decimals is None else decimals
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return format_decimal(Decimal(value), format=pattern)


# ----- quotes --------------------------------------------------------------------------------
@bp.route("/quotes/band")
def quote_band() -> Any:
    """The band of one product for a customer while a quote is drafted (JSON for the new-quote form).

    ``?customer_id=&product_id=&quote_date=&channel=&quote_type=&price=``: the
    target, floor and list price as the quote would get them, and whether the
    price typed so far is below the floor (the server decides again at create
    and submit). An input that cannot be priced answers ``{"error": ...}``.
    """
    env = g.env
    env.check(Quote, "create")
    args = request.args
    try:
        customer_id, product_id = int(args.get("customer_id") or 0), int(args.get("product_id") or 0)
    except ValueError:
        abort(400)
    if not customer_id or not product_id:
        return {"band": None}
    lang = current_lang(env)
    m = services.money(env)
    try:
        env.get(Customer, customer_id)
        band = services.band_for(env, customer_id, product_id, _parse_date(args.get("quote_date")) or services.today(env),
                                 channel=args.get("channel") or None, quote_type=args.get("quote_type") or None)
    except (ValidationError, AccessDenied) as exc:
        return {"band": None, "error": str(exc)}
    price: Decimal | None
    try:
        price = Decimal(args.get("price", "").replace(",", "")) if args.get("price") else None
    except ArithmeticError:
        price = None
    return {
        "band": {"target": format_number(band.target, m.decimals, lang), "floor": format_number(band.floor, m.decimals, lang),
                 "list_price": format_number(band.list_price, m.decimals, lang), "currency": band.currency},
        "below_floor": None if price is None else price < band.floor,
    }


@bp.route("/quotes/create", methods=["GET", "POST"])
def quote_create() -> Any:
    """A new quote or bid: customer, lines (product, quantity, optional price)."""
    env = g.env
    env.check(Quote, "create")
    customers = env.search(Customer, Customer.active.is_(True), order_by=[Customer.name_zh], limit=1000)
    products = env.search(Product, Product.active.is_(True), order_by=[Product.code], limit=2000)
    status = 200
    form = request.form
    if request.method == "POST":
        lines = []
        for i in range(MAX_FORM_LINES):
            pid = form.get(f"product_{i}")
            if pid:
                lines.append({"product_id": int(pid), "quantity": form.get(f"quantity_{i}", ""),
                              "unit_price": form.get(f"price_{i}") or None})
        try:
            customer_id = int(form.get("customer_id") or 0)
            if not customer_id:
                raise ValidationError(_("Choose a customer."), {"customer_id": _("Choose a customer.")})
            quote = services.create_quote(
                env, customer_id, lines, kind=form.get("kind") or "quote", channel=form.get("channel") or None,
                quote_type=form.get("quote_type") or None, quote_date=_parse_date(form.get("quote_date")),
                valid_until=_parse_date(form.get("valid_until")), note=form.get("note") or None,
            )
        except (ValidationError, AccessDenied) as exc:
            _fail_page(exc)
            status = 422
        else:
            flash(_("Quote %(number)s created.", number=quote.display_number), "success")
            return redirect(url_for("pricing.quote_detail", id=quote.id))
    lang = current_lang(env)
    return render_template(
        "pricing/quote_create.html", customers=customers, products=products, form=form,
        rows=range(MAX_FORM_LINES), lang=lang, kinds=QUOTE_KIND_LABELS.choices(lang),
        channels=CHANNEL_LABELS.choices(lang),
        quote_types=QUOTE_TYPE_LABELS.choices(lang),
    ), status


@bp.app_template_global("pricing_quote_page")
def quote_page(record: Quote) -> dict[str, Any]:
    """Everything the quote page shows beyond the generic detail (used by its template)."""
    from addons.pricing.workflows import BID_WORKFLOW, QUOTE_WORKFLOW
    from core.security import approvals

    env = g.env
    lang = current_lang(env)
    lines = services.lines_of(env, record)
    competitors = services.latest_competitor_prices(env, record.customer_id, [li.product_id for li in lines]) if lines else {}
    can_write = env.allowed(record, "write")
    limit = services.user_limit(env)
    actions = []
    state = record.state
    if can_write:
        if state == "draft":
            actions.append(("submit", _("Submit")))
        if state == "waiting" and services.covers(limit, Decimal(record.max_deviation_pct)) and env.in_group(
                "core.group_territory_manager", "core.group_director", "core.group_general_manager"):
            actions += [("approve", _("Approve")), ("reject", _("Reject"))]
        if state == "approved":
            actions.append(("send", _("Send to customer")))
        if state in services.OPEN_STATES:
            actions.append(("revise", _("Re-quote")))
        if record.kind == "bid" and record.bid_decision == "pending":
            actions.append(("request_bid", _("Ask for go/no-go")))
        if record.kind == "bid" and record.bid_decision == "requested" and env.in_group(
                "core.group_territory_manager", "core.group_director", "core.group_general_manager"):
            actions += [("go", _("Go")), ("no_go", _("No go"))]
    history = approvals.history(env, QUOTE_WORKFLOW, record)
    bid_history = approvals.history(env, BID_WORKFLOW, record) if record.kind == "bid" else []
    reactions = env.search(PriceReaction, PriceReaction.quote_id == record.id, order_by=[PriceReaction.id])
    return {
        "lines": lines,
        "competitors": competitors,
        "cost_visible": services.cost_visible(env),
        "editable": can_write and state == "draft",
        "actions": actions,
        "can_react": can_write and state == "sent",
        "reaction_kinds": REACTION_LABELS.choices(lang),
        "versions": services.versions(env, record),
        "history": history,
        "bid_history": bid_history,
        "reactions": reactions,
        "state_label": QUOTE_STATE_LABELS.label(state, lang),
        "bid_label": BID_DECISION_LABELS.label(record.bid_decision, lang),
        "type_label": lambda k: QUOTE_TYPE_LABELS.label(k, lang),
        "reaction_label": lambda k: REACTION_LABELS.label(k, lang),
        "state_labels": {k: QUOTE_STATE_LABELS.label(k, lang) for k in QUOTE_STATE_LABELS},
        "all_state_labels": {**{k: BID_DECISION_LABELS.label(k, lang) for k in BID_DECISION_LABELS},
                             **{k: QUOTE_STATE_LABELS.label(k, lang) for k in QUOTE_STATE_LABELS}},
        "action_labels": {"create": _("created"), "update": _("updated"), "lines": _("lines priced"),
                          "transition": _("state changed"), "delete": _("deleted")},
        "user_limit": limit,
        "required_label": _group_label(env, record.required_group),
        "users": _user_names(env, [e.user_id for e in [*history, *bid_history]]),
    }


def _group_label(env: Env, code: str | None) -> str:
    from core.models import Group

    if not code:
        return ""
    # the approver's role name is reference data, readable by whoever sees the quote
    grp = env.sudo().scalar(select(Group).where(Group.code == code))
    return grp.display(current_lang(env)) if grp else code


def _user_names(env: Env, ids: list[int | None]) -> dict[int, str]:
    from core.models import User

    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    # names of the people in the quote's history (approvers the reader's rules may not reach)
    return {u.id: u.name for u in env.sudo().scalars(select(User).where(User.id.in_(wanted)))}


@bp.route("/quotes/<int:id>/do/<action>", methods=["POST"])
def quote_do(id: int, action: str) -> Any:  # noqa: A002
    """Submit, approve, reject, send, re-quote, ask for and decide go/no-go (with a comment)."""
    env = g.env
    quote = env.get(Quote, id)
    comment = (request.form.get("comment") or "").strip() or None
    target = url_for("pricing.quote_detail", id=id)
    try:
        if action == "submit":
            state = services.submit_quote(env, quote, comment)
            flash(_("Approved: the prices are inside your band.") if state == "approved"
                  else _("Outside your band: the quote waits for approval."), "success" if state == "approved" else "warning")
        elif action == "approve":
            services.approve_quote(env, quote, comment)
            flash(_("Approved."), "success")
        elif action == "reject":
            services.reject_quote(env, quote, comment)
            flash(_("Sent back to the salesperson."), "success")
        elif action == "send":
            services.send_quote(env, quote, comment)
            flash(_("Sent to the customer."), "success")
        elif action == "revise":
            new = services.revise_quote(env, quote)
            flash(_("New version %(number)s created.", number=new.display_number), "success")
            target = url_for("pricing.quote_detail", id=new.id)
        elif action == "request_bid":
            services.request_bid(env, quote, comment)
            flash(_("The manager has been asked for a go/no-go."), "success")
        elif action in ("go", "no_go"):
            services.decide_bid(env, quote, action == "go", comment)
            flash(_("Decision recorded."), "success")
        else:
            abort(404)
    except (ValidationError, AccessDenied, ConcurrentEditError) as exc:
        _fail_page(exc)
    return redirect(target)


@bp.route("/quotes/<int:id>/lines/<int:line_id>", methods=["POST"])
def quote_line_price(id: int, line_id: int) -> Any:  # noqa: A002
    """Change a draft line's unit price and quantity."""
    env = g.env
    line = env.get(QuoteLine, line_id)
    if line.quote_id != id:
        abort(404)
    try:
        services.set_line_price(env, line, request.form.get("unit_price", ""), request.form.get("quantity") or None)
        flash(_("Price updated."), "success")
    except (ValidationError, AccessDenied, ConcurrentEditError) as exc:
        _fail_page(exc)
    return redirect(url_for("pricing.quote_detail", id=id))


@bp.route("/quotes/<int:id>/reaction", methods=["POST"])
def quote_reaction(id: int) -> Any:  # noqa: A002
    """Record the customer's reaction: accepted, countered at X, lost to Y at Z."""
    env = g.env
    quote = env.get(Quote, id)
    form = request.form
    try:
        services.record_reaction(
            env, quote, form.get("kind", ""), counter_price=form.get("counter_price") or None,
            competitor=form.get("competitor") or None, competitor_price=form.get("competitor_price") or None,
            note=form.get("note") or None,
        )
        flash(_("Reaction recorded."), "success")
    except (ValidationError, AccessDenied, ConcurrentEditError) as exc:
        _fail_page(exc)
    return redirect(url_for("pricing.quote_detail", id=id))


def _places(value: Decimal) -> int:
    """Decimals a quantity needs (``100.000`` -> 0, ``2.500`` -> 1)."""
    exponent = Decimal(value).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def quote_print_context(env: Env, record: Quote) -> dict[str, Any]:
    """What the printed quote shows: every line the reader may see, Decimal totals, the terms."""
    lang = current_lang(env)
    places = services.money(env).decimals
    lines = services.lines_of(env, record)
    quantity = sum((Decimal(li.quantity) for li in lines), Decimal("0"))
    amount = sum((Decimal(li.amount) for li in lines), Decimal("0"))
    rows = [{
        "sequence": li.sequence, "code": li.product.code or "", "name": display_name(li.product, lang),
        "quantity": format_number(li.quantity, _places(li.quantity), lang),
        "unit_price": format_number(li.unit_price, places, lang), "amount": format_number(li.amount, places, lang),
    } for li in lines]
    return {
        "doc_title": QUOTE_KIND_LABELS.label(record.kind, lang),
        "customer_name": display_name(record.customer, lang),
        "owner_name": display_name(record.owner, lang) if record.owner is not None else "",
        "payment_terms": record.customer.payment_terms or "",
        "rows": rows,
        "totals": {"quantity": format_number(quantity, _places(quantity), lang),
                   "amount": format_number(amount, places, lang), "amount_value": amount},
    }


QUOTE_PRINT = print_routes(bp, Quote, "pricing/print_quote.html", "/quotes/<int:id>/print", endpoint="quote_print",
                           context=quote_print_context, filename=lambda q: f"{q.display_number}.pdf")


# ----- monthly cost input --------------------------------------------------------------------
@bp.route("/costs", methods=["GET", "POST"])
def costs() -> Any:
    """Finance's monthly input: metal prices and product costs (all saved or none)."""
    env = g.env
    env.check(ProductCost, "read")
    month = _month_arg(request.values.get("month"))
    metals = env.search(Metal, order_by=[Metal.sequence, Metal.code])
    products = env.search(Product, Product.active.is_(True), order_by=[Product.code], limit=500)
    status = 200
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form

        def attempt(names: dict[str, str], write: Any) -> None:
            """One input's write; a refused value marks its field (service field -> form field), the rest is still checked."""
            try:
                with env.session.begin_nested():
                    write()
            except ValidationError as exc:
                marked = {names[k]: str(v) for k, v in exc.errors.items() if k in names}
                errors.update(marked or {next(iter(names.values())): str(exc)})

        try:
            for m in metals:
                value = form.get(f"metal_{m.id}", "").strip()
                if value:
                    attempt({"price_per_gram": f"metal_{m.id}"},
                            lambda m=m, value=value: services.set_metal_price(env, m, month, value))
            for p in products:
                man = form.get(f"man_{p.id}", "").strip()
                car = form.get(f"car_{p.id}", "").strip()
                if man or car:
                    attempt({"manufacturing_cost": f"man_{p.id}", "carrier_cost": f"car_{p.id}"},
                            lambda p=p, man=man, car=car: services.set_product_cost(env, p.id, month, man or "0", car or "0"))
            if errors:
                raise ValidationError(_("%(num)s value(s) are not valid: nothing was saved. The fields are marked.",
                                        num=len(errors)))
        except (ValidationError, AccessDenied, ConcurrentEditError) as exc:
            _fail_page(exc)
            status = 422
        else:
            flash(_("Monthly inputs saved."), "success")
            return redirect(url_for("pricing.costs", month=services.month_label(month)))
    prices = {r.metal_id: r.price_per_gram for r in env.search(MonthlyMetalPrice, MonthlyMetalPrice.month == month)}
    cost_rows = {r.product_id: r for r in env.search(ProductCost, ProductCost.month == month)}
    return render_template("pricing/costs.html", month=month, month_label=services.month_label(month), metals=metals,
                           products=products, prices=prices, cost_rows=cost_rows, form=request.form, errors=errors,
                           can_write=env.can(ProductCost, "write") or env.can(ProductCost, "create")), status


@bp.route("/costs/import/<kind>", methods=["POST"])
def costs_import(kind: str) -> Any:
    """Import metal prices or product costs from .xlsx/.csv (all rows or none)."""
    from addons.pricing import imports

    env = g.env
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to import."), "danger")
        return redirect(url_for("pricing.costs"))
    data = upload.read(imports.MAX_BYTES + 1)
    try:
        if kind == "metal_prices":
            n = imports.import_metal_prices(env, data, upload.filename)
        elif kind == "product_costs":
            n = imports.import_product_costs(env, data, upload.filename)
        else:
            abort(404)
    except (ValidationError, AccessDenied) as exc:
        g.env.session.rollback()
        flash(str(exc), "danger")
        for key, msg in getattr(exc, "errors", {}).items():
            flash(f"{key}: {msg}", "danger")
        return redirect(url_for("pricing.costs"))
    flash(_("%(n)s row(s) imported.", n=n), "success")
    return redirect(url_for("pricing.costs"))


# ----- reports -------------------------------------------------------------------------------
# The four pricing reports live in the report centre (addons/pricing/report_defs.py, /reports/pricing.*);
# the old pages redirect there so bookmarks and links keep working.
@bp.route("/reports")
def reports_page() -> Any:
    """The old reports page: to the report centre's list (the period kept for the margin report)."""
    from addons.pricing.report_defs import old_url_args

    args = old_url_args(request.args)
    if args:
        return redirect(url_for("tixi_reports.report", code="pricing.margin", **args), code=301)
    return redirect(url_for("tixi_reports.index"), code=301)


@bp.route("/reports/<name>.xlsx")
def report_export(name: str) -> Any:
    """The old .xlsx export: to the report centre's export of the same report and period."""
    from addons.pricing.report_defs import OLD_NAMES, old_url_args

    if name not in OLD_NAMES:
        abort(404)
    return redirect(url_for("tixi_reports.export", code=OLD_NAMES[name], **old_url_args(request.args)), code=301)
