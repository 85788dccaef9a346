"""Pricing services: cost of a product for a month, strategy bands, authority, quotes.

Every public function validates its input first and raises
:class:`core.errors.ValidationError` (message in the user's language, nothing
written) or :class:`core.errors.AccessDenied`; writes happen inside a savepoint,
so an operation is all or nothing within the caller's transaction.

Costs are read with the company filter but without the user's access rights
(the computation is the system's, like Odoo's ``sudo``): a salesperson gets the
band computed from costs they may not read, and never the cost itself (the
quote line's cost and margin are restricted fields).

The package re-exports every public name of its modules, so
``from addons.pricing import services as svc; svc.create_quote(...)`` keeps
working; code inside the addon may import from the module that holds a name:

- :mod:`.helpers`: validation errors, decimals, months, labels, money settings
- :mod:`.company_setup`: the default strategy, its matrix, rules and targets
- :mod:`.costs`: metal prices, product costs, formulas, cost of a product
- :mod:`.strategy_bands`: strategy, customer class and assessment, price bands
- :mod:`.authority`: how far below the floor each role may quote
- :mod:`.quotes`: quotes, lines, approval steps, reactions, revisions, expiry
- :mod:`.bids`: go / no-go decisions on bids
- :mod:`.competitors`: competitor prices
"""

from __future__ import annotations

from addons.pricing.models import COST_GROUPS
from addons.pricing.services.authority import (
    DEFAULT_BANDS,
    bands,
    configure_bands,
    covers,
    required_group,
    user_limit,
)
from addons.pricing.services.bids import (
    decide_bid,
    request_bid,
)
from addons.pricing.services.company_setup import (
    DEFAULT_MATRIX,
    DEFAULT_METALS,
    DEFAULT_RULES,
    clean_rule,
    create_strategy,
    save_rule,
    save_target,
    setup_company,
)
from addons.pricing.services.competitors import (
    latest_competitor_prices,
    record_competitor_price,
)
from addons.pricing.services.costs import (
    Cost,
    cost_visible,
    metal_by_code,
    product_cost,
    product_costs,
    set_formula,
    set_metal_price,
    set_product_cost,
)
from addons.pricing.services.helpers import (
    COST_Q,
    HUNDRED,
    PCT_Q,
    Money,
    fail,
    money,
    month_label,
    month_start,
    not_negative,
    positive,
    to_decimal,
    today,
)
from addons.pricing.services.quotes import (
    OPEN_STATES,
    LineInput,
    approve_quote,
    create_quote,
    expire_quotes,
    hand_over_quotes,
    lines_of,
    record_reaction,
    refresh_totals,
    reject_quote,
    revise_quote,
    send_quote,
    set_line_price,
    submit_quote,
    versions,
)
from addons.pricing.services.strategy_bands import (
    Band,
    assess_customer,
    band_for,
    compute_bands,
    customer_class,
    price_for_hook,
    quote_type_for,
    strategy_for,
)

__all__ = [
    "COST_GROUPS",
    "Band",
    "COST_Q",
    "Cost",
    "DEFAULT_BANDS",
    "DEFAULT_MATRIX",
    "DEFAULT_METALS",
    "DEFAULT_RULES",
    "HUNDRED",
    "LineInput",
    "Money",
    "OPEN_STATES",
    "PCT_Q",
    "approve_quote",
    "assess_customer",
    "band_for",
    "bands",
    "clean_rule",
    "compute_bands",
    "configure_bands",
    "cost_visible",
    "covers",
    "create_quote",
    "create_strategy",
    "customer_class",
    "decide_bid",
    "expire_quotes",
    "fail",
    "hand_over_quotes",
    "latest_competitor_prices",
    "lines_of",
    "metal_by_code",
    "money",
    "month_label",
    "month_start",
    "not_negative",
    "positive",
    "price_for_hook",
    "product_cost",
    "product_costs",
    "quote_type_for",
    "record_competitor_price",
    "record_reaction",
    "refresh_totals",
    "reject_quote",
    "request_bid",
    "required_group",
    "revise_quote",
    "save_rule",
    "save_target",
    "send_quote",
    "set_formula",
    "set_line_price",
    "set_metal_price",
    "set_product_cost",
    "setup_company",
    "strategy_for",
    "submit_quote",
    "to_decimal",
    "today",
    "user_limit",
    "versions",
]
