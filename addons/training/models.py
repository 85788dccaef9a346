"""Models of the training addon (培训体系).

* :class:`Policy`: the training rules (制度): policy documents, forms and
  workflows, their files kept as kernel attachments;
* :class:`Lecturer`: an internal lecturer (a masterdata employee: the
  marketing head, a senior salesperson, a product or technical head) or an
  external expert, certified to teach, with a fee and the rating from feedback;
* :class:`Course`: objectives, duration, the competencies it addresses
  (:class:`CourseCompetency`: code A–J and the target level), courseware
  (attachments, versioned by the kernel), reviewed and approved before it is
  offered (workflow ``training.course``);
* :class:`Need`: a person's training need on a competency, from a competency
  gap, a manager's request or the needs survey (:class:`Survey`);
* :class:`TrainingPlan` / :class:`TrainingPlanLine`: the plan of a year or a quarter, built
  from the needs (greedy cover within a budget), approved (``training.plan``);
* :class:`Session` / :class:`Enrolment` / :class:`Feedback`: a scheduled
  session with a capacity and a waiting list, check-in, the reaction form
  and the test score (learning).

Competencies are referred to by their code (``A`` .. ``J``), not by a foreign
key: the competency addon is optional.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.models import Employee
from core.db import Base, BusinessMixin, UTCDateTime
from core.i18n import N_, Choices, _l
from core.i18n import label as text_label

POLICY_KIND = Choices({"policy": N_("Training policy"), "form": N_("Training form"),
                       "workflow": N_("Training workflow"), "lecturer_rules": N_("Lecturer rules")})
LECTURER_KIND = Choices({"internal": N_("Internal lecturer"), "external": N_("External expert")})
COURSE_STATE = Choices({"draft": N_("Draft"), "review": N_("Under review"), "approved": N_("Approved"),
                        "retired": N_("Retired")})
NEED_SOURCE = Choices({"gap": N_("Competency gap"), "request": N_("Manager's request"),
                       "survey": N_("Needs survey")})
NEED_STATE = Choices({"open": N_("Open"), "planned": N_("Planned"), "trained": N_("Trained"),
                      "closed": N_("Closed")})
PLAN_STATE = Choices({"draft": N_("Draft"), "submitted": N_("Waiting approval"), "approved": N_("Approved")})
SESSION_STATE = Choices({"scheduled": N_("Scheduled"), "done": N_("Held"), "cancelled": N_("Cancelled")})
ENROLMENT_STATE = Choices({"enrolled": N_("Enrolled"), "waiting": N_("On the waiting list"),
                           "cancelled": N_("Cancelled")})
CODES = tuple("ABCDEFGHIJ")


def bilingual(zh: str | None, en: str | None, lang: str | None = None) -> str:
    """Stored text in ``lang`` (default: the current language)."""
    return text_label({"zh_CN": zh or "", "en": en or zh or ""}, lang)


class Policy(BusinessMixin, Base):
    """A training rule: the policy, a form, a workflow or the lecturer rules, with its files."""

    __tablename__ = "training_policy"
    __tixi_label__ = _l("Training policy document")
    __tixi_tracked__ = ("title", "valid_from")

    kind: Mapped[str] = mapped_column(String(32), default="policy", info={"selection": POLICY_KIND})
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    def __str__(self) -> str:
        return self.title


class Lecturer(BusinessMixin, Base):
    """Who may teach: an internal lecturer (an employee) or an external expert."""

    __tablename__ = "training_lecturer"
    __tixi_label__ = _l("Lecturer")
    __tixi_tracked__ = ("certified", "fee_per_hour")

    kind: Mapped[str] = mapped_column(String(16), default="internal", info={"selection": LECTURER_KIND})
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    subjects: Mapped[str | None] = mapped_column(String(300), nullable=True)
    certified: Mapped[bool] = mapped_column(Boolean, default=False)
    certified_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    fee_per_hour: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    rating: Mapped[Decimal | None] = mapped_column(Numeric(4, 2), nullable=True)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)

    employee: Mapped[Employee | None] = relationship()

    def __str__(self) -> str:
        return self.name


class Course(BusinessMixin, Base):
    """A course: objectives, duration, competencies addressed, courseware; approved before it is offered."""

    __tablename__ = "training_course"
    __tixi_label__ = _l("Course")
    __tixi_tracked__ = ("state", "duration_hours", "cost_per_session")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    objectives: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_hours: Mapped[Decimal] = mapped_column(Numeric(6, 1), default=Decimal("4"))
    capacity: Mapped[int] = mapped_column(Integer, default=20)
    cost_per_session: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    pass_score: Mapped[int] = mapped_column(Integer, default=60)
    lecturer_id: Mapped[int | None] = mapped_column(ForeignKey("training_lecturer.id"), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": COURSE_STATE})
    rating: Mapped[Decimal | None] = mapped_column(Numeric(4, 2), nullable=True)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)

    lecturer: Mapped[Lecturer | None] = relationship()
    competencies: Mapped[list[CourseCompetency]] = relationship(back_populates="course",
                                                                order_by="CourseCompetency.code")

    def display(self, lang: str | None = None) -> str:
        """``code name`` in ``lang``."""
        return f"{self.code} {bilingual(self.name_zh, self.name_en, lang)}"

    def __str__(self) -> str:
        return self.display()


class CourseCompetency(BusinessMixin, Base):
    """A competency a course addresses (code A–J) and the level it aims at (1 highest .. 5)."""

    __tablename__ = "training_course_competency"
    __tixi_label__ = _l("Competency addressed")
    __table_args__ = (UniqueConstraint("course_id", "code"),)

    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    target_level: Mapped[int] = mapped_column(Integer, default=3)

    course: Mapped[Course] = relationship(back_populates="competencies")

    def __str__(self) -> str:
        return f"{self.code}{self.target_level}"


class Survey(BusinessMixin, Base):
    """A training needs survey sent to employees (kernel notifications); answers become needs."""

    __tablename__ = "training_survey"
    __tixi_label__ = _l("Training needs survey")

    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    recipients: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.title


class Need(BusinessMixin, Base):
    """A person's training need on a competency (code), with the gap in levels and its source."""

    __tablename__ = "training_need"
    __tixi_label__ = _l("Training need")
    __tixi_tracked__ = ("state", "gap")
    __table_args__ = (UniqueConstraint("company_id", "employee_id", "code", "period", "source"),)

    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    gap: Mapped[int] = mapped_column(Integer, default=1)
    period: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(16), default="gap", info={"selection": NEED_SOURCE})
    state: Mapped[str] = mapped_column(String(16), default="open", info={"selection": NEED_STATE})
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("training_survey.id"), nullable=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("training_course.id"), nullable=True, index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("training_plan.id"), nullable=True, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    course: Mapped[Course | None] = relationship()

    def __str__(self) -> str:
        return f"{self.code} +{self.gap}"


