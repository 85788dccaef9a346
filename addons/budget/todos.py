"""To-dos of the budget addon.

* an approver: supplementary budget requests within their band, expense requests and
  claims of their team waiting for their decision;
* a person: their claims and requests sent back (rejected), to correct and submit again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.i18n import _l
from core.todos import Todo, TodoEntry

if TYPE_CHECKING:
    from core.security.env import Env


def todos(env: Env) -> list[Any]:
    """Decisions waiting for the user and their own work sent back."""
    from flask import has_request_context, url_for

    from .models import Claim
    from .services.claims import pending

    url = url_for("budget.approvals") if has_request_context() else None
    waiting = pending(env)
    out = []
    for key, label, seq, table in (("supplements", _l("Supplementary budgets to approve"), 50, "budget_supplement"),
                                   ("requests", _l("Expense requests to approve"), 51, "budget_request"),
                                   ("claims", _l("Expense claims to approve"), 52, "budget_claim")):
        rows = waiting[key]
        out.append(Todo(f"budget.{key}", label, len(rows), url=url, sequence=seq,
                        entries=tuple(TodoEntry(table, r.id, label=r.display()) for r in rows[:5])))
    if env.can(Claim, "create"):
        from addons.masterdata.services import current_employee

        emp = current_employee(env)
        back = env.search(Claim, Claim.employee_id == emp.id, Claim.state == "rejected", limit=20) if emp else []
        home = url_for("budget.index") if has_request_context() else None
        out.append(Todo("budget.claims_back", _l("Expense claims sent back"), len(back), url=home, sequence=53,
                        entries=tuple(TodoEntry("budget_claim", c.id, label=c.display()) for c in back[:5])))
    return out
