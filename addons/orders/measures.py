"""Measures of orders (``tixi_measures``), the shared contract of the wave-2 addons.

* ``orders.sales_amount`` / ``orders.sales_quantity`` / ``orders.gross_profit``:
  delivery lines of shipped (or customer-confirmed) notes, period = the
  delivery date; red-letter returns are negative rows and net by themselves;
  gross profit only where the cost is known (contract from a pricing quote).
* ``orders.contract_amount``: lines of confirmed contracts, period = contract date.
* ``orders.collections``: collections confirmed by finance, period = the confirmation date.
* ``orders.receivables``: open amounts of the notes now (a snapshot).

Dimensions ``customer``, ``product``, ``salesperson``, ``territory`` (the
territory of the document date, stored on the document), ``settlement``
(the customer's settlement method when the document was made). Built on
``env.select``: each user's figure covers the documents they may read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import SETTLEMENT_METHOD, Customer, Employee, Product
from core.i18n import _l
from core.measures import Dimension, Measure

from .models import Collection, Contract, ContractLine, Delivery, DeliveryLine

if TYPE_CHECKING:
    from core.security.env import Env

BOOKED = ("shipped", "confirmed")

CUSTOMER = Dimension("customer", _l("Customer"), model=Customer)
PRODUCT = Dimension("product", _l("Product variety"), model=Product)
SALESPERSON = Dimension("salesperson", _l("Salesperson"), model=Employee)
TERRITORY = Dimension("territory", _l("Territory"), model="territories_territory", requires="territories")
SETTLEMENT = Dimension("settlement", _l("Settlement method"), choices=SETTLEMENT_METHOD)
LINE_DIMS = (CUSTOMER, PRODUCT, SALESPERSON, TERRITORY, SETTLEMENT)
HEAD_DIMS = (CUSTOMER, SALESPERSON, TERRITORY, SETTLEMENT)


def _head(model: Any) -> dict[str, Any]:
    return {"customer": model.customer_id, "salesperson": model.salesperson_id, "territory": model.territory_id,
            "settlement": model.settlement}


def _delivery_lines(env: Env, value: Any, dimensions: Sequence[str]) -> Any:
    cols = {**_head(Delivery), "product": DeliveryLine.product_id}
    stmt = env.select(DeliveryLine, "read", value.label("value"), Delivery.delivery_date.label("period"),
                      *[cols[d].label(d) for d in dimensions if d in cols])
    return stmt.join(Delivery, Delivery.id == DeliveryLine.delivery_id).where(Delivery.state.in_(BOOKED))


def sales_amount_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per delivered (or, negative, returned) line."""
    return _delivery_lines(env, DeliveryLine.amount, dimensions)


def sales_quantity_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per delivered (or, negative, returned) line: its quantity."""
    return _delivery_lines(env, DeliveryLine.quantity, dimensions)


def gross_profit_query(env: Env, dimensions: Sequence[str]) -> Any:
    """Amount less cost of the lines whose cost is known."""
    return _delivery_lines(env, DeliveryLine.amount - DeliveryLine.cost_amount, dimensions).where(
        DeliveryLine.cost_amount.is_not(None))


def contract_amount_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per line of a confirmed contract."""
    cols = {**_head(Contract), "product": ContractLine.product_id}
    stmt = env.select(ContractLine, "read", ContractLine.amount.label("value"), Contract.contract_date.label("period"),
                      *[cols[d].label(d) for d in dimensions if d in cols])
    return stmt.join(Contract, Contract.id == ContractLine.contract_id).where(Contract.state == "confirmed")


def collections_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per collection confirmed by finance."""
    cols = _head(Collection)
    return env.select(Collection, "read", Collection.amount.label("value"), Collection.confirmed_on.label("period"),
                      *[cols[d].label(d) for d in dimensions if d in cols]).where(Collection.state == "confirmed")


def receivables_query(env: Env, dimensions: Sequence[str]) -> Any:
    """The open amount of every booked note now (returns' unused credit negative)."""
    cols = _head(Delivery)
    return env.select(Delivery, "read", Delivery.open_amount.label("value"),
                      *[cols[d].label(d) for d in dimensions if d in cols]).where(
        Delivery.state.in_(BOOKED), Delivery.open_amount != 0)


GRAINS = ("day", "month", "quarter", "year")

MEASURES = [
    Measure(name="orders.sales_amount", label=_l("Sales (delivered)"),
            description=_l("Delivered amount by delivery date; red-letter returns net."),
            kind="money", unit="currency", query=sales_amount_query, dimensions=LINE_DIMS,
            period="delivery_date", grains=GRAINS),
    Measure(name="orders.sales_quantity", label=_l("Quantity delivered"),
            description=_l("Delivered quantity by delivery date; returns net."),
            kind="quantity", scale=3, query=sales_quantity_query, dimensions=LINE_DIMS,
            period="delivery_date", grains=GRAINS),
    Measure(name="orders.gross_profit", label=_l("Gross profit"),
            description=_l("Delivered amount less cost, where pricing knows the cost."),
            kind="money", unit="currency", query=gross_profit_query, dimensions=LINE_DIMS,
            period="delivery_date", grains=GRAINS),
    Measure(name="orders.contract_amount", label=_l("Contract amount"),
            description=_l("Amount of confirmed contracts by contract date."),
            kind="money", unit="currency", query=contract_amount_query, dimensions=LINE_DIMS,
            period="contract_date", grains=GRAINS),
    Measure(name="orders.collections", label=_l("Collections"),
            description=_l("Collections confirmed by finance, by confirmation date."),
            kind="money", unit="currency", query=collections_query, dimensions=HEAD_DIMS,
            period="confirmed_on", grains=GRAINS),
    Measure(name="orders.receivables", label=_l("Receivables"),
            description=_l("What customers owe now (open amounts of delivery notes, returns netted)."),
            kind="money", unit="currency", query=receivables_query, dimensions=HEAD_DIMS, period=None),
]
