"""Parsing helpers shared by the services: every refusal is a ValidationError in the user's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import ValidationError
from core.i18n import _


def parse_date(value: Any, field: str, label: str, required: bool = True) -> dt.date | None:
    """A date from a date or ``YYYY-MM-DD`` text."""
    if value in (None, ""):
        if required:
            raise ValidationError(_("%(field)s is required.", field=label), {field: _("Required.")})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        msg = _("%(field)s is not a date (YYYY-MM-DD).", field=label)
        raise ValidationError(msg, {field: msg}) from None


def parse_money(value: Any, field: str, label: str, required: bool = False) -> Decimal | None:
    """A non-negative amount (Decimal, two places)."""
    if value in (None, ""):
        if required:
            raise ValidationError(_("%(field)s is required.", field=label), {field: _("Required.")})
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        msg = _("%(field)s must be an amount of 0 or more.", field=label)
        raise ValidationError(msg, {field: msg})
    return amount.quantize(Decimal("0.01"))


def parse_int(value: Any, field: str, label: str, lo: int = 0, hi: int | None = None,
              required: bool = False) -> int | None:
    """A whole number in ``lo..hi``."""
    if value in (None, ""):
        if required:
            raise ValidationError(_("%(field)s is required.", field=label), {field: _("Required.")})
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        n = None
    if n is None or n < lo or (hi is not None and n > hi):
        msg = (_("%(field)s must be a whole number from %(lo)s to %(hi)s.", field=label, lo=lo, hi=hi)
               if hi is not None else _("%(field)s must be a whole number of %(lo)s or more.", field=label, lo=lo))
        raise ValidationError(msg, {field: msg})
    return n


def required_text(value: Any, field: str, label: str) -> str:
    """A non-empty text."""
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        raise ValidationError(_("%(field)s is required.", field=label), {field: _("Required.")})
    return text


def check_period(start: dt.date, end: dt.date, field: str = "end_date") -> None:
    """Refuse an end before the start."""
    if end < start:
        msg = _("The end date (%(end)s) is before the start date (%(start)s).", end=end, start=start)
        raise ValidationError(msg, {field: msg})
