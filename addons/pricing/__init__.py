"""The pricing addon (定价管理): hook implementations, kept thin.

* ``tixi_approval_workflows``: ``pricing.quote`` (quote states, approval of a
  price outside the band by authority) and ``pricing.bid`` (the manager's
  go/no-go before a bid is prepared).
* ``tixi_price_for`` (declared in :mod:`addons.pricing.hookspecs`): the price
  and band for a customer and product on a date.

The benchmark generator's hook is in :mod:`addons.pricing.bench`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The pricing pages (``/pricing/...``)."""
    from addons.pricing.views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The Pricing menu."""
    from addons.pricing.views import menu_items

    return menu_items(env)


@hookimpl
def tixi_dashboard_widgets(env: Env) -> list[Any]:
    """Quotes waiting for the user's approval; margin by territory this year."""
    from addons.pricing.dashboard import widgets

    return widgets(env)


@hookimpl
def tixi_approval_workflows() -> list[Any]:
    """The quote and bid workflows."""
    from addons.pricing.workflows import BID_WORKFLOW, QUOTE_WORKFLOW

    return [QUOTE_WORKFLOW, BID_WORKFLOW]


@hookimpl
def tixi_price_for(env: Env, customer_id: int, product_id: int, on_date: dt.date) -> dict | None:
    """Suggested price and band (cost only for roles that may see it)."""
    from addons.pricing.services import price_for_hook

    return price_for_hook(env, customer_id, product_id, on_date)


@hookimpl(tryfirst=True)
def tixi_record_event(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Validate pricing records whatever the write path (forms, API, services)."""
    if event in ("created", "updated") and model.startswith("pricing_"):
        from addons.pricing.validation import validate

        validate(env, model, record)


@hookimpl(specname="tixi_record_event", trylast=True)
def keep_margin_summary(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Keep the monthly margin summary in step with quotes and lines (same transaction)."""
    if model in ("pricing_quote", "pricing_quote_line"):
        from addons.pricing.summary import on_record_event

        on_record_event(env, event, model, record, changes)


@hookimpl
def tixi_records_imported(env: Env, model: str, ids: list[int]) -> None:
    """Quote lines written in bulk: the monthly margin summary follows."""
    if model == "pricing_quote_line":
        from addons.pricing.summary import on_lines_imported

        on_lines_imported(env, ids)


@hookimpl
def tixi_jobs() -> list[Any]:
    """``pricing.rebuild_margin_summary``: recompute the monthly margin summary (repair; by hand or queued)."""
    from addons.pricing.summary import rebuild_job
    from core.i18n import _l
    from core.jobs import JobSpec

    return [JobSpec("pricing.rebuild_margin_summary", _l("Rebuild the monthly margin summary"), rebuild_job,
                    retries=1)]


@hookimpl
def tixi_handover(env: Env, from_employee: Any, to_employee: Any) -> dict[str, int]:
    """Open quotes of a leaving salesperson go to the successor."""
    from addons.pricing.services import hand_over_quotes

    return {"pricing_quote": hand_over_quotes(env, from_employee.id, to_employee.id)}


@hookimpl
def tixi_explain_label(model: str, res_id: int, env: Env) -> str | None:
    """Quote numbers for audit and explanations."""
    if model == "pricing_quote":
        from addons.pricing.models import Quote

        # sudo: audit history and explanations name the records they mention, whatever the rules
        obj = env.sudo().get(Quote, res_id)
        return obj.display_number if obj is not None else None
    return None


@hookimpl
def tixi_measures() -> list[Any]:
    """``pricing.quote_amount`` and ``pricing.quotes`` (:mod:`addons.pricing.measures`)."""
    from addons.pricing.measures import MEASURES

    return MEASURES


@hookimpl
def tixi_reports() -> list[Any]:
    """Margin, quotes outside the band, win/loss and realisation (:mod:`addons.pricing.report_defs`)."""
    from addons.pricing.report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_search_sources() -> list[Any]:
    """Quotes and bids in the global search, by number or customer (:mod:`addons.pricing.search`)."""
    from addons.pricing.search import sources

    return sources()
