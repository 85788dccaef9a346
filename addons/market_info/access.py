"""The user-context value behind market_info's confidentiality rules.

``user.market_info_plan_ids`` is the SQL sub-query of the plans naming the
user: as collector, as aggregator, or as a recipient (their employee record,
or one of their roles by group code). Records of those plans are readable
(security.yaml); the kernel compiles it into the WHERE clause of every read.
It is the rule's own definition, so it reads the plan tables directly (a rule
cannot go through the rules it defines); the company filter is applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import false, or_, select

if TYPE_CHECKING:
    from core.security.env import Env


def plan_context(env: Env) -> dict[str, Any]:
    """The ``tixi_user_context`` values of market_info."""
    from addons.masterdata.services import employee_ids_query

    from .models import CollectionPlan, PlanRecipient

    if env.user_id is None or env.company_id is None:
        return {"market_info_plan_ids": select(CollectionPlan.id).where(false())}
    mine = employee_ids_query(env.user_id, env.company_id)
    codes = sorted(env.group_codes) or ["-"]
    named = select(PlanRecipient.plan_id).where(
        PlanRecipient.company_id == env.company_id,
        or_(PlanRecipient.employee_id.in_(mine), PlanRecipient.group_code.in_(codes)))
    plans = select(CollectionPlan.id).where(
        CollectionPlan.company_id == env.company_id,
        or_(CollectionPlan.collector_id.in_(mine), CollectionPlan.aggregator_id.in_(mine), CollectionPlan.id.in_(named)))
    return {"market_info_plan_ids": plans}
