"""Training needs: from competency gaps, from managers' requests, from the needs survey.

A person whose calibrated gap on a competency is one level or more is a
candidate for the approved courses addressing it (:func:`compute_needs`, read
through competency's hook ``tixi_competency_gaps``: the user's rules apply).
A manager requests training for someone in their team (:func:`request_need`);
the needs survey is sent to employees as a notification and each answer
becomes a need (:func:`send_survey`, :func:`answer_survey`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from addons.masterdata.models import Employee
from addons.masterdata.services import current_employee
from core.db import utcnow
from core.errors import AccessDenied, ValidationError
from core.i18n import _

from ..models import CODES, Need, Survey
from .courses import courses_for

if TYPE_CHECKING:
    from core.security.env import Env

HR = ("core.group_marketing_admin", "core.group_director", "core.group_general_manager", "core.group_admin")


def competency_codes(env: Env) -> dict[int, str]:
    """Competency id -> code (A..J) of the company's model; empty without the competency addon."""
    if "competency" not in env.enabled:
        return {}
    from addons.competency.models import Competency

    return {cid: code for cid, code in env.execute(env.select(Competency, "read", Competency.id, Competency.code))}


def gap_candidates(env: Env, period: str | None = None) -> list[dict[str, Any]]:
    """Gap rows of one level or more: ``employee``, ``code``, ``gap``, ``period``, ``courses`` (approved ones)."""
    if "competency" not in env.enabled:
        return []
    if period is None:
        from addons.competency.services import latest_period

        period = latest_period(env)
        if period is None:
            return []
    codes = competency_codes(env)
    rows = env.hooks.tixi_competency_gaps(env=env, period=period, position=None) or []
    offer = courses_for(env)
    out = []
    for r in rows:
        value = int(r["value"] or 0)
        code = codes.get(r["competency"])
        if value >= 1 and code:
            out.append({"employee": r["employee"], "code": code, "gap": value, "period": r["assessment_period"],
                        "courses": [c.id for c in offer.get(code, [])]})
    return out


def compute_needs(env: Env, period: str | None = None) -> dict[str, int]:
    """Make the gap needs of ``period`` match the gaps (default: the latest assessed period).

    New gaps become open needs, changed gaps are updated, needs whose gap has
    closed are closed. Only HR, the director and the general manager run it.
    Returns ``{"created", "updated", "closed", "people"}``.
    """
    if not env.in_group(*HR):
        raise AccessDenied(_("Only HR (marketing admin), the director or the general manager compute training needs."))
    cands = gap_candidates(env, period)
    if not cands and period is None:
        return {"created": 0, "updated": 0, "closed": 0, "people": 0}
    periods = {c["period"] for c in cands} or {period}
    existing = {(n.employee_id, n.code, n.period): n for n in env.search(
        Need, Need.source == "gap", Need.period.in_(periods))}
    updated = closed = 0
    seen = set()
    new_rows: list[dict[str, Any]] = []
    now = utcnow()
    with env.session.begin_nested():
        for c in cands:
            key = (c["employee"], c["code"], c["period"])
            if key in seen:
                continue
            seen.add(key)
            need = existing.get(key)
            course_id = c["courses"][0] if len(c["courses"]) == 1 else None
            if need is None:
                new_rows.append({"company_id": env.company_id, "employee_id": c["employee"], "code": c["code"],
                                 "gap": c["gap"], "period": c["period"], "source": "gap", "state": "open",
                                 "course_id": course_id, "created_at": now, "updated_at": now,
                                 "created_by_id": env.user_id, "updated_by_id": env.user_id, "version": 1,
                                 "active": True})
            elif need.gap != c["gap"] or need.state == "closed":
                env.write(need, {"gap": c["gap"], "state": "open" if need.state == "closed" else need.state})
                updated += 1
        for key, need in existing.items():
            if key not in seen and need.state == "open":
                env.write(need, {"state": "closed"})
                closed += 1
        if new_rows:
            # one bulk insert: the rights are checked here, the references (people, courses) through env
            env.check(Need, "create")
            env.check_references(Need, new_rows)
            from addons.masterdata.bulk import bulk_insert

            bulk_insert(env.session, Need.__table__, new_rows)
            env.audit("training_need", 0, "computed", {"period": sorted(periods), "created": len(new_rows)})
    created = len(new_rows)
    return {"created": created, "updated": updated, "closed": closed,
            "people": len({c["employee"] for c in cands})}


