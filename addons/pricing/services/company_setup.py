"""Company set-up of pricing: the default strategy, its matrix, rules and targets."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from addons.pricing.models import (
    LEVEL_LABELS,
    METHOD_LABELS,
    QUOTE_TYPE_LABELS,
    Metal,
    PricingStrategy,
    StrategyMatrix,
    StrategyRule,
    StrategyTarget,
)
from addons.pricing.services.helpers import HUNDRED, fail, not_negative, to_decimal, today
from core.i18n import N_, current_lang, translate

if TYPE_CHECKING:
    from core.security.env import Env

DEFAULT_METALS = [("Pt", "铂", "Platinum", 10), ("Pd", "钯", "Palladium", 20), ("Rh", "铑", "Rhodium", 30)]
#: attractiveness x ability to win -> quote type (editable per strategy)
DEFAULT_MATRIX = {
    ("high", "high"): "competitive",
    ("high", "low"): "low",
    ("low", "high"): "high",
    ("low", "low"): "probing",
}
DEFAULT_RULES = {
    "high": {"method": "cost_margin", "target_margin_pct": Decimal("30"), "floor_margin_pct": Decimal("22")},
    "competitive": {"method": "cost_margin", "target_margin_pct": Decimal("20"), "floor_margin_pct": Decimal("14")},
    "low": {"method": "cost_margin", "target_margin_pct": Decimal("12"), "floor_margin_pct": Decimal("8")},
    "probing": {"method": "cost_margin", "target_margin_pct": Decimal("25"), "floor_margin_pct": Decimal("15")},
}


# ----- company set-up -----------------------------------------------------------------------
def setup_company(env: Env, year: int | None = None) -> PricingStrategy:
    """Create the default metals (Pt, Pd, Rh) and a default strategy for ``year`` if missing.

    Runs with the user's rights (Finance for metals, the Director for the
    strategy; an administrator for both).
    """
    existing = {m.code for m in env.search(Metal)} if env.can(Metal, "read") else set()
    for code, zh, en, seq in DEFAULT_METALS:
        if code not in existing:
            env.create(Metal, {"code": code, "name_zh": zh, "name_en": en, "sequence": seq})
    year = year or today(env).year
    # the year's strategy of the company, if any (one per year)
    strategy = next(iter(env.sudo().search(PricingStrategy, PricingStrategy.year == year, limit=1)), None)
    if strategy is None:
        strategy = create_strategy(env, year)
    return strategy


def create_strategy(
    env: Env,
    year: int,
    name: str | None = None,
    matrix: Mapping[tuple[str, str], str] | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    channel_markup_pct: Any = Decimal("0"),
    default_quote_type: str = "competitive",
) -> PricingStrategy:
    """Create a year's strategy with its matrix and one rule per quote type (validated first)."""
    matrix = dict(matrix or DEFAULT_MATRIX)
    rules = {k: dict(v) for k, v in (rules or DEFAULT_RULES).items()}
    if not 2000 <= int(year) <= 2100:
        raise fail(env, N_("The year %(year)s is not valid."), "year", year=year)
    markup = not_negative(env, channel_markup_pct, "channel_markup_pct", N_("Channel markup"))
    for (attr, ability), qtype in matrix.items():
        if attr not in LEVEL_LABELS or ability not in LEVEL_LABELS or qtype not in QUOTE_TYPE_LABELS:
            raise fail(env, N_("Unknown strategy matrix entry: %(entry)s."), "matrix", entry=f"{attr}/{ability}->{qtype}")
    if default_quote_type not in QUOTE_TYPE_LABELS:
        raise fail(env, N_("Unknown quote type: %(value)s."), "default_quote_type", value=default_quote_type)
    cleaned = {qtype: clean_rule(env, qtype, values) for qtype, values in rules.items()}
    missing = sorted((set(matrix.values()) | {default_quote_type}) - set(cleaned))
    if missing:
        raise fail(env, N_("The strategy has no rule for the quote type %(qtype)s."), "rules",
                   qtype=QUOTE_TYPE_LABELS.label(missing[0], current_lang(env)))
    if env.sudo().count(PricingStrategy, PricingStrategy.year == year):  # one strategy per year in the company
        raise fail(env, N_("There is already a pricing strategy for %(year)s."), "year", year=year)
    with env.session.begin_nested():
        strategy = env.create(PricingStrategy, {
            "year": int(year), "name": name or f"{year}", "channel_markup_pct": markup,
            "default_quote_type": default_quote_type,
        })
        for (attr, ability), qtype in matrix.items():
            env.create(StrategyMatrix, {"strategy_id": strategy.id, "attractiveness": attr, "ability": ability, "quote_type": qtype})
        for qtype, values in cleaned.items():
            env.create(StrategyRule, {"strategy_id": strategy.id, "quote_type": qtype, **values})
    return strategy


