"""Targets go down, plans come up: the target of each territory against the plans its manager drafted.

For a company target (its revision in force, else the latest) and each
territory it names: the target, the sum of that territory's plan (the current
revision answering the target), the difference and the plan's state. Marketing
balances from this page; the management committee approves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func

from addons.territories.models import Territory
from core.i18n import current_lang

from ..models import Cell, Plan
from .plans import measured

if TYPE_CHECKING:
    from core.security.env import Env


@dataclass
class ConsolidationRow:
    """A territory's target against its plan."""

    territory_id: int
    territory: str
    target: Decimal
    planned: Decimal | None
    plan: Plan | None

    @property
    def difference(self) -> Decimal | None:
        """Plan minus target (``None`` while no plan exists)."""
        return None if self.planned is None else self.planned - self.target

    @property
    def balanced(self) -> bool:
        """The plan adds up to the target to the cent."""
        return self.planned is not None and self.planned == self.target


def consolidation(env: Env, target: Plan) -> list[ConsolidationRow]:
    """One row per territory of the target (only the ones the user may read)."""
    rev = measured(env, target)
    sums = dict(env.execute(env.select(Cell, "read", Cell.territory_id, func.sum(Cell.amount)).where(
        Cell.plan_id == rev.id).group_by(Cell.territory_id)).all())
    plans = {p.territory_id: p for p in env.search(
        Plan, Plan.target_id == target.series_id, Plan.superseded_by_id.is_(None))}
    planned = {}
    if plans:
        planned = dict(env.execute(env.select(Cell, "read", Cell.plan_id, func.sum(Cell.amount)).where(
            Cell.plan_id.in_([p.id for p in plans.values()])).group_by(Cell.plan_id)).all())
    lang = current_lang(env)
    names = {t.id: t.display(lang) for t in env.search(Territory, Territory.id.in_([t for t in sums if t]))}
    rows = []
    for tid, amount in sums.items():
        if tid is None:
            continue
        p = plans.get(tid)
        rows.append(ConsolidationRow(tid, names.get(tid, f"#{tid}"), Decimal(amount or 0),
                                     None if p is None else Decimal(planned.get(p.id) or 0), p))
    return sorted(rows, key=lambda r: r.territory)
