"""The brand_campaigns addon (品牌与推广): hook implementations, kept thin.

Business logic lives in ``services``, the two approval workflows in
``workflows``, pages in ``views``, figures in ``measures``, the distributor
reports in ``report_defs``, to-dos in ``todos``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The addon's pages (under ``/brand``) and the public questionnaire page."""
    from .views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The addon's menu entries (hidden from users who may not read the models)."""
    from .views import menu_items

    return menu_items(env)


@hookimpl
def tixi_company_setup(env: Env, company: Any) -> None:
    """Seeded promotion channels; approval rows of loaded records; the purchase summary of loaded purchases."""
    from .services import ensure_approval_rows, ensure_channels
    from .summary import rebuild

    ensure_channels(env)
    ensure_approval_rows(env)
    rebuild(env)  # demo and data files are loaded without record events: sum their purchases (idempotent)


@hookimpl
def tixi_approval_workflows() -> list[Any]:
    """``brand_campaigns.positioning`` and ``brand_campaigns.toolkit_version``."""
    from .workflows import WORKFLOWS

    return WORKFLOWS


@hookimpl(specname="tixi_record_event", trylast=True)
def publish_toolkit_version(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Publishing a version makes it the current one of its item and language (a reaction: ``trylast``)."""
    if (model == "brand_campaigns_toolkit_version" and event == "state_changed"
            and (changes or {}).get("state", [None, None])[1] == "published"):
        from .services.toolkit import on_published

        on_published(env, record)


@hookimpl(specname="tixi_record_event", trylast=True)
def keep_purchase_summary(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """The monthly purchase summary follows purchases and distributors (a reaction: ``trylast``)."""
    if model in ("brand_campaigns_purchase", "brand_campaigns_distributor"):
        from .summary import on_record_event

        on_record_event(env, event, model, record, changes)


@hookimpl
def tixi_measures() -> list[Any]:
    """Campaign cost, reach, leads and answers by channel and month (:mod:`.measures`)."""
    from .measures import MEASURES

    return MEASURES


@hookimpl
def tixi_reports() -> list[Any]:
    """每月经销商管理汇总表 and 经销商进货情况统计表 on the report centre."""
    from .report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_todos(env: Env) -> list[Any]:
    """Positionings and toolkit versions waiting for the user's approval."""
    from .todos import todos

    return todos(env)


@hookimpl
def tixi_notification_types() -> list[Any]:
    """``brand_campaigns.invitations``: the questionnaire invitations the sender sent (and those left to send)."""
    from core.i18n import N_, _l
    from core.notifications import NotificationType

    return [NotificationType(
        "brand_campaigns.invitations", _l("Questionnaire invitations sent"),
        subject=N_("Invitations sent: %(survey)s"),
        body=N_("%(mailed)s invitation(s) to %(survey)s were e-mailed; %(not_mailed)s contact(s) have no e-mail "
                "address: send them the link shown on the questionnaire page."))]
