"""The marketing audit (营销审计): expenses against budget, profitability, annual plan execution, efficiency.

One row per territory that owns a budget (plus one for the budgets of departments,
projects and campaigns), per expense category, or per territory and category, over a
period:

* **expenses**: the budget phased into the period's months (approved budgets, plus
  approved supplementary budgets decided in the period) and the spend (claims submitted,
  approved or paid, by expense date) — budget's own tables, read through ``env.select``;
* **profitability**: sales and gross profit of the territory (its sub-territories rolled
  up to the nearest territory that owns a budget), read *by name* through the kernel's
  measures: ``orders.sales_amount`` / ``orders.gross_profit`` when orders is enabled,
  sales_planning's imported ``sales_planning.sales_amount`` / ``.gross_profit``
  otherwise — never their tables;
* **annual plan execution**: ``sales_planning.target_amount`` (the company targets in
  force; a salesperson's ``sales_planning.plan_amount``) and the share achieved;
* **efficiency**: expense per 10,000 of sales, and expense against gross profit.

A measure the user may not read, or whose addon the company has not enabled, leaves its
columns empty: the report degrades, it does not fail. ``salesperson`` narrows budgets to the
ones they own, spend to their claims and sales to theirs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from core.errors import AccessDenied, ValidationError
from core.i18n import _, current_lang

from ..models import Budget, Category, Claim, Line, Phase, Supplement

if TYPE_CHECKING:
    from core.security.env import Env

ZERO = Decimal("0.00")
SPENT_STATES = ("submitted", "approved", "paid")
TEN_THOUSAND = Decimal(10000)
OTHER = 0  # the row key of budgets without a territory


def ratio(part: Decimal | None, whole: Decimal | None, scale: Decimal = Decimal(100)) -> Decimal | None:
    """``part / whole x scale`` to two places, ``None`` when either is missing or ``whole`` is zero."""
    if part is None or not whole:
        return None
    return (part * scale / whole).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _budget_where(territories: set[int] | None) -> list[Any]:
    out = [Budget.state == "approved"]
    if territories is not None:
        out.append(Budget.territory_id.in_(territories))
    return out


def _subtree(env: Env, ids: Iterable[int]) -> set[int]:
    from addons.territories.services import subtree_query

    ids = list(ids)
    return set(env.sudo().scalars(subtree_query(ids))) if ids else set()  # the territory tree is public


def expense_figures(env: Env, p: Mapping[str, Any], territories: set[int] | None
                    ) -> dict[tuple[int, int], dict[str, Decimal]]:
    """``(territory or OTHER, category) -> budget, spent`` over the period (grouped queries, the user's rules)."""
    start, end = p["date_from"], p["date_to"]
    out: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(lambda: {"budget": ZERO, "spent": ZERO})
    where = _budget_where(territories)
    # a salesperson's budget: the budgets they own; their spend: their own claims (on any line)
    owned = [Budget.owner_id == p["salesperson"]] if p.get("salesperson") else []
    keys = (Budget.territory_id, Line.category_id)
    phased = (env.select(Phase, "read", *keys, func.sum(Phase.amount))
              .join(Line, Line.id == Phase.line_id).join(Budget, Budget.id == Line.budget_id)
              .where(Phase.month >= _month_first(start), Phase.month <= end, *where, *owned).group_by(*keys))
    for terr, cat, amount in env.execute(phased):
        out[(terr or OTHER, cat)]["budget"] += Decimal(amount or 0)
    sup = (env.select(Supplement, "read", *keys, func.sum(Supplement.amount))
           .join(Line, Line.id == Supplement.line_id).join(Budget, Budget.id == Line.budget_id)
           .where(Supplement.state == "approved", Supplement.decided_on >= start, Supplement.decided_on <= end,
                  *where, *owned).group_by(*keys))
    for terr, cat, amount in env.execute(sup):
        out[(terr or OTHER, cat)]["budget"] += Decimal(amount or 0)
    spent = (env.select(Claim, "read", *keys, func.sum(Claim.amount))
             .join(Line, Line.id == Claim.line_id).join(Budget, Budget.id == Line.budget_id)
             .where(Claim.state.in_(SPENT_STATES), Claim.expense_date >= start, Claim.expense_date <= end,
                    *where))
    if p.get("salesperson"):
        spent = spent.where(Claim.employee_id == p["salesperson"])
    for terr, cat, amount in env.execute(spent.group_by(*keys)):
        out[(terr or OTHER, cat)]["spent"] += Decimal(amount or 0)
    return out


def _measure(env: Env, name: str, p: Mapping[str, Any], roll_up: Mapping[int, int] | None,
             territories: set[int] | None) -> dict[int, Decimal] | None:
    """``territory -> value`` of a measure over the period (rolled up), ``None`` when it cannot be read."""
    from core.measures import MeasureError, measure_value

    filters: dict[str, Any] = {}
    if p.get("salesperson"):
        filters["salesperson"] = [p["salesperson"]]
    if territories is not None:
        filters["territory"] = sorted(territories)
    try:
        rows = measure_value(env, name, period=(p["date_from"], p["date_to"]), filters=filters,
                             group_by=["territory"], labels=False, roll_up={"territory": roll_up or {}})
    except (AccessDenied, MeasureError, ValidationError):
        return None  # not enabled for the company, or not readable by the user: the columns stay empty
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        out[r.dims["territory"] or OTHER] += Decimal(r.value)
    return dict(out)


def sales_source(env: Env, wanted: str | None) -> str:
    """``orders`` or ``sales_planning``: orders' deliveries when enabled (``auto``), else sales_planning's imports."""
    if wanted in ("orders", "sales_planning"):
        return wanted
    return "orders" if "orders" in env.enabled else "sales_planning"


def _roll_up(env: Env, owners: set[int]) -> dict[int, int]:
    """Each territory below a budget-owning territory -> that territory (the nearest one when they nest).

    One query on the territory closure (ancestor, descendant, depth) for all the owners.
    """
    from sqlalchemy import select

    from addons.territories.models import territory_closure as tc

    nearest: dict[int, tuple[int, int]] = {}  # territory -> (depth below its owner, owner)
    # the territory tree is public (territories' closure)
    for owner, t, depth in env.sudo().execute(select(tc.c.ancestor_id, tc.c.descendant_id, tc.c.depth).where(
            tc.c.ancestor_id.in_(sorted(owners)))):
        if t not in nearest or depth < nearest[t][0]:
            nearest[t] = (depth, owner)
    return {t: owner for t, (_n, owner) in nearest.items()}


def audit_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's rows (see the module docstring); ``p["by"]``: territory, category or territory_category."""
    if p["date_to"] < p["date_from"]:
        raise ValidationError(_("The end of the period is before its start."))
    by = p.get("by") or "territory"
    lang = current_lang(env)
    territories = _subtree(env, [p["territory"]]) if p.get("territory") else None
    figures = expense_figures(env, p, territories)
    owners = {t for t, _c in figures if t != OTHER}
    roll = _roll_up(env, owners) if owners else {}
    source = sales_source(env, p.get("source"))
    sales = _measure(env, f"{source}.sales_amount", p, roll, territories)
    profit = _measure(env, f"{source}.gross_profit", p, roll, territories)
    target_name = "sales_planning.plan_amount" if p.get("salesperson") else "sales_planning.target_amount"
    target = _measure(env, target_name, p, roll, territories)
    from addons.territories.models import Territory

    names = {t.id: t.display(lang) for t in env.sudo().search(Territory, Territory.id.in_(owners))} if owners else {}
    cats = {c.id: c.display(lang) for c in env.sudo().search(Category, Category.id.in_(
        {c for _t, c in figures}))} if figures else {}  # category names: reference data
    other = _("Departments, projects and campaigns")

    def tname(t: int) -> str:
        return other if t == OTHER else names.get(t, f"#{t}")

    groups: dict[Any, dict[str, Any]] = {}
    for (terr, cat), f in figures.items():
        key = {"territory": terr, "category": cat, "territory_category": (terr, cat)}[by]
        g = groups.setdefault(key, {"territory_id": terr if by != "category" else None,
                                    "category_id": cat if by != "territory" else None,
                                    "territory": tname(terr) if by != "category" else "",
                                    "category": cats.get(cat, f"#{cat}") if by != "territory" else "",
                                    "budget": ZERO, "spent": ZERO})
        g["budget"] += f["budget"]
        g["spent"] += f["spent"]
    if by == "territory":
        for t in set(sales or {}) | set(target or {}):
            if t != OTHER and t in owners and t not in groups:
                groups[t] = {"territory_id": t, "category_id": None, "territory": tname(t), "category": "",
                             "budget": ZERO, "spent": ZERO}

    def part(values: dict[int, Decimal] | None, terr: int | None) -> Decimal | None:
        if values is None:
            return None
        if terr is None:  # a category row: the whole scope's figure
            return sum(values.values(), ZERO)
        return values.get(terr, ZERO) if terr != OTHER else None

    rows = []
    for g in groups.values():
        terr = g["territory_id"]
        s, gp, tg = part(sales, terr), part(profit, terr), part(target, terr)
        rows.append({**g, "used_pct": ratio(g["spent"], g["budget"]), "remaining": g["budget"] - g["spent"],
                     "sales": s, "gross_profit": gp, "margin_pct": ratio(gp, s), "target": tg,
                     "achieved_pct": ratio(s, tg), "per_10k": ratio(g["spent"], s, TEN_THOUSAND),
                     "expense_gp_pct": ratio(g["spent"], gp), "source": source})
    rows.sort(key=lambda r: (r["territory_id"] == OTHER, r["territory"], r["category"]))
    return rows


def scope_total(rows: Iterable[Mapping[str, Any]], key: str) -> Decimal | None:
    """A sales figure's total: each territory once (rows per territory and category repeat it)."""
    seen: dict[Any, Decimal] = {}
    for r in rows:
        if r.get(key) is None:
            continue
        seen[r.get("territory_id")] = r[key]
    if not seen:
        return None
    if None in seen:  # category rows carry the scope's figure
        return seen[None]
    return sum(seen.values(), ZERO)
