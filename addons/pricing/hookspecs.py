"""Hooks that pricing declares (its answer to order and planning addons)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookspec

if TYPE_CHECKING:
    from core.security.env import Env


@hookspec(firstresult=True)
def tixi_price_for(env: Env, customer_id: int, product_id: int, on_date: Any) -> dict[str, Any] | None:
    """Return the price and allowed band for a customer and product on a date.

    Implemented by the ``pricing`` addon; order and planning addons call it.
    The answer is a dict with ``target`` and ``floor`` (``Decimal``, the band),
    ``list_price``, ``quote_type`` (high/competitive/low/probing), ``currency``,
    ``cost_month`` and, only for roles allowed to see costs, ``cost``. ``None``
    when no addon answers (pricing not enabled for the company); a
    :class:`core.errors.ValidationError` when the price cannot be computed
    (no cost data for the month, no formula, ...).

    Example::

        band = env.hooks.tixi_price_for(env=env, customer_id=c.id,
                                         product_id=p.id, on_date=dt.date.today())
        if band and order_line.price < band["floor"]:
            flag_for_review(order_line)
    """
