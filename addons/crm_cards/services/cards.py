"""Strategy cards and monthly cards: values, saving, approval steps, missing cards, risk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, exists, func, or_, select

from addons.crm_cards.models import (
    CLASS_CODES,
    ActionItem,
    CustomerProfile,
    KeyAccount,
    KeyAccountPlan,
    MonthlyCard,
    StrategyCard,
)
from addons.crm_cards.services.helpers import (
    ZERO,
    _raise,
    as_date,
    current_employee_id,
    customer,
    last_month,
    month_start,
    to_decimal,
)
from addons.crm_cards.services.profiles import _touch_profile, profile
from addons.crm_cards.workflows import MONTHLY, STRATEGY
from addons.masterdata.models import Customer, Employee
from core.errors import ValidationError
from core.i18n import _
from core.security import approvals

if TYPE_CHECKING:
    from core.security.env import Env

# ----- strategy cards --------------------------------------------------------------------
STRATEGY_FIELDS = ("goals", "opportunities", "difficulties", "strategy", "resources_people", "budget", "owner_id", "class_code")
STRATEGY_EDITABLE = ("draft", "rejected")


def _strategy_values(values: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    unknown = set(values) - set(STRATEGY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown field: %(name)s", name=sorted(unknown)[0]))
    out = dict(values)
    if "budget" in out:
        out["budget"] = to_decimal(out["budget"], "budget", errors)
    if out.get("class_code") not in (None, *CLASS_CODES):
        errors["class_code"] = _("Choose a class among A, B, C and D.")
    return out


def create_strategy(
    env: Env,
    customer_id: int,
    year: int,
    values: Mapping[str, Any] | None = None,
    actions: Iterable[Mapping[str, Any]] = (),
) -> StrategyCard:
    """Create the strategy card of a customer for a year, with its action plan."""
    customer(env, customer_id)
    errors: dict[str, str] = {}
    data = _strategy_values(values or {}, errors)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("Enter a year between 2000 and 2100.")
    action_rows = [_action_values(a, errors) for a in actions]
    # one card per customer and year, whoever owns the other one
    if env.sudo().count(StrategyCard, StrategyCard.customer_id == customer_id, StrategyCard.year == year):
        errors["year"] = _("This customer already has a strategy card for %(year)s.", year=year)
    _raise(errors)
    prof = profile(env, customer_id, create=False)
    data.setdefault("class_code", prof.class_code if prof else None)
    data.setdefault("owner_id", current_employee_id(env))
    card = env.create(StrategyCard, {"customer_id": customer_id, "year": year, **data})
    for row in action_rows:
        env.create(ActionItem, {"customer_id": customer_id, "strategy_id": card.id, **row})
    return card


def update_strategy(
    env: Env, card: StrategyCard, values: Mapping[str, Any], expected_version: int | None = None
) -> dict:
    """Change a strategy card (only while draft or rejected)."""
    if card.state not in STRATEGY_EDITABLE:
        raise ValidationError(_("This card is waiting for approval or approved: revise it first."))
    errors: dict[str, str] = {}
    data = _strategy_values(values, errors)
    _raise(errors)
    return env.write(card, data, expected_version=expected_version)


def _action_values(values: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    text = str(values.get("text") or "").strip()
    due = as_date(values.get("due_date"))
    if not text:
        errors["text"] = _("Describe the action.")
    if not isinstance(due, dt.date):
        errors["due_date"] = _("Enter the action's date.")
    return {"text": text, "due_date": due, "owner_id": values.get("owner_id"), "done": bool(values.get("done", False))}


def add_action(env: Env, card: StrategyCard | KeyAccountPlan, values: Mapping[str, Any]) -> ActionItem:
    """Add a dated action with an owner to a strategy card or a key-account plan."""
    errors: dict[str, str] = {}
    data = _action_values(values, errors)
    _raise(errors)
    key = "strategy_id" if isinstance(card, StrategyCard) else "plan_id"
    return env.create(ActionItem, {"customer_id": card.customer_id, key: card.id, **data})


def complete_action(env: Env, action: ActionItem, done: bool = True, on: dt.date | None = None) -> None:
    """Mark an action done (or not done)."""
    env.write(action, {"done": done, "done_on": (on or dt.date.today()) if done else None})


def is_key_account(env: Env, customer_id: int) -> bool:
    """Whether the customer is a key account (screened and selected)."""
    # a fact about a customer the user reached, needed whatever the user's rights on screenings
    return bool(env.sudo().count(KeyAccount, KeyAccount.customer_id == customer_id, KeyAccount.status == "key"))


def submit_strategy(env: Env, card: StrategyCard, comment: str | None = None) -> str:
    """Submit a strategy card: to the territory manager, or to the Director for a key account."""
    name = "submit_key" if is_key_account(env, card.customer_id) else "submit"
    approvals.fire(env, STRATEGY, card, name, comment=comment)
    return card.state


def decide_strategy(env: Env, card: StrategyCard, approve: bool, comment: str | None = None) -> str:
    """Approve or reject a submitted strategy card (the kernel checks who may)."""
    if not approve and not (comment or "").strip():
        raise ValidationError(_("Give a reason when you reject."), {"comment": _("Required.")})
    key = card.state == "submitted_key"
    name = ("approve" if approve else "reject") + ("_key" if key else "")
    approvals.fire(env, STRATEGY, card, name, comment=comment)
    return card.state


def reopen_strategy(env: Env, card: StrategyCard, comment: str | None = None) -> str:
    """Bring an approved card back to draft to revise it (it must be approved again)."""
    approvals.fire(env, STRATEGY, card, "reopen", comment=comment)
    return card.state


# ----- monthly cards ---------------------------------------------------------------------
MONTHLY_MONEY = ("sales_plan", "sales_actual", "collections_plan", "collections", "overdue_amount", "credit_limit", "credit_used")
MONTHLY_TEXT = ("risks", "next_actions")
MONTHLY_EDITABLE = ("draft", "returned")


def _monthly_values(values: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    allowed = set(MONTHLY_MONEY) | set(MONTHLY_TEXT) | {"enthusiasm", "owner_id"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(_("Unknown field: %(name)s", name=sorted(unknown)[0]))
    out: dict[str, Any] = {}
    for name in MONTHLY_MONEY:
        if name in values:
            out[name] = to_decimal(values[name], name, errors)
    for name in MONTHLY_TEXT:
        if name in values:
            out[name] = (str(values[name]).strip() or None) if values[name] is not None else None
    if "enthusiasm" in values:
        try:
            score = int(values["enthusiasm"])
        except (TypeError, ValueError):
            score = 0
        if not 1 <= score <= 5:
            errors["enthusiasm"] = _("Score the enthusiasm from 1 to 5.")
        out["enthusiasm"] = score
    if "owner_id" in values:
        out["owner_id"] = values["owner_id"]
    return out


def save_monthly(
    env: Env,
    customer_id: int,
    month: dt.date,
    values: Mapping[str, Any],
    expected_version: int | None = None,
) -> MonthlyCard:
    """Create or update the monthly card of a customer for a month (first day stored)."""
    cust = customer(env, customer_id)
    errors: dict[str, str] = {}
    if not isinstance(month, dt.date):
        errors["month"] = _("Enter the month.")
    data = _monthly_values(values, errors)
    _raise(errors)
    month = month_start(month)
    # the card of the month, whoever may read it: env.get below refuses one out of reach
    card = env.sudo().scalar(
        env.sudo().select(MonthlyCard).where(MonthlyCard.customer_id == customer_id, MonthlyCard.month == month)
    )
    if card is None:
        if month > month_start(dt.date.today()):
            raise ValidationError(_("A monthly card cannot be filled for a future month."), {"month": _("Future month.")})
        data.setdefault("credit_limit", cust.credit_limit or ZERO)
        data.setdefault("owner_id", cust.owner_id or current_employee_id(env))
        data.setdefault("enthusiasm", 3)
        card = env.create(MonthlyCard, {"customer_id": customer_id, "month": month, **data})
    else:
        env.get(MonthlyCard, card.id)
        if card.state not in MONTHLY_EDITABLE:
            raise ValidationError(_("This monthly card was submitted: it can no longer be changed."))
        env.write(card, data, expected_version=expected_version)
    return card


def submit_monthly(env: Env, card: MonthlyCard, comment: str | None = None) -> str:
    """The owner submits the monthly card for review."""
    approvals.fire(env, MONTHLY, card, "submit", comment=comment)
    return card.state


def review_monthly(env: Env, card: MonthlyCard, accept: bool = True, comment: str | None = None) -> str:
    """The manager marks the card reviewed, or returns it with a comment."""
    if not accept and not (comment or "").strip():
        raise ValidationError(_("Say what must be corrected when you return a card."), {"comment": _("Required.")})
    approvals.fire(env, MONTHLY, card, "review" if accept else "return", comment=comment)
    return card.state


def missing_monthly_query(
    env: Env,
    month: dt.date | None = None,
    owner_only: bool = False,
    statuses: Iterable[str] = ("active",),
) -> Select:
    """Customers of the user with no monthly card for ``month`` (default: last month).

    One SQL statement: the customer rules (``env.select``) AND ``NOT EXISTS`` a
    card for that month (the unique index ``(customer_id, month)`` serves it).
    ``owner_only`` keeps the customers the user owns (a manager's own list).
    """
    month = month_start(month) if month else last_month()
    stmt = env.select(Customer).where(
        Customer.active.is_(True),
        Customer.status.in_(list(statuses)),
        ~exists().where(MonthlyCard.customer_id == Customer.id, MonthlyCard.month == month),
    )
    if owner_only:
        stmt = stmt.where(
            Customer.owner_id.in_(
                select(Employee.id).where(Employee.user_id == env.user_id, Employee.company_id == env.company_id)
            )
        )
    return stmt


def missing_monthly_cards(
    env: Env, month: dt.date | None = None, owner_only: bool = False, limit: int | None = None
) -> list[Customer]:
    """The customers of :func:`missing_monthly_query`, by name."""
    stmt = missing_monthly_query(env, month, owner_only).order_by(Customer.name_zh, Customer.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(env.scalars(stmt))


#: below this many rows, the first page is taken from the filtered ids (fast when a user
#: sees few customers); above, in name order with the filter checked along the way
SMALL_SET = 500


def missing_monthly_page(
    env: Env, month: dt.date | None = None, owner_only: bool = False, limit: int = 50
) -> tuple[int, list[Customer]]:
    """``(how many customers miss the card, the first page of them by name)``: two SQL queries.

    On SQLite the page query is shaped by the count: for a small set (a
    salesperson's customers) it sorts the matching ids; for a large one (a
    director's) it walks the name index and stops after ``limit`` rows.
    SQLite's planner cannot tell the two apart by itself (a salesperson's page
    took 0.8 s at 100,000 customers, 30 ms shaped); PostgreSQL's can.
    """
    total = count_missing_monthly(env, month, owner_only)
    stmt = missing_monthly_query(env, month, owner_only)
    run = env.scalars
    if total <= SMALL_SET and env.session.get_bind().dialect.name == "sqlite":
        # the ids come from the user's checked query; repeating the rules outside would undo the plan
        ids = stmt.with_only_columns(Customer.id)
        stmt, run = env.sudo().select(Customer).where(Customer.id.in_(ids)), env.sudo().scalars
    rows = list(run(stmt.order_by(Customer.name_zh, Customer.id).limit(limit))) if total else []
    return total, rows


def count_missing_monthly(env: Env, month: dt.date | None = None, owner_only: bool = False) -> int:
    """How many customers miss their monthly card (one SQL query)."""
    sub = missing_monthly_query(env, month, owner_only).with_only_columns(Customer.id).subquery()
    return int(env.scalar(select(func.count()).select_from(sub)) or 0)


def refresh_risk(env: Env, customer_id: int) -> CustomerProfile:
    """Set the profile's risk flags from the customer's latest monthly card."""
    # runs after any monthly card is saved, by whoever saved it: the latest card decides
    latest = env.sudo().scalar(
        env.sudo().select(MonthlyCard)
        .where(MonthlyCard.customer_id == customer_id)
        .order_by(MonthlyCard.month.desc())
        .limit(1)
    )
    over = bool(latest and latest.over_credit)
    overdue = bool(latest and (latest.overdue_amount or ZERO) > 0)
    return _touch_profile(env, customer_id, over_credit=over, overdue=overdue)


def risk_customers(env: Env) -> list[tuple[Customer, CustomerProfile]]:
    """Readable customers flagged over credit or with overdue collections."""
    stmt = (
        env.select(Customer).add_columns(CustomerProfile)
        .join(CustomerProfile, CustomerProfile.customer_id == Customer.id)
        .where(or_(CustomerProfile.over_credit.is_(True), CustomerProfile.overdue.is_(True)))
        .order_by(Customer.name_zh)
    )
    return [(c, p) for c, p in env.execute(stmt)]
