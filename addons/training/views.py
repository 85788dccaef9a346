"""Pages of the training addon (blueprint ``training``, under ``/training``).

* ``/training/``: the user's training page (phone-first): open sessions to
  enrol on, their enrolments (check-in, feedback), surveys to answer, their record;
* ``/training/session/<id>``: a session: enrol, cancel, check in, the feedback form;
  HR sees the attendees, records attendance and test scores;
* ``/training/plans/build``: HR computes the needs from the competency gaps and
  builds a year's or a quarter's plan within a budget;
* ``/training/schedule``: HR schedules a session of an approved course;
* generic lists of rules, lecturers, courses (with review and approval,
  courseware as attachments), competencies addressed, needs, plans, sessions.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from addons.masterdata.models import Employee
from addons.masterdata.services import current_employee
from core.errors import AccessDenied, ValidationError
from core.i18n import _, _l
from core.web.generic import Filter, ModelView, Related
from core.web.menus import MenuItem

from . import services as svc
from .models import (
    CODES,
    COURSE_STATE,
    ENROLMENT_STATE,
    LECTURER_KIND,
    NEED_SOURCE,
    NEED_STATE,
    PLAN_STATE,
    POLICY_KIND,
    QUESTION_KIND,
    SESSION_STATE,
    Course,
    CourseCompetency,
    Enrolment,
    Feedback,
    FeedbackForm,
    Lecturer,
    Need,
    Policy,
    Session,
    Survey,
    TrainingPlan,
    TrainingPlanLine,
)
from .services.needs import HR

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("training", __name__, url_prefix="/training", template_folder="templates")


def _choices(c: Any) -> list[tuple[str, Any]]:
    return list(c.items())


LEVEL_CHOICES = [(str(i), str(i)) for i in (1, 2, 3, 4, 5)]
CODE_CHOICES = [(c, c) for c in CODES]

policy_view = ModelView(
    name="training.policy", model=Policy,
    label=_l("Training policy document"), label_plural=_l("Training rules"),
    list_columns=["kind", "title", "valid_from"], search_fields=["title", "body"],
    form_fields=["kind", "title", "body", "valid_from"],
    field_labels={"kind": _l("Kind"), "title": _l("Title"), "body": _l("Text"), "valid_from": _l("Valid from")},
    choices={"kind": _choices(POLICY_KIND)}, order_by=["kind", "title"], url_prefix="/rules",
)
policy_view.register(bp)

lecturer_view = ModelView(
    name="training.lecturer", model=Lecturer,
    label=_l("Lecturer"), label_plural=_l("Lecturers"),
    list_columns=["name", "kind", "employee_id", "certified", "fee_per_hour", "rating", "rating_count"],
    search_fields=["name", "organisation", "subjects"],
    filters=[Filter("kind", _l("Kind")), Filter("certified", _l("Certified"))],
    form_fields=["kind", "name", "employee_id", "organisation", "subjects", "certified", "certified_on",
                 "fee_per_hour"],
    detail_fields=["name", "kind", "employee_id", "organisation", "subjects", "certified", "certified_on",
                   "fee_per_hour", "rating", "rating_count"],
    field_labels={"name": _l("Name"), "kind": _l("Kind"), "employee_id": _l("Employee"),
                  "organisation": _l("Organisation"), "subjects": _l("Subjects"), "certified": _l("Certified"),
                  "certified_on": _l("Certified on"), "fee_per_hour": _l("Fee per hour"), "rating": _l("Rating"),
                  "rating_count": _l("Ratings")},
    choices={"kind": _choices(LECTURER_KIND)}, order_by=["name"], url_prefix="/lecturers",
)
lecturer_view.register(bp)

course_view = ModelView(
    name="training.course", model=Course,
    label=_l("Course"), label_plural=_l("Courses"),
    list_columns=["code", "name_zh", "duration_hours", "lecturer_id", "state", "rating", "rating_count"],
    search_fields=["code", "name_zh", "name_en", "objectives"],
    filters=[Filter("state", _l("State"))],
    form_fields=["code", "name_zh", "name_en", "objectives", "duration_hours", "capacity", "cost_per_session",
                 "pass_score", "lecturer_id"],
    detail_fields=["code", "name_zh", "name_en", "objectives", "duration_hours", "capacity", "cost_per_session",
                   "pass_score", "lecturer_id", "state", "rating", "rating_count"],
    related=[Related("competencies", _l("Competencies addressed"), CourseCompetency, "course_id",
                     columns=["code", "target_level"], view="training.course_competency"),
             Related("sessions", _l("Sessions"), Session, "course_id",
                     columns=["on_date", "place", "capacity", "enrolled_count", "state"], view="training.session")],
    field_labels={"code": _l("Code"), "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"),
                  "objectives": _l("Objectives"), "duration_hours": _l("Duration (hours)"),
                  "capacity": _l("Seats"), "cost_per_session": _l("Cost per session"),
                  "pass_score": _l("Pass mark"), "lecturer_id": _l("Lecturer"), "state": _l("State"),
                  "rating": _l("Rating"), "rating_count": _l("Ratings")},
    choices={"state": _choices(COURSE_STATE)}, order_by=["code"], url_prefix="/courses",
    workflow="training.course", defaults={"state": "draft"}, api=False,
)
course_view.register(bp)

course_competency_view = ModelView(
    name="training.course_competency", model=CourseCompetency,
    label=_l("Competency addressed"), label_plural=_l("Competencies addressed"),
    list_columns=["course_id", "code", "target_level"],
    form_fields=["course_id", "code", "target_level"],
    field_labels={"course_id": _l("Course"), "code": _l("Competency"), "target_level": _l("Target level")},
    choices={"code": CODE_CHOICES, "target_level": LEVEL_CHOICES}, order_by=["course_id", "code"],
    url_prefix="/course-competencies", api=False,
)
course_competency_view.attachments = False
course_competency_view.register(bp)

need_view = ModelView(
    name="training.need", model=Need,
    label=_l("Training need"), label_plural=_l("Training needs"),
    list_columns=["employee_id", "code", "gap", "period", "source", "state", "course_id", "plan_id"],
    filters=[Filter("period", _l("Period")), Filter("source", _l("Source")), Filter("state", _l("State")),
             Filter("code", _l("Competency"))],
    detail_fields=["employee_id", "code", "gap", "period", "source", "state", "course_id", "plan_id",
                   "requested_by_id", "survey_id", "note"],
    field_labels={"employee_id": _l("Employee"), "code": _l("Competency"), "gap": _l("Gap"),
                  "period": _l("Period"), "source": _l("Source"), "state": _l("State"), "course_id": _l("Course"),
                  "plan_id": _l("Training plan"), "requested_by_id": _l("Requested by"),
                  "survey_id": _l("Training needs survey"), "note": _l("Note")},
    choices={"source": _choices(NEED_SOURCE), "state": _choices(NEED_STATE)},
    order_by=["-gap", "employee_id"], url_prefix="/needs", can_create=False, can_edit=False, api=False,
)
need_view.attachments = False
need_view.register(bp)

plan_view = ModelView(
    name="training.plan", model=TrainingPlan,
    label=_l("Training plan"), label_plural=_l("Training plans"),
    list_columns=["name", "budget", "total_cost", "covered_gap", "open_gap", "state"],
    filters=[Filter("year", _l("Year")), Filter("state", _l("State"))],
    form_fields=["name", "budget"],
    detail_fields=["name", "need_period", "budget", "total_cost", "covered_gap", "open_gap",
                   "state"],
    related=[Related("lines", _l("Courses in the plan"), TrainingPlanLine, "plan_id",
                     columns=["course_id", "sessions", "people", "covered_gap", "cost"])],
    field_labels={"name": _l("Name"), "year": _l("Year"), "quarter": _l("Quarter"),
                  "need_period": _l("Needs of the period"), "budget": _l("Budget"), "total_cost": _l("Planned cost"),
                  "covered_gap": _l("Gap covered (levels)"), "open_gap": _l("Gap left open (levels)"),
                  "state": _l("State"), "course_id": _l("Course"), "sessions": _l("Sessions"),
                  "people": _l("People"), "cost": _l("Cost")},
    choices={"state": _choices(PLAN_STATE)}, order_by=["-year", "-quarter"], url_prefix="/plans",
    workflow="training.plan", workflow_amount="total_cost", can_create=False, new_endpoint="training.build_plan",
    api=False,
)
plan_view.register(bp)

session_view = ModelView(
    name="training.session", model=Session,
    label=_l("Training session"), label_plural=_l("Training sessions"),
    list_columns=["on_date", "course_id", "lecturer_id", "place", "capacity", "enrolled_count", "state"],
    filters=[Filter("state", _l("State"))],
    form_fields=["place", "lecturer_id"],
    detail_fields=["course_id", "lecturer_id", "starts_at", "ends_at", "on_date", "place", "capacity",
                   "enrolled_count", "state", "plan_id"],
    related=[Related("enrolments", _l("Enrolments"), Enrolment, "session_id",
                     columns=["employee_id", "state", "attended", "score", "passed"])],
    field_labels={"on_date": _l("Day"), "course_id": _l("Course"), "lecturer_id": _l("Lecturer"),
                  "place": _l("Place"), "capacity": _l("Seats"), "enrolled_count": _l("Enrolled"),
                  "state": _l("State"), "starts_at": _l("Starts at"), "ends_at": _l("Ends at"),
                  "plan_id": _l("Training plan"), "employee_id": _l("Employee"), "attended": _l("Attended"),
                  "score": _l("Test score"), "passed": _l("Passed")},
    choices={"state": _choices(SESSION_STATE)}, order_by=["-on_date"], url_prefix="/sessions",
    can_create=False, new_endpoint="training.new_session", api=False,
)
session_view.register(bp)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    def local_dt(value: dt.datetime | None) -> str:
        """A stored (UTC) time in the company's time zone: ``2026-12-10 09:00``."""
        if value is None:
            return ""
        from core.measures import company_tz

        return value.astimezone(company_tz(g.env)).strftime("%Y-%m-%d %H:%M")

    return {"local_dt": local_dt}


