"""Helpers for the optional ``territories`` addon: whether it is on, territory filter, counts per territory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from addons.crm_cards.models import CustomerProfile
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
    assigned in (华北/华东/华南, however deep its own territory is).
    """
    from sqlalchemy.orm import aliased

    if not territories_on(env):  # without territories: one bar for the whole company
        stmt = (
            env.select(Customer, "read", CustomerProfile.class_code, func.count(Customer.id))
            .outerjoin(CustomerProfile, CustomerProfile.customer_id == Customer.id)
            .where(Customer.active.is_(True))
            .group_by(CustomerProfile.class_code)
        )
        return {"-": {code or "-": int(n) for code, n in env.execute(stmt)}}
    from addons.territories.models import CustomerTerritory, Territory

    closure = Territory.__tixi_closure__
    root = aliased(Territory)
    roots = (
        select(CustomerTerritory.customer_id.label("customer_id"), root.name_zh.label("name"))
        .join(closure, closure.c.descendant_id == CustomerTerritory.territory_id)
        .join(root, and_(root.id == closure.c.ancestor_id, root.parent_id.is_(None)))
        .where(CustomerTerritory.date_to.is_(None), CustomerTerritory.company_id == env.company_id)
        .subquery()
    )
    stmt = (
        env.select(Customer, "read", roots.c.name, CustomerProfile.class_code, func.count(Customer.id))
        .outerjoin(roots, roots.c.customer_id == Customer.id)
        .outerjoin(CustomerProfile, CustomerProfile.customer_id == Customer.id)
        .where(Customer.active.is_(True))
        .group_by(roots.c.name, CustomerProfile.class_code)
    )
    out: dict[str, dict[str, int]] = {}
    for terr, code, n in env.execute(stmt):
        out.setdefault(terr or "-", {})[code or "-"] = int(n)
    return out
