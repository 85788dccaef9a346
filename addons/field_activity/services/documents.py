"""The salesperson's written reports: the monthly work summary (月度工作总结) with next month's key
points, the market inspection report (市场巡视工作报告) and competitor records (竞争产品分析);
and what a visit brings back about the customer (target-customer information, competitors).

Every function checks its input first (a clear message, nothing written) and
writes through ``env`` (the record rules apply: own, reporting line, all).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from addons.masterdata.models import Customer, Product
from core.db import utcnow
from core.errors import ValidationError
from core.i18n import _

from ..models import CompetitorRecord, DailyReport, MarketInspection, MonthSummary, Visit
from .common import (
    ConflictError,
    local_today,
    parse_date,
    parse_money,
    require_me,
    salesperson_in_reach,
    territory_on,
    text,
)
from .plans import month_end, month_start

if TYPE_CHECKING:
    from core.security.env import Env

#: the customer fields a visit may update (目标客户基本信息情况统计表: what the salesperson learnt)
TARGET_FIELDS = ("address", "industry", "size", "province", "city", "notes")


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)


# ----- the monthly work summary ---------------------------------------------------------------
def month_facts(env: Env, salesperson_id: int, month: dt.date) -> dict[str, Any]:
    """The month's figures the summary starts from: visits, customers visited, flagged check-ins,
    daily reports (on time), orders taken on visits."""
    start, end = month_start(month), month_end(month_start(month))
    n, customers, flagged, orders = env.execute(
        env.select(Visit, "read", func.count(Visit.id), func.count(func.distinct(Visit.customer_id)),
                   func.count(Visit.id).filter(Visit.flagged.is_(True)), func.sum(Visit.order_amount))
        .where(Visit.salesperson_id == salesperson_id, Visit.visit_date >= start, Visit.visit_date < end)).one()
    reports, on_time = env.execute(
        env.select(DailyReport, "read", func.count(DailyReport.id),
                   func.count(DailyReport.id).filter(DailyReport.on_time.is_(True)))
        .where(DailyReport.salesperson_id == salesperson_id, DailyReport.state == "submitted",
               DailyReport.report_date >= start, DailyReport.report_date < end)).one()
    return {"visits": n or 0, "customers": customers or 0, "flagged": flagged or 0,
            "orders": Decimal(orders or 0), "reports": reports or 0, "on_time": on_time or 0}


def month_summary(env: Env, salesperson_id: int, month: dt.date) -> MonthSummary | None:
    """The person's summary of ``month`` (None when not written yet)."""
    return env.scalar(env.select(MonthSummary).where(MonthSummary.salesperson_id == salesperson_id,
                                                     MonthSummary.month == month_start(month)))


def save_month_summary(env: Env, values: Mapping[str, Any], submit: bool = False) -> MonthSummary:
    """Write (and with ``submit`` hand in) the user's summary of a month: what was done, the
    problems, next month's key points (required to submit). A submitted summary is not changed."""
    emp = require_me(env)
    sp = int(values.get("salesperson_id") or emp.id)
    if sp != emp.id:
        salesperson_in_reach(env, sp)
    errors: dict[str, str] = {}
    month = parse_date(values.get("month"), "month")
    if month is None:
        errors["month"] = _("Enter the date as YYYY-MM-DD.")
    elif month_start(month) > month_start(local_today(env)):
        errors["month"] = _("A monthly summary is for this month or a past month.")
    summary, problems, key_points = text(values.get("summary")), text(values.get("problems")), \
        text(values.get("next_key_points"))
    if submit and not key_points:
        errors["next_key_points"] = _("Give next month's key points before submitting the summary.")
    _raise(errors)
    row = month_summary(env, sp, month)
    if row is not None and row.state == "submitted":
        # a conflict (the offline queue shows it to the user and keeps the entry): nothing is overwritten
        raise ConflictError(_("This summary was already submitted: it cannot be changed now."))
    data: dict[str, Any] = {"summary": summary, "problems": problems, "next_key_points": key_points}
    if values.get("client_key"):
        data["client_key"] = str(values["client_key"])[:64]
    if submit:
        data.update(state="submitted", submitted_at=utcnow())
    if row is None:
        return env.create(MonthSummary, {"salesperson_id": sp, "month": month_start(month), **data})
    env.write(row, data)
    return row


