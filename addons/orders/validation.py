"""Checks of orders records on every write path (services, generic forms, API, imports).

* A confirmed document is never edited: contracts once confirmed or
  cancelled, delivery notes once shipped, collections once confirmed by
  finance or rejected; corrections are red-letter documents. Lines follow
  their document (only a draft's lines change).
* States move only through the kernel approvals (contracts, collections) or
  the shipping services (delivery notes): a plain write of ``state`` is refused.
* A contract deviating from its quote or failing the credit check cannot be
  confirmed without approval, whatever fires the transition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.i18n import N_

from .services.common import fail, in_service

if TYPE_CHECKING:
    from core.security.env import Env

LOCKED = {"orders_contract": {"confirmed", "cancelled"}, "orders_delivery": {"shipped", "confirmed"},
          "orders_collection": {"confirmed", "rejected"}, "orders_invoice": {"issued", "signed"},
          "orders_goods_request": {"approved", "delivered"}, "orders_service_request": {"done"},
          "orders_exchange": {"approved", "rejected", "cancelled"}}
SERVICE_FIELDS = {"orders_delivery": {"state", "delivery_date", "due_date", "shipped_late", "open_amount",
                                      "customer_confirmed_on"},
                  "orders_service_request": {"state", "resolution", "done_on"}}
LINES = {"orders_contract_line": ("contract", "orders_contract"), "orders_delivery_line": ("delivery", "orders_delivery"),
         "orders_allocation": ("collection", None), "orders_goods_request_line": ("request", "orders_goods_request"),
         "orders_exchange_line": ("exchange", "orders_exchange")}


def _locked_error(env: Env, record: Any) -> Exception:
    return fail(env, N_("%(number)s is confirmed and cannot be changed; correct it with a red-letter document."),
                "state", number=getattr(record, "number", record.id))


def check(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Refuse edits of confirmed documents, state writes outside the workflows, unapproved confirmations."""
    changes = changes or {}
    if model in LOCKED:
        if event == "state_changed":
            if model == "orders_contract" and changes.get("transition") == "confirm" and (
                    record.deviates or record.credit_issue):
                raise fail(env, N_("This contract needs approval: it deviates from its quote or fails the credit "
                                   "check."), "state")
            if model == "orders_goods_request" and changes.get("transition") == "approve" and record.credit_issue:
                raise fail(env, N_("This goods request fails the credit check: it needs approval by authority."),
                           "state")
            return
        if event not in ("updated", "deleted"):
            return
        old_state = changes["state"][0] if event == "updated" and "state" in changes else record.state
        service = in_service() and set(changes) <= SERVICE_FIELDS.get(model, set())
        if old_state in LOCKED[model] and not service:
            raise _locked_error(env, record)
        if event == "updated" and "state" in changes and not service:
            raise fail(env, N_("The state changes through the document's actions only."), "state")
    elif model in LINES and event in ("created", "updated", "deleted"):
        parent_attr, parent_model = LINES[model]
        parent = getattr(record, parent_attr)
        if parent_model is None:  # allocations are made by finance's confirmation only
            if event != "created":
                raise _locked_error(env, parent)
            return
        if parent is not None and parent.state != "draft":
            raise _locked_error(env, parent)
