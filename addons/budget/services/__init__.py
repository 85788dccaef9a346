"""Business logic of the budget addon, by section.

* :mod:`.lines`: a line's figures (budget, committed, spent, remaining) and its row lock;
* :mod:`.budgets`: annual budgets, lines derived from the sales plan, phasing, approval;
* :mod:`.claims`: expense requests (commitments), claims with receipts, supplementary budgets and bands;
* :mod:`.advances`: advances (借支) and their deductions; :func:`.advances.outstanding` is public;
* :mod:`.execution`: the execution report rows and the monthly delivery job.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from core.security.env import Env

DATA = Path(__file__).resolve().parent.parent / "data" / "categories.yaml"


def ensure_company_defaults(env: Env) -> None:
    """Give the company the standard categories and approval bands (idempotent: keeps edits)."""
    from decimal import Decimal

    from ..models import Band, Category

    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    have = {c.code for c in env.search(Category)}
    for row in data["categories"]:
        if row["code"] not in have:
            env.create(Category, {**row, "weight": Decimal(row["weight"])})
    bands = {b.group for b in env.search(Band)}
    for row in data["bands"]:
        if row["group"] not in bands:
            limit = row.get("limit")
            env.create(Band, {**row, "limit": Decimal(limit) if limit is not None else None})