# ----- the market inspection report -------------------------------------------------------------
def save_inspection(env: Env, values: Mapping[str, Any], record: MarketInspection | None = None) -> MarketInspection:
    """A market inspection report: the area toured over dates (not in the future), what was seen."""
    emp = require_me(env)
    errors: dict[str, str] = {}
    start, end = parse_date(values.get("date_from"), "date_from"), parse_date(values.get("date_to"), "date_to")
    if start is None:
        errors["date_from"] = _("This field is required.")
    end = end or start
    if start and end and end < start:
        errors["date_to"] = _("The end date cannot be before the start date.")
    if end and end > local_today(env):
        errors["date_to"] = _("A report cannot be dated in the future.")
    area = text(values.get("area"), 200)
    if not area:
        errors["area"] = _("Name the area inspected.")
    _raise(errors)
    data = {"date_from": start, "date_to": end, "area": area,
            **{k: text(values.get(k)) for k in ("customers_seen", "market_situation", "competitor_activity",
                                                   "problems", "suggestions")}}
    if values.get("territory_id") not in (None, ""):
        data["territory_id"] = int(values["territory_id"])
    if record is not None:
        env.write(record, data)
        return record
    if values.get("client_key"):
        data["client_key"] = str(values["client_key"])[:64]
    return env.create(MarketInspection, {"salesperson_id": emp.id, **data})


# ----- competitor records -----------------------------------------------------------------------
def clean_competitor(env: Env, values: Mapping[str, Any]) -> dict[str, Any]:
    """Checked values of a competitor record (a clear message per field, nothing written)."""
    errors: dict[str, str] = {}
    competitor = text(values.get("competitor"), 200)
    if not competitor:
        errors["competitor"] = _("Name the competitor.")
    day = parse_date(values.get("record_date"), "record_date") or local_today(env)
    if day > local_today(env):
        errors["record_date"] = _("A report cannot be dated in the future.")
    prices = {}
    for key in ("competitor_price", "our_price"):
        try:
            prices[key] = parse_money(values.get(key), key) if values.get(key) not in (None, "") else None
        except ValidationError as exc:
            errors[key] = str(exc)
    share = None
    if values.get("market_share") not in (None, ""):
        try:
            share = parse_money(values.get("market_share"), "market_share")
        except ValidationError:
            share = Decimal("-1")
        if share > 100 or share < 0:
            errors["market_share"] = _("The market share is a percentage between 0 and 100.")
    customer_id = int(values["customer_id"]) if values.get("customer_id") not in (None, "") else None
    if customer_id is not None and env.scalar(env.select(Customer, "read", Customer.id)
                                              .where(Customer.id == customer_id)) is None:
        errors["customer_id"] = _("Choose customers you may see.")
    product_id = int(values["product_id"]) if values.get("product_id") not in (None, "") else None
    if product_id is not None and env.sudo().get(Product, product_id) is None:
        errors["product_id"] = _("Choose a product.")
    _raise(errors)
    return {"competitor": competitor, "record_date": day, "customer_id": customer_id, "product_id": product_id,
            "competitor_product": text(values.get("competitor_product"), 200), "market_share": share,
            "strengths": text(values.get("strengths")), "weaknesses": text(values.get("weaknesses")),
            "countermeasures": text(values.get("countermeasures")), **prices,
            "territory_id": territory_on(env, customer_id, day) if customer_id else None}


def save_competitor(env: Env, values: Mapping[str, Any], visit: Visit | None = None) -> CompetitorRecord:
    """Record a competitor product seen (from ``visit``: its customer, day and salesperson)."""
    if visit is not None:
        values = {**values, "customer_id": visit.customer_id, "record_date": visit.visit_date.isoformat()}
    data = clean_competitor(env, values)
    sp = visit.salesperson_id if visit is not None else require_me(env).id
    if values.get("client_key"):
        data["client_key"] = str(values["client_key"])[:64]
    return env.create(CompetitorRecord, {"salesperson_id": sp, "visit_id": visit.id if visit else None, **data})


def update_from_visit(env: Env, visit: Visit, customer: Mapping[str, Any] | None = None,
                      competitors: list[Mapping[str, Any]] | tuple = ()) -> dict[str, Any]:
    """What a visit brings back: the target customer's basic information (目标客户基本信息情况统计表:
    address, industry, size, province, city, notes; written to the masterdata customer with the
    user's rights, audited) and competitor records; all checked first, then all or nothing."""
    env.get(Visit, visit.id)  # the user reaches the visit
    changes = {k: text(v, 300 if k == "address" else None) for k, v in (customer or {}).items() if k in TARGET_FIELDS}
    unknown = set(customer or {}) - set(TARGET_FIELDS)
    if unknown:
        raise ValidationError(_("These customer fields cannot be changed from a visit: %(fields)s.",
                                fields=", ".join(sorted(unknown))))
    if changes.get("size") and changes["size"] not in ("small", "medium", "large"):
        raise ValidationError(_("Not a valid choice."), {"size": _("Not a valid choice.")})
    cleaned = [clean_competitor(env, {**c, "customer_id": visit.customer_id,
                                      "record_date": visit.visit_date.isoformat()}) for c in competitors]
    with env.session.begin_nested():
        if changes:
            record = env.get(Customer, visit.customer_id, "write")
            env.write(record, {k: v for k, v in changes.items() if v != getattr(record, k)})
        rows = [env.create(CompetitorRecord, {"salesperson_id": visit.salesperson_id, "visit_id": visit.id, **c})
                for c in cleaned]
    return {"customer": sorted(changes), "competitors": rows}
