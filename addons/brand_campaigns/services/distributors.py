"""PromotionChannel management (渠道管理): distributors, agreements, purchases, periodic evaluation, elimination.

An evaluation scores a distributor 0-100 on sales (purchases against the
agreement's target), payment, market work and service; the total is the
weighted mean (40/30/20/10). The decision defaults from the total (below 60:
eliminate, below 75: warn, else keep) and may be set by the evaluator; an
*eliminate* decision ends the distributor (state ``eliminated``, the date kept).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from addons.masterdata.models import Product
from core.errors import ValidationError
from core.i18n import _

from ..models import (
    DECISION,
    Distributor,
    DistributorAgreement,
    DistributorEvaluation,
    DistributorPurchase,
)
from .common import check_period, parse_date, parse_int, parse_money, required_text

if TYPE_CHECKING:
    from core.security.env import Env

WEIGHTS = {"sales_score": Decimal("0.4"), "payment_score": Decimal("0.3"), "market_score": Decimal("0.2"),
           "service_score": Decimal("0.1")}
ELIMINATE_BELOW = Decimal(60)
WARN_BELOW = Decimal(75)
PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4]|H[12])$")


def _score_labels() -> dict[str, str]:
    return {"sales_score": _("Sales score"), "payment_score": _("Payment score"),
            "market_score": _("Market work score"), "service_score": _("Service score")}


def save_distributor(env: Env, values: Mapping[str, Any], distributor: Distributor | None = None) -> Distributor:
    """Create or edit a distributor (code unique in the company)."""
    clean = {"code": required_text(values.get("code"), "code", _("Code")),
             "name": required_text(values.get("name"), "name", _("Name")),
             "province": (values.get("province") or "").strip() or None,
             "city": (values.get("city") or "").strip() or None,
             "contact_name": (values.get("contact_name") or "").strip() or None,
             "phone": (values.get("phone") or "").strip() or None,
             "owner_id": parse_int(values.get("owner_id"), "owner_id", _("Owner"), 1),
             "since": parse_date(values.get("since"), "since", _("Since"), required=False),
             "territory_id": _territory(env, values.get("territory_id")),
             "customer_id": _customer(env, values)}
    if distributor is not None:
        # a form without the two fields keeps what the distributor had
        for key in ("territory_id", "customer_id"):
            if clean[key] is None and key not in values and "customer_code" not in values:
                clean[key] = getattr(distributor, key)
    dup = env.sudo().search(Distributor, Distributor.code == clean["code"])
    if dup and (distributor is None or dup[0].id != distributor.id):
        msg = _("The code %(code)s is already used.", code=clean["code"])
        raise ValidationError(msg, {"code": msg})
    with env.session.begin_nested():
        if distributor is None:
            return env.create(Distributor, clean)
        env.write(distributor, clean)
        return distributor


def _territory(env: Env, value: Any) -> int | None:
    """A territory of the company (territories enabled), or none."""
    tid = parse_int(value, "territory_id", _("Territory"), 1)
    if tid is None:
        return None
    if "territories" not in env.enabled:
        msg = _("Territories are not used by this company.")
        raise ValidationError(msg, {"territory_id": msg})
    from addons.territories.models import Territory

    if env.sudo().get(Territory, tid) is None:  # the territory tree is reference data
        msg = _("Choose a territory.")
        raise ValidationError(msg, {"territory_id": msg})
    return tid


def _customer(env: Env, values: Mapping[str, Any]) -> int | None:
    """The distributor's customer record, by id (``customer_id``) or code (``customer_code``)."""
    from addons.masterdata.models import Customer

    code = (values.get("customer_code") or "").strip()
    if code:
        found = env.sudo().search(Customer, Customer.code == code)  # a customer code names one customer
        if not found:
            msg = _("No customer has the code %(code)s.", code=code)
            raise ValidationError(msg, {"customer_code": msg})
        return found[0].id
    cid = parse_int(values.get("customer_id"), "customer_id", _("Customer"), 1)
    if cid is not None and env.sudo().get(Customer, cid) is None:
        msg = _("Choose a customer.")
        raise ValidationError(msg, {"customer_id": msg})
    return cid


