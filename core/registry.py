"""The addon registry of one deployment: what is available, installed and enabled where.

A :class:`Registry` is built from an instance (database URL, ``addons.yaml``).
It discovers manifests, reads the installed state from the database, imports
the installed addons (and only those, in dependency order), adds each addon's
``hookspecs.py`` and registers it with pluggy once it passes the load-time
checks (declared hooks and arguments, table names, foreign keys; see
:meth:`Registry.load`). Addons are imported by their manifest's module name
(:mod:`core.discovery`); the registry never imports the ``addons`` package.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from sqlalchemy import Table, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import core.models  # noqa: F401  (kernel tables on Base.metadata)
from core import graph, hookspecs
from core.config import Deployment, Instance
from core.db import Base, make_engine
from core.discovery import discover
from core.errors import AddonLoadError
from core.i18n import add_catalog_dir
from core.manifest import Manifest
from core.models import AddonState, CompanyAddon
from core.plugins import KERNEL_PLUGINS, CompanyHooks, make_plugin_manager

KERNEL = "core"
HOOK_PREFIX = "tixi_"
# tables each addon module put on Base.metadata when first imported (a module is imported
# once per process, but registries are built many times: tests, the CLI, the web app)
_IMPORTED_TABLES: dict[str, set[str]] = {}


class Registry:
    """Discovered manifests, installed state, loaded addon modules and the hook manager.

    Loading an addon adds its ``hookspecs.py`` and validates its contract; a
    broken addon is refused with one :class:`~core.errors.AddonLoadError` line.
    With ``strict=False`` (``tixi addons uninstall``) a refusal is recorded in
    :attr:`refused` instead and the addon stays unloaded, so it can be removed.
    """

    def __init__(
        self,
        database_url: str,
        deployment: Deployment | None = None,
        instance: Instance | None = None,
        engine: Engine | None = None,
        use_entry_points: bool = True,
        strict: bool = True,
    ) -> None:
        self.database_url = database_url
        self.deployment = deployment or Deployment(path=None)
        self.instance = instance
        self.strict = strict
        self.refused: dict[str, str] = {}
        self.engine = engine or make_engine(database_url)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        for folder in self.deployment.addons_paths:
            ensure_module_path(Path(folder).resolve())
        self.manifests: dict[str, Manifest] = discover(
            self.deployment.addons_paths, use_entry_points=use_entry_points
        )
        self.pm: pluggy.PluginManager = make_plugin_manager()
        self.modules: dict[str, ModuleType] = {}
        # which plugin declared each hook: "core", an addon name, or whoever calls add_hookspecs
        self.hook_owners: dict[str, str] = {n: KERNEL for n in spec_names(hookspecs)}
        for name in KERNEL_PLUGINS:
            self.pm.register(importlib.import_module(name), name=name)
        self.pm.check_pending()
        self._hooks_cache: dict[frozenset[str], CompanyHooks] = {}
        self.refresh()

    @classmethod
    def from_instance(cls, instance: Instance, **kwargs: Any) -> Registry:
        """Registry of an initialised instance."""
        return cls(instance.database_url(), instance.deployment(), instance=instance, **kwargs)

    # ----- state -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read installed addons from the database and load any not loaded (nor refused) yet.

        A refusal raises :class:`AddonLoadError`; with ``strict=False`` it is
        recorded in :attr:`refused` and the addon stays unloaded.
        """
        self.installed: dict[str, str] = {}
        if self.kernel_ready():
            with self.Session() as s:
                self.installed = {a.name: a.version for a in s.scalars(select(AddonState))}
        for name in graph.order(self.manifests, [n for n in self.installed if n in self.manifests]):
            if name in self.refused:
                continue
            try:
                self.load(name)
            except AddonLoadError as exc:
                if self.strict:
                    raise
                self.refused[name] = str(exc)
        self._hooks_cache.clear()

    def kernel_ready(self) -> bool:
        """Whether the kernel tables exist (``tixi init`` or ``tixi db upgrade`` ran)."""
        from sqlalchemy import inspect as sa_inspect

        return sa_inspect(self.engine).has_table("core_addon")

    def add_hookspecs(self, module: ModuleType, owner: str) -> list[str]:
        """Declare the ``tixi_*`` hookspecs of ``module`` on behalf of ``owner``; return their names.

        :mod:`bench.generate` calls it with ``bench.hookspecs``; :meth:`load` with
        an addon's ``hookspecs.py``. A hook declared twice is an :class:`AddonLoadError`.
        """
        names = spec_names(module)
        for hook in names:
            other = self.hook_owners.get(hook)
            if other is not None and other != owner:
                raise AddonLoadError(
                    f"{_who(owner)}: hook {hook!r} is already declared by {_who(other)}"
                )
        new = [h for h in names if h not in self.hook_owners]
        if new:
            self.pm.add_hookspecs(module)
        for hook in new:
            self.hook_owners[hook] = owner
        return new

    def load(self, name: str) -> ModuleType:
        """Import an addon (package, models, hookspecs), validate it and register it with pluggy.

        Raises :class:`AddonLoadError` (one line) when the addon breaks the
        contract, whatever ``strict`` says (an install must never go ahead), after
        undoing what the load did. Errors in the addon's own code (an
        ``ImportError`` in its ``__init__``) propagate unchanged.
        """
        if name in self.modules:
            return self.modules[name]
        manifest = self.manifests[name]
        added: list[str] = []
        registered = False
        try:
            self._check_dependencies_loaded(manifest)
            module = self._import(manifest)
            spec_path = manifest.path / "hookspecs.py"
            if spec_path.is_file():
                added = self.add_hookspecs(importlib.import_module(f"{manifest.module}.hookspecs"), name)
            self._check_hookimpls(manifest, module)
            self._check_tables(manifest)
            if self.pm.get_plugin(name) is None:
                try:
                    self.pm.register(module, name=name)
                except pluggy.PluginValidationError as exc:
                    raise AddonLoadError(f"addon {name!r}: {' '.join(str(exc).split())}") from None
                registered = True
            try:
                self.pm.check_pending()
            except pluggy.PluginValidationError as exc:
                raise AddonLoadError(f"addon {name!r}: {' '.join(str(exc).split())}") from None
        except AddonLoadError:
            if registered:
                self.pm.unregister(name=name)
            self._remove_hookspecs(added)
            self._hooks_cache.clear()
            raise
        self.modules[name] = module
        add_catalog_dir(manifest.path / "i18n")  # its messages, in CLI commands and jobs too
        self._hooks_cache.clear()
        from core.search import sources

        sources(self)  # its search sources are indexed from the first flush on
        return module

    def unload(self, name: str) -> None:
        """Stop calling an uninstalled addon's hooks (its module stays imported)."""
        module = self.modules.pop(name, None)
        if module is not None and self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)
        # its hooks, and those of owners unloaded earlier while this addon still implemented them
        gone = [h for h, owner in self.hook_owners.items()
                if owner == name or (owner not in self.modules and owner not in (KERNEL, "bench"))]
        self._remove_hookspecs(gone)
        self.refused.pop(name, None)
        self._hooks_cache.clear()

    # ----- load-time checks --------------------------------------------------------------
    def _check_dependencies_loaded(self, manifest: Manifest) -> None:
        for dep in manifest.depends:
            if dep.name in self.refused:
                raise AddonLoadError(
                    f"addon {manifest.name!r}: depends on {dep.name!r}, which was refused"
                )

    def _import(self, manifest: Manifest) -> ModuleType:
        """Import the addon's package and its models; note the tables they add."""
        before = set(Base.metadata.tables)
        module = importlib.import_module(manifest.module)
        where = [Path(p).resolve() for p in getattr(module, "__path__", [])]
        if manifest.path.resolve() not in where and not any(_is_addon(p, manifest.name) for p in where):
            found = ", ".join(str(p) for p in where) or getattr(module, "__file__", "?")
            raise AddonLoadError(
                f"addon {manifest.name!r}: module {manifest.module!r} is imported from {found}, "
                f"not from {manifest.path} (another package has that name; rename the addon)"
            )
        for sub in ("models",):
            if (manifest.path / f"{sub}.py").is_file() or (manifest.path / sub).is_dir():
                importlib.import_module(f"{manifest.module}.{sub}")
        _IMPORTED_TABLES.setdefault(manifest.module, set()).update(set(Base.metadata.tables) - before)
        return module

    def _allowed_owners(self, manifest: Manifest) -> set[str]:
        """Who may declare the hooks this addon implements: kernel, itself, its dependencies."""
        return {KERNEL, manifest.name} | set(manifest.dependency_names)

    def _check_hookimpls(self, manifest: Manifest, module: ModuleType) -> None:
        """(a) every ``tixi_*`` hookimpl names a declared hook; (b) with the spec's arguments."""
        name = manifest.name
        allowed = self._allowed_owners(manifest)
        for attr in sorted(dir(module)):
            opts = self.pm.parse_hookimpl_opts(module, attr)
            if opts is None:
                continue
            hook = opts.get("specname") or attr
            if not hook.startswith(HOOK_PREFIX):
                continue
            owner = self.hook_owners.get(hook)
            if owner is None:
                if opts.get("optionalhook") and self._declared_by_absent_optional(manifest, hook):
                    continue
                raise AddonLoadError(
                    f"addon {name!r}: hook {hook!r} is not declared by the kernel or by any addon "
                    "it depends on (misspelled?)"
                )
            if owner not in allowed:
                raise AddonLoadError(
                    f"addon {name!r}: hook {hook!r} is declared by {_who(owner)}, which is not in "
                    "its depends or optional_depends"
                )
            spec_args = self._spec_args(hook)
            for arg in _required_args(getattr(module, attr)):
                if spec_args is not None and arg not in spec_args:
                    raise AddonLoadError(
                        f"addon {name!r}: hook {hook!r} takes argument {arg!r}, which the hookspec "
                        f"lacks (it offers: {', '.join(spec_args) or 'no arguments'})"
                    )

    def _spec_args(self, hook: str) -> tuple[str, ...] | None:
        caller = getattr(self.pm.hook, hook, None)
        spec = getattr(caller, "spec", None)
        return tuple(spec.argnames) if spec is not None else None

    def _declared_by_absent_optional(self, manifest: Manifest, hook: str) -> bool:
        """Whether an optional dependency that is not loaded declares ``hook`` (read, not imported)."""
        for dep in manifest.optional_depends:
            other = self.manifests.get(dep.name)
            if dep.name in self.modules or other is None:
                continue
            path = other.path / "hookspecs.py"
            if path.is_file() and hook in _declared_in_source(path):
                return True
        return False

    def _check_tables(self, manifest: Manifest) -> None:
        """(c) every table of the addon is named ``<addon>_...``; (d) its foreign keys stay inside."""
        name = manifest.name
        for table in self.tables_of(manifest):
            if not table.name.startswith(name + "_"):
                raise AddonLoadError(f"addon {name!r}: table {table.name!r} must be named {name}_...")
            for fk in sorted(table.foreign_keys, key=lambda f: f.target_fullname):
                target = fk.target_fullname.rsplit(".", 1)[0].rsplit(".", 1)[-1]
                owner = self.owner_of_table(target)
                if owner in (KERNEL, name):
                    continue
                optional = {d.name for d in manifest.optional_depends}
                if owner in optional:
                    raise AddonLoadError(
                        f"addon {name!r}: table {table.name!r} has a foreign key to {target!r} of "
                        f"optional dependency {owner!r}, whose table may not exist (store a plain id)"
                    )
                if owner is None or owner not in {d.name for d in manifest.depends}:
                    whose = f"a table of addon {owner!r}" if owner else "a table of no known addon"
                    raise AddonLoadError(
                        f"addon {name!r}: table {table.name!r} has a foreign key to {target!r}, "
                        f"{whose}, which is not in its depends"
                    )

    def tables_of(self, manifest: Manifest) -> list[Table]:
        """Tables the addon's modules put on ``Base.metadata`` (mapped classes and plain tables)."""
        prefix = manifest.module + "."
        names = set(_IMPORTED_TABLES.get(manifest.module, ()))
        for mapper in Base.registry.mappers:
            cls = mapper.class_
            if cls.__module__ == manifest.module or cls.__module__.startswith(prefix):
                names.update(t.name for t in mapper.tables if isinstance(t, Table))
        return [Base.metadata.tables[n] for n in sorted(names) if n in Base.metadata.tables]

    def owner_of_table(self, table: str) -> str | None:
        """``core``, or the discovered addon whose name is the table's longest prefix, or None."""
        if table.startswith(KERNEL + "_"):
            return KERNEL
        best = None
        for name in self.manifests:
            if table.startswith(name + "_") and (best is None or len(name) > len(best)):
                best = name
        return best

    def _remove_hookspecs(self, hooks: list[str]) -> None:
        """Undo :meth:`add_hookspecs` as far as pluggy allows (pluggy cannot remove a spec).

        A hook nobody implements any more is deleted from ``pm.hook`` (calling it is an
        ``AttributeError`` again, as before the owner was loaded); one that other loaded
        plugins still implement keeps its spec and owner, so they stay checked.
        """
        for hook in hooks:
            caller = getattr(self.pm.hook, hook, None)
            if caller is not None and caller.get_hookimpls():
                continue
            self.hook_owners.pop(hook, None)
            if caller is not None:
                delattr(self.pm.hook, hook)

    # ----- per-company -------------------------------------------------------------------
    def enabled_addons(self, session: Session, company_id: int) -> frozenset[str]:
        """Addons enabled for a company (one small query)."""
        rows = session.scalars(
            select(CompanyAddon.addon).where(CompanyAddon.company_id == company_id)
        )
        return frozenset(r for r in rows if r in self.modules)

    def hooks(self, enabled: frozenset[str]) -> CompanyHooks:
        """Hook caller for a set of enabled addons; cached per set."""
        proxy = self._hooks_cache.get(enabled)
        if proxy is None:
            disabled = [m for n, m in self.modules.items() if n not in enabled]
            proxy = CompanyHooks(self.pm, disabled)
            self._hooks_cache[enabled] = proxy
        return proxy

    @property
    def all_hooks(self) -> Any:
        """Hook caller for every installed addon (start-up hooks)."""
        return self.pm.hook

    # ----- models ------------------------------------------------------------------------
    def model(self, table: str) -> type:
        """The mapped class for a table name (``masterdata_customer``)."""
        cls = model_class(table)
        if cls is None:
            raise KeyError(table)
        return cls

    def addon_of_table(self, table: str) -> str | None:
        """Which installed addon owns a table (by prefix), or ``core``."""
        if table.startswith("core_"):
            return "core"
        best = None
        for name in self.modules:
            if table.startswith(name + "_") and (best is None or len(name) > len(best)):
                best = name
        return best


