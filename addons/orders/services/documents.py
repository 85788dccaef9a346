"""Contracts, delivery notes, red-letter returns and collections: the order-to-cash services.

Every function validates everything before it writes (a bad input leaves
nothing behind), goes through the env (rights and record rules apply) and
numbers documents with :func:`addons.orders.services.numbering.next_number`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from addons.masterdata.models import Customer, Product
from core.i18n import N_
from core.security import approvals

from ..models import (
    Allocation,
    Collection,
    Contract,
    ContractLine,
    Delivery,
    DeliveryLine,
    GoodsRequest,
    GoodsRequestLine,
    InvoiceRequest,
)
from ..workflows import (
    COLLECTION_WORKFLOW,
    CONTRACT_WORKFLOW,
    GOODS_REQUEST_WORKFLOW,
    INVOICE_WORKFLOW,
)
from .common import (
    by_service,
    check_open_period,
    decimal_of,
    document_facts,
    fail,
    money,
    settings,
    today,
)
from .numbering import next_number
from .workdays import shipped_late

if TYPE_CHECKING:
    from core.security.env import Env

BOOKED = ("shipped", "confirmed")  # delivery states that count in sales and receivables


# ----- contracts ---------------------------------------------------------------------------
def _clean_lines(env: Env, lines: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if not lines:
        raise fail(env, N_("A contract needs at least one line."), "lines")
    out = []
    for n, li in enumerate(lines, start=1):
        pid = li.get("product_id")
        if not pid:
            raise fail(env, N_("Line %(line)s: choose a product."), "product_id", line=n)
        qty = decimal_of(env, li.get("quantity"), "quantity", N_("Quantity"))
        price = decimal_of(env, li.get("unit_price"), "unit_price", N_("Unit price"))
        out.append({"product_id": int(pid), "quantity": qty, "unit_price": price,
                    "quoted_price": li.get("quoted_price"), "unit_cost": li.get("unit_cost")})
    readable = set(env.scalars(env.select(Product, "read", Product.id).where(
        Product.id.in_({li["product_id"] for li in out}))))
    for n, li in enumerate(out, start=1):
        if li["product_id"] not in readable:
            raise fail(env, N_("Line %(line)s: unknown product."), "product_id", line=n)
    return out


def _quote_lines(env: Env, quote_id: int) -> tuple[Any, list[dict[str, Any]]]:
    """The approved quote and its lines as contract lines (price, quoted price, cost)."""
    if "pricing" not in env.enabled:
        raise fail(env, N_("Quotes are not available: the pricing addon is not enabled."), "quote_id")
    from addons.pricing.models import Quote, QuoteLine

    quote = env.get(Quote, quote_id)
    if quote.state not in ("approved", "sent", "won"):
        raise fail(env, N_("Only an approved quote can become a contract (quote %(number)s is not)."), "quote_id",
                   number=quote.display_number)
    sudo = env.sudo()  # the cost is a restricted field: kept on the contract for gross profit, not shown
    lines = sudo.search(QuoteLine, QuoteLine.quote_id == quote.id, order_by=[QuoteLine.sequence])
    return quote, [{"product_id": li.product_id, "quantity": li.quantity, "unit_price": li.unit_price,
                    "quoted_price": li.unit_price, "unit_cost": li.cost} for li in lines]


def create_contract(env: Env, customer_id: int, lines: Sequence[Mapping[str, Any]] | None = None, *,
                    quote_id: int | None = None, contract_date: dt.date | None = None,
                    payment_days: int | None = None, note: str | None = None) -> Contract:
    """A draft contract, by hand (``lines``) or from an approved quote (``quote_id``; ``lines`` may change it).

    Lines of a quote keep the quoted price; a lower price, another quantity or
    other payment days than the customer's make the contract *deviate*: it then
    needs approval. A contract filed (created) after its date is flagged late.
    """
    env.check(Contract, "create")
    customer = env.get(Customer, customer_id)
    on = contract_date or today(env)
    check_open_period(env, on)
    quoted: list[dict[str, Any]] = []
    if quote_id:
        quote, quoted = _quote_lines(env, quote_id)
        if quote.customer_id != customer.id:
            raise fail(env, N_("The quote is for another customer."), "quote_id")
    cleaned = _clean_lines(env, lines if lines is not None else quoted)
    default_days = customer.payment_days if customer.payment_days is not None else settings(env).default_payment_days
    days = int(payment_days) if payment_days is not None else default_days
    if days < 0:
        raise fail(env, N_("Payment days cannot be negative."), "payment_days")
    deviates = False
    if quote_id:
        by_product = {q["product_id"]: q for q in quoted}
        for li in cleaned:
            q = by_product.get(li["product_id"])
            if q is None or li["unit_price"] < q["quoted_price"] or li["quantity"] != q["quantity"]:
                deviates = True
            if q is not None:
                li["quoted_price"], li["unit_cost"] = q["quoted_price"], q["unit_cost"]
        deviates = deviates or days != default_days or len(cleaned) != len(quoted)
    filed = today(env)
    with env.session.begin_nested():
        contract = env.create(Contract, {
            "number": next_number(env, "contract", on.year), **document_facts(env, customer, on),
            "contract_date": on, "filed_on": filed, "late_filing": filed > on, "quote_id": quote_id,
            "deviates": deviates, "state": "draft", "payment_days": days, "note": note,
        })
        total = Decimal("0")
        for seq, li in enumerate(cleaned, start=1):
            amount = money(li["quantity"] * li["unit_price"])
            total += amount
            env.create(ContractLine, {"contract_id": contract.id, "sequence": seq * 10, "amount": amount, **li})
        contract.amount_total = total
        env.session.flush()
    return contract


def open_receivables(env: Env, customer_id: int) -> Decimal:
    """What the customer owes now, returns netted (every document of the company)."""
    sudo = env.sudo()  # credit is the customer's, whoever sold to them
    return Decimal(sudo.scalar(sudo.select(Delivery, func.coalesce(func.sum(Delivery.open_amount), 0)).where(
        Delivery.customer_id == customer_id, Delivery.state.in_(BOOKED))) or 0)


def overdue_receivables(env: Env, customer_id: int, on: dt.date | None = None) -> Decimal:
    """Open amounts of the customer past their due date."""
    on = on or today(env)
    sudo = env.sudo()
    return Decimal(sudo.scalar(sudo.select(Delivery, func.coalesce(func.sum(Delivery.open_amount), 0)).where(
        Delivery.customer_id == customer_id, Delivery.state.in_(BOOKED), Delivery.due_date < on,
        Delivery.open_amount > 0)) or 0)


def undelivered_amount(env: Env, customer_id: int, exclude: int | None = None) -> Decimal:
    """Confirmed contracts of the customer not delivered yet (committed credit)."""
    sudo = env.sudo()
    contracted = Decimal(sudo.scalar(sudo.select(Contract, func.coalesce(func.sum(Contract.amount_total), 0)).where(
        Contract.customer_id == customer_id, Contract.state == "confirmed", Contract.id != (exclude or 0))) or 0)
    delivered = Decimal(sudo.scalar(sudo.select(Delivery, func.coalesce(func.sum(Delivery.amount_total), 0)).join(
        Contract, Contract.id == Delivery.contract_id).where(
        Delivery.customer_id == customer_id, Contract.state == "confirmed", Delivery.state != "cancelled",
        Contract.id != (exclude or 0))) or 0)
    return max(Decimal("0"), contracted - delivered)


def credit_use(env: Env, customer_id: int) -> dict[str, Decimal]:
    """Credit limit, receivables, overdue, committed (undelivered contracts) and what is left."""
    customer = env.get(Customer, customer_id)
    limit = Decimal(customer.credit_limit or 0)
    owed, overdue = open_receivables(env, customer_id), overdue_receivables(env, customer_id)
    committed = undelivered_amount(env, customer_id)
    used = owed + committed
    return {"limit": limit, "receivables": owed, "overdue": overdue, "committed": committed, "used": used,
            "available": limit - used if limit else Decimal("0")}


def credit_issue(env: Env, contract: Contract) -> str | None:
    """Why the contract needs approval on credit grounds (a translated sentence), or ``None``."""
    exposure = open_receivables(env, contract.customer_id) + undelivered_amount(env, contract.customer_id,
                                                                                 exclude=contract.id)
    return _credit_reason(env, contract.customer_id, exposure, contract.amount_total)


def _credit_reason(env: Env, customer_id: int, exposure: Decimal, amount: Decimal) -> str | None:
    from core.i18n import current_lang, translate

    customer = env.sudo().get(Customer, customer_id)
    limit = Decimal(customer.credit_limit or 0)
    lang = current_lang(env)
    if limit > 0 and exposure + amount > limit:
        return translate(N_("Over the credit limit: %(used)s used + %(amount)s > %(limit)s."), lang,
                         used=money(exposure), amount=money(amount), limit=money(limit))
    overdue = overdue_receivables(env, customer.id)
    threshold = Decimal(settings(env).overdue_threshold or 0)
    if overdue > threshold:
        return translate(N_("Overdue receivables of %(overdue)s exceed the threshold of %(threshold)s."), lang,
                         overdue=money(overdue), threshold=money(threshold))
    return None


def confirm_contract(env: Env, contract: Contract, comment: str | None = None) -> str:
    """Confirm a draft contract, or submit it for approval when it deviates or fails the credit check.

    Returns the new state (``confirmed`` or ``waiting``).
    """
    if contract.state != "draft":
        raise fail(env, N_("Only a draft contract can be confirmed."), "state")
    issue = credit_issue(env, contract)
    contract.credit_issue = issue[:200] if issue else None
    env.session.flush()
    if issue or contract.deviates:
        approvals.fire(env, CONTRACT_WORKFLOW, contract, "submit", comment=comment or issue,
                       amount=contract.amount_total)
        return "waiting"
    approvals.fire(env, CONTRACT_WORKFLOW, contract, "confirm", comment=comment, amount=contract.amount_total)
    return "confirmed"


def decide_contract(env: Env, contract: Contract, approve: bool, comment: str | None = None) -> None:
    """An approver approves (by authority) or rejects a contract waiting for approval."""
    approvals.fire(env, CONTRACT_WORKFLOW, contract, "approve" if approve else "reject", comment=comment,
                   amount=contract.amount_total)


# ----- deliveries and returns --------------------------------------------------------------
def delivered_quantities(env: Env, contract_id: int) -> dict[int, Decimal]:
    """Net quantity delivered (returns deducted, drafts included) per contract line."""
    sudo = env.sudo()  # the whole contract counts, whoever made the other notes
    rows = sudo.execute(sudo.select(DeliveryLine, DeliveryLine.contract_line_id, func.sum(DeliveryLine.quantity))
                        .join(Delivery, Delivery.id == DeliveryLine.delivery_id)
                        .where(Delivery.contract_id == contract_id).group_by(DeliveryLine.contract_line_id))
    return {cl: Decimal(q or 0) for cl, q in rows}


def create_delivery(env: Env, contract: Contract, lines: Sequence[Mapping[str, Any]] | None = None, *,
                    approved_on: dt.date | None = None, note: str | None = None,
                    goods_request_id: int | None = None) -> Delivery:
    """A draft delivery note of a confirmed contract; ``lines``: ``[{"contract_line_id", "quantity"}]``.

    Without ``lines``, everything not delivered yet. Partial deliveries are
    fine; more than contracted is refused.
    """
    env.check(Delivery, "create")
    if contract.state != "confirmed":
        raise fail(env, N_("Only a confirmed contract can be delivered (contract %(number)s is not)."),
                   "contract_id", number=contract.number)
    on = approved_on or today(env)
    check_open_period(env, on)
    contract_lines = {li.id: li for li in env.search(ContractLine, ContractLine.contract_id == contract.id)}
    done = delivered_quantities(env, contract.id)
    if lines is None:
        lines = [{"contract_line_id": cl.id, "quantity": cl.quantity - done.get(cl.id, Decimal("0"))}
                 for cl in contract_lines.values() if cl.quantity - done.get(cl.id, Decimal("0")) > 0]
        if not lines:
            raise fail(env, N_("Contract %(number)s is fully delivered."), "lines", number=contract.number)
    cleaned = []
    for n, li in enumerate(lines, start=1):
        cl = contract_lines.get(int(li.get("contract_line_id") or 0))
        if cl is None:
            raise fail(env, N_("Line %(line)s is not a line of contract %(number)s."), "lines", line=n,
                       number=contract.number)
        qty = decimal_of(env, li.get("quantity"), "quantity", N_("Quantity"))
        left = cl.quantity - done.get(cl.id, Decimal("0"))
        if qty > left:
            raise fail(env, N_("Line %(line)s: %(quantity)s is more than the %(left)s still to deliver of %(product)s "
                               "(contracted %(contracted)s)."), "quantity", line=n, quantity=qty, left=left,
                       product=cl.product.code, contracted=cl.quantity)
        done[cl.id] = done.get(cl.id, Decimal("0")) + qty
        cleaned.append((cl, qty))
    customer = env.get(Customer, contract.customer_id)
    with env.session.begin_nested():
        delivery = env.create(Delivery, {
            "number": next_number(env, "delivery", on.year), **document_facts(env, customer, on),
            "salesperson_id": contract.salesperson_id, "contract_id": contract.id, "approved_on": on,
            "state": "draft", "note": note, "goods_request_id": goods_request_id,
        })
        _write_delivery_lines(env, delivery, [(cl, qty) for cl, qty in cleaned])
    return delivery


def _write_delivery_lines(env: Env, delivery: Delivery, lines: Sequence[tuple[ContractLine, Decimal]]) -> None:
    total = Decimal("0")
    for seq, (cl, qty) in enumerate(lines, start=1):
        amount = money(qty * cl.unit_price)
        total += amount
        cost = money(qty * cl.unit_cost) if cl.unit_cost is not None else None
        env.create(DeliveryLine, {"delivery_id": delivery.id, "contract_line_id": cl.id, "sequence": seq * 10,
                                  "product_id": cl.product_id, "quantity": qty, "unit_price": cl.unit_price,
                                  "amount": amount, "cost_amount": cost})
    delivery.amount_total = total
    env.session.flush()


def ship(env: Env, delivery: Delivery, on: dt.date | None = None) -> Delivery:
    """The goods left the warehouse (or, for a return, came back): the note counts from ``on``.

    Sets the due date (contract's payment days), the open amount and the late
    flag (not shipped within one working day of approval, company calendar).
    A return's credit nets against its original delivery first, then the
    customer's other open deliveries, oldest first.
    """
    on = on or today(env)
    if delivery.state != "draft":
        raise fail(env, N_("Delivery note %(number)s is already shipped."), "state", number=delivery.number)
    check_open_period(env, on)
    if on < delivery.approved_on:
        raise fail(env, N_("A delivery cannot be shipped before it was approved (%(date)s)."), "delivery_date",
                   date=delivery.approved_on.isoformat())
    contract = env.sudo().get(Contract, delivery.contract_id)
    with by_service():
        env.write(delivery, {"state": "shipped", "delivery_date": on,
                             "due_date": on + dt.timedelta(days=contract.payment_days),
                             "shipped_late": (not delivery.is_return) and shipped_late(delivery.approved_on, on),
                             "open_amount": delivery.amount_total})
    if delivery.is_return:
        _net_credit(env, delivery)
    return delivery


def _set_open(env: Env, delivery: Delivery, value: Decimal, why: str) -> None:
    """Move a delivery's open amount (collections and returns; audited here, whoever may edit the note)."""
    old = delivery.open_amount
    delivery.open_amount = money(value)
    env.session.flush()
    env.audit(Delivery.__tablename__, delivery.id, "open_amount", {"open_amount": [str(old), str(delivery.open_amount)],
                                                                  "by": why})


def _net_credit(env: Env, ret: Delivery) -> None:
    credit = -Decimal(ret.open_amount)
    sudo = env.sudo()
    targets = [sudo.get(Delivery, ret.original_id)] + sudo.search(
        Delivery, Delivery.customer_id == ret.customer_id, Delivery.state.in_(BOOKED), Delivery.open_amount > 0,
        Delivery.id != ret.original_id, order_by=[Delivery.delivery_date, Delivery.id])
    for target in targets:
        if credit <= 0:
            break
        if target is None or target.open_amount <= 0:
            continue
        used = min(credit, Decimal(target.open_amount))
        _set_open(env, target, target.open_amount - used, ret.number)
        credit -= used
    _set_open(env, ret, -credit, ret.number)


def confirm_receipt(env: Env, delivery: Delivery, file: bytes | None = None, filename: str | None = None,
                    on: dt.date | None = None) -> Delivery:
    """The customer's confirmation (客户确认单) received: archived as an attachment of the note."""
    if delivery.state != "shipped":
        raise fail(env, N_("Only a shipped delivery note can be confirmed by the customer."), "state")
    on = on or today(env)
    if file is not None:
        env.attach(delivery, file, filename=filename or f"{delivery.number}-confirmation.pdf")
    with by_service():
        env.write(delivery, {"state": "confirmed", "customer_confirmed_on": on})
    return delivery


def lock_note(env: Env, delivery_id: int) -> None:
    """Lock a delivery note for the rest of the transaction (``SELECT ... FOR UPDATE`` on PostgreSQL).

    Returns and exchanges of the same note wait for each other, so what may
    still come back is counted on committed data (SQLite serialises writers).
    """
    sudo = env.sudo()  # a lock, not a read the user sees
    sudo.scalar(sudo.select(Delivery, Delivery.id).where(Delivery.id == delivery_id).with_for_update())


def returned_quantities(env: Env, original_id: int) -> dict[int, Decimal]:
    """Quantity already returned (positive) per product of an original delivery."""
    sudo = env.sudo()
    rows = sudo.execute(sudo.select(DeliveryLine, DeliveryLine.product_id, func.sum(DeliveryLine.quantity))
                        .join(Delivery, Delivery.id == DeliveryLine.delivery_id)
                        .where(Delivery.original_id == original_id).group_by(DeliveryLine.product_id))
    return {pid: -Decimal(q or 0) for pid, q in rows}


def create_return(env: Env, original: Delivery, lines: Sequence[Mapping[str, Any]], *,
                  on: dt.date | None = None, note: str | None = None) -> Delivery:
    """A red-letter return (退货, negative quantities) linked to a shipped delivery; ``lines``: product, quantity.

    Only products of the original and no more than it delivered (less what
    was returned already) may come back.
    """
    env.check(Delivery, "create")
    if original.is_return or original.state not in BOOKED:
        raise fail(env, N_("Only a shipped delivery note can be returned against."), "original_id")
    on = on or today(env)
    check_open_period(env, on)
    if not lines:
        raise fail(env, N_("A return needs at least one line."), "lines")
    lock_note(env, original.id)
    orig_lines = env.search(DeliveryLine, DeliveryLine.delivery_id == original.id)
    by_product = {li.product_id: li for li in orig_lines}
    back = returned_quantities(env, original.id)
    cleaned = []
    for n, li in enumerate(lines, start=1):
        pid = int(li.get("product_id") or 0)
        dl = by_product.get(pid)
        if dl is None:
            product = env.sudo().get(Product, pid)
            raise fail(env, N_("Line %(line)s: %(product)s was not delivered on %(number)s and cannot be returned."),
                       "product_id", line=n, product=product.code if product else pid, number=original.number)
        qty = decimal_of(env, li.get("quantity"), "quantity", N_("Quantity"))
        left = dl.quantity - back.get(pid, Decimal("0"))
        if qty > left:
            raise fail(env, N_("Line %(line)s: %(quantity)s is more than the %(left)s of %(product)s that can still "
                               "be returned."), "quantity", line=n, quantity=qty, left=left, product=dl.product.code)
        back[pid] = back.get(pid, Decimal("0")) + qty
        cleaned.append((dl, qty))
    with env.session.begin_nested():
        ret = env.create(Delivery, {
            "number": next_number(env, "return", on.year), "customer_id": original.customer_id,
            "salesperson_id": original.salesperson_id, "territory_id": original.territory_id,
            "settlement": original.settlement, "contract_id": original.contract_id, "is_return": True,
            "original_id": original.id, "approved_on": on, "state": "draft", "note": note,
        })
        total = Decimal("0")
        for seq, (dl, qty) in enumerate(cleaned, start=1):
            amount = -money(qty * dl.unit_price)
            total += amount
            cost = -money(qty * dl.cost_amount / dl.quantity) if dl.cost_amount is not None else None
            env.create(DeliveryLine, {"delivery_id": ret.id, "contract_line_id": dl.contract_line_id,
                                      "sequence": seq * 10, "product_id": dl.product_id, "quantity": -qty,
                                      "unit_price": dl.unit_price, "amount": amount, "cost_amount": cost})
        ret.amount_total = total
        env.session.flush()
    return ret


# ----- collections -------------------------------------------------------------------------
def pending_collections(env: Env, customer_id: int, exclude: int | None = None) -> Decimal:
    """Collections of the customer requested but not confirmed by finance yet."""
    sudo = env.sudo()
    return Decimal(sudo.scalar(sudo.select(Collection, func.coalesce(func.sum(Collection.amount), 0)).where(
        Collection.customer_id == customer_id, Collection.state.in_(("draft", "sales_confirmed")),
        Collection.id != (exclude or 0))) or 0)


def _check_collectable(env: Env, customer_id: int, amount: Decimal, exclude: int | None = None) -> None:
    open_amount = open_receivables(env, customer_id) - pending_collections(env, customer_id, exclude)
    if amount > open_amount:
        raise fail(env, N_("The collection of %(amount)s is larger than the open amount of %(open)s."), "amount",
                   amount=money(amount), open=money(max(open_amount, Decimal("0"))))


def create_collection(env: Env, customer_id: int, amount: Any, *, on: dt.date | None = None,
                      reference: str | None = None, note: str | None = None) -> Collection:
    """A payment request (回款申请) of the salesperson: the customer says they paid ``amount``."""
    env.check(Collection, "create")
    customer = env.get(Customer, customer_id)
    value = money(decimal_of(env, amount, "amount", N_("Amount")))
    on = on or today(env)
    check_open_period(env, on)
    _check_collectable(env, customer.id, value)
    with env.session.begin_nested():
        return env.create(Collection, {
            "number": next_number(env, "collection", on.year), **document_facts(env, customer, on),
            "amount": value, "requested_on": on, "state": "draft", "reference": reference, "note": note,
        })


def confirm_collection_sales(env: Env, collection: Collection, comment: str | None = None) -> None:
    """Step 1: sales confirms the payment request."""
    approvals.fire(env, COLLECTION_WORKFLOW, collection, "confirm_sales", comment=comment)


def confirm_collection_finance(env: Env, collection: Collection, on: dt.date | None = None,
                               comment: str | None = None) -> list[Allocation]:
    """Step 2: finance confirms the cash as received and allocates it to open deliveries, oldest first."""
    on = on or today(env)
    if collection.state != "sales_confirmed":
        raise fail(env, N_("Sales must confirm the collection before finance."), "state")
    check_open_period(env, on)
    _check_collectable(env, collection.customer_id, collection.amount, exclude=collection.id)
    sudo = env.sudo()  # the customer's open notes, whoever sold them
    targets = sudo.search(Delivery, Delivery.customer_id == collection.customer_id, Delivery.state.in_(BOOKED),
                          Delivery.open_amount > 0, order_by=[Delivery.due_date, Delivery.id])
    approvals.fire(env, COLLECTION_WORKFLOW, collection, "confirm_finance", comment=comment)
    collection.confirmed_on = on
    left = Decimal(collection.amount)
    out = []
    for target in targets:
        if left <= 0:
            break
        used = min(left, Decimal(target.open_amount))
        out.append(env.create(Allocation, {"collection_id": collection.id, "delivery_id": target.id,
                                           "amount": used}))
        _set_open(env, target, target.open_amount - used, collection.number)
        left -= used
    env.session.flush()
    return out


def reject_collection(env: Env, collection: Collection, comment: str | None = None) -> None:
    """Finance rejects a payment request (no cash arrived)."""
    approvals.fire(env, COLLECTION_WORKFLOW, collection, "reject", comment=comment)


# ----- invoice requests --------------------------------------------------------------------
def invoiced_amount(env: Env, delivery_id: int, exclude: int | None = None) -> Decimal:
    """What is requested or invoiced already for a delivery note."""
    sudo = env.sudo()
    return Decimal(sudo.scalar(sudo.select(InvoiceRequest, func.coalesce(func.sum(InvoiceRequest.amount), 0)).where(
        InvoiceRequest.delivery_id == delivery_id, InvoiceRequest.id != (exclude or 0))) or 0)


def request_invoice(env: Env, delivery: Delivery, amount: Any = None, *, on: dt.date | None = None) -> InvoiceRequest:
    """An invoice request (开票申请) for a shipped delivery note (default: what is not invoiced yet), sent to finance."""
    env.check(InvoiceRequest, "create")
    if delivery.is_return or delivery.state not in BOOKED:
        raise fail(env, N_("Only a shipped delivery note can be invoiced."), "delivery_id")
    left = delivery.amount_total - invoiced_amount(env, delivery.id)
    value = money(decimal_of(env, amount, "amount", N_("Amount"))) if amount not in (None, "") else left
    if value <= 0 or value > left:
        raise fail(env, N_("The invoice of %(amount)s is more than the %(left)s not invoiced yet on %(number)s."),
                   "amount", amount=money(value), left=money(left), number=delivery.number)
    on = on or today(env)
    check_open_period(env, on)
    with env.session.begin_nested():
        inv = env.create(InvoiceRequest, {
            "number": next_number(env, "invoice", on.year), "delivery_id": delivery.id,
            "customer_id": delivery.customer_id, "salesperson_id": delivery.salesperson_id,
            "territory_id": delivery.territory_id, "settlement": delivery.settlement, "amount": value,
            "requested_on": on, "state": "draft"})
        approvals.fire(env, INVOICE_WORKFLOW, inv, "request", amount=value)
    return inv


def review_invoice(env: Env, invoice: InvoiceRequest, approve: bool = True, comment: str | None = None) -> None:
    """Finance reviews the request (or sends it back to sales)."""
    approvals.fire(env, INVOICE_WORKFLOW, invoice, "review" if approve else "reject", comment=comment)


def issue_invoice(env: Env, invoice: InvoiceRequest, invoice_number: str, on: dt.date | None = None) -> None:
    """Finance issues the invoice (its number from the tax system)."""
    if not (invoice_number or "").strip():
        raise fail(env, N_("Enter the invoice number."), "invoice_number")
    approvals.fire(env, INVOICE_WORKFLOW, invoice, "issue")
    invoice.invoice_number = invoice_number.strip()[:64]
    invoice.issued_on = on or today(env)
    env.session.flush()


def record_signature(env: Env, invoice: InvoiceRequest, signed_by: str, on: dt.date | None = None) -> None:
    """The customer signed for the invoice: who and when."""
    if not (signed_by or "").strip():
        raise fail(env, N_("Enter who signed for the invoice."), "signed_by")
    approvals.fire(env, INVOICE_WORKFLOW, invoice, "sign")
    invoice.signed_by = signed_by.strip()[:100]
    invoice.signed_on = on or today(env)
    env.session.flush()


# ----- goods requests ----------------------------------------------------------------------
def _requested_open(env: Env, contract_id: int) -> dict[int, Decimal]:
    """Quantities of goods requests under review or approved, not delivered yet, per contract line."""
    sudo = env.sudo()
    rows = sudo.execute(sudo.select(GoodsRequestLine, GoodsRequestLine.contract_line_id,
                                    func.sum(GoodsRequestLine.quantity))
                        .join(GoodsRequest, GoodsRequest.id == GoodsRequestLine.request_id)
                        .where(GoodsRequest.contract_id == contract_id,
                               GoodsRequest.state.in_(("draft", "reviewing", "approved")))
                        .group_by(GoodsRequestLine.contract_line_id))
    return {cl: Decimal(q or 0) for cl, q in rows}


def create_goods_request(env: Env, contract: Contract, lines: Sequence[Mapping[str, Any]], *,
                         on: dt.date | None = None) -> GoodsRequest:
    """A goods request (需货申请单) for part of a confirmed contract; ``lines``: contract line, quantity."""
    env.check(GoodsRequest, "create")
    if contract.state != "confirmed":
        raise fail(env, N_("Only a confirmed contract can be delivered (contract %(number)s is not)."),
                   "contract_id", number=contract.number)
    on = on or today(env)
    check_open_period(env, on)
    if not lines:
        raise fail(env, N_("A goods request needs at least one line."), "lines")
    contract_lines = {li.id: li for li in env.search(ContractLine, ContractLine.contract_id == contract.id)}
    done, asked = delivered_quantities(env, contract.id), _requested_open(env, contract.id)
    cleaned = []
    for n, li in enumerate(lines, start=1):
        cl = contract_lines.get(int(li.get("contract_line_id") or 0))
        if cl is None:
            raise fail(env, N_("Line %(line)s is not a line of contract %(number)s."), "lines", line=n,
                       number=contract.number)
        qty = decimal_of(env, li.get("quantity"), "quantity", N_("Quantity"))
        left = cl.quantity - done.get(cl.id, Decimal("0")) - asked.get(cl.id, Decimal("0"))
        if qty > left:
            raise fail(env, N_("Line %(line)s: %(quantity)s is more than the %(left)s still to deliver of %(product)s "
                               "(contracted %(contracted)s)."), "quantity", line=n, quantity=qty, left=left,
                       product=cl.product.code, contracted=cl.quantity)
        asked[cl.id] = asked.get(cl.id, Decimal("0")) + qty
        cleaned.append((cl, qty))
    customer = env.get(Customer, contract.customer_id)
    with env.session.begin_nested():
        gr = env.create(GoodsRequest, {
            "number": next_number(env, "goods_request", on.year), **document_facts(env, customer, on),
            "salesperson_id": contract.salesperson_id, "contract_id": contract.id, "requested_on": on,
            "state": "draft"})
        total = Decimal("0")
        for cl, qty in cleaned:
            amount = money(qty * cl.unit_price)
            total += amount
            env.create(GoodsRequestLine, {"request_id": gr.id, "contract_line_id": cl.id, "quantity": qty,
                                          "amount": amount})
        gr.amount_total = total
        env.session.flush()
    return gr


def submit_goods_request(env: Env, gr: GoodsRequest) -> str | None:
    """Send the request for review, with the credit check's finding (``None``: inside the credit)."""
    exposure = open_receivables(env, gr.customer_id)
    issue = _credit_reason(env, gr.customer_id, exposure, gr.amount_total)
    gr.credit_issue = issue[:200] if issue else None
    env.session.flush()
    approvals.fire(env, GOODS_REQUEST_WORKFLOW, gr, "submit", comment=issue, amount=gr.amount_total)
    return issue


def decide_goods_request(env: Env, gr: GoodsRequest, approve: bool, comment: str | None = None) -> None:
    """A reviewer approves (by authority when the credit check failed) or rejects the request."""
    name = ("approve_credit" if gr.credit_issue else "approve") if approve else "reject"
    approvals.fire(env, GOODS_REQUEST_WORKFLOW, gr, name, comment=comment, amount=gr.amount_total)


def deliver_goods_request(env: Env, gr: GoodsRequest, on: dt.date | None = None) -> Delivery:
    """The delivery note (draft) of an approved goods request."""
    if gr.state != "approved":
        raise fail(env, N_("Only an approved goods request can be delivered."), "state")
    contract = env.get(Contract, gr.contract_id)
    lines = [{"contract_line_id": li.contract_line_id, "quantity": li.quantity} for li in gr.lines]
    approvals.fire(env, GOODS_REQUEST_WORKFLOW, gr, "deliver")  # frees the requested quantities first
    return create_delivery(env, contract, lines, approved_on=on, goods_request_id=gr.id)
