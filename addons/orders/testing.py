"""Test factories of the orders addon, for its own tests and other addons' tests.

Reached as ``world.factories.orders.contract(env, customer, ...)`` or
``world.make("orders.contract", env, ...)``. Factories create through the env
you pass: that user's rights, rules and reach apply, as in production.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.security.env import Env

FACTORIES = ("contract", "delivery", "collection")


def _id(value: Any) -> int:
    return int(getattr(value, "id", value))


def contract(env: Env, customer: Any, lines: Sequence[Mapping[str, Any]], *, confirm: bool = True,
             contract_date: dt.date | None = None, **fields: Any) -> Any:
    """A contract of ``customer`` with ``lines`` (``product_id``, ``quantity``, ``unit_price``), confirmed when it may be."""
    from .services import confirm_contract, create_contract

    c = create_contract(env, _id(customer), lines, contract_date=contract_date, **fields)
    if confirm:
        confirm_contract(env, c)
    return c


def delivery(env: Env, contract: Any, lines: Sequence[Mapping[str, Any]] | None = None, *,
             on: dt.date | None = None, ship: bool = True) -> Any:
    """A delivery note of a confirmed contract (everything left when ``lines`` is None), shipped on ``on``."""
    from .services import create_delivery
    from .services import ship as ship_note

    d = create_delivery(env, contract, lines, approved_on=on)
    if ship:
        ship_note(env, d, on=on)
    return d


def collection(env: Env, customer: Any, amount: Any, *, on: dt.date | None = None, **fields: Any) -> Any:
    """A payment request of ``customer`` (draft: sales and finance confirm it)."""
    from .services import create_collection

    return create_collection(env, _id(customer), amount, on=on, **fields)
