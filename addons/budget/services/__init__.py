"""Business logic of the budget addon, by section.

* :mod:`.lines`: a line's figures (budget, committed, spent, remaining) and its row lock;
* :mod:`.budgets`: annual budgets, lines derived from the sales plan, phasing, approval;
* :mod:`.claims`: expense requests (commitments), claims with receipts, supplementary budgets and bands;
* :mod:`.advances`: advances (借支) and their deductions; :func:`.advances.outstanding` is public;
* :mod:`.execution`: the execution report rows and the monthly delivery job.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from core.security.env import Env

DATA = Path(__file__).resolve().parent.parent / "data" / "categories.yaml"


def ensure_company_defaults(env: Env) -> None:
    """Give the company the standard categories and approval bands (idempotent: keeps edits)."""
    from decimal import Decimal

    from ..models import Band, Category

    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    have = {c.code for c in env.search(Category)}
    for row in data["categories"]:
        if row["code"] not in have:
            env.create(Category, {**row, "weight": Decimal(row["weight"])})
    bands = {b.group for b in env.search(Band)}
    for row in data["bands"]:
        if row["group"] not in bands:
            limit = row.get("limit")
            env.create(Band, {**row, "limit": Decimal(limit) if limit is not None else None})


def check_commitment(env: Env, line_id: int, amount: Any, on: Any = None, source: tuple[str, Any] | None = None) -> None:
    """Refuse ``amount`` on budget line ``line_id`` unless the line can carry it now (the other addons' contract).

    For a plan that names a budget line (brand_campaigns' promotion plans,
    training's plans): the line must be one the user may read, of an approved
    budget of the year of ``on`` (a date; default: today), with at least
    ``amount`` remaining (budget - committed - spent, read under the line's row
    lock). Raises :class:`core.errors.ValidationError` in the user's language,
    on the field ``budget_line_id`` or ``budget_amount``; returns otherwise.
    It reserves nothing: spending goes through expense requests and claims.
    ``source`` (table, id) names the caller, for future commitments.
    """
    import datetime as dt
    from decimal import Decimal

    from core.errors import ValidationError
    from core.i18n import _

    from ..models import Line
    from . import claims as C
    from . import lines as L

    day = on if isinstance(on, dt.date) else dt.date.today()
    line = env.scalar(env.select(Line, "read").where(Line.id == line_id))
    if line is None:
        msg = _("Budget line: there is no line #%(id)s that you may see.", id=line_id)
        raise ValidationError(msg, {"budget_line_id": msg})
    if line.budget.state != "approved":
        msg = _("The budget %(budget)s is not approved yet: nothing can be spent against it.",
                budget=line.budget.display())
        raise ValidationError(msg, {"budget_line_id": msg})
    if day.year != line.budget.year:
        msg = _("The date %(date)s lies outside the budget year %(year)s.", date=day.isoformat(),
                year=line.budget.year)
        raise ValidationError(msg, {"budget_line_id": msg})
    value = Decimal(str(amount or 0))
    available = L.lock(env, line.id).remaining
    if value > available:
        msg = C.over_budget_message(env, line, value, available)
        raise ValidationError(msg, {"budget_amount": msg})
