"""To-dos of market_info: the user's information items due soon, and the overdue ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.i18n import _l
from core.todos import Todo, TodoEntry

if TYPE_CHECKING:
    from core.security.env import Env


def todos(env: Env) -> list[Any]:
    """Items the user collects that are due within their reminder days, and those past their day."""
    from flask import has_request_context, url_for

    from .services import pending_items

    pending = pending_items(env)
    url = url_for("market_info.index") if has_request_context() else None

    def entries(plans: list[Any]) -> tuple[TodoEntry, ...]:
        return tuple(TodoEntry("market_info_plan", p.id, label=f"{p.name} ({p.next_due.isoformat()})")
                     for p in plans[:5])

    return [
        Todo("market_info.due", _l("Information to collect"), len(pending["due"]), url=url,
             entries=entries(pending["due"]), sequence=70),
        Todo("market_info.overdue", _l("Overdue information"), len(pending["overdue"]), url=url,
             entries=entries(pending["overdue"]), sequence=69),
    ]
