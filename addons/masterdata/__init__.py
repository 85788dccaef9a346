"""The masterdata addon (客户与基础资料): hook implementations, kept thin.

Record rules use these user-context values:

* ``user.employee_ids``: the user's employee record(s) in the current company
  (a sub-query). ``[[owner_id, child_of, user.employee_ids]]`` is "customers I
  own or that my subordinates own", through the employee closure table.
"""

from __future__ import annotations

from typing import Any

from core.plugins import hookimpl


@hookimpl
def tixi_user_context(env: Any) -> dict[str, Any]:
    """``employee_ids``: a sub-query of the user's employees in the current company."""
    from addons.masterdata.services import employee_ids_query

    return {"employee_ids": employee_ids_query(env.user_id, env.company_id)}


@hookimpl
def tixi_cli_commands() -> list[Any]:
    """``tixi masterdata handover|import|export``."""
    from addons.masterdata.cli import masterdata

    return [masterdata]


@hookimpl
def tixi_explain_label(model: str, res_id: int, env: Any) -> str | None:
    """Names of customers, contacts, products and employees for audit and explanations."""
    from addons.masterdata.services import record_label

    return record_label(env, model, res_id)
