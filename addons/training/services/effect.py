"""The effect of training (Kirkpatrick's behaviour level, read from the competency model).

For every attended enrolment and every competency its course addresses, the
person's level at the last calibrated manager assessment on or before the
session (*before*) and at the first one after it (*after*). Levels run from 1
(highest) to 5, so the effect is ``before - after``: +1 is one level better.
Pairs without both assessments are left out (the next assessment has not
come yet). Built on ``env.select`` of enrolments, sessions and ratings: the
user's rules apply (a person their own, HR everybody).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select

from ..models import Course, CourseCompetency, Enrolment, Lecturer, Session

if TYPE_CHECKING:
    from sqlalchemy import Select

    from core.security.env import Env


def effect_facts(env: Env) -> Select | None:
    """Fact rows ``value`` (levels gained), ``before``, ``after``, ``period`` (the session day), ``employee``,
    ``course``, ``lecturer``, ``code``; ``None`` without the competency addon."""
    if "competency" not in env.enabled:
        return None
    from addons.competency.models import Assessment, Competency, Rating

    def level(after: bool) -> Any:
        a = env.select(Assessment, "read", Assessment.id, Assessment.employee_id, Assessment.assessed_on).where(
            Assessment.kind == "manager", Assessment.state == "final").subquery()
        stmt = env.select(Rating, "read", Rating.level).join(a, a.c.id == Rating.assessment_id).where(
            a.c.employee_id == Enrolment.employee_id, Rating.competency_id == Competency.id)
        if after:
            stmt = stmt.where(a.c.assessed_on > Session.on_date).order_by(a.c.assessed_on, a.c.id)
        else:
            stmt = stmt.where(a.c.assessed_on <= Session.on_date).order_by(a.c.assessed_on.desc(), a.c.id.desc())
        return stmt.limit(1).correlate(Enrolment, Session, Competency).scalar_subquery()

    inner = (
        env.select(Enrolment, "read", Enrolment.employee_id.label("employee"), Session.course_id.label("course"),
                   Session.lecturer_id.label("lecturer"), Session.on_date.label("period"),
                   CourseCompetency.code.label("code"), level(False).label("before"), level(True).label("after"))
        .select_from(Enrolment)
        .join(Session, Session.id == Enrolment.session_id)
        .join(CourseCompetency, CourseCompetency.course_id == Session.course_id)
        .join(Competency, and_(Competency.code == CourseCompetency.code, Competency.company_id == Enrolment.company_id))
        .where(Enrolment.attended.is_(True))
    ).subquery()
    return select((inner.c.before - inner.c.after).label("value"), inner.c.before, inner.c.after, inner.c.period,
                  inner.c.employee, inner.c.course, inner.c.lecturer, inner.c.code).where(
        inner.c.before.is_not(None), inner.c.after.is_not(None))


def effect_rows(env: Env, by: str = "course", date_from: Any = None, date_to: Any = None) -> list[dict[str, Any]]:
    """The effect per course (or per lecturer): people, pairs measured, average levels gained, improved pairs."""
    facts = effect_facts(env)
    if facts is None:
        return []
    f = facts.subquery()
    stmt = select(f.c.value, f.c.employee, f.c.course, f.c.lecturer)
    if date_from:
        stmt = stmt.where(f.c.period >= date_from)
    if date_to:
        stmt = stmt.where(f.c.period <= date_to)
    key = "lecturer" if by == "lecturer" else "course"
    groups: dict[Any, dict[str, Any]] = defaultdict(lambda: {"people": set(), "pairs": 0, "gained": 0, "improved": 0})
    for value, emp, course, lecturer in env.execute(stmt):
        g = groups[course if key == "course" else lecturer]
        g["people"].add(emp)
        g["pairs"] += 1
        g["gained"] += int(value)
        g["improved"] += 1 if value > 0 else 0
    model = Lecturer if key == "lecturer" else Course
    ids = [i for i in groups if i is not None]
    names = {r.id: (r.display() if hasattr(r, "display") else r.name) for r in env.sudo().search(model, model.id.in_(ids))}
    out = []
    for gid, g in groups.items():
        out.append({"id": gid, "name": names.get(gid, "-"), "people": len(g["people"]), "pairs": g["pairs"],
                    "gained": g["gained"], "improved": g["improved"],
                    "average": (Decimal(g["gained"]) / g["pairs"]).quantize(Decimal("0.01")) if g["pairs"] else None})
    return sorted(out, key=lambda r: (-(r["average"] or 0), r["name"]))


__all__ = ["effect_facts", "effect_rows"]
