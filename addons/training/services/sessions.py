"""Sessions: schedule, enrolment with a capacity and a waiting list, check-in, feedback, test score.

Enrolment locks the session row (``SELECT ... FOR UPDATE`` on PostgreSQL;
SQLite serialises writers by itself) before counting the seats, so N seats
give exactly N enrolments under concurrency; the others wait, in order, and
move up when a seat is freed. Check-in is the attendee's own, on a phone,
from an hour before the start to two hours after the end; HR records
attendance any time. Feedback (the reaction) comes from attendees only, once;
the ratings of the course and the lecturer are the averages of all feedback.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from addons.masterdata.models import Employee
from addons.masterdata.services import current_employee
from core.db import utcnow
from core.errors import AccessDenied, ValidationError
from core.i18n import _

from ..models import Course, Enrolment, Feedback, Lecturer, Session
from .needs import HR

if TYPE_CHECKING:
    from core.security.env import Env

CHECK_IN_EARLY = dt.timedelta(hours=1)
CHECK_IN_LATE = dt.timedelta(hours=2)


def _aware(value: Any, what: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(_("%(field)s: enter a date and time such as 2026-12-10 09:00.", field=what)) from None
    if not isinstance(value, dt.datetime):
        raise ValidationError(_("%(field)s: enter a date and time such as 2026-12-10 09:00.", field=what))
    return value


def create_session(env: Env, course_id: int, starts_at: Any, ends_at: Any, place: str | None = None,
                   capacity: Any = None, lecturer_id: int | None = None, plan_id: int | None = None,
                   tz: Any = None) -> Session:
    """Schedule a session of an approved course. Naive times are in the company's time zone.

    Refused, nothing saved: a course not approved, an end not after the start,
    a capacity below one.
    """
    from core.measures import company_tz

    zone = tz or company_tz(env)
    start = _aware(starts_at, _("Starts at"))
    end = _aware(ends_at, _("Ends at"))
    start = start if start.tzinfo else start.replace(tzinfo=zone)
    end = end if end.tzinfo else end.replace(tzinfo=zone)
    if end <= start:
        raise ValidationError(_("The session ends before it starts: check the start and end times."))
    course = env.get(Course, int(course_id))
    if course.state != "approved":
        raise ValidationError(_("The course %(course)s is not approved yet: it cannot be offered.",
                                course=course.display()))
    try:
        seats = int(capacity) if capacity not in (None, "") else int(course.capacity or 20)
    except (TypeError, ValueError):
        seats = 0
    if seats < 1:
        raise ValidationError(_("The capacity is at least one seat."))
    if lecturer_id:
        env.get(Lecturer, int(lecturer_id))
    return env.create(Session, {
        "course_id": course.id, "plan_id": plan_id, "lecturer_id": int(lecturer_id) if lecturer_id else course.lecturer_id,
        "starts_at": start.astimezone(dt.UTC), "ends_at": end.astimezone(dt.UTC),
        "on_date": start.astimezone(zone).date(), "place": (place or "").strip() or None, "capacity": seats,
        "enrolled_count": 0, "state": "scheduled"})


def _lock(env: Env, session_id: int) -> Session:
    """The session row, locked for the rest of the transaction (the seat count is decided under it)."""
    row = env.sudo().scalar(env.sudo().select(Session).where(Session.id == int(session_id))
                            .with_for_update().execution_options(populate_existing=True))
    if row is None:
        raise ValidationError(_("This session does not exist."))
    return row


def _seats_taken(env: Env, session_id: int) -> int:
    return env.sudo().count(Enrolment, Enrolment.session_id == session_id, Enrolment.state == "enrolled")


def _employee_for(env: Env, employee_id: int | None) -> Employee:
    me = current_employee(env)
    if employee_id is None or (me is not None and int(employee_id) == me.id):
        if me is None:
            raise ValidationError(_("You have no employee record in this company."))
        return me
    if not env.in_group(*HR):
        raise AccessDenied(_("Only HR enrols other people."))
    return env.sudo().get(Employee, int(employee_id))


def enrol(env: Env, session_id: int, employee_id: int | None = None, now: dt.datetime | None = None) -> Enrolment:
    """Enrol the user (HR: anyone) on a session: a seat if one is free, else the waiting list."""
    env.get(Session, int(session_id))  # the user may read it (company, rights)
    person = _employee_for(env, employee_id)
    session = _lock(env, session_id)
    if session.state != "scheduled":
        raise ValidationError(_("This session is no longer open for enrolment."))
    if session.ends_at <= (now or utcnow()):
        raise ValidationError(_("This session is over: enrolment is closed."))
    # sudo: an earlier enrolment counts whoever may read it
    existing = env.sudo().scalar(env.sudo().select(Enrolment).where(
        Enrolment.session_id == session.id, Enrolment.employee_id == person.id))
    if existing is not None and existing.state != "cancelled":
        raise ValidationError(_("%(name)s is already enrolled on this session.", name=person.display()))
    state = "enrolled" if _seats_taken(env, session.id) < session.capacity else "waiting"
    values = {"state": state, "enrolled_at": utcnow(), "attended": False, "checked_in_at": None}
    if existing is not None:
        env.write(existing, values)
        enrolment = existing
    else:
        enrolment = env.create(Enrolment, {"session_id": session.id, "employee_id": person.id, **values})
    session.enrolled_count = _seats_taken(env, session.id)
    env.session.flush()
    return enrolment


def cancel(env: Env, enrolment_id: int) -> Enrolment:
    """Cancel an enrolment; the first on the waiting list takes the freed seat."""
    enrolment = env.get(Enrolment, int(enrolment_id), "write")
    if enrolment.state == "cancelled":
        raise ValidationError(_("This enrolment is already cancelled."))
    if enrolment.attended:
        raise ValidationError(_("You attended this session: the enrolment can no longer be cancelled."))
    session = _lock(env, enrolment.session_id)
    had_seat = enrolment.state == "enrolled"
    env.write(enrolment, {"state": "cancelled"})
    if had_seat:
        first = env.sudo().scalar(env.sudo().select(Enrolment).where(
            Enrolment.session_id == session.id, Enrolment.state == "waiting").order_by(
            Enrolment.enrolled_at, Enrolment.id).limit(1))
        if first is not None:
            first.state = "enrolled"  # the kernel's seat rule moves it, whoever cancelled
            env.audit("training_enrolment", first.id, "promoted", {"state": ["waiting", "enrolled"]})
    env.session.flush()
    session.enrolled_count = _seats_taken(env, session.id)
    env.session.flush()
    return enrolment


def my_enrolment(env: Env, session_id: int) -> Enrolment | None:
    """The user's own enrolment on a session, if any."""
    me = current_employee(env)
    if me is None:
        return None
    found = env.search(Enrolment, Enrolment.session_id == int(session_id), Enrolment.employee_id == me.id, limit=1)
    return found[0] if found else None


