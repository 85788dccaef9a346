"""The kernel's own hook implementations: the kernel uses the same hooks as addons.

Registered as the plugin ``core.defaults`` and never disabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


@hookimpl
def tixi_user_context(env: Env) -> dict[str, Any]:
    """Kernel context for record rules: the user, their companies and current company.

    ``company_user_ids`` is a sub-query (users who belong to the current company),
    so the rule on ``core_user`` stays one SQL predicate.
    """
    from sqlalchemy import select

    from core.models import user_company

    return {
        "id": env.user_id,
        "company_id": env.company_id,
        "company_ids": list(env.company_ids),
        "company_user_ids": select(user_company.c.user_id).where(
            user_company.c.company_id == env.company_id
        ),
    }
