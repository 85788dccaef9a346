"""Measures of the kpi addon (``tixi_measures``).

* ``kpi.satisfaction_score``: internal customer satisfaction ratings, each as a
  share of the best rating (a 4 of 5 counts 0.8), by answer day;
* ``kpi.satisfaction_answers``: how many ratings; the score divided by the
  answers is the satisfaction rate (the back office's KPI);
* ``kpi.total_score``: scorecards' total scores (points), by period start.

Dimension ``employee`` (the rated person; the scorecard's person). Built on
``env.select``: a rater sees their own ratings, HR and the director all.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import literal

from addons.masterdata.models import Employee
from core.i18n import _l
from core.measures import Dimension, Measure

from .models import Scorecard, SurveyAnswer

if TYPE_CHECKING:
    from core.security.env import Env

EMPLOYEE = Dimension("employee", _l("Employee"), model=Employee)


def _answers(env: Env, value: Any, dimensions: Sequence[str]) -> Any:
    cols = {"employee": SurveyAnswer.rated_id}
    return env.select(SurveyAnswer, "read", value.label("value"), SurveyAnswer.answered_on.label("period"),
                      *[cols[d].label(d) for d in dimensions if d in cols])


def score_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per rating: the rating over 5."""
    return _answers(env, SurveyAnswer.rating * literal(Decimal("0.2")), dimensions)


def answers_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per rating."""
    return _answers(env, literal(1), dimensions)


def total_score_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per scorecard: its total score."""
    cols = {"employee": Scorecard.employee_id}
    return env.select(Scorecard, "read", Scorecard.total_score.label("value"), Scorecard.period_start.label("period"),
                      *[cols[d].label(d) for d in dimensions if d in cols])


MEASURES = [
    Measure(name="kpi.satisfaction_score", label=_l("Internal satisfaction points"),
            description=_l("Internal customer satisfaction ratings, each as a share of the best rating."),
            kind="quantity", scale=4, query=score_query, dimensions=(EMPLOYEE,), period="answered_on",
            grains=("month", "quarter", "year")),
    Measure(name="kpi.satisfaction_answers", label=_l("Internal satisfaction ratings"),
            description=_l("How many internal customer satisfaction ratings were given."),
            kind="count", aggregate="count", query=answers_query, dimensions=(EMPLOYEE,), period="answered_on",
            grains=("month", "quarter", "year")),
    Measure(name="kpi.total_score", label=_l("Scorecard score"),
            description=_l("The total scores of the scorecards, by the start of their period."),
            kind="quantity", scale=2, query=total_score_query, dimensions=(EMPLOYEE,), period="period_start",
            grains=("month", "quarter", "year")),
]
