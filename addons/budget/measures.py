"""Measures of budget execution (``tixi_measures``), for KPIs and dashboards.

* ``budget.amount``: the approved budgets' phased amounts (by month), approved supplements
  added in the month they were decided;
* ``budget.committed``: approved expense requests not used by a claim yet (period: the date needed);
* ``budget.spent``: submitted, approved and paid claims (period: the expense date);
* ``budget.supplement``: approved supplementary budgets (period: the decision date);
* ``budget.claims``: how many claims were filed (any state but draft).

Dimensions: ``territory`` (the budget's territory, requires territories), ``category``,
``budget`` (the owner's budget), ``owner_kind``, ``owner`` (the person answerable for the
budget), ``manager`` (the manager of the budget's territory), and for commitments and spend
``salesperson`` (the employee who requested or claimed). Budget execution per person for KPIs:
``budget.spent`` over ``budget.amount`` with the person dimension ``owner`` (or ``manager``) —
kpi's ratio KPI (``ratio_measure``, ``person_dimension``). Built on ``env.select``: a salesperson's
``budget.spent`` covers the claims they may read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import literal

from addons.masterdata.models import Employee
from addons.territories.models import Territory
from core.i18n import _l
from core.measures import Dimension, Measure

from .models import OWNER_KIND, Budget, Category, Claim, ExpenseRequest, Line, Phase, Supplement

if TYPE_CHECKING:
    from sqlalchemy import Select

    from core.security.env import Env

TERRITORY = Dimension("territory", _l("Territory"), model="territories_territory", requires="territories")
CATEGORY = Dimension("category", _l("Expense category"), model=Category)
BUDGET = Dimension("budget", _l("Budget"), model=Budget)
OWNER = Dimension("owner_kind", _l("Owner"), choices=OWNER_KIND)
SALESPERSON = Dimension("salesperson", _l("Salesperson"), model=Employee)
OWNER_PERSON = Dimension("owner", _l("Person answerable"), model=Employee)
MANAGER = Dimension("manager", _l("Territory manager"), model=Employee)
HEAD = {"territory": Budget.territory_id, "category": Line.category_id, "budget": Budget.id,
        "owner_kind": Budget.owner_kind, "owner": Budget.owner_id, "manager": Territory.manager_id}


def _manager_join(stmt: Select, dimensions: Sequence[str]) -> Select:
    """The budget's territory, for its manager (only when asked for)."""
    if "manager" in dimensions:
        return stmt.outerjoin(Territory, Territory.id == Budget.territory_id)
    return stmt


def _cols(value: Any, period: Any, dimensions: Sequence[str], person: Any = None) -> list[Any]:
    cols = [value.label("value"), period.label("period")]
    for d in dimensions:
        if d == "salesperson":
            cols.append((person if person is not None else literal(None)).label(d))
        else:
            cols.append(HEAD[d].label(d))
    return cols


def amount_query(env: Env, dimensions: Sequence[str]) -> Select:
    """Phased amounts of approved budgets, by month."""
    return _manager_join(env.select(Phase, "read", *_cols(Phase.amount, Phase.month, dimensions))
                         .join(Line, Line.id == Phase.line_id).join(Budget, Budget.id == Line.budget_id)
                         .where(Budget.state == "approved"), dimensions)


def _on_line(model: Any, value: Any, period: Any, states: Sequence[str]) -> Any:
    def query(env: Env, dimensions: Sequence[str]) -> Select:
        return _manager_join(env.select(model, "read", *_cols(value, period, dimensions, model.employee_id))
                             .join(Line, Line.id == model.line_id).join(Budget, Budget.id == Line.budget_id)
                             .where(model.state.in_(states)), dimensions)

    return query


def count_query(env: Env, dimensions: Sequence[str]) -> Select:
    """One row per claim filed."""
    return _manager_join(env.select(Claim, "read", *_cols(Claim.id, Claim.expense_date, dimensions,
                                                            Claim.employee_id))
                         .join(Line, Line.id == Claim.line_id).join(Budget, Budget.id == Line.budget_id)
                         .where(Claim.state != "draft"), dimensions)


BASE = (TERRITORY, CATEGORY, BUDGET, OWNER, OWNER_PERSON, MANAGER)
MEASURES = [
    Measure(name="budget.amount", label=_l("Budget"), kind="money", unit="currency",
            description=_l("Approved annual budgets, phased by month."),
            query=amount_query, dimensions=BASE, period="month", grains=("month", "quarter", "year")),
    Measure(name="budget.committed", label=_l("Committed"), kind="money", unit="currency",
            description=_l("Approved expense requests not yet used by a claim."),
            query=_on_line(ExpenseRequest, ExpenseRequest.amount, ExpenseRequest.needed_on, ("approved",)),
            dimensions=BASE + (SALESPERSON,), period="needed_on"),
    Measure(name="budget.spent", label=_l("Spent"), kind="money", unit="currency",
            description=_l("Expense claims submitted, approved or paid, by expense date."),
            query=_on_line(Claim, Claim.amount, Claim.expense_date, ("submitted", "approved", "paid")),
            dimensions=BASE + (SALESPERSON,), period="expense_date"),
    Measure(name="budget.supplement", label=_l("Supplementary budget"), kind="money", unit="currency",
            description=_l("Approved supplementary budgets, by decision date."),
            query=_on_line(Supplement, Supplement.amount, Supplement.decided_on, ("approved",)),
            dimensions=BASE + (SALESPERSON,), period="decided_on"),
    Measure(name="budget.claims", label=_l("Expense claims filed"), kind="count", aggregate="count",
            description=_l("Expense claims submitted (any state but draft)."),
            query=count_query, dimensions=BASE + (SALESPERSON,), period="expense_date"),
]
