"""Information collection plans and the daily reminder job (``market_info.reminders``).

A plan's item is due on ``next_due``; it is *collected* when the plan has a
record (price observation, note, technical need) dated within the item's
window ``(next_due - one period, next_due]``. Each day the job:

* advances ``next_due`` of the collected items whose day has passed;
* reminds the collector (``market_info.item_due``) once per item when it is due
  within ``remind_days`` and not collected yet;
* flags an item not collected by its day as overdue (``overdue_for``) and tells
  the collector and the aggregator once (``market_info.item_overdue``).

The kernel runs a day's period once per company, and ``reminded_for`` /
``overdue_for`` keep a second run from notifying anyone again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from addons.masterdata.models import Employee
from core.i18n import N_
from core.notifications import notify

from ..models import (
    CHANNEL,
    FREQUENCY,
    KIND,
    CollectionPlan,
    Note,
    PlanRecipient,
    PriceObservation,
    TechNeed,
)
from .common import choice, fail, parse_date, required_text, step, today

if TYPE_CHECKING:
    from core.security.env import Env

RECORDS = ((PriceObservation, PriceObservation.observed_on), (Note, Note.noted_on), (TechNeed, TechNeed.noted_on))


def _id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(getattr(value, "id", value))


def create_plan(env: Env, name: str, kind: str, collector: Any, next_due: Any, *, channel: str = "visit",
                frequency: str = "monthly", aggregator: Any = None, analysis: str | None = None,
                recipients: Iterable[Any] = (), roles: Iterable[str] = (), remind_days: int = 2) -> CollectionPlan:
    """A collection plan; ``recipients`` employees (ids or records), ``roles`` group codes."""
    text = required_text(env, name, "name", N_("The name is required."))
    key = choice(env, kind, KIND, "kind")
    chan = choice(env, channel, CHANNEL, "channel")
    freq = choice(env, frequency, FREQUENCY, "frequency")
    due = parse_date(env, next_due, "next_due", N_("The date is required."))
    collector_id = _id(collector)
    if collector_id is None:
        raise fail(env, N_("The collector is required."), "collector_id")
    env.get(Employee, collector_id)
    aggregator_id = _id(aggregator)
    if aggregator_id is not None:
        env.get(Employee, aggregator_id)
    emp_ids = [_id(e) for e in recipients]
    for eid in emp_ids:
        env.get(Employee, eid)
    codes = [str(c).strip() for c in roles if str(c).strip()]
    from core.models.security import Group

    # the role catalogue is the kernel's: every code must be a real group
    known = set(env.sudo().scalars(select(Group.code).where(Group.code.in_(codes or ["-"]))))
    for code in codes:
        if code not in known:
            raise fail(env, N_("Unknown value: %(value)s."), "roles", value=code)
    if int(remind_days) < 0:
        raise fail(env, N_("The number of days cannot be negative."), "remind_days")
    plan = env.create(CollectionPlan, {"name": text, "kind": key, "collector_id": collector_id, "channel": chan,
                             "frequency": freq, "aggregator_id": aggregator_id, "analysis": analysis,
                             "next_due": due, "remind_days": int(remind_days)})
    for eid in emp_ids:
        env.create(PlanRecipient, {"plan_id": plan.id, "employee_id": eid})
    for code in codes:
        env.create(PlanRecipient, {"plan_id": plan.id, "group_code": code})
    return plan


def window(plan: CollectionPlan) -> tuple[dt.date, dt.date]:
    """The days whose records collect the plan's current item."""
    return step(plan.next_due, plan.frequency, -1) + dt.timedelta(days=1), plan.next_due


def collected(env: Any, plan: CollectionPlan) -> bool:
    """Whether the plan has a record dated in its current item's window (read past the rules: the job's check)."""
    start, end = window(plan)
    for model, day in RECORDS:
        if env.sudo().count(model, model.plan_id == plan.id, day >= start, day <= end):
            return True
    return False


