"""Small helpers shared by the crm_cards services: months, decimals, errors, the customer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer, Employee
from core.errors import ValidationError
from core.i18n import _

if TYPE_CHECKING:
    from core.security.env import Env

ZERO = Decimal("0")
HUNDRED = Decimal("100")


# ----- small helpers ---------------------------------------------------------------------
def as_date(value: Any) -> dt.date | None:
    """A date from a form value (a date or ISO text); ``None`` when missing or unreadable."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, dt.date) else None


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """First day of the month ``n`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def last_month(today: dt.date | None = None) -> dt.date:
    """First day of the previous month."""
    return add_months(month_start(today or dt.date.today()), -1)


def to_decimal(value: Any, name: str, errors: dict[str, str], minimum: Decimal | None = ZERO) -> Decimal:
    """Parse a money/score value as ``Decimal`` (never float); record an error message."""
    if value is None or value == "":
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    try:
        out = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors[name] = _("Enter a number.")
        return ZERO
    if not out.is_finite():
        errors[name] = _("Enter a number.")
        return ZERO
    if minimum is not None and out < minimum:
        errors[name] = _("Must not be below %(min)s.", min=minimum)
    return out


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(_("Please correct the highlighted fields: %(first)s", first=first), errors)


def customer(env: Env, customer_id: int) -> Customer:
    """A customer the user may read (else :class:`AccessDenied`)."""
    return env.get(Customer, customer_id)


def current_employee_id(env: Env) -> int | None:
    """The employee record of the env's user in the current company."""
    # the user's own employee record (identity), whatever the rules on employees
    return env.sudo().scalar(env.sudo().select(Employee, Employee.id).where(Employee.user_id == env.user_id))
