"""Choices of people that make sense in a filter or picker (issue: a salesperson filter offered finance and the GM).

:func:`sales_people` lists the salespeople and territory managers who own a
customer the user may read: a salesperson sees himself and his team, a
director every one, nobody sees finance or the general manager there. One
query, through the user's rules (the customers' rule decides the reach).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer, Employee

if TYPE_CHECKING:
    from core.security.env import Env

SALES_POSITIONS = ("salesperson", "territory_manager")


def sales_people(env: Env) -> list[tuple[Any, str]]:
    """``[(employee id, name)]`` of the sales people owning a customer the user may read, by name."""
    if not env.can(Customer) or not env.can(Employee):
        return []
    owners = env.select(Customer, "read", Customer.owner_id).where(Customer.owner_id.is_not(None))
    stmt = (
        env.select(Employee)
        .where(Employee.position.in_(SALES_POSITIONS), Employee.id.in_(owners))
        .order_by(Employee.name_zh)
    )
    return [(e.id, e.display()) for e in env.scalars(stmt)]
