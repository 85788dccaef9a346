"""Rule coverage: every business model a restricted role reads has a record rule or a reviewed declaration.

A model whose access right lets a salesperson read it but which has no
record rule is readable across the whole company: 华北 reads 华东's rows. That
is sometimes right (the product catalogue, the pipeline stages) and sometimes
a forgotten rule (competitor prices of customers in another territory). The
check makes the difference explicit: an addon either ships a record rule for
the model or declares it company-wide in its ``security.yaml``, with the
reason a reviewer accepted::

    company_wide:
      - {model: masterdata_product, reason: "The product catalogue: every user of the company reads it"}

A *restricted role* is a group whose reach some record rule narrows (a rule
names it or a group it implies); administrators are never restricted. The
kernel runs the check when an addon is installed or upgraded (a model left
uncovered refuses the operation, one line naming the model and the fix) and
the security matrix runs it over every addon of the project.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AccessRight, Group, RecordRule, group_implied, rule_group


def company_wide_declarations(manifests: Iterable[Any]) -> dict[str, str]:
    """``model -> reason`` from the ``company_wide`` sections of the manifests' YAML data files."""
    out: dict[str, str] = {}
    for manifest in manifests:
        for rel in getattr(manifest, "data", ()):
            path = Path(manifest.path) / rel
            if path.suffix not in (".yaml", ".yml") or not path.is_file():
                continue
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for row in (doc.get("company_wide") or []) if isinstance(doc, dict) else []:
                if isinstance(row, dict) and row.get("model") and str(row.get("reason") or "").strip():
                    out[str(row["model"])] = str(row["reason"]).strip()
    return out


def restricted_groups(session: Session) -> set[int]:
    """Ids of the groups some record rule narrows: named by a rule, or implying such a group."""
    named = set(session.scalars(select(rule_group.c.group_id)))
    admin = session.scalar(select(Group.id).where(Group.code == "core.group_admin"))
    edges = session.execute(select(group_implied.c.group_id, group_implied.c.implied_id)).all()
    restricted = set(named)
    changed = True
    while changed:  # a group implying a restricted group inherits its rules
        changed = False
        for group_id, implied_id in edges:
            if implied_id in restricted and group_id not in restricted:
                restricted.add(group_id)
                changed = True
    restricted.discard(admin)
    return restricted


def uncovered_models(session: Session, tables: Iterable[str], declared: dict[str, str]) -> list[str]:
    """Tables among ``tables`` a restricted role may read without any record rule or declaration.

    Every rule counts, global or of any group: the check is that somebody
    decided the model's reach, not which reach (the rule tests say that).
    """
    wanted = set(tables)
    if not wanted:
        return []
    restricted = restricted_groups(session)
    ruled = set(session.scalars(select(RecordRule.model).where(RecordRule.model.in_(wanted))))
    readable = set(
        session.scalars(
            select(AccessRight.model).where(
                AccessRight.model.in_(wanted),
                AccessRight.perm_read.is_(True),
                AccessRight.group_id.in_(restricted or {-1}),
            )
        )
    )
    return sorted(readable - ruled - set(declared))


def coverage_message(addon: str, tables: list[str]) -> str:
    """One line naming the uncovered models and the fix (for the lifecycle's refusal)."""
    return (
        f"addon {addon!r}: {', '.join(tables)} readable by a restricted role without a record rule; "
        "add a rule to its security.yaml, or declare it under 'company_wide' with the reviewed reason"
    )
