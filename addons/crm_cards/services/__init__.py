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

The package re-exports every public name of its modules, so
``from addons.crm_cards import services; services.save_monthly(...)`` keeps
working; code inside the addon may import from the module that holds a name:

- :mod:`.helpers`: months, decimals, errors, the customer
- :mod:`.defaults`: per-company defaults (class criteria, development stages)
- :mod:`.profiles`: the customer profile and its technical data
- :mod:`.cards`: strategy and monthly cards, missing cards, risk
- :mod:`.classification`: criteria, assessments, classes, reviews, class policy
- :mod:`.key_accounts`: screening, key-account plans, goals, progress
- :mod:`.development_stages`: stage moves, stage history, the pipeline board
- :mod:`.territory`: helpers for the optional ``territories`` addon
- :mod:`.events`: workflow side effects and record checks (``tixi_record_event``)
- :mod:`.handovers`: handover of a leaving employee's records, record labels
"""

from __future__ import annotations

from addons.crm_cards.services.cards import (
    MONTHLY_EDITABLE,
    MONTHLY_MONEY,
    MONTHLY_TEXT,
    SMALL_SET,
    STRATEGY_EDITABLE,
    STRATEGY_FIELDS,
    add_action,
    complete_action,
    count_missing_monthly,
    create_strategy,
    decide_strategy,
    is_key_account,
    missing_monthly_cards,
    missing_monthly_page,
    missing_monthly_query,
    refresh_risk,
    reopen_strategy,
    review_monthly,
    risk_customers,
    save_monthly,
    submit_monthly,
    submit_strategy,
    update_strategy,
)
from addons.crm_cards.services.classification import (
    FACTORS,
    SIZE_SCORES,
    Suggestion,
    assess,
    class_history,
    class_policy,
    compute_class,
    current_class,
    decide_proposal,
    decide_proposals,
    format_breakdown,
    policy_for_class,
    review_period,
    run_class_review,
    set_class,
    suggest_class,
    suggest_classes,
    update_criteria,
    validate_criteria,
)
from addons.crm_cards.services.defaults import (
    DEFAULTS_FILE,
    criteria,
    default_config,
    ensure_company_defaults,
    stages,
)
from addons.crm_cards.services.development_stages import (
    move_to_stage,
    pipeline,
    stage_history,
)
from addons.crm_cards.services.events import (
    LOCKED_FIELDS_OK,
    on_monthly_saved,
    on_saved,
    on_state_changed,
    on_updated,
    validate_record,
)
from addons.crm_cards.services.handovers import (
    handover,
    record_label,
)
from addons.crm_cards.services.helpers import (
    HUNDRED,
    ZERO,
    add_months,
    current_employee_id,
    customer,
    last_month,
    month_start,
    to_decimal,
)
from addons.crm_cards.services.key_accounts import (
    KEY_THRESHOLD,
    PlanProgress,
    add_goal,
    behind_plan_query,
    create_plan,
    decide_plan,
    key_account_quadrant,
    key_accounts_behind_plan,
    plan_progress,
    record_goal_progress,
    screen_key_account,
    submit_plan,
)
from addons.crm_cards.services.profiles import (
    profile,
    set_tech_data,
    tech_data,
)
from addons.crm_cards.services.territory import (
    customers_by_class_per_territory,
    territories_on,
    territory_filter,
)

__all__ = [
    "DEFAULTS_FILE",
    "FACTORS",
    "HUNDRED",
    "KEY_THRESHOLD",
    "LOCKED_FIELDS_OK",
    "MONTHLY_EDITABLE",
    "MONTHLY_MONEY",
    "MONTHLY_TEXT",
    "PlanProgress",
    "SIZE_SCORES",
    "SMALL_SET",
    "STRATEGY_EDITABLE",
    "STRATEGY_FIELDS",
    "Suggestion",
    "ZERO",
    "add_action",
    "add_goal",
    "add_months",
    "assess",
    "behind_plan_query",
    "class_history",
    "class_policy",
    "complete_action",
    "compute_class",
    "count_missing_monthly",
    "create_plan",
    "create_strategy",
    "criteria",
    "current_class",
    "current_employee_id",
    "customer",
    "customers_by_class_per_territory",
    "decide_plan",
    "decide_proposal",
    "decide_proposals",
    "format_breakdown",
    "decide_strategy",
    "default_config",
    "ensure_company_defaults",
    "handover",
    "is_key_account",
    "key_account_quadrant",
    "key_accounts_behind_plan",
    "last_month",
    "missing_monthly_cards",
    "missing_monthly_page",
    "missing_monthly_query",
    "month_start",
    "move_to_stage",
    "on_monthly_saved",
    "on_saved",
    "on_state_changed",
    "on_updated",
    "pipeline",
    "plan_progress",
    "policy_for_class",
    "profile",
    "record_goal_progress",
    "record_label",
    "refresh_risk",
    "reopen_strategy",
    "review_monthly",
    "review_period",
    "risk_customers",
    "run_class_review",
    "save_monthly",
    "screen_key_account",
    "set_class",
    "set_tech_data",
    "stage_history",
    "stages",
    "submit_monthly",
    "submit_plan",
    "submit_strategy",
    "suggest_class",
    "suggest_classes",
    "tech_data",
    "territories_on",
    "territory_filter",
    "to_decimal",
    "update_criteria",
    "update_strategy",
    "validate_criteria",
    "validate_record",
]
