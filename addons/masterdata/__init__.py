"""The masterdata addon (客户与基础资料): hook implementations, kept thin.

Record rules use these user-context values:

* ``user.employee_ids``: the user's employee record(s) in the current company
  (a sub-query). ``[[owner_id, child_of, user.employee_ids]]`` is "customers I
  own or that my subordinates own", through the employee closure table.

masterdata declares ``tixi_handover`` and ``tixi_records_imported`` for the
addons that depend on it (:mod:`addons.masterdata.hookspecs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


@hookimpl
def tixi_user_context(env: Env) -> dict[str, Any]:
    """``employee_ids``: a sub-query of the user's employees in the current company."""
    from addons.masterdata.services import employee_ids_query

    return {"employee_ids": employee_ids_query(env.user_id, env.company_id)}


@hookimpl
def tixi_cli_commands() -> list[Any]:
    """``tixi masterdata handover|import|export``."""
    from addons.masterdata.cli import masterdata

    return [masterdata]


@hookimpl
def tixi_explain_label(model: str, res_id: int, env: Env) -> str | None:
    """Names of customers, contacts, products and employees for audit and explanations."""
    from addons.masterdata.services import record_label

    return record_label(env, model, res_id)


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The masterdata pages (under ``/masterdata``)."""
    from addons.masterdata.views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """Customers, and the master data menu (contacts, products, employees, import, handover)."""
    from addons.masterdata.views import menu_items

    return menu_items(env)


@hookimpl(tryfirst=True)
def tixi_record_event(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Validate customers written by any path (generic forms, JSON API): raising aborts the write.

    ``tryfirst``: runs before every reaction to the save (territories' assignment, ...).
    """
    if model == "masterdata_customer" and event in ("created", "updated"):
        from addons.masterdata.services import check_customer_record

        check_customer_record(env, record, changes)


@hookimpl
def tixi_measures() -> list[Any]:
    """``masterdata.customers`` (:mod:`addons.masterdata.measures`)."""
    from addons.masterdata.measures import MEASURES

    return MEASURES


@hookimpl
def tixi_search_sources() -> list[Any]:
    """Customers, contacts, employees and product varieties in the global search (:mod:`addons.masterdata.search`)."""
    from addons.masterdata.search import sources

    return sources()
