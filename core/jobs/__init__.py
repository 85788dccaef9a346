"""Scheduled and background jobs: declared by addons, run by a queue on PostgreSQL, in-process on SQLite.

Addons declare jobs with the start-up hook ``tixi_jobs`` (:class:`JobSpec`:
a code, a bilingual label, a function of a :class:`JobContext`, a cron for a
periodic job)::

    from core.i18n import _l
    from core.jobs import JobSpec, enqueue, previous_month

    @hookimpl
    def tixi_jobs():
        return [
            JobSpec("visits.overdue_reminder", _l("Overdue visit reminder"), remind, cron="0 0 * * 1",
                    period=previous_month),
            JobSpec("visits.export", _l("Visit export"), export),        # one-off
        ]

    enqueue(env, "visits.export", month="2026-11")   # runs after the commit

On PostgreSQL, ``tixi worker`` processes (any number, on any machines) run
them through procrastinate (:mod:`core.jobs.queue`); on SQLite ``tixi run``
runs them in-process (:mod:`core.jobs.local`). Either way each run has a row
in ``core_job_run`` (state, attempts, progress, error) shown on ``/jobs/``.
"""

from __future__ import annotations

from typing import Any

from core.jobs.backends import backend, drain
from core.jobs.context import JobContext
from core.jobs.enqueue import enqueue
from core.jobs.runner import JobFailed, backoff, run_periodic, run_queued
from core.jobs.spec import (
    KERNEL_JOBS,
    JobError,
    JobSpec,
    UnknownJob,
    declared_jobs,
    job_spec,
    previous_month,
    tick_period,
)

__all__ = [
    "KERNEL_JOBS",
    "JobContext",
    "JobError",
    "JobFailed",
    "JobSpec",
    "UnknownJob",
    "backend",
    "backoff",
    "declared_jobs",
    "drain",
    "enqueue",
    "job_spec",
    "previous_month",
    "run_by_hand",
    "run_periodic",
    "run_queued",
    "tick_period",
]


def run_by_hand(registry: Any, code: str, company_id: int | None = None) -> dict[str, int]:
    """Run a job now, in this process, once, without retries (``tixi jobs run``).

    A periodic job runs for its current period (skipped where that period is
    done); a one-off job gets a history row and runs with empty parameters.
    ``company_id`` limits a per-company job to one company. A failure raises
    :class:`JobFailed` and stays in the history.
    """
    from core.db import utcnow
    from core.models import JobRun

    spec = job_spec(registry, code)
    if spec.periodic:
        return run_periodic(registry, code, utcnow(), final=True,
                            company_ids=[company_id] if company_id is not None else None)
    from core.jobs.runner import companies_for

    targets = ([company_id] if company_id is not None else companies_for(registry, spec)) if spec.per_company \
        else [None]
    counts = {"done": 0, "skipped": 0}
    for cid in targets:
        with registry.Session.begin() as s:
            row = JobRun(job_code=code, company_id=cid, state="queued", attempts=0, params="{}")
            s.add(row)
            s.flush()
            run_id = row.id
        counts[run_queued(registry, run_id, final=True)] += 1
    return counts