def clean_rule(env: Env, quote_type: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a strategy rule: its method's fields present, and the band not inverted."""
    if quote_type not in QUOTE_TYPE_LABELS:
        raise fail(env, N_("Unknown quote type: %(value)s."), "quote_type", value=quote_type)
    method = values.get("method", "cost_margin")
    if method not in METHOD_LABELS:
        raise fail(env, N_("Unknown pricing method: %(value)s."), "method", value=method)
    out: dict[str, Any] = {"method": method}
    if method == "cost_margin":
        target = to_decimal(env, values.get("target_margin_pct"), "target_margin_pct", N_("Target margin %"))
        floor = to_decimal(env, values.get("floor_margin_pct"), "floor_margin_pct", N_("Floor margin %"))
        if floor > target:
            raise fail(env, N_("The band is inverted: the floor (%(floor)s) is above the target (%(target)s)."),
                       "floor_margin_pct", floor=f"{floor}%", target=f"{target}%")
        if floor <= -HUNDRED:
            raise fail(env, N_("%(field)s must be greater than zero (got %(value)s)."), "floor_margin_pct",
                       field=translate(N_("Floor margin %"), current_lang(env)), value=floor)
        out.update(target_margin_pct=target, floor_margin_pct=floor)
    else:
        target = not_negative(env, values.get("target_discount_pct"), "target_discount_pct", N_("Target discount %"))
        floor = not_negative(env, values.get("max_discount_pct"), "max_discount_pct", N_("Maximum discount %"))
        if floor >= HUNDRED:
            raise fail(env, N_("%(field)s must be below 100."), "max_discount_pct", field=translate(N_("Maximum discount %"), current_lang(env)))
        if target > floor:
            raise fail(env, N_("The band is inverted: the floor (%(floor)s) is above the target (%(target)s)."),
                       "max_discount_pct", floor=f"-{floor}%", target=f"-{target}%")
        out.update(target_discount_pct=target, max_discount_pct=floor)
    return out


def save_rule(env: Env, strategy: PricingStrategy, quote_type: str, values: Mapping[str, Any]) -> StrategyRule:
    """Create or change the rule of a quote type (validated; an inverted band is refused)."""
    cleaned = clean_rule(env, quote_type, values)
    for key in ("target_margin_pct", "floor_margin_pct", "target_discount_pct", "max_discount_pct"):
        cleaned.setdefault(key, None)
    # one rule per quote type (an upsert): env.create/env.write check the rights
    rule = next(iter(env.sudo().search(
        StrategyRule, StrategyRule.strategy_id == strategy.id, StrategyRule.quote_type == quote_type, limit=1,
    )), None)
    if rule is None:
        return env.create(StrategyRule, {"strategy_id": strategy.id, "quote_type": quote_type, **cleaned})
    env.write(rule, cleaned)
    return rule


def save_target(env: Env, strategy: PricingStrategy, customer_class: str | None, lifecycle_stage: str | None,
                adjust_pct: Any, target_margin_pct: Any = None) -> StrategyTarget:
    """Create or change a pricing target for a customer class and/or life-cycle stage."""
    from addons.pricing.models import LIFECYCLE_LABELS

    if lifecycle_stage is not None and lifecycle_stage not in LIFECYCLE_LABELS:
        raise fail(env, N_("Unknown life-cycle stage: %(value)s."), "lifecycle_stage", value=lifecycle_stage)
    adjust = to_decimal(env, adjust_pct, "adjust_pct", N_("Adjustment (points)"))
    target = None if target_margin_pct in (None, "") else to_decimal(env, target_margin_pct, "target_margin_pct", N_("Target margin %"))
    # one target per class and stage (an upsert): env.create/env.write check the rights
    row = next(iter(env.sudo().search(
        StrategyTarget, StrategyTarget.strategy_id == strategy.id,
        StrategyTarget.customer_class.is_(None) if customer_class is None else StrategyTarget.customer_class == customer_class,
        StrategyTarget.lifecycle_stage.is_(None) if lifecycle_stage is None else StrategyTarget.lifecycle_stage == lifecycle_stage,
        limit=1,
    )), None)
    values = {"adjust_pct": adjust, "target_margin_pct": target}
    if row is None:
        return env.create(StrategyTarget, {"strategy_id": strategy.id, "customer_class": customer_class,
                                           "lifecycle_stage": lifecycle_stage, **values})
    env.write(row, values)
    return row
