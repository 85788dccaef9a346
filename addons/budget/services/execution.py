"""Budget execution: per line and per owner, budget, committed, spent, remaining, share used
against the share of the year elapsed; and the monthly delivery to each owner (a job on the 1st).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from core.i18n import current_lang

from ..models import OWNER_KIND, Budget, Category, Line
from . import lines as L

if TYPE_CHECKING:
    from core.security.env import Env

ZERO = Decimal("0.00")
PCT = Decimal("0.1")


def elapsed(year: int, on: dt.date) -> Decimal:
    """The share of ``year`` elapsed on ``on`` (days), in percent, 0..100."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if on < start:
        return Decimal("0.0")
    if on >= end:
        return Decimal("100.0")
    days = (on - start).days + 1
    total = (end - start).days + 1
    return (Decimal(days) * 100 / Decimal(total)).quantize(PCT, rounding=ROUND_HALF_UP)


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (one decimal), ``None`` when ``whole`` is zero."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(PCT, rounding=ROUND_HALF_UP)


def execution_rows(env: Env, year: int, on: dt.date | None = None, owner_kind: str | None = None,
                   by: str = "line") -> list[dict[str, Any]]:
    """One row per line (``by="line"``) or per budget (``by="budget"``) of ``year`` the user may read."""
    on = on or dt.date.today()
    lang = current_lang(env)
    budgets = env.select(Budget, "read", Budget.id).where(Budget.year == year)
    if owner_kind:
        budgets = budgets.where(Budget.owner_kind == owner_kind)
    found = L.figure_rows(env, Line.budget_id.in_(budgets))
    heads = {bid: (name, yr, kind) for bid, name, yr, kind in env.execute(
        env.select(Budget, "read", Budget.id, Budget.name, Budget.year, Budget.owner_kind)
        .where(Budget.id.in_(budgets)))} if found else {}
    cats = {c.id: c.display(lang) for c in env.search(Category)} if found else {}
    kinds = {k: OWNER_KIND.label(k, lang) for k in OWNER_KIND}
    share = elapsed(year, on)
    rows: list[dict[str, Any]] = []
    grouped: dict[int, dict[str, Any]] = defaultdict(dict)
    for line_id, budget_id, category_id, f in found:
        name, yr, kind = heads[budget_id]
        row = {"line_id": line_id, "budget_id": budget_id, "budget": f"{yr} {name}",
               "owner_kind": kinds.get(kind, kind),
               "category": cats.get(category_id, f"#{category_id}"),
               "amount": f.budget, "committed": f.committed, "spent": f.spent, "remaining": f.remaining,
               "used_pct": pct(f.committed + f.spent, f.budget), "elapsed_pct": share}
        if by == "line":
            rows.append(row)
            continue
        g = grouped[budget_id]
        if not g:
            g.update({k: row[k] for k in ("budget_id", "budget", "owner_kind")})
            g.update({"amount": ZERO, "committed": ZERO, "spent": ZERO, "remaining": ZERO, "elapsed_pct": share})
        for k in ("amount", "committed", "spent", "remaining"):
            g[k] += row[k]
    if by != "line":
        for g in grouped.values():
            g["used_pct"] = pct(g["committed"] + g["spent"], g["amount"])
            rows.append(g)
    rows.sort(key=lambda r: (r["budget"], r.get("category", "")))
    return rows


def deliver_execution(ctx: Any) -> dict[str, int]:
    """On the 1st: each budget owner hears last month's execution of their budgets (in-app and mail)."""
    from core.notifications import notify

    env = ctx.env
    month_key = ctx.period  # "2026-11": the month just ended
    year, month = (int(x) for x in str(month_key).split("-")[:2])
    last_day = (dt.date(year, month, 1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    sent = 0
    rows = execution_rows(env, year, last_day, by="budget")
    owners = {b.id: b.owner for b in env.search(Budget, Budget.year == year, Budget.state == "approved")}
    for i, row in enumerate(rows):
        ctx.progress(i, len(rows), month_key)
        owner = owners.get(row["budget_id"])
        if owner is None or not owner.user_id:
            continue
        notify(env, [owner.user_id], "budget.execution", month=month_key, budget=row["budget"],
               amount=L.money(row["amount"]), committed=L.money(row["committed"]), spent=L.money(row["spent"]),
               remaining=L.money(row["remaining"]), used=str(row["used_pct"] or 0), elapsed=str(row["elapsed_pct"]))
        sent += 1
    ctx.progress(len(rows), len(rows), month_key)
    return {"owners": sent}
