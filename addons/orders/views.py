"""Pages of the orders addon (blueprint ``orders``, under ``/orders``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint

from core.i18n import _l
from core.web.menus import MenuItem

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("orders", __name__, url_prefix="/orders", template_folder="templates")


@bp.route("/")
def index() -> Any:
    """Start page."""
    return "orders"


@bp.route("/collections")
def collections() -> Any:
    """Collections."""
    return "collections"


def menu_items(env: Env) -> list[Any]:
    """The Orders menu."""
    return [MenuItem("orders", _l("Orders and collections"), "orders.index", model="orders_contract", sequence=45)]


def profile_section(env: Env, customer: Any) -> list[Any]:
    """The customer card panel."""
    return []
