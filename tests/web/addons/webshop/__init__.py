"""Web-shell test addon: a generic view, a menu, a dashboard widget, a view extension."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from core.plugins import hookimpl

bp = Blueprint("webshop", __name__)
# a second blueprint of the addon, gated per company through its ``tixi_addon`` attribute
extra = Blueprint("webshop_extra", __name__, url_prefix="/webshop-extra")
extra.tixi_addon = "webshop"


@extra.route("/ping")
def ping() -> str:
    """A page of the addon outside the generic views."""
    return "pong"
_view: Any = None


def item_view() -> Any:
    """The generic view of items (built once, registered on the blueprint)."""
    global _view
    if _view is None:
        from core.web.generic import Filter, ModelView, Related
        from webshop.models import Item

        _view = ModelView(
            name="webshop.item",
            model=Item,
            label=_l("Item"),
            label_plural=_l("Items"),
            list_columns=["name", "code", "price", "cost", "status", "owner_id"],
            optional_columns=["due"],
            search_fields=["name", "code"],
            filters=[Filter("status", _l("Status")), Filter("owner_id", _l("Salesperson")),
                     Filter("cost", _l("Cost"))],
            form_fields=["name", "code", "price", "cost", "status", "due", "owner_id", "notes"],
            detail_fields=["name", "code", "price", "cost", "status", "due", "owner_id", "notes"],
            related=[Related("children", _l("Sub-items"), Item, fk="parent_id",
                             columns=["name", "owner_id", "price", "status"])],
            url_prefix="/items",
            defaults={"owner_id": lambda env: env.user_id, "status": "draft"},
            can_delete=True,
            workflow="webshop.item_price",
            workflow_amount="price",
        ).register(bp)
    return _view


@hookimpl
def tixi_blueprints() -> list[Any]:
    item_view()
    return [bp, extra]


@hookimpl
def tixi_menu_items(env: Any) -> list[Any]:
    return [item_view().menu_item(_l("Items"), sequence=10)]


@hookimpl
def tixi_dashboard_widgets(env: Any) -> list[Any]:
    from sqlalchemy import func

    from core.web.dashboard import Widget
    from webshop.models import Item

    if not env.can(Item, "read"):
        return []
    stmt = env.select(Item, "read", Item.status, func.count(Item.id)).group_by(Item.status)
    data = [{"name": s, "value": n} for s, n in env.session.execute(stmt)]
    return [Widget("webshop.by_status", _l("Items by status"),
                   chart={"series": [{"type": "pie", "data": data}]}, sequence=10)]


@hookimpl
def tixi_approval_workflows() -> list[Any]:
    from decimal import Decimal

    from core.security.approvals import Transition, Workflow

    return [Workflow(
        code="webshop.item_price",
        model="webshop_item",
        states={"draft": _l("Draft"), "submitted": _l("Waiting approval"), "approved": _l("Approved")},
        initial="draft",
        transitions=[
            Transition("submit", ["draft"], "submitted", groups=["core.group_salesperson"], label=_l("Submit")),
            Transition("approve", ["submitted"], "approved", label=_l("Approve"), not_by_requester=True,
                       authority={"core.group_territory_manager": Decimal("100"), "core.group_director": None}),
        ],
    )]