def add_agreement(env: Env, distributor: Distributor, values: Mapping[str, Any]) -> DistributorAgreement:
    """A distribution agreement: number, period (end not before start), area, purchase target."""
    start = parse_date(values.get("start_date"), "start_date", _("Start date"))
    end = parse_date(values.get("end_date"), "end_date", _("End date"))
    check_period(start, end)
    clean = {"distributor_id": distributor.id, "number": required_text(values.get("number"), "number", _("Number")),
             "start_date": start, "end_date": end, "area": (values.get("area") or "").strip() or None,
             "target_amount": parse_money(values.get("target_amount"), "target_amount", _("Purchase target"))
             or Decimal("0.00"),
             "terms": (values.get("terms") or "").strip() or None}
    with env.session.begin_nested():
        return env.create(DistributorAgreement, clean)


def record_purchase(env: Env, distributor: Distributor, values: Mapping[str, Any]) -> DistributorPurchase:
    """A purchase of an active distributor: product, date, quantity (> 0), amount."""
    if distributor.state == "eliminated":
        raise ValidationError(_("%(name)s was eliminated; no purchases can be recorded.", name=distributor.name))
    product = parse_int(values.get("product_id"), "product_id", _("Product"), 1, required=True)
    if env.sudo().get(Product, product) is None:
        msg = _("Choose a product.")
        raise ValidationError(msg, {"product_id": msg})
    qty = parse_money(values.get("quantity"), "quantity", _("Quantity"), required=True)
    if not qty:
        msg = _("%(field)s must be more than 0.", field=_("Quantity"))
        raise ValidationError(msg, {"quantity": msg})
    clean = {"distributor_id": distributor.id, "product_id": product,
             "purchase_date": parse_date(values.get("purchase_date"), "purchase_date", _("Date")),
             "quantity": qty, "amount": parse_money(values.get("amount"), "amount", _("Amount"), required=True)}
    with env.session.begin_nested():
        return env.create(DistributorPurchase, clean)


def total_score(scores: Mapping[str, int]) -> Decimal:
    """The weighted mean of the four scores, two places."""
    return sum((Decimal(scores[k]) * w for k, w in WEIGHTS.items()), Decimal(0)).quantize(Decimal("0.01"))


def suggested_decision(total: Decimal) -> str:
    """keep / warn / eliminate from the total."""
    if total < ELIMINATE_BELOW:
        return "eliminate"
    if total < WARN_BELOW:
        return "warn"
    return "keep"


def evaluate(env: Env, distributor: Distributor, values: Mapping[str, Any]) -> DistributorEvaluation:
    """One periodic evaluation (one per distributor and period); *eliminate* ends the distributor."""
    period = (values.get("period") or "").strip().upper()
    if not PERIOD_RE.match(period):
        msg = _("Enter the period as a month (2026-11), a quarter (2026-Q4) or a half (2026-H2).")
        raise ValidationError(msg, {"period": msg})
    labels = _score_labels()
    scores = {k: parse_int(values.get(k), k, labels[k], 0, 100, required=True) for k in WEIGHTS}
    total = total_score(scores)
    decision = values.get("decision") or suggested_decision(total)
    if decision not in DECISION:
        msg = _("Choose a decision.")
        raise ValidationError(msg, {"decision": msg})
    on = parse_date(values.get("evaluated_on") or dt.date.today(), "evaluated_on", _("Date"))
    if distributor.state == "eliminated":
        raise ValidationError(_("%(name)s was eliminated already.", name=distributor.name))
    if env.sudo().count(DistributorEvaluation, DistributorEvaluation.distributor_id == distributor.id, DistributorEvaluation.period == period):
        msg = _("%(name)s was already evaluated for %(period)s.", name=distributor.name, period=period)
        raise ValidationError(msg, {"period": msg})
    with env.session.begin_nested():
        ev = env.create(DistributorEvaluation, {"distributor_id": distributor.id, "period": period, "evaluated_on": on,
                                     **scores, "total_score": total, "decision": decision,
                                     "comment": (values.get("comment") or "").strip() or None})
        if decision == "eliminate":
            env.write(distributor, {"state": "eliminated", "eliminated_on": on})
    return ev


