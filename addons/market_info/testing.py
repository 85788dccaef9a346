"""Test factories of market_info, for its own tests and other addons' tests.

Reached as ``world.factories.market_info.competitor(env, ...)``. Factories create
through the env you pass: that user's rights and rules apply.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.security.env import Env

FACTORIES = ("competitor", "plan", "price")


def competitor(env: Env, name_zh: str = "庄信万丰", **fields: Any) -> Any:
    """A competitor profile."""
    from .services import create_competitor

    return create_competitor(env, name_zh, **fields)


def plan(env: Env, collector: Any, kind: str = "competitor_price", next_due: dt.date | None = None,
         **fields: Any) -> Any:
    """A collection plan (monthly by default) collected by ``collector`` (an employee id or record)."""
    from .services import create_plan

    return create_plan(env, fields.pop("name", "竞争对手价格"), kind, collector,
                       next_due or dt.date(2026, 12, 31), **fields)


def price(env: Env, competitor: Any, price: Any = "100", observed_on: dt.date | None = None,
          place: str = "昆明", source: str = "customer", **fields: Any) -> Any:
    """A competitor price observation filed by the env's user."""
    from .services import record_price

    return record_price(env, competitor, price, observed_on or dt.date(2026, 11, 10), place, source, **fields)
