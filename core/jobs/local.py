"""The SQLite backend: jobs run in the process (``tixi run``), no queue server.

One-off runs go to a small thread pool after the commit; periodic jobs are
fired by APScheduler (a ``BackgroundScheduler``, cron triggers in UTC) and run
for each company once per period (the history's unique index). Retries wait
:func:`core.jobs.runner.backoff` seconds in the run's thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from croniter import croniter

from core.jobs import runner
from core.jobs.spec import JobSpec, declared_jobs, job_spec

log = logging.getLogger(__name__)


def cron_trigger(cron: str) -> Any:
    """An APScheduler trigger (UTC) for a five-field cron, or six fields with the seconds last."""
    from apscheduler.triggers.cron import CronTrigger

    fields = cron.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(cron, timezone=dt.UTC)
    minute, hour, day, month, dow, second = fields
    return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                       day_of_week=dow, timezone=dt.UTC)


class LocalBackend:
    """Runs jobs in threads of this process."""

    def __init__(self, registry: Any, threads: int = 2) -> None:
        self.registry = registry
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="tixi-job")
        self._futures: set[Future] = set()
        self._lock = threading.Lock()
        self._scheduler: Any = None

    def _submit(self, fn: Any, *args: Any) -> None:
        future = self._pool.submit(fn, *args)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(lambda f: self._futures.discard(f))

    def defer_many(self, items: list[tuple[str, int]]) -> None:
        """Run queued runs ``(code, run_id)`` in the threads (called after the commit)."""
        for code, run_id in items:
            self._submit(self._run_queued, code, run_id)

    def _retrying(self, spec: JobSpec, attempt: Any) -> None:
        for n in range(1, spec.retries + 2):
            final = n > spec.retries
            try:
                attempt(final)
                return
            except runner.JobFailed as exc:
                if final:
                    log.error("%s", exc)
                    return
                time.sleep(runner.backoff(spec.retry_wait, n))

    def _run_queued(self, code: str, run_id: int) -> None:
        self._retrying(job_spec(self.registry, code),
                       lambda final: runner.run_queued(self.registry, run_id, final, code=code))

    def tick(self, code: str, scheduled_at: dt.datetime | None = None) -> None:
        """Run one scheduled tick of a periodic job (with its retries) in this thread."""
        spec = job_spec(self.registry, code)
        if scheduled_at is None:  # the tick that just fired: the latest scheduled time not after now
            scheduled_at = croniter(spec.cron, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).get_prev(dt.datetime)
        self._retrying(spec, lambda final: runner.run_periodic(self.registry, code, scheduled_at, final))

    def start_scheduler(self) -> int:
        """Start firing the periodic jobs in background threads; how many are scheduled."""
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(timezone=dt.UTC)
        count = 0
        for spec in declared_jobs(self.registry).values():
            if spec.cron is None:
                continue
            self._scheduler.add_job(self.tick, cron_trigger(spec.cron), args=[spec.code], id=spec.code,
                                    coalesce=True, max_instances=1, misfire_grace_time=600)
            count += 1
        self._scheduler.start()
        return count

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every run handed to this backend has ended (tests, benchmark)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = set(self._futures)
            if not pending:
                return
            wait(pending, timeout=max(deadline - time.monotonic(), 0))
            if time.monotonic() >= deadline:
                raise TimeoutError("jobs still running")

    def close(self) -> None:
        """Stop the scheduler and the threads (running runs finish first)."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self._pool.shutdown(wait=True)
