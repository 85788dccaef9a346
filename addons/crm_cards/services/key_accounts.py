"""Key accounts: screening, the quadrant, key-account plans, goals and their progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select

from addons.crm_cards.models import KeyAccount, KeyAccountGoal, KeyAccountPlan
from addons.crm_cards.services.cards import is_key_account
from addons.crm_cards.services.helpers import (
    ZERO,
    _raise,
    as_date,
    current_employee_id,
    customer,
    to_decimal,
)
from addons.crm_cards.workflows import KA_PLAN
from addons.masterdata.models import Customer
from core.errors import ValidationError
from core.i18n import _
from core.security import approvals

if TYPE_CHECKING:
    from core.security.env import Env

# ----- key accounts ----------------------------------------------------------------------
KEY_THRESHOLD = Decimal("6")


def screen_key_account(
    env: Env,
    customer_id: int,
    attractiveness: Any,
    feasibility: Any,
    status: str | None = None,
    note: str | None = None,
) -> KeyAccount:
    """Score a customer's attractiveness and feasibility (0-10); ``status`` key/candidate/dropped.

    Without a status, both scores at or above 6 make the customer a candidate
    the Director can select (``status="key"``).
    """
    customer(env, customer_id)
    errors: dict[str, str] = {}
    att = to_decimal(attractiveness, "attractiveness", errors)
    fea = to_decimal(feasibility, "feasibility", errors)
    for name, val in (("attractiveness", att), ("feasibility", fea)):
        if val > 10:
            errors[name] = _("Scores go from 0 to 10.")
    if status not in (None, "candidate", "key", "dropped"):
        errors["status"] = _("Unknown status.")
    _raise(errors)
    # one screening per customer, whoever may read it: env.get below refuses one out of reach
    row = next(iter(env.sudo().search(KeyAccount, KeyAccount.customer_id == customer_id, limit=1)), None)
    values = {"attractiveness": att, "feasibility": fea, "note": note, "screened_on": dt.date.today()}
    if status is not None:
        values["status"] = status
    if row is None:
        row = env.create(KeyAccount, {"customer_id": customer_id, **values})
    else:
        env.get(KeyAccount, row.id)
        env.write(row, values)
    return row


def key_account_quadrant(row: KeyAccount) -> str:
    """``key`` (both high), ``develop`` (attractive, hard), ``maintain`` (easy, less attractive), ``low``."""
    high_a = row.attractiveness >= KEY_THRESHOLD
    high_f = row.feasibility >= KEY_THRESHOLD
    if high_a and high_f:
        return "key"
    if high_a:
        return "develop"
    if high_f:
        return "maintain"
    return "low"


def create_plan(
    env: Env,
    customer_id: int,
    year: int,
    values: Mapping[str, Any] | None = None,
    goals: Iterable[Mapping[str, Any]] = (),
) -> KeyAccountPlan:
    """Create the key-account plan of a key account for a year, with its stage goals."""
    customer(env, customer_id)
    errors: dict[str, str] = {}
    data = dict(values or {})
    unknown = set(data) - {"stage_goals", "strategy", "staffing", "budget", "owner_id"}
    if unknown:
        raise ValidationError(_("Unknown field: %(name)s", name=sorted(unknown)[0]))
    if "budget" in data:
        data["budget"] = to_decimal(data["budget"], "budget", errors)
    if not is_key_account(env, customer_id):
        errors["customer_id"] = _("Only a key account has a key-account plan.")
    goal_rows = [_goal_values(g, errors) for g in goals]
    # one plan per customer and year, whoever owns the other one
    if env.sudo().count(KeyAccountPlan, KeyAccountPlan.customer_id == customer_id, KeyAccountPlan.year == year):
        errors["year"] = _("This customer already has a plan for %(year)s.", year=year)
    _raise(errors)
    data.setdefault("owner_id", current_employee_id(env))
    plan = env.create(KeyAccountPlan, {"customer_id": customer_id, "year": year, **data})
    for row in goal_rows:
        env.create(KeyAccountGoal, {"customer_id": customer_id, "plan_id": plan.id, **row})
    return plan


def _goal_values(values: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    text = str(values.get("description") or "").strip()
    due = as_date(values.get("due_date"))
    if not text:
        errors["description"] = _("Describe the stage goal.")
    if not isinstance(due, dt.date):
        errors["due_date"] = _("Enter the goal's date.")
    out: dict[str, Any] = {"description": text, "due_date": due}
    if values.get("target_amount") not in (None, ""):
        out["target_amount"] = to_decimal(values["target_amount"], "target_amount", errors)
    return out


def add_goal(env: Env, plan: KeyAccountPlan, values: Mapping[str, Any]) -> KeyAccountGoal:
    """Add a stage goal to a plan."""
    errors: dict[str, str] = {}
    data = _goal_values(values, errors)
    _raise(errors)
    return env.create(KeyAccountGoal, {"customer_id": plan.customer_id, "plan_id": plan.id, **data})


def record_goal_progress(
    env: Env, goal: KeyAccountGoal, actual_amount: Any = None, done: bool | None = None
) -> KeyAccountGoal:
    """Record progress on a stage goal (amount achieved, done)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if actual_amount is not None:
        values["actual_amount"] = to_decimal(actual_amount, "actual_amount", errors)
    if done is not None:
        values["done"] = done
        values["done_on"] = dt.date.today() if done else None
    _raise(errors)
    env.write(goal, values)
    return goal


