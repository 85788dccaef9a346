"""The regional sales report (区域销售情况统计表) on the report centre (``tixi_reports``).

``orders.regional_sales``: over a period, per territory (the top-level
territories, or the territories just below the one filtered on, each with its
subtree rolled up) or per salesperson: sales delivered, red-letter returns
(negative), net sales, collections confirmed by finance, receivables now (open
amounts) and, where ``sales_planning`` is enabled for the company, the target
and its completion, read through the kernel measures by name
(``sales_planning.target_amount`` per territory, ``sales_planning.plan_amount``
per salesperson or when a salesperson is filtered on; no import of that addon:
when the measure is absent or unreadable the columns are left out).

Filterable by period, territory (the territory of the document's date, with
its subtree; only where territories is enabled; refused outside the user's
reach) and salesperson. One grouped query per figure over ``env.select``: a
salesperson's report holds only the documents they may read (their
customers'), the director's everybody's. A territory row drills down to its
sub-territories, a leaf territory to its salespeople.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func

from addons.masterdata.models import Employee
from core.i18n import _, _l, current_lang
from core.reports import Column, Link, Report
from core.reports.params import ChoiceField, PeriodParams, RecordField
from core.reports.run import ratio

from .models import Collection, Delivery

if TYPE_CHECKING:
    from core.security.env import Env

CODE = "orders.regional_sales"
BOOKED = ("shipped", "confirmed")
ZERO = Decimal("0")
CENT = Decimal("0.01")
#: roles that reach every territory of the company
ALL_TERRITORIES = ("core.group_director", "core.group_general_manager", "core.group_marketing_admin",
                   "core.group_finance", "core.group_sales_assistant")
FIGURES = ("sales", "returns", "net_sales", "collections", "receivables")


def has_territories(env: Env) -> bool:
    """Whether the territories addon is enabled for the company."""
    return "territories" in env.enabled


def has_targets(env: Env) -> bool:
    """Whether the sales targets (sales_planning's measures) can be read by this user."""
    if "sales_planning" not in env.enabled:
        return False
    from core.measures import MeasureError, get_measure

    try:
        get_measure(env, "sales_planning.target_amount")
    except MeasureError:
        return False
    return True


def reachable_territories(env: Env) -> set[int] | None:
    """Territories the user may filter on (``None``: all): see ``addons.territories.services.reachable_territories``."""
    from addons.territories.services import reachable_territories as reach

    return reach(env, ALL_TERRITORIES)


class RegionalParams(PeriodParams):
    """Period, rows by territory or salesperson, territory (within the user's reach) and salesperson."""

    by = ChoiceField(_l("Rows by"), choices=[("territory", _l("Territory")), ("salesperson", _l("Salesperson"))],
                     default="territory")
    territory = RecordField(_l("Territory"), model="territories_territory", requires="territories")
    salesperson = RecordField(_l("Salesperson"), model="masterdata_employee")

    def check(self, env: Env) -> None:
        """The period (kernel), rows by territory only with territories, a territory the user reaches."""
        super().check(env)
        if self.by.data == "territory" and not has_territories(env):
            self.by.data = "salesperson"
        field = self._fields.get("territory")
        if field is not None and field.data:
            reach = reachable_territories(env)
            if reach is not None and field.data not in reach:
                self.add_error("territory", _("This territory is outside your reach."))


# ----- territories -------------------------------------------------------------------------------
def _tree(env: Env) -> dict[int, tuple[int | None, str]]:
    """``id -> (parent id, name)`` of the company's territories (the tree is public: read past the rules)."""
    from addons.territories.models import Territory

    en = current_lang(env) == "en"
    rows = env.sudo().execute(env.sudo().select(Territory, Territory.id, Territory.parent_id, Territory.name_zh,
                                                Territory.name_en))
    return {i: (parent, ((name_en or zh) if en else (zh or name_en)) or f"#{i}") for i, parent, zh, name_en in rows}


def _roll_up(tree: Mapping[int, tuple[int | None, str]], top: int | None) -> dict[int, int]:
    """``territory -> row territory``: the children of ``top`` (the roots when None) and ``top`` itself."""
    out: dict[int, int] = {}
    for tid in tree:
        node, seen = tid, set()
        while node is not None and node not in seen:
            seen.add(node)
            parent = tree.get(node, (None, ""))[0]
            if node == top or parent == top:
                out[tid] = node
                break
            node = parent
    return out


def _subtree(env: Env, territory_id: int) -> list[int]:
    from addons.territories.services import subtree_query

    return list(env.sudo().scalars(subtree_query([territory_id])))


# ----- figures -----------------------------------------------------------------------------------
def _filters(env: Env, model: Any, p: Mapping[str, Any], ids: list[int] | None) -> list[Any]:
    out = []
    if p.get("salesperson"):
        out.append(model.salesperson_id == p["salesperson"])
    if ids is not None:
        out.append(model.territory_id.in_(ids))
    return out


def _facts(env: Env, p: Mapping[str, Any], key: str, ids: list[int] | None) -> dict[Any, dict[str, Decimal]]:
    """``group key -> sales, returns, collections, receivables``: two grouped queries."""
    start, end = p["date_from"], p["date_to"]
    out: dict[Any, dict[str, Decimal]] = {}

    def add(k: Any, name: str, value: Any) -> None:
        row = out.setdefault(k, {"sales": ZERO, "returns": ZERO, "collections": ZERO, "receivables": ZERO})
        row[name] += Decimal(value or 0)

    d = Delivery
    dkey = getattr(d, key)
    # one pass over the notes for sales, returns (of the period) and receivables (open now): the rules'
    # sub-queries run once for both
    in_period = (d.delivery_date >= start) & (d.delivery_date <= end)
    stmt = env.select(d, "read", dkey, func.sum(case((in_period & d.is_return.is_(False), d.amount_total), else_=0)),
                      func.sum(case((in_period & d.is_return.is_(True), d.amount_total), else_=0)),
                      func.sum(d.open_amount)).where(
        d.state.in_(BOOKED), in_period | (d.open_amount != 0), *_filters(env, d, p, ids)).group_by(dkey)
    for k, sales, returns, receivables in env.execute(stmt):
        add(k, "sales", sales)
        add(k, "returns", returns)
        add(k, "receivables", receivables)
    c = Collection
    ckey = getattr(c, key)
    stmt = env.select(c, "read", ckey, func.sum(c.amount)).where(
        c.state == "confirmed", c.confirmed_on >= start, c.confirmed_on <= end,
        *_filters(env, c, p, ids)).group_by(ckey)
    for k, amount in env.execute(stmt):
        add(k, "collections", amount)
    return out


def _targets(env: Env, p: Mapping[str, Any], key: str, ids: list[int] | None) -> dict[Any, Decimal] | None:
    """``group key -> target`` through sales_planning's measures by name; ``None`` when they cannot be read."""
    if not has_targets(env):
        return None
    from core.errors import AccessDenied
    from core.measures import MeasureError, measure_value

    dim = "territory" if key == "territory_id" else "salesperson"
    name = "sales_planning.target_amount" if dim == "territory" and not p.get("salesperson") \
        else "sales_planning.plan_amount"
    filters: dict[str, list[Any]] = {}
    if ids is not None:
        filters["territory"] = ids
    if p.get("salesperson"):
        filters["salesperson"] = [p["salesperson"]]
    try:
        rows = measure_value(env, name, period=(p["date_from"], p["date_to"]), filters=filters, group_by=[dim],
                             labels=False)
    except (MeasureError, AccessDenied):
        return None
    return {r.dims[dim]: Decimal(r.value) for r in rows}


def _employee_names(env: Env, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    en = current_lang(env) == "en"
    # the names of the salespeople on the user's own documents
    rows = env.sudo().execute(env.sudo().select(Employee, Employee.id, Employee.name_zh, Employee.name_en).where(
        Employee.id.in_(ids)))
    return {i: ((name_en or zh) if en else (zh or name_en)) or f"#{i}" for i, zh, name_en in rows}


def regional_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per territory (subtrees rolled up) or salesperson, largest net sales first."""
    by = p.get("by") or "territory"
    if by == "territory" and not has_territories(env):
        by = "salesperson"
    top = p.get("territory") if has_territories(env) else None
    ids = _subtree(env, top) if top else None
    key = "territory_id" if by == "territory" else "salesperson_id"
    facts = _facts(env, p, key, ids)
    targets = _targets(env, p, key, ids)
    unset = _("Not set")
    groups: dict[Any, dict[str, Any]] = {}
    if by == "territory":
        tree = _tree(env)
        mapping = _roll_up(tree, top)
        parents = {parent for parent, _n in tree.values() if parent is not None}

        def group(k: Any) -> Any:
            return mapping.get(k, k) if k is not None else None

        def name(k: Any) -> str:
            return unset if k is None else tree.get(k, (None, f"#{k}"))[1]
    else:
        names = _employee_names(env, {k for k in [*facts, *(targets or {})] if k is not None})

        def group(k: Any) -> Any:
            return k

        def name(k: Any) -> str:
            return unset if k is None else names.get(k, f"#{k}")

    def row(k: Any) -> dict[str, Any]:
        g = group(k)
        if g not in groups:
            groups[g] = {"key": g, "by": by, "name": name(g), "sales": ZERO, "returns": ZERO, "collections": ZERO,
                         "receivables": ZERO, "target": None,
                         "has_children": by == "territory" and g in parents and g != top}
        return groups[g]

    for k, f in facts.items():
        r = row(k)
        for fig, value in f.items():
            r[fig] += value
    for k, value in (targets or {}).items():
        r = row(k)
        r["target"] = (r["target"] or ZERO) + value
    out = []
    for r in groups.values():
        r["net_sales"] = r["sales"] + r["returns"]
        if targets is not None:
            r["target"] = (r["target"] or ZERO).quantize(CENT)
            r["completion"] = ((r["net_sales"] / r["target"] * 100).quantize(CENT, ROUND_HALF_UP)
                               if r["target"] else None)
        for fig in FIGURES:
            r[fig] = r[fig].quantize(CENT)
        out.append(r)
    out.sort(key=lambda r: (-r["net_sales"], r["name"]))
    return out


def regional_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's rows."""
    return regional_rows(env, p)


def _period_args(p: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"period": p.get("period") or "this_year"}
    if out["period"] == "custom":
        out["date_from"], out["date_to"] = p["date_from"].isoformat(), p["date_to"].isoformat()
    if p.get("salesperson"):
        out["salesperson"] = p["salesperson"]
    return out


def drill(row: Mapping[str, Any], p: Mapping[str, Any]) -> Link | None:
    """A territory to its sub-territories (or, a leaf, to its salespeople)."""
    if row.get("by") != "territory" or row.get("key") is None:
        return None
    by = "territory" if row.get("has_children") else "salesperson"
    return Link.report(CODE, by=by, territory=row["key"], **_period_args(p))


def regional_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """The group, the figures and, with sales targets, the target and its completion."""
    by = p.get("by") or "territory"
    head = _l("Territory") if by == "territory" and has_territories(env) else _l("Salesperson")
    cols = [Column("name", head, link=drill),
            Column("sales", _l("Sales delivered"), "money", total="sum"),
            Column("returns", _l("Red-letter returns"), "money", total="sum"),
            Column("net_sales", _l("Net sales"), "money", total="sum"),
            Column("collections", _l("Collections"), "money", total="sum"),
            Column("receivables", _l("Receivables now"), "money", total="sum")]
    if has_targets(env):
        cols += [Column("target", _l("Sales target"), "money", total="sum"),
                 Column("completion", _l("Completion"), "percent", total=ratio("net_sales", "target"))]
    return cols


def regional_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column],
                   p: Mapping[str, Any]) -> dict | None:
    """Net sales, collections (and the target) of the twelve largest rows."""
    if not rows:
        return None
    top = list(rows)[:12]
    keys = {c.key: c.label for c in columns}
    series = [{"type": "bar", "name": str(keys[k]), "data": [str(r[k]) for r in top]}
              for k in ("net_sales", "collections", "target") if k in keys]
    return {"tooltip": {"trigger": "axis"}, "legend": {}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": [r["name"] for r in top]}, "yAxis": {"type": "value"},
            "series": series}


REPORT = Report(
    code=CODE, title=_l("Regional sales"),
    description=_l("Per territory or salesperson over the period: sales delivered, red-letter returns, net sales, "
                   "collections, receivables now and, with sales planning, the target and its completion."),
    query=regional_query, columns=regional_columns, params=RegionalParams, totals=True, chart=regional_chart,
    model=Delivery.__tablename__, sequence=20)
