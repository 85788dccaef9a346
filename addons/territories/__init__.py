"""The territories addon (片区): hook implementations, kept thin.

User-context values for record rules (sub-queries, so each rule stays one SQL
predicate):

* ``user.managed_territory_ids``: territories whose manager is the user's
  employee; ``child_of`` on it covers their whole subtree.
* ``user.territory_customer_ids``: customers currently assigned to a territory
  in that subtree (used by rules on ``masterdata_customer``/``masterdata_contact``).
* ``user.member_territory_ids``: territories the user currently works in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


@hookimpl
def tixi_user_context(env: Env) -> dict[str, Any]:
    """Territory scope of the user as sub-queries."""
    from addons.territories.services import user_context

    return user_context(env.user_id, env.company_id)


@hookimpl(tryfirst=True, specname="tixi_record_event")
def check_owner_in_reach(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """A customer's new owner must work within its territory's reach (issue 13: 华北 -> 华东 owner).

    ``tryfirst``: a check. On creation the territory follows from the province
    (assigned below) and the owner from the creator; the check applies to a change of owner.
    """
    if model == "masterdata_customer" and event == "updated" and "owner_id" in changes:
        from addons.territories.services import check_owner_reach

        check_owner_reach(env, record)


@hookimpl(trylast=True)
def tixi_record_event(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Assign a customer to a territory from its province when created or moved.

    ``trylast``: a reaction, after masterdata's validation of the same save.
    """
    if model != "masterdata_customer":
        return
    if event == "created" or (event == "updated" and {"province", "city"} & set(changes)):
        from addons.territories.services import auto_assign

        auto_assign(env, record)


@hookimpl
def tixi_explain_label(model: str, res_id: int, env: Env) -> str | None:
    """Names of territories for audit and explanations."""
    from addons.territories.services import record_label

    return record_label(env, model, res_id)


@hookimpl
def tixi_handover(env: Env, from_employee: Any, to_employee: Any) -> dict[str, int]:
    """Territories managed by the leaving person and their memberships go to the successor."""
    from addons.territories.services import hand_over_territories

    return hand_over_territories(env, from_employee, to_employee)


@hookimpl
def tixi_records_imported(env: Env, model: str, ids: list[int]) -> None:
    """Assign imported customers to territories from their province, in bulk."""
    if model == "masterdata_customer" and ids:
        from addons.territories.services import auto_assign_bulk

        auto_assign_bulk(env, ids)


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The territories pages (under ``/territories``)."""
    from addons.territories.views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The "Territories" menu (tree, list, members, assignments, province mappings)."""
    from addons.territories.views import menu_items

    return menu_items(env)


@hookimpl
def tixi_view_extend(view: str, env: Env) -> dict[str, Any] | None:
    """A "Territory" tab on the customer page (current territory, history, re-assignment)."""
    from addons.territories.views import view_extension

    return view_extension(view, env)


@hookimpl
def tixi_dashboard_widgets(env: Env) -> list[Any]:
    """"Customers by territory" (top-level territories side by side, by status)."""
    from addons.territories.views import dashboard_widgets

    return dashboard_widgets(env)
