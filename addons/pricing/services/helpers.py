"""Small helpers of the pricing services: validation errors, decimals, months, labels, money settings."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Product
from addons.pricing.models import PricingSettings
from core.errors import ValidationError
from core.i18n import N_, current_lang, translate

if TYPE_CHECKING:
    from core.security.env import Env

HUNDRED = Decimal("100")
COST_Q = Decimal("0.0001")
PCT_Q = Decimal("0.01")


# ----- small helpers ------------------------------------------------------------------------
def fail(env: Env, message: str, field_name: str | None = None, **kwargs: Any) -> ValidationError:
    """A :class:`ValidationError` with ``message`` translated for the env's user."""
    text = translate(message, current_lang(env), **kwargs)
    return ValidationError(text, {field_name: text} if field_name else {})


def to_decimal(env: Env, value: Any, field_name: str, label: str) -> Decimal:
    """``value`` as a Decimal; floats are refused (money is never float)."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{field_name}: pass a Decimal, int or string, not {type(value).__name__}")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str) and value.strip():
        try:
            result = Decimal(value.strip().replace(",", ""))
        except decimal.InvalidOperation:
            raise fail(env, N_("%(field)s is not a number: %(value)s"), field_name, field=translate(label, current_lang(env)), value=value) from None
    else:
        raise fail(env, N_("%(field)s is required."), field_name, field=translate(label, current_lang(env)))
    if not result.is_finite():
        raise fail(env, N_("%(field)s is not a number: %(value)s"), field_name, field=translate(label, current_lang(env)), value=value)
    return result


def positive(env: Env, value: Any, field_name: str, label: str) -> Decimal:
    """A Decimal strictly above zero, else a clear error."""
    result = to_decimal(env, value, field_name, label)
    if result <= 0:
        raise fail(env, N_("%(field)s must be greater than zero (got %(value)s)."), field_name,
                   field=translate(label, current_lang(env)), value=result)
    return result


def not_negative(env: Env, value: Any, field_name: str, label: str) -> Decimal:
    """A Decimal at or above zero, else a clear error."""
    result = to_decimal(env, value, field_name, label)
    if result < 0:
        raise fail(env, N_("%(field)s cannot be negative (got %(value)s)."), field_name,
                   field=translate(label, current_lang(env)), value=result)
    return result


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_label(day: dt.date) -> str:
    """``2026-11``."""
    return f"{day.year:04d}-{day.month:02d}"


def today(env: Env) -> dt.date:
    """Today in the company's time zone."""
    from zoneinfo import ZoneInfo

    from core.models import Company

    company = env.sudo().get(Company, env.company_id)  # the company's own time zone, whoever asks
    tz = ZoneInfo(company.timezone or "Asia/Shanghai") if company else dt.UTC
    return dt.datetime.now(tz).date()


def _product_name(env: Env, product_id: int) -> str:
    product = env.sudo().get(Product, product_id)  # names the product in an error, whoever reads it
    if product is None:
        return f"#{product_id}"
    return product.display(current_lang(env))


# ----- settings, rounding -------------------------------------------------------------------
@dataclass(frozen=True)
class Money:
    """Currency and rounding of a company's prices."""

    currency: str
    decimals: int
    rounding: str
    validity_days: int

    @property
    def quantum(self) -> Decimal:
        """``Decimal("0.01")`` for two decimals."""
        return Decimal(1).scaleb(-self.decimals)

    def round(self, value: Decimal) -> Decimal:
        """``value`` rounded to the company's decimals with its rounding mode."""
        return value.quantize(self.quantum, rounding=getattr(decimal, self.rounding, decimal.ROUND_HALF_UP))


def money(env: Env) -> Money:
    """The company's pricing settings (defaults: company currency, 2 decimals, half-up)."""
    # the company's currency and rounding price every quote, whoever prices it
    row = next(iter(env.sudo().search(PricingSettings, limit=1)), None)
    if row is not None:
        return Money(row.currency, row.decimals, row.rounding, row.quote_validity_days)
    from core.models import Company

    company = env.sudo().get(Company, env.company_id)
    return Money(getattr(company, "currency", None) or "CNY", 2, "ROUND_HALF_UP", 30)
