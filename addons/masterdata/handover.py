"""Handover (交接): a leaving salesperson's customers, open work and archives go to a successor.

One call, one transaction (the caller's): customers owned by the leaving
employee (archived ones included: archives must survive staff turnover) move
to the successor, their direct reports get the successor as manager, every
other addon enabled for the company moves its own records through the
``tixi_handover`` hook, and the audit trail records each customer's new owner
plus one summary entry on the leaving employee.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from addons.masterdata.models import Customer, Employee
from addons.masterdata.services import current_employee
from core.db import utcnow
from core.errors import AccessDenied, ValidationError
from core.i18n import N_, current_lang, translate

if TYPE_CHECKING:
    from core.security.env import Env


def china_today() -> dt.date:
    """Today in China (business dates are Asia/Shanghai)."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


# Groups that may hand over anybody's customers; managers may hand over their subordinates'.
HANDOVER_GROUPS = ("core.group_director", "core.group_marketing_admin", "core.group_admin")


def may_hand_over(env: Env, employee: Employee) -> bool:
    """Directors, marketing admins and admins always; a manager for people below them."""
    if env.user.is_admin or env.in_group(*HANDOVER_GROUPS):
        return True
    me = current_employee(env)
    if me is None or me.id == employee.id:
        return False
    closure = Employee.__tixi_closure__
    row = env.execute(  # the closure table holds ids only: no rule applies to it
        select(closure.c.depth).where(closure.c.ancestor_id == me.id, closure.c.descendant_id == employee.id)
    ).first()
    return row is not None


#: who can take over a salesperson's customers: salespeople and territory managers, not finance or the GM
SUCCESSOR_POSITIONS = ("salesperson", "territory_manager")


def successor_candidates(env: Env, from_employee: Employee) -> list[Employee]:
    """The people who may sensibly take over ``from_employee``'s customers, by name.

    Active salespeople and territory managers other than the leaver, within the
    user's reach (everyone for directors, marketing admins and admins; a manager's
    own team and himself otherwise) and, when territories are enabled and the
    leaver works in one, only the people of the leaver's territories (members and
    managers of those territories, above or below them).
    """
    stmt = env.select(Employee).where(
        Employee.active.is_(True), Employee.date_left.is_(None), Employee.id != from_employee.id,
        Employee.position.in_(SUCCESSOR_POSITIONS),
    )
    people = list(env.scalars(stmt.order_by(Employee.name_zh)))
    if not (env.user.is_admin or env.in_group(*HANDOVER_GROUPS)):
        me = current_employee(env)
        closure = Employee.__tixi_closure__
        team = set(env.scalars(select(closure.c.descendant_id).where(closure.c.ancestor_id == me.id))) if me else set()
        team |= {me.id} if me else set()
        people = [e for e in people if e.id in team]
    reach = _territory_reach(env, from_employee)
    if reach:
        people = [e for e in people if e.id in reach]
    return people


def _territory_reach(env: Env, employee: Employee) -> set[int]:
    """People of the territories the employee works in or manages, above or below them, now.

    Empty when the employee works in no territory or territories is not enabled
    (an optional neighbour: its tables are found through the registry, its
    modules are not imported). Like territories' ``owner_reach``: members
    and managers of those territories, their ancestors and descendants.
    """
    if "territories" not in env.enabled:
        return set()
    territory = env.registry.model("territories_territory")
    member = env.registry.model("territories_member")
    closure = territory.__tixi_closure__
    elevated = env.sudo()  # sudo: the organisation, whatever the user's rights on territories
    mine = set(elevated.scalars(elevated.select(member, member.territory_id).where(
        member.employee_id == employee.id, member.date_to.is_(None))))
    mine |= set(elevated.scalars(elevated.select(territory, territory.id).where(territory.manager_id == employee.id)))
    if not mine:
        return set()
    around = select(closure.c.ancestor_id).where(closure.c.descendant_id.in_(mine)).union(
        select(closure.c.descendant_id).where(closure.c.ancestor_id.in_(mine))
    )
    members = set(elevated.scalars(elevated.select(member, member.employee_id).where(
        member.territory_id.in_(around), member.date_to.is_(None))))
    managers = set(elevated.scalars(elevated.select(territory, territory.manager_id).where(
        territory.id.in_(around), territory.manager_id.is_not(None))))
    return members | managers