class TrainingPlan(BusinessMixin, Base):
    """The training plan of a year (``quarter`` empty) or of a quarter, within a budget, approved."""

    __tablename__ = "training_plan"
    __tixi_label__ = _l("Training plan")
    __tixi_tracked__ = ("state", "budget")

    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer, index=True)
    quarter: Mapped[int | None] = mapped_column(Integer, nullable=True)
    need_period: Mapped[str | None] = mapped_column(String(16), nullable=True)
    budget: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    total_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    covered_gap: Mapped[int] = mapped_column(Integer, default=0)
    open_gap: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": PLAN_STATE})
    # a budget line of the budget addon, when installed: no foreign key (the addon is optional)
    budget_line_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    lines: Mapped[list[TrainingPlanLine]] = relationship(back_populates="plan", order_by="TrainingPlanLine.sequence")

    def label(self) -> str:
        """``2026`` or ``2026-Q3``."""
        return f"{self.year}" + (f"-Q{self.quarter}" if self.quarter else "")

    def __str__(self) -> str:
        return self.name


class TrainingPlanLine(BusinessMixin, Base):
    """A course in a plan: how many sessions, people and levels of gap it covers, at what cost."""

    __tablename__ = "training_plan_line"
    __tixi_label__ = _l("Training plan line")

    plan_id: Mapped[int] = mapped_column(ForeignKey("training_plan.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    sessions: Mapped[int] = mapped_column(Integer, default=1)
    people: Mapped[int] = mapped_column(Integer, default=0)
    covered_gap: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))

    plan: Mapped[TrainingPlan] = relationship(back_populates="lines")
    course: Mapped[Course] = relationship()

    def __str__(self) -> str:
        return f"{self.course.code if self.course else ''} x{self.sessions}"


