"""The orders addon (合同与回款): hook implementations, kept thin.

Business logic lives in ``services``, checks on every write path in
``validation``, the two workflows in ``workflows``, pages in ``views``,
figures in ``measures``, the ageing report in ``report_defs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The addon's pages (under ``/orders``)."""
    from .views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The addon's menu entries (hidden from users who may not read contracts)."""
    from .views import menu_items

    return menu_items(env)


@hookimpl
def tixi_company_setup(env: Env, company: Any) -> None:
    """Give the company its order settings (idempotent)."""
    from .services import settings

    settings(env)


@hookimpl
def tixi_approval_workflows() -> list[Any]:
    """``orders.contract``, ``orders.goods_request``, ``orders.collection``, ``orders.invoice``, ``orders.exchange``."""
    from .workflows import (
        COLLECTION_WORKFLOW,
        CONTRACT_WORKFLOW,
        EXCHANGE_WORKFLOW,
        GOODS_REQUEST_WORKFLOW,
        INVOICE_WORKFLOW,
    )

    return [CONTRACT_WORKFLOW, GOODS_REQUEST_WORKFLOW, COLLECTION_WORKFLOW, INVOICE_WORKFLOW, EXCHANGE_WORKFLOW]


@hookimpl(specname="tixi_record_event", tryfirst=True)
def check_orders(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Confirmed documents stay as they are; states move through their actions only (a check: ``tryfirst``)."""
    if model.startswith("orders_"):
        from .validation import check

        check(env, event, model, record, changes)


@hookimpl
def tixi_measures() -> list[Any]:
    """Sales, quantity, gross profit, contract amount, collections, receivables (:mod:`.measures`)."""
    from .measures import MEASURES

    return MEASURES


@hookimpl
def tixi_reports() -> list[Any]:
    """The receivables ageing report on the report centre."""
    from .report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_todos(env: Env) -> list[Any]:
    """Collections waiting for finance, contracts waiting for the user's approval."""
    from .todos import todos

    return todos(env)


@hookimpl(optionalhook=True)
def tixi_profile_sections(env: Env, customer: Any) -> list[Any]:
    """The customer card's panel: credit use and the latest collections."""
    from .views import profile_section

    return profile_section(env, customer)


@hookimpl
def tixi_explain_label(model: str, res_id: int, env: Env) -> str | None:
    """Document numbers for audit and explanations."""
    from .models import Collection, Contract, Delivery, Exchange, InvoiceRequest

    cls = {"orders_contract": Contract, "orders_delivery": Delivery, "orders_collection": Collection,
           "orders_invoice": InvoiceRequest, "orders_exchange": Exchange}.get(model)
    if cls is None:
        return None
    # sudo: audit history and explanations name the records they mention, whatever the rules
    obj = env.sudo().get(cls, res_id)
    return obj.number if obj is not None else None
