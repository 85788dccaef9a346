"""The pluggy plugin manager, the hook markers and per-company hook dispatch.

Addons import both markers from here::

    from core.plugins import hookimpl, hookspec

``hookspec`` declares a hook in an addon's ``hookspecs.py``; ``hookimpl``
implements one (``tryfirst=True`` for checks, ``trylast=True`` for reactions,
``optionalhook=True`` for a hook of an optional dependency).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from types import ModuleType
from typing import Any, TextIO

import pluggy

from core import hookspecs
from core.hookspecs import hookspec

hookimpl = pluggy.HookimplMarker("tixi")
KERNEL_PLUGINS = ("core.defaults", "core.web.kernel_plugin")
TRACE_ENV = "TIXI_TRACE_HOOKS"
TRACE_WIDTH = 80

__all__ = ["KERNEL_PLUGINS", "CompanyHooks", "flatten", "hookimpl", "hookspec", "make_plugin_manager"]


def make_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager with the kernel hookspecs; ``TIXI_TRACE_HOOKS=1`` traces each call."""
    pm = pluggy.PluginManager("tixi")
    pm.add_hookspecs(hookspecs)
    if os.environ.get(TRACE_ENV):
        trace_hooks(pm)
    return pm


def shorten(value: Any, width: int = TRACE_WIDTH) -> str:
    """``repr(value)`` cut to ``width`` characters (``...`` marks the cut)."""
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a broken __repr__ must not break the call
        text = f"<unrepresentable {type(value).__name__}: {exc}>"
    return _cut(text, width)


def _cut(text: str, width: int = TRACE_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def trace_hooks(pm: pluggy.PluginManager, stream: TextIO | None = None) -> None:
    """Print every hook call of ``pm`` to ``stream`` (stderr): plugins, arguments, result, time.

    Two lines per call, in the spirit of datasette's tracer::

        [hook] tixi_menu_items(env=<Env user 3 company 1>) -> masterdata, territories
        [hook] tixi_menu_items = [[MenuItem(...)], [...]] (0.4 ms)
    """
    starts: list[float] = []

    def out() -> TextIO:
        return stream if stream is not None else sys.stderr

    def before(name: str, impls: list[Any], kwargs: dict[str, Any]) -> None:
        args = ", ".join(f"{k}={shorten(v)}" for k, v in kwargs.items())
        plugins = ", ".join(i.plugin_name for i in reversed(impls)) or "(no implementation)"
        print(f"[hook] {name}({args}) -> {plugins}", file=out())
        starts.append(time.perf_counter())

    def after(outcome: Any, name: str, impls: list[Any], kwargs: dict[str, Any]) -> None:
        ms = (time.perf_counter() - starts.pop()) * 1000 if starts else 0.0
        exc = outcome.exception
        if exc is not None:
            print(f"[hook] {name} raised {type(exc).__name__}: {_cut(str(exc))} ({ms:.1f} ms)", file=out())
        else:
            print(f"[hook] {name} = {shorten(outcome.get_result())} ({ms:.1f} ms)", file=out())

    pm.add_hookcall_monitoring(before, after)


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