def _fail(exc: Exception) -> None:
    g.tx_failed = True
    flash(str(exc), "danger")


@bp.route("/")
def index() -> str:
    """The user's training page: sessions open for enrolment, their enrolments, surveys, their record."""
    env = g.env
    me = current_employee(env)
    from core.db import utcnow

    upcoming = env.search(Session, Session.state == "scheduled", Session.ends_at >= utcnow(),
                          order_by=[Session.starts_at], limit=30)
    mine = {}
    record = []
    surveys = []
    if me is not None:
        mine = {e.session_id: e for e in env.search(Enrolment, Enrolment.employee_id == me.id)}
        record = svc.person_record(env, me.id)
        answered = {n.survey_id for n in env.search(Need, Need.employee_id == me.id, Need.survey_id.is_not(None))}
        surveys = [s for s in env.search(Survey, order_by=[Survey.id.desc()], limit=5) if s.id not in answered]
    given = {f.enrolment_id for f in env.search(Feedback, Feedback.employee_id == me.id)} if me else set()
    return render_template("training/index.html", me=me, upcoming=upcoming, mine=mine, record=record,
                           surveys=surveys, given=given, state_label=ENROLMENT_STATE.label, codes=CODES,
                           is_hr=env.in_group(*HR))


@bp.route("/session/<int:session_id>")
def session(session_id: int) -> str:
    """A session: the user's enrolment, check-in and feedback; HR the attendees."""
    env = g.env
    s = env.get(Session, session_id)
    mine = svc.my_enrolment(env, s.id)
    feedback = env.search(Feedback, Feedback.enrolment_id == mine.id, limit=1) if mine else []
    attendees = env.search(Enrolment, Enrolment.session_id == s.id, order_by=[Enrolment.enrolled_at, Enrolment.id]) \
        if env.in_group(*HR) else []
    fb_form = svc.form_for(env, s.course_id) if mine and mine.attended and not feedback else None
    return render_template("training/session.html", s=s, mine=mine, feedback=feedback[0] if feedback else None,
                           fb_form=fb_form,
                           summary=svc.session_summary(env, s.id), attendees=attendees,
                           state_label=ENROLMENT_STATE.label, is_hr=env.in_group(*HR))


