"""Small helpers of market_info's services: translated refusals, dates, money, the user's employee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from core.errors import ValidationError
from core.i18n import N_, current_lang, translate

if TYPE_CHECKING:
    from core.security.env import Env


def fail(env: Env, message: str, field_name: str | None = None, **kwargs: Any) -> ValidationError:
    """A :class:`ValidationError` with ``message`` translated for the env's user."""
    text = translate(message, current_lang(env), **kwargs)
    return ValidationError(text, {field_name: text} if field_name else {})


def today(env: Env) -> dt.date:
    """Today in the company's time zone."""
    from core.reports.run import local_today

    return local_today(env)


def parse_date(env: Env, value: Any, field_name: str, required_message: str) -> dt.date:
    """A date from a date or an ISO string; ``required_message`` when missing, a clear error when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        raise fail(env, required_message, field_name)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise fail(env, N_("Not a valid date: %(value)s."), field_name, value=text) from None


def parse_price(env: Env, value: Any, field_name: str = "price") -> Decimal:
    """A price above zero (Decimal; floats refused)."""
    if isinstance(value, (float, bool)):
        raise TypeError(f"{field_name}: pass a Decimal, int or string, not {type(value).__name__}")
    text = str(value if value is not None else "").strip().replace(",", "")
    if not text:
        raise fail(env, N_("The price is required."), field_name)
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise fail(env, N_("Not a valid amount: %(value)s."), field_name, value=text) from None
    if not result.is_finite() or result <= 0:
        raise fail(env, N_("The price must be greater than zero."), field_name)
    return result.quantize(Decimal("0.0001"))


def required_text(env: Env, value: Any, field_name: str, message: str, size: int = 200) -> str:
    """A stripped, non-empty text (cut to ``size``)."""
    text = str(value or "").strip()
    if not text:
        raise fail(env, message, field_name)
    return text[:size]


def choice(env: Env, value: Any, choices: Any, field_name: str) -> str:
    """A key among ``choices``, else a clear error."""
    key = str(value or "").strip()
    if key not in choices:
        raise fail(env, N_("Unknown value: %(value)s."), field_name, value=key)
    return key


def my_employee_id(env: Env) -> int:
    """The env user's employee record in the company (collectors are employees)."""
    from addons.masterdata.services import current_employee

    employee = current_employee(env)
    if employee is None:
        raise fail(env, N_("Your user has no employee record in this company."))
    return employee.id


def step(day: dt.date, frequency: str, n: int = 1) -> dt.date:
    """``day`` moved ``n`` periods of ``frequency`` (weekly: 7 days; monthly/quarterly: same day, clipped)."""
    if frequency == "weekly":
        return day + dt.timedelta(days=7 * n)
    months = n * (3 if frequency == "quarterly" else 1)
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    import calendar

    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))
