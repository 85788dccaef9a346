"""Measures of market_info (``tixi_measures``).

``market_info.price_observations``: competitor price observations (a count),
over the observation day; dimensions ``competitor``, ``product`` (our
comparable variety), ``customer``, ``salesperson`` (the collector) and
``territory`` (the customer's territory on the observation's date, stored on
the row). Built on ``env.select``: the confidentiality rules apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import literal

from addons.masterdata.models import Customer, Employee, Product
from core.i18n import _l
from core.measures import Dimension, Measure

from .models import Competitor, PriceObservation

if TYPE_CHECKING:
    from core.security.env import Env

OBS = PriceObservation
COLUMNS = {"competitor": OBS.competitor_id, "product": OBS.product_id, "customer": OBS.customer_id,
           "salesperson": OBS.collector_id, "territory": OBS.territory_id}


def observations_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per observation the user may read."""
    return env.select(OBS, "read", literal(1).label("value"), OBS.observed_on.label("period"),
                      *[COLUMNS[d].label(d) for d in dimensions if d in COLUMNS])


DIMENSIONS = (
    Dimension("competitor", _l("Competitor"), model=Competitor),
    Dimension("product", _l("Product variety"), model=Product),
    Dimension("customer", _l("Customer"), model=Customer),
    Dimension("salesperson", _l("Salesperson"), model=Employee),
    Dimension("territory", _l("Territory"), model="territories_territory", requires="territories"),
)

MEASURES = [
    Measure(name="market_info.price_observations", label=_l("Competitor price observations"),
            description=_l("Competitor prices seen (one per observation), by observation day."),
            kind="count", aggregate="count", query=observations_query, dimensions=DIMENSIONS,
            period="observed_on", grains=("day", "month", "quarter", "year")),
]