@bp.route("/session/<int:session_id>/<action>", methods=["POST"])
def session_do(session_id: int, action: str) -> Any:
    """Enrol, cancel, check in, give feedback (the user's own); attendance and scores (HR)."""
    env = g.env
    try:
        if action == "enrol":
            e = svc.enrol(env, session_id)
            flash(_("You are enrolled.") if e.state == "enrolled" else
                  _("The session is full: you are on the waiting list."), "success")
        elif action == "cancel":
            mine = svc.my_enrolment(env, session_id)
            if mine is None:
                abort(404)
            svc.cancel(env, mine.id)
            flash(_("Your enrolment is cancelled."), "success")
        elif action == "checkin":
            svc.check_in(env, session_id)
            flash(_("Checked in: welcome."), "success")
        elif action == "feedback":
            svc.give_feedback(env, session_id, request.form.get("course_rating"), request.form.get("lecturer_rating"),
                              comment=request.form.get("comment"), useful=request.form.get("useful") != "no",
                              answers={k: v for k, v in request.form.items() if k.startswith("q_")})
            flash(_("Thank you for your feedback."), "success")
        elif action == "attendance":
            svc.record_attendance(env, int(request.form["enrolment_id"]), request.form.get("attended") == "1")
            flash(_("Attendance recorded."), "success")
        elif action == "score":
            svc.record_score(env, int(request.form["enrolment_id"]), request.form.get("score"))
            flash(_("Test score recorded."), "success")
        else:
            abort(404)
    except (ValidationError, AccessDenied) as exc:
        _fail(exc)
    return redirect(url_for("training.session", session_id=session_id))


