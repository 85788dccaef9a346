"""The backend of a registry's database: procrastinate on PostgreSQL, in-process on SQLite."""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.Lock()


def backend(registry: Any) -> Any:
    """The registry's job backend (built once): :class:`~core.jobs.queue.QueueBackend` or
    :class:`~core.jobs.local.LocalBackend`."""
    with _LOCK:
        found = registry.__dict__.get("_tixi_job_backend")
        if found is None:
            if registry.engine.dialect.name == "postgresql":
                from core.jobs.queue import QueueBackend

                found = QueueBackend(registry)
            else:
                from core.jobs.local import LocalBackend

                found = LocalBackend(registry)
            registry.__dict__["_tixi_job_backend"] = found
        return found


def drain(registry: Any, timeout: float = 30.0) -> None:
    """Run (PostgreSQL) or wait for (SQLite) every queued run due now, then return."""
    backend(registry).drain(timeout)
