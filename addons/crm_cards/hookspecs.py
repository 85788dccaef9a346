"""Hooks that crm_cards declares: its answer to others, and the extension points of its pages.

``tixi_customer_class_policy`` is implemented by crm_cards and called by
addons that list ``crm_cards`` in ``depends`` or ``optional_depends``;
``tixi_profile_sections`` is called by crm_cards' profile card and implemented
by addons that depend on crm_cards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookspec

if TYPE_CHECKING:
    from core.security.env import Env


@hookspec(firstresult=True)
def tixi_customer_class_policy(env: Env, customer_id: int) -> dict[str, Any] | None:
    """Return the A/B/C/D class of a customer and the policy that goes with it.

    Implemented by ``crm_cards``; pricing, visit planning and credit control
    call it. The answer is a dict with ``class_code`` (``"A"``..``"D"``),
    ``visits_per_month`` (int), ``credit_days`` (int), ``credit_terms_zh`` /
    ``credit_terms_en`` and ``price_class`` (str). ``None`` when no enabled
    addon answers, the customer is not classified yet, or the user cannot read
    the customer.

    Example::

        policy = env.hooks.tixi_customer_class_policy(env=env, customer_id=c.id)
        price_class = policy["price_class"] if policy else "standard"
    """


@hookspec
def tixi_profile_sections(env: Env, customer: Any) -> list[Any] | None:
    """Add sections to the customer profile card (客户资料卡) of ``crm_cards``.

    ``customer`` is the ``masterdata_customer`` record (already checked
    readable). Return a list of sections, each a dict (or an object with the
    same attributes) with ``key``, ``title`` (translated), ``sequence`` (int,
    lower first) and either ``rows`` (a list of ``(label, value)`` pairs) or
    ``html`` (safe ``Markup``). Use it for technical data fields and business
    history (sales, visits, quotes) kept by other addons. Read your data
    through ``env`` so record rules apply.

    Example::

        @hookimpl
        def tixi_profile_sections(env, customer):
            n = env.count(Quote, Quote.customer_id == customer.id)
            return [{"key": "quotes", "title": _("Quotes"), "sequence": 60,
                     "rows": [(_("Quotes this year"), n)]}]
    """
