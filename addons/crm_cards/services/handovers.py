"""Handover of a leaving employee's crm_cards records, and human labels of crm_cards records."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from addons.crm_cards.models import (
    ActionItem,
    ClassProposal,
    CustomerProfile,
    KeyAccountPlan,
    MonthlyCard,
    StrategyCard,
)
from addons.masterdata.models import Customer, Employee
from core.i18n import current_lang, label

if TYPE_CHECKING:
    from core.security.env import Env


# ----- handover and labels ---------------------------------------------------------------
def handover(env: Env, from_employee: Employee, to_employee: Employee) -> dict[str, int]:
    """Move a leaving employee's open cards, plans, actions and archives to a successor.

    Strategy cards and key-account plans of this year and later, monthly cards
    not yet reviewed, open actions and the archive custody change owner
    (``env.write``: rights, rules and audit apply); reviewed cards and done
    actions keep their author, so history stays intact.
    """
    src, dst = from_employee.id, to_employee.id
    this_year = dt.date.today().year
    counts: dict[str, int] = {}
    targets: list[tuple[type, str, Any]] = [
        (StrategyCard, "owner_id", StrategyCard.year >= this_year),
        (KeyAccountPlan, "owner_id", KeyAccountPlan.year >= this_year),
        (MonthlyCard, "owner_id", MonthlyCard.state != "reviewed"),
        (ActionItem, "owner_id", ActionItem.done.is_(False)),
        (CustomerProfile, "custodian_id", None),
    ]
    for model, column, cond in targets:
        where = [getattr(model, column) == src]
        if cond is not None:
            where.append(cond)
        rows = env.search(model, *where)
        for row in rows:
            env.write(row, {column: dst})
        if rows:
            counts[model.__tablename__] = len(rows)
    return counts


_LABEL_MODELS: dict[str, type] = {
    "crm_cards_strategy": StrategyCard,
    "crm_cards_monthly": MonthlyCard,
    "crm_cards_ka_plan": KeyAccountPlan,
    "crm_cards_class_proposal": ClassProposal,
    "crm_cards_profile": CustomerProfile,
}


def record_label(env: Env, model: str, res_id: int) -> str | None:
    """A human label for a crm_cards record (None for other models)."""
    cls = _LABEL_MODELS.get(model)
    if cls is None:
        return None
    # explain names the record whoever asks (the point is to tell why it is out of reach)
    sudo = env.sudo()
    row = sudo.get(cls, res_id)
    if row is None:
        return None
    cust = sudo.get(Customer, row.customer_id)
    name = cust.name_zh if cust is not None else f"#{row.customer_id}"
    title = label(cls.__tixi_label__, current_lang(env))
    if isinstance(row, MonthlyCard):
        return f"{title} {name} {row.month:%Y-%m}"
    if isinstance(row, StrategyCard | KeyAccountPlan):
        return f"{title} {name} {row.year}"
    if isinstance(row, ClassProposal):
        return f"{title} {name} {row.old_class or '-'}→{row.new_class}"
    return f"{title} {name}"
