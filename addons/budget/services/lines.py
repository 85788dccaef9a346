"""A budget line's figures and its row lock.

budget = amount + approved supplements; committed = approved expense requests not
yet used by a claim; spent = submitted, approved and paid claims;
remaining = budget - committed - spent. Nothing of this is stored: the figures are
sums, read in one grouped query per kind for any number of lines.

Every change that consumes budget (a claim submitted, a request approved) first
locks the line (``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL; SQLite serialises
writers by itself) and reads the figures after the lock: two claims on the last
remaining amount at the same moment queue on the lock, and the second sees the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from ..models import Claim, ExpenseRequest, Line, Supplement

if TYPE_CHECKING:
    from core.security.env import Env

ZERO = Decimal("0.00")
SPENT_STATES = ("submitted", "approved", "paid")
COMMITTED_STATES = ("approved",)


@dataclass(frozen=True)
class Figures:
    """A line's figures."""

    amount: Decimal
    supplement: Decimal
    committed: Decimal
    spent: Decimal

    @property
    def budget(self) -> Decimal:
        """The line's amount with its approved supplements."""
        return self.amount + self.supplement

    @property
    def remaining(self) -> Decimal:
        """What may still be committed or spent."""
        return self.budget - self.committed - self.spent


def sums(env: Env, line_ids: Any) -> dict[str, dict[int, Decimal]]:
    """Approved supplements, commitments and spend per line, for ``line_ids`` (ids or a sub-select).

    Read with ``sudo``: a line's remaining amount counts everybody's claims, also the ones
    the user may not read (the lines themselves were read through the user's rules).
    """
    sudo = env.sudo()  # every claim on the line counts, whoever filed it
    out: dict[str, dict[int, Decimal]] = {}
    for key, model, states in (("supplement", Supplement, ("approved",)),
                               ("committed", ExpenseRequest, COMMITTED_STATES),
                               ("spent", Claim, SPENT_STATES)):
        stmt = (sudo.select(model, model.line_id, func.sum(model.amount))
                .where(model.line_id.in_(line_ids), model.state.in_(states)).group_by(model.line_id))
        out[key] = {lid: Decimal(v or 0) for lid, v in sudo.execute(stmt)}
    return out


def figures_of(env: Env, lines: Iterable[Line]) -> dict[int, Figures]:
    """The figures of each line (lines already read through the user's rules)."""
    lines = list(lines)
    if not lines:
        return {}
    s = sums(env, [ln.id for ln in lines])
    return {ln.id: Figures(ln.amount, s["supplement"].get(ln.id, ZERO), s["committed"].get(ln.id, ZERO),
                           s["spent"].get(ln.id, ZERO)) for ln in lines}


def figures(env: Env, line: Line) -> Figures:
    """The figures of one line."""
    return figures_of(env, [line])[line.id]


def lock(env: Env, line_id: int) -> Figures:
    """Lock the line for the rest of the transaction and return its figures as of the lock."""
    sudo = env.sudo()  # the lock is on the line, whoever may write it
    # FOR NO KEY UPDATE: it queues the line's spenders without clashing with the key-share lock
    # that inserting a claim (a foreign key to the line) takes
    line = sudo.scalar(sudo.select(Line).where(Line.id == line_id).with_for_update(key_share=True)
                       .execution_options(populate_existing=True))
    return figures(env, line)


def lines_with_figures(env: Env, *where: Any) -> list[tuple[Line, Figures]]:
    """Lines the user may read (filtered by ``where``) with their figures, in two queries per kind at most."""
    ids = env.select(Line, "read", Line.id).where(*where)
    s = sums(env, ids)
    out = []
    for ln in env.scalars(env.select(Line).where(*where).order_by(Line.budget_id, Line.category_id)):
        out.append((ln, Figures(ln.amount, s["supplement"].get(ln.id, ZERO), s["committed"].get(ln.id, ZERO),
                                s["spent"].get(ln.id, ZERO))))
    return out


def figure_rows(env: Env, *where: Any) -> list[tuple[int, int, int, Figures]]:
    """``(line id, budget id, category id, figures)`` of the lines the user may read: plain columns,
    no ORM objects (the execution report over every line of a year)."""
    stmt = env.select(Line, "read", Line.id, Line.budget_id, Line.category_id, Line.amount).where(*where)
    rows = env.execute(stmt.order_by(Line.budget_id, Line.category_id)).all()
    if not rows:
        return []
    s = sums(env, env.select(Line, "read", Line.id).where(*where))
    return [(lid, bid, cid, Figures(Decimal(amount), s["supplement"].get(lid, ZERO), s["committed"].get(lid, ZERO),
                                    s["spent"].get(lid, ZERO))) for lid, bid, cid, amount in rows]


def money(value: Decimal) -> str:
    """``12,345.60``."""
    return f"{value:,.2f}"


__all__ = ["Figures", "figure_rows", "figures", "figures_of", "lines_with_figures", "lock", "money", "sums"]
