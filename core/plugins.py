"""The pluggy plugin manager and per-company hook dispatch."""

from __future__ import annotations

import os
from collections.abc import Iterable
from types import ModuleType
from typing import Any

import pluggy

from core import hookspecs

hookimpl = pluggy.HookimplMarker("tixi")
KERNEL_PLUGINS = ("core.defaults", "core.web.kernel_plugin")


def make_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager with the kernel hookspecs; ``TIXI_TRACE_HOOKS=1`` prints each call."""
    pm = pluggy.PluginManager("tixi")
    pm.add_hookspecs(hookspecs)
    if os.environ.get("TIXI_TRACE_HOOKS"):
        def before(name: str, impls: Any, kwargs: Any) -> None:
            print(f"[hook] {name} -> {[i.plugin_name for i in impls]}")

        def after(outcome: Any, name: str, impls: Any, kwargs: Any) -> None:
            return None

        pm.add_hookcall_monitoring(before, after)
    return pm


class CompanyHooks:
    """Hook caller restricted to the addons enabled for one company (plus the kernel)."""

    def __init__(self, pm: pluggy.PluginManager, disabled: Iterable[ModuleType]) -> None:
        self._pm = pm
        self._disabled = list(disabled)
        self._cache: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        caller = self._cache.get(name)
        if caller is None:
            hook = getattr(self._pm.hook, name)
            caller = (
                self._pm.subset_hook_caller(name, remove_plugins=self._disabled)
                if self._disabled
                else hook
            )
            self._cache[name] = caller
        return caller


def flatten(results: Iterable[list[Any] | None]) -> list[Any]:
    """Concatenate the list results of a hook call, skipping ``None``."""
    out: list[Any] = []
    for item in results:
        if item:
            out.extend(item)
    return out
