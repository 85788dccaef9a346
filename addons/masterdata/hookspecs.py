"""Hooks that masterdata calls and other addons implement (declared by masterdata).

An addon implementing them lists ``masterdata`` in ``depends``; the registry
adds these specs when it loads masterdata.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookspec

if TYPE_CHECKING:
    from core.security.env import Env


@hookspec
def tixi_handover(env: Env, from_employee: Any, to_employee: Any) -> dict[str, int] | None:
    """Move a leaving employee's open work and archives to a successor (handover, 交接).

    Called by ``masterdata``'s handover inside its single transaction, after the
    customers have moved. Move your addon's records (open quotes, cards, plans)
    from ``from_employee`` to ``to_employee`` (both ``masterdata_employee``
    records) and return counts per kind for the report. Raising aborts the
    whole handover.

    Example::

        @hookimpl
        def tixi_handover(env, from_employee, to_employee):
            n = move_open_quotes(env, from_employee.id, to_employee.id)
            return {"pricing_quote": n}
    """


@hookspec
def tixi_records_imported(env: Env, model: str, ids: list[int]) -> None:
    """React to records created in bulk by an import (no ``tixi_record_event`` per row).

    Called once per import inside its transaction, after the rows are
    inserted; raising aborts the whole import. Work in bulk (a few queries for
    all ``ids``), not row by row.

    Example::

        @hookimpl
        def tixi_records_imported(env, model, ids):
            if model == "masterdata_customer":
                assign_territories_in_bulk(env, ids)
    """
