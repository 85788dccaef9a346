"""Configurable evaluation (satisfaction) forms: questions as data, answers stored, results aggregated.

A :class:`~addons.training.models.FeedbackForm` belongs to one course or is
the company's default (no course). The form of a session is its course's
form, else the default, else none (the attendee then gives the two ratings
only). Questions: ``rating`` (1..5), ``choice`` (one of the options, one per
line, at least two) or ``text``. :func:`parse_answers` validates every answer
before anything is written (errors keyed ``q_<question id>``, on the field);
:func:`form_results` aggregates them per question (average rating, counts per
option, number of texts).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from core.errors import AccessDenied, ValidationError
from core.i18n import _

from ..models import QUESTION_KIND, Course, FeedbackAnswer, FeedbackForm, FeedbackQuestion, Session
from .needs import HR

if TYPE_CHECKING:
    from core.security.env import Env

MAX_QUESTIONS = 20


def form_for(env: Env, course_id: int | None) -> FeedbackForm | None:
    """The course's own active form, else the company's default form, else ``None``."""
    if course_id is not None:
        own = env.search(FeedbackForm, FeedbackForm.course_id == int(course_id), limit=1)
        if own:
            return own[0]
    default = env.search(FeedbackForm, FeedbackForm.course_id.is_(None), order_by=[FeedbackForm.id], limit=1)
    return default[0] if default else None


def _clean_questions(questions: list[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    out, errors = [], {}
    for i, q in enumerate(questions):
        text = str(q.get("text") or "").strip()
        kind = str(q.get("kind") or "rating").strip()
        options = [o.strip() for o in str(q.get("options") or "").splitlines() if o.strip()]
        if not text:
            if options:
                errors[f"q{i}_text"] = _("Enter the question's text.")
            continue  # an empty row is no question
        if kind not in QUESTION_KIND:
            errors[f"q{i}_kind"] = _("Choose the type of the question: rating 1-5, choice or text.")
            continue
        if len(text) > 300:
            errors[f"q{i}_text"] = _("The question is too long (300 characters at most).")
        if kind == "choice" and len(set(options)) < 2:
            errors[f"q{i}_options"] = _("A choice question needs at least two different options, one per line.")
        if kind == "choice" and any(len(o) > 200 for o in options):
            errors[f"q{i}_options"] = _("An option is too long (200 characters at most).")
        out.append({"sequence": 10 * (len(out) + 1), "kind": kind, "text": text,
                    "options": "\n".join(dict.fromkeys(options)) if kind == "choice" else None,
                    "required": bool(q.get("required"))})
    if not out and not errors:
        errors["q0_text"] = _("A form needs at least one question.")
    if len(out) > MAX_QUESTIONS:
        errors["q0_text"] = _("A form has %(n)s questions at most.", n=MAX_QUESTIONS)
    return out, errors


def save_form(env: Env, name: Any, course_id: Any, questions: list[Mapping[str, Any]],
              form: FeedbackForm | None = None) -> FeedbackForm:
    """Create (or, while nobody answered it, change) a form; HR, the director or the general manager.

    Refused, nothing saved: no name, no question, a choice with fewer than
    two options, a second form for the same course (or a second default), a
    form already answered (its questions are the answers' meaning: make a new one).
    """
    if not env.in_group(*HR):
        raise AccessDenied(_("Only HR (marketing admin), the director or the general manager edit feedback forms."))
    errors: dict[str, str] = {}
    name = str(name or "").strip()
    if not name:
        errors["name"] = _("Enter the form's name.")
    elif len(name) > 200:
        errors["name"] = _("The name is too long (200 characters at most).")
    cid = None
    if str(course_id or "").strip():
        try:
            cid = int(str(course_id).strip())
        except ValueError:
            cid = -1
        if cid < 0 or env.search(Course, Course.id == cid, limit=1) == []:
            errors["course_id"] = _("Choose a course from the list (or none: the company's default form).")
            cid = None
    if "course_id" not in errors:
        clash = env.sudo().search(FeedbackForm, FeedbackForm.course_id == cid if cid is not None
                                  else FeedbackForm.course_id.is_(None), FeedbackForm.company_id == env.company_id,
                                  limit=2)
        if [f for f in clash if form is None or f.id != form.id]:
            errors["course_id"] = (_("This course already has a feedback form.") if cid is not None
                                   else _("The company already has a default feedback form."))
    cleaned, q_errors = _clean_questions(questions)
    errors.update(q_errors)
    if form is not None and env.sudo().count(FeedbackAnswer, FeedbackAnswer.question_id.in_(
            [q.id for q in form.questions])):
        errors["name"] = _("This form has been answered already: its questions stay; make a new form instead.")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    if form is None:
        form = env.create(FeedbackForm, {"name": name, "course_id": cid})
    else:
        env.write(form, {"name": name, "course_id": cid})
        for old in env.search(FeedbackQuestion, FeedbackQuestion.form_id == form.id):
            env.delete(old)
    for q in cleaned:
        env.create(FeedbackQuestion, {"form_id": form.id, **q})
    env.session.flush()
    env.session.expire(form, ["questions"])
    return form


def parse_answers(form: FeedbackForm | None, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers to ``form`` from ``values`` (``q_<question id>``), validated; errors on each question."""
    if form is None:
        return []
    out, errors = [], {}
    for q in form.questions:
        key = f"q_{q.id}"
        raw = str(values.get(key) or "").strip()
        if not raw:
            if q.required:
                errors[key] = _("Answer this question: %(q)s", q=q.text)
            continue
        row: dict[str, Any] = {"question_id": q.id, "rating": None, "choice": None, "text": None}
        if q.kind == "rating":
            if raw not in ("1", "2", "3", "4", "5"):
                errors[key] = _("Rate from 1 (poor) to 5 (excellent).")
                continue
            row["rating"] = int(raw)
        elif q.kind == "choice":
            if raw not in q.option_list():
                errors[key] = _("Choose one of the options given.")
                continue
            row["choice"] = raw
        else:
            row["text"] = raw[:2000]
        out.append(row)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    return out


def _avg(total: int, n: int) -> Decimal | None:
    return (Decimal(total) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if n else None


def form_results(env: Env, course_id: int | None = None, date_from: Any = None, date_to: Any = None,
                 session_id: int | None = None) -> list[dict[str, Any]]:
    """Per question answered in the period (sessions the user may read): answers, average rating, options counted."""
    stmt = (env.select(FeedbackAnswer, "read", FeedbackAnswer.question_id, FeedbackAnswer.rating,
                       FeedbackAnswer.choice, FeedbackAnswer.text)
            .join(Session, Session.id == FeedbackAnswer.session_id))
    if course_id is not None:
        stmt = stmt.where(Session.course_id == int(course_id))
    if session_id is not None:
        stmt = stmt.where(Session.id == int(session_id))
    if date_from is not None:
        stmt = stmt.where(Session.on_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Session.on_date <= date_to)
    per_q: dict[int, list[tuple[Any, Any, Any]]] = defaultdict(list)
    for qid, rating, choice, text in env.execute(stmt).all():
        per_q[qid].append((rating, choice, text))
    if not per_q:
        return []
    questions = {q.id: q for q in env.sudo().search(FeedbackQuestion, FeedbackQuestion.id.in_(list(per_q)))}
    rows = []
    for qid, answers in per_q.items():
        q = questions[qid]
        ratings = [r for r, _c, _t in answers if r is not None]
        choices = Counter(c for _r, c, _t in answers if c is not None)
        rows.append({"form": q.form_id, "sequence": q.sequence, "question": q.text, "kind": QUESTION_KIND.label(q.kind),
                     "answers": len(answers), "average": _avg(sum(ratings), len(ratings)),
                     "options": " · ".join(f"{o}: {choices.get(o, 0)}" for o in q.option_list()) if q.kind == "choice"
                     else "", "texts": sum(1 for _r, _c, t in answers if t)})
    rows.sort(key=lambda r: (r["form"], r["sequence"]))
    return rows


def session_form_rating(env: Env, session_id: int) -> Decimal | None:
    """The average of every rating answer given on a session's form (the sessions report's column).

    A figure of the session, not of the people behind it: read elevated (company kept), like the ratings.
    """
    from sqlalchemy import func

    sudo = env.sudo()
    n, total = sudo.execute(sudo.select(FeedbackAnswer, func.count(FeedbackAnswer.rating),
                                        func.sum(FeedbackAnswer.rating))
                            .where(FeedbackAnswer.session_id == int(session_id),
                                   FeedbackAnswer.rating.is_not(None))).one()
    return _avg(int(total or 0), int(n or 0))


__all__ = ["form_for", "form_results", "parse_answers", "save_form", "session_form_rating"]
