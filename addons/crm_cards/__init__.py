"""The crm_cards addon (客户卡片): hook implementations, kept thin.

Business logic lives in :mod:`addons.crm_cards.services`; the hooks crm_cards
declares for others are in :mod:`addons.crm_cards.hookspecs`; the benchmark
generator's hook is in :mod:`addons.crm_cards.bench`. Record rules use
``user.crm_customer_ids`` (see :mod:`addons.crm_cards.access`): a card is
visible exactly when its customer is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


@hookimpl
def tixi_user_context(env: Env) -> dict[str, Any]:
    """``crm_customer_ids``: lazy sub-query of the customers the user may read."""
    from addons.crm_cards.access import customer_context

    return customer_context(env)


@hookimpl
def tixi_approval_workflows() -> list[Any]:
    """Strategy card, monthly card, key-account plan and class change approvals."""
    from addons.crm_cards.workflows import WORKFLOWS

    return list(WORKFLOWS)


@hookimpl(specname="tixi_record_event", tryfirst=True)
def check_card_record(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Validation, before any reaction: edit locks on submitted cards, field checks."""
    if not model.startswith("crm_cards_"):
        return
    from addons.crm_cards import services

    if event == "updated":
        services.on_updated(env, model, record, changes)
    if event in ("created", "updated"):
        services.validate_record(model, record, env)


@hookimpl(trylast=True)
def tixi_record_event(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Reactions: workflow side effects, profile and risk flags kept in step with the cards."""
    if not model.startswith("crm_cards_"):
        return
    from addons.crm_cards import services

    if event == "state_changed":
        services.on_state_changed(env, model, record, changes)
    if event in ("created", "updated"):
        services.on_saved(env, model, record, event)


@hookimpl
def tixi_customer_class_policy(env: Env, customer_id: int) -> dict[str, Any] | None:
    """The customer's class and its policy (visit frequency, credit terms, price class)."""
    from addons.crm_cards.services import class_policy

    return class_policy(env, customer_id)


@hookimpl
def tixi_dashboard_widgets(env: Env) -> list[Any]:
    """Customers by class per territory, missing monthly cards, key accounts behind plan."""
    from addons.crm_cards.dashboard import widgets

    return widgets(env)


@hookimpl
def tixi_handover(env: Env, from_employee: Any, to_employee: Any) -> dict[str, int]:
    """Cards, plans and actions owned by a leaving employee go to the successor."""
    from addons.crm_cards.services import handover

    return handover(env, from_employee, to_employee)


@hookimpl
def tixi_explain_label(model: str, res_id: int, env: Env) -> str | None:
    """Labels of cards in audit history and explanations (``客户策略卡 一汽 2026``)."""
    from addons.crm_cards.services import record_label

    return record_label(env, model, res_id)


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The crm_cards pages (under ``/crm``)."""
    from addons.crm_cards.views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The "Customer management" menu."""
    from addons.crm_cards.views import menu_items

    return menu_items(env)


@hookimpl
def tixi_view_extend(view: str, env: Env) -> dict[str, Any] | None:
    """A "Customer cards" tab on masterdata's customer page (class, risk, links)."""
    from addons.crm_cards.views import view_extension

    return view_extension(view, env)


@hookimpl
def tixi_company_setup(env: Env, company: Any) -> None:
    """Default development stages, classification criteria and class policies (idempotent)."""
    from addons.crm_cards.services import ensure_company_defaults

    ensure_company_defaults(env)


@hookimpl
def tixi_measures() -> list[Any]:
    """Customers by class, monthly cards, key-account plan actions due and on time (:mod:`addons.crm_cards.measures`)."""
    from addons.crm_cards.measures import MEASURES

    return MEASURES


@hookimpl
def tixi_notification_types() -> list[Any]:
    """``crm_cards.card_missing`` (a salesperson's missing monthly cards) and the managers' summary."""
    from core.i18n import N_, _l
    from core.notifications import NotificationType

    return [
        NotificationType("crm_cards.card_missing", _l("Monthly card missing"),
                         subject=N_("Monthly cards missing: %(month)s"),
                         body=N_("%(count)s of your customers have no monthly card for %(month)s: %(customers)s")),
        NotificationType("crm_cards.card_missing_team", _l("Monthly cards missing in my team"),
                         subject=N_("Monthly cards missing in your team: %(month)s"),
                         body=N_("%(count)s customers of your team have no monthly card for %(month)s: "
                                 "%(salespeople)s")),
    ]


@hookimpl
def tixi_jobs() -> list[Any]:
    """The missing-monthly-card reminder, on the 3rd of each month at 00:00 UTC (08:00 in China)."""
    from addons.crm_cards.services.reminders import remind_missing_cards
    from core.i18n import _l
    from core.jobs import JobSpec, previous_month

    return [JobSpec("crm_cards.card_reminder", _l("Missing monthly card reminder"), remind_missing_cards,
                    cron="0 0 3 * *", period=previous_month, retries=3, retry_wait=300)]


@hookimpl
def tixi_todos(env: Env) -> list[Any]:
    """Last month's monthly cards the user still has to file for the customers they own (one count)."""
    from addons.crm_cards.todos import todos

    return todos(env)


@hookimpl
def tixi_reports() -> list[Any]:
    """The target customer basic information report (目标客户基本信息情况统计表)."""
    from addons.crm_cards.report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_search_sources() -> list[Any]:
    """Strategy cards and key-account plans in the global search, by customer (:mod:`addons.crm_cards.search`)."""
    from addons.crm_cards.search import sources

    return sources()
