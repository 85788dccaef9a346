"""Small helpers of the orders services: translated errors, decimals, today, settings, document facts."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
from collections.abc import Iterator
from contextvars import ContextVar
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer
from core.errors import ValidationError
from core.i18n import N_, current_lang, translate

from ..models import OrdersSettings

if TYPE_CHECKING:
    from core.security.env import Env

CENT = Decimal("0.01")
_SERVICE: ContextVar[bool] = ContextVar("orders_service", default=False)


@contextlib.contextmanager
def by_service() -> Iterator[None]:
    """Mark writes of a state the services own (shipping, customer confirmation): the record check lets them pass."""
    token = _SERVICE.set(True)
    try:
        yield
    finally:
        _SERVICE.reset(token)


def in_service() -> bool:
    """Whether the current write comes from a state-moving service."""
    return _SERVICE.get()


def fail(env: Env, message: str, field_name: str | None = None, **kwargs: Any) -> ValidationError:
    """A :class:`ValidationError` with ``message`` translated for the env's user."""
    text = translate(message, current_lang(env), **kwargs)
    return ValidationError(text, {field_name: text} if field_name else {})


def decimal_of(env: Env, value: Any, field_name: str, label: str, *, positive: bool = True) -> Decimal:
    """``value`` as a Decimal (floats refused), above zero when ``positive``."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{field_name}: pass a Decimal, int or string, not {type(value).__name__}")
    try:
        result = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except decimal.InvalidOperation:
        result = None
    if result is None or not result.is_finite():
        raise fail(env, N_("%(field)s is not a number: %(value)s"), field_name,
                   field=translate(label, current_lang(env)), value=value)
    if positive and result <= 0:
        raise fail(env, N_("%(field)s must be greater than zero (got %(value)s)."), field_name,
                   field=translate(label, current_lang(env)), value=result)
    return result


def money(value: Decimal) -> Decimal:
    """Rounded to the cent."""
    return Decimal(value).quantize(CENT, rounding=decimal.ROUND_HALF_UP)


def today(env: Env) -> dt.date:
    """Today in the company's time zone."""
    from core.reports.run import local_today

    return local_today(env)


def settings(env: Env) -> OrdersSettings:
    """The company's order settings (created with the defaults on first use)."""
    sudo = env.sudo()  # company-wide settings every document reads
    row = sudo.scalar(sudo.select(OrdersSettings))
    if row is None:
        row = OrdersSettings(company_id=env.company_id, overdue_threshold=Decimal("0"), default_payment_days=30,
                             created_by_id=env.user_id, updated_by_id=env.user_id)
        env.session.add(row)
        env.session.flush()
    return row


def check_open_period(env: Env, on: dt.date) -> None:
    """Refuse a document date in a period finance has closed."""
    closed = settings(env).closed_until
    if closed is not None and on <= closed:
        raise fail(env, N_("The date %(date)s is in a closed period (closed until %(closed)s)."), "date",
                   date=on.isoformat(), closed=closed.isoformat())


def document_facts(env: Env, customer: Customer, on: dt.date) -> dict[str, Any]:
    """What a document of ``customer`` made on ``on`` is reported by, stored on it.

    The salesperson is the customer's owner now (the document is made now);
    the territory is the customer's territory on the document date.
    """
    territory_id = None
    if "territories" in env.enabled:
        from addons.territories.models import CustomerTerritory

        sudo = env.sudo()  # attribution: the assignment history, whoever may read it
        territory_id = sudo.scalar(sudo.select(CustomerTerritory, CustomerTerritory.territory_id).where(
            CustomerTerritory.customer_id == customer.id, CustomerTerritory.date_from <= on,
            (CustomerTerritory.date_to.is_(None)) | (CustomerTerritory.date_to > on),
        ).order_by(CustomerTerritory.date_from.desc()).limit(1))
    return {"customer_id": customer.id, "salesperson_id": customer.owner_id, "territory_id": territory_id,
            "settlement": customer.settlement_method}
