"""Bid decisions on a quote: requesting one and deciding go / no go."""

from __future__ import annotations

from typing import TYPE_CHECKING

from addons.pricing.models import Quote
from addons.pricing.services.helpers import fail
from addons.pricing.workflows import BID_WORKFLOW
from core.i18n import N_
from core.security import approvals

if TYPE_CHECKING:
    from core.security.env import Env


# ----- bids ---------------------------------------------------------------------------------
def request_bid(env: Env, quote: Quote, comment: str | None = None) -> str:
    """Ask the manager to decide whether to bid."""
    if quote.kind != "bid":
        raise fail(env, N_("Only a bid needs a go/no-go decision."), "kind")
    row = approvals.fire(env, BID_WORKFLOW, quote, "request", comment=comment)
    return row.state


def decide_bid(env: Env, quote: Quote, go: bool, comment: str | None = None) -> str:
    """The manager's go or no-go on a bid."""
    if quote.kind != "bid":
        raise fail(env, N_("Only a bid needs a go/no-go decision."), "kind")
    row = approvals.fire(env, BID_WORKFLOW, quote, "go" if go else "no_go", comment=comment)
    return row.state
