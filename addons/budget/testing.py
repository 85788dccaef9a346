"""Test factories of the budget addon, for its own tests and other addons' tests.

Reached as ``world.factories.budget.budget(env, ...)``. Factories create through the env
you pass: that user's rights, rules and reach apply, as in production.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.security.env import Env

FACTORIES = ("budget", "claim")


def budget(env: Env, territory: Any = None, year: int = 2026, amounts: Mapping[str, Any] | None = None,
           approver: Env | None = None, name: str | None = None, owner: Any = None, **fields: Any) -> Any:
    """A territory budget with a line per category code in ``amounts`` (phased evenly), submitted by
    ``env`` and approved by ``approver`` when given."""
    import datetime as dt

    from .services import budgets as B

    values = {"name": name or "营销预算", "year": year, "owner_kind": "territory" if territory else "department",
              "territory_id": int(getattr(territory, "id", territory)) if territory else None,
              "owner_id": int(getattr(owner, "id", owner)) if owner else None, **fields}
    b = B.create_budget(env, values)
    cats = {c.code: c.id for c in B.categories(env)}
    cells: dict[tuple[int, dt.date], Decimal] = {}
    from addons.sales_planning.services.engine import largest_remainder, months_of

    months = months_of(year)
    for code, amount in (amounts or {"entertainment": "10000"}).items():
        for m, part in zip(months, largest_remainder(Decimal(str(amount)), [1] * 12), strict=True):
            cells[(cats[code], m)] = part
    B.set_lines(env, b, cells)
    if approver is not None:
        B.fire(env, b, "submit")
        B.fire(approver, approver.get(type(b), b.id), "approve")
    return b


def claim(env: Env, line: Any, amount: Any, expense_date: Any = "2026-06-15", description: str = "招待客户",
          submit: bool = True, **values: Any) -> Any:
    """A claim by the env's user on ``line`` (record or id), submitted by default."""
    from .services.claims import create_claim

    return create_claim(env, {"line_id": int(getattr(line, "id", line)), "amount": amount,
                              "expense_date": expense_date, "description": description, **values}, submit=submit)
