"""Measures of the sales planning addon (``tixi_measures``).

* ``sales_planning.sales_amount`` / ``sales_quantity`` / ``gross_profit``: the
  imported sales lines, attributed as of their date (returns net); backed by
  the monthly summary when the request fits it (territory, salesperson and
  product, by month or coarser).
* ``sales_planning.new_customers``: customers first sold to in the period,
  for the territory and salesperson of that first sale (new-customer targets);
* ``sales_planning.target_amount``: the company targets in force (approved);
  ``sales_planning.plan_amount``: the territory plans in force — what KPIs and
  scorecards compare against;
* ``sales_planning.forecast_amount``: the latest rolling forecasts.

Built on ``env.select``: a salesperson gets their own lines, a territory
manager their territories', the director everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func
from sqlalchemy.orm import aliased

from addons.masterdata.models import SETTLEMENT_METHOD, Customer, Employee, Product
from core.i18n import _l
from core.measures import Dimension, Measure, Summary, fact_columns

from .models import Cell, Forecast, Plan, PlanType, Sale, SaleMonth, SaleTerritoryMonth

if TYPE_CHECKING:
    from sqlalchemy import Select

    from core.security.env import Env

CUSTOMER = Dimension("customer", _l("Customer"), model=Customer)
PRODUCT = Dimension("product", _l("Product variety"), model=Product)
SALESPERSON = Dimension("salesperson", _l("Salesperson"), model=Employee)
TERRITORY = Dimension("territory", _l("Territory"), model="territories_territory")
SETTLEMENT = Dimension("settlement", _l("Settlement method"), choices=SETTLEMENT_METHOD)
DIMS = (CUSTOMER, PRODUCT, SALESPERSON, TERRITORY, SETTLEMENT)

_SALE = {"customer": Sale.customer_id, "product": Sale.product_id, "salesperson": Sale.salesperson_id,
         "territory": Sale.territory_id, "settlement": Sale.settlement}
_MONTH = {"product": SaleMonth.product_id, "salesperson": SaleMonth.salesperson_id,
          "territory": SaleMonth.territory_id}
_CELL = {"customer": Cell.customer_id, "product": Cell.product_id, "salesperson": Cell.salesperson_id,
         "territory": Cell.territory_id, "settlement": Cell.settlement}
SUMMARY_DIMS = tuple(_MONTH)
_TERRITORY_MONTH = {"product": SaleTerritoryMonth.product_id, "territory": SaleTerritoryMonth.territory_id}


def _sales(column: str) -> tuple[Any, Summary, Summary]:
    """The raw query of a sales figure, its fine summary and its coarse one (territory x product)."""
    def query(env: Env, dimensions: Sequence[str]) -> Select:
        return env.select(Sale, "read", *fact_columns(getattr(Sale, column), Sale.sale_date, _SALE, dimensions))

    def summary(env: Env, dimensions: Sequence[str]) -> Select:
        return env.select(SaleMonth, "read", *fact_columns(getattr(SaleMonth, column), SaleMonth.month, _MONTH,
                                                            dimensions))

    def coarse(env: Env, dimensions: Sequence[str]) -> Select:
        return env.select(SaleTerritoryMonth, "read", *fact_columns(
            getattr(SaleTerritoryMonth, column), SaleTerritoryMonth.month, _TERRITORY_MONTH, dimensions))

    return (query, Summary(SaleMonth.__tablename__, SUMMARY_DIMS, summary, grain="month"),
            Summary(SaleTerritoryMonth.__tablename__, tuple(_TERRITORY_MONTH), coarse, grain="month",
                    unrestricted_only=True))


def _planned(level: str) -> Any:
    def query(env: Env, dimensions: Sequence[str]) -> Select:
        return (
            env.select(Cell, "read", *fact_columns(Cell.amount, Cell.period, _CELL, dimensions))
            .join(Plan, Plan.id == Cell.plan_id)
            .join(PlanType, PlanType.id == Plan.plan_type_id)
            .where(Plan.in_force.is_(True), PlanType.level == level, PlanType.metric == "sales")
        )

    return query


_FORECAST = {"customer": Forecast.customer_id, "product": Forecast.product_id,
             "salesperson": Forecast.salesperson_id}


def _forecast(env: Env, dimensions: Sequence[str]) -> Select:
    """The latest forecast of each salesperson x customer x product x month."""
    later = aliased(Forecast)
    newer = exists().where(and_(
        later.company_id == Forecast.company_id, later.salesperson_id == Forecast.salesperson_id,
        later.customer_id == Forecast.customer_id, later.month == Forecast.month, later.made_in > Forecast.made_in,
        (later.product_id == Forecast.product_id) | (later.product_id.is_(None) & Forecast.product_id.is_(None))))
    return env.select(Forecast, "read", *fact_columns(Forecast.amount, Forecast.month, _FORECAST, dimensions)).where(
        ~newer)


def _new_customers(env: Env, dimensions: Sequence[str]) -> Select:
    """The lines of each customer's first sale day (a customer counts once, on that day, as of its attribution).

    A customer is *new* in the period holding its first sold line (amount > 0,
    returns do not count) in the whole company; it counts for the territory and
    salesperson of that line (the territory of the sale's date), once per
    distinct value of the dimensions asked for.
    """
    # sudo: the day a customer was first sold to is the company's fact, not a figure of whoever sold it;
    # only that date is read past the rules, the lines counted are the user's own (env.select below)
    first = (env.sudo().select(Sale, Sale.customer_id.label("customer_id"), func.min(Sale.sale_date).label("day"))
             .where(Sale.amount > 0).group_by(Sale.customer_id).subquery())
    return (env.select(Sale, "read", *fact_columns(Sale.customer_id, Sale.sale_date, _SALE, dimensions))
            .join(first, and_(first.c.customer_id == Sale.customer_id, first.c.day == Sale.sale_date))
            .where(Sale.amount > 0))


_amount_q, _amount_s, _amount_c = _sales("amount")
_qty_q, _qty_s, _qty_c = _sales("quantity")
_gp_q, _gp_s, _gp_c = _sales("gross_profit")

MEASURES = [
    Measure(name="sales_planning.sales_amount", label=_l("Sales (imported)"), kind="money", unit="currency",
            description=_l("Imported sales lines, returns netted, by the territory and salesperson of the sale's date."),
            query=_amount_q, dimensions=DIMS, period="sale_date", summary=_amount_s,
            summaries=(_amount_c,)),
    Measure(name="sales_planning.sales_quantity", label=_l("Quantity sold (imported)"), kind="quantity", scale=3,
            description=_l("Quantities of the imported sales lines, returns netted."),
            query=_qty_q, dimensions=DIMS, period="sale_date", summary=_qty_s,
            summaries=(_qty_c,)),
    Measure(name="sales_planning.gross_profit", label=_l("Gross profit (imported)"), kind="money", unit="currency",
            description=_l("Gross profit of the imported sales lines, where the file gives it."),
            query=_gp_q, dimensions=DIMS, period="sale_date", summary=_gp_s,
            summaries=(_gp_c,)),
    Measure(name="sales_planning.new_customers", label=_l("New customers (first sold)"), kind="count",
            aggregate="count_distinct", unit=None,
            description=_l("Customers first sold to in the period (imported lines), by the territory and salesperson "
                           "of that first sale."),
            query=_new_customers, dimensions=DIMS, period="sale_date"),
    Measure(name="sales_planning.target_amount", label=_l("Sales target"), kind="money", unit="currency",
            description=_l("The approved company sales targets in force, by territory and month."),
            query=_planned("company"), dimensions=DIMS, period="period", grains=("month", "quarter", "year")),
    Measure(name="sales_planning.plan_amount", label=_l("Planned sales"), kind="money", unit="currency",
            description=_l("The approved territory sales plans in force, by customer, salesperson, product and month."),
            query=_planned("territory"), dimensions=DIMS, period="period", grains=("month", "quarter", "year")),
    Measure(name="sales_planning.forecast_amount", label=_l("Sales forecast"), kind="money", unit="currency",
            description=_l("The salespeople's latest rolling forecasts for the next three months."),
            query=_forecast, dimensions=(CUSTOMER, PRODUCT, SALESPERSON), period="month",
            grains=("month", "quarter", "year")),
]