def model_class(table: str) -> type | None:
    """The mapped class whose ``__tablename__`` is ``table``, if imported."""
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    return None


def addon_tables(name: str) -> list[str]:
    """Tables on the metadata that belong to addon ``name`` (by prefix), in creation order."""
    prefix = name + "_"
    return [t.name for t in Base.metadata.sorted_tables if t.name.startswith(prefix)]


def ensure_module_path(path: Path) -> None:
    """Put a folder on ``sys.path`` (an ``addons_paths`` folder: its addons are top-level packages)."""
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def spec_names(module: ModuleType) -> list[str]:
    """Names of the ``tixi_*`` hookspecs a module declares, in source order."""
    fns = [
        fn for n, fn in inspect.getmembers(module, inspect.isfunction)
        if n.startswith(HOOK_PREFIX) and getattr(fn, "tixi_spec", None) is not None
    ]
    fns.sort(key=lambda fn: fn.__code__.co_firstlineno)
    return [fn.__name__ for fn in fns]


def _declared_in_source(path: Path) -> set[str]:
    """``tixi_*`` functions defined at the top of a hookspecs file (parsed, not imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith(HOOK_PREFIX)}


def _required_args(fn: Any) -> list[str]:
    """The arguments pluggy passes to a hookimpl: positional ones without a default."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in params if p.kind in kinds and p.default is p.empty]


def _is_addon(folder: Path, name: str) -> bool:
    """Whether ``folder`` holds addon ``name`` (a copy of the same addon already imported)."""
    try:
        return tomllib.loads((folder / "addon.toml").read_text(encoding="utf-8")).get("name") == name
    except (OSError, tomllib.TOMLDecodeError):
        return False


def _who(owner: str) -> str:
    """How a message names the owner of a hook: the kernel, bench, or an addon."""
    if owner == KERNEL:
        return "the kernel"
    if owner == "bench":
        return "bench"
    return f"addon {owner!r}"
