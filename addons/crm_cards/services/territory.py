"""Helpers for the optional ``territories`` addon: whether it is on, territory filter, counts per territory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from addons.masterdata.models import Customer

if TYPE_CHECKING:
    from core.security.env import Env


def territories_on(env: Env) -> bool:
    """Whether the ``territories`` addon is enabled for the company (it is optional)."""
    return "territories" in env.enabled


def territory_filter(env: Env, territory_id: int | None) -> Any:
    """SQL condition: the customer is currently in the territory or one of its descendants."""
    if territory_id is None or not territories_on(env):
        return None
    from addons.territories.models import CustomerTerritory, Territory

    closure = Territory.__tixi_closure__
    return Customer.id.in_(
        select(CustomerTerritory.customer_id).where(
            CustomerTerritory.date_to.is_(None),
            CustomerTerritory.territory_id.in_(
                select(closure.c.descendant_id).where(closure.c.ancestor_id == territory_id)
            ),
        )
    )



def customers_by_class_per_territory(env: Env) -> dict[str, dict[str, int]]:
    """``{top-level territory: {class or "-": count}}`` over readable customers (one query).

    A customer counts for the root of the territory tree it is currently
    assigned in (华北/华东/华南, however deep its own territory is). Read
    through the ``crm_cards.customers`` measure (:mod:`addons.crm_cards.measures`).
    """
    from core.measures import measure_value

    if not territories_on(env):  # without territories: one bar for the whole company
        rows = measure_value(env, "crm_cards.customers", group_by=["class"], labels=False)
        return {"-": {r["class"] or "-": int(r.value) for r in rows}}
    out: dict[str, dict[str, int]] = {}
    for r in measure_value(env, "crm_cards.customers", group_by=["region", "class"]):
        region = r.label("region") if r["region"] is not None else "-"
        out.setdefault(region, {})[r["class"] or "-"] = int(r.value)
    return out