def submit_plan(env: Env, plan: KeyAccountPlan, comment: str | None = None) -> str:
    """Submit a key-account plan to the Director."""
    approvals.fire(env, KA_PLAN, plan, "submit", comment=comment)
    return plan.state


def decide_plan(env: Env, plan: KeyAccountPlan, approve: bool, comment: str | None = None) -> str:
    """The Director approves or rejects a key-account plan."""
    if not approve and not (comment or "").strip():
        raise ValidationError(_("Give a reason when you reject."), {"comment": _("Required.")})
    approvals.fire(env, KA_PLAN, plan, "approve" if approve else "reject", comment=comment)
    return plan.state


@dataclass
class PlanProgress:
    """Progress of a key-account plan against its stage goals."""

    plan: KeyAccountPlan
    goals_total: int
    goals_done: int
    goals_late: int
    target: Decimal
    actual: Decimal

    @property
    def behind(self) -> bool:
        """A goal is past its date and not done."""
        return self.goals_late > 0


def plan_progress(env: Env, plan: KeyAccountPlan, today: dt.date | None = None) -> PlanProgress:
    """Goals done, late, and amounts achieved against targets."""
    today = today or dt.date.today()
    goals = env.search(KeyAccountGoal, KeyAccountGoal.plan_id == plan.id)
    return PlanProgress(
        plan,
        len(goals),
        sum(1 for g in goals if g.done),
        sum(1 for g in goals if not g.done and g.due_date < today),
        sum((g.target_amount or ZERO for g in goals), ZERO),
        sum((g.actual_amount or ZERO for g in goals), ZERO),
    )


def behind_plan_query(env: Env, today: dt.date | None = None) -> Select:
    """Approved key-account plans of readable customers with a goal late (one SQL query).

    Rows: (plan, customer, number of late goals).
    """
    today = today or dt.date.today()
    late = (
        select(func.count(KeyAccountGoal.id))
        .where(
            KeyAccountGoal.plan_id == KeyAccountPlan.id,
            KeyAccountGoal.done.is_(False),
            KeyAccountGoal.due_date < today,
        )
        .correlate(KeyAccountPlan)
        .scalar_subquery()
    )
    return (
        env.select(KeyAccountPlan).add_columns(Customer, late.label("late"))
        .join(Customer, Customer.id == KeyAccountPlan.customer_id)
        .where(KeyAccountPlan.state == "approved", late > 0)
        .order_by(late.desc(), Customer.name_zh)
    )


def key_accounts_behind_plan(env: Env, today: dt.date | None = None, limit: int | None = None) -> list[tuple[KeyAccountPlan, Customer, int]]:
    """The plans of :func:`behind_plan_query`."""
    stmt = behind_plan_query(env, today)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(p, c, int(n)) for p, c, n in env.execute(stmt)]
