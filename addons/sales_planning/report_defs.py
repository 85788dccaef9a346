"""Plan vs actual on the report centre (``tixi_reports``): one row per member (and period).

Rows come from :func:`addons.sales_planning.services.attainment.attainment`
(cells and measures read through ``env``: a salesperson gets their own line, a
manager their subtree). The .xlsx export and subscriptions are the report
centre's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from core.errors import ValidationError
from core.i18n import _, _l
from core.reports import Column, Link, Report
from core.reports.params import ChoiceField, RecordField, ReportParams

from .models import DIMENSIONS, Plan
from .services.attainment import attainment

if TYPE_CHECKING:
    from core.security.env import Env

GRAIN_CHOICES = [("", _l("Whole period")), ("week", _l("Week")), ("month", _l("Month")), ("quarter", _l("Quarter")),
                 ("year", _l("Year"))]


class AttainmentParams(ReportParams):
    """The plan, the dimension to group by and the period grain."""

    plan = RecordField(_l("Plan"), model="sales_planning_plan")
    by = ChoiceField(_l("By"), choices=[("", _l("Total"))] + [(k, v) for k, v in DIMENSIONS.items()])
    grain = ChoiceField(_l("Period"), choices=GRAIN_CHOICES)

    def check(self, env: Env) -> None:
        """A plan is needed."""
        if not self.plan.data:
            self.add_error("plan", _("Choose a plan."))


def _lines(env: Env, p: Mapping[str, Any]) -> Any:
    plan = env.get(Plan, int(p["plan"]))
    by = [p["by"]] if p.get("by") else []
    try:
        return attainment(env, plan, by=by, grain=p.get("grain") or None)
    except ValidationError:
        return attainment(env, plan, by=[], grain=p.get("grain") or None)


def attainment_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per member and period: plan, actual, completion, gap, time elapsed, warning."""
    res = _lines(env, p)
    rows = []
    for ln in res.lines:
        row: dict[str, Any] = {
            "member": " · ".join(ln.labels.get(d, "") for d in res.by) or _("Total"),
            "member_id": ln.key[0] if ln.key else None,
            "period": ln.period_text,
            "plan": ln.plan, "actual": ln.actual, "gap": ln.gap,
            "completion": ln.completion * 100 if ln.completion is not None else None,
            "elapsed": ln.elapsed * 100,
            "warning": _("Behind plan") if ln.warning else "",
        }
        rows.append(row)
    return rows


def _ratio(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
    plan = sum((r["plan"] for r in rows), 0)
    actual = sum((r["actual"] for r in rows), 0)
    return actual / plan * 100 if plan else None


def attainment_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """Member, period, plan, actual, completion, gap, time elapsed, warning."""
    by = p.get("by") or ""
    label = DIMENSIONS[by] if by in DIMENSIONS else _l("Total")

    def drill(row: Mapping[str, Any], params: Mapping[str, Any]) -> Link | None:
        if not row.get("member_id") or not params.get("plan"):
            return None
        return Link.endpoint("sales_planning.attainment_page", plan_id=params["plan"], by=by,
                             **{f"f_{by}": row["member_id"]})

    return [
        Column("member", label, link=drill), Column("period", _l("Period")),
        Column("plan", _l("Plan"), "money", total="sum"), Column("actual", _l("Actual"), "money", total="sum"),
        Column("completion", _l("Completion"), "percent", total=_ratio),
        Column("gap", _l("Gap"), "money", total="sum"), Column("elapsed", _l("Time elapsed"), "percent"),
        Column("warning", _l("Warning")),
    ]


def attainment_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Plan and actual per row (bars)."""
    if not rows:
        return None
    names = [f"{r['member']} {r['period']}".strip() for r in rows]
    return {"tooltip": {"trigger": "axis"}, "legend": {}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": names}, "yAxis": {"type": "value"},
            "series": [{"type": "bar", "name": _("Plan"), "data": [str(r["plan"]) for r in rows]},
                       {"type": "bar", "name": _("Actual"), "data": [str(r["actual"]) for r in rows]}]}


REPORTS = [
    Report(
        code="sales_planning.attainment",
        title=_l("Plan vs actual"),
        description=_l("Completion, gap and time elapsed of a plan by territory, salesperson, customer or product; "
                       "warnings where behind plan."),
        query=attainment_query, columns=attainment_columns, params=AttainmentParams, totals=True,
        chart=attainment_chart, model=Plan.__tablename__, max_days=None,
    ),
]
