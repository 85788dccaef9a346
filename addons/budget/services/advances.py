"""Advances (借支): money paid to a person ahead of their expenses, deducted later.

Public for other addons (the KPI and bonus addons): :func:`outstanding` gives what a
person still owes on a date, :func:`deduct` deducts an amount (from a claim paid, or
from a bonus) oldest advance first. Both read and write through ``Env``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from core.errors import ValidationError
from core.i18n import _

from ..models import Advance, AdvanceDeduction
from .claims import parse_amount, parse_date

if TYPE_CHECKING:
    from core.security.env import Env

ZERO = Decimal("0.00")


def create_advance(env: Env, employee_id: int, amount: Any, on: Any, purpose: str) -> Advance:
    """Finance records an advance paid to ``employee_id``."""
    amount = parse_amount(amount)
    day = parse_date(on, "advanced_on")
    if not (purpose or "").strip():
        raise ValidationError(_("Say what the advance is for."), {"purpose": _("Say what the advance is for.")})
    return env.create(Advance, {"employee_id": int(employee_id), "amount": amount, "advanced_on": day,
                                "purpose": purpose.strip()[:500]})


def _open(env: Env, employee_id: int, on: dt.date) -> list[tuple[Advance, Decimal]]:
    """The person's advances made on or before ``on`` with what is still open on each, oldest first."""
    advances = env.search(Advance, Advance.employee_id == employee_id, Advance.advanced_on <= on,
                          Advance.active.is_(True), order_by=[Advance.advanced_on, Advance.id])
    if not advances:
        return []
    done = dict(env.execute(
        env.select(AdvanceDeduction, "read", AdvanceDeduction.advance_id, func.sum(AdvanceDeduction.amount))
        .where(AdvanceDeduction.advance_id.in_([a.id for a in advances]), AdvanceDeduction.deducted_on <= on)
        .group_by(AdvanceDeduction.advance_id)).all())
    return [(a, a.amount - Decimal(done.get(a.id) or 0)) for a in advances]


def outstanding(env: Env, employee_id: int, on: dt.date | None = None) -> Decimal:
    """What ``employee_id`` still owes on advances on the date ``on`` (default today), as the user may read."""
    on = on or dt.date.today()
    return sum((left for _a, left in _open(env, employee_id, on) if left > 0), ZERO)


def deduct(env: Env, employee_id: int, amount: Any, on: dt.date, claim: Any = None, kind: str | None = None) -> Decimal:
    """Deduct up to ``amount`` from the person's open advances, oldest first; return what was deducted."""
    amount = Decimal(amount)
    left = amount
    taken = ZERO
    for adv, open_amount in _open(env, employee_id, on):
        if left <= 0:
            break
        if open_amount <= 0:
            continue
        part = min(open_amount, left)
        env.create(AdvanceDeduction, {"advance_id": adv.id, "employee_id": employee_id,
                                      "claim_id": getattr(claim, "id", None), "amount": part, "deducted_on": on,
                                      "kind": kind or ("claim" if claim is not None else "bonus")})
        left -= part
        taken += part
    return taken