class Session(BusinessMixin, Base):
    """A scheduled session of a course: when, where, who teaches, how many seats."""

    __tablename__ = "training_session"
    __tixi_label__ = _l("Training session")
    __tixi_tracked__ = ("starts_at", "ends_at", "capacity", "state")

    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("training_plan.id"), nullable=True, index=True)
    lecturer_id: Mapped[int | None] = mapped_column(ForeignKey("training_lecturer.id"), nullable=True, index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    on_date: Mapped[dt.date] = mapped_column(Date, index=True)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    capacity: Mapped[int] = mapped_column(Integer, default=20)
    enrolled_count: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="scheduled", info={"selection": SESSION_STATE})

    course: Mapped[Course] = relationship()
    lecturer: Mapped[Lecturer | None] = relationship()

    def __str__(self) -> str:
        return f"{self.course.code if self.course else ''} {self.on_date}"


class Enrolment(BusinessMixin, Base):
    """A person on a session: enrolled or waiting, attended (check-in), the test score."""

    __tablename__ = "training_enrolment"
    __tixi_label__ = _l("Enrolment")
    __tixi_tracked__ = ("state", "attended", "score")
    __table_args__ = (UniqueConstraint("session_id", "employee_id"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="enrolled", info={"selection": ENROLMENT_STATE})
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 1), nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    session: Mapped[Session] = relationship()
    employee: Mapped[Employee] = relationship()

    def __str__(self) -> str:
        return f"{self.employee.name_zh if self.employee else ''} {self.state}"


class Feedback(BusinessMixin, Base):
    """The reaction form of an attendee: the course and the lecturer rated 1 (poor) .. 5 (excellent)."""

    __tablename__ = "training_feedback"
    __tixi_label__ = _l("Training feedback")
    __table_args__ = (UniqueConstraint("enrolment_id"),)

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("training_enrolment.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    course_rating: Mapped[int] = mapped_column(Integer)
    lecturer_rating: Mapped[int] = mapped_column(Integer)
    useful: Mapped[bool] = mapped_column(Boolean, default=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    session: Mapped[Session] = relationship()

    def __str__(self) -> str:
        return f"{self.course_rating}/{self.lecturer_rating}"


QUESTION_KIND = Choices({"rating": N_("Rating 1-5"), "choice": N_("Choice"), "text": N_("Text")})


class FeedbackForm(BusinessMixin, Base):
    """A configurable evaluation (satisfaction) form: for one course, or the company's default (no course)."""

    __tablename__ = "training_feedback_form"
    __tixi_label__ = _l("Feedback form")

    name: Mapped[str] = mapped_column(String(200))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("training_course.id"), nullable=True, index=True)

    course: Mapped[Course | None] = relationship()
    questions: Mapped[list[FeedbackQuestion]] = relationship(
        order_by="FeedbackQuestion.sequence", primaryjoin="FeedbackForm.id == FeedbackQuestion.form_id",
        viewonly=True)

    def __str__(self) -> str:
        return self.name


class FeedbackQuestion(BusinessMixin, Base):
    """A question of a form, in order: a rating 1..5, a choice among options (one per line) or a free text."""

    __tablename__ = "training_feedback_question"
    __tixi_label__ = _l("Feedback question")

    form_id: Mapped[int] = mapped_column(ForeignKey("training_feedback_form.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    kind: Mapped[str] = mapped_column(String(16), default="rating", info={"selection": QUESTION_KIND})
    text: Mapped[str] = mapped_column(String(300))
    options: Mapped[str | None] = mapped_column(Text, nullable=True)
    required: Mapped[bool] = mapped_column(Boolean, default=True)

    def option_list(self) -> list[str]:
        """The options of a choice question, in order."""
        return [o.strip() for o in (self.options or "").splitlines() if o.strip()]

    def __str__(self) -> str:
        return self.text


class FeedbackAnswer(BusinessMixin, Base):
    """An attendee's answer to one question of the form, with their feedback."""

    __tablename__ = "training_feedback_answer"
    __tixi_label__ = _l("Feedback answer")
    __table_args__ = (UniqueConstraint("feedback_id", "question_id"),)

    feedback_id: Mapped[int] = mapped_column(ForeignKey("training_feedback.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("training_feedback_question.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    choice: Mapped[str | None] = mapped_column(String(200), nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)

    question: Mapped[FeedbackQuestion] = relationship()

    def __str__(self) -> str:
        return str(self.rating or self.choice or self.text or "")
