"""Measures of field activity (``tixi_measures``), built on ``env.select`` (the rules apply).

* ``field_activity.visits``: visits, over the visit date (grain ``day``: visits per day);
* ``field_activity.flagged_checkins``: check-ins beyond the company's radius;
* ``field_activity.visit_orders``: order amount taken on visits (orders per visit with ``visits``);
* ``field_activity.reports_submitted`` and ``field_activity.reports_on_time``: daily reports
  submitted, and submitted before the cut-off (report punctuality = on time / submitted);
* ``field_activity.visit_minutes`` and ``field_activity.timed_visits``: minutes from check-in to
  check-out, and the visits that have both (time per visit = minutes / timed visits);
* ``field_activity.report_expenses``: expenses of submitted daily reports (cost per visit with ``visits``);
* ``field_activity.competitor_records``: competitor products recorded (竞争产品分析);
* ``field_activity.forecast_amount`` and ``field_activity.forecast_quantity``: the rolling
  forecast, over its month (the shared contract read by sales_planning).

``territory`` is the territory of the customer on the date of the fact, stamped on the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer, Employee, Product
from core.i18n import _l
from core.measures import Dimension, Measure, fact_columns

from .models import CompetitorRecord, DailyReport, Forecast, Visit

if TYPE_CHECKING:
    from core.security.env import Env

CUSTOMER = Dimension("customer", _l("Customer"), model=Customer)
PRODUCT = Dimension("product", _l("Product variety"), model=Product)
SALESPERSON = Dimension("salesperson", _l("Salesperson"), model=Employee)
TERRITORY = Dimension("territory", _l("Territory"), model="territories_territory", requires="territories")

_VISIT = {"customer": Visit.customer_id, "salesperson": Visit.salesperson_id, "territory": Visit.territory_id}
_REPORT = {"salesperson": DailyReport.salesperson_id}
_FORECAST = {"customer": Forecast.customer_id, "product": Forecast.product_id,
             "salesperson": Forecast.salesperson_id, "territory": Forecast.territory_id}


def visits_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per visit."""
    return env.select(Visit, "read", *fact_columns(Visit.id, Visit.visit_date, _VISIT, dimensions))


def flagged_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per flagged check-in."""
    return visits_query(env, dimensions).where(Visit.flagged.is_(True))


def visit_orders_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per visit, ``value`` = the order amount taken."""
    return env.select(Visit, "read", *fact_columns(Visit.order_amount, Visit.visit_date, _VISIT, dimensions))


def reports_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per submitted daily report."""
    return env.select(DailyReport, "read", *fact_columns(DailyReport.id, DailyReport.report_date, _REPORT,
                                                         dimensions)).where(DailyReport.state == "submitted")


def on_time_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per daily report submitted before the cut-off."""
    return reports_query(env, dimensions).where(DailyReport.on_time.is_(True))


def minutes_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per visit with a check-out, ``value`` = minutes from check-in to check-out."""
    return env.select(Visit, "read", *fact_columns(Visit.duration_min, Visit.visit_date, _VISIT, dimensions)).where(
        Visit.duration_min.is_not(None))


def timed_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per visit with a check-out."""
    return visits_query(env, dimensions).where(Visit.duration_min.is_not(None))


def expenses_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per submitted daily report, ``value`` = its expenses."""
    return env.select(DailyReport, "read", *fact_columns(DailyReport.expenses_amount, DailyReport.report_date,
                                                         _REPORT, dimensions)).where(DailyReport.state == "submitted")


_COMPETITOR = {"customer": CompetitorRecord.customer_id, "product": CompetitorRecord.product_id,
               "salesperson": CompetitorRecord.salesperson_id, "territory": CompetitorRecord.territory_id}


def competitor_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per competitor record."""
    return env.select(CompetitorRecord, "read", *fact_columns(CompetitorRecord.id, CompetitorRecord.record_date,
                                                              _COMPETITOR, dimensions))


def forecast_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per forecast row, ``value`` = its amount, ``period`` = its month."""
    return env.select(Forecast, "read", *fact_columns(Forecast.amount, Forecast.month, _FORECAST, dimensions))


def forecast_quantity_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per forecast row, ``value`` = its quantity."""
    return env.select(Forecast, "read", *fact_columns(Forecast.quantity, Forecast.month, _FORECAST, dimensions))


_VISIT_DIMS = (CUSTOMER, SALESPERSON, TERRITORY)

MEASURES = [
    Measure(name="field_activity.visits", label=_l("Visits"), kind="count", aggregate="count",
            description=_l("Visits recorded, by visit date (by day: visits per day)."),
            query=visits_query, dimensions=_VISIT_DIMS, period="visit_date"),
    Measure(name="field_activity.flagged_checkins", label=_l("Flagged check-ins"), kind="count", aggregate="count",
            description=_l("Check-ins farther from the customer than the company's radius."),
            query=flagged_query, dimensions=_VISIT_DIMS, period="visit_date"),
    Measure(name="field_activity.visit_orders", label=_l("Orders taken on visits"), kind="money", unit="currency",
            description=_l("Order amount recorded on visits, by visit date."),
            query=visit_orders_query, dimensions=_VISIT_DIMS, period="visit_date"),
    Measure(name="field_activity.visit_minutes", label=_l("Minutes on visits"), kind="quantity", scale=0,
            unit="min", description=_l("Minutes from check-in to check-out (time per visit = minutes / timed visits)."),
            query=minutes_query, dimensions=_VISIT_DIMS, period="visit_date"),
    Measure(name="field_activity.timed_visits", label=_l("Visits with a check-out"), kind="count", aggregate="count",
            description=_l("Visits with both a check-in and a check-out."),
            query=timed_query, dimensions=_VISIT_DIMS, period="visit_date"),
    Measure(name="field_activity.report_expenses", label=_l("Expenses in daily reports"), kind="money",
            unit="currency", description=_l("Expenses of submitted daily reports, by report day (cost per visit "
                                            "with the visits)."),
            query=expenses_query, dimensions=(SALESPERSON,), period="report_date"),
    Measure(name="field_activity.competitor_records", label=_l("Competitor records"), kind="count",
            aggregate="count", description=_l("Competitor products recorded at customers."),
            query=competitor_query, dimensions=(CUSTOMER, PRODUCT, SALESPERSON, TERRITORY), period="record_date"),
    Measure(name="field_activity.reports_submitted", label=_l("Daily reports submitted"), kind="count",
            aggregate="count", description=_l("Daily sales reports submitted, by report day."),
            query=reports_query, dimensions=(SALESPERSON,), period="report_date"),
    Measure(name="field_activity.reports_on_time", label=_l("Daily reports on time"), kind="count",
            aggregate="count", description=_l("Daily sales reports submitted before the company's cut-off."),
            query=on_time_query, dimensions=(SALESPERSON,), period="report_date"),
    Measure(name="field_activity.forecast_amount", label=_l("Forecast amount"), kind="money", unit="currency",
            description=_l("Rolling sales forecast per customer and product, by month."),
            query=forecast_query, dimensions=(CUSTOMER, PRODUCT, SALESPERSON, TERRITORY), period="month",
            grains=("month", "quarter", "year")),
    Measure(name="field_activity.forecast_quantity", label=_l("Forecast quantity"), kind="quantity", scale=3,
            description=_l("Rolling sales forecast quantity per customer and product, by month."),
            query=forecast_quantity_query, dimensions=(CUSTOMER, PRODUCT, SALESPERSON, TERRITORY), period="month",
            grains=("month", "quarter", "year")),
]
