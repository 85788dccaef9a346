"""After-sales service requests (售后服务申请): recorded by sales, routed to technical support, closed by them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import func

from addons.masterdata.models import Customer, Employee
from core.i18n import N_

from ..models import Delivery, ServiceRequest
from .common import by_service, document_facts, fail, today
from .numbering import next_number

if TYPE_CHECKING:
    from core.security.env import Env


def route_to(env: Env) -> int | None:
    """The technical support engineer with the fewest open requests (``None`` when the company has none)."""
    sudo = env.sudo()  # routing looks at every engineer's load, whoever asks
    engineers = list(sudo.scalars(sudo.select(Employee, Employee.id).where(
        Employee.position == "tech_support", Employee.date_left.is_(None)).order_by(Employee.id)))
    if not engineers:
        return None
    load = dict(sudo.execute(sudo.select(ServiceRequest, ServiceRequest.assigned_to_id, func.count()).where(
        ServiceRequest.state == "open", ServiceRequest.assigned_to_id.in_(engineers)).group_by(
        ServiceRequest.assigned_to_id)).all())
    return min(engineers, key=lambda e: (load.get(e, 0), e))


def create_service_request(env: Env, customer_id: int, description: str, *, delivery_id: int | None = None,
                           on: dt.date | None = None) -> ServiceRequest:
    """A customer's after-sales request, assigned to technical support."""
    env.check(ServiceRequest, "create")
    customer = env.get(Customer, customer_id)
    if not (description or "").strip():
        raise fail(env, N_("Describe the customer's problem."), "description")
    if delivery_id:
        delivery = env.get(Delivery, int(delivery_id))
        if delivery.customer_id != customer.id:
            raise fail(env, N_("The delivery note is for another customer."), "delivery_id")
    on = on or today(env)
    with env.session.begin_nested():
        return env.create(ServiceRequest, {
            "number": next_number(env, "service", on.year), **document_facts(env, customer, on),
            "delivery_id": delivery_id or None, "reported_on": on, "description": description.strip(),
            "state": "open", "assigned_to_id": route_to(env)})


def close_service_request(env: Env, request: ServiceRequest, resolution: str, on: dt.date | None = None) -> None:
    """Technical support closes the request with what was done."""
    if not env.in_group("core.group_tech_support", "core.group_director", "core.group_admin"):
        raise fail(env, N_("Only technical support closes after-sales requests."), "state")
    if request.state != "open":
        raise fail(env, N_("%(number)s is confirmed and cannot be changed; correct it with a red-letter document."),
                   "state", number=request.number)
    if not (resolution or "").strip():
        raise fail(env, N_("Describe what was done."), "resolution")
    with by_service():
        env.write(request, {"state": "done", "resolution": resolution.strip(), "done_on": on or today(env)})
