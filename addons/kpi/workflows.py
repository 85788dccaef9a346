"""Approval workflow of the kpi addon (kernel approvals, state mirrored in ``state``).

``kpi.scorecard``: the computed scorecard (draft) is submitted by its person or
their manager once the qualitative ratings are in; the manager (territory
manager, director, general manager) approves it or sends it back, never the
person themself (checked by the service) nor the one who submitted it.
Approved, it is frozen: recomputing leaves it as it is.
"""

from __future__ import annotations

from core.i18n import _l
from core.security.approvals import Transition, Workflow

SUBMITTERS = ["core.group_user"]
APPROVERS = ["core.group_territory_manager", "core.group_director", "core.group_general_manager"]

SCORECARD_WORKFLOW = Workflow(
    code="kpi.scorecard", model="kpi_scorecard", state_field="state",
    states={"draft": _l("Draft"), "submitted": _l("Waiting approval"), "approved": _l("Approved")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft"], "submitted", groups=SUBMITTERS, label=_l("Submit for approval")),
        Transition("approve", ["submitted"], "approved", groups=APPROVERS, not_by_requester=True, label=_l("Approve")),
        Transition("reject", ["submitted"], "draft", groups=APPROVERS, not_by_requester=True, label=_l("Send back")),
    ],
)
