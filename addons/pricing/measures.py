"""Measures of the pricing addon (``tixi_measures``): quoted amounts and quote counts.

* ``pricing.quote_amount``: the amount of quote lines (money) by customer,
  salesperson, product, customer class, state and territory (when territories
  is enabled), over the quote date; quotes that went, or may go, to the
  customer (:data:`QUOTED_STATES`: drafts, quotes waiting for approval and
  superseded revisions do not count).
* ``pricing.quotes``: how many quotes (every revision) by state, salesperson,
  customer and territory, over the quote date.

Both are built on ``env.select`` (the quote and line rules apply: a
salesperson's amount covers the quotes of their own and their team's customers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from addons.masterdata.models import Customer, Employee, Product
from addons.pricing.models import QUOTE_STATE_LABELS, Quote, QuoteLine
from core.i18n import _l
from core.measures import Dimension, Measure, fact_columns

if TYPE_CHECKING:
    from sqlalchemy import Select

    from core.security.env import Env

#: quote states whose amount counts as quoted
QUOTED_STATES = ("approved", "sent", "won", "lost", "expired")

CUSTOMER = Dimension("customer", _l("Customer"), model=Customer)
SALESPERSON = Dimension("salesperson", _l("Salesperson"), model=Employee)
PRODUCT = Dimension("product", _l("Product variety"), model=Product)
CLASS = Dimension("class", _l("Customer class"))
STATE = Dimension("state", _l("State"), choices=QUOTE_STATE_LABELS)
TERRITORY = Dimension("territory", _l("Territory"), model="territories_territory", requires="territories")

_QUOTE_COLUMNS = {
    "customer": Quote.customer_id,
    "salesperson": Quote.owner_id,
    "class": Quote.customer_class,
    "state": Quote.state,
    "territory": Quote.territory_id,
}
_LINE_COLUMNS = {**_QUOTE_COLUMNS, "product": QuoteLine.product_id}


def quote_amount_query(env: Env, dimensions: Sequence[str]) -> Select:
    """Fact rows: one per quote line of a quoted quote (``value`` = line amount, ``period`` = quote date)."""
    cols = fact_columns(QuoteLine.amount, Quote.quote_date, _LINE_COLUMNS, dimensions)
    # the lines' rules follow their quote's (security.yaml): checked like the margin report
    return (
        env.select(QuoteLine, "read", *cols)
        .join(Quote, Quote.id == QuoteLine.quote_id)
        .where(Quote.state.in_(QUOTED_STATES))
    )


def quotes_query(env: Env, dimensions: Sequence[str]) -> Select:
    """Fact rows: one per quote (``value`` = its id, counted)."""
    return env.select(Quote, "read", *fact_columns(Quote.id, Quote.quote_date, _QUOTE_COLUMNS, dimensions))


MEASURES = [
    Measure(
        name="pricing.quote_amount",
        label=_l("Quoted amount"),
        description=_l("Amount of the lines of quotes approved, sent, won, lost or expired, by quote date."),
        kind="money",
        unit="currency",
        query=quote_amount_query,
        dimensions=(CUSTOMER, SALESPERSON, PRODUCT, CLASS, STATE, TERRITORY),
        period="quote_date",
    ),
    Measure(
        name="pricing.quotes",
        label=_l("Quotes"),
        description=_l("Number of quotes and bids (every revision), by quote date."),
        kind="count",
        aggregate="count",
        query=quotes_query,
        dimensions=(STATE, SALESPERSON, CUSTOMER, TERRITORY),
        period="quote_date",
    ),
]
