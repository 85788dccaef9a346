"""Business logic of the sales planning addon, by section.

* :mod:`.engine`: exact allocation and roll-up (no tables; reusable);
* :mod:`.plans`: plans, revisions, cells, diff, approval;
* :mod:`.allocation`: the allocation wizard (preview, apply, undo by version);
* :mod:`.consolidation`: targets against the plans that come up;
* :mod:`.actuals`: the actual measure, the .xlsx import, attribution;
* :mod:`.attainment`: plan vs actual and early warnings.
"""

from __future__ import annotations

from .actuals import actual_measure, import_sales
from .allocation import apply, propose
from .attainment import attainment, warnings
from .consolidation import consolidation
from .engine import allocate, largest_remainder
from .plans import (
    create_plan,
    diff,
    ensure_company_defaults,
    fire,
    latest,
    plan_type,
    read_cells,
    restore,
    revisions,
    set_cell,
)

__all__ = [
    "actual_measure", "allocate", "apply", "attainment", "consolidation", "create_plan", "diff",
    "ensure_company_defaults", "fire", "import_sales", "largest_remainder", "latest", "plan_type", "propose",
    "read_cells", "restore", "revisions", "set_cell", "warnings",
]
