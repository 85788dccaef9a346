"""Gapless document numbers per company, kind and year (``HT2026-0001``).

The counter row is locked for the rest of the creating transaction
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises writers by
itself), so two concurrent creations never share a number and a rolled-back
creation gives its number back: the numbers of the stored documents have no gaps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from ..models import PREFIX, DocumentCounter

if TYPE_CHECKING:
    from core.security.env import Env


def next_number(env: Env, kind: str, year: int) -> str:
    """Draw the next number of ``kind`` for ``year`` in the env's company (inside the caller's transaction)."""
    sudo = env.sudo()  # the counter is the company's, whoever creates the document
    stmt = sudo.select(DocumentCounter).where(DocumentCounter.kind == kind, DocumentCounter.year == year)
    row = sudo.scalar(stmt.with_for_update())
    if row is None:
        try:
            with env.session.begin_nested():
                sudo.execute(insert(DocumentCounter).values(
                    company_id=env.company_id, kind=kind, year=year, last=0, created_by_id=env.user_id,
                    updated_by_id=env.user_id, version=1, active=True))
        except IntegrityError:
            pass  # another transaction created it first: lock theirs below
        row = sudo.scalar(stmt.with_for_update().execution_options(populate_existing=True))
    else:
        env.session.refresh(row, with_for_update=True)
    row.last = (row.last or 0) + 1
    env.session.flush()
    return f"{PREFIX[kind]}{year}-{row.last:05d}"
