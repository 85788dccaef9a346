"""Exchanges (换货): a red-letter return of delivered goods and a replacement delivery, asked for and approved as one.

:func:`create_exchange` validates everything before it writes (quantities not
above what the original delivered less what came back already or waits in
another exchange, the same customer, replacement products of the original's
contract, a reason, an open period) and submits the exchange for approval in
the same transaction. :func:`decide_exchange`: a manager (never the
requester) approves — which makes the red-letter return (``TH…``) and the
replacement delivery note (``CK…``) through the ordinary services, both
linked to the exchange — or rejects it; sales may withdraw a waiting one
(:func:`cancel_exchange`). The two notes then ship like any other, so
sales, receivables and statements net by themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from addons.masterdata.models import Product
from core.i18n import N_
from core.security import approvals

from ..models import Contract, ContractLine, Delivery, DeliveryLine, Exchange, ExchangeLine
from ..workflows import EXCHANGE_WORKFLOW
from .common import check_open_period, decimal_of, fail, money, today
from .documents import (
    BOOKED,
    create_delivery,
    create_return,
    delivered_quantities,
    lock_note,
    returned_quantities,
)
from .numbering import next_number

if TYPE_CHECKING:
    from core.security.env import Env


def pending_exchanges(env: Env, original_id: int, exclude: int | None = None) -> dict[int, Decimal]:
    """Quantities per product of ``original_id`` in exchanges still waiting for approval."""
    sudo = env.sudo()  # every exchange of the note counts, whoever asked for it
    rows = sudo.execute(sudo.select(ExchangeLine, ExchangeLine.product_id, func.sum(ExchangeLine.quantity))
                        .join(Exchange, Exchange.id == ExchangeLine.exchange_id)
                        .where(Exchange.original_id == original_id, Exchange.state == "waiting",
                               Exchange.id != (exclude or 0))
                        .group_by(ExchangeLine.product_id))
    return {pid: Decimal(q or 0) for pid, q in rows}


def _clean(env: Env, original: Delivery, lines: Sequence[Mapping[str, Any]],
           exclude: int | None = None) -> list[dict[str, Any]]:
    """The exchange's lines checked against the original note and its contract (raises on the first error)."""
    if original.is_return or original.state not in BOOKED:
        raise fail(env, N_("Only a shipped delivery note can be exchanged."), "original_id")
    if not lines:
        raise fail(env, N_("An exchange needs at least one line."), "lines")
    sudo = env.sudo()  # the original's lines and its contract's, whoever made them
    by_product = {li.product_id: li for li in sudo.search(DeliveryLine, DeliveryLine.delivery_id == original.id)}
    contract_lines = sudo.search(ContractLine, ContractLine.contract_id == original.contract_id,
                                 order_by=[ContractLine.sequence])
    cl_by_product = {cl.product_id: cl for cl in contract_lines}
    back = returned_quantities(env, original.id)
    waiting = pending_exchanges(env, original.id, exclude)
    done = delivered_quantities(env, original.contract_id)
    out = []
    for n, li in enumerate(lines, start=1):
        pid = int(li.get("product_id") or 0)
        dl = by_product.get(pid)
        if dl is None:
            product = sudo.get(Product, pid) if pid else None
            raise fail(env, N_("Line %(line)s: %(product)s was not delivered on %(number)s and cannot be exchanged."),
                       f"lines.{n}.product_id", line=n, product=product.code if product else pid,
                       number=original.number)
        qty = decimal_of(env, li.get("quantity"), f"lines.{n}.quantity", N_("Quantity"))
        left = dl.quantity - back.get(pid, Decimal("0")) - waiting.get(pid, Decimal("0"))
        if qty > left:
            raise fail(env, N_("Line %(line)s: %(quantity)s is more than the %(left)s of %(product)s that can still "
                               "be returned."), f"lines.{n}.quantity", line=n, quantity=qty,
                       left=max(left, Decimal("0")), product=dl.product.code)
        waiting[pid] = waiting.get(pid, Decimal("0")) + qty
        rpid = int(li.get("replacement_product_id") or pid)
        cl = sudo.get(ContractLine, dl.contract_line_id) if rpid == pid else cl_by_product.get(rpid)
        if cl is None:
            product = sudo.get(Product, rpid)
            raise fail(env, N_("Line %(line)s: %(product)s is not on contract %(number)s; exchange only for products "
                               "of the contract."), f"lines.{n}.replacement_product_id", line=n,
                       product=product.code if product else rpid, number=sudo.get(Contract, original.contract_id).number)
        raw = li.get("replacement_quantity")
        rqty = qty if raw in (None, "") else decimal_of(env, raw, f"lines.{n}.replacement_quantity",
                                                         N_("Replacement quantity"))
        # the return frees its quantity on the original's contract line; the replacement may use it again
        done[dl.contract_line_id] = done.get(dl.contract_line_id, Decimal("0")) - qty
        left_cl = cl.quantity - done.get(cl.id, Decimal("0"))
        if rqty > left_cl:
            raise fail(env, N_("Line %(line)s: %(quantity)s is more than the %(left)s still to deliver of %(product)s "
                               "(contracted %(contracted)s)."), f"lines.{n}.replacement_quantity", line=n,
                       quantity=rqty, left=left_cl, product=cl.product.code, contracted=cl.quantity)
        done[cl.id] = done.get(cl.id, Decimal("0")) + rqty
        out.append({"product_id": pid, "quantity": qty, "unit_price": dl.unit_price, "replacement_line_id": cl.id,
                    "replacement_product_id": cl.product_id, "replacement_quantity": rqty,
                    "replacement_unit_price": cl.unit_price})
    return out


