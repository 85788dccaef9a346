"""Territory services: the user's scope, assignments with history, moves.

Every change keeps history: the current row of a customer's (or a member's)
territory is closed (``date_to`` = the day of the change) and a new one opened,
and the change goes to the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select

from addons.masterdata.bulk import bulk_insert
from addons.masterdata.models import Customer, Employee
from addons.masterdata.services import employee_ids_query
from addons.territories.models import (
    CustomerTerritory,
    ProvinceMapping,
    Territory,
    TerritoryMember,
    territory_closure,
)
from core.db import utcnow
from core.errors import AccessDenied, ValidationError
from core.i18n import _

if TYPE_CHECKING:
    from core.security.env import Env


def today() -> dt.date:
    """The current date in China (business dates are Asia/Shanghai)."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def managed_territories_query(user_id: int, company_id: int) -> Select:
    """Territories whose manager is one of the user's employees in the company."""
    return select(Territory.id).where(
        Territory.company_id == company_id,
        Territory.manager_id.in_(employee_ids_query(user_id, company_id)),
    )


def subtree_query(territory_ids: Any) -> Select:
    """All territories under (and including) the given ones, through the closure table."""
    return select(territory_closure.c.descendant_id).where(territory_closure.c.ancestor_id.in_(territory_ids))


def customers_in_query(territory_ids: Any, on: dt.date | None = None) -> Select:
    """Customers assigned to one of ``territory_ids`` now (or on a date)."""
    stmt = select(CustomerTerritory.customer_id).where(CustomerTerritory.territory_id.in_(territory_ids))
    if on is None:
        return stmt.where(CustomerTerritory.date_to.is_(None))
    return stmt.where(
        CustomerTerritory.date_from <= on,
        (CustomerTerritory.date_to.is_(None)) | (CustomerTerritory.date_to > on),
    )


def user_context(user_id: int, company_id: int) -> dict[str, Any]:
    """The ``tixi_user_context`` values of this addon (all sub-queries)."""
    managed = managed_territories_query(user_id, company_id)
    return {
        "managed_territory_ids": managed,
        "territory_customer_ids": customers_in_query(subtree_query(managed)),
        "member_territory_ids": select(TerritoryMember.territory_id).where(
            TerritoryMember.company_id == company_id,
            TerritoryMember.date_to.is_(None),
            TerritoryMember.employee_id.in_(employee_ids_query(user_id, company_id)),
        ),
    }


# ----- customers ---------------------------------------------------------------------------
def current_assignment(env: Env, customer_id: int) -> CustomerTerritory | None:
    """The open assignment row of a customer, if any."""
    elevated = env.sudo()  # sudo: the assignment follows the customer, whoever saves it
    return elevated.scalar(
        elevated.select(CustomerTerritory).where(
            CustomerTerritory.customer_id == customer_id, CustomerTerritory.date_to.is_(None)
        )
    )


def territory_for(env: Env, province: str | None, city: str | None) -> int | None:
    """The mapped territory of a province in the env's company (a city-level mapping wins)."""
    if not province:
        return None
    elevated = env.sudo()  # sudo: the company's mapping applies whoever saves the customer
    rows = elevated.execute(
        elevated.select(ProvinceMapping, ProvinceMapping.city, ProvinceMapping.territory_id).where(
            ProvinceMapping.province == province, ProvinceMapping.active.is_(True)
        )
    ).all()
    by_city = {c: t for c, t in rows}
    if city and city in by_city:
        return by_city[city]
    return by_city.get(None)


def _set_territory(
    env: Env, customer: Customer, territory_id: int | None, source: str, on: dt.date
) -> CustomerTerritory | None:
    """Close the current assignment and open a new one (system write, audited)."""
    current = current_assignment(env, customer.id)
    if current is not None and current.territory_id == territory_id:
        if source == "manual" and current.source != "manual":
            current.source = "manual"
        return current
    old = current.territory_id if current is not None else None
    if current is not None:
        if current.date_from >= on:
            # changed again on the same day: the short-lived row is replaced (system write)
            env.session.delete(current)
        else:
            current.date_to = on
    row = None
    if territory_id is not None:
        row = CustomerTerritory(
            company_id=customer.company_id,
            customer_id=customer.id,
            territory_id=territory_id,
            source=source,
            date_from=on,
            created_by_id=env.user_id,
            updated_by_id=env.user_id,
        )
        env.session.add(row)  # system write past the assignment rules, audited below
    env.session.flush()
    env.audit("masterdata_customer", customer.id, "update", {"territory_id": [old, territory_id]})
    return row


def auto_assign(env: Env, customer: Customer, on: dt.date | None = None) -> CustomerTerritory | None:
    """Assign from the province mapping unless the current assignment was made by hand."""
    current = current_assignment(env, customer.id)
    if current is not None and current.source == "manual":
        return current
    territory_id = territory_for(env, customer.province, customer.city)
    if territory_id is None:
        return current
    return _set_territory(env, customer, territory_id, "auto", on or today())


