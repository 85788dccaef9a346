"""What the navigation bar's search finds in masterdata: customers, contacts, employees, product varieties."""

from __future__ import annotations

from typing import Any

from core.i18n import _l
from core.search import SearchSource, related


def _place(customer: Any, _lang: str) -> str:
    return " · ".join(p for p in (customer.code, customer.province, customer.city) if p)


def _contact_title(contact: Any, _lang: str) -> str:
    return contact.name


def _contact_sub(contact: Any, lang: str) -> str:
    customer = contact.customer
    return " · ".join(p for p in (customer.display(lang) if customer else None, contact.title, contact.phone) if p)


def _contact_extra(contact: Any) -> list[str | None]:
    customer = related(contact, "customer")
    return [customer.name_zh, customer.name_en] if customer is not None else []


def sources() -> list[SearchSource]:
    """The masterdata search sources (hook ``tixi_search_sources``)."""
    from addons.masterdata.models import Contact, Customer, Employee, Product

    return [
        SearchSource("masterdata.customer", Customer, ("name_zh", "name_en", "code", "credit_code", "city"),
                     _l("Customers"), subtitle=_place, order=10),
        SearchSource("masterdata.contact", Contact, ("name", "phone", "email", "wechat"), _l("Contacts"),
                     title=_contact_title, subtitle=_contact_sub, load=("customer",), extra=_contact_extra, order=20),
        SearchSource("masterdata.employee", Employee, ("name_zh", "name_en", "code", "phone"), _l("Employees"),
                     order=80),
        SearchSource("masterdata.product", Product, ("name_zh", "name_en", "code"), _l("Product varieties"),
                     subtitle=lambda p, _lang: p.code, order=70),
    ]