def create_exchange(env: Env, original: Delivery, lines: Sequence[Mapping[str, Any]], reason: str | None, *,
                    customer_id: int | None = None, on: dt.date | None = None) -> Exchange:
    """An exchange of goods delivered on ``original``, submitted for approval (one transaction).

    ``lines``: ``[{"product_id", "quantity", "replacement_product_id"?, "replacement_quantity"?}]`` — by
    default the same product and quantity go out again. ``customer_id``, when given, must be the original's.
    Nothing is written when anything is wrong.
    """
    env.check(Exchange, "create")
    original = env.get(Delivery, original.id)  # the user must reach the note
    if customer_id is not None and int(customer_id) != original.customer_id:
        raise fail(env, N_("The delivery note is for another customer."), "customer_id")
    on = on or today(env)
    check_open_period(env, on)
    text = (reason or "").strip()
    if not text:
        raise fail(env, N_("Give the reason for the exchange."), "reason")
    lock_note(env, original.id)  # concurrent returns and exchanges of the note wait for each other
    cleaned = _clean(env, original, lines)
    with env.session.begin_nested():
        ex = env.create(Exchange, {
            "number": next_number(env, "exchange", on.year), "original_id": original.id,
            "contract_id": original.contract_id, "customer_id": original.customer_id,
            "salesperson_id": original.salesperson_id, "territory_id": original.territory_id,
            "settlement": original.settlement, "requested_on": on, "reason": text[:2000], "state": "draft",
            "return_amount": sum((money(li["quantity"] * li["unit_price"]) for li in cleaned), Decimal("0")),
            "replacement_amount": sum((money(li["replacement_quantity"] * li["replacement_unit_price"])
                                       for li in cleaned), Decimal("0")),
        })
        for seq, li in enumerate(cleaned, start=1):
            env.create(ExchangeLine, {"exchange_id": ex.id, "sequence": seq * 10, **li})
        approvals.fire(env, EXCHANGE_WORKFLOW, ex, "submit", comment=text[:500])
    return ex


def decide_exchange(env: Env, ex: Exchange, approve: bool, comment: str | None = None,
                    on: dt.date | None = None) -> Exchange:
    """A manager (never the requester) approves — the return and the replacement note are made — or rejects."""
    if ex.state != "waiting":
        raise fail(env, N_("Only an exchange waiting for approval can be decided."), "state")
    if not approve:
        approvals.fire(env, EXCHANGE_WORKFLOW, ex, "reject", comment=comment)
        return ex
    on = on or today(env)
    check_open_period(env, on)
    lock_note(env, ex.original_id)
    original = env.sudo().get(Delivery, ex.original_id)
    lines = [{"product_id": li.product_id, "quantity": li.quantity,
              "replacement_product_id": li.replacement_product_id, "replacement_quantity": li.replacement_quantity}
             for li in ex.lines]
    _clean(env, original, lines, exclude=ex.id)  # still possible (another return may have come since)
    contract = env.sudo().get(Contract, ex.contract_id)
    note = f"{ex.number}: {ex.reason}"[:2000]
    with env.session.begin_nested():
        approvals.fire(env, EXCHANGE_WORKFLOW, ex, "approve", comment=comment)
        ret = create_return(env, original, [{"product_id": li.product_id, "quantity": li.quantity}
                                            for li in ex.lines], on=on, note=note)
        # the return is a draft whose lines already free the contract's quantities
        repl = create_delivery(env, contract, [{"contract_line_id": li.replacement_line_id,
                                                "quantity": li.replacement_quantity} for li in ex.lines],
                               approved_on=on, note=note)
        ex.return_id, ex.replacement_id = ret.id, repl.id
        env.session.flush()
    return ex


def cancel_exchange(env: Env, ex: Exchange, comment: str | None = None) -> Exchange:
    """Sales withdraws an exchange still waiting for approval."""
    approvals.fire(env, EXCHANGE_WORKFLOW, ex, "cancel", comment=comment)
    return ex


def exchanges_of(env: Env, *, customer_id: int | None = None, original_id: int | None = None,
                 limit: int = 50) -> list[Exchange]:
    """The exchanges the user may read of a customer or of an original note, newest first."""
    where = []
    if customer_id is not None:
        where.append(Exchange.customer_id == customer_id)
    if original_id is not None:
        where.append(Exchange.original_id == original_id)
    return env.search(Exchange, *where, order_by=[Exchange.id.desc()], limit=limit)
