"""Half-year reconciliation statements (对账单) per customer: end of June and end of December.

Opening balance (booked delivery notes and returns before the half-year less
collections confirmed before it), every note, return and confirmed collection
of the half-year in date order with the running balance, and the closing
balance, which equals the customer's receivables at the end of the half-year.
Read through ``env.select``: a salesperson's statement covers their documents.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from core.i18n import N_

from ..models import Collection, Delivery
from .common import fail

if TYPE_CHECKING:
    from core.security.env import Env

HALF_RE = re.compile(r"^(\d{4})-H([12])$")
BOOKED = ("shipped", "confirmed")


def half_bounds(env: Env, half: str) -> tuple[dt.date, dt.date]:
    """``2026-H1`` -> (2026-01-01, 2026-06-30); anything else is refused."""
    m = HALF_RE.match((half or "").strip().upper())
    if not m:
        raise fail(env, N_("Enter the half-year as 2026-H1 or 2026-H2."), "half")
    year, h = int(m.group(1)), int(m.group(2))
    return (dt.date(year, 1, 1), dt.date(year, 6, 30)) if h == 1 else (dt.date(year, 7, 1), dt.date(year, 12, 31))


def statement(env: Env, customer_id: int, half: str) -> dict[str, Any]:
    """The statement of ``customer_id`` for ``half`` (``2026-H2``): opening, lines, closing."""
    start, end = half_bounds(env, half)
    booked_before = Decimal(env.scalar(env.select(Delivery, "read", func.coalesce(func.sum(Delivery.amount_total), 0))
                                       .where(Delivery.customer_id == customer_id, Delivery.state.in_(BOOKED),
                                              Delivery.delivery_date < start)) or 0)
    paid_before = Decimal(env.scalar(env.select(Collection, "read", func.coalesce(func.sum(Collection.amount), 0))
                                     .where(Collection.customer_id == customer_id, Collection.state == "confirmed",
                                            Collection.confirmed_on < start)) or 0)
    opening = booked_before - paid_before
    rows: list[dict[str, Any]] = []
    for d in env.search(Delivery, Delivery.customer_id == customer_id, Delivery.state.in_(BOOKED),
                        Delivery.delivery_date >= start, Delivery.delivery_date <= end):
        rows.append({"date": d.delivery_date, "number": d.number, "kind": "return" if d.is_return else "delivery",
                     "debit": d.amount_total if not d.is_return else Decimal("0"),
                     "credit": -d.amount_total if d.is_return else Decimal("0")})
    for c in env.search(Collection, Collection.customer_id == customer_id, Collection.state == "confirmed",
                        Collection.confirmed_on >= start, Collection.confirmed_on <= end):
        rows.append({"date": c.confirmed_on, "number": c.number, "kind": "collection", "debit": Decimal("0"),
                     "credit": c.amount})
    rows.sort(key=lambda r: (r["date"], r["number"]))
    balance = opening
    for r in rows:
        balance += r["debit"] - r["credit"]
        r["balance"] = balance
    return {"start": start, "end": end, "half": half.strip().upper(), "opening": opening, "rows": rows,
            "debit": sum((r["debit"] for r in rows), Decimal("0")),
            "credit": sum((r["credit"] for r in rows), Decimal("0")), "closing": balance}
