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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from alembic.util import CommandError
from sqlalchemy.engine import Connection

from core.errors import LifecycleError
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


class MigrationFailed(LifecycleError, RuntimeError):
    """A migration script raised; the message names the addon, the revision and its file.

    Also a :class:`RuntimeError` (what a failing script usually raises), so code
    that caught the script's error keeps working; the original is ``__cause__``.
    """


def upgrade(connection: Connection, manifests: Iterable[Manifest], label: str) -> None:
    """Bring branch ``label`` (``core`` or an addon) to its head, inside the open transaction."""
    manifests = list(manifests)
    with _guard(connection, manifests, label, "upgrade"):
        cfg = make_config(connection, manifests)
        if has_branch(cfg, label):
            command.upgrade(cfg, f"{label}@head")


def downgrade_to_base(connection: Connection, manifests: Iterable[Manifest], label: str) -> None:
    """Revert every revision of branch ``label`` (drops the addon's tables)."""
    manifests = list(manifests)
    with _guard(connection, manifests, label, "downgrade"):
        cfg = make_config(connection, manifests)
        if has_branch(cfg, label):
            command.downgrade(cfg, f"{label}@base")


@contextmanager
def _guard(connection: Connection, manifests: list[Manifest], label: str, action: str) -> Iterator[None]:
    """Turn Alembic's errors into one line naming the addon and the revision (and its file)."""
    missing = _unknown_heads(connection, manifests)
    if missing:
        raise LifecycleError(_missing_message(missing[0], manifests, label))
    try:
        yield
    except (CommandError, ResolutionError) as exc:
        raise LifecycleError(_missing_revision_message(connection, manifests, label, exc)) from None
    except LifecycleError:
        raise
    except Exception as exc:
        where = _failing_script(exc, manifests)
        if where is None:
            raise
        path, revision = where
        raise MigrationFailed(
            f"addon {label!r}: {action} of migration {revision} ({path}) failed: "
            f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        ) from exc


def _failing_script(exc: BaseException, manifests: list[Manifest]) -> tuple[Path, str] | None:
    """The innermost migration file in the traceback, and its revision id."""
    folders = [CORE_MIGRATIONS / "versions"] + [m.migrations_dir for m in manifests]
    found: Path | None = None
    revision = None
    tb = exc.__traceback__
    while tb is not None:
        frame_file = Path(tb.tb_frame.f_code.co_filename)
        if any(_inside(frame_file, folder) for folder in folders):
            found = frame_file
            revision = tb.tb_frame.f_globals.get("revision")
        tb = tb.tb_next
    if found is None:
        return None
    return found, str(revision or found.stem)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def _unknown_heads(connection: Connection, manifests: list[Manifest]) -> list[str]:
    """Revisions recorded in ``alembic_version`` that no migration file declares."""
    applied = _applied_heads(connection)
    if not applied:
        return []
    try:
        script = ScriptDirectory.from_config(make_config(connection, manifests))
        known = {r.revision for r in script.walk_revisions()}
    except Exception:  # noqa: BLE001 - a broken script directory: let Alembic say why
        return []
    return sorted(r for r in applied if r not in known)


def _missing_message(revision: str, manifests: list[Manifest], label: str) -> str:
    owner = _owner_of(revision, [m.name for m in manifests]) or label
    return (
        f"addon {owner!r}: the database is at migration revision {revision!r}, but no migration "
        f"file declares it (was a file of {owner}/migrations removed or its revision id changed?)"
    )


def _missing_revision_message(
    connection: Connection, manifests: list[Manifest], label: str, exc: Exception
) -> str:
    """One line for an Alembic resolution error: the unknown applied revision, else Alembic's text."""
    missing = _unknown_heads(connection, manifests)
    if missing:
        return _missing_message(missing[0], manifests, label)
    return f"addon {label!r}: migrations cannot run: {' '.join(str(exc).split())}"


def _applied_heads(connection: Connection) -> set[str]:
    try:
        return set(MigrationContext.configure(connection).get_current_heads())
    except Exception:  # noqa: BLE001
        return set()


def _owner_of(revision: str, names: list[str]) -> str | None:
    """The addon whose name prefixes the revision id (``masterdata_0002`` -> masterdata)."""
    best = None
    for name in names:
        if revision.startswith(name + "_") and (best is None or len(name) > len(best)):
            best = name
    return best


def pending(connection: Connection, manifests: Iterable[Manifest], label: str) -> list[str]:
    """Revisions of branch ``label`` not yet applied, oldest first (for dry runs)."""
    manifests = list(manifests)
    with _guard(connection, manifests, label, "upgrade"):
        return _pending(connection, manifests, label)


def _pending(connection: Connection, manifests: list[Manifest], label: str) -> list[str]:
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
