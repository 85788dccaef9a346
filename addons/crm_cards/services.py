"""Services of crm_cards: cards, approvals, classification, key accounts, stages, risk.

Every read goes through the kernel's :class:`~core.security.env.Env`
(``env.select``/``env.get``/``env.search``), so record rules apply in SQL; every
user change goes through ``env.create``/``env.write`` (rights, rules, audit,
events). Input is validated before anything is written; errors are
:class:`~core.errors.ValidationError` with a message in the user's language.

Derived values kept on :class:`~addons.crm_cards.models.CustomerProfile`
(current class, stage, key-account flag, risk flags) and the mirrored workflow
``state`` columns are bookkeeping of this addon, written directly in the same
transaction as the audited change that causes them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, or_, select

from addons.crm_cards.models import (
    CLASS_CODES,
    ActionItem,
    ClassAssessment,
    ClassCriteria,
    ClassPolicy,
    ClassProposal,
    ClassReview,
    CustomerClass,
    CustomerProfile,
    CustomerStage,
    DevelopmentStage,
    KeyAccount,
    KeyAccountGoal,
    KeyAccountPlan,
    MonthlyCard,
    StrategyCard,
)
from addons.crm_cards.workflows import CLASS_CHANGE, KA_PLAN, MONTHLY, STRATEGY
from addons.masterdata.models import Customer, Employee
from core.db import utcnow
from core.errors import AccessDenied, ValidationError
from core.models import ApprovalEvent, ApprovalRequest
from core.security import approvals

DEFAULTS_FILE = Path(__file__).resolve().parent / "data" / "defaults.yaml"
ZERO = Decimal("0")
HUNDRED = Decimal("100")
SIZE_SCORES = {"small": Decimal("30"), "medium": Decimal("60"), "large": Decimal("90")}


# ----- small helpers ---------------------------------------------------------------------
def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """First day of the month ``n`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def last_month(today: dt.date | None = None) -> dt.date:
    """First day of the previous month."""
    return add_months(month_start(today or dt.date.today()), -1)


def to_decimal(value: Any, name: str, errors: dict[str, str], minimum: Decimal | None = ZERO) -> Decimal:
    """Parse a money/score value as ``Decimal`` (never float); record an error message."""
    if value is None or value == "":
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    try:
        out = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors[name] = _("Enter a number.")
        return ZERO
    if not out.is_finite():
        errors[name] = _("Enter a number.")
        return ZERO
    if minimum is not None and out < minimum:
        errors[name] = _("Must not be below %(min)s.", min=minimum)
    return out


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(_("Please correct the highlighted fields: %(first)s", first=first), errors)


def customer(env: Any, customer_id: int) -> Customer:
    """A customer the user may read (else :class:`AccessDenied`)."""
    return env.get(Customer, customer_id)


def current_employee_id(env: Any) -> int | None:
    """The employee record of the env's user in the current company."""
    return env.session.scalar(
        select(Employee.id).where(Employee.user_id == env.user_id, Employee.company_id == env.company_id)
    )


# ----- company defaults ------------------------------------------------------------------
@lru_cache(maxsize=1)
def default_config() -> dict[str, Any]:
    """The defaults of ``data/defaults.yaml`` (stages, criteria, class policies)."""
    return yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))


def ensure_company_defaults(env: Any) -> None:
    """Give the current company the default stages, criteria and policies if it has none.

    Configuration seed, done once per company on first use (the kernel has no
    per-company install step): written directly, keyed by company.
    """
    session, cid = env.session, env.company_id
    conf = default_config()
    stamp = {"company_id": cid, "created_by_id": env.user_id, "updated_by_id": env.user_id}
    if session.scalar(select(func.count(DevelopmentStage.id)).where(DevelopmentStage.company_id == cid)) == 0:
        for row in conf["stages"]:
            session.add(DevelopmentStage(**row, **stamp))
    if session.scalar(select(ClassCriteria.id).where(ClassCriteria.company_id == cid)) is None:
        session.add(ClassCriteria(**{k: _conf_value(v) for k, v in conf["criteria"].items()}, **stamp))
    have = set(session.scalars(select(ClassPolicy.class_code).where(ClassPolicy.company_id == cid)))
    for row in conf["policies"]:
        if row["class_code"] not in have:
            session.add(ClassPolicy(**row, **stamp))
    session.flush()


def _conf_value(value: Any) -> Any:
    return Decimal(value) if isinstance(value, str) else value


def criteria(env: Any) -> ClassCriteria:
    """The company's classification criteria (defaults created on first use)."""
    row = env.session.scalar(select(ClassCriteria).where(ClassCriteria.company_id == env.company_id))
    if row is None:
        ensure_company_defaults(env)
        row = env.session.scalar(select(ClassCriteria).where(ClassCriteria.company_id == env.company_id))
    return row


def stages(env: Any) -> list[DevelopmentStage]:
    """The company's development stages in order (defaults created on first use)."""
    rows = env.search(DevelopmentStage, order_by=[DevelopmentStage.sequence, DevelopmentStage.id])
    if not rows:
        ensure_company_defaults(env)
        rows = env.search(DevelopmentStage, order_by=[DevelopmentStage.sequence, DevelopmentStage.id])
    return rows


# ----- profile ---------------------------------------------------------------------------
def profile(env: Any, customer_id: int, create: bool = True) -> CustomerProfile | None:
    """The CRM profile row of a customer the user may read (created when missing)."""
    customer(env, customer_id)
    row = env.session.scalar(select(CustomerProfile).where(CustomerProfile.customer_id == customer_id))
    if row is None and create:
        row = CustomerProfile(
            customer_id=customer_id, company_id=env.company_id,
            created_by_id=env.user_id, updated_by_id=env.user_id,
        )
        env.session.add(row)
        env.session.flush()
    return row


def _touch_profile(env: Any, customer_id: int, **values: Any) -> CustomerProfile:
    row = profile(env, customer_id)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by_id = env.user_id
    env.session.flush()
    return row


def tech_data(row: CustomerProfile | None) -> dict[str, str]:
    """Free technical fields of a profile (engine models, control system, ...)."""
    if row is None or not row.tech_data:
        return {}
    try:
        data = json.loads(row.tech_data)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def set_tech_data(env: Any, customer_id: int, values: Mapping[str, Any]) -> CustomerProfile:
    """Replace the free technical fields of a customer's profile (audited write)."""
    clean = {str(k).strip(): str(v).strip() for k, v in values.items() if str(k).strip()}
    row = profile(env, customer_id)
    env.write(row, {"tech_data": json.dumps(clean, ensure_ascii=False)})
    return row


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
    env: Any,
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
    if env.session.scalar(
        select(StrategyCard.id).where(StrategyCard.customer_id == customer_id, StrategyCard.year == year)
    ):
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
    env: Any, card: StrategyCard, values: Mapping[str, Any], expected_version: int | None = None
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
    due = values.get("due_date")
    if isinstance(due, str):
        try:
            due = dt.date.fromisoformat(due)
        except ValueError:
            due = None
    if not text:
        errors["text"] = _("Describe the action.")
    if not isinstance(due, dt.date):
        errors["due_date"] = _("Enter the action's date.")
    return {"text": text, "due_date": due, "owner_id": values.get("owner_id"), "done": bool(values.get("done", False))}


def add_action(env: Any, card: StrategyCard | KeyAccountPlan, values: Mapping[str, Any]) -> ActionItem:
    """Add a dated action with an owner to a strategy card or a key-account plan."""
    errors: dict[str, str] = {}
    data = _action_values(values, errors)
    _raise(errors)
    key = "strategy_id" if isinstance(card, StrategyCard) else "plan_id"
    return env.create(ActionItem, {"customer_id": card.customer_id, key: card.id, **data})


def complete_action(env: Any, action: ActionItem, done: bool = True, on: dt.date | None = None) -> None:
    """Mark an action done (or not done)."""
    env.write(action, {"done": done, "done_on": (on or dt.date.today()) if done else None})


def is_key_account(env: Any, customer_id: int) -> bool:
    """Whether the customer is a key account (screened and selected)."""
    return bool(
        env.session.scalar(
            select(KeyAccount.id).where(KeyAccount.customer_id == customer_id, KeyAccount.status == "key")
        )
    )


def submit_strategy(env: Any, card: StrategyCard, comment: str | None = None) -> str:
    """Submit a strategy card: to the territory manager, or to the Director for a key account."""
    name = "submit_key" if is_key_account(env, card.customer_id) else "submit"
    approvals.fire(env, STRATEGY, card, name, comment=comment)
    return card.state


def decide_strategy(env: Any, card: StrategyCard, approve: bool, comment: str | None = None) -> str:
    """Approve or reject a submitted strategy card (the kernel checks who may)."""
    if not approve and not (comment or "").strip():
        raise ValidationError(_("Give a reason when you reject."), {"comment": _("Required.")})
    key = card.state == "submitted_key"
    name = ("approve" if approve else "reject") + ("_key" if key else "")
    approvals.fire(env, STRATEGY, card, name, comment=comment)
    return card.state


def reopen_strategy(env: Any, card: StrategyCard, comment: str | None = None) -> str:
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
    env: Any,
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
    card = env.session.scalar(
        select(MonthlyCard).where(MonthlyCard.customer_id == customer_id, MonthlyCard.month == month)
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


def submit_monthly(env: Any, card: MonthlyCard, comment: str | None = None) -> str:
    """The owner submits the monthly card for review."""
    approvals.fire(env, MONTHLY, card, "submit", comment=comment)
    return card.state


def review_monthly(env: Any, card: MonthlyCard, accept: bool = True, comment: str | None = None) -> str:
    """The manager marks the card reviewed, or returns it with a comment."""
    if not accept and not (comment or "").strip():
        raise ValidationError(_("Say what must be corrected when you return a card."), {"comment": _("Required.")})
    approvals.fire(env, MONTHLY, card, "review" if accept else "return", comment=comment)
    return card.state


def missing_monthly_query(
    env: Any,
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
    env: Any, month: dt.date | None = None, owner_only: bool = False, limit: int | None = None
) -> list[Customer]:
    """The customers of :func:`missing_monthly_query`, by name."""
    stmt = missing_monthly_query(env, month, owner_only).order_by(Customer.name_zh, Customer.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(env.session.scalars(stmt))


#: below this many rows, the first page is taken from the filtered ids (fast when a user
#: sees few customers); above, in name order with the filter checked along the way
SMALL_SET = 500


def missing_monthly_page(
    env: Any, month: dt.date | None = None, owner_only: bool = False, limit: int = 50
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
    if total <= SMALL_SET and env.session.get_bind().dialect.name == "sqlite":
        ids = stmt.with_only_columns(Customer.id)
        stmt = select(Customer).where(Customer.id.in_(ids))
    rows = list(env.session.scalars(stmt.order_by(Customer.name_zh, Customer.id).limit(limit))) if total else []
    return total, rows


def count_missing_monthly(env: Any, month: dt.date | None = None, owner_only: bool = False) -> int:
    """How many customers miss their monthly card (one SQL query)."""
    sub = missing_monthly_query(env, month, owner_only).with_only_columns(Customer.id).subquery()
    return int(env.session.scalar(select(func.count()).select_from(sub)) or 0)


def refresh_risk(env: Any, customer_id: int) -> CustomerProfile:
    """Set the profile's risk flags from the customer's latest monthly card."""
    latest = env.session.scalar(
        select(MonthlyCard)
        .where(MonthlyCard.customer_id == customer_id)
        .order_by(MonthlyCard.month.desc())
        .limit(1)
    )
    over = bool(latest and latest.over_credit)
    overdue = bool(latest and (latest.overdue_amount or ZERO) > 0)
    return _touch_profile(env, customer_id, over_credit=over, overdue=overdue)


def risk_customers(env: Any) -> list[tuple[Customer, CustomerProfile]]:
    """Readable customers flagged over credit or with overdue collections."""
    stmt = (
        env.select(Customer).add_columns(CustomerProfile)
        .join(CustomerProfile, CustomerProfile.customer_id == Customer.id)
        .where(or_(CustomerProfile.over_credit.is_(True), CustomerProfile.overdue.is_(True)))
        .order_by(Customer.name_zh)
    )
    return [(c, p) for c, p in env.session.execute(stmt)]


# ----- classification --------------------------------------------------------------------
@dataclass
class Suggestion:
    """A computed class: the weighted score, the class and each factor's score."""

    customer_id: int
    score: Decimal
    class_code: str
    factors: dict[str, Decimal] = field(default_factory=dict)


FACTORS = ("sales", "size", "standing", "credit", "potential")


def compute_class(crit: Any, factors: Mapping[str, Decimal]) -> tuple[Decimal, str]:
    """Weighted score (0-100) of factor scores and the class its thresholds give.

    ``score = sum(weight_f * score_f) / sum(weight_f)`` over the factors given
    (a factor never assessed is left out, not counted as zero); A at or above
    ``threshold_a``, B at or above ``threshold_b``, C at or above
    ``threshold_c``, D below.
    """
    total_w = ZERO
    total = ZERO
    for name in FACTORS:
        if name not in factors:
            continue  # not assessed: left out of the weighted mean
        weight = Decimal(getattr(crit, f"weight_{name}") or 0)
        total_w += weight
        total += weight * Decimal(factors.get(name) or 0)
    score = (total / total_w).quantize(Decimal("0.01")) if total_w else ZERO
    if score >= crit.threshold_a:
        code = "A"
    elif score >= crit.threshold_b:
        code = "B"
    elif score >= crit.threshold_c:
        code = "C"
    else:
        code = "D"
    return score, code


def validate_criteria(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check and convert new criteria values; raise :class:`ValidationError` when wrong."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, raw in values.items():
        if name == "review_months":
            try:
                out[name] = int(raw)
            except (TypeError, ValueError):
                out[name] = 0
            if not 1 <= out[name] <= 12:
                errors[name] = _("Between 1 and 12 months.")
        elif name.startswith(("weight_", "threshold_")) or name == "sales_full_amount":
            out[name] = to_decimal(raw, name, errors)
            if name.startswith("threshold_") and out[name] > HUNDRED:
                errors[name] = _("Scores go from 0 to 100.")
        else:
            raise ValidationError(_("Unknown field: %(name)s", name=name))
    _raise(errors)
    return out


def update_criteria(env: Any, values: Mapping[str, Any]) -> ClassCriteria:
    """Change the company's criteria (rights: directors); thresholds must decrease A > B > C."""
    row = criteria(env)
    data = validate_criteria(values)
    a = data.get("threshold_a", row.threshold_a)
    b = data.get("threshold_b", row.threshold_b)
    c = data.get("threshold_c", row.threshold_c)
    if not a > b > c:
        raise ValidationError(_("Thresholds must go down from A to C."), {"threshold_b": _("Between A and C.")})
    weights = [data.get(f"weight_{f}", getattr(row, f"weight_{f}")) for f in FACTORS]
    if sum(weights) <= 0:
        raise ValidationError(_("At least one weight must be positive."))
    if data.get("sales_full_amount", row.sales_full_amount) <= 0:
        raise ValidationError(_("The sales amount for full score must be positive."))
    env.write(row, data)
    return row


def assess(env: Any, customer_id: int, scores: Mapping[str, Any], on: dt.date | None = None, note: str | None = None) -> ClassAssessment:
    """Record a customer's factor scores (0-100); ``sales`` optional (else from monthly cards)."""
    customer(env, customer_id)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in FACTORS:
        if name not in scores or scores[name] in (None, ""):
            continue
        val = to_decimal(scores[name], name, errors)
        if val > HUNDRED:
            errors[name] = _("Scores go from 0 to 100.")
        values[f"{name}_score"] = val
    unknown = set(scores) - set(FACTORS)
    if unknown:
        errors[sorted(unknown)[0]] = _("Unknown factor.")
    _raise(errors)
    return env.create(
        ClassAssessment,
        {"customer_id": customer_id, "assessed_on": on or dt.date.today(), "note": note, **values},
    )


def suggest_classes(env: Any, customer_ids: Iterable[int] | None = None, as_of: dt.date | None = None) -> dict[int, Suggestion]:
    """Suggested class of readable customers (all when ``customer_ids`` is None): three SQL queries.

    Factors: sales = the last twelve months' sales on monthly cards relative
    to ``sales_full_amount`` (capped at 100) unless an assessment overrides it;
    size from the latest assessment, else the customer's size; standing,
    credit and potential from the latest assessment. A factor without data is
    left out of the weighted mean (a customer never assessed is judged on
    sales and size only).
    """
    crit = criteria(env)
    as_of = as_of or dt.date.today()
    start, end = add_months(month_start(as_of), -12), month_start(as_of)
    cust_stmt = env.select(Customer, "read", Customer.id, Customer.size).where(Customer.active.is_(True))
    if customer_ids is not None:
        ids = list(customer_ids)
        cust_stmt = cust_stmt.where(Customer.id.in_(ids))
    customers = env.session.execute(cust_stmt).all()
    visible = select(Customer.id).where(Customer.id.in_(cust_stmt.with_only_columns(Customer.id).scalar_subquery()))
    sales = dict(
        env.session.execute(
            select(MonthlyCard.customer_id, func.sum(MonthlyCard.sales_actual))
            .where(
                MonthlyCard.company_id == env.company_id,
                MonthlyCard.month >= start,
                MonthlyCard.month < end,
                MonthlyCard.customer_id.in_(visible),
            )
            .group_by(MonthlyCard.customer_id)
        ).all()
    )
    latest_ids = (
        select(func.max(ClassAssessment.id))
        .where(ClassAssessment.company_id == env.company_id, ClassAssessment.customer_id.in_(visible))
        .group_by(ClassAssessment.customer_id)
    )
    assessments = {
        a.customer_id: a
        for a in env.session.scalars(select(ClassAssessment).where(ClassAssessment.id.in_(latest_ids)))
    }
    out: dict[int, Suggestion] = {}
    full = Decimal(crit.sales_full_amount or 1)
    for cid, size in customers:
        a = assessments.get(cid)
        if a is not None and a.sales_score is not None:
            sales_score = Decimal(a.sales_score)
        else:
            sales_score = min(HUNDRED, (Decimal(sales.get(cid) or 0) * HUNDRED / full).quantize(Decimal("0.01")))
        factors: dict[str, Decimal] = {"sales": sales_score}
        if a is not None and a.size_score:
            factors["size"] = Decimal(a.size_score)
        elif size in SIZE_SCORES:
            factors["size"] = SIZE_SCORES[size]
        if a is not None:
            factors["standing"] = Decimal(a.standing_score)
            factors["credit"] = Decimal(a.credit_score)
            factors["potential"] = Decimal(a.potential_score)
        score, code = compute_class(crit, factors)
        out[cid] = Suggestion(cid, score, code, factors)
    return out


def suggest_class(env: Any, customer_id: int, as_of: dt.date | None = None) -> Suggestion:
    """The suggested class of one customer (:class:`AccessDenied` if not readable)."""
    customer(env, customer_id)
    return suggest_classes(env, [customer_id], as_of)[customer_id]


def current_class(env: Any, customer_id: int) -> str | None:
    """The customer's current class (None when never classified)."""
    row = profile(env, customer_id, create=False)
    return row.class_code if row else None


def set_class(
    env: Any,
    customer_id: int,
    class_code: str,
    reason: str,
    score: Decimal | None = None,
    source: str = "manual",
    proposal_id: int | None = None,
) -> CustomerClass:
    """Give a customer a class with a reason; history row audited (rights: directors)."""
    errors: dict[str, str] = {}
    if class_code not in CLASS_CODES:
        errors["class_code"] = _("Choose a class among A, B, C and D.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the class.")
    _raise(errors)
    env.check(CustomerClass, "create")
    prof = profile(env, customer_id)
    row = env.create(
        CustomerClass,
        {
            "customer_id": customer_id,
            "class_code": class_code,
            "previous_code": prof.class_code,
            "reason": reason.strip(),
            "score": score,
            "source": source,
            "set_by_id": env.user_id,
            "set_on": dt.date.today(),
            "proposal_id": proposal_id,
        },
    )
    return row


def class_history(env: Any, customer_id: int) -> list[CustomerClass]:
    """Classes the customer had, newest first."""
    return env.search(CustomerClass, CustomerClass.customer_id == customer_id, order_by=[CustomerClass.id.desc()])


def review_period(crit: ClassCriteria, on: dt.date) -> str:
    """Label of the review period containing ``on`` (``2026-Q4`` when quarterly)."""
    months = crit.review_months or 3
    if months == 3:
        return f"{on.year}-Q{(on.month - 1) // 3 + 1}"
    if months == 12:
        return str(on.year)
    index = (on.month - 1) // months + 1
    return f"{on.year}-P{index}"


def run_class_review(env: Any, on: dt.date | None = None, period: str | None = None) -> ClassReview:
    """Propose class changes for every readable customer whose suggested class differs.

    Creates a :class:`ClassReview` for the period (refused if one exists) with
    one :class:`ClassProposal` per change, each waiting for the Director.
    """
    on = on or dt.date.today()
    crit = criteria(env)
    period = period or review_period(crit, on)
    if env.session.scalar(
        select(ClassReview.id).where(ClassReview.company_id == env.company_id, ClassReview.period == period)
    ):
        raise ValidationError(_("The review of %(period)s was already run.", period=period))
    suggestions = suggest_classes(env, None, on)
    current = dict(
        env.session.execute(
            select(CustomerProfile.customer_id, CustomerProfile.class_code).where(
                CustomerProfile.company_id == env.company_id,
                CustomerProfile.customer_id.in_(list(suggestions) or [-1]),
            )
        ).all()
    )
    review = env.create(ClassReview, {"period": period, "run_on": on})
    for cid, sug in sorted(suggestions.items()):
        old = current.get(cid)
        if old == sug.class_code:
            continue
        parts = ", ".join(f"{k} {v}" for k, v in sug.factors.items())
        env.create(
            ClassProposal,
            {
                "review_id": review.id,
                "customer_id": cid,
                "old_class": old,
                "new_class": sug.class_code,
                "score": sug.score,
                "reason": f"{sug.score} ({parts})",
            },
        )
    return review


def decide_proposal(env: Any, proposal: ClassProposal, approve: bool, comment: str | None = None) -> str:
    """The Director approves (class applied) or refuses a proposed class change, with a reason."""
    if not (comment or "").strip() and not approve:
        raise ValidationError(_("Give a reason when you refuse."), {"comment": _("Required.")})
    approvals.fire(env, CLASS_CHANGE, proposal, "approve" if approve else "reject", comment=comment)
    return proposal.state


# ----- class policy ----------------------------------------------------------------------
def class_policy(env: Any, customer_id: int) -> dict[str, Any] | None:
    """The policy of the customer's current class (None when unclassified or not readable)."""
    try:
        code = current_class(env, customer_id)
    except AccessDenied:
        return None
    if code is None:
        return None
    return policy_for_class(env, code)


def policy_for_class(env: Any, class_code: str) -> dict[str, Any] | None:
    """The company's policy for a class, as a dict."""
    row = env.session.scalar(
        select(ClassPolicy).where(ClassPolicy.company_id == env.company_id, ClassPolicy.class_code == class_code)
    )
    if row is None:
        ensure_company_defaults(env)
        row = env.session.scalar(
            select(ClassPolicy).where(ClassPolicy.company_id == env.company_id, ClassPolicy.class_code == class_code)
        )
    return row.as_dict() if row else None


# ----- key accounts ----------------------------------------------------------------------
KEY_THRESHOLD = Decimal("6")


def screen_key_account(
    env: Any,
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
    row = env.session.scalar(select(KeyAccount).where(KeyAccount.customer_id == customer_id))
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
    env: Any,
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
    if env.session.scalar(
        select(KeyAccountPlan.id).where(KeyAccountPlan.customer_id == customer_id, KeyAccountPlan.year == year)
    ):
        errors["year"] = _("This customer already has a plan for %(year)s.", year=year)
    _raise(errors)
    data.setdefault("owner_id", current_employee_id(env))
    plan = env.create(KeyAccountPlan, {"customer_id": customer_id, "year": year, **data})
    for row in goal_rows:
        env.create(KeyAccountGoal, {"customer_id": customer_id, "plan_id": plan.id, **row})
    return plan


def _goal_values(values: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    text = str(values.get("description") or "").strip()
    due = values.get("due_date")
    if isinstance(due, str):
        try:
            due = dt.date.fromisoformat(due)
        except ValueError:
            due = None
    if not text:
        errors["description"] = _("Describe the stage goal.")
    if not isinstance(due, dt.date):
        errors["due_date"] = _("Enter the goal's date.")
    out: dict[str, Any] = {"description": text, "due_date": due}
    if values.get("target_amount") not in (None, ""):
        out["target_amount"] = to_decimal(values["target_amount"], "target_amount", errors)
    return out


def add_goal(env: Any, plan: KeyAccountPlan, values: Mapping[str, Any]) -> KeyAccountGoal:
    """Add a stage goal to a plan."""
    errors: dict[str, str] = {}
    data = _goal_values(values, errors)
    _raise(errors)
    return env.create(KeyAccountGoal, {"customer_id": plan.customer_id, "plan_id": plan.id, **data})


def record_goal_progress(
    env: Any, goal: KeyAccountGoal, actual_amount: Any = None, done: bool | None = None
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


def submit_plan(env: Any, plan: KeyAccountPlan, comment: str | None = None) -> str:
    """Submit a key-account plan to the Director."""
    approvals.fire(env, KA_PLAN, plan, "submit", comment=comment)
    return plan.state


def decide_plan(env: Any, plan: KeyAccountPlan, approve: bool, comment: str | None = None) -> str:
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


def plan_progress(env: Any, plan: KeyAccountPlan, today: dt.date | None = None) -> PlanProgress:
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


def behind_plan_query(env: Any, today: dt.date | None = None) -> Select:
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


def key_accounts_behind_plan(env: Any, today: dt.date | None = None, limit: int | None = None) -> list[tuple[KeyAccountPlan, Customer, int]]:
    """The plans of :func:`behind_plan_query`."""
    stmt = behind_plan_query(env, today)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(p, c, int(n)) for p, c, n in env.session.execute(stmt)]


# ----- development stages ----------------------------------------------------------------
def move_to_stage(
    env: Any,
    customer_id: int,
    stage_id: int,
    entered_on: dt.date | None = None,
    note: str | None = None,
    opportunity: str | None = None,
) -> CustomerStage:
    """Record that a customer (or one opportunity) entered a development stage on a date."""
    customer(env, customer_id)
    try:
        stage = env.get(DevelopmentStage, stage_id)
    except AccessDenied:
        raise ValidationError(_("Unknown development stage."), {"stage_id": _("Unknown.")}) from None
    entered_on = entered_on or dt.date.today()
    if entered_on > dt.date.today():
        raise ValidationError(_("The date cannot be in the future."), {"entered_on": _("Future date.")})
    row = env.create(
        CustomerStage,
        {"customer_id": customer_id, "stage_id": stage.id, "entered_on": entered_on, "note": note, "opportunity": opportunity},
    )
    return row


def stage_history(env: Any, customer_id: int) -> list[CustomerStage]:
    """Stages the customer went through, oldest first."""
    return env.search(CustomerStage, CustomerStage.customer_id == customer_id, order_by=[CustomerStage.entered_on, CustomerStage.id])


def territories_on(env: Any) -> bool:
    """Whether the ``territories`` addon is enabled for the company (it is optional)."""
    return "territories" in env.enabled


def territory_filter(env: Any, territory_id: int | None) -> Any:
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


def pipeline(env: Any, territory_id: int | None = None) -> list[tuple[DevelopmentStage, list[tuple[Customer, CustomerProfile]]]]:
    """The pipeline board: each stage with the readable customers currently in it (one query)."""
    cols = stages(env)
    stmt = (
        env.select(Customer).add_columns(CustomerProfile)
        .join(CustomerProfile, CustomerProfile.customer_id == Customer.id)
        .where(CustomerProfile.stage_id.is_not(None))
        .order_by(CustomerProfile.stage_since, Customer.name_zh)
    )
    cond = territory_filter(env, territory_id)
    if cond is not None:
        stmt = stmt.where(cond)
    by_stage: dict[int, list[tuple[Customer, CustomerProfile]]] = {s.id: [] for s in cols}
    for cust, prof in env.session.execute(stmt):
        by_stage.setdefault(prof.stage_id, []).append((cust, prof))
    return [(s, by_stage.get(s.id, [])) for s in cols]


def customers_by_class_per_territory(env: Any) -> dict[str, dict[str, int]]:
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
        return {"-": {code or "-": int(n) for code, n in env.session.execute(stmt)}}
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
    for terr, code, n in env.session.execute(stmt):
        out.setdefault(terr or "-", {})[code or "-"] = int(n)
    return out


# ----- workflow side effects (called from tixi_record_event) -----------------------------
def _last_comment(env: Any, workflow_code: str, model: str, res_id: int) -> str | None:
    return env.session.scalar(
        select(ApprovalEvent.comment)
        .join(ApprovalRequest, ApprovalRequest.id == ApprovalEvent.approval_id)
        .where(ApprovalRequest.workflow == workflow_code, ApprovalRequest.model == model, ApprovalRequest.res_id == res_id)
        .order_by(ApprovalEvent.id.desc())
        .limit(1)
    )


def on_state_changed(env: Any, model: str, record: Any, changes: Mapping[str, Any]) -> None:
    """Keep the mirrored ``state`` and apply a transition's effects (same transaction)."""
    workflow = changes.get("workflow")
    if not isinstance(workflow, str) or not workflow.startswith("crm_cards."):
        return
    old, new = changes["state"]
    if workflow == STRATEGY.code and new == "submitted" and is_key_account(env, record.customer_id):
        raise ValidationError(
            _("This customer is a key account: its strategy card is approved by the director.")
        )
    if workflow == KA_PLAN.code and new == "submitted_key" and not is_key_account(env, record.customer_id):
        raise ValidationError(_("Only a key account has a key-account plan."))
    record.state = new
    if workflow == MONTHLY.code and new in ("reviewed", "returned"):
        record.reviewed_by_id = env.user_id
        record.reviewed_at = utcnow()
        record.review_comment = _last_comment(env, workflow, model, record.id)
    if workflow == CLASS_CHANGE.code:
        comment = _last_comment(env, workflow, model, record.id)
        record.decided_by_id = env.user_id
        record.decided_at = utcnow()
        record.decision_comment = comment
        if new == "approved":
            set_class(
                env, record.customer_id, record.new_class,
                comment or record.reason or _("Periodic review"),
                score=record.score, source="review", proposal_id=record.id,
            )
    env.session.flush()


LOCKED_FIELDS_OK = {"state", "version", "updated_at", "updated_by_id", "owner_id"}


def on_updated(env: Any, model: str, record: Any, changes: Mapping[str, Any]) -> None:
    """Refuse changes to a card that is waiting for approval or approved."""
    editable = {"crm_cards_strategy": STRATEGY_EDITABLE, "crm_cards_ka_plan": STRATEGY_EDITABLE, "crm_cards_monthly": MONTHLY_EDITABLE}.get(model)
    if editable is None or record.state in editable:
        return
    if set(changes) - LOCKED_FIELDS_OK:
        raise ValidationError(_("This card is waiting for approval or approved: revise it first."))


def on_monthly_saved(env: Any, record: MonthlyCard) -> None:
    """Refresh the customer's risk flags after a monthly card is saved."""
    refresh_risk(env, record.customer_id)


def validate_record(model: str, record: Any) -> None:
    """Checks that hold whichever page saves the record (generic forms included)."""
    errors: dict[str, str] = {}
    if model == "crm_cards_key_account":
        for name in ("attractiveness", "feasibility"):
            value = getattr(record, name)
            if value is None or not ZERO <= Decimal(value) <= 10:
                errors[name] = _("Scores go from 0 to 10.")
    elif model == "crm_cards_class_criteria":
        if not record.threshold_a > record.threshold_b > record.threshold_c:
            errors["threshold_b"] = _("Thresholds must go down from A to C.")
        if sum(Decimal(getattr(record, f"weight_{f}") or 0) for f in FACTORS) <= 0:
            errors["weight_sales"] = _("At least one weight must be positive.")
        if not 1 <= (record.review_months or 0) <= 12:
            errors["review_months"] = _("Between 1 and 12 months.")
    elif model in ("crm_cards_action", "crm_cards_ka_goal"):
        for fk, cls in (("strategy_id", StrategyCard), ("plan_id", KeyAccountPlan)):
            parent_id = getattr(record, fk, None)
            if parent_id is not None:
                parent = record_session(record).get(cls, parent_id)
                if parent is None or parent.customer_id != record.customer_id:
                    errors[fk] = _("It belongs to another customer.")
    _raise(errors)


def record_session(record: Any) -> Any:
    """The session a record is attached to."""
    from sqlalchemy.orm import object_session

    return object_session(record)


def on_saved(env: Any, model: str, record: Any, event: str) -> None:
    """Keep the customer's profile in step when classes, stages, screenings or monthly cards
    are saved, whichever page or service saved them."""
    validate_record(model, record)
    if model == "crm_cards_monthly":
        refresh_risk(env, record.customer_id)
    elif model == "crm_cards_customer_class" and event == "created":
        prof = profile(env, record.customer_id)
        if record.previous_code is None and prof.class_code != record.class_code:
            record.previous_code = prof.class_code
        if record.set_by_id is None:
            record.set_by_id = env.user_id
        _touch_profile(env, record.customer_id, class_code=record.class_code, class_since=record.set_on)
    elif model == "crm_cards_customer_stage" and event == "created" and not record.opportunity:
        _touch_profile(env, record.customer_id, stage_id=record.stage_id, stage_since=record.entered_on)
    elif model == "crm_cards_key_account":
        _touch_profile(env, record.customer_id, is_key_account=record.status == "key")


# ----- handover and labels ---------------------------------------------------------------
def handover(env: Any, from_employee: Any, to_employee: Any) -> dict[str, int]:
    """Move a leaving employee's open cards, plans, actions and archives to a successor.

    Strategy cards and key-account plans of this year and later, monthly cards
    not yet reviewed, open actions and the archive custody change owner
    (``env.write``: rights, rules and audit apply); reviewed cards and done
    actions keep their author, so history stays intact.
    """
    src, dst = from_employee.id, to_employee.id
    this_year = dt.date.today().year
    counts: dict[str, int] = {}
    targets: list[tuple[type, str, Any]] = [
        (StrategyCard, "owner_id", StrategyCard.year >= this_year),
        (KeyAccountPlan, "owner_id", KeyAccountPlan.year >= this_year),
        (MonthlyCard, "owner_id", MonthlyCard.state != "reviewed"),
        (ActionItem, "owner_id", ActionItem.done.is_(False)),
        (CustomerProfile, "custodian_id", None),
    ]
    for model, column, cond in targets:
        where = [getattr(model, column) == src]
        if cond is not None:
            where.append(cond)
        rows = env.search(model, *where)
        for row in rows:
            env.write(row, {column: dst})
        if rows:
            counts[model.__tablename__] = len(rows)
    return counts


_LABEL_MODELS: dict[str, type] = {
    "crm_cards_strategy": StrategyCard,
    "crm_cards_monthly": MonthlyCard,
    "crm_cards_ka_plan": KeyAccountPlan,
    "crm_cards_class_proposal": ClassProposal,
    "crm_cards_profile": CustomerProfile,
}


def record_label(env: Any, model: str, res_id: int) -> str | None:
    """A human label for a crm_cards record (None for other models)."""
    cls = _LABEL_MODELS.get(model)
    if cls is None:
        return None
    row = env.session.get(cls, res_id)
    if row is None:
        return None
    cust = env.session.get(Customer, row.customer_id)
    name = cust.name_zh if cust is not None else f"#{row.customer_id}"
    title = cls.__tixi_label__["zh_CN"]
    if isinstance(row, MonthlyCard):
        return f"{title} {name} {row.month:%Y-%m}"
    if isinstance(row, StrategyCard | KeyAccountPlan):
        return f"{title} {name} {row.year}"
    if isinstance(row, ClassProposal):
        return f"{title} {name} {row.old_class or '-'}→{row.new_class}"
    return f"{title} {name}"
