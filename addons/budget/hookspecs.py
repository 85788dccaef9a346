"""Hooks that budget declares and answers: the advances (借支) a person still owes.

Implemented by ``budget``; called by addons that list ``budget`` in
``depends`` or ``optional_depends`` (kpi deducts advances from pay). When
budget is not enabled for the company, the caller gets no answer (``None``)
and deducts nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from core.plugins import hookspec

if TYPE_CHECKING:
    from core.security.env import Env


@hookspec(firstresult=True)
def tixi_advances_outstanding(env: Env, employee_id: int, on: dt.date) -> Decimal | None:
    """What ``employee_id`` still owes on advances on the date ``on`` (Decimal), as ``env``'s user may read.

    Example::

        owed = env.hooks.tixi_advances_outstanding(env=env, employee_id=card.employee_id, on=card.period_end)
        owed = owed or Decimal("0")     # None: budget is not enabled for the company
    """


@hookspec(firstresult=True)
def tixi_advances_deduct(env: Env, employee_id: int, amount: Decimal, on: dt.date, kind: str) -> Decimal | None:
    """Deduct up to ``amount`` from the person's open advances, oldest first; return what was deducted.

    ``kind`` says from what (``"bonus"``: pay, ``"claim"``: an expense claim);
    each deduction is a row of ``budget_advance_deduction`` in the same
    transaction as the caller's booking.

    Example::

        taken = env.hooks.tixi_advances_deduct(env=env, employee_id=e.id, amount=Decimal("300"),
                                               on=dt.date(2026, 6, 30), kind="bonus")
    """
