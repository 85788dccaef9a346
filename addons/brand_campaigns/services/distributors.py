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
             "since": parse_date(values.get("since"), "since", _("Since"), required=False)}
    dup = env.sudo().search(Distributor, Distributor.code == clean["code"])
    if dup and (distributor is None or dup[0].id != distributor.id):
        msg = _("The code %(code)s is already used.", code=clean["code"])
        raise ValidationError(msg, {"code": msg})
    with env.session.begin_nested():
        if distributor is None:
            return env.create(Distributor, clean)
        env.write(distributor, clean)
        return distributor


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
def monthly_summary(env: Env, month: dt.date) -> list[dict[str, Any]]:
    """每月经销商管理汇总表: per distributor, the month's and year's purchases, the target, the latest evaluation."""
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    year_start = first.replace(month=1)
    D = Distributor
    # plain column rows (no ORM objects): the summary reads every distributor of the company
    dists = list(env.execute(env.select(D, "read", D.id, D.code, D.name, D.province, D.city, D.state,
                                        D.eliminated_on).order_by(D.code)))
    month_amt: dict[int, Decimal] = {}
    ytd_amt: dict[int, Decimal] = {}
    count: dict[int, int] = {}
    if dists:
        stmt = env.select(DistributorPurchase, "read", DistributorPurchase.distributor_id,
                          func.sum(DistributorPurchase.amount), func.count(DistributorPurchase.id)).where(
            DistributorPurchase.purchase_date >= first, DistributorPurchase.purchase_date < nxt).group_by(
            DistributorPurchase.distributor_id)
        for did, amount, n in env.execute(stmt):
            month_amt[did], count[did] = Decimal(amount or 0), int(n)
        stmt = env.select(DistributorPurchase, "read", DistributorPurchase.distributor_id,
                          func.sum(DistributorPurchase.amount)).where(
            DistributorPurchase.purchase_date >= year_start, DistributorPurchase.purchase_date < nxt).group_by(
            DistributorPurchase.distributor_id)
        ytd_amt = {did: Decimal(a or 0) for did, a in env.execute(stmt)}
    A = DistributorAgreement
    targets = {did: Decimal(t or 0) for did, t in env.execute(
        env.select(A, "read", A.distributor_id, func.sum(A.target_amount)).where(
            A.start_date <= first.replace(month=12, day=31), A.end_date >= year_start).group_by(A.distributor_id))}
    E = DistributorEvaluation
    latest: dict[int, tuple[Decimal, str]] = {}
    for did, _on, score, decision in env.execute(env.select(E, "read", E.distributor_id, E.evaluated_on,
                                                            E.total_score, E.decision).where(
            E.evaluated_on < nxt).order_by(E.evaluated_on, E.id)):
        latest[did] = (score, decision)
    rows = []
    for did, code, name, province, city, state, eliminated_on in dists:
        if state == "eliminated" and eliminated_on and eliminated_on < year_start:
            continue
        target = targets.get(did, Decimal(0))
        ytd = ytd_amt.get(did, Decimal(0))
        ev = latest.get(did)
        rows.append({
            "distributor_id": did, "code": code, "name": name, "area": " ".join(filter(None, [province, city])),
            "state": state, "purchases": count.get(did, 0), "month_amount": month_amt.get(did, Decimal("0.00")),
            "ytd_amount": ytd, "target": target,
            "achievement": (ytd / target * 100).quantize(Decimal("0.01")) if target else None,
            "score": ev[0] if ev else None, "decision": ev[1] if ev else None,
        })
    return rows


def purchase_stats(env: Env, start: dt.date, end: dt.date, by_product: bool = True) -> list[dict[str, Any]]:
    """经销商进货情况统计表: quantity and amount per distributor (and product) over ``start..end``."""
    cols = [DistributorPurchase.distributor_id] + ([DistributorPurchase.product_id] if by_product else [])
    stmt = env.select(DistributorPurchase, "read", *cols, func.sum(DistributorPurchase.quantity), func.sum(DistributorPurchase.amount),
                      func.count(DistributorPurchase.id)).where(
        DistributorPurchase.purchase_date >= start, DistributorPurchase.purchase_date <= end).group_by(*cols)
    facts = list(env.execute(stmt))
    dist_ids = {f[0] for f in facts}
    names = {i: (c, n) for i, c, n in env.execute(env.select(Distributor, "read", Distributor.id, Distributor.code,
                                                            Distributor.name))} if dist_ids else {}
    prod_ids = {f[1] for f in facts} if by_product else set()
    # sudo: product names (品种) are reference data of the purchases the user may read
    prods = {p.id: p for p in env.sudo().search(Product, Product.id.in_(prod_ids))} if prod_ids else {}
    rows = []
    for f in facts:
        d = names.get(f[0])
        row = {"distributor_id": f[0], "code": d[0] if d else "", "name": d[1] if d else f"#{f[0]}",
               "quantity": Decimal(f[-3] or 0), "amount": Decimal(f[-2] or 0).quantize(Decimal("0.01")),
               "purchases": int(f[-1])}
        if by_product:
            p = prods.get(f[1])
            row["product"] = (p.display() if hasattr(p, "display") else str(p)) if p else f"#{f[1]}"
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["amount"], r["code"], r.get("product", "")))
