"""To-dos of the sales planning addon.

* a territory manager whose territory has no plan yet for a company target in
  force (``Territories to plan``);
* their territories' plans still in draft (to finish and submit, or sent back);
* a salesperson: this month's rolling forecast, until it is entered.

Waiting approvals are the kernel's approval to-dos.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.i18n import _l
from core.todos import Todo, TodoEntry

if TYPE_CHECKING:
    from core.security.env import Env


def todos(env: Env) -> list[Any]:
    """The user's planning work: territories to plan, plans sent back."""
    from flask import has_request_context, url_for

    from addons.territories.models import Territory
    from addons.territories.services import managed_territories_query

    from .models import Plan, PlanType

    out = _forecast_todo(env)
    managed = list(env.sudo().scalars(managed_territories_query(env.user_id, env.company_id)))
    if not managed:
        return out
    targets = env.search(Plan, Plan.in_force.is_(True), Plan.territory_id.is_(None),
                         Plan.plan_type_id.in_(env.select(PlanType, "read", PlanType.id).where(
                             PlanType.level == "company")))
    missing: list[TodoEntry] = []
    for target in targets:
        have = {p.territory_id for p in env.search(Plan, Plan.target_id == target.series_id)}
        for t in env.search(Territory, Territory.id.in_(managed)):
            if t.id not in have:
                url = url_for("sales_planning.new_territory_plan", target_id=target.id, territory_id=t.id) \
                    if has_request_context() else None
                missing.append(TodoEntry("sales_planning_plan", target.id, label=f"{target.name} · {t.display()}",
                                         url=url))
    back = env.search(Plan, Plan.territory_id.in_(managed), Plan.state == "draft", Plan.superseded_by_id.is_(None))
    index = url_for("sales_planning.index") if has_request_context() else None
    return out + [
        Todo("sales_planning.to_plan", _l("Territories to plan"), len(missing), url=index,
             entries=tuple(missing[:5]), sequence=40),
        Todo("sales_planning.drafts", _l("Plans in draft"), len(back), url=index,
             entries=tuple(TodoEntry("sales_planning_plan", p.id, label=p.display()) for p in back[:5]), sequence=41),
    ]


def _forecast_todo(env: Env) -> list[Any]:
    """A salesperson with active customers who has not forecast the next months yet this month."""
    import datetime as dt

    from flask import has_request_context, url_for

    from .models import Forecast
    from .services.forecast import my_customers

    if not env.can(Forecast, "create") or not env.in_group("core.group_salesperson"):
        return []
    if not my_customers(env):
        return []
    made = env.count(Forecast, Forecast.made_in == dt.date.today().replace(day=1))
    url = url_for("sales_planning.forecast_page") if has_request_context() else None
    return [Todo("sales_planning.forecast", _l("Rolling forecast for the next three months"), 0 if made else 1,
                 url=url, sequence=42)]
