"""Workflow side effects and record checks of crm_cards (called from ``tixi_record_event``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from addons.crm_cards.models import ClassProposal, KeyAccountPlan, MonthlyCard, StrategyCard
from addons.crm_cards.services.cards import (
    MONTHLY_EDITABLE,
    STRATEGY_EDITABLE,
    is_key_account,
    refresh_risk,
)
from addons.crm_cards.services.classification import FACTORS, set_class
from addons.crm_cards.services.helpers import ZERO, _raise
from addons.crm_cards.services.profiles import _touch_profile, profile
from addons.crm_cards.workflows import CLASS_CHANGE, KA_PLAN, MONTHLY, STRATEGY
from core.db import utcnow
from core.errors import ValidationError
from core.i18n import _

if TYPE_CHECKING:
    from core.security.env import Env


# ----- workflow side effects (called from tixi_record_event) -----------------------------
def _check_key_account_path(env: Env, workflow: str, new: str, customer_id: int) -> None:
    if workflow == STRATEGY.code and new == "submitted" and is_key_account(env, customer_id):
        raise ValidationError(
            _("This customer is a key account: its strategy card is approved by the director.")
        )
    if workflow == KA_PLAN.code and new == "submitted_key" and not is_key_account(env, customer_id):
        raise ValidationError(_("Only a key account has a key-account plan."))


def _decide_proposal(env: Env, record: ClassProposal, new: str, comment: str | None) -> None:
    if new == "rejected" and not (comment or "").strip():  # whichever page or API refuses it
        raise ValidationError(_("Give a reason when you refuse."), {"comment": _("Give a reason when you refuse.")})
    record.decided_by_id = env.user_id
    record.decided_at = utcnow()
    record.decision_comment = comment
    if new == "approved":
        set_class(
            env, record.customer_id, record.new_class,
            comment or _("Periodic review"),  # the reason field holds the score breakdown, not a reason
            score=record.score, source="review", proposal_id=record.id,
        )


def on_state_changed(env: Env, model: str, record: Any, changes: Mapping[str, Any]) -> None:
    """Apply a transition's effects (same transaction); the kernel has already set ``state``."""
    workflow = changes.get("workflow")
    if not isinstance(workflow, str) or not workflow.startswith("crm_cards."):
        return
    _old, new = changes["state"]
    comment = changes.get("comment")
    _check_key_account_path(env, workflow, new, record.customer_id)
    if workflow == MONTHLY.code and new in ("reviewed", "returned"):
        record.reviewed_by_id = env.user_id
        record.reviewed_at = utcnow()
        record.review_comment = comment
    if workflow == CLASS_CHANGE.code:
        _decide_proposal(env, record, new, comment)
    env.session.flush()


LOCKED_FIELDS_OK = {"state", "version", "updated_at", "updated_by_id", "owner_id"}


def on_updated(env: Env, model: str, record: Any, changes: Mapping[str, Any]) -> None:
    """Refuse changes to a card that is waiting for approval or approved."""
    editable = {"crm_cards_strategy": STRATEGY_EDITABLE, "crm_cards_ka_plan": STRATEGY_EDITABLE, "crm_cards_monthly": MONTHLY_EDITABLE}.get(model)
    if editable is None or record.state in editable:
        return
    if set(changes) - LOCKED_FIELDS_OK:
        raise ValidationError(_("This card is waiting for approval or approved: revise it first."))


def on_monthly_saved(env: Env, record: MonthlyCard) -> None:
    """Refresh the customer's risk flags after a monthly card is saved."""
    refresh_risk(env, record.customer_id)


def validate_record(model: str, record: Any, env: Env) -> None:
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
                # the parent must belong to the same customer, whoever may read it
                parent = env.sudo().get(cls, parent_id)
                if parent is None or parent.customer_id != record.customer_id:
                    errors[fk] = _("It belongs to another customer.")
    _raise(errors)


def on_saved(env: Env, model: str, record: Any, event: str) -> None:
    """Keep the customer's profile in step when classes, stages, screenings or monthly cards
    are saved, whichever page or service saved them."""
    validate_record(model, record, env)
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
