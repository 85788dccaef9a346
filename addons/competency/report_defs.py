"""The competency report on the report centre (``tixi_reports``): gaps per person and competency.

Rows come from :func:`addons.competency.services.gaps.gap_rows` (built on
``env.select``: a manager gets their reports, HR everybody); one row per
person with the gap of each competency A..J and the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wtforms import StringField

from addons.masterdata.models import POSITION, Employee
from core.i18n import _, _l, current_lang
from core.reports import Column, Link, Report
from core.reports.params import ChoiceField, ReportParams

from .models import MODEL_POSITIONS, Assessment
from .services.assessments import PERIOD_RE
from .services.gaps import gap_rows
from .services.model import competencies

if TYPE_CHECKING:
    from core.security.env import Env


class GapParams(ReportParams):
    """The period (``2026``, ``2026-H2``) and, optionally, one position."""

    period = StringField(_l("Period"))
    position = ChoiceField(_l("Position"), choices=[("", _l("All"))] + [(k, POSITION[k]) for k in MODEL_POSITIONS])

    def check(self, env: Env) -> None:
        """A period in the assessment format, when given."""
        value = (self.period.data or "").strip().upper()
        if value and not PERIOD_RE.match(value):
            self.add_error("period", _("Enter the period as a year (2026), a half (2026-H2) or a quarter (2026-Q4)."))
        self.period.data = value or None


def gap_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per assessed person and period: position, gap per competency, total."""
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    codes = {c.id: c.code for c in competencies(env)}
    for r in gap_rows(env, period=p.get("period"), position=p.get("position") or None):
        key = (r["employee"], r["assessment_period"])
        row = rows.setdefault(key, {"employee_id": r["employee"], "period": r["assessment_period"],
                                    "position": POSITION.label(r["position"]), "total": 0})
        value = int(r["value"])
        row[codes.get(r["competency"], str(r["competency"]))] = value
        row["total"] += value
    names = {e.id: e.display(current_lang(env)) for e in env.search(Employee, Employee.id.in_([k[0] for k in rows]))}
    for (emp_id, _period), row in rows.items():
        row["employee"] = names.get(emp_id, f"#{emp_id}")
    return sorted(rows.values(), key=lambda r: (-r["total"], r["employee"]))


def gap_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """Person, period, position, one column per competency, total."""
    person = Column("employee", _l("Employee"), link=lambda row, p: Link.endpoint(
        "competency.person", employee_id=row["employee_id"], period=row["period"]))
    return [person, Column("period", _l("Period")), Column("position", _l("Position"))] + [
        Column(c.code, c.code, "integer", total="sum") for c in competencies(env)
    ] + [Column("total", _l("Total gap"), "integer", total="sum")]


def gap_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Total gap per person (a bar chart)."""
    if not rows:
        return None
    return {"tooltip": {"trigger": "axis"}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": [r["employee"] for r in rows]}, "yAxis": {"type": "value"},
            "series": [{"type": "bar", "name": _("Total gap"), "data": [r["total"] for r in rows]}]}


REPORTS = [
    Report(
        code="competency.gaps",
        title=_l("Competency gaps"),
        description=_l("Levels short of the position profile per person and competency (calibrated assessments)."),
        query=gap_query, columns=gap_columns, params=GapParams, totals=True, chart=gap_chart,
        model=Assessment.__tablename__, max_days=None,
    ),
]
