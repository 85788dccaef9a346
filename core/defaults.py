"""The kernel's own hook implementations: the kernel uses the same hooks as addons.

Registered as the plugin ``core.defaults`` and never disabled.
"""

from __future__ import annotations

from typing import Any

from core.plugins import hookimpl


@hookimpl
def tixi_user_context(env: Any) -> dict[str, Any]:
    """Kernel context for record rules: the user, their companies and current company."""
    return {
        "id": env.user_id,
        "company_id": env.company_id,
        "company_ids": list(env.company_ids),
    }