@bp.route("/survey/<int:survey_id>", methods=["POST"])
def answer_survey(survey_id: int) -> Any:
    """The user's answer to a needs survey: the competencies they want training on."""
    try:
        svc.answer_survey(g.env, survey_id, request.form.getlist("code"), note=request.form.get("note"))
    except (ValidationError, AccessDenied) as exc:
        _fail(exc)
    else:
        flash(_("Thank you: your training needs are recorded."), "success")
    return redirect(url_for("training.index"))


def _require_hr(env: Env) -> None:
    if not env.in_group(*HR):
        raise AccessDenied(_("Only HR (marketing admin), the director or the general manager plan training."))


def _budget_lines(env: Env) -> list[tuple[int, str]] | None:
    """The budget lines the user may read, of approved budgets, with what each has left; ``None``
    when the budget addon is not enabled (the page then offers no line)."""
    if "budget" not in env.enabled:
        return None
    from addons.budget.models import Budget, Line  # optional dependency: imported only when enabled
    from addons.budget.services.lines import lines_with_figures, money

    approved = env.select(Budget, "read", Budget.id).where(Budget.state == "approved")
    from core.i18n import current_lang

    lang, left = current_lang(env), _("Remaining")
    return [(ln.id, f"{ln.display(lang)} ({left} {money(fig.remaining)})")
            for ln, fig in lines_with_figures(env, Line.budget_id.in_(approved))]


