"""crm_cards' to-dos: last month's monthly cards the user has still to file.

Cards waiting for a manager's review, strategy cards, key-account plans and
class proposals to approve come from the kernel (their approval workflows);
this adds what no workflow knows: the cards not written yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import has_request_context, url_for
from sqlalchemy import func

from addons.crm_cards.services.cards import missing_monthly_query
from addons.crm_cards.services.helpers import last_month
from core.i18n import _l
from core.todos import Todo

if TYPE_CHECKING:
    from core.security.env import Env


def todos(env: Env) -> list[Any]:
    """One :class:`Todo`: customers the user owns without last month's card (0 hides it)."""
    if env.user_id is None:
        return []
    month = last_month()
    stmt = missing_monthly_query(env, month, owner_only=True).with_only_columns(func.count())
    count = int(env.scalar(stmt) or 0)
    url = url_for("crm_cards.monthly_missing", mine="1") if has_request_context() else None
    title = _l("Monthly cards to file for %(month)s", month=f"{month.year}-{month.month:02d}")
    return [Todo("crm_cards.cards_to_file", title, count, url=url, sequence=60)]
