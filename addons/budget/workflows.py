"""Approval workflows of the budget addon (kernel approvals, state mirrored in ``state``).

* ``budget.budget``: the owner (or marketing) submits an annual budget; the management
  committee (general manager, committee, director) approves it. Nobody approves their own.
* ``budget.supplement``: a supplementary budget request; who may approve which amount is
  the company's bands (:class:`addons.budget.models.Band`), checked by
  :func:`addons.budget.services.claims.decide_supplement` before the transition.
* ``budget.request``: an expense request; approving it reserves its amount (under the line lock).
* ``budget.claim``: an expense claim; submitting consumes its amount (under the line lock),
  a manager approves it, finance pays it (deducting open advances).
"""

from __future__ import annotations

from core.i18n import _l
from core.security.approvals import Transition, Workflow

EMPLOYEES = ["core.group_salesperson", "core.group_marketing_admin", "core.group_tech_support",
             "core.group_sales_assistant", "core.group_finance"]
COMMITTEE = ["core.group_general_manager", "core.group_committee", "core.group_director"]
MANAGERS = ["core.group_territory_manager", "core.group_director", "core.group_general_manager",
            "core.group_committee"]
FINANCE = ["core.group_finance"]

BUDGET_WORKFLOW = Workflow(
    code="budget.budget", model="budget_budget", state_field="state",
    states={"draft": _l("Draft"), "submitted": _l("Waiting approval"), "approved": _l("Approved")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft"], "submitted",
                   groups=["core.group_territory_manager", "core.group_marketing_admin", "core.group_director"],
                   label=_l("Submit for approval")),
        Transition("approve", ["submitted"], "approved", groups=COMMITTEE, not_by_requester=True, label=_l("Approve")),
        Transition("reject", ["submitted"], "draft", groups=COMMITTEE, not_by_requester=True, label=_l("Send back")),
    ],
)


def _request_like(code: str, model: str) -> Workflow:
    return Workflow(
        code=code, model=model, state_field="state",
        states={"draft": _l("Draft"), "submitted": _l("Waiting approval"), "approved": _l("Approved"),
                "rejected": _l("Rejected"), "used": _l("Used by a claim")},
        initial="draft",
        transitions=[
            Transition("submit", ["draft", "rejected"], "submitted", groups=EMPLOYEES, label=_l("Submit for approval")),
            Transition("approve", ["submitted"], "approved", groups=MANAGERS, not_by_requester=True,
                       label=_l("Approve")),
            Transition("reject", ["submitted"], "rejected", groups=MANAGERS, not_by_requester=True,
                       label=_l("Reject")),
            Transition("use", ["approved"], "used", groups=EMPLOYEES + MANAGERS, label=_l("Used by a claim")),
        ],
    )


SUPPLEMENT_WORKFLOW = _request_like("budget.supplement", "budget_supplement")
REQUEST_WORKFLOW = _request_like("budget.request", "budget_request")

CLAIM_WORKFLOW = Workflow(
    code="budget.claim", model="budget_claim", state_field="state",
    states={"draft": _l("Draft"), "submitted": _l("Waiting approval"), "approved": _l("Approved"),
            "rejected": _l("Rejected"), "paid": _l("Paid")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft", "rejected"], "submitted", groups=EMPLOYEES, label=_l("Submit for approval")),
        Transition("approve", ["submitted"], "approved", groups=MANAGERS + FINANCE, not_by_requester=True,
                   label=_l("Approve")),
        Transition("reject", ["submitted"], "rejected", groups=MANAGERS + FINANCE, not_by_requester=True,
                   label=_l("Reject")),
        Transition("pay", ["approved"], "paid", groups=FINANCE, not_by_requester=True, label=_l("Mark as paid")),
    ],
)

WORKFLOWS = {w.code: w for w in (BUDGET_WORKFLOW, SUPPLEMENT_WORKFLOW, REQUEST_WORKFLOW, CLAIM_WORKFLOW)}
