"""ECharts options of the sales planning pages and the dashboard widget (JSON-safe: Decimals as text)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from core.i18n import _, _l

if TYPE_CHECKING:
    from core.security.env import Env

    from .services.attainment import Attainment


def attainment_chart(res: Attainment) -> dict[str, Any]:
    """Monthly plan and actual (bars) and cumulative completion (line, right axis)."""
    months = [ln.period.strftime("%Y-%m") for ln in res.series]
    cum_plan = cum_actual = 0
    completion = []
    for ln in res.series:
        cum_plan += ln.plan
        cum_actual += ln.actual
        completion.append(str(round(cum_actual / cum_plan * 100, 1)) if cum_plan else None)
    return {
        "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
        "grid": {"containLabel": True, "left": 8, "right": 8, "top": 30, "bottom": 40},
        "xAxis": {"type": "category", "data": months},
        "yAxis": [{"type": "value"}, {"type": "value", "name": "%", "splitLine": {"show": False}}],
        "series": [
            {"type": "bar", "name": _("Plan"), "data": [str(ln.plan) for ln in res.series]},
            {"type": "bar", "name": _("Actual"), "data": [str(ln.actual) for ln in res.series]},
            {"type": "line", "name": _("Cumulative completion"), "yAxisIndex": 1, "data": completion},
        ],
    }


def members_chart(res: Attainment) -> dict[str, Any]:
    """Plan and actual per member (horizontal bars), the ones behind plan in red."""
    lines = res.lines[:30]
    names = [" · ".join(ln.labels.get(d, "") for d in res.by) or _("Total") for ln in lines]
    return {
        "tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 10, "bottom": 40},
        "yAxis": {"type": "category", "data": names, "inverse": True}, "xAxis": {"type": "value"},
        "series": [
            {"type": "bar", "name": _("Plan"), "data": [str(ln.plan) for ln in lines]},
            {"type": "bar", "name": _("Actual"),
             "data": [{"value": str(ln.actual), "itemStyle": {"color": "#dc3545"} if ln.warning else {}}
                      for ln in lines]},
        ],
    }


def dashboard_widgets(env: Env) -> list[Any]:
    """This year's company target in force against actuals by territory (for those who may read plans)."""
    from markupsafe import Markup, escape

    from core.web.dashboard import Widget

    from .models import Plan, PlanType
    from .services.attainment import attainment

    if not env.can(Plan, "read"):
        return []
    year = dt.date.today().year
    target = env.scalar(env.select(Plan).join(PlanType, PlanType.id == Plan.plan_type_id).where(
        Plan.in_force.is_(True), Plan.year == year, PlanType.level == "company", PlanType.metric == "sales")
        .order_by(Plan.id.desc()).limit(1))
    if target is None:
        return []
    res = attainment(env, target, by=["territory"])
    if not res.lines:
        return []
    behind = [ln for ln in res.lines if ln.warning]
    html = None
    if behind:
        names = "、".join(ln.labels.get("territory", "") for ln in behind)
        html = Markup('<p class="small text-danger mb-1" id="planning-warning">{}</p>').format(
            escape(_("Behind plan: %(names)s", names=names)))
    return [Widget(key="sales_planning.attainment", title=_l("Sales target vs actual"), chart=members_chart(res),
                   html=html, sequence=20, width=6, height=60 + 32 * min(len(res.lines), 12))]
