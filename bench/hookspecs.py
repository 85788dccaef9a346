"""The benchmark generator's hook (``tixi bench generate``); the kernel never loads it.

An addon implements it in its ``bench.py`` module (not in ``__init__.py``):
:mod:`bench.generate` adds these specs to the registry's plugin manager,
registers every installed addon's ``<module>.bench`` module that exists and
calls the hook in dependency order.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("tixi")


@hookspec
def tixi_bench_generate(ctx: Any) -> None:
    """Add the addon's generated records to a benchmark database (``tixi bench generate``).

    ``ctx`` carries the connection, the tier sizes and the ids generated so far.

    Example::

        @hookimpl
        def tixi_bench_generate(ctx):
            ctx.bulk_insert("crm_cards_monthly", rows_for(ctx.customer_ids))
    """
