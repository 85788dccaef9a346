"""Dashboard widgets of the pricing addon (through ``env.select``: rules apply).

* quotes waiting for approval that the user may approve (their band covers them);
* margin by territory this year (roles that may see margins), an ECharts bar chart.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from flask import url_for
from markupsafe import Markup, escape

from addons.pricing import reports, services
from addons.pricing.models import Quote, QuoteLine
from core.i18n import _, current_lang

if TYPE_CHECKING:
    from core.security.env import Env


def widgets(env: Env) -> list[Any]:
    """The pricing widgets the user may see."""
    from core.web.dashboard import Widget

    out = []
    if not env.can(Quote, "read"):
        return out
    if env.in_group("core.group_territory_manager", "core.group_director", "core.group_general_manager"):
        limit = services.user_limit(env)
        stmt = env.select(Quote).where(Quote.state == "waiting").order_by(Quote.quote_date).limit(10)
        if limit is not None:
            stmt = stmt.where(Quote.max_deviation_pct <= limit)
        rows = list(env.scalars(stmt))
        lang = current_lang(env)
        nothing = _("Nothing to approve.")
        items = "".join(
            f'<li><a href="{escape(url_for("pricing.quote_detail", id=q.id))}">{escape(q.display_number)}</a> · '
            f'{escape(q.customer.display(lang) if q.customer else "")} · -{escape(str(q.max_deviation_pct))}%</li>'
            for q in rows
        ) or f'<li class="text-muted">{escape(nothing)}</li>'
        out.append(Widget("pricing_waiting", _("Quotes waiting for your approval"),
                          html=Markup(f'<ul class="small mb-0" id="pricing-waiting">{items}</ul>'), sequence=40, width=6))
    if services.cost_visible(env) and env.can(QuoteLine, "read"):
        year = services.today(env).year
        _h, rows = reports.margin_report(env, by=("territory",), date_from=dt.date(year, 1, 1),
                                         date_to=dt.date(year, 12, 31))
        names = [str(r[0]) for r in rows]
        out.append(Widget("pricing_margin", _("Margin by territory this year"), chart={
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [_("Revenue"), _("Margin")]},
            "xAxis": {"type": "category", "data": names},
            "yAxis": {"type": "value"},
            "series": [
                {"name": _("Revenue"), "type": "bar", "data": [str(r[1]) for r in rows]},
                {"name": _("Margin"), "type": "bar", "data": [str(r[3]) for r in rows]},
            ],
        }, sequence=45, width=6))
    return out
