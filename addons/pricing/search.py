"""What the navigation bar's search finds in pricing: quotes and bids, by number or customer."""

from __future__ import annotations

from typing import Any

from core.i18n import _l
from core.search import SearchSource, related


def _title(quote: Any, _lang: str) -> str:
    return quote.display_number


def _subtitle(quote: Any, lang: str) -> str:
    from babel.dates import format_date

    from core.i18n import value_label

    customer = quote.customer.display(lang) if quote.customer is not None else ""
    return " · ".join(p for p in (customer, value_label(quote, "state", lang), format_date(quote.quote_date, "medium", locale=lang)) if p)


def _extra(quote: Any) -> list[str | None]:
    customer = related(quote, "customer")
    return [customer.name_zh, customer.name_en] if customer is not None else []


def sources() -> list[SearchSource]:
    """The pricing search sources (hook ``tixi_search_sources``)."""
    from addons.pricing.models import Quote

    return [SearchSource("pricing.quote", Quote, ("number",), _l("Quotes"), title=_title, subtitle=_subtitle,
                         load=("customer",), extra=_extra, order=30)]
