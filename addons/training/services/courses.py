"""Lecturers and courses: who may teach, the course design, its review and approval.

A course names the competencies it addresses (codes A–J with a target level
1..5); it is offered (sessions, plans) only once approved through the
kernel workflow ``training.course``. Ratings of courses and lecturers are
the averages of the attendees' feedback (see :mod:`.sessions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Employee
from core.errors import ValidationError
from core.i18n import _
from core.security import approvals

from ..models import CODES, LECTURER_KIND, Course, CourseCompetency, Lecturer
from ..workflows import COURSE_WORKFLOW

if TYPE_CHECKING:
    from core.security.env import Env


def parse_level(value: Any) -> int:
    """A target level 1 (highest) .. 5; a ``ValidationError`` otherwise."""
    try:
        level = int(str(value).strip())
    except (TypeError, ValueError):
        level = 0
    if level not in (1, 2, 3, 4, 5):
        raise ValidationError(_("A level is a whole number from 1 (highest) to 5."))
    return level


def parse_money(value: Any, what: str) -> Decimal:
    """A non-negative amount (Decimal); a ``ValidationError`` naming ``what`` otherwise."""
    try:
        amount = Decimal(str(value if value not in (None, "") else "0").replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(field)s: enter an amount such as 1200 or 1200.50.", field=what)) from None
    if amount < 0 or not amount.is_finite():
        raise ValidationError(_("%(field)s: enter an amount such as 1200 or 1200.50.", field=what))
    return amount.quantize(Decimal("0.01"))


def create_lecturer(env: Env, kind: str, name: str | None = None, employee_id: int | None = None,
                    **fields: Any) -> Lecturer:
    """An internal lecturer (an employee of the company) or an external expert (a name)."""
    if kind not in LECTURER_KIND:
        raise ValidationError(_("Unknown kind of lecturer: %(kind)s.", kind=kind))
    values: dict[str, Any] = {"kind": kind}
    if kind == "internal":
        if not employee_id:
            raise ValidationError(_("An internal lecturer is an employee: choose one."))
        emp = env.sudo().get(Employee, int(employee_id))  # the lecturer's identity, whatever the reader may see
        values.update(employee_id=emp.id, name=(name or emp.name_zh).strip())
    else:
        if not (name or "").strip():
            raise ValidationError(_("Enter the external expert's name."))
        values["name"] = name.strip()
    if "fee_per_hour" in fields:
        fields["fee_per_hour"] = parse_money(fields["fee_per_hour"], _("Fee per hour"))
    values.update(fields)
    return env.create(Lecturer, values)


def create_course(env: Env, code: str, name_zh: str, competencies: Mapping[str, Any],
                  duration_hours: Any = 4, **fields: Any) -> Course:
    """A course in draft: ``competencies`` maps codes A–J to the target level.

    Refused, nothing saved: no code or name, no competency, an unknown code,
    a level outside 1..5, a duration not above 0.
    """
    code = (code or "").strip().upper()
    if not code or not (name_zh or "").strip():
        raise ValidationError(_("Enter the course's code and name."))
    if env.sudo().count(Course, Course.code == code):
        raise ValidationError(_("A course with the code %(code)s already exists.", code=code))
    targets = check_competencies(competencies)
    try:
        hours = Decimal(str(duration_hours))
    except (InvalidOperation, ValueError):
        hours = Decimal("0")
    if not hours.is_finite() or hours <= 0 or hours > 1000:
        raise ValidationError(_("The duration is a number of hours above 0."))
    if "cost_per_session" in fields:
        fields["cost_per_session"] = parse_money(fields["cost_per_session"], _("Cost per session"))
    capacity = int(fields.pop("capacity", 20) or 20)
    if capacity < 1:
        raise ValidationError(_("The capacity is at least one seat."))
    with env.session.begin_nested():
        course = env.create(Course, {"code": code, "name_zh": name_zh.strip(), "duration_hours": hours,
                                     "capacity": capacity, "state": "draft", **fields})
        for c, level in targets.items():
            env.create(CourseCompetency, {"course_id": course.id, "code": c, "target_level": level})
    return course


def check_competencies(competencies: Mapping[str, Any]) -> dict[str, int]:
    """``{"B": 2}``: known codes A–J and levels 1..5; at least one."""
    targets: dict[str, int] = {}
    for key, level in (competencies or {}).items():
        c = str(key).strip().upper()
        if c not in CODES:
            raise ValidationError(_("Unknown competency: %(code)s.", code=key))
        targets[c] = parse_level(level)
    if not targets:
        raise ValidationError(_("Name at least one competency the course addresses."))
    return targets


def fire_course(env: Env, course: Course, transition: str, comment: str | None = None) -> Course:
    """Submit, approve, send back, retire or rework a course (kernel approvals)."""
    if transition == "submit" and not course.competencies:
        raise ValidationError(_("Name at least one competency the course addresses."))
    approvals.fire(env, COURSE_WORKFLOW, course, transition, comment=comment)
    return course


def course_transitions(env: Env, course: Course) -> list[Any]:
    """What the user may do with the course now (none when the record and its approval disagree)."""
    if approvals.current_state(env, COURSE_WORKFLOW, course) != course.state:
        return []
    return approvals.available(env, COURSE_WORKFLOW, course)


def approved_courses(env: Env) -> list[Course]:
    """The courses on offer (approved), by code."""
    return env.search(Course, Course.state == "approved", order_by=[Course.code])


def courses_for(env: Env, codes: set[str] | None = None) -> dict[str, list[Course]]:
    """Approved courses by the competency code they address."""
    out: dict[str, list[Course]] = {}
    for course in approved_courses(env):
        for cc in course.competencies:
            if codes is None or cc.code in codes:
                out.setdefault(cc.code, []).append(course)
    return out
