"""Pages of the orders addon (blueprint ``orders``, under ``/orders``), phone-first.

* ``/orders/``: the user's contracts (newest first) and what waits;
* ``/orders/contracts/new``: a contract by hand or from an approved quote;
* ``/orders/contracts/<id>``: lines, delivered so far, the approval actions, a
  new (partial) delivery note, the notes with shipping, customer
  confirmation and returns; ``/print`` and ``.pdf``: the printable contract;
* ``/orders/collections``: payment requests and the two confirmations;
* ``/orders/exchanges``: exchanges (换货); ``/orders/deliveries/<id>/exchange``: a new
  one for a shipped note (per-field errors); ``/orders/exchanges/<id>``: its lines,
  approval, the return and replacement notes it made.

Errors of a form are shown on the page (422) and nothing is saved (the
request's transaction is rolled back).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from addons.masterdata.models import Customer, Product
from core.errors import AccessDenied, ValidationError
from core.i18n import _, _l, choice_label, current_lang
from core.pdf import print_routes
from core.security import approvals
from core.web.menus import MenuItem

from . import services as svc
from .models import (
    COLLECTION_STATE,
    CONTRACT_STATE,
    DELIVERY_STATE,
    EXCHANGE_STATE,
    GOODS_REQUEST_STATE,
    INVOICE_STATE,
    Collection,
    Contract,
    ContractLine,
    Delivery,
    Exchange,
    GoodsRequest,
    InvoiceRequest,
)
from .workflows import (
    COLLECTION_WORKFLOW,
    CONTRACT_WORKFLOW,
    EXCHANGE_WORKFLOW,
    GOODS_REQUEST_WORKFLOW,
    INVOICE_WORKFLOW,
)

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("orders", __name__, url_prefix="/orders", template_folder="templates")


def _labels(env: Env) -> dict[str, Any]:
    lang = current_lang(env)
    return {"contract_state": lambda k: choice_label(CONTRACT_STATE, k, lang),
            "delivery_state": lambda k: choice_label(DELIVERY_STATE, k, lang),
            "collection_state": lambda k: choice_label(COLLECTION_STATE, k, lang),
            "invoice_state": lambda k: choice_label(INVOICE_STATE, k, lang),
            "exchange_state": lambda k: choice_label(EXCHANGE_STATE, k, lang), "lang": lang}


def _customer_names(env: Env, ids: set[int]) -> dict[int, str]:
    lang = current_lang(env)
    return {c.id: c.display(lang) for c in env.search(Customer, Customer.id.in_(ids))} if ids else {}


def latest_contracts(env: Env, limit: int = 50) -> list[Contract]:
    """The newest ``limit`` contracts the user may read.

    Two steps: the ids through the covering index ``ix_orders_contract_list``
    (the rules' OR of the salesperson and the customer's owner cannot use an
    index, so the newest-first scan filters many rows: on the index entries
    here, not on the table's rows), then the contracts by id. The ids are the
    user's (a checked select): their rows are read past the rules, which
    would only run the rules' sub-queries a second time.
    """
    ids = list(env.scalars(env.select(Contract, "read", Contract.id).order_by(Contract.id.desc()).limit(limit)))
    return env.sudo().search(Contract, Contract.id.in_(ids), order_by=[Contract.id.desc()]) if ids else []


@bp.route("/")
def index() -> str:
    """The user's contracts, newest first (the 50 latest)."""
    env = g.env
    contracts = latest_contracts(env)
    return render_template("orders/index.html", contracts=contracts,
                           names=_customer_names(env, {c.customer_id for c in contracts}),
                           can_create=env.can(Contract, "create"), **_labels(env))


def _approved_quotes(env: Env) -> list[Any]:
    if "pricing" not in env.enabled:
        return []
    from addons.pricing.models import Quote

    if not env.can(Quote, "read"):
        return []  # contracts by hand only: quotes are not this user's to read
    return env.search(Quote, Quote.state.in_(("approved", "sent", "won")), order_by=[Quote.id.desc()], limit=50)


@bp.route("/contracts/new", methods=["GET", "POST"])
def contract_new() -> Any:
    """A contract by hand (up to five lines) or from an approved quote."""
    env = g.env
    env.check(Contract, "create")
    lang = current_lang(env)
    customers = env.search(Customer, order_by=[Customer.name_zh], limit=500)
    products = env.search(Product, order_by=[Product.code], limit=500)
    error, status = None, 200
    if request.method == "POST":
        f = request.form
        lines = [{"product_id": f.get(f"product_{i}"), "quantity": f.get(f"quantity_{i}"),
                  "unit_price": f.get(f"price_{i}")} for i in range(5) if f.get(f"product_{i}")]
        quote_id = int(f["quote_id"]) if f.get("quote_id") else None
        try:
            customer_id = int(f.get("customer_id") or 0)
            if quote_id and not customer_id:
                from addons.pricing.models import Quote

                customer_id = env.get(Quote, quote_id).customer_id
            if not customer_id:
                raise ValidationError(_("Choose a customer."))
            contract = svc.create_contract(env, customer_id, lines or None, quote_id=quote_id,
                                           note=f.get("note") or None)
        except (ValidationError, AccessDenied) as exc:
            error, status = str(exc), 422
        else:
            flash(_("Contract %(number)s created.", number=contract.number), "success")
            return redirect(url_for("orders.contract_detail", contract_id=contract.id))
    return render_template("orders/contract_new.html", customers=customers, products=products,
                           quotes=_approved_quotes(env), error=error, form=request.form, lang=lang), status


def _contract_context(env: Env, contract: Contract) -> dict[str, Any]:
    done = svc.delivered_quantities(env, contract.id)
    deliveries = env.search(Delivery, Delivery.contract_id == contract.id, order_by=[Delivery.id])
    requests = env.search(GoodsRequest, GoodsRequest.contract_id == contract.id, order_by=[GoodsRequest.id])
    gr_actions = {gr.id: [t.name for t in approvals.available(env, GOODS_REQUEST_WORKFLOW, gr, gr.amount_total)]
                  for gr in requests}
    exchanges: dict[int, list[Exchange]] = {}
    if env.can(Exchange):
        for ex in env.search(Exchange, Exchange.contract_id == contract.id, order_by=[Exchange.id]):
            exchanges.setdefault(ex.original_id, []).append(ex)
    return {"c": contract, "done": done, "deliveries": deliveries, "exchanges": exchanges,
            "can_exchange": env.can(Exchange, "create"), "requests": requests, "gr_actions": gr_actions,
            "gr_state": lambda k: choice_label(GOODS_REQUEST_STATE, k, current_lang(env)),
            "customer": env.sudo().get(Customer, contract.customer_id),
            "actions": approvals.available(env, CONTRACT_WORKFLOW, contract, contract.amount_total),
            "history": approvals.history(env, CONTRACT_WORKFLOW, contract),
            "can_deliver": contract.state == "confirmed" and env.can(Delivery, "create"), **_labels(env)}


@bp.route("/contracts/<int:contract_id>", methods=["GET", "POST"])
def contract_detail(contract_id: int) -> Any:
    """A contract: lines, deliveries, actions (confirm, approve, reject, deliver, ship, confirm receipt, return)."""
    env = g.env
    contract = env.get(Contract, contract_id)
    error, status = None, 200
    if request.method == "POST":
        f = request.form
        action = f.get("action")
        try:
            if action == "confirm":
                state = svc.confirm_contract(env, contract, f.get("comment") or None)
                flash(_("Contract confirmed.") if state == "confirmed" else
                      _("The contract needs approval: submitted."), "success")
            elif action in ("approve", "reject"):
                svc.decide_contract(env, contract, action == "approve", f.get("comment") or None)
                flash(_("Done."), "success")
            elif action == "deliver":
                lines = [{"contract_line_id": li.id, "quantity": f.get(f"qty_{li.id}")}
                         for li in contract.lines if (f.get(f"qty_{li.id}") or "").strip() not in ("", "0")]
                d = svc.create_delivery(env, contract, lines or None)
                flash(_("Delivery note %(number)s created.", number=d.number), "success")
            elif action == "goods_request":
                lines = [{"contract_line_id": li.id, "quantity": f.get(f"qty_{li.id}")}
                         for li in contract.lines if (f.get(f"qty_{li.id}") or "").strip() not in ("", "0")]
                gr = svc.create_goods_request(env, contract, lines)
                issue = svc.submit_goods_request(env, gr)
                flash(_("Goods request %(number)s sent for review.", number=gr.number), "success")
                if issue:
                    flash(issue, "warning")
            elif action in ("gr_approve", "gr_reject", "gr_deliver"):
                gr = env.get(GoodsRequest, int(f.get("goods_request_id") or 0))
                if gr.contract_id != contract.id:
                    raise AccessDenied(_("The record is not accessible."))
                if action == "gr_deliver":
                    d = svc.deliver_goods_request(env, gr)
                    flash(_("Delivery note %(number)s created.", number=d.number), "success")
                else:
                    svc.decide_goods_request(env, gr, action == "gr_approve", f.get("comment") or None)
            elif action in ("ship", "receipt", "return", "invoice"):
                d = env.get(Delivery, int(f.get("delivery_id") or 0))
                if d.contract_id != contract.id:
                    raise AccessDenied(_("The record is not accessible."))
                if action == "ship":
                    svc.ship(env, d)
                elif action == "invoice":
                    inv = svc.request_invoice(env, d, f.get("amount") or None)
                    flash(_("Invoice request %(number)s sent to finance.", number=inv.number), "success")
                elif action == "receipt":
                    upload = request.files.get("file")
                    svc.confirm_receipt(env, d, upload.read() if upload else None,
                                        upload.filename if upload else None)
                else:
                    lines = [{"product_id": li.product_id, "quantity": f.get(f"ret_{li.id}")}
                             for li in d.lines if (f.get(f"ret_{li.id}") or "").strip() not in ("", "0")]
                    r = svc.create_return(env, d, lines)
                    flash(_("Return %(number)s created.", number=r.number), "success")
            else:
                raise ValidationError(_("Unknown action."))
        except (ValidationError, AccessDenied) as exc:
            error, status = str(exc), 422
        else:
            return redirect(url_for("orders.contract_detail", contract_id=contract.id))
    return render_template("orders/contract_detail.html", error=error, **_contract_context(env, contract)), status


def _print_context(env: Env, contract: Contract) -> dict[str, Any]:
    lang = current_lang(env)
    customer = env.sudo().get(Customer, contract.customer_id)
    return {"doc_title": _("Sales contract"), "customer_name": customer.display(lang),
            "lines": env.search(ContractLine, ContractLine.contract_id == contract.id,
                                order_by=[ContractLine.sequence]),
            "state_label": choice_label(CONTRACT_STATE, contract.state, lang), "lang": lang}


CONTRACT_PRINT = print_routes(bp, Contract, "orders/print_contract.html", "/contracts/<int:id>/print",
                              endpoint="contract_print", context=_print_context, filename=lambda c: f"{c.number}.pdf")


def _statement_context(env: Env, customer: Customer) -> dict[str, Any]:
    from .services.common import today
    from .services.statements import statement

    on = today(env)
    default = f"{on.year}-H{1 if on.month <= 6 else 2}"
    lang = current_lang(env)
    kinds = {"delivery": _("Delivery note"), "return": _("Red-letter return"), "collection": _("Collection")}
    return {"doc_title": _("Reconciliation statement"), "customer_name": customer.display(lang),
            "st": statement(env, customer.id, request.args.get("half") or default), "kinds": kinds, "lang": lang}


STATEMENT_PRINT = print_routes(bp, Customer, "orders/print_statement.html", "/statements/<int:id>",
                               endpoint="statement_print", context=_statement_context,
                               filename=lambda c: f"{c.name_zh}-statement.pdf")


@bp.route("/collections", methods=["GET", "POST"])
def collections() -> Any:
    """Payment requests and collections; sales and finance confirm them here."""
    env = g.env
    error, status = None, 200
    if request.method == "POST":
        f = request.form
        action = f.get("action")
        try:
            if action == "new":
                col = svc.create_collection(env, int(f.get("customer_id") or 0), f.get("amount"),
                                            reference=f.get("reference") or None)
                flash(_("Collection %(number)s requested.", number=col.number), "success")
            else:
                col = env.get(Collection, int(f.get("collection_id") or 0))
                if action == "confirm_sales":
                    svc.confirm_collection_sales(env, col)
                elif action == "confirm_finance":
                    svc.confirm_collection_finance(env, col)
                elif action == "reject":
                    svc.reject_collection(env, col, f.get("comment") or None)
                else:
                    raise ValidationError(_("Unknown action."))
                flash(_("Done."), "success")
        except (ValidationError, AccessDenied) as exc:
            error, status = str(exc), 422
        else:
            return redirect(url_for("orders.collections"))
    rows = env.search(Collection, order_by=[Collection.id.desc()], limit=100)
    actions = {c.id: [t.name for t in approvals.available(env, COLLECTION_WORKFLOW, c)] for c in rows}
    customers = env.search(Customer, order_by=[Customer.name_zh], limit=500) if env.can(Collection, "create") else []
    return render_template("orders/collections.html", rows=rows, actions=actions, customers=customers,
                           names=_customer_names(env, {c.customer_id for c in rows}), error=error,
                           can_create=env.can(Collection, "create"), form=request.form, **_labels(env)), status


@bp.route("/invoices", methods=["GET", "POST"])
def invoices() -> Any:
    """Invoice requests: finance reviews and issues them; sales records the customer's signature."""
    env = g.env
    error, status = None, 200
    if request.method == "POST":
        f = request.form
        action = f.get("action")
        try:
            inv = env.get(InvoiceRequest, int(f.get("invoice_id") or 0))
            if action in ("review", "reject"):
                svc.review_invoice(env, inv, action == "review", f.get("comment") or None)
            elif action == "issue":
                svc.issue_invoice(env, inv, f.get("invoice_number") or "")
            elif action == "sign":
                svc.record_signature(env, inv, f.get("signed_by") or "")
            else:
                raise ValidationError(_("Unknown action."))
        except (ValidationError, AccessDenied) as exc:
            error, status = str(exc), 422
        else:
            flash(_("Done."), "success")
            return redirect(url_for("orders.invoices"))
    rows = env.search(InvoiceRequest, order_by=[InvoiceRequest.id.desc()], limit=100)
    actions = {i.id: [t.name for t in approvals.available(env, INVOICE_WORKFLOW, i)] for i in rows}
    return render_template("orders/invoices.html", rows=rows, actions=actions, error=error,
                           names=_customer_names(env, {i.customer_id for i in rows}), **_labels(env)), status


@bp.route("/service", methods=["GET", "POST"])
def service() -> Any:
    """After-sales requests: sales records them, technical support (routed automatically) closes them."""
    from .models import SERVICE_STATE, ServiceRequest
    from .services.service import close_service_request, create_service_request

    env = g.env
    error, status = None, 200
    if request.method == "POST":
        f = request.form
        try:
            if f.get("action") == "new":
                sr = create_service_request(env, int(f.get("customer_id") or 0), f.get("description") or "")
                flash(_("After-sales request %(number)s sent to technical support.", number=sr.number), "success")
            else:
                close_service_request(env, env.get(ServiceRequest, int(f.get("request_id") or 0)),
                                      f.get("resolution") or "")
                flash(_("Done."), "success")
        except (ValidationError, AccessDenied) as exc:
            error, status = str(exc), 422
        else:
            return redirect(url_for("orders.service"))
    rows = env.search(ServiceRequest, order_by=[ServiceRequest.id.desc()], limit=100)
    can_create = env.can(ServiceRequest, "create")
    customers = env.search(Customer, order_by=[Customer.name_zh], limit=500) if can_create else []
    lang = current_lang(env)
    return render_template("orders/service.html", rows=rows, customers=customers, can_create=can_create,
                           can_close=env.in_group("core.group_tech_support", "core.group_director"),
                           names=_customer_names(env, {r.customer_id for r in rows}), error=error, form=request.form,
                           state=lambda k: choice_label(SERVICE_STATE, k, lang), lang=lang), status


# ----- exchanges ---------------------------------------------------------------------------
@bp.route("/exchanges")
def exchanges() -> str:
    """The exchanges the user may read, newest first (the 100 latest)."""
    env = g.env
    rows = env.search(Exchange, order_by=[Exchange.id.desc()], limit=100)
    originals = {d.id: d.number for d in env.sudo().search(Delivery, Delivery.id.in_({e.original_id for e in rows}))}
    return render_template("orders/exchanges.html", rows=rows, originals=originals,
                           names=_customer_names(env, {e.customer_id for e in rows}), **_labels(env))


def _exchange_form_lines(delivery: Delivery, form: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """The submitted lines (only those with a quantity) and the delivery line of each, in order."""
    lines, line_ids = [], []
    for li in delivery.lines:
        if (form.get(f"qty_{li.id}") or "").strip() in ("", "0"):
            continue
        lines.append({"product_id": li.product_id, "quantity": form.get(f"qty_{li.id}"),
                      "replacement_product_id": form.get(f"repl_{li.id}") or li.product_id,
                      "replacement_quantity": form.get(f"rqty_{li.id}") or None})
        line_ids.append(li.id)
    return lines, line_ids


def _field_errors(exc: ValidationError, line_ids: list[int]) -> dict[str, str]:
    """The service's error keys (``lines.2.quantity``) as the form's field names (``qty_<delivery line>``)."""
    names = {"quantity": "qty", "product_id": "qty", "replacement_product_id": "repl",
             "replacement_quantity": "rqty"}
    out = {}
    for key, text in (exc.errors or {}).items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and 0 < int(parts[1]) <= len(line_ids):
            out[f"{names.get(parts[2], 'qty')}_{line_ids[int(parts[1]) - 1]}"] = text
        else:
            out[key] = text
    return out


@bp.route("/deliveries/<int:delivery_id>/exchange", methods=["GET", "POST"])
def exchange_new(delivery_id: int) -> Any:
    """A new exchange of a shipped note: per line, what comes back and what goes out instead, and the reason."""
    env = g.env
    env.check(Exchange, "create")
    delivery = env.get(Delivery, delivery_id)
    contract = env.sudo().get(Contract, delivery.contract_id)
    products = [(cl.product_id, cl.product.code) for cl in contract.lines]
    errors: dict[str, str] = {}
    error, status = None, 200
    if request.method == "POST":
        lines, line_ids = _exchange_form_lines(delivery, request.form)
        try:
            ex = svc.create_exchange(env, delivery, lines, request.form.get("reason"))
        except ValidationError as exc:
            error, errors, status = str(exc), _field_errors(exc, line_ids), 422
        except AccessDenied as exc:
            error, status = str(exc), 422
        else:
            flash(_("Exchange %(number)s sent for approval.", number=ex.number), "success")
            return redirect(url_for("orders.exchange_detail", exchange_id=ex.id))
    return render_template("orders/exchange_new.html", d=delivery, contract=contract, products=products,
                           customer=env.sudo().get(Customer, delivery.customer_id), form=request.form,
                           error=error, errors=errors, **_labels(env)), status


@bp.route("/exchanges/<int:exchange_id>", methods=["GET", "POST"])
def exchange_detail(exchange_id: int) -> Any:
    """An exchange: lines, reason, approval (approve, reject; sales may cancel), the notes it made."""
    env = g.env
    ex = env.get(Exchange, exchange_id)
    error, status = None, 200
    if request.method == "POST":
        action, comment = request.form.get("action"), request.form.get("comment") or None
        try:
            if action in ("approve", "reject"):
                svc.decide_exchange(env, ex, action == "approve", comment)
            elif action == "cancel":
                svc.cancel_exchange(env, ex, comment)
            else:
                raise ValidationError(_("Unknown action."))
        except (ValidationError, AccessDenied) as exc:
            error, status = str(exc), 422
        else:
            flash(_("Done."), "success")
            return redirect(url_for("orders.exchange_detail", exchange_id=ex.id))
    sudo = env.sudo()  # the numbers of the notes it links, shown to whoever may read the exchange
    notes = {k: sudo.get(Delivery, i) for k, i in (("original", ex.original_id), ("return", ex.return_id),
                                                    ("replacement", ex.replacement_id)) if i}
    return render_template("orders/exchange_detail.html", ex=ex, notes=notes, error=error,
                           customer=sudo.get(Customer, ex.customer_id),
                           actions=approvals.available(env, EXCHANGE_WORKFLOW, ex),
                           steps={t.name: t.label or t.name for t in EXCHANGE_WORKFLOW.transitions},
                           history=approvals.history(env, EXCHANGE_WORKFLOW, ex), **_labels(env)), status


def menu_items(env: Env) -> list[Any]:
    """The Orders menu: contracts, collections."""
    return [
        MenuItem("orders", _l("Orders and collections"), "orders.index", model="orders_contract", sequence=45),
        MenuItem("orders_contracts", _l("Contracts"), "orders.index", model="orders_contract", parent="orders",
                 sequence=10),
        MenuItem("orders_collections", _l("Collections"), "orders.collections", model="orders_collection",
                 parent="orders", sequence=20),
        MenuItem("orders_exchanges", _l("Exchanges"), "orders.exchanges", model="orders_exchange",
                 parent="orders", sequence=25),
        MenuItem("orders_invoices", _l("Invoice requests"), "orders.invoices", model="orders_invoice",
                 parent="orders", sequence=30),
        MenuItem("orders_service", _l("After-sales requests"), "orders.service", model="orders_service_request",
                 parent="orders", sequence=40),
    ]


def profile_section(env: Env, customer: Any) -> list[Any]:
    """The customer card panel (crm_cards): credit use and the latest collections the user may read."""
    if not env.can(Collection):
        return []
    use = svc.credit_use(env, customer.id)
    latest = env.search(Collection, Collection.customer_id == customer.id, order_by=[Collection.id.desc()], limit=5)
    lang = current_lang(env)

    def fmt(v: Decimal) -> str:
        return f"{v:,.2f}"

    rows = "".join(
        f'<tr data-collection="{escape(c.number)}"><td>{escape(c.number)}</td>'
        f'<td>{escape(choice_label(COLLECTION_STATE, c.state, lang))}</td>'
        f'<td class="text-end">{fmt(c.amount)}</td></tr>' for c in latest)
    labels = {k: escape(v) for k, v in {
        "limit": _("Credit limit"), "receivables": _("Receivables"), "overdue": _("Overdue"),
        "used": _("Credit used"), "collection": _("Collection"), "state": _("State"), "amount": _("Amount"),
    }.items()}
    html = Markup(
        '<dl class="row mb-2 small" id="orders-credit">'
        f'<dt class="col-6">{labels["limit"]}</dt><dd class="col-6 text-end">{fmt(use["limit"])}</dd>'
        f'<dt class="col-6">{labels["receivables"]}</dt>'
        f'<dd class="col-6 text-end" data-field="receivables">{fmt(use["receivables"])}</dd>'
        f'<dt class="col-6">{labels["overdue"]}</dt><dd class="col-6 text-end">{fmt(use["overdue"])}</dd>'
        f'<dt class="col-6">{labels["used"]}</dt>'
        f'<dd class="col-6 text-end" data-field="credit-used">{fmt(use["used"])}</dd></dl>'
        f'<table class="table table-sm small mb-0" id="orders-collections"><thead><tr><th>{labels["collection"]}'
        f'</th><th>{labels["state"]}</th><th class="text-end">{labels["amount"]}</th></tr></thead>'
        f'<tbody>{rows or "<tr><td colspan=3>—</td></tr>"}</tbody></table>')
    return [{"key": "orders", "title": _("Collections and credit"), "sequence": 70, "html": html},
            *_exchange_section(env, customer)]


def _exchange_section(env: Env, customer: Any) -> list[Any]:
    """The customer card's exchanges (the latest five the user may read), when there are any."""
    if not env.can(Exchange):
        return []
    rows = svc.exchanges_of(env, customer_id=customer.id, limit=5)
    if not rows:
        return []
    lang = current_lang(env)
    body = "".join(
        f'<tr data-exchange="{escape(e.number)}"><td><a href="{escape(url_for("orders.exchange_detail", exchange_id=e.id))}">'
        f'{escape(e.number)}</a></td><td>{escape(choice_label(EXCHANGE_STATE, e.state, lang))}</td>'
        f'<td class="text-end">{e.return_amount:,.2f}</td></tr>' for e in rows)
    head = "".join(f"<th{cls}>{escape(t)}</th>" for t, cls in (
        (_("Exchange"), ""), (_("State"), ""), (_("Amount returned"), ' class="text-end"')))
    html = Markup(f'<table class="table table-sm small mb-0" id="orders-exchanges"><thead><tr>{head}</tr></thead>'
                  f'<tbody>{body}</tbody></table>')
    return [{"key": "orders_exchanges", "title": _("Exchanges"), "sequence": 71, "html": html}]
