"""The addon registry of one deployment: what is available, installed and enabled where.

A :class:`Registry` is built from an instance (database URL, ``addons.yaml``).
It discovers manifests, reads the installed state from the database, imports
the installed addons (and only those) and registers them with pluggy.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import addons as addons_pkg
import core.models  # noqa: F401  (kernel tables on Base.metadata)
from core import graph
from core.config import Deployment, Instance
from core.db import Base, make_engine
from core.discovery import discover
from core.manifest import Manifest
from core.models import AddonState, CompanyAddon
from core.plugins import KERNEL_PLUGINS, CompanyHooks, make_plugin_manager


class Registry:
    """Discovered manifests, installed state, loaded addon modules and the hook manager."""

    def __init__(
        self,
        database_url: str,
        deployment: Deployment | None = None,
        instance: Instance | None = None,
        engine: Engine | None = None,
        use_entry_points: bool = True,
    ) -> None:
        self.database_url = database_url
        self.deployment = deployment or Deployment(path=None)
        self.instance = instance
        self.engine = engine or make_engine(database_url)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        for folder in self.deployment.addons_paths:
            if str(folder) not in addons_pkg.__path__:
                addons_pkg.__path__.append(str(folder))
        self.manifests: dict[str, Manifest] = discover(
            self.deployment.addons_paths, use_entry_points=use_entry_points
        )
        self.pm: pluggy.PluginManager = make_plugin_manager()
        self.modules: dict[str, ModuleType] = {}
        for name in KERNEL_PLUGINS:
            self.pm.register(importlib.import_module(name), name=name)
        self._hooks_cache: dict[frozenset[str], CompanyHooks] = {}
        self.refresh()

    @classmethod
    def from_instance(cls, instance: Instance, **kwargs: Any) -> Registry:
        """Registry of an initialised instance."""
        return cls(instance.database_url(), instance.deployment(), instance=instance, **kwargs)

    # ----- state -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read installed addons from the database and load any not loaded yet."""
        self.installed: dict[str, str] = {}
        if self.kernel_ready():
            with self.Session() as s:
                self.installed = {a.name: a.version for a in s.scalars(select(AddonState))}
        for name in graph.order(self.manifests, [n for n in self.installed if n in self.manifests]):
            self.load(name)
        self._hooks_cache.clear()

    def kernel_ready(self) -> bool:
        """Whether the kernel tables exist (``tixi init`` or ``tixi db upgrade`` ran)."""
        from sqlalchemy import inspect

        return inspect(self.engine).has_table("core_addon")

    def load(self, name: str) -> ModuleType:
        """Import an addon's package (its models and hooks) and register it with pluggy."""
        if name in self.modules:
            return self.modules[name]
        manifest = self.manifests[name]
        module = importlib.import_module(manifest.module)
        for sub in ("models",):
            if (manifest.path / f"{sub}.py").is_file() or (manifest.path / sub).is_dir():
                importlib.import_module(f"{manifest.module}.{sub}")
        if self.pm.get_plugin(name) is None:
            self.pm.register(module, name=name)
        self.modules[name] = module
        return module

    def unload(self, name: str) -> None:
        """Stop calling an uninstalled addon's hooks (its module stays imported)."""
        module = self.modules.pop(name, None)
        if module is not None and self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)
        self._hooks_cache.clear()

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
    """Make a folder importable (used for tests that create addons on the fly)."""
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
