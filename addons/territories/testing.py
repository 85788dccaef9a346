"""Test factories of territories, for any addon's tests (``world.factories.territories``).

::

    def test_manager_sees_the_customer_of_his_territory(tixi_world):
        md, terr = tixi_world.factories.masterdata, tixi_world.factories.territories
        with tixi_world.session() as s:
            admin = tixi_world.env(s, "admin")
            north = terr.territory(admin, name="华北", manager=tixi_world.data["masterdata"]["acme"]["employees"]["territory_manager"])
            terr.assign(admin, md.customer(admin, name="北汽"), north)

``populate(world)`` gives each company a territory managed by its territory
manager, with the salesperson as member and one customer (owned by the
salesperson) assigned to it, and a second, unmanaged territory with a customer
nobody owns: ``world.data["territories"][company]`` holds ``territory``,
``other_territory``, ``customer`` and ``other_customer`` ids.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from addons.masterdata.models import Customer
    from addons.territories.models import CustomerTerritory, Territory, TerritoryMember
    from core.security.env import Env
    from core.testing.world import World

FACTORIES = ("territory", "assign", "member")
_seq = itertools.count(1)


def _record(env: Env, model: type, value: Any) -> Any:
    return value if isinstance(value, model) else env.get(model, int(getattr(value, "id", value)))


def territory(
    env: Env,
    name: str | None = None,
    code: str | None = None,
    manager: Any = None,
    parent: Any = None,
    **fields: Any,
) -> Territory:
    """A territory (片区) of the env's company; ``manager``: employee id or record."""
    from addons.territories.models import Territory

    n = next(_seq)
    values = {
        "code": code or f"T{n:03d}",
        "name_zh": name or f"片区{n}",
        "name_en": fields.pop("name_en", None) or name or f"Territory {n}",
        "manager_id": None if manager is None else int(getattr(manager, "id", manager)),
        "parent_id": None if parent is None else int(getattr(parent, "id", parent)),
        **fields,
    }
    return env.create(Territory, values)


def assign(env: Env, customer: Any, territory: Any) -> CustomerTerritory | None:
    """Put a customer in a territory by hand (wins over the province mapping), from today."""
    from addons.masterdata.models import Customer
    from addons.territories.models import Territory
    from addons.territories.services import assign_customer

    return assign_customer(env, _record(env, Customer, customer), _record(env, Territory, territory))


def member(env: Env, territory: Any, employee: Any, role: str = "salesperson") -> TerritoryMember:
    """Make an employee a member of a territory (from today)."""
    from addons.masterdata.models import Employee
    from addons.territories.models import Territory
    from addons.territories.services import move_member

    return move_member(env, _record(env, Employee, employee), _record(env, Territory, territory), role)


def populate(world: World) -> None:
    """Per company: a managed territory with a member and a customer, and an unmanaged one."""
    md = world.factories.masterdata
    world.data["territories"] = {}
    for company in world.companies:
        employees = world.data.get("masterdata", {}).get(company, {}).get("employees", {})
        with world.session() as s:
            env = world.env(s, "admin", company)
            mine = territory(env, name=f"片区 {company}", code=f"T-{company}",
                             manager=employees.get("territory_manager"))
            other = territory(env, name=f"其他片区 {company}", code=f"X-{company}")
            if "salesperson" in employees:
                member(env, mine, employees["salesperson"])
            inside: Customer = md.customer(env, name=f"片区客户 {company}", owner=employees.get("salesperson"))
            outside: Customer = md.customer(env, name=f"其他客户 {company}")
            assign(env, inside, mine)
            assign(env, outside, other)
            world.data["territories"][company] = {
                "territory": mine.id, "other_territory": other.id,
                "customer": inside.id, "other_customer": outside.id,
            }
