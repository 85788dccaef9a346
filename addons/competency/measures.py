"""Measures of competency (``tixi_measures``).

* ``competency.gap``: the sum of levels short of the position profile, from
  calibrated (final) manager assessments, by employee, competency, position
  and manager (team), over the assessment date.
* ``competency.gaps_open``: how many (person, competency) pairs fall short.
* ``competency.level``: a person's competency level as the competencies at (or
  above) the required level, and ``competency.rated`` the competencies rated:
  ``level / rated`` is the share of the position profile met (a KPI's ratio).

All by employee, competency, position, manager and, with territories enabled,
territory (the person's territory on the assessment date).

Built on ``env.select`` (assessment, rating, requirement and employee rules apply).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from addons.masterdata.models import POSITION, Employee
from core.i18n import _l
from core.measures import Dimension, Measure

from .models import Competency
from .services.gaps import gap_facts

if TYPE_CHECKING:
    from core.security.env import Env

DIMENSIONS = ("employee", "competency", "position", "manager", "territory")


def _facts(env: Env, dimensions: Sequence[str]) -> Any:
    return gap_facts(env, territory="territory" in dimensions).subquery()


def gap_query(env: Env, dimensions: Sequence[str]) -> Any:
    """Fact rows: one per rating of a final manager assessment; ``value`` is its gap."""
    facts = _facts(env, dimensions)
    return select(facts.c.value, facts.c.period, *[facts.c[d] for d in dimensions if d in DIMENSIONS])


def open_gap_query(env: Env, dimensions: Sequence[str]) -> Any:
    """Fact rows: the ratings that fall short (gap > 0)."""
    facts = _facts(env, dimensions)
    return select(facts.c.value, facts.c.period, *[facts.c[d] for d in dimensions if d in DIMENSIONS]).where(
        facts.c.value > 0)


def level_query(env: Env, dimensions: Sequence[str]) -> Any:
    """Fact rows: the ratings at or above the required level (gap 0), counted."""
    facts = _facts(env, dimensions)
    return select(facts.c.value, facts.c.period, *[facts.c[d] for d in dimensions if d in DIMENSIONS]).where(
        facts.c.value == 0)


def rated_query(env: Env, dimensions: Sequence[str]) -> Any:
    """Fact rows: every rating of a final manager assessment against a requirement, counted."""
    facts = _facts(env, dimensions)
    return select(facts.c.value, facts.c.period, *[facts.c[d] for d in dimensions if d in DIMENSIONS])


_DIMS = (
    Dimension("employee", _l("Employee"), model=Employee),
    Dimension("competency", _l("Competency"), model=Competency),
    Dimension("position", _l("Position"), choices=POSITION),
    Dimension("manager", _l("Manager"), model=Employee),
    Dimension("territory", _l("Territory"), model="territories_territory", requires="territories"),
)

MEASURES = [
    Measure(
        name="competency.gap",
        label=_l("Competency gap"),
        description=_l("Levels short of the position profile, from calibrated manager assessments."),
        kind="quantity", scale=0, unit=_l("levels"),
        query=gap_query, dimensions=_DIMS, period="assessed_on", grains=("month", "quarter", "year"),
    ),
    Measure(
        name="competency.gaps_open",
        label=_l("Competencies below requirement"),
        description=_l("How many competencies of calibrated people fall short of their position's level."),
        kind="count", aggregate="count",
        query=open_gap_query, dimensions=_DIMS, period="assessed_on", grains=("month", "quarter", "year"),
    ),
    Measure(
        name="competency.level",
        label=_l("Competency level: competencies at the required level"),
        description=_l("Competencies of calibrated people at or above their position's level; divided by the "
                       "competencies rated it is the share of the position profile met."),
        kind="count", aggregate="count",
        query=level_query, dimensions=_DIMS, period="assessed_on", grains=("month", "quarter", "year"),
    ),
    Measure(
        name="competency.rated",
        label=_l("Competencies rated (calibrated)"),
        description=_l("Competencies rated in calibrated manager assessments."),
        kind="count", aggregate="count",
        query=rated_query, dimensions=_DIMS, period="assessed_on", grains=("month", "quarter", "year"),
    ),
]
