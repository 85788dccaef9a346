"""Test factories of masterdata, for any addon's tests (``world.factories.masterdata``).

Each factory takes the :class:`~core.security.env.Env` to create with (its user's
rights and record rules apply, as in production) and returns the new record::

    def test_visit_of_a_customer(tixi_world):
        with tixi_world.session() as s:
            env = tixi_world.env(s, "salesperson")
            acme = tixi_world.factories.masterdata.customer(env, name="一汽", province="吉林")

``populate(world)`` gives every world user an employee record in their company,
with the reporting line director <- territory manager <- salesperson; their ids
are in ``world.data["masterdata"][company]["employees"][role]``.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from addons.masterdata.models import Customer, Employee, Product
    from core.security.env import Env
    from core.testing.world import World

FACTORIES = ("customer", "employee", "product", "contact")
_seq = itertools.count(1)

#: world role -> (employee position, manager role)
_ORG = {
    "general_manager": ("general_manager", None),
    "director": ("director", None),
    "territory_manager": ("territory_manager", "director"),
    "salesperson": ("salesperson", "territory_manager"),
    "marketing_admin": ("marketing_admin", "director"),
    "sales_assistant": ("sales_assistant", "director"),
    "tech_support": ("tech_support", "director"),
    "finance": ("finance", None),
}


def _id(value: Any) -> int | None:
    return None if value is None else int(getattr(value, "id", value))


def employee(
    env: Env,
    name: str | None = None,
    user: Any = None,
    position: str = "salesperson",
    manager: Any = None,
    **fields: Any,
) -> Employee:
    """An employee of the env's company (``user``/``manager``: ids or records)."""
    from addons.masterdata.models import Employee

    n = next(_seq)
    values = {
        "name_zh": name or f"员工{n}",
        "name_en": fields.pop("name_en", None) or (name or f"Employee {n}"),
        "position": position,
        "user_id": _id(user),
        "manager_id": _id(manager),
        **fields,
    }
    return env.create(Employee, values)


def customer(env: Env, name: str | None = None, owner: Any = None, **fields: Any) -> Customer:
    """A customer (validated as the customer form does); ``owner``: an employee id or record.

    Without ``owner`` the env user's own employee record owns it (as in the UI).
    Unique names are generated when ``name`` is not given.
    """
    from addons.masterdata.services import create_customer

    values = {"name_zh": name or f"测试客户{next(_seq)}", **fields}
    if owner is not None:
        values["owner_id"] = _id(owner)
    return create_customer(env, values)


def contact(env: Env, customer: Any, name: str | None = None, **fields: Any) -> Any:
    """A contact person of a customer."""
    from addons.masterdata.services import create_contact

    return create_contact(env, {"customer_id": _id(customer), "name": name or f"联系人{next(_seq)}", **fields})


def product(env: Env, code: str | None = None, name: str | None = None, **fields: Any) -> Product:
    """A product (品种) of the env's company."""
    from addons.masterdata.models import Product

    n = next(_seq)
    return env.create(Product, {"code": code or f"P-{n:04d}", "name_zh": name or f"品种{n}", **fields})


def populate(world: World) -> None:
    """An employee for every world user, with the reporting line of :data:`_ORG` (managers first)."""
    world.data["masterdata"] = {}
    for company, users in world.users.items():
        ids: dict[str, int] = {}
        with world.session() as s:
            env = world.env(s, "admin", company)
            for role in _ORG:  # managers come before their reports in _ORG
                if role not in users:
                    continue
                position, manager_role = _ORG[role]
                ids[role] = employee(
                    env, name=f"{role}_{company}", user=users[role], position=position,
                    manager=ids.get(manager_role) if manager_role else None,
                ).id
        world.data["masterdata"][company] = {"employees": ids}
