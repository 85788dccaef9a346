"""Approval workflows of the pricing addon, declared to the kernel's approvals.

``pricing.quote`` carries the whole life of a quote. A quote whose every line
is inside the author's band is confirmed directly (``confirm``); otherwise it is
submitted and waits for an approver whose band (configured per company in
:class:`addons.pricing.models.AuthorityBand`) covers the deviation below the
floor; :mod:`addons.pricing.services` checks that band before firing
``approve``, and the kernel refuses approval by the requester. The deviation
(percent below floor) is the approval ``amount``, kept in the history and the
audit trail. ``pricing.bid`` is the manager's go/no-go on a bid. The kernel
keeps the quote's ``state`` and ``bid_decision`` columns in step with the two
workflows (``state_field``), so lists and reports filter on them in SQL.
"""

from __future__ import annotations

from core.i18n import _l
from core.security.approvals import Transition, Workflow

SALES = ["core.group_salesperson"]
APPROVERS = ["core.group_territory_manager", "core.group_director", "core.group_general_manager"]
OPEN_STATES = ["draft", "waiting", "approved", "sent"]

QUOTE_WORKFLOW = Workflow(
    code="pricing.quote",
    model="pricing_quote",
    state_field="state",
    states={
        "draft": _l("Draft"),
        "waiting": _l("Waiting approval"),
        "approved": _l("Approved"),
        "sent": _l("Sent"),
        "won": _l("Won"),
        "lost": _l("Lost"),
        "expired": _l("Expired"),
        "superseded": _l("Superseded"),
    },
    initial="draft",
    transitions=[
        Transition("confirm", ["draft"], "approved", groups=SALES, label=_l("Confirm (inside band)")),
        Transition("submit", ["draft"], "waiting", groups=SALES, label=_l("Submit for approval")),
        Transition("approve", ["waiting"], "approved", groups=APPROVERS, not_by_requester=True, label=_l("Approve")),
        Transition("reject", ["waiting"], "draft", groups=APPROVERS, not_by_requester=True, label=_l("Reject")),
        Transition("send", ["approved"], "sent", groups=SALES, label=_l("Send to customer")),
        Transition("win", ["sent"], "won", groups=SALES, label=_l("Won")),
        Transition("lose", ["sent", "approved"], "lost", groups=SALES, label=_l("Lost")),
        Transition("expire", ["draft", "waiting", "approved", "sent"], "expired", groups=SALES, label=_l("Expire")),
        Transition("revise", OPEN_STATES, "superseded", groups=SALES, label=_l("Re-quote")),
    ],
)

BID_WORKFLOW = Workflow(
    code="pricing.bid",
    model="pricing_quote",
    state_field="bid_decision",
    states={
        "pending": _l("Not requested"),
        "requested": _l("Waiting for the manager"),
        "go": _l("Go"),
        "no_go": _l("No go"),
    },
    initial="pending",
    transitions=[
        Transition("request", ["pending"], "requested", groups=SALES, label=_l("Ask for go/no-go")),
        Transition("go", ["requested"], "go", groups=APPROVERS, not_by_requester=True, label=_l("Go")),
        Transition("no_go", ["requested"], "no_go", groups=APPROVERS, not_by_requester=True, label=_l("No go")),
    ],
)
