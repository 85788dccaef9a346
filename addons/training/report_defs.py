"""Reports of the training addon on the report centre (``tixi_reports``).

* ``training.effect``: per course or per lecturer, the people trained, the
  (person, competency) pairs with an assessment before and after, the levels
  gained in all and on average, and how many pairs improved
  (:func:`addons.training.services.effect.effect_rows`, built on ``env.select``);
* ``training.sessions``: per session of the period: seats, enrolled, waiting,
  attended, attendance rate, feedback averages (reaction) and the average
  test score (learning), and the average rating given on the feedback form;
* ``training.feedback_answers``: per question of the feedback forms answered
  in the period: answers, average rating, options counted, written answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from core.i18n import _, _l
from core.reports import Column, PeriodParams, Report
from core.reports.params import ChoiceField

from .models import Enrolment, FeedbackAnswer, Session
from .services.effect import effect_rows
from .services.forms import form_results, session_form_rating
from .services.sessions import session_summary

if TYPE_CHECKING:
    from core.security.env import Env


class EffectParams(PeriodParams):
    """The period of the sessions and the grouping (course or lecturer)."""

    by = ChoiceField(_l("Group by"), choices=[("course", _l("Course")), ("lecturer", _l("Lecturer"))],
                     default="course")

    def check(self, env: Env) -> None:
        """The effect reads the competency assessments."""
        super().check(env)
        if "competency" not in env.enabled:
            self.add_error("by", _("The effect is read from competency assessments: enable the competency addon."))


def effect_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per course (or lecturer)."""
    return effect_rows(env, by=p.get("by") or "course", date_from=p.get("date_from"), date_to=p.get("date_to"))


EFFECT_COLUMNS = [
    Column("name", _l("Name")),
    Column("people", _l("People trained"), "integer", total="sum"),
    Column("pairs", _l("Competencies measured"), "integer", total="sum"),
    Column("gained", _l("Levels gained"), "integer", total="sum"),
    Column("average", _l("Average levels gained"), "decimal", places=2),
    Column("improved", _l("Competencies improved"), "integer", total="sum"),
]


def effect_chart(rows: Any, columns: Any, p: Mapping[str, Any]) -> dict | None:
    """Average levels gained per course or lecturer (a bar chart)."""
    if not rows:
        return None
    return {"tooltip": {"trigger": "axis"}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": [r["name"] for r in rows]}, "yAxis": {"type": "value"},
            "series": [{"type": "bar", "name": _("Average levels gained"),
                        "data": [float(r["average"] or 0) for r in rows]}]}


def sessions_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per session of the period (the sessions the user may read)."""
    out = []
    for s in env.search(Session, Session.on_date >= p["date_from"], Session.on_date <= p["date_to"],
                        order_by=[Session.on_date, Session.id]):
        f = session_summary(env, s.id)
        out.append({"day": s.on_date, "course": s.course.display(), "lecturer": s.lecturer.name if s.lecturer else "",
                    "capacity": f["capacity"], "enrolled": f["enrolled"], "waiting": f["waiting"],
                    "attended": f["attended"], "rate": f["attendance_rate"], "course_rating": f["course_rating"],
                    "lecturer_rating": f["lecturer_rating"], "score": f["average_score"],
                    "form_rating": session_form_rating(env, s.id)})
    return out


def answers_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per question of the feedback forms answered in the period (answers the user may read)."""
    return form_results(env, date_from=p["date_from"], date_to=p["date_to"])


ANSWER_COLUMNS = [
    Column("question", _l("Question")),
    Column("kind", _l("Type")),
    Column("answers", _l("Answers"), "integer", total="sum"),
    Column("average", _l("Average rating"), "decimal", places=2),
    Column("options", _l("Options")),
    Column("texts", _l("Written answers"), "integer", total="sum"),
]


SESSION_COLUMNS = [
    Column("day", _l("Day"), "date"),
    Column("course", _l("Course")),
    Column("lecturer", _l("Lecturer")),
    Column("capacity", _l("Seats"), "integer", total="sum"),
    Column("enrolled", _l("Enrolled"), "integer", total="sum"),
    Column("waiting", _l("On the waiting list"), "integer", total="sum"),
    Column("attended", _l("Attended"), "integer", total="sum"),
    Column("rate", _l("Attendance rate"), "percent"),
    Column("course_rating", _l("Course rating"), "decimal", places=2),
    Column("lecturer_rating", _l("Lecturer rating"), "decimal", places=2),
    Column("score", _l("Average test score"), "decimal", places=1),
    Column("form_rating", _l("Feedback form rating"), "decimal", places=2),
]

REPORTS = [
    Report(
        code="training.effect", title=_l("Training effect"),
        description=_l("Change of the assessed level on the addressed competencies at the next assessment, "
                       "per course or lecturer."),
        query=effect_query, columns=EFFECT_COLUMNS, params=EffectParams, totals=True, chart=effect_chart,
        model=Enrolment.__tablename__,
    ),
    Report(
        code="training.sessions", title=_l("Training sessions"),
        description=_l("Seats, enrolment, attendance, feedback and test scores per session."),
        query=sessions_query, columns=SESSION_COLUMNS, params=PeriodParams, totals=True,
        model=Session.__tablename__,
    ),
    Report(
        code="training.feedback_answers", title=_l("Feedback form results"),
        description=_l("The answers to the feedback forms per question: average rating, options chosen, texts."),
        query=answers_query, columns=ANSWER_COLUMNS, params=PeriodParams, totals=True,
        model=FeedbackAnswer.__tablename__,
    ),
]