def _line_id(value: Any) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        msg = _("Choose a budget line.")
        raise ValidationError(msg, {"budget_line_id": msg})
    return int(text)


@bp.route("/plans/build", methods=["GET", "POST"])
def build_plan() -> Any:
    """HR: compute the needs from the gaps, then build a plan for a year or a quarter within a budget."""
    env = g.env
    _require_hr(env)
    error, status, field_errors = None, 200, {}
    form = request.form
    budget_lines = _budget_lines(env)
    if request.method == "POST":
        try:
            if form.get("step") == "needs":
                result = svc.compute_needs(env, form.get("need_period") or None)
                flash(_("Needs from the gaps: %(created)s new, %(updated)s updated, %(closed)s closed "
                        "(%(people)s people).", **result), "success")
                return redirect(url_for("training.build_plan", need_period=form.get("need_period") or ""))
            line_id = _line_id(form.get("budget_line_id")) if budget_lines is not None else None
            plan = svc.generate_plan(env, form.get("year"), form.get("quarter"), form.get("budget"),
                                     need_period=form.get("need_period") or None, name=form.get("name"),
                                     budget_line_id=line_id)
        except (ValidationError, AccessDenied) as exc:
            g.tx_failed = True
            error, status = str(exc), 422
            errors = getattr(exc, "errors", None) or {}
            # budget's check names budget_line_id or budget_amount: both belong to the line's field here
            for key in ("budget_line_id", "budget_amount"):
                if key in errors:
                    field_errors["budget_line_id"] = errors[key]
        else:
            flash(_("Plan built: %(covered)s levels of gap covered for %(cost)s.", covered=plan.covered_gap,
                    cost=plan.total_cost), "success")
            return redirect(url_for("training.plan_detail", id=plan.id))
    open_needs = env.search(Need, Need.state == "open", order_by=[Need.gap.desc(), Need.id], limit=200)
    today = dt.date.today()
    return render_template("training/build_plan.html", error=error, open_needs=open_needs, form=form,
                           courses=svc.approved_courses(env), year=form.get("year", today.year),
                           need_period=request.values.get("need_period", ""),
                           source_label=NEED_SOURCE.label, budget_lines=budget_lines,
                           field_errors=field_errors), status


@bp.route("/schedule", methods=["GET", "POST"])
def new_session() -> Any:
    """HR: schedule a session of an approved course (start, end, place, seats, lecturer)."""
    env = g.env
    _require_hr(env)
    error, status = None, 200
    if request.method == "POST":
        f = request.form
        try:
            s = svc.create_session(env, int(f.get("course_id") or 0), f.get("starts_at"), f.get("ends_at"),
                                   place=f.get("place"), capacity=f.get("capacity") or None,
                                   lecturer_id=int(f["lecturer_id"]) if f.get("lecturer_id") else None,
                                   plan_id=int(f["plan_id"]) if f.get("plan_id") else None)
        except (ValidationError, AccessDenied) as exc:
            g.tx_failed = True
            error, status = str(exc), 422
        else:
            flash(_("Session scheduled."), "success")
            return redirect(url_for("training.session", session_id=s.id))
    return render_template("training/new_session.html", error=error, form=request.form,
                           courses=svc.approved_courses(env), lecturers=env.search(Lecturer, order_by=[Lecturer.name]),
                           plans=env.search(TrainingPlan, order_by=[TrainingPlan.year.desc()], limit=20)), status


FORM_ROWS = 8  # question rows on the form editor (empty rows are no question)


@bp.route("/forms/")
def form_list() -> str:
    """HR: the feedback forms (per course, and the company's default)."""
    env = g.env
    _require_hr(env)
    return render_template("training/forms.html", forms=env.search(FeedbackForm, order_by=[FeedbackForm.id]))