def check_in(env: Env, session_id: int, now: dt.datetime | None = None) -> Enrolment:
    """The attendee's own check-in (on a phone): enrolled, within the session's window."""
    session = env.get(Session, int(session_id))
    enrolment = my_enrolment(env, session.id)
    if enrolment is None or enrolment.state != "enrolled":
        raise ValidationError(_("You have no seat on this session, so you cannot check in."))
    if enrolment.attended:
        raise ValidationError(_("You have already checked in."))
    moment = now or utcnow()
    if moment < session.starts_at - CHECK_IN_EARLY:
        raise ValidationError(_("Check-in opens one hour before the session starts."))
    if moment > session.ends_at + CHECK_IN_LATE:
        raise ValidationError(_("The session is over: ask HR to record your attendance."))
    env.write(enrolment, {"attended": True, "checked_in_at": moment})
    return enrolment


def record_attendance(env: Env, enrolment_id: int, attended: bool = True) -> Enrolment:
    """HR records (or corrects) the attendance of an enrolled person."""
    if not env.in_group(*HR):
        raise AccessDenied(_("Only HR records attendance for others."))
    enrolment = env.get(Enrolment, int(enrolment_id), "write")
    if enrolment.state != "enrolled":
        raise ValidationError(_("Only an enrolled person (with a seat) attends."))
    env.write(enrolment, {"attended": bool(attended), "checked_in_at": enrolment.checked_in_at or utcnow()})
    return enrolment


def parse_rating(value: Any) -> int:
    """A rating 1 (poor) .. 5 (excellent)."""
    try:
        rating = int(str(value).strip())
    except (TypeError, ValueError):
        rating = 0
    if rating not in (1, 2, 3, 4, 5):
        raise ValidationError(_("Rate from 1 (poor) to 5 (excellent)."))
    return rating


def give_feedback(env: Env, session_id: int, course_rating: Any, lecturer_rating: Any,
                  comment: str | None = None, useful: bool = True, answers: Any = None) -> Feedback:
    """The attendee's reaction form; refused from someone who did not attend, or a second time.

    ``answers`` (``{"q_<question id>": value}``) answer the course's feedback
    form (:func:`.forms.form_for`); every answer is checked before anything is saved.
    """
    from ..models import FeedbackAnswer
    from .forms import form_for, parse_answers

    session = env.get(Session, int(session_id))
    enrolment = my_enrolment(env, session.id)
    if enrolment is None or not enrolment.attended:
        raise ValidationError(_("You did not attend this session, so you cannot give feedback on it."))
    c_rating, l_rating = parse_rating(course_rating), parse_rating(lecturer_rating)
    if env.sudo().count(Feedback, Feedback.enrolment_id == enrolment.id):
        raise ValidationError(_("You have already given feedback on this session."))
    rows = parse_answers(form_for(env, session.course_id), answers or {})
    fb = env.create(Feedback, {"enrolment_id": enrolment.id, "session_id": session.id,
                               "employee_id": enrolment.employee_id, "course_rating": c_rating,
                               "lecturer_rating": l_rating, "useful": bool(useful),
                               "comment": (comment or "").strip()[:2000] or None})
    for row in rows:
        env.create(FeedbackAnswer, {"feedback_id": fb.id, "session_id": session.id,
                                    "employee_id": enrolment.employee_id, **row})
    refresh_ratings(env, session.course_id, session.lecturer_id)
    return fb