def assign_customer(env: Env, customer: Customer, territory: Territory | None, on: dt.date | None = None) -> CustomerTerritory | None:
    """Assign a customer to a territory by hand (overrides the province mapping).

    The user must be allowed to change the customer and to write assignments in
    the target territory; ``territory=None`` un-assigns it.
    """
    env.check(CustomerTerritory, "write")
    if not env.allowed(customer, "read"):
        raise AccessDenied("customer not accessible")
    if territory is not None:
        env.get(Territory, territory.id)
        if territory.company_id != env.company_id:
            raise AccessDenied("territory of another company")
    current = current_assignment(env, customer.id)
    if current is not None and not env.allowed(current, "write"):
        raise AccessDenied("the customer's current territory is outside your scope")
    row = _set_territory(env, customer, territory.id if territory else None, "manual", on or today())
    if row is not None and not env.allowed(row, "write"):
        raise AccessDenied("the target territory is outside your scope")
    return row


def owner_reach(env: Env, territory_id: int) -> set[int]:
    """Employees who work in a territory, above it or below it (members and managers, now).

    The reach of a customer's territory: its own people, those of the territories
    above it (who answer for it) and below it (who work part of it). An empty set
    means nobody works there yet.
    """
    elevated = env.sudo()  # sudo: the organisation applies whoever saves the customer
    around = select(territory_closure.c.ancestor_id).where(territory_closure.c.descendant_id == territory_id).union(
        select(territory_closure.c.descendant_id).where(territory_closure.c.ancestor_id == territory_id)
    )
    members = set(elevated.scalars(elevated.select(TerritoryMember, TerritoryMember.employee_id).where(
        TerritoryMember.territory_id.in_(around), TerritoryMember.date_to.is_(None))))
    managers = set(elevated.scalars(elevated.select(Territory, Territory.manager_id).where(
        Territory.id.in_(around), Territory.manager_id.is_not(None))))
    return members | managers


def check_owner_reach(env: Env, customer: Customer) -> None:
    """Refuse an owner (销售员) who works outside the customer's territory reach (:func:`owner_reach`).

    Raises :class:`ValidationError` on ``owner_id`` in the user's language; a
    customer without a territory, or a territory nobody works in yet, takes any owner.
    """
    if customer.owner_id is None:
        return
    current = current_assignment(env, customer.id)
    if current is None:
        return
    reach = owner_reach(env, current.territory_id)
    if reach and customer.owner_id not in reach:
        territory = env.sudo().get(Territory, current.territory_id)
        message = _("The owner must work in the customer's territory %(territory)s, above it or below it.",
                    territory=str(territory) if territory is not None else current.territory_id)
        raise ValidationError(message, {"owner_id": message})


def territory_of(env: Env, customer_id: int, on: dt.date | None = None) -> int | None:
    """The customer's territory now or on a past date (attribution of past sales)."""
    stmt = env.select(CustomerTerritory, "read", CustomerTerritory.territory_id).where(
        CustomerTerritory.customer_id == customer_id
    )
    if on is None:
        stmt = stmt.where(CustomerTerritory.date_to.is_(None))
    else:
        stmt = stmt.where(
            CustomerTerritory.date_from <= on,
            (CustomerTerritory.date_to.is_(None)) | (CustomerTerritory.date_to > on),
        )
    return env.scalar(stmt.order_by(CustomerTerritory.date_from.desc()).limit(1))


# ----- people ------------------------------------------------------------------------------
def move_member(
    env: Env,
    employee: Employee,
    territory: Territory,
    role: str = "salesperson",
    on: dt.date | None = None,
) -> TerritoryMember:
    """Move (or add) an employee to a territory: the current membership is closed, history kept."""
    env.check(TerritoryMember, "create")
    on = on or today()
    current = env.search(
        TerritoryMember,
        TerritoryMember.employee_id == employee.id,
        TerritoryMember.date_to.is_(None),
        TerritoryMember.role == role,
    )
    for row in current:
        if row.territory_id == territory.id:
            return row
        env.write(row, {"date_to": on})
    return env.create(
        TerritoryMember,
        {"employee_id": employee.id, "territory_id": territory.id, "role": role, "date_from": on},
    )


def member_history(env: Env, employee_id: int) -> list[TerritoryMember]:
    """All memberships of an employee the user may read, oldest first."""
    return env.search(
        TerritoryMember,
        TerritoryMember.employee_id == employee_id,
        order_by=[TerritoryMember.date_from, TerritoryMember.id],
    )


def move_territory(env: Env, territory: Territory, new_parent: Territory | None) -> None:
    """Move a territory (and its subtree) under another one; the closure follows."""
    if new_parent is not None and new_parent.id == territory.id:
        raise ValidationError("a territory cannot be its own parent", {"parent_id": "cycle"})
    env.write(territory, {"parent_id": new_parent.id if new_parent else None})


