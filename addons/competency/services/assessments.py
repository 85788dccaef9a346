"""Assessments: a person rates themselves, their manager rates them, peers may; HR calibrates.

Who may rate whom (the rater is the user's employee record in the company):

* ``self``: only oneself;
* ``manager``: anyone below the rater in the reporting line;
* ``peer``: a colleague with the same manager (not oneself).

One assessment per person, period and kind for ``self`` and ``manager``, one
per peer and period for ``peer``. Calibration (marketing admin / HR, the
director, the general manager) may adjust the manager's levels and makes the
manager's assessment final: the person's result for the period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from addons.masterdata.models import Employee
from addons.masterdata.services import current_employee
from core.errors import AccessDenied, ValidationError
from core.i18n import _

from ..models import KIND, Assessment, Rating
from .model import competencies, parse_level

if TYPE_CHECKING:
    from core.security.env import Env

PERIOD_RE = re.compile(r"^\d{4}(-(H[12]|Q[1-4]))?$")
CALIBRATORS = ("core.group_marketing_admin", "core.group_director", "core.group_general_manager", "core.group_admin")


def check_period(period: Any) -> str:
    """A period code: ``2026``, ``2026-H2`` or ``2026-Q4``; a ``ValidationError`` otherwise."""
    text = str(period or "").strip().upper()
    if not PERIOD_RE.match(text):
        raise ValidationError(_("Enter the period as a year (2026), a half (2026-H2) or a quarter (2026-Q4)."))
    return text


def _rater(env: Env) -> Employee:
    me = current_employee(env)
    if me is None:
        raise ValidationError(_("You have no employee record in this company, so you cannot rate anyone."))
    return me


def _below(env: Env, manager_id: int) -> Any:
    """Ids of everyone below ``manager_id`` in the reporting line (the closure table, depth >= 1)."""
    closure = Employee.__tixi_closure__
    return select(closure.c.descendant_id).where(closure.c.ancestor_id == manager_id, closure.c.depth >= 1)


def rater_reach(env: Env, rater: Employee, employee: Employee, kind: str) -> bool:
    """Whether ``rater`` may give ``employee`` an assessment of ``kind``."""
    if kind == "self":
        return rater.id == employee.id
    if kind == "manager":
        # sudo: the reporting line decides the reach, not the rater's read rights on employees
        return bool(env.sudo().count(Employee, Employee.id == employee.id, Employee.id.in_(_below(env, rater.id))))
    if kind == "peer":
        return rater.id != employee.id and rater.manager_id is not None and rater.manager_id == employee.manager_id
    return False


def assessable_employees(env: Env) -> dict[str, list[Employee]]:
    """The people the user may rate now, by kind (``self``, ``manager``, ``peer``)."""
    me = current_employee(env)
    if me is None:
        return {"self": [], "manager": [], "peer": []}
    # sudo: the reporting line is the reach (a salesperson may read every colleague's name anyway)
    active = Employee.active.is_(True), Employee.date_left.is_(None)
    below = env.sudo().search(Employee, *active, Employee.id.in_(_below(env, me.id)), order_by=[Employee.name_zh])
    peers = [] if me.manager_id is None else env.sudo().search(
        Employee, *active, Employee.manager_id == me.manager_id, Employee.id != me.id, order_by=[Employee.name_zh])
    return {"self": [me], "manager": below, "peer": peers}


def _existing(env: Env, employee_id: int, period: str, kind: str, rater_id: int) -> int:
    # sudo: a second assessment is refused whoever wrote the first (the rater may not read it)
    where = [Assessment.employee_id == employee_id, Assessment.period == period, Assessment.kind == kind]
    if kind == "peer":
        where.append(Assessment.rater_id == rater_id)
    return env.sudo().count(Assessment, *where)


def submit_assessment(
    env: Env,
    employee_id: int,
    period: Any,
    kind: str,
    ratings: Mapping[Any, Any],
    comment: str | None = None,
    on_date: dt.date | None = None,
) -> Assessment:
    """Record the user's assessment of an employee: a level 1..5 and a comment for every competency.

    ``ratings`` maps a competency id (or code) to ``{"level": 1..5, "comment": str}``
    (or just the level). Every active competency must be rated. Refused, with
    nothing saved: a level outside 1..5, a person outside the rater's reach,
    a second assessment of the same kind for the same period.
    """
    if kind not in KIND:
        raise ValidationError(_("Unknown kind of assessment: %(kind)s.", kind=kind))
    period = check_period(period)
    rater = _rater(env)
    # sudo: the person may be outside what the rater may read; the reach check decides
    employee = env.sudo().get(Employee, int(employee_id))
    if not rater_reach(env, rater, employee, kind):
        raise AccessDenied(_("%(name)s is outside your reach for a %(kind)s.",
                             name=employee.display(), kind=KIND.label(kind)))
    if _existing(env, employee.id, period, kind, rater.id):
        raise ValidationError(_("%(name)s already has a %(kind)s for %(period)s.",
                                name=employee.display(), kind=KIND.label(kind), period=period))
    comps = competencies(env)
    by_key = {**{c.id: c for c in comps}, **{str(c.id): c for c in comps}, **{c.code: c for c in comps}}
    clean: dict[int, tuple[int, str | None]] = {}
    for key, value in ratings.items():
        comp = by_key.get(key)
        if comp is None:
            raise ValidationError(_("Unknown competency: %(code)s.", code=key))
        raw = value.get("level") if isinstance(value, Mapping) else value
        note = (value.get("comment") if isinstance(value, Mapping) else None) or None
        try:
            level = parse_level(raw)
        except ValidationError as exc:
            raise ValidationError(f"{comp.display()}: {exc}") from None
        clean[comp.id] = (level, note.strip()[:2000] if note else None)
    missing = [c.code for c in comps if c.id not in clean]
    if missing:
        raise ValidationError(_("Rate every competency; missing: %(codes)s.", codes=", ".join(missing)))
    with env.session.begin_nested():
        assessment = env.create(Assessment, {
            "employee_id": employee.id, "rater_id": rater.id, "period": period, "kind": kind,
            "state": "submitted", "assessed_on": on_date or dt.date.today(), "position": employee.position,
            "comment": (comment or "").strip()[:4000] or None,
        })
        for comp_id, (level, note) in clean.items():
            env.create(Rating, {"assessment_id": assessment.id, "competency_id": comp_id,
                                "level": level, "comment": note})
    return assessment


def calibrate(env: Env, assessment_id: int, adjustments: Mapping[Any, Any] | None = None,
              comment: str | None = None) -> Assessment:
    """Calibrate a manager's assessment: adjust levels (optional) and make it final.

    Only marketing admin (HR), the director and the general manager calibrate;
    the manager who rated cannot calibrate their own rating.
    """
    if not env.in_group(*CALIBRATORS):
        raise AccessDenied(_("Only HR (marketing admin), the director or the general manager calibrate assessments."))
    assessment = env.get(Assessment, int(assessment_id), "write")
    if assessment.kind != "manager":
        raise ValidationError(_("Only a manager's assessment is calibrated."))
    if assessment.state == "final":
        raise ValidationError(_("This assessment is already final."))
    me = current_employee(env)
    if me is not None and me.id == assessment.rater_id:
        raise AccessDenied(_("You cannot calibrate your own rating."))
    by_comp = {r.competency_id: r for r in assessment.ratings}
    by_code = {r.competency.code: r for r in assessment.ratings}
    changes: dict[int, int] = {}
    for key, value in (adjustments or {}).items():
        rating = by_comp.get(key) or by_code.get(key) or by_comp.get(int(key) if str(key).isdigit() else -1)
        if rating is None:
            raise ValidationError(_("Unknown competency: %(code)s.", code=key))
        changes[rating.id] = parse_level(value)
    from core.db import utcnow

    with env.session.begin_nested():
        for rating in assessment.ratings:
            if rating.id in changes and changes[rating.id] != rating.level:
                env.write(rating, {"level": changes[rating.id]})
        values: dict[str, Any] = {"state": "final", "calibrated_at": utcnow(), "calibrated_by_id": env.user_id}
        if comment:
            values["comment"] = ((assessment.comment or "") + "\n" + comment.strip()).strip()[:4000]
        env.write(assessment, values)
    return assessment


def pending_for_user(env: Env, period: str) -> dict[str, list[Employee]]:
    """What waits for the user in ``period``: their self-assessment, their reports' manager assessments."""
    reach = assessable_employees(env)
    out: dict[str, list[Employee]] = {}
    for kind in ("self", "manager"):
        done = set(env.sudo().scalars(env.sudo().select(Assessment, Assessment.employee_id).where(
            Assessment.period == period, Assessment.kind == kind)))
        out[kind] = [e for e in reach[kind] if e.id not in done]
    return out
