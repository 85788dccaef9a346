"""To-dos of the orders addon: collections waiting for finance, payment requests to confirm, notes to ship.

Contracts waiting for the user's approval come from the kernel (every
workflow's pending approvals are on the to-do list already).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.i18n import _l
from core.todos import Todo

from .models import Collection, Delivery, InvoiceRequest

if TYPE_CHECKING:
    from core.security.env import Env


def todos(env: Env) -> list[Any]:
    """Finance: collections confirmed by sales, invoice requests; sales: own payment requests and unshipped notes."""
    from flask import has_request_context, url_for

    out = []
    url = url_for("orders.collections") if has_request_context() else None
    if env.in_group("core.group_finance"):
        out.append(Todo("orders.collections_finance", _l("Collections waiting for finance"),
                        env.count(Collection, Collection.state == "sales_confirmed"), url=url, sequence=40))
        out.append(Todo("orders.invoices_finance", _l("Invoice requests to review or issue"),
                        env.count(InvoiceRequest, InvoiceRequest.state.in_(("requested", "reviewed"))),
                        url=url_for("orders.invoices") if has_request_context() else None, sequence=43))
    if env.in_group("core.group_salesperson", "core.group_territory_manager") and env.can(Collection):
        out.append(Todo("orders.collections_sales", _l("Payment requests to confirm"),
                        env.count(Collection, Collection.state == "draft"), url=url, sequence=41))
    if env.in_group("core.group_tech_support"):
        from addons.masterdata.services import current_employee

        from .models import ServiceRequest

        me = current_employee(env)
        out.append(Todo("orders.service_open", _l("After-sales requests assigned to you"),
                        env.count(ServiceRequest, ServiceRequest.state == "open",
                                  ServiceRequest.assigned_to_id == (me.id if me else -1)),
                        url=url_for("orders.service") if has_request_context() else None, sequence=44))
    if env.can(Delivery) and not env.in_group("core.group_finance"):
        out.append(Todo("orders.deliveries_to_ship", _l("Delivery notes to ship"),
                        env.count(Delivery, Delivery.state == "draft"),
                        url=url_for("orders.index") if has_request_context() else None, sequence=42))
    return out
