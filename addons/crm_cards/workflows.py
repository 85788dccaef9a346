"""Approval workflows of crm_cards, declared to the kernel (``tixi_approval_workflows``).

* ``crm_cards.strategy``: the salesperson submits the strategy card to the
  territory manager (``submit``), or, for a key account, to the Director
  (``submit_key``); the approver may not be the requester.
* ``crm_cards.monthly``: the owner submits the monthly card; the territory
  manager reviews it or returns it.
* ``crm_cards.ka_plan``: a key-account plan is approved by the Director.
* ``crm_cards.class_change``: a class change proposed by the periodic review is
  approved or refused by the Director.

The kernel checks states, groups, record rules (the approver must be able to
read the card, so a manager of another territory cannot approve it) and
``not_by_requester``, and keeps each model's ``state`` column in step with the
approval state (``state_field``). Side effects (the reviewer on a monthly card,
the class applied when a proposal is approved, a key account's strategy card
refused on the manager's path) happen in
:func:`addons.crm_cards.services.on_state_changed`, called from
``tixi_record_event`` in the same transaction, so they also hold when a
transition is fired from a generic page.
"""

from __future__ import annotations

from core.i18n import _l
from core.security.approvals import Transition, Workflow

SALES = "core.group_salesperson"
MANAGER = "core.group_territory_manager"
DIRECTOR = "core.group_director"

STRATEGY = Workflow(
    code="crm_cards.strategy",
    model="crm_cards_strategy",
    state_field="state",
    states={
        "draft": _l("Draft"),
        "submitted": _l("Waiting for the territory manager"),
        "submitted_key": _l("Waiting for the director"),
        "approved": _l("Approved"),
        "rejected": _l("Rejected"),
    },
    initial="draft",
    transitions=[
        Transition("submit", ["draft", "rejected"], "submitted", groups=[SALES], label=_l("Submit")),
        Transition(
            "submit_key", ["draft", "rejected"], "submitted_key", groups=[SALES],
            label=_l("Submit to the director"),
        ),
        Transition(
            "approve", ["submitted"], "approved", groups=[MANAGER], not_by_requester=True,
            label=_l("Approve"),
        ),
        Transition(
            "reject", ["submitted"], "rejected", groups=[MANAGER], not_by_requester=True,
            label=_l("Send back"),
        ),
        Transition(
            "approve_key", ["submitted_key"], "approved", groups=[DIRECTOR], not_by_requester=True,
            label=_l("Approve"),
        ),
        Transition(
            "reject_key", ["submitted_key"], "rejected", groups=[DIRECTOR], not_by_requester=True,
            label=_l("Send back"),
        ),
        Transition("reopen", ["approved"], "draft", groups=[SALES], label=_l("Revise")),
    ],
)

MONTHLY = Workflow(
    code="crm_cards.monthly",
    model="crm_cards_monthly",
    state_field="state",
    states={
        "draft": _l("Draft"),
        "submitted": _l("Waiting for review"),
        "reviewed": _l("Reviewed"),
        "returned": _l("Returned"),
    },
    initial="draft",
    transitions=[
        Transition("submit", ["draft", "returned"], "submitted", groups=[SALES], label=_l("Submit")),
        Transition(
            "review", ["submitted"], "reviewed", groups=[MANAGER], not_by_requester=True,
            label=_l("Mark as reviewed"),
        ),
        Transition(
            "return", ["submitted"], "returned", groups=[MANAGER], not_by_requester=True,
            label=_l("Return"),
        ),
    ],
)

KA_PLAN = Workflow(
    code="crm_cards.ka_plan",
    model="crm_cards_ka_plan",
    state_field="state",
    states={
        "draft": _l("Draft"),
        "submitted_key": _l("Waiting for the director"),
        "approved": _l("Approved"),
        "rejected": _l("Rejected"),
    },
    initial="draft",
    transitions=[
        Transition("submit", ["draft", "rejected"], "submitted_key", groups=[SALES], label=_l("Submit")),
        Transition(
            "approve", ["submitted_key"], "approved", groups=[DIRECTOR], not_by_requester=True,
            label=_l("Approve"),
        ),
        Transition(
            "reject", ["submitted_key"], "rejected", groups=[DIRECTOR], not_by_requester=True,
            label=_l("Send back"),
        ),
        Transition("reopen", ["approved"], "draft", groups=[SALES], label=_l("Revise")),
    ],
)

CLASS_CHANGE = Workflow(
    code="crm_cards.class_change",
    model="crm_cards_class_proposal",
    state_field="state",
    states={
        "submitted": _l("Waiting for the director"),
        "approved": _l("Approved"),
        "rejected": _l("Rejected"),
    },
    initial="submitted",
    transitions=[
        Transition("approve", ["submitted"], "approved", groups=[DIRECTOR], label=_l("Approve")),
        Transition("reject", ["submitted"], "rejected", groups=[DIRECTOR], label=_l("Send back")),
    ],
)

WORKFLOWS = (STRATEGY, MONTHLY, KA_PLAN, CLASS_CHANGE)
BY_MODEL = {w.model: w for w in WORKFLOWS}
