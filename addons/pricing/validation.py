"""Validation of pricing records on every write path (services, generic forms, JSON API).

Called from ``tixi_record_event`` for ``created`` and ``updated`` events of this
addon's tables, inside the same transaction: a :class:`ValidationError` aborts
the whole operation, so nothing is saved half-way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.errors import ValidationError
from core.i18n import N_, current_lang, translate

if TYPE_CHECKING:
    from core.security.env import Env


def _error(env: Env, field: str, message: str, **kwargs: Any) -> ValidationError:
    text = translate(message, current_lang(env), **kwargs)
    return ValidationError(text, {field: text})


def _positive(env: Env, record: Any, field: str, label: str) -> None:
    value = getattr(record, field)
    if value is None or Decimal(value) <= 0:
        raise _error(env, field, N_("%(field)s must be greater than zero (got %(value)s)."),
                     field=translate(label, current_lang(env)), value=value)


def _not_negative(env: Env, record: Any, field: str, label: str) -> None:
    value = getattr(record, field)
    if value is not None and Decimal(value) < 0:
        raise _error(env, field, N_("%(field)s cannot be negative (got %(value)s)."),
                     field=translate(label, current_lang(env)), value=value)


def validate(env: Env, model: str, record: Any) -> None:
    """Raise a :class:`ValidationError` (in the user's language) for an invalid pricing record."""
    if model == "pricing_metal_price":
        _positive(env, record, "price_per_gram", N_("Price per gram"))
    elif model == "pricing_product_cost":
        _not_negative(env, record, "manufacturing_cost", N_("Manufacturing cost"))
        _not_negative(env, record, "carrier_cost", N_("Carrier cost"))
    elif model == "pricing_formula":
        _positive(env, record, "grams_per_unit", N_("Grams per unit"))
    elif model == "pricing_product_pricing":
        if record.list_price is not None:
            _positive(env, record, "list_price", N_("List price"))
    elif model == "pricing_competitor_price":
        _positive(env, record, "price", N_("Competitor price"))
    elif model == "pricing_strategy":
        _not_negative(env, record, "channel_markup_pct", N_("Channel markup"))
    elif model == "pricing_authority_band":
        _not_negative(env, record, "max_below_floor_pct", N_("% below floor"))
    elif model == "pricing_strategy_rule":
        from addons.pricing.services.company_setup import clean_rule

        clean_rule(env, record.quote_type, {
            "method": record.method, "target_margin_pct": record.target_margin_pct,
            "floor_margin_pct": record.floor_margin_pct, "target_discount_pct": record.target_discount_pct,
            "max_discount_pct": record.max_discount_pct,
        })
    elif model == "pricing_quote_line":
        _positive(env, record, "quantity", N_("Quantity"))
        _positive(env, record, "unit_price", N_("Unit price"))
        if record.floor_price is not None and record.target_price is not None and record.floor_price > record.target_price:
            raise _error(env, "floor_price", N_("The band is inverted: the floor (%(floor)s) is above the target (%(target)s)."),
                         floor=record.floor_price, target=record.target_price)
