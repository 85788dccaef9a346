"""Measures of crm_cards (``tixi_measures``).

* ``crm_cards.customers``: how many active customers by class (A..D, none),
  and, when the territories addon is enabled for the company (an optional
  dependency), by current territory and by region (the top-level territory
  of the current one); a snapshot (no period).
* ``crm_cards.monthly_cards``: how many monthly cards by salesperson, customer
  and state, over the card's month.
* ``crm_cards.plan_actions_due`` and ``crm_cards.plan_actions_on_time``: the
  actions of approved key-account plans due in the period (over their due
  date), and those of them done on or before that date, by salesperson (the
  action's owner, else the plan's), customer and, where territories is
  enabled, the customer's current territory. The customer-development plan
  execution rate (客户开发计划执行率, issue 22) is on time / due
  (``ratio_measure`` in kpi), per person and month.

Built on ``env.select`` (customer and card rules apply).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from addons.crm_cards.models import (
    CLASS_LABELS,
    MONTHLY_STATE,
    ActionItem,
    CustomerProfile,
    KeyAccountPlan,
    MonthlyCard,
)
from addons.masterdata.models import Customer, Employee
from core.i18n import _l
from core.measures import Dimension, Measure, fact_columns

if TYPE_CHECKING:
    from sqlalchemy import Select

    from core.security.env import Env


def _current_territory(env: Env, region: bool) -> Any:
    """Sub-query ``(customer_id, territory)``: the current territory, or its root with ``region``."""
    from addons.territories.models import CustomerTerritory, Territory

    cols = [CustomerTerritory.customer_id.label("customer_id")]
    if not region:
        stmt = select(*cols, CustomerTerritory.territory_id.label("territory"))
    else:
        closure = Territory.__tixi_closure__
        root = aliased(Territory)
        stmt = (
            select(*cols, root.id.label("territory"))
            .join(closure, closure.c.descendant_id == CustomerTerritory.territory_id)
            .join(root, and_(root.id == closure.c.ancestor_id, root.parent_id.is_(None)))
        )
    return stmt.where(CustomerTerritory.date_to.is_(None), CustomerTerritory.company_id == env.company_id).subquery()


def customers_query(env: Env, dimensions: Sequence[str]) -> Select:
    """Fact rows: one per active customer readable by the user (``value`` = the customer id)."""
    cols: list[Any] = [Customer.id.label("value")]
    joins = []
    if "class" in dimensions:
        cols.append(CustomerProfile.class_code.label("class"))
    for dim in ("territory", "region"):
        if dim in dimensions:  # the kernel refuses both where territories is not enabled
            sub = _current_territory(env, region=dim == "region")
            cols.append(sub.c.territory.label(dim))
            joins.append(sub)
    # the profile is one row per customer and follows its rules (the customer's are in the WHERE)
    stmt = env.select(Customer, "read", *cols).where(Customer.active.is_(True))
    if "class" in dimensions:
        stmt = stmt.outerjoin(CustomerProfile, CustomerProfile.customer_id == Customer.id)
    for sub in joins:
        stmt = stmt.outerjoin(sub, sub.c.customer_id == Customer.id)
    return stmt


_CARD_COLUMNS = {"salesperson": MonthlyCard.owner_id, "customer": MonthlyCard.customer_id, "state": MonthlyCard.state}


def monthly_cards_query(env: Env, dimensions: Sequence[str]) -> Select:
    """Fact rows: one per monthly card (``value`` = its id, ``period`` = its month)."""
    return env.select(MonthlyCard, "read", *fact_columns(MonthlyCard.id, MonthlyCard.month, _CARD_COLUMNS, dimensions))


def plan_actions_query(env: Env, dimensions: Sequence[str]) -> Select:
    """Fact rows: one per action of an approved key-account plan (``value`` = its id, ``period`` = its due date)."""
    owner = func.coalesce(ActionItem.owner_id, KeyAccountPlan.owner_id)
    cols: list[Any] = [ActionItem.id.label("value"), ActionItem.due_date.label("period")]
    if "salesperson" in dimensions:
        cols.append(owner.label("salesperson"))
    if "customer" in dimensions:
        cols.append(ActionItem.customer_id.label("customer"))
    sub = None
    if "territory" in dimensions:  # the kernel refuses it where territories is not enabled
        sub = _current_territory(env, region=False)
        cols.append(sub.c.territory.label("territory"))
    # actions follow their customer's rules (in the WHERE); the plan is the action's own
    stmt = (env.select(ActionItem, "read", *cols).join(KeyAccountPlan, KeyAccountPlan.id == ActionItem.plan_id)
            .where(KeyAccountPlan.state == "approved"))
    if sub is not None:
        stmt = stmt.outerjoin(sub, sub.c.customer_id == ActionItem.customer_id)
    return stmt


def plan_actions_on_time_query(env: Env, dimensions: Sequence[str]) -> Select:
    """The same rows, only the actions done on or before their due date."""
    return plan_actions_query(env, dimensions).where(
        ActionItem.done.is_(True), ActionItem.done_on.is_not(None), ActionItem.done_on <= ActionItem.due_date)


_PLAN_DIMENSIONS = (
    Dimension("salesperson", _l("Salesperson"), model=Employee),
    Dimension("customer", _l("Customer"), model=Customer),
    Dimension("territory", _l("Territory"), model="territories_territory", requires="territories"),
)

MEASURES = [
    Measure(
        name="crm_cards.customers",
        label=_l("Customers by class"),
        description=_l("Active customers by class, and by territory where territories are used."),
        kind="count",
        aggregate="count",
        query=customers_query,
        dimensions=(
            Dimension("class", _l("Customer class"), choices=CLASS_LABELS),
            Dimension("territory", _l("Territory"), model="territories_territory", requires="territories"),
            Dimension("region", _l("Region"), model="territories_territory", requires="territories"),
        ),
    ),
    Measure(
        name="crm_cards.monthly_cards",
        label=_l("Monthly cards"),
        description=_l("Customer monthly cards written, by month."),
        kind="count",
        aggregate="count",
        query=monthly_cards_query,
        dimensions=(
            Dimension("salesperson", _l("Salesperson"), model=Employee),
            Dimension("customer", _l("Customer"), model=Customer),
            Dimension("state", _l("State"), choices=MONTHLY_STATE),
        ),
        period="month",
        grains=("month", "quarter", "year"),
    ),
    Measure(
        name="crm_cards.plan_actions_due",
        label=_l("Key-account plan actions due"),
        description=_l("Actions of approved key-account plans due in the period, by due date."),
        kind="count",
        aggregate="count",
        query=plan_actions_query,
        dimensions=_PLAN_DIMENSIONS,
        period="due_date",
        grains=("day", "month", "quarter", "year"),
    ),
    Measure(
        name="crm_cards.plan_actions_on_time",
        label=_l("Key-account plan actions done on time"),
        description=_l("Actions of approved key-account plans due in the period and done on or before their "
                       "date (execution rate = on time / due)."),
        kind="count",
        aggregate="count",
        query=plan_actions_on_time_query,
        dimensions=_PLAN_DIMENSIONS,
        period="due_date",
        grains=("day", "month", "quarter", "year"),
    ),
]