# ----- the two reports' rows ------------------------------------------------------------------
def territory_subtree(env: Env, territory_id: int | None) -> list[int] | None:
    """The territory and the ones below it (``None``: no filter, or territories not enabled)."""
    if not territory_id or "territories" not in env.enabled:
        return None
    from addons.territories.services import subtree_query

    return list(env.sudo().scalars(subtree_query([territory_id])))  # the territory tree is public


def _scope(env: Env, owner: Any, territory: Any, territory_id: int | None, salesperson: int | None) -> list[Any]:
    out = []
    if salesperson:
        out.append(owner == salesperson)
    ids = territory_subtree(env, territory_id)
    if ids is not None:
        out.append(territory.in_(ids))
    return out


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def monthly_summary(env: Env, month: dt.date, territory_id: int | None = None,
                    salesperson: int | None = None) -> list[dict[str, Any]]:
    """每月经销商管理汇总表: per distributor, the month's and year's purchases, the target, the latest evaluation.

    The purchases come from the monthly summary (``brand_campaigns_purchase_month``, whole months);
    ``territory_id`` (and below) and ``salesperson`` (the distributor's owner) narrow the rows.
    """
    from ..models import PurchaseMonth

    first = month.replace(day=1)
    year_start = first.replace(month=1)
    D, S = Distributor, PurchaseMonth
    # plain column rows (no ORM objects): the summary reads every distributor of the company
    dists = list(env.execute(env.select(D, "read", D.id, D.code, D.name, D.province, D.city, D.state,
                                        D.eliminated_on, D.owner_id).where(
        *_scope(env, D.owner_id, D.territory_id, territory_id, salesperson)).order_by(D.code)))
    month_amt: dict[int, Decimal] = {}
    ytd_amt: dict[int, Decimal] = {}
    count: dict[int, int] = {}
    scope = _scope(env, S.owner_id, S.territory_id, territory_id, salesperson)
    if dists:
        stmt = env.select(S, "read", S.distributor_id, func.sum(S.amount), func.sum(S.purchases)).where(
            S.month == first, *scope).group_by(S.distributor_id)
        for did, amount, n in env.execute(stmt):
            month_amt[did], count[did] = Decimal(amount or 0), int(n or 0)
        stmt = env.select(S, "read", S.distributor_id, func.sum(S.amount)).where(
            S.month >= year_start, S.month <= first, *scope).group_by(S.distributor_id)
        ytd_amt = {did: Decimal(a or 0) for did, a in env.execute(stmt)}
    A = DistributorAgreement
    targets = {did: Decimal(t or 0) for did, t in env.execute(
        env.select(A, "read", A.distributor_id, func.sum(A.target_amount)).where(
            A.start_date <= first.replace(month=12, day=31), A.end_date >= year_start).group_by(A.distributor_id))}
    E = DistributorEvaluation
    # the latest evaluation of each distributor up to the month's end (one row each)
    ranked = env.select(E, "read", E.distributor_id.label("did"), E.total_score.label("score"),
                        E.decision.label("decision"), func.row_number().over(
                            partition_by=E.distributor_id, order_by=(E.evaluated_on.desc(), E.id.desc())).label("rn")
                        ).where(E.evaluated_on < _next_month(first)).subquery()
    from sqlalchemy import select as plain_select

    latest = {did: (score, decision) for did, score, decision in env.execute(
        plain_select(ranked.c.did, ranked.c.score, ranked.c.decision).where(ranked.c.rn == 1))}
    names = _employee_names(env, {d[7] for d in dists if d[7]})
    rows = []
    for did, code, name, province, city, state, eliminated_on, owner_id in dists:
        if state == "eliminated" and eliminated_on and eliminated_on < year_start:
            continue
        target = targets.get(did, Decimal(0))
        ytd = ytd_amt.get(did, Decimal(0))
        ev = latest.get(did)
        rows.append({
            "distributor_id": did, "code": code, "name": name, "area": " ".join(filter(None, [province, city])),
            "salesperson": names.get(owner_id, ""), "state": state, "purchases": count.get(did, 0),
            "month_amount": month_amt.get(did, Decimal("0.00")), "ytd_amount": ytd, "target": target,
            "achievement": (ytd / target * 100).quantize(Decimal("0.01")) if target else None,
            "score": Decimal(ev[0]) if ev and ev[0] is not None else None, "decision": ev[1] if ev else None,
        })
    return rows


