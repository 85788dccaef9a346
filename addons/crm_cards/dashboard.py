"""Dashboard widgets of crm_cards (``tixi_dashboard_widgets``).

* customers by class per territory (stacked bar chart, ECharts option);
* customers whose monthly card for last month is missing (count + list);
* key accounts behind plan (a goal past its date and not done).

The class chart reads the ``crm_cards.customers`` measure (``core.measures.measure_value``
through :func:`addons.crm_cards.services.customers_by_class_per_territory`), not the
territories' tables. All data comes from ``env.select`` (record rules apply): a salesperson's
widgets show their customers, a territory manager's their territory, the
director the whole company.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import url_for
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from addons.crm_cards import services
from addons.crm_cards.models import CLASS_CODES, KeyAccountPlan, MonthlyCard
from addons.masterdata.models import Customer
from core.i18n import _, current_lang

if TYPE_CHECKING:
    from core.security.env import Env


def _url(endpoint: str, **values: Any) -> str | None:
    try:
        return url_for(endpoint, **values)
    except (BuildError, RuntimeError):
        return None


def class_chart(env: Env) -> dict[str, Any]:
    """ECharts option: one bar per region, stacked by class (A..D, unclassified).

    Read through the ``crm_cards.customers`` measure, grouped by region and class.
    """
    data = services.customers_by_class_per_territory(env)
    territories = sorted(data)
    series = []
    for code in (*CLASS_CODES, "-"):
        name = _("Class %(code)s", code=code) if code != "-" else _("Unclassified")
        series.append(
            {
                "name": name,
                "type": "bar",
                "stack": "class",
                "data": [data[t].get(code, 0) for t in territories],
            }
        )
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "grid": {"left": 40, "right": 10, "bottom": 30, "containLabel": True},
        "xAxis": {"type": "category", "data": [
            t if t != "-" else (_("No territory") if services.territories_on(env) else _("All customers"))
            for t in territories
        ]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }


def missing_html(env: Env, limit: int = 10) -> Markup:
    """Count and first names of the customers missing last month's card."""
    month = services.last_month()
    total, rows = services.missing_monthly_page(env, month, limit=limit)
    head = escape(_("%(n)s customers have no monthly card for %(month)s.", n=total, month=f"{month:%Y-%m}"))
    items = []
    for cust in rows:
        url = _url("crm_cards.monthly_form", customer_id=cust.id, month=f"{month:%Y-%m}")
        name = escape(cust.display(current_lang(env)) if hasattr(cust, "display") else cust.name_zh)
        items.append(Markup('<li><a href="{}">{}</a></li>').format(url, name) if url else Markup("<li>{}</li>").format(name))
    return Markup('<p class="mb-1">{}</p><ul class="mb-0">{}</ul>').format(head, Markup("").join(items))


def behind_html(env: Env, limit: int = 10) -> Markup:
    """Key accounts whose plan has late stage goals."""
    rows = services.key_accounts_behind_plan(env, limit=limit)
    if not rows:
        return Markup('<p class="mb-0 text-muted">{}</p>').format(_("No key account is behind plan."))
    items = []
    for plan, cust, late in rows:
        url = _url("crm_cards.plan_detail", id=plan.id)
        text = _("%(name)s: %(n)s late goal(s)", name=cust.name_zh, n=late)
        items.append(Markup('<li><a href="{}">{}</a></li>').format(url, text) if url else Markup("<li>{}</li>").format(text))
    return Markup('<ul class="mb-0">{}</ul>').format(Markup("").join(items))


def widgets(env: Env) -> list[Any]:
    """The three widgets, each only for users who may read what it shows."""
    from core.web.dashboard import Widget

    out = []
    if env.can(Customer, "read"):
        title = _("Customers by class per territory") if services.territories_on(env) else _("Customers by class")
        out.append(Widget("crm_cards_class", title, chart=class_chart(env), sequence=20, width=6))
        if env.can(MonthlyCard, "read"):
            out.append(Widget("crm_cards_missing", _("Missing monthly cards"), html=missing_html(env), sequence=21, width=3))
        if env.can(KeyAccountPlan, "read"):
            out.append(Widget("crm_cards_behind", _("Key accounts behind plan"), html=behind_html(env), sequence=22, width=3))
    return out