def recipient_user_ids(env: Any, plan: CollectionPlan) -> set[int]:
    """Users of the plan's recipients: the employees named, and the company's members of the roles named."""
    from core.models.security import Group, User, group_implied, user_company, user_group

    out: set[int] = set()
    # the plan's own recipients, whoever issues (the aggregator cannot read everyone's employee record)
    rows = env.sudo().search(PlanRecipient, PlanRecipient.plan_id == plan.id)
    emp_ids = [r.employee_id for r in rows if r.employee_id]
    codes = {r.group_code for r in rows if r.group_code}
    if emp_ids:
        out |= {e.user_id for e in env.sudo().search(Employee, Employee.id.in_(emp_ids)) if e.user_id}
    if codes:
        # the kernel's role catalogue: a role and every role implying it (a director is also a manager)
        ids = set(env.sudo().scalars(select(Group.id).where(Group.code.in_(codes))))
        frontier = set(ids)
        while frontier:
            parents = set(env.sudo().scalars(
                select(group_implied.c.group_id).where(group_implied.c.implied_id.in_(frontier))))
            frontier = parents - ids
            ids |= frontier
        members = select(user_group.c.user_id).where(user_group.c.group_id.in_(ids or {-1}))
        in_company = select(user_company.c.user_id).where(user_company.c.company_id == env.company_id)
        out |= set(env.sudo().scalars(select(User.id).where(User.active.is_(True), User.id.in_(members),
                                                             User.id.in_(in_company))))
    return out


def _user_of(env: Any, employee_id: int | None) -> int | None:
    if employee_id is None:
        return None
    employee = env.sudo().get(Employee, employee_id)  # the plan's people, named by the plan
    return employee.user_id if employee is not None else None


def run_reminders(env: Any, on: dt.date) -> dict[str, int]:
    """One day's pass over the active plans (see the module's docstring); returns what it did."""
    done = {"advanced": 0, "reminded": 0, "overdue": 0}
    # the job's pass over every plan of the company, whoever collects it
    for plan in env.sudo().search(CollectionPlan, CollectionPlan.active.is_(True), order_by=[CollectionPlan.id]):
        is_collected = collected(env, plan)
        while is_collected and plan.next_due < on:
            env.write(plan, {"next_due": step(plan.next_due, plan.frequency), "last_collected_on": on,
                             "reminded_for": None, "overdue_for": None})
            done["advanced"] += 1
            is_collected = collected(env, plan)
        if is_collected:
            continue
        label = KIND[plan.kind] if plan.kind in KIND else plan.kind
        if plan.next_due < on and plan.overdue_for != plan.next_due:
            users = {_user_of(env, plan.collector_id), _user_of(env, plan.aggregator_id)}
            notify(env, users, "market_info.item_overdue", plan, plan=plan.name, kind=label,
                   due=plan.next_due.isoformat())
            env.write(plan, {"overdue_for": plan.next_due})
            done["overdue"] += 1
        elif (plan.next_due >= on and (plan.next_due - on).days <= plan.remind_days
              and plan.reminded_for != plan.next_due):
            notify(env, [_user_of(env, plan.collector_id)], "market_info.item_due", plan, plan=plan.name,
                   kind=label, due=plan.next_due.isoformat())
            env.write(plan, {"reminded_for": plan.next_due})
            done["reminded"] += 1
    return done


def remind_job(ctx: Any) -> dict[str, int]:
    """The job's function: the run's day (its period ``YYYY-MM-DD``), else the company's today."""
    on = dt.date.fromisoformat(ctx.period[:10]) if ctx.period else today(ctx.env)
    return run_reminders(ctx.env, on)


def day_period(scheduled_at: dt.datetime) -> str:
    """The period of a daily run: its day in China (UTC+8), ``2026-12-03``."""
    return (scheduled_at.astimezone(dt.UTC) + dt.timedelta(hours=8)).date().isoformat()


def pending_items(env: Env, on: dt.date | None = None) -> dict[str, list[CollectionPlan]]:
    """The user's items to collect (due within the reminder days, not collected) and the overdue ones."""
    from addons.masterdata.services import current_employee

    me = current_employee(env)
    out: dict[str, list[CollectionPlan]] = {"due": [], "overdue": []}
    if me is None or not env.can(CollectionPlan, "read"):
        return out
    on = on or today(env)
    for plan in env.search(CollectionPlan, CollectionPlan.collector_id == me.id, CollectionPlan.active.is_(True), order_by=[CollectionPlan.next_due]):
        if (plan.next_due - on).days > plan.remind_days or collected(env, plan):
            continue
        out["overdue" if plan.next_due < on else "due"].append(plan)
    return out
