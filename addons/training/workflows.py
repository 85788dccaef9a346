"""Approval workflows of the training addon (kernel approvals, ``state_field``).

``training.course``: a course is designed (draft), submitted for review,
then approved by HR (marketing admin), the director or the general manager,
never by the one who submitted it; only an approved course is offered
(sessions, plans). A course may be retired and reworked.
``training.plan``: HR submits a year's or a quarter's plan; the director or
the general manager approves it or sends it back, never the submitter.
"""

from __future__ import annotations

from core.i18n import _l
from core.security.approvals import Transition, Workflow

DESIGNERS = ["core.group_marketing_admin", "core.group_director", "core.group_territory_manager",
             "core.group_tech_support"]
REVIEWERS = ["core.group_marketing_admin", "core.group_director", "core.group_general_manager"]
PLANNERS = ["core.group_marketing_admin", "core.group_director"]
APPROVERS = ["core.group_director", "core.group_general_manager"]

COURSE_WORKFLOW = Workflow(
    code="training.course",
    model="training_course",
    state_field="state",
    states={"draft": _l("Draft"), "review": _l("Under review"), "approved": _l("Approved"),
            "retired": _l("Retired")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft"], "review", groups=DESIGNERS, label=_l("Submit for review")),
        Transition("approve", ["review"], "approved", groups=REVIEWERS, not_by_requester=True,
                   label=_l("Approve")),
        Transition("reject", ["review"], "draft", groups=REVIEWERS, not_by_requester=True, label=_l("Send back")),
        Transition("retire", ["approved"], "retired", groups=REVIEWERS, label=_l("Retire")),
        Transition("rework", ["retired"], "draft", groups=DESIGNERS, label=_l("Rework")),
    ],
)

PLAN_WORKFLOW = Workflow(
    code="training.plan",
    model="training_plan",
    state_field="state",
    states={"draft": _l("Draft"), "submitted": _l("Waiting approval"), "approved": _l("Approved")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft"], "submitted", groups=PLANNERS, label=_l("Submit for approval")),
        Transition("approve", ["submitted"], "approved", groups=APPROVERS, not_by_requester=True,
                   label=_l("Approve")),
        Transition("reject", ["submitted"], "draft", groups=APPROVERS, not_by_requester=True, label=_l("Send back")),
    ],
)
