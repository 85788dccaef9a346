"""Approval workflows of brand_campaigns (kernel approvals, ``state_field="state"``).

``brand_campaigns.positioning``: the brand owner (marketing admin) submits the
year's brand value positioning; the management committee (the director, the
general manager) approves it or sends it back; nobody approves what they
submitted. ``brand_campaigns.toolkit_version``: a toolkit version is submitted
by the brand owner, approved by the director or the general manager (never by
the submitter), then published by the brand owner; publishing makes it the
current version of its item and language
(:func:`addons.brand_campaigns.services.toolkit.publish`).
"""

from __future__ import annotations

from core.i18n import _l
from core.security.approvals import Transition, Workflow

OWNERS = ["core.group_marketing_admin"]
COMMITTEE = ["core.group_director", "core.group_general_manager"]

POSITIONING_WORKFLOW = Workflow(
    code="brand_campaigns.positioning",
    model="brand_campaigns_positioning",
    state_field="state",
    states={"draft": _l("Draft"), "submitted": _l("Waiting approval"), "approved": _l("Approved")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft"], "submitted", groups=OWNERS, label=_l("Submit for approval")),
        Transition("approve", ["submitted"], "approved", groups=COMMITTEE, not_by_requester=True,
                   label=_l("Approve")),
        Transition("reject", ["submitted"], "draft", groups=COMMITTEE, not_by_requester=True,
                   label=_l("Send back")),
    ],
)

VERSION_WORKFLOW = Workflow(
    code="brand_campaigns.toolkit_version",
    model="brand_campaigns_toolkit_version",
    state_field="state",
    states={"draft": _l("Draft"), "submitted": _l("Waiting approval"), "approved": _l("Approved"),
            "published": _l("Published")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft"], "submitted", groups=OWNERS, label=_l("Submit for approval")),
        Transition("approve", ["submitted"], "approved", groups=COMMITTEE, not_by_requester=True,
                   label=_l("Approve")),
        Transition("publish", ["approved"], "published", groups=OWNERS, label=_l("Publish")),
        Transition("reject", ["submitted"], "draft", groups=COMMITTEE, not_by_requester=True,
                   label=_l("Send back")),
    ],
)

WORKFLOWS = [POSITIONING_WORKFLOW, VERSION_WORKFLOW]
