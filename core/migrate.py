"""Alembic glue: one environment, one version branch per addon, applied in dependency order.

The kernel's branch is labelled ``core``; each addon's branch is labelled with
its technical name and starts from its own root (``down_revision = None``).
Branches are independent in Alembic's graph: the kernel applies them in the
addon dependency order (:func:`core.graph.order`), which it already knows from
the manifests. We tried Alembic's ``depends_on`` between branches first: with
more than two dependent branches Alembic collapses dependency heads out of
``alembic_version`` and a later upgrade fails (``KeyError`` on a head it
removed), so cross-branch order is the kernel's job (see docs/architecture.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from core.manifest import Manifest

CORE_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_config(connection: Connection | None, manifests: Iterable[Manifest]) -> Config:
    """An Alembic config whose version locations are the kernel's plus these addons'."""
    cfg = Config()
    cfg.set_main_option("script_location", str(CORE_MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    locations = [str(CORE_MIGRATIONS / "versions")]
    locations += [str(m.migrations_dir) for m in manifests if m.migrations_dir.is_dir()]
    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.attributes["connection"] = connection
    return cfg


def has_branch(cfg: Config, label: str) -> bool:
    """Whether the script directory knows a branch with this label."""
    script = ScriptDirectory.from_config(cfg)
    return any(label in rev.branch_labels for rev in script.walk_revisions())


def upgrade(connection: Connection, manifests: Iterable[Manifest], label: str) -> None:
    """Bring branch ``label`` (``core`` or an addon) to its head, inside the open transaction."""
    cfg = make_config(connection, manifests)
    if has_branch(cfg, label):
        command.upgrade(cfg, f"{label}@head")


def downgrade_to_base(connection: Connection, manifests: Iterable[Manifest], label: str) -> None:
    """Revert every revision of branch ``label`` (drops the addon's tables)."""
    cfg = make_config(connection, manifests)
    if has_branch(cfg, label):
        command.downgrade(cfg, f"{label}@base")


def pending(connection: Connection, manifests: Iterable[Manifest], label: str) -> list[str]:
    """Revisions of branch ``label`` not yet applied, oldest first (for dry runs)."""
    cfg = make_config(connection, manifests)
    if not has_branch(cfg, label):
        return []
    script = ScriptDirectory.from_config(cfg)
    current = set(MigrationContext.configure(connection).get_current_heads())
    applied: set[str] = set()
    for head in current:
        applied.update(r.revision for r in script.iterate_revisions(head, "base"))
    revs = [
        r for r in script.iterate_revisions(f"{label}@head", "base") if label in r.branch_labels
    ]
    return [f"{r.revision} {r.doc}" for r in reversed(revs) if r.revision not in applied]


def new_revision(
    connection: Connection,
    manifests: Iterable[Manifest],
    label: str,
    message: str,
    version_path: Path,
    depends_on: list[str],
    autogenerate: bool = True,
) -> str:
    """Create a revision on branch ``label``; autogenerate compares only that branch's tables."""
    manifests = list(manifests)
    cfg = make_config(connection, manifests)
    cfg.attributes["autogenerate_prefix"] = f"{label}_"
    version_path.mkdir(parents=True, exist_ok=True)
    first = not has_branch(cfg, label)
    if first and str(version_path) not in cfg.get_main_option("version_locations", ""):
        locs = cfg.get_main_option("version_locations") + os.pathsep + str(version_path)
        cfg.set_main_option("version_locations", locs)
    script = command.revision(
        cfg,
        message=message,
        autogenerate=autogenerate,
        head="base" if first else f"{label}@head",
        branch_label=label if first else None,
        version_path=str(version_path),
        depends_on=depends_on if first and depends_on else None,
    )
    scripts = script if isinstance(script, list) else [script]
    return scripts[0].path if scripts and scripts[0] is not None else ""
