"""Customer classification: criteria, assessments, suggested and set classes, reviews, class policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from addons.crm_cards.models import (
    CLASS_CODES,
    ClassAssessment,
    ClassCriteria,
    ClassPolicy,
    ClassProposal,
    ClassReview,
    CustomerClass,
    CustomerProfile,
    MonthlyCard,
)
from addons.crm_cards.services.defaults import criteria
from addons.crm_cards.services.helpers import (
    HUNDRED,
    ZERO,
    _raise,
    add_months,
    customer,
    month_start,
    to_decimal,
)
from addons.crm_cards.services.profiles import profile
from addons.crm_cards.workflows import CLASS_CHANGE
from addons.masterdata.models import Customer
from core.errors import AccessDenied, ValidationError
from core.i18n import _
from core.security import approvals

if TYPE_CHECKING:
    from core.security.env import Env

SIZE_SCORES = {"small": Decimal("30"), "medium": Decimal("60"), "large": Decimal("90")}


# ----- classification --------------------------------------------------------------------
@dataclass
class Suggestion:
    """A computed class: the weighted score, the class and each factor's score."""

    customer_id: int
    score: Decimal
    class_code: str
    factors: dict[str, Decimal] = field(default_factory=dict)


FACTORS = ("sales", "size", "standing", "credit", "potential")


def compute_class(crit: ClassCriteria, factors: Mapping[str, Decimal]) -> tuple[Decimal, str]:
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


def update_criteria(env: Env, values: Mapping[str, Any]) -> ClassCriteria:
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


def assess(env: Env, customer_id: int, scores: Mapping[str, Any], on: dt.date | None = None, note: str | None = None) -> ClassAssessment:
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


def suggest_classes(env: Env, customer_ids: Iterable[int] | None = None, as_of: dt.date | None = None) -> dict[int, Suggestion]:
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
    customers = env.execute(cust_stmt).all()
    # the cards and assessments of the readable customers are inputs of their class, whatever
    # the user's rights on cards (a manager's review sees every customer of the territory)
    sudo = env.sudo()
    visible = sudo.select(Customer, Customer.id).where(
        Customer.id.in_(cust_stmt.with_only_columns(Customer.id).scalar_subquery())
    )
    sales = dict(sudo.execute(
        sudo.select(MonthlyCard, MonthlyCard.customer_id, func.sum(MonthlyCard.sales_actual))
        .where(MonthlyCard.month >= start, MonthlyCard.month < end, MonthlyCard.customer_id.in_(visible))
        .group_by(MonthlyCard.customer_id)
    ).all())
    latest_ids = (
        sudo.select(ClassAssessment, func.max(ClassAssessment.id))
        .where(ClassAssessment.customer_id.in_(visible))
        .group_by(ClassAssessment.customer_id)
    )
    assessments = {a.customer_id: a for a in sudo.search(ClassAssessment, ClassAssessment.id.in_(latest_ids))}
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


def suggest_class(env: Env, customer_id: int, as_of: dt.date | None = None) -> Suggestion:
    """The suggested class of one customer (:class:`AccessDenied` if not readable)."""
    customer(env, customer_id)
    return suggest_classes(env, [customer_id], as_of)[customer_id]


def current_class(env: Env, customer_id: int) -> str | None:
    """The customer's current class (None when never classified)."""
    row = profile(env, customer_id, create=False)
    return row.class_code if row else None


