"""To-dos of brand_campaigns: positionings and toolkit versions waiting for the user's approval,
approved versions waiting for the brand owner to publish them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.i18n import _l
from core.todos import Todo

if TYPE_CHECKING:
    from core.security.env import Env

COMMITTEE = ("core.group_director", "core.group_general_manager")


def todos(env: Env) -> list[Any]:
    """Counts for the approvers (submitted) and for the brand owner (approved, not yet published)."""
    from flask import has_request_context, url_for

    from .models import Positioning, ToolkitVersion

    out = []
    if env.in_group(*COMMITTEE):
        own = env.user_id
        pos = [p for p in env.search(Positioning, Positioning.state == "submitted") if p.updated_by_id != own]
        ver = [v for v in env.search(ToolkitVersion, ToolkitVersion.state == "submitted") if v.updated_by_id != own]
        out.append(Todo("brand_campaigns.positionings", _l("Brand positionings to approve"), len(pos),
                        url=url_for("brand_campaigns.positionings") if has_request_context() else None, sequence=70))
        out.append(Todo("brand_campaigns.versions", _l("Toolkit versions to approve"), len(ver),
                        url=url_for("brand_campaigns.toolkit") if has_request_context() else None, sequence=71))
    if env.in_group("core.group_marketing_admin"):
        ready = env.count(ToolkitVersion, ToolkitVersion.state == "approved")
        out.append(Todo("brand_campaigns.publish", _l("Toolkit versions to publish"), ready,
                        url=url_for("brand_campaigns.toolkit") if has_request_context() else None, sequence=72))
    return out
