"""The approval workflow of plan revisions (kernel approvals).

A territory manager (or marketing, for the company target) submits a revision;
the director or the general manager (the management committee) approves it or
sends it back. Nobody approves what they submitted. Approving a revision puts
it in force (the one plan vs actual measures against).
"""

from __future__ import annotations

from core.i18n import _l
from core.security.approvals import Transition, Workflow

SUBMITTERS = ["core.group_territory_manager", "core.group_marketing_admin", "core.group_director"]
APPROVERS = ["core.group_director", "core.group_general_manager"]

PLAN_WORKFLOW = Workflow(
    code="sales_planning.plan",
    model="sales_planning_plan",
    state_field="state",
    states={"draft": _l("Draft"), "submitted": _l("Waiting approval"), "approved": _l("Approved")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft"], "submitted", groups=SUBMITTERS, label=_l("Submit for approval")),
        Transition("approve", ["submitted"], "approved", groups=APPROVERS, not_by_requester=True, label=_l("Approve")),
        Transition("reject", ["submitted"], "draft", groups=APPROVERS, not_by_requester=True, label=_l("Send back")),
    ],
)
