"""Measures of the masterdata addon (``tixi_measures``).

* ``masterdata.customers``: how many active customers by status and owner;
  with a period, the customers *created* in it (``created_at``, a datetime:
  bucketed by the company's local day/month/quarter/year).

Built on ``env.select(Customer)``: a salesperson counts their own and their
team's customers, the director the whole company.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from addons.masterdata.models import CUSTOMER_STATUS, Customer, Employee
from core.i18n import _l
from core.measures import Dimension, Measure, fact_columns

if TYPE_CHECKING:
    from sqlalchemy import Select

    from core.security.env import Env

_COLUMNS = {"status": Customer.status, "owner": Customer.owner_id}


def customers_query(env: Env, dimensions: Sequence[str]) -> Select:
    """Fact rows: one per active customer (``value`` = its id, ``period`` = when it was created)."""
    cols = fact_columns(Customer.id, Customer.created_at, _COLUMNS, dimensions)
    return env.select(Customer, "read", *cols).where(Customer.active.is_(True))


MEASURES = [
    Measure(
        name="masterdata.customers",
        label=_l("Customers"),
        description=_l("Active customers; over a period, the customers created in it."),
        kind="count",
        aggregate="count",
        query=customers_query,
        dimensions=(
            Dimension("status", _l("Status"), choices=CUSTOMER_STATUS),
            Dimension("owner", _l("Salesperson"), model=Employee),
        ),
        period="created_at",
    ),
]
