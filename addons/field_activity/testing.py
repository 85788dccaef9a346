"""Test factories of the field_activity addon, for its own tests and other addons' tests.

Reached as ``world.factories.field_activity.visit(env, customer, ...)``. Factories create
through the env you pass: that user's rights, rules and reach apply, as in production.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.security.env import Env

FACTORIES = ("visit", "daily_report", "location", "photo")


def _id(x: Any) -> int:
    return int(getattr(x, "id", x))


def photo(width: int = 64, height: int = 48, fmt: str = "PNG", color: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A small image (bytes) to attach to a visit."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, fmt)
    return out.getvalue()


def location(env: Env, customer: Any, latitude: float = 25.0400, longitude: float = 102.7100) -> Any:
    """Set a customer's known location (default: Kunming)."""
    from .services import set_location

    return set_location(env, _id(customer), latitude, longitude)


def visit(env: Env, customer: Any, photo_bytes: bytes | None = None, **fields: Any) -> Any:
    """A visit of ``customer`` by the env user's employee (checked in now unless given)."""
    from .services import record_visit

    return record_visit(env, {"customer_id": _id(customer), **fields}, photo=photo_bytes)


def daily_report(env: Env, **fields: Any) -> Any:
    """Submit the env user's daily report (today unless ``report_date``)."""
    from .services import submit_report

    return submit_report(env, fields)