def _employee_names(env: Env, ids: set[int]) -> dict[int, str]:
    from addons.masterdata.models import Employee

    if not ids:
        return {}
    # the salespeople's names on the rows the user may read (reference data)
    return {e.id: e.display() if hasattr(e, "display") else str(e)
            for e in env.sudo().search(Employee, Employee.id.in_(ids))}


def purchase_stats(env: Env, start: dt.date, end: dt.date, by_product: bool = True, territory_id: int | None = None,
                   salesperson: int | None = None, source: str = "auto") -> list[dict[str, Any]]:
    """经销商进货情况统计表: quantity and amount per distributor (and product) over ``start..end``.

    Per distributor over whole months the monthly summary answers (``source="auto"``); per product,
    or over part of a month, the purchases themselves. ``source="purchases"`` forces the latter (tests).
    """
    from ..models import PurchaseMonth
    from ..summary import whole_months

    P, D = DistributorPurchase, Distributor
    if not by_product and source == "auto" and whole_months(start, end):
        S = PurchaseMonth
        stmt = env.select(S, "read", S.distributor_id, func.sum(S.quantity), func.sum(S.amount),
                          func.sum(S.purchases)).where(
            S.month >= start.replace(day=1), S.month <= end,
            *_scope(env, S.owner_id, S.territory_id, territory_id, salesperson)).group_by(S.distributor_id)
    else:
        cols = [P.distributor_id] + ([P.product_id] if by_product else [])
        stmt = env.select(P, "read", *cols, func.sum(P.quantity), func.sum(P.amount), func.count(P.id)).where(
            P.purchase_date >= start, P.purchase_date <= end)
        scope = _scope(env, D.owner_id, D.territory_id, territory_id, salesperson)
        if scope:
            stmt = stmt.join(D, D.id == P.distributor_id).where(*scope)
        stmt = stmt.group_by(*cols)
    facts = list(env.execute(stmt))
    dist_ids = {f[0] for f in facts}
    heads_stmt = env.select(D, "read", D.id, D.code, D.name, D.owner_id, D.customer_id)
    if len(dist_ids) <= 500:  # a long IN list costs more than reading the few other distributors
        heads_stmt = heads_stmt.where(D.id.in_(dist_ids))
    heads = {i: (c, n, o, cu) for i, c, n, o, cu in env.execute(heads_stmt)} if dist_ids else {}
    names = _employee_names(env, {h[2] for h in heads.values() if h[2]})
    prod_ids = {f[1] for f in facts} if by_product else set()
    # sudo: product names (品种) are reference data of the purchases the user may read
    prods = {p.id: p for p in env.sudo().search(Product, Product.id.in_(prod_ids))} if prod_ids else {}
    rows = []
    for f in facts:
        d = heads.get(f[0])
        row = {"distributor_id": f[0], "code": d[0] if d else "", "name": d[1] if d else f"#{f[0]}",
               "salesperson": names.get(d[2], "") if d else "", "customer_id": d[3] if d else None,
               "quantity": Decimal(f[-3] or 0), "amount": Decimal(f[-2] or 0).quantize(Decimal("0.01")),
               "purchases": int(f[-1] or 0)}
        if by_product:
            p = prods.get(f[1])
            row["product"] = (p.display() if hasattr(p, "display") else str(p)) if p else f"#{f[1]}"
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["amount"], r["code"], r.get("product", "")))


def orders_sales(env: Env, customer_ids: set[int], start: dt.date, end: dt.date) -> dict[int, Decimal] | None:
    """Delivered sales per customer from orders' measure ``orders.sales_amount`` (``None``: orders not enabled).

    Read by name through the kernel's measures, never orders' tables: the user's rights on deliveries apply.
    """
    if "orders" not in env.enabled:
        return None
    if not customer_ids:
        return {}
    from core.errors import AccessDenied
    from core.measures import measure_value

    try:
        rows = measure_value(env, "orders.sales_amount", period=(start, end),
                             filters={"customer": sorted(customer_ids)}, group_by=["customer"], labels=False)
    except AccessDenied:
        return None  # the user may not read deliveries: the column stays empty
    return {r.dims["customer"]: r.value for r in rows}
