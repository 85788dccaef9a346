"""What the navigation bar's search finds in crm_cards: strategy cards and key-account plans, by customer."""

from __future__ import annotations

from typing import Any

from core.i18n import _l
from core.search import SearchSource, referenced


def _customer(card: Any) -> Any:
    from addons.masterdata.models import Customer

    return referenced(card, Customer, "customer_id")


def _title(card: Any, lang: str) -> str:
    customer = _customer(card)
    return f"{customer.display(lang) if customer is not None else ''} · {card.year}"


def _subtitle(card: Any, lang: str) -> str:
    from core.i18n import value_label

    return value_label(card, "state", lang)


def _extra(card: Any) -> list[str | None]:
    customer = _customer(card)
    return [customer.name_zh, customer.name_en] if customer is not None else []


def sources() -> list[SearchSource]:
    """The crm_cards search sources (hook ``tixi_search_sources``)."""
    from addons.crm_cards.models import KeyAccountPlan, StrategyCard

    return [
        SearchSource("crm_cards.strategy", StrategyCard, (), _l("Customer strategy cards"), title=_title,
                     subtitle=_subtitle, extra=_extra, order=40),
        SearchSource("crm_cards.ka_plan", KeyAccountPlan, (), _l("Key-account plans"), title=_title,
                     subtitle=_subtitle, extra=_extra, order=45),
    ]