def hand_over_territories(env: Env, from_employee: Employee, to_employee: Employee, on: dt.date | None = None) -> dict[str, int]:
    """Successor takes over managed territories and current memberships (history kept)."""
    on = on or today()
    elevated = env.sudo()  # sudo: the handover moves another person's territories (masterdata checked it)
    managed = elevated.search(Territory, Territory.manager_id == from_employee.id)
    for terr in managed:
        terr.manager_id = to_employee.id
        env.audit("territories_territory", terr.id, "update", {"manager_id": [from_employee.id, to_employee.id]})
    rows = elevated.search(
        TerritoryMember, TerritoryMember.employee_id == from_employee.id, TerritoryMember.date_to.is_(None)
    )
    for row in rows:
        row.date_to = on
        env.audit("territories_member", row.id, "update", {"date_to": [None, on.isoformat()]})
        if not _is_member(env, to_employee, row.territory_id, row.role):
            env.session.add(  # system write past the member rules, like the moves above
                TerritoryMember(
                    company_id=env.company_id,
                    employee_id=to_employee.id,
                    territory_id=row.territory_id,
                    role=row.role,
                    date_from=on,
                    created_by_id=env.user_id,
                    updated_by_id=env.user_id,
                )
            )
    env.session.flush()
    return {"territories_territory": len(managed), "territories_member": len(rows)}


def _is_member(env: Env, employee: Employee, territory_id: int, role: str) -> bool:
    """Whether the employee currently works in the territory in that role (whatever the rules)."""
    elevated = env.sudo()
    found = elevated.scalar(
        elevated.select(TerritoryMember, TerritoryMember.id).where(
            TerritoryMember.employee_id == employee.id,
            TerritoryMember.territory_id == territory_id,
            TerritoryMember.role == role,
            TerritoryMember.date_to.is_(None),
        )
    )
    return found is not None


def auto_assign_bulk(env: Env, customer_ids: list[int], on: dt.date | None = None) -> int:
    """Assign many new customers (no current assignment yet) from the mapping; a few queries."""
    on = on or today()
    # sudo: imported rows are assigned by the company's mapping (the importer checked the create rule)
    elevated = env.sudo()
    mapping: dict[tuple[str, str | None], int] = {
        (p, c): t
        for p, c, t in elevated.execute(
            elevated.select(
                ProvinceMapping, ProvinceMapping.province, ProvinceMapping.city, ProvinceMapping.territory_id
            ).where(ProvinceMapping.active.is_(True))
        )
    }
    if not mapping:
        return 0
    wanted = set(customer_ids)
    stmt = elevated.select(Customer, Customer.id, Customer.province, Customer.city).where(
        Customer.province.is_not(None)
    )
    if len(wanted) < 1000:
        stmt = stmt.where(Customer.id.in_(wanted))
    rows = []
    base = _row_stamp(env, on)
    for cid, province, city in elevated.execute(stmt):
        tid = mapping.get((province, city)) or mapping.get((province, None))
        if cid in wanted and tid is not None:
            rows.append({**base, "customer_id": cid, "territory_id": tid})
    bulk_insert(env.session, CustomerTerritory.__table__, rows)  # a write: COPY / executemany
    return len(rows)


def _row_stamp(env: Env, on: dt.date) -> dict[str, Any]:
    """The bookkeeping columns of an automatic assignment row written in bulk."""
    stamp = utcnow()
    return {
        "company_id": env.company_id,
        "source": "auto",
        "date_from": on,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by_id": env.user_id,
        "updated_by_id": env.user_id,
        "version": 1,
        "active": True,
    }


def record_label(env: Env, model: str, res_id: int) -> str | None:
    """The name of a territory for audit and explanations (None for other models)."""
    if model != "territories_territory":
        return None
    # sudo: audit history and explanations name the records they mention, whatever the rules
    obj = env.sudo().get(Territory, res_id)
    return str(obj) if obj is not None else None


#: groups that see every territory of the company (a report's filter offers them all)
ALL_TERRITORY_GROUPS = ("core.group_director", "core.group_general_manager", "core.group_marketing_admin")


def reachable_territories(env: Env, all_groups: tuple[str, ...] = ALL_TERRITORY_GROUPS) -> set[int] | None:
    """Territories the user may filter a report on; ``None``: all of them.

    Everything for administrators and for ``all_groups`` (a report may add
    finance or the committee); otherwise the territories the user manages with
    everything below them, and the ones they work in. Read from the user's own
    context values (``managed_territory_ids``, ``member_territory_ids``); the
    territory tree itself is public. Reports of other addons call it when
    territories is enabled (``env.enabled``), importing it inside the check.
    """
    if env.user_id is None or env.user.is_admin or env.in_group(*all_groups):
        return None
    ctx = env.context
    managed, member = ctx.get("managed_territory_ids"), ctx.get("member_territory_ids")
    out: set[int] = set()
    if managed is not None:
        out |= set(env.sudo().scalars(subtree_query(managed)))
    if member is not None:
        out |= set(env.sudo().scalars(member)) if hasattr(member, "subquery") else set(member)
    return out