def _team_ids(env: Env, manager_id: int) -> set[int]:
    closure = Employee.__tixi_closure__
    return set(env.sudo().scalars(select(closure.c.descendant_id).where(closure.c.ancestor_id == manager_id)))


def request_need(env: Env, employee_id: int, code: str, period: str, gap: int = 1, note: str | None = None,
                 course_id: int | None = None) -> Need:
    """A manager's request: training for someone in their team (HR for anyone) on a competency."""
    from .plans import check_period

    code = str(code or "").strip().upper()
    if code not in CODES:
        raise ValidationError(_("Unknown competency: %(code)s.", code=code))
    period = check_period(period)
    me = current_employee(env)
    if not env.in_group(*HR):
        if me is None or int(employee_id) not in _team_ids(env, me.id) or int(employee_id) == me.id:
            raise AccessDenied(_("You may request training only for the people in your team."))
    if env.sudo().count(Need, Need.employee_id == int(employee_id), Need.code == code, Need.period == period,
                        Need.source == "request"):
        raise ValidationError(_("This training need has already been requested."))
    return env.create(Need, {"employee_id": int(employee_id), "code": code, "period": period,
                             "gap": max(1, min(4, int(gap or 1))), "source": "request", "state": "open",
                             "requested_by_id": me.id if me else None, "note": (note or "").strip() or None,
                             "course_id": course_id})


def send_survey(env: Env, title: str, period: str, employee_ids: Iterable[int] | None = None) -> Survey:
    """Send the needs survey to employees (in-app / e-mail notification ``training.survey``)."""
    from core.notifications import notify

    from .plans import check_period

    if not env.in_group(*HR):
        raise AccessDenied(_("Only HR (marketing admin), the director or the general manager send the needs survey."))
    if not (title or "").strip():
        raise ValidationError(_("Enter the survey's title."))
    period = check_period(period)
    sudo = env.sudo()  # the recipients are the company's employees, whoever sends it
    where = [Employee.active.is_(True), Employee.user_id.is_not(None)]
    if employee_ids is not None:
        where.append(Employee.id.in_([int(i) for i in employee_ids]))
    users = [e.user_id for e in sudo.search(Employee, *where)]
    survey = env.create(Survey, {"title": title.strip(), "period": period, "sent_at": utcnow(),
                                 "recipients": len(users)})
    notify(env, users, "training.survey", record=survey, title=survey.title, period=period)
    return survey


def answer_survey(env: Env, survey_id: int, codes: Iterable[str], note: str | None = None) -> list[Need]:
    """The user's answer to a survey: the competencies they want training on (each becomes a need)."""
    survey = env.get(Survey, int(survey_id))
    me = current_employee(env)
    if me is None:
        raise ValidationError(_("You have no employee record in this company."))
    wanted = sorted({str(c).strip().upper() for c in codes if str(c).strip()})
    if not wanted:
        raise ValidationError(_("Choose at least one competency."))
    for c in wanted:
        if c not in CODES:
            raise ValidationError(_("Unknown competency: %(code)s.", code=c))
    if env.sudo().count(Need, Need.survey_id == survey.id, Need.employee_id == me.id):
        raise ValidationError(_("You have already answered this survey."))
    # sudo: an earlier survey of the same period may already hold the need (the unique key)
    had = set(env.sudo().scalars(env.sudo().select(Need, Need.code).where(
        Need.employee_id == me.id, Need.period == survey.period, Need.source == "survey")))
    with env.session.begin_nested():
        return [env.create(Need, {"employee_id": me.id, "code": c, "period": survey.period, "gap": 1,
                                  "source": "survey", "survey_id": survey.id, "state": "open",
                                  "note": (note or "").strip() or None}) for c in wanted if c not in had]
