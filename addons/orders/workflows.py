"""Approval workflows of the orders addon, declared to the kernel's approvals.

``orders.contract``: a contract inside the customer's credit and at the
quoted price and terms is confirmed by sales directly (``confirm``); one that
deviates from its quote, would push the customer over the credit limit, or
whose customer has overdue receivables above the company's threshold is
submitted and approved by authority (the contract amount: a territory manager
up to 200,000, the director and the general manager without limit; never by
the requester). ``orders.collection``: the two-step confirmation of a
collection — sales confirms the payment request, finance confirms the cash as
received (never the requester: no salesperson records cash alone).
``orders.goods_request``: a goods request (需货申请单) is reviewed by a
manager (``approve``); when it would push the customer over the credit limit
or the customer has overdue receivables above the threshold, only
``approve_credit`` (by authority, the request amount) lets it through.
``orders.invoice``: an invoice request reviewed and issued by finance, then
signed by the customer (the signer's name and the day are recorded).
``orders.exchange``: an exchange (换货, a return and a replacement delivery)
is submitted by sales when it is made and approved or rejected by a manager
(never the requester); sales may withdraw it while it waits.
The kernel keeps the models' ``state`` column in step (``state_field``).
"""

from __future__ import annotations

from decimal import Decimal

from core.i18n import _l
from core.security.approvals import Transition, Workflow

SALES = ["core.group_salesperson", "core.group_territory_manager", "core.group_director",
         "core.group_sales_assistant"]
APPROVERS = ["core.group_territory_manager", "core.group_director", "core.group_general_manager"]
AUTHORITY = {"core.group_territory_manager": Decimal("200000"), "core.group_director": None,
             "core.group_general_manager": None}
FINANCE = ["core.group_finance"]
#: who approves an exchange: the approval makes the return and the replacement note, so a manager who may make them
EXCHANGE_APPROVERS = ["core.group_territory_manager", "core.group_director"]

CONTRACT_WORKFLOW = Workflow(
    code="orders.contract",
    model="orders_contract",
    state_field="state",
    states={"draft": _l("Draft"), "waiting": _l("Waiting approval"), "confirmed": _l("Confirmed"),
            "cancelled": _l("Cancelled")},
    initial="draft",
    transitions=[
        Transition("confirm", ["draft"], "confirmed", groups=SALES, label=_l("Confirm")),
        Transition("submit", ["draft"], "waiting", groups=SALES, label=_l("Submit for approval")),
        Transition("approve", ["waiting"], "confirmed", authority=AUTHORITY, not_by_requester=True,
                   label=_l("Approve")),
        Transition("reject", ["waiting"], "draft", groups=APPROVERS, not_by_requester=True, label=_l("Reject")),
        Transition("cancel", ["draft", "waiting"], "cancelled", groups=SALES, label=_l("Cancel")),
    ],
)

COLLECTION_WORKFLOW = Workflow(
    code="orders.collection",
    model="orders_collection",
    state_field="state",
    states={"draft": _l("Payment request"), "sales_confirmed": _l("Confirmed by sales"),
            "confirmed": _l("Confirmed by finance"), "rejected": _l("Rejected")},
    initial="draft",
    transitions=[
        Transition("confirm_sales", ["draft"], "sales_confirmed", groups=SALES, label=_l("Confirm (sales)")),
        Transition("confirm_finance", ["sales_confirmed"], "confirmed", groups=FINANCE, not_by_requester=True,
                   label=_l("Confirm receipt (finance)")),
        Transition("reject", ["draft", "sales_confirmed"], "rejected", groups=FINANCE, label=_l("Reject")),
    ],
)

INVOICE_WORKFLOW = Workflow(
    code="orders.invoice",
    model="orders_invoice",
    state_field="state",
    states={"draft": _l("Draft"), "requested": _l("Invoice requested"), "reviewed": _l("Reviewed by finance"),
            "issued": _l("Issued"), "signed": _l("Signed by the customer")},
    initial="draft",
    transitions=[
        Transition("request", ["draft"], "requested", groups=SALES, label=_l("Request the invoice")),
        Transition("review", ["requested"], "reviewed", groups=FINANCE, not_by_requester=True, label=_l("Review")),
        Transition("issue", ["reviewed"], "issued", groups=FINANCE, not_by_requester=True, label=_l("Issue")),
        Transition("reject", ["requested", "reviewed"], "draft", groups=FINANCE, label=_l("Reject")),
        Transition("sign", ["issued"], "signed", groups=SALES, label=_l("Customer signed")),
    ],
)

GOODS_REQUEST_WORKFLOW = Workflow(
    code="orders.goods_request",
    model="orders_goods_request",
    state_field="state",
    states={"draft": _l("Draft"), "reviewing": _l("Under review"), "approved": _l("Approved"),
            "rejected": _l("Rejected"), "delivered": _l("Delivery note made")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft", "rejected"], "reviewing", groups=SALES, label=_l("Submit for review")),
        Transition("approve", ["reviewing"], "approved", groups=APPROVERS, not_by_requester=True,
                   label=_l("Approve")),
        Transition("approve_credit", ["reviewing"], "approved", authority=AUTHORITY, not_by_requester=True,
                   label=_l("Approve over the credit limit")),
        Transition("reject", ["reviewing"], "rejected", groups=APPROVERS, not_by_requester=True, label=_l("Reject")),
        Transition("deliver", ["approved"], "delivered", groups=SALES, label=_l("Create delivery note")),
    ],
)

EXCHANGE_WORKFLOW = Workflow(
    code="orders.exchange",
    model="orders_exchange",
    state_field="state",
    states={"draft": _l("Draft"), "waiting": _l("Waiting approval"), "approved": _l("Approved"),
            "rejected": _l("Rejected"), "cancelled": _l("Cancelled")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft"], "waiting", groups=SALES, label=_l("Submit for approval")),
        Transition("approve", ["waiting"], "approved", groups=EXCHANGE_APPROVERS, not_by_requester=True,
                   label=_l("Approve")),
        Transition("reject", ["waiting"], "rejected", groups=EXCHANGE_APPROVERS, not_by_requester=True,
                   label=_l("Reject")),
        Transition("cancel", ["waiting"], "cancelled", groups=SALES, label=_l("Cancel")),
    ],
)
