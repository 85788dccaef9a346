"""What the navigation bar's search finds in pricing: quotes and bids, by number or customer."""

from __future__ import annotations

from typing import Any

from core.i18n import _l
from core.search import SearchSource, related


def _title(quote: Any, _lang: str) -> str:
    return quote.display_number


def _subtitle(quote: Any, lang: str) -> str:
    from core.i18n import value_label
    from core.web.generic.labels import format_cell

    customer = quote.customer.display(lang) if quote.customer is not None else ""
    return " · ".join(p for p in (customer, value_label(quote, "state", lang), str(format_cell(quote.quote_date))) if p)


def _extra(quote: Any) -> list[str | None]:
    customer = related(quote, "customer")
    return [customer.name_zh, customer.name_en] if customer is not None else []


def sources() -> list[SearchSource]:
    """The pricing search sources (hook ``tixi_search_sources``)."""
    from addons.pricing.models import Quote

    return [SearchSource("pricing.quote", Quote, ("number",), _l("Quotes"), title=_title, subtitle=_subtitle,
                         extra=_extra, order=30)]
