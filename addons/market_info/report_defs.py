"""The market status report (市场状况周/月统计表) on the report centre (``tixi_reports``).

``market_info.market_status``: per competitor, product variety and kind of
price (wholesale, retail, tender) over the period (a week, a month ...): how
many prices were seen, the lowest, average and highest, the latest price and
its day, the previous period's average (the same number of days just before)
and the change; plus the policy, technology and new-product notes of the
period counted per competitor row when they name it. Filterable by period,
territory (the territory of the observation's date; the territory and the
ones below it) and salesperson (the collector). Built on ``env.select``: a
salesperson gets the prices they filed or that a plan naming them holds, the
director everybody's. A territory outside the user's reach is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.i18n import _, _l, current_lang
from core.reports import Column, Report
from core.reports.params import PeriodParams, RecordField

from .models import PRICE_KIND, Competitor, PriceObservation

if TYPE_CHECKING:
    from core.security.env import Env

CENT = Decimal("0.01")
#: roles that reach every territory of the company
ALL_TERRITORIES = ("core.group_director", "core.group_general_manager", "core.group_marketing_admin")


def reachable_territories(env: Env) -> set[int] | None:
    """Territories the user may filter on (``None``: all): see ``addons.territories.services.reachable_territories``."""
    from addons.territories.services import reachable_territories as reach

    return reach(env, ALL_TERRITORIES)


def territory_ids(env: Env, territory_id: int | None) -> list[int] | None:
    """The territory and its subtree, or None for no filter."""
    if not territory_id or "territories" not in env.enabled:
        return None
    from addons.territories.services import subtree_query

    return list(env.sudo().scalars(subtree_query([territory_id])))


class MarketParams(PeriodParams):
    """Period, territory (when territories is enabled, within the user's reach) and salesperson."""

    territory = RecordField(_l("Territory"), model="territories_territory", requires="territories")
    salesperson = RecordField(_l("Salesperson"), model="masterdata_employee")

    def check(self, env: Env) -> None:
        """The period (kernel) and a territory the user reaches."""
        super().check(env)
        field = self._fields.get("territory")
        if field is not None and field.data:
            reach = reachable_territories(env)
            if reach is not None and field.data not in reach:
                self.add_error("territory", _("This territory is outside your reach."))


def _where(env: Env, p: Mapping[str, Any]) -> list[Any]:
    out = []
    if p.get("salesperson"):
        out.append(PriceObservation.collector_id == p["salesperson"])
    ids = territory_ids(env, p.get("territory"))
    if ids is not None:
        out.append(PriceObservation.territory_id.in_(ids))
    return out


def _grouped(env: Env, p: Mapping[str, Any], start: dt.date, end: dt.date) -> dict[tuple, dict[str, Any]]:
    """``(competitor, product, kind) -> count, low, sum, high, last day`` over the days, one grouped query."""
    o = PriceObservation
    keys = (o.competitor_id, o.product_id, o.price_kind)
    stmt = env.select(o, "read", *keys, func.count(o.id), func.min(o.price), func.sum(o.price), func.max(o.price),
                      func.max(o.observed_on)).where(o.observed_on >= start, o.observed_on <= end,
                                                     *_where(env, p)).group_by(*keys)
    out = {}
    for comp, prod, kind, n, low, total, high, last in env.execute(stmt):
        out[(comp, prod, kind)] = {"count": int(n), "low": Decimal(low), "sum": Decimal(total),
                                   "high": Decimal(high), "last_day": last}
    return out


def _latest(env: Env, p: Mapping[str, Any], start: dt.date, end: dt.date) -> dict[tuple, Decimal]:
    """The latest price of each group in the period (the last observation of its last day)."""
    o = PriceObservation
    keys = (o.competitor_id, o.product_id, o.price_kind)
    ranked = env.select(o, "read", *keys, o.price.label("price"), func.row_number().over(
        partition_by=keys, order_by=(o.observed_on.desc(), o.id.desc())).label("rn")).where(
        o.observed_on >= start, o.observed_on <= end, *_where(env, p)).subquery()
    stmt = select(ranked.c.competitor_id, ranked.c.product_id, ranked.c.price_kind, ranked.c.price).where(
        ranked.c.rn == 1)
    return {(c, pr, k): Decimal(v) for c, pr, k, v in env.execute(stmt)}


def _names(env: Env, model: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    lang = current_lang(env)
    # names of the rows' competitors and varieties (reference data; the rows are the user's)
    return {r.id: (r.display(lang) if hasattr(r, "display") else str(r))
            for r in env.sudo().search(model, model.id.in_(ids))}


def market_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per competitor, product variety and kind of price (see the module's docstring)."""
    from addons.masterdata.models import Product

    start, end = p["date_from"], p["date_to"]
    days = (end - start).days + 1
    prev_end = start - dt.timedelta(days=1)
    prev_start = prev_end - dt.timedelta(days=days - 1)
    now = _grouped(env, p, start, end)
    before = _grouped(env, p, prev_start, prev_end)
    latest = _latest(env, p, start, end)
    competitors = _names(env, Competitor, {k[0] for k in now})
    products = _names(env, Product, {k[1] for k in now if k[1] is not None})
    lang = current_lang(env)
    rows = []
    for key, g in now.items():
        comp, prod, kind = key
        avg = (g["sum"] / g["count"]).quantize(CENT, ROUND_HALF_UP)
        prev = before.get(key)
        prev_avg = (prev["sum"] / prev["count"]).quantize(CENT, ROUND_HALF_UP) if prev else None
        change = ((avg - prev_avg) / prev_avg).quantize(Decimal("0.0001"), ROUND_HALF_UP) if prev_avg else None
        rows.append({
            "competitor": competitors.get(comp, f"#{comp}"), "competitor_id": comp,
            "variety": products.get(prod, _("Not set")) if prod is not None else _("Not set"), "product_id": prod,
            "kind": PRICE_KIND.label(kind, lang), "price_kind": kind,
            "count": g["count"], "low": g["low"].quantize(CENT), "avg": avg, "high": g["high"].quantize(CENT),
            "latest": latest.get(key, g["high"]).quantize(CENT), "last_day": g["last_day"],
            "prev_avg": prev_avg, "change": change,
        })
    rows.sort(key=lambda r: (r["competitor"], r["variety"], r["kind"]))
    return rows


def market_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's rows."""
    return market_rows(env, p)


COLUMNS = [
    Column("competitor", _l("Competitor")),
    Column("variety", _l("Product variety")),
    Column("kind", _l("Kind of price")),
    Column("count", _l("Prices seen"), "integer", total="sum"),
    Column("low", _l("Lowest"), "money"),
    Column("avg", _l("Average"), "money"),
    Column("high", _l("Highest"), "money"),
    Column("latest", _l("Latest price"), "money"),
    Column("last_day", _l("Last seen"), "date"),
    Column("prev_avg", _l("Previous period average"), "money"),
    Column("change", _l("Change"), "percent"),
]


def market_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Average price per competitor and variety, this period and the previous one (bars)."""
    if not rows:
        return None
    top = list(rows)[:12]
    names = [f"{r['competitor']} {r['variety']}" for r in top]
    return {"tooltip": {"trigger": "axis"}, "legend": {}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": names}, "yAxis": {"type": "value"},
            "series": [{"type": "bar", "name": _("Average"), "data": [str(r["avg"]) for r in top]},
                       {"type": "bar", "name": _("Previous period average"),
                        "data": [str(r["prev_avg"]) if r["prev_avg"] is not None else None for r in top]}]}


REPORTS = [
    Report(code="market_info.market_status", title=_l("Market status"),
           description=_l("Competitor prices per variety over the week or month: prices seen, lowest, average, "
                          "highest, latest, and the change on the previous period."),
           query=market_query, columns=COLUMNS, params=MarketParams, totals=True, chart=market_chart,
           model=PriceObservation.__tablename__),
]