def handover_preview(env: Env, from_employee: Employee) -> dict[str, Any]:
    """What a handover of ``from_employee`` would move, before it runs: customers (the list), reports.

    The same definition as :func:`handover`: every customer owned by the person,
    archived ones included.
    """
    elevated = env.sudo()  # sudo: the leaver's customers, whoever may see them today (may_hand_over checked)
    customers = list(elevated.execute(
        elevated.select(Customer, Customer.id, Customer.name_zh, Customer.active)
        .where(Customer.owner_id == from_employee.id).order_by(Customer.name_zh)
    ).all())
    reports = elevated.count(Employee, Employee.manager_id == from_employee.id)
    return {
        "customers": customers,
        "customer_count": len(customers),
        "archived_count": sum(1 for c in customers if not c.active),
        "report_count": reports,
    }


def handover(
    env: Env,
    from_employee: Employee,
    to_employee: Employee,
    move_reports: bool = True,
    leaving_on: dt.date | None = None,
) -> dict[str, int]:
    """Move everything of ``from_employee`` to ``to_employee``; returns counts per kind."""
    _check_handover(env, from_employee, to_employee)
    counts = {"masterdata_customer": _move_customers(env, from_employee, to_employee)}
    if move_reports:
        counts["masterdata_employee"] = _move_reports(env, from_employee, to_employee)
    for part in env.hooks.tixi_handover(env=env, from_employee=from_employee, to_employee=to_employee):
        for key, value in (part or {}).items():
            counts[key] = counts.get(key, 0) + int(value)

    if from_employee.date_left is None:
        from_employee.date_left = leaving_on or china_today()
    env.session.flush()  # write of the leaving date above (Env has no flush of its own)
    env.audit(
        "masterdata_employee",
        from_employee.id,
        "handover",
        {"successor_id": [from_employee.id, to_employee.id], "moved": counts},
    )
    return counts


def _check_handover(env: Env, from_employee: Employee, to_employee: Employee) -> None:
    """Refuse a handover across companies, to oneself, to a leaver, or of someone out of reach."""
    lang = current_lang(env)
    env.check(Customer, "read")
    for emp in (from_employee, to_employee):
        if emp.company_id != env.company_id:
            raise AccessDenied(translate(N_("This employee belongs to another company."), lang))
    if from_employee.id == to_employee.id:
        raise ValidationError(
            translate(N_("The successor must be another person."), lang), {"to_employee": "same"}
        )
    if not to_employee.active or to_employee.date_left is not None:
        raise ValidationError(
            translate(N_("The successor %(name)s has left the company."), lang, name=to_employee.name_zh),
            {"to_employee": "inactive"},
        )
    if not may_hand_over(env, from_employee):
        raise AccessDenied(translate(N_("You may not hand over this person's customers."), lang))


def _move_customers(env: Env, from_employee: Employee, to_employee: Employee) -> int:
    """Every customer of the leaving person (archived ones too) to the successor, audited one by one."""
    elevated = env.sudo()  # sudo: the handover moves another person's records (checked above)
    ids = list(elevated.scalars(elevated.select(Customer, Customer.id).where(Customer.owner_id == from_employee.id)))
    now = utcnow()
    for chunk in range(0, len(ids), 500):
        elevated.execute(
            update(Customer)
            .where(Customer.id.in_(ids[chunk : chunk + 500]))
            .values(owner_id=to_employee.id, updated_at=now, updated_by_id=env.user_id, version=Customer.version + 1)
            .execution_options(synchronize_session="fetch")
        )
    for cid in ids:
        env.audit("masterdata_customer", cid, "update", {"owner_id": [from_employee.id, to_employee.id]})
    return len(ids)


def _move_reports(env: Env, from_employee: Employee, to_employee: Employee) -> int:
    """The leaving person's direct reports get the successor (or, for the successor, their manager)."""
    # sudo: the reports are moved whatever the user's rights on employees (checked above)
    reports = env.sudo().search(Employee, Employee.manager_id == from_employee.id)
    for emp in reports:
        emp.manager_id = from_employee.manager_id if emp.id == to_employee.id else to_employee.id
        env.session.flush()  # the closure table follows each move
        env.audit("masterdata_employee", emp.id, "update", {"manager_id": [from_employee.id, emp.manager_id]})
    return len(reports)
