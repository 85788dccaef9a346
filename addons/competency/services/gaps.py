"""Gaps: how many levels a person is short of a position profile, per competency.

Levels run from 1 (highest) to 5, so the gap of a competency is
``assessed level - required level`` when positive, else 0. The person's
result for a period is the manager's assessment: final once calibrated,
provisional before. Every read goes through ``env``: a person sees their own
results, a manager their reports', HR (marketing admin) and the director all.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, select

from addons.masterdata.models import Employee

from ..models import Assessment, Rating, Requirement
from .model import competencies, requirement_levels

if TYPE_CHECKING:
    from sqlalchemy import Select

    from core.security.env import Env


def gap(required: int | None, assessed: int | None) -> int | None:
    """Levels short of the requirement (0 when met or better); ``None`` without both figures."""
    if required is None or assessed is None:
        return None
    return max(0, assessed - required)


def latest_period(env: Env, employee_id: int | None = None) -> str | None:
    """The most recent period with an assessment the user may read (of one employee, if given)."""
    stmt = env.select(Assessment, "read", func.max(Assessment.period))
    if employee_id is not None:
        stmt = stmt.where(Assessment.employee_id == employee_id)
    return env.scalar(stmt)


def _assessments(env: Env, employee_id: int, period: str) -> list[Assessment]:
    return env.search(Assessment, Assessment.employee_id == employee_id, Assessment.period == period,
                      order_by=[Assessment.id])


def person_profile(env: Env, employee_id: int, period: str | None, position: str | None = None) -> dict[str, Any]:
    """One person against a position profile (default: their own position) for a period.

    Returns ``{"employee", "position", "period", "final", "rows", "total_gap", "assessments"}``;
    each row has the competency, ``required``, ``self``, ``manager``, ``peers``
    (average, a Decimal) and ``gap`` (from the manager's rating). With another
    ``position`` it is the person's readiness for it (promotion).
    """
    employee = env.get(Employee, int(employee_id))
    position = position or employee.position
    period = period or latest_period(env, employee.id)
    required = requirement_levels(env, position)
    found = _assessments(env, employee.id, period) if period else []
    self_a = next((a for a in found if a.kind == "self"), None)
    manager_a = next((a for a in found if a.kind == "manager"), None)
    peers = [a for a in found if a.kind == "peer"]

    def levels(a: Assessment | None) -> dict[int, int]:
        return {r.competency_id: r.level for r in a.ratings} if a else {}

    mine, boss = levels(self_a), levels(manager_a)
    peer_levels = [levels(p) for p in peers]
    comments = {r.competency_id: r.comment for r in manager_a.ratings} if manager_a else {}
    rows = []
    for comp in competencies(env):
        got = [p[comp.id] for p in peer_levels if comp.id in p]
        peer_avg = (Decimal(sum(got)) / len(got)).quantize(Decimal("0.1")) if got else None
        rows.append({
            "competency": comp, "code": comp.code, "required": required.get(comp.id),
            "self": mine.get(comp.id), "manager": boss.get(comp.id), "peers": peer_avg,
            "gap": gap(required.get(comp.id), boss.get(comp.id)), "comment": comments.get(comp.id),
        })
    gaps = [r["gap"] for r in rows if r["gap"] is not None]
    return {
        "employee": employee, "position": position, "period": period,
        "final": bool(manager_a and manager_a.state == "final"), "manager_assessment": manager_a,
        "self_assessment": self_a, "peer_count": len(peers), "rows": rows,
        "total_gap": sum(gaps) if gaps else None, "ready": bool(gaps) and sum(gaps) == 0,
    }


def territory_of(env: Env, employee_col: Any, on_col: Any) -> Any:
    """The territory of an employee on a date (territories enabled): the membership valid that day,
    else a territory they manage. A correlated scalar sub-query through ``env.select`` (the
    territories' rules apply: a territory the user may not read is ``NULL``)."""
    from sqlalchemy import or_

    from addons.territories.models import Territory, TerritoryMember

    member = (env.select(TerritoryMember, "read", TerritoryMember.territory_id)
              .where(TerritoryMember.employee_id == employee_col, TerritoryMember.active.is_(True),
                     TerritoryMember.date_from <= on_col,
                     or_(TerritoryMember.date_to.is_(None), TerritoryMember.date_to > on_col))
              .order_by(TerritoryMember.date_from.desc(), TerritoryMember.id).limit(1).scalar_subquery())
    managed = (env.select(Territory, "read", Territory.id)
               .where(Territory.manager_id == employee_col, Territory.active.is_(True))
               .order_by(Territory.id).limit(1).scalar_subquery())
    return func.coalesce(member, managed)


def gap_facts(env: Env, final_only: bool = True, territory: bool = False) -> Select:
    """Fact rows, one per rating of a manager's assessment: ``value`` (the gap), ``period``
    (the assessment date), ``employee``, ``competency``, ``position``, ``manager``, ``assessment``,
    ``required`` and ``level``; with ``territory`` (territories enabled) also ``territory``.

    Built on ``env.select`` of ratings, assessments, requirements and employees: the rules apply.
    """
    a_where = [Assessment.kind == "manager"]
    if final_only:
        a_where.append(Assessment.state == "final")
    a = env.select(Assessment, "read", Assessment.id, Assessment.employee_id, Assessment.position,
                   Assessment.assessed_on, Assessment.period).where(*a_where).subquery()
    req = env.select(Requirement, "read", Requirement.position, Requirement.competency_id,
                     Requirement.level).where(Requirement.active.is_(True)).subquery()
    emp = env.select(Employee, "read", Employee.id, Employee.manager_id).subquery()
    diff = Rating.level - req.c.level
    extra = []
    if territory and "territories" in env.enabled:
        extra.append(territory_of(env, a.c.employee_id, a.c.assessed_on).label("territory"))
    return (
        env.select(Rating, "read",
                   case((diff > 0, diff), else_=0).label("value"),
                   a.c.assessed_on.label("period"),
                   a.c.employee_id.label("employee"),
                   Rating.competency_id.label("competency"),
                   a.c.position.label("position"),
                   emp.c.manager_id.label("manager"),
                   a.c.period.label("assessment_period"),
                   req.c.level.label("required"),
                   Rating.level.label("level"),
                   *extra)
        .join(a, a.c.id == Rating.assessment_id)
        .join(req, and_(req.c.position == a.c.position, req.c.competency_id == Rating.competency_id))
        .join(emp, emp.c.id == a.c.employee_id)
    )


def gap_rows(env: Env, period: str | None = None, position: str | None = None,
             final_only: bool = True) -> list[dict[str, Any]]:
    """Gap per person and competency (the rows of the report and of the training hook)."""
    facts = gap_facts(env, final_only).subquery()
    stmt = select(facts.c.employee, facts.c.competency, facts.c.position, facts.c.assessment_period,
                  facts.c.value)
    if period:
        stmt = stmt.where(facts.c.assessment_period == period)
    if position:
        stmt = stmt.where(facts.c.position == position)
    return [dict(r._mapping) for r in env.execute(stmt)]


def team_heatmap(env: Env, period: str, employees: Sequence[Employee]) -> dict[str, Any]:
    """Gap per person (rows) and competency (columns) for a team, from the manager's ratings."""
    comps = competencies(env)
    cells: dict[tuple[int, int], int] = {}
    ids = [e.id for e in employees]
    if ids:
        facts = gap_facts(env, final_only=False).subquery()
        stmt = select(facts.c.employee, facts.c.competency, facts.c.value).where(
            facts.c.assessment_period == period, facts.c.employee.in_(ids))
        for emp_id, comp_id, value in env.execute(stmt):
            cells[(emp_id, comp_id)] = int(value)
    rated = sorted({e for e, _c in cells})
    return {"competencies": comps, "employees": [e for e in employees if e.id in rated], "cells": cells}


def territory_gaps(env: Env, period: str, final_only: bool = False) -> dict[str, Any]:
    """Average gap per territory (rows) and competency (columns) of the people assessed in
    ``period`` (territories enabled; the territory of each person on the assessment date).

    Returns ``{"competencies", "territories": [(id, name)], "cells": {(territory, competency):
    Decimal average}, "people": {territory: count}}``; empty when territories is not enabled.
    """
    comps = competencies(env)
    out: dict[str, Any] = {"competencies": comps, "territories": [], "cells": {}, "people": {}}
    if "territories" not in env.enabled:
        return out
    from addons.territories.models import Territory

    facts = gap_facts(env, final_only=final_only, territory=True).subquery()
    stmt = (select(facts.c.territory, facts.c.competency, func.sum(facts.c.value), func.count(),
                   func.count(func.distinct(facts.c.employee)))
            .where(facts.c.assessment_period == period, facts.c.territory.is_not(None))
            .group_by(facts.c.territory, facts.c.competency))
    ids: set[int] = set()
    for terr, comp, total, n, people in env.execute(stmt):
        out["cells"][(terr, comp)] = (Decimal(int(total or 0)) / n).quantize(Decimal("0.1"))
        out["people"][terr] = max(out["people"].get(terr, 0), int(people))
        ids.add(terr)
    if ids:
        names = {t.id: t.display() for t in env.search(Territory, Territory.id.in_(sorted(ids)))}
        out["territories"] = sorted(((i, names.get(i, f"#{i}")) for i in ids), key=lambda x: x[1])
    return out