def set_class(
    env: Env,
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


def class_history(env: Env, customer_id: int) -> list[CustomerClass]:
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


def run_class_review(env: Env, on: dt.date | None = None, period: str | None = None) -> ClassReview:
    """Propose class changes for every readable customer whose suggested class differs.

    Creates a :class:`ClassReview` for the period (refused if one exists) with
    one :class:`ClassProposal` per change, each waiting for the Director.
    """
    on = on or dt.date.today()
    crit = criteria(env)
    period = period or review_period(crit, on)
    # one review per period in the company (a uniqueness check)
    if env.sudo().count(ClassReview, ClassReview.period == period):
        raise ValidationError(_("The review of %(period)s was already run.", period=period))
    suggestions = suggest_classes(env, None, on)
    # the current class of the customers just suggested (readable ones), whatever the profile rights
    sudo = env.sudo()
    current = dict(sudo.execute(
        sudo.select(CustomerProfile, CustomerProfile.customer_id, CustomerProfile.class_code)
        .where(CustomerProfile.customer_id.in_(list(suggestions) or [-1]))
    ).all())
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


def score_breakdown(reason: str | None) -> list[tuple[str, Decimal]]:
    """The factor scores a proposal's reason holds (``31.52 (sales 17.28, size 60)``), in order.

    The reason is stored in that plain form (factor codes, numbers); pages show it
    with translated factor names (:func:`format_breakdown`). Unknown text gives ``[]``.
    """
    text = (reason or "").strip()
    if "(" not in text or not text.endswith(")"):
        return []
    out: list[tuple[str, Decimal]] = []
    for part in text[text.index("(") + 1 : -1].split(","):
        name, _sep, value = part.strip().partition(" ")
        if name not in FACTORS:
            return []
        try:
            out.append((name, Decimal(value)))
        except ArithmeticError:
            return []
    return out


def _number(value: Decimal) -> str:
    """A score without useless decimals: ``60``, ``17.28``, ``17.5``."""
    text = f"{value.quantize(Decimal('0.01'))}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_breakdown(reason: str | None, lang: str | None = None) -> str:
    """A proposal's score breakdown for people: ``销售量 17.28 · 规模 60`` (the factor names translated)."""
    from addons.crm_cards.models import FACTOR_LABELS
    from core.i18n import choice_label

    parts = score_breakdown(reason)
    if not parts:
        return reason or ""
    return " · ".join(f"{choice_label(FACTOR_LABELS, name, lang)} {_number(value)}" for name, value in parts)


def decide_proposals(env: Env, decisions: Iterable[tuple[ClassProposal, bool, str | None]]) -> list[str]:
    """Approve or refuse several proposals at once, all or nothing.

    Every refusal needs a reason: they are all checked before any decision is
    written, so a missing reason saves nothing (:class:`ValidationError` with
    ``reason_<id>`` errors in the user's language).
    """
    items = list(decisions)
    if not items:
        raise ValidationError(_("Choose at least one proposal."))
    errors = {f"reason_{p.id}": _("Give a reason when you refuse.")
              for p, approve, comment in items if not approve and not (comment or "").strip()}
    _raise(errors)
    return [decide_proposal(env, p, approve, comment) for p, approve, comment in items]


def decide_proposal(env: Env, proposal: ClassProposal, approve: bool, comment: str | None = None) -> str:
    """The Director approves (class applied) or refuses a proposed class change, with a reason."""
    if not (comment or "").strip() and not approve:
        raise ValidationError(_("Give a reason when you refuse."), {"comment": _("Required.")})
    approvals.fire(env, CLASS_CHANGE, proposal, "approve" if approve else "reject", comment=comment)
    return proposal.state


# ----- class policy ----------------------------------------------------------------------
def class_policy(env: Env, customer_id: int) -> dict[str, Any] | None:
    """The policy of the customer's current class (None when unclassified or not readable)."""
    try:
        code = current_class(env, customer_id)
    except AccessDenied:
        return None
    if code is None:
        return None
    return policy_for_class(env, code)


def policy_for_class(env: Env, class_code: str) -> dict[str, Any] | None:
    """The company's policy for a class, as a dict."""
    # company configuration other addons ask for (tixi_customer_class_policy), whatever the user's rights
    row = next(iter(env.sudo().search(ClassPolicy, ClassPolicy.class_code == class_code, limit=1)), None)
    return row.as_dict() if row else None
