"""The missing-monthly-card reminder: a periodic job on the 3rd of each month (``crm_cards.card_reminder``).

For the month before the run (the job's period, ``2026-11`` for a run on 3
December), each salesperson owning active customers without that month's card
gets one notification ``crm_cards.card_missing`` (how many, the first names),
and every manager above them in the reporting line one summary
``crm_cards.card_missing_team`` (how many in the team, by salesperson). The
kernel runs a period once per company (``core_job_run``), so a second run of
the same period, by another worker or by hand, notifies nobody again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from addons.crm_cards.services.cards import missing_monthly_query
from addons.crm_cards.services.helpers import last_month
from addons.masterdata.models import Customer, Employee
from core.notifications import notify

#: customers named in a salesperson's notification (the count says how many in all)
NAMED = 5


def period_month(period: str | None) -> dt.date:
    """The month a run is for: its period ``YYYY-MM``, else last month."""
    if period:
        year, month = period.split("-")[:2]
        return dt.date(int(year), int(month), 1)
    return last_month()


def _managers(employees: dict[int, Employee], employee_id: int) -> list[Employee]:
    """Every manager above an employee, nearest first (a cycle in the data stops the walk)."""
    out, seen = [], {employee_id}
    current = employees.get(employee_id)
    while current is not None and current.manager_id and current.manager_id not in seen:
        seen.add(current.manager_id)
        current = employees.get(current.manager_id)
        if current is not None:
            out.append(current)
    return out


def remind_missing_cards(ctx: Any) -> dict[str, int]:
    """Notify salespeople and their managers of last month's missing cards (one company, one period)."""
    env = ctx.env
    month = period_month(ctx.period)
    label = f"{month.year:04d}-{month.month:02d}"
    stmt = missing_monthly_query(env, month).with_only_columns(Customer.owner_id, Customer.name_zh)
    by_owner: dict[int, list[str]] = defaultdict(list)
    for owner_id, name in env.execute(stmt.order_by(Customer.name_zh, Customer.id)):
        if owner_id is not None:
            by_owner[owner_id].append(name)
    employees = {e.id: e for e in env.scalars(env.select(Employee))}
    team: dict[int, dict[str, int]] = defaultdict(dict)  # manager user -> {salesperson name: count}
    owners = sorted(by_owner)
    sent = 0
    for done, owner_id in enumerate(owners):
        ctx.progress(done, len(owners), label)
        owner = employees.get(owner_id)
        if owner is None:
            continue
        names = by_owner[owner_id]
        if owner.user_id:
            notify(env, [owner.user_id], "crm_cards.card_missing", month=label, count=len(names),
                   customers="、".join(names[:NAMED]) + ("…" if len(names) > NAMED else ""))
            sent += 1
        for manager in _managers(employees, owner_id):
            if manager.user_id:
                team[manager.user_id][owner.name_zh] = len(names)
    for user_id, counts in sorted(team.items()):
        notify(env, [user_id], "crm_cards.card_missing_team", month=label, count=sum(counts.values()),
               salespeople="、".join(f"{name} ({n})" for name, n in sorted(counts.items())))
    ctx.progress(len(owners), len(owners), label)
    return {"salespeople": sent, "managers": len(team)}