@bp.route("/forms/new", methods=["GET", "POST"], endpoint="form_new")
@bp.route("/forms/<int:form_id>", methods=["GET", "POST"], endpoint="form_edit")
def form_edit(form_id: int | None = None) -> Any:
    """HR: a feedback form: its name, its course (or none: the default) and its ordered questions."""
    env = g.env
    _require_hr(env)
    form = env.get(FeedbackForm, form_id) if form_id else None
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        f = request.form
        questions = [{"kind": f.get(f"q{i}_kind"), "text": f.get(f"q{i}_text"), "options": f.get(f"q{i}_options"),
                      "required": f.get(f"q{i}_required") == "1"} for i in range(FORM_ROWS)]
        try:
            form = svc.save_form(env, f.get("name"), f.get("course_id"), questions, form=form)
        except (ValidationError, AccessDenied) as exc:
            g.tx_failed = True
            errors = dict(getattr(exc, "errors", None) or {}) or {"name": str(exc)}
            status = 422
        else:
            flash(_("Feedback form saved."), "success")
            return redirect(url_for("training.form_edit", form_id=form.id))
        values = {k: request.form.get(k) for k in request.form}
    else:
        values = {"name": form.name if form else "", "course_id": str(form.course_id or "") if form else ""}
        for i, q in enumerate(form.questions if form else []):
            values.update({f"q{i}_kind": q.kind, f"q{i}_text": q.text, f"q{i}_options": q.options or "",
                           f"q{i}_required": "1" if q.required else ""})
        if not form:
            values.update({f"q{i}_required": "1" for i in range(FORM_ROWS)})
    results = svc.form_results(env, course_id=form.course_id) if form and form.course_id else []
    return render_template("training/form_edit.html", fb_form=form, values=values, errors=errors,
                           rows=FORM_ROWS, kinds=QUESTION_KIND.choices(), courses=env.search(Course, order_by=[Course.code]),
                           results=results), status


@bp.route("/record/<int:employee_id>")
def record(employee_id: int) -> str:
    """A person's training record (own; a manager their team's; HR everybody's)."""
    env = g.env
    emp = env.get(Employee, employee_id)
    me = current_employee(env)
    if not env.in_group(*HR):
        from .services.needs import _team_ids

        if me is None or emp.id not in _team_ids(env, me.id):
            raise AccessDenied(_("You may see only your own training record and your team's."))
    return render_template("training/record.html", emp=emp, rows=svc.person_record(env, emp.id))


def menu_items(env: Env) -> list[Any]:
    """The addon's menu: my training, plans, needs, sessions, courses, lecturers, rules."""
    return [
        MenuItem("training", _l("Training"), "training.index", model=Session, sequence=75),
        MenuItem("training_home", _l("My training"), "training.index", model=Session, sequence=1, parent="training"),
        MenuItem("training_build", _l("Build a plan from gaps"), "training.build_plan", model=TrainingPlan, sequence=2,
                 parent="training", group=list(HR)),
        MenuItem("training_schedule", _l("Schedule a session"), "training.new_session", model=TrainingPlan,
                 sequence=3, parent="training", group=list(HR)),
        MenuItem("training_forms", _l("Feedback forms"), "training.form_list", model=FeedbackForm, sequence=9,
                 parent="training", group=list(HR)),
        MenuItem("training_plans", _l("Training plans"), "training.plan_list", model=TrainingPlan, sequence=3,
                 parent="training"),
        MenuItem("training_needs", _l("Training needs"), "training.need_list", model=Need, sequence=4,
                 parent="training"),
        MenuItem("training_sessions", _l("Training sessions"), "training.session_list", model=Session, sequence=5,
                 parent="training"),
        MenuItem("training_courses", _l("Courses"), "training.course_list", model=Course, sequence=6,
                 parent="training"),
        MenuItem("training_lecturers", _l("Lecturers"), "training.lecturer_list", model=Lecturer, sequence=7,
                 parent="training"),
        MenuItem("training_rules", _l("Training rules"), "training.policy_list", model=Policy, sequence=8,
                 parent="training"),
    ]
