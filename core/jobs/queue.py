"""The PostgreSQL backend: procrastinate (a task queue in PostgreSQL itself).

Each declared job is one procrastinate task named by its code, on the queue
``tixi``; a periodic job is also registered with procrastinate's periodic
deferrer (``periodic_id`` = the code). Every ``tixi worker`` runs the deferrer;
procrastinate's table ``procrastinate_periodic_defers`` is unique on
``(task_name, periodic_id, defer_timestamp)``, so of all workers exactly one
defers a tick and one worker runs it. Retries follow :func:`core.jobs.runner.backoff`.
The schema is created by the kernel migration ``core_0004_jobs``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from typing import Any

import procrastinate
from procrastinate.retry import BaseRetryStrategy, RetryDecision

from core.jobs import runner
from core.jobs.spec import JobSpec, declared_jobs

log = logging.getLogger(__name__)
QUEUE = "tixi"


class Backoff(BaseRetryStrategy):
    """``retries`` more tries after the first, waiting ``retry_wait * 2**(n-1)`` seconds."""

    def __init__(self, retries: int, retry_wait: int) -> None:
        self.retries, self.retry_wait = retries, retry_wait

    def get_retry_decision(self, *, exception: BaseException, job: Any) -> RetryDecision | None:
        """Retry while attempts remain (``job.attempts`` counts the previous tries)."""
        if job.attempts >= self.retries:
            return None
        return RetryDecision(retry_in={"seconds": runner.backoff(self.retry_wait, job.attempts + 1)})


def conninfo(registry: Any) -> str:
    """The libpq connection string of the registry's database."""
    url = registry.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _task_function(registry: Any, spec: JobSpec) -> Any:
    def run(context: Any, run_id: int | None = None, timestamp: int | None = None) -> None:
        final = context.job.attempts >= spec.retries
        if run_id is not None:
            runner.run_queued(registry, run_id, final=final, code=spec.code)
        else:
            scheduled = dt.datetime.fromtimestamp(int(timestamp or 0), dt.UTC)
            runner.run_periodic(registry, spec.code, scheduled, final=final)

    run.__name__ = run.__qualname__ = spec.code.replace(".", "_")
    return run


def build_app(registry: Any, worker: bool = False) -> procrastinate.App:
    """A procrastinate app with one task per declared job (async connector for a worker)."""
    info = conninfo(registry)
    connector = (procrastinate.PsycopgConnector(conninfo=info) if worker
                 else procrastinate.SyncPsycopgConnector(conninfo=info))
    app = procrastinate.App(connector=connector)
    for spec in declared_jobs(registry).values():
        task = app.task(name=spec.code, queue=QUEUE, pass_context=True,
                        retry=Backoff(spec.retries, spec.retry_wait))(_task_function(registry, spec))
        if spec.cron is not None:
            app.periodic(cron=spec.cron, periodic_id=spec.code)(task)
    return app


class QueueBackend:
    """Hands queued runs to procrastinate; ``tixi worker`` processes run them."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry
        self._app: procrastinate.App | None = None

    def _deferring_app(self) -> procrastinate.App:
        if self._app is None:
            self._app = build_app(self.registry).open()
        return self._app

    def defer_many(self, items: list[tuple[str, int]]) -> None:
        """Queue runs ``(code, run_id)`` (called after the commit that wrote their history rows).

        One batch per job code; runs that cannot be queued are marked failed with the reason.
        """
        from core.jobs import history

        by_code: dict[str, list[int]] = {}
        for code, run_id in items:
            by_code.setdefault(code, []).append(run_id)
        for code, run_ids in by_code.items():
            try:
                self._deferring_app().configure_task(code, queue=QUEUE).batch_defer(
                    *({"run_id": run_id} for run_id in run_ids))
            except Exception as exc:
                log.exception("%d run(s) of %s could not be queued", len(run_ids), code)
                history.mark_lost(self.registry, run_ids, exc)
                raise

    def close(self) -> None:
        """Close the deferring connection pool."""
        if self._app is not None:
            self._app.close()
            self._app = None

    def drain(self, timeout: float = 30.0) -> None:
        """Run every job due now in this process, then return (tests, benchmark)."""
        run_worker(self.registry, concurrency=1, wait=False)


def run_worker(registry: Any, concurrency: int = 1, wait: bool = True, name: str | None = None) -> None:
    """Run a procrastinate worker (and the periodic deferrer) until SIGTERM/SIGINT (or idle: ``wait=False``)."""
    app = build_app(registry, worker=True)
    app.run_worker(queues=[QUEUE], concurrency=concurrency, wait=wait,
                   name=name or f"{socket.gethostname()}-{os.getpid()}", install_signal_handlers=wait,
                   shutdown_graceful_timeout=60)
