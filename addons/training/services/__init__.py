"""Services of the training addon; every read and write goes through ``env``.

Each public function validates its input first and raises
:class:`core.errors.ValidationError` (message in the user's language, nothing
written) or :class:`core.errors.AccessDenied`.

- :mod:`.courses`: lecturers, courses, their review and approval
- :mod:`.needs`: needs from competency gaps, managers' requests, the needs survey
- :mod:`.plans`: plans per year and quarter (greedy cover within a budget), approval
- :mod:`.sessions`: sessions, enrolment (capacity, waiting list), check-in, feedback, scores, the record
- :mod:`.forms`: configurable feedback forms (questions as data), answers, results
- :mod:`.effect`: the change of the assessed level at the next assessment
"""

from __future__ import annotations

from .courses import (
    approved_courses,
    course_transitions,
    create_course,
    create_lecturer,
    fire_course,
)
from .effect import effect_facts, effect_rows
from .forms import form_for, form_results, parse_answers, save_form, session_form_rating
from .needs import answer_survey, compute_needs, gap_candidates, request_need, send_survey
from .plans import check_period, fire_plan, generate_plan, greedy_cover, plan_transitions
from .sessions import (
    cancel,
    check_in,
    create_session,
    enrol,
    give_feedback,
    my_enrolment,
    person_record,
    record_attendance,
    record_score,
    session_summary,
)

__all__ = [
    "answer_survey", "approved_courses", "cancel", "check_in", "check_period", "compute_needs",
    "course_transitions", "create_course", "create_lecturer", "create_session", "effect_facts", "effect_rows",
    "enrol", "fire_course", "fire_plan", "gap_candidates", "generate_plan", "give_feedback", "greedy_cover",
    "my_enrolment", "person_record", "plan_transitions", "record_attendance", "record_score", "request_need",
    "send_survey", "session_summary", "form_for", "form_results", "parse_answers", "save_form",
    "session_form_rating",
]