def _avg(total: Any, n: int) -> Decimal | None:
    if not n:
        return None
    return (Decimal(total) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def refresh_ratings(env: Env, course_id: int, lecturer_id: int | None) -> None:
    """The course's and the lecturer's rating: the averages of all their feedback (kept on the records)."""
    sudo = env.sudo()  # the ratings are the company's figures, whoever gave the last feedback
    n, total = sudo.execute(select(func.count(Feedback.id), func.coalesce(func.sum(Feedback.course_rating), 0))
                            .join(Session, Session.id == Feedback.session_id)
                            .where(Session.course_id == course_id, Feedback.company_id == env.company_id)).one()
    course = sudo.get(Course, course_id)
    course.rating, course.rating_count = _avg(total, n), n
    if lecturer_id:
        n, total = sudo.execute(select(func.count(Feedback.id), func.coalesce(func.sum(Feedback.lecturer_rating), 0))
                                .join(Session, Session.id == Feedback.session_id)
                                .where(Session.lecturer_id == lecturer_id,
                                       Feedback.company_id == env.company_id)).one()
        lecturer = sudo.get(Lecturer, lecturer_id)
        lecturer.rating, lecturer.rating_count = _avg(total, n), n
    env.session.flush()


def record_score(env: Env, enrolment_id: int, score: Any) -> Enrolment:
    """The test score (learning), 0..100, by HR or the session's lecturer; passed at the course's pass mark."""
    # sudo: the lecturer may not read the attendees' enrolments; who may score is checked below
    enrolment = env.sudo().get(Enrolment, int(enrolment_id))
    session = enrolment.session
    me = current_employee(env)
    is_lecturer = bool(me and session.lecturer and session.lecturer.employee_id == me.id)
    if not (env.in_group(*HR) or is_lecturer):
        raise AccessDenied(_("Only HR or the session's lecturer records test scores."))
    try:
        value = Decimal(str(score).strip())
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValidationError(_("A test score is from 0 to 100."))
    if not enrolment.attended:
        raise ValidationError(_("Only an attendee takes the test."))
    # sudo: the lecturer records the score on an enrolment they may not write otherwise
    enrolment.score = value.quantize(Decimal("0.1"))
    enrolment.passed = value >= (session.course.pass_score or 60)
    env.audit("training_enrolment", enrolment.id, "score", {"score": [None, str(enrolment.score)]})
    env.session.flush()
    return enrolment


def session_summary(env: Env, session_id: int) -> dict[str, Any]:
    """Enrolled, waiting, attended, attendance rate, the feedback averages and the average score."""
    session = env.get(Session, int(session_id))
    sudo = env.sudo()  # the session's figures, not the people behind them
    counts = dict(sudo.execute(select(Enrolment.state, func.count(Enrolment.id)).where(
        Enrolment.session_id == session.id).group_by(Enrolment.state)).all())
    attended = sudo.count(Enrolment, Enrolment.session_id == session.id, Enrolment.attended.is_(True))
    scores = sudo.execute(select(func.count(Enrolment.score), func.sum(Enrolment.score)).where(
        Enrolment.session_id == session.id, Enrolment.score.is_not(None))).one()
    fb = sudo.execute(select(func.count(Feedback.id), func.sum(Feedback.course_rating),
                             func.sum(Feedback.lecturer_rating)).where(Feedback.session_id == session.id)).one()
    enrolled = int(counts.get("enrolled", 0))
    return {
        "session": session, "capacity": session.capacity, "enrolled": enrolled,
        "waiting": int(counts.get("waiting", 0)), "attended": attended,
        "attendance_rate": (Decimal(attended * 100) / enrolled).quantize(Decimal("0.1")) if enrolled else None,
        "feedback": int(fb[0] or 0), "course_rating": _avg(fb[1] or 0, int(fb[0] or 0)),
        "lecturer_rating": _avg(fb[2] or 0, int(fb[0] or 0)),
        "average_score": _avg(scores[1] or 0, int(scores[0] or 0)),
        "free": max(0, session.capacity - enrolled),
    }


def person_record(env: Env, employee_id: int) -> list[dict[str, Any]]:
    """A person's training record: every session they enrolled on, attendance, hours, score, feedback."""
    emp = env.get(Employee, int(employee_id))
    rows = []
    given = {f.enrolment_id for f in env.search(Feedback, Feedback.employee_id == emp.id)}
    for e in env.search(Enrolment, Enrolment.employee_id == emp.id, order_by=[Enrolment.id.desc()]):
        s = e.session
        rows.append({"enrolment": e, "session": s, "course": s.course, "attended": e.attended,
                     "hours": s.course.duration_hours if e.attended else Decimal(0), "score": e.score,
                     "passed": e.passed, "feedback": e.id in given})
    return rows
