"""The target customer basic information report (目标客户基本信息情况统计表) on the report centre.

``crm_cards.target_customers``: one row per active customer the user may read
(``env.select``: a salesperson gets the customers they own, a territory
manager those of their territory subtree, the director the company's): class
A/B/C/D, key-account flag, current territory, salesperson (the owner),
development stage and since when, the key figures of the profile card over
the period (monthly cards: sales plan, sales, completion, collections, the
latest overdue amount and enthusiasm), the credit limit, and, when the
company enabled field_activity, the visits of the period and the last visit
on or before the period's end (the kernel measure ``field_activity.visits``
read by name; no import of that addon).

Filterable by period, territory (the customer's current territory and the
ones below it, within the user's reach: the territories they manage or work
in; the director, GM and marketing admin reach all — another one is refused
with a message), salesperson and class. Sorted by class (A first), then
name; ``top`` keeps the first 200/1000/5000 rows (cut in SQL), so the page
stays bounded for a director of 100,000 customers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from addons.masterdata.models import Customer, Employee
from core.i18n import _, _l, current_lang
from core.reports import Column, Link, Report
from core.reports.params import ChoiceField, PeriodParams, RecordField

from .models import CLASS_CODES, CLASS_LABELS, CustomerProfile, DevelopmentStage, MonthlyCard

if TYPE_CHECKING:
    from core.security.env import Env

ZERO = Decimal("0")
CENT = Decimal("0.01")
#: roles that reach every territory of the company
ALL_TERRITORIES = ("core.group_director", "core.group_general_manager", "core.group_marketing_admin")
#: how far back the last visit is looked for, before the period's end (days)
LAST_VISIT_DAYS = 730
TOPS = ("200", "1000", "5000")
#: up to this many readable customers the page is one query sorted by class and name; above, one per class
SORT_IN_ONE = 5000


def reachable_territories(env: Env) -> set[int] | None:
    """Territories the user may filter on (``None``: all): see ``addons.territories.services.reachable_territories``."""
    from addons.territories.services import reachable_territories as reach

    return reach(env, ALL_TERRITORIES)


class TargetParams(PeriodParams):
    """Period, territory (when territories is enabled, within the user's reach), salesperson, class, rows shown."""

    territory = RecordField(_l("Territory"), model="territories_territory", requires="territories")
    salesperson = RecordField(_l("Salesperson"), model="masterdata_employee")
    customer_class = ChoiceField(_l("Customer class"), choices=[("", _l("All")), *[(k, CLASS_LABELS[k]) for k in CLASS_CODES],
                                                                 ("none", _l("Not classified"))], default="")
    top = ChoiceField(_l("Show"), choices=[("200", _l("The first 200")), ("1000", _l("The first 1000")),
                                           ("5000", _l("The first 5000"))], default="200")

    def check(self, env: Env) -> None:
        """The period (kernel) and a territory the user reaches."""
        super().check(env)
        field = self._fields.get("territory")
        if field is not None and field.data:
            reach = reachable_territories(env)
            if reach is not None and field.data not in reach:
                self.add_error("territory", _("This territory is outside your reach."))


def _current_territory(env: Env) -> Any:
    """Sub-query ``(customer_id, territory_id)``: each customer's current territory."""
    from addons.territories.models import CustomerTerritory

    return (select(CustomerTerritory.customer_id.label("customer_id"),
                   CustomerTerritory.territory_id.label("territory_id"))
            .where(CustomerTerritory.date_to.is_(None), CustomerTerritory.company_id == env.company_id).subquery())


def _more_than(env: Env, n: int) -> bool:
    """Whether the user reads more than ``n`` active customers (counts at most ``n + 1``)."""
    some = env.select(Customer, "read", Customer.id).where(Customer.active.is_(True)).limit(n + 1).subquery()
    return env.scalar(select(func.count()).select_from(some)) > n


def _customers(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The page of customers: identity, owner, profile, territory (class by class, sorted and cut in SQL)."""
    prof = CustomerProfile
    cols: list[Any] = [Customer.id, Customer.name_zh, Customer.name_en, Customer.owner_id, Customer.credit_limit,
                       prof.class_code, prof.is_key_account, prof.stage_id, prof.stage_since]
    terr = None
    if "territories" in env.enabled:
        terr = _current_territory(env)
        cols.append(terr.c.territory_id)
    # the profile is one row per customer and follows its customer's rules (in the WHERE)
    stmt = (env.select(Customer, "read", *cols).outerjoin(prof, prof.customer_id == Customer.id)
            .where(Customer.active.is_(True)))
    if terr is not None:
        stmt = stmt.outerjoin(terr, terr.c.customer_id == Customer.id)
        if p.get("territory"):
            from addons.territories.services import subtree_query

            stmt = stmt.where(terr.c.territory_id.in_(subtree_query([p["territory"]])))
    if p.get("salesperson"):
        stmt = stmt.where(Customer.owner_id == p["salesperson"])
    wanted = p.get("customer_class")
    if wanted:
        stmt = stmt.where(prof.class_code.is_(None) if wanted == "none" else prof.class_code == wanted)
    left = int(p.get("top") or TOPS[0])
    order = (Customer.name_zh, Customer.id)
    pages = [stmt.order_by(prof.class_code.asc().nulls_last(), *order)]
    if not wanted and _more_than(env, SORT_IN_ONE):
        # many customers (a director's 100,000): one query per class, A first, each by name and cut in SQL,
        # so the database walks the customers' name index and stops at the page instead of sorting them all
        pages = [stmt.where(prof.class_code.is_(None) if code is None else prof.class_code == code).order_by(*order)
                 for code in (*CLASS_CODES, None)]
    out: list[dict[str, Any]] = []
    for page in pages:
        if left <= 0:
            break
        for row in env.execute(page.limit(left)):
            cid, zh, en, owner, limit, klass, key, stage, since = row[:9]
            out.append({"customer_id": cid, "name_zh": zh, "name_en": en, "owner_id": owner,
                        "credit_limit": Decimal(limit or ZERO).quantize(CENT), "class_code": klass,
                        "is_key_account": bool(key), "stage_id": stage, "stage_since": since,
                        "territory_id": row[9] if terr is not None else None})
            left -= 1
    return out


def _card_figures(env: Env, ids: list[int], start: dt.date, end: dt.date) -> dict[int, dict[str, Any]]:
    """Per customer, over the monthly cards of the period's months: plan, sales, collections, latest overdue."""
    if not ids:
        return {}
    mc = MonthlyCard
    stmt = env.select(mc, "read", mc.customer_id, mc.month, mc.sales_plan, mc.sales_actual, mc.collections,
                      mc.overdue_amount, mc.enthusiasm).where(
        mc.customer_id.in_(ids), mc.month >= start.replace(day=1), mc.month <= end)
    out: dict[int, dict[str, Any]] = {}
    for cid, month, plan, actual, coll, overdue, enthusiasm in env.execute(stmt):
        f = out.setdefault(cid, {"plan": ZERO, "actual": ZERO, "collections": ZERO, "month": None})
        f["plan"] += Decimal(plan or ZERO)
        f["actual"] += Decimal(actual or ZERO)
        f["collections"] += Decimal(coll or ZERO)
        if f["month"] is None or month > f["month"]:
            f["month"], f["overdue"], f["enthusiasm"] = month, Decimal(overdue or ZERO), enthusiasm
    return out


def _with_visits(env: Env) -> bool:
    """Visit columns when field_activity is enabled and the user may read visits (finance may not)."""
    return "field_activity" in env.enabled and env.can("field_activity_visit")


def _visits(env: Env, ids: list[int], start: dt.date, end: dt.date) -> tuple[dict[int, int], dict[int, dt.date]]:
    """Visits of the period and last visit per customer, from the measure ``field_activity.visits``."""
    if not ids or not _with_visits(env):
        return {}, {}
    from core.measures import measure_value

    # one query: visits per customer and day over the period and the 730 days before its end (few rows:
    # the distinct visit days of the page's customers); the period's count and the last day come from it
    since = min(start, end - dt.timedelta(days=LAST_VISIT_DAYS - 1))
    counts: dict[int, int] = {}
    last: dict[int, dt.date] = {}
    for r in measure_value(env, "field_activity.visits", period=(since, end), filters={"customer": ids},
                           group_by=["customer"], grain="day", labels=False):
        cid, day, n = r["customer"], r.period, int(r.value)
        if not n:
            continue
        if day >= start:
            counts[cid] = counts.get(cid, 0) + n
        if cid not in last or day > last[cid]:
            last[cid] = day
    return counts, last


def _names(env: Env, model: Any, ids: set[int], lang: str) -> dict[int, str]:
    if not ids:
        return {}
    # names of the rows' salespeople, territories and stages (people and structure the rows already name)
    recs = env.sudo().search(model, model.id.in_(ids))
    return {r.id: (r.display(lang) if hasattr(r, "display") else str(r)) for r in recs}


def target_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's rows (see the module's docstring)."""
    start, end = p["date_from"], p["date_to"]
    customers = _customers(env, p)
    ids = [c["customer_id"] for c in customers]
    cards = _card_figures(env, ids, start, end)
    visits, last = _visits(env, ids, start, end)
    lang = current_lang(env)
    people = _names(env, Employee, {c["owner_id"] for c in customers if c["owner_id"]}, lang)
    stages = _names(env, DevelopmentStage, {c["stage_id"] for c in customers if c["stage_id"]}, lang)
    territories: dict[int, str] = {}
    if "territories" in env.enabled:
        from addons.territories.models import Territory

        territories = _names(env, Territory, {c["territory_id"] for c in customers if c["territory_id"]}, lang)
    yes, unset = _("Yes"), ""
    with_visits = _with_visits(env)
    rows = []
    for c in customers:
        f = cards.get(c["customer_id"], {})
        plan, actual = f.get("plan", ZERO), f.get("actual", ZERO)
        name = (c["name_en"] or c["name_zh"]) if lang == "en" else c["name_zh"]
        rows.append({
            "customer_id": c["customer_id"], "customer": name,
            "class": CLASS_LABELS.label(c["class_code"], lang) if c["class_code"] else unset, "class_code": c["class_code"],
            "key_account": yes if c["is_key_account"] else unset,
            "territory": territories.get(c["territory_id"], unset) if c["territory_id"] else unset,
            "salesperson": people.get(c["owner_id"], unset) if c["owner_id"] else unset,
            "stage": stages.get(c["stage_id"], unset) if c["stage_id"] else unset, "stage_since": c["stage_since"],
            "sales_plan": plan.quantize(CENT), "sales": actual.quantize(CENT),
            "completion": (actual / plan * 100).quantize(CENT, ROUND_HALF_UP) if plan else None,
            "collections": f.get("collections", ZERO).quantize(CENT),
            "overdue": f["overdue"].quantize(CENT) if "overdue" in f else None,
            "enthusiasm": f.get("enthusiasm"), "credit_limit": c["credit_limit"],
            "visits": visits.get(c["customer_id"], 0) if with_visits else None,
            "last_visit": last.get(c["customer_id"]) if with_visits else None,
        })
    return rows


def _completion_total(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Decimal | None:
    plan = totals.get("sales_plan") or ZERO
    return (Decimal(totals.get("sales") or ZERO) / plan * 100).quantize(CENT, ROUND_HALF_UP) if plan else None


def target_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """The columns (territory where territories is enabled, visits where field_activity is)."""
    cols = [
        Column("customer", _l("Customer"), link=lambda r, _p: Link.record("masterdata_customer", r["customer_id"])),
        Column("class", _l("Class")),
        Column("key_account", _l("Key account")),
    ]
    if "territories" in env.enabled:
        cols.append(Column("territory", _l("Territory")))
    cols += [
        Column("salesperson", _l("Salesperson")),
        Column("stage", _l("Development stage")),
        Column("stage_since", _l("In the stage since"), "date"),
        Column("sales_plan", _l("Sales plan"), "money", total="sum"),
        Column("sales", _l("Sales"), "money", total="sum"),
        Column("completion", _l("Completion"), "percent", total=_completion_total),
        Column("collections", _l("Collections"), "money", total="sum"),
        Column("overdue", _l("Overdue amount"), "money", total="sum"),
        Column("enthusiasm", _l("Enthusiasm"), "integer"),
        Column("credit_limit", _l("Credit limit"), "money"),
    ]
    if _with_visits(env):
        cols += [Column("visits", _l("Visits in the period"), "integer", total="sum"),
                 Column("last_visit", _l("Last visit"), "date")]
    return cols


def target_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Customers per class, and their visits in the period when visits are counted (bars)."""
    if not rows:
        return None
    codes = [*CLASS_CODES, None]
    names = [CLASS_LABELS.label(k) if k else _("Not classified") for k in codes]
    series = [{"type": "bar", "name": _("Customers"),
               "data": [sum(1 for r in rows if r["class_code"] == k) for k in codes]}]
    if any(c.key == "visits" for c in columns):
        series.append({"type": "bar", "name": _("Visits in the period"),
                       "data": [sum(r["visits"] or 0 for r in rows if r["class_code"] == k) for k in codes]})
    return {"tooltip": {"trigger": "axis"}, "legend": {}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": names}, "yAxis": {"type": "value"}, "series": series}


REPORTS = [
    Report(code="crm_cards.target_customers", title=_l("Target customer basic information"),
           description=_l("Per target customer: class, territory, salesperson, development stage, the profile "
                          "card's key figures over the period and the last visit."),
           query=target_rows, columns=target_columns, params=TargetParams, totals=True, chart=target_chart,
           model=Customer.__tablename__,
           # the roles that read monthly cards (the report's figures come from them)
           groups=["core.group_salesperson", "core.group_territory_manager", "core.group_director",
                   "core.group_finance", "core.group_marketing_admin", "core.group_general_manager"]),
]

__all__ = ["REPORTS", "TargetParams", "reachable_territories", "target_rows"]
