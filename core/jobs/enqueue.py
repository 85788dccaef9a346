"""One-off jobs: :func:`enqueue` writes a *queued* history row now, hands it to the queue after the commit."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from core.db import utcnow
from core.i18n import _
from core.jobs.aftercommit import on_commit
from core.jobs.spec import JobError, job_spec
from core.models import JobRun


def enqueue(env: Any, code: str, **params: Any) -> JobRun:
    """Queue a run of job ``code`` for the env's company, started **after the transaction commits**.

    ``params`` must be JSON values (they reach ``ctx.params``); an unknown
    code, a job of an addon the company has not enabled or a parameter that is
    not JSON is refused with :class:`JobError` and nothing is written. A
    periodic job queued by hand runs for its current period, once: queuing it
    again while that run is queued, running or done is refused. In a
    transaction that rolls back, nothing ever runs.
    """
    spec = job_spec(env.registry, code)
    if spec.addon != "core" and spec.addon not in env.enabled:
        raise JobError(_("The job %(code)s is not available in this company.", code=code))
    try:
        stored = json.dumps(params, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise JobError(_("The parameters of job %(code)s must be JSON values: %(error)s", code=code,
                         error=str(exc))) from exc
    company_id = env.company_id if spec.per_company else None
    period = spec.period(utcnow()) if spec.periodic else None
    row = None
    if period is not None:
        # the kernel's own table: the history row of this period, if any
        row = env.session.scalar(select(JobRun).where(
            JobRun.job_code == code, JobRun.period_key == period,
            JobRun.company_id.is_(None) if company_id is None else JobRun.company_id == company_id))
        if row is not None and row.state not in ("failed",):
            raise JobError(_("The job %(code)s has already run (or is running) for the period %(period)s.",
                             code=code, period=period))
    if row is None:
        row = JobRun(job_code=code, company_id=company_id, period_key=period, attempts=0)
        env.session.add(row)
    row.state, row.params, row.error, row.queued_at = "queued", stored, None, utcnow()
    row.user_id = env.user_id
    env.session.flush()
    on_commit(env.session, _deferrer(env.registry), (code, row.id))
    return row


def _deferrer(registry: Any) -> Any:
    """The after-commit callback of a registry (one per registry, so one batch per commit)."""
    found = registry.__dict__.get("_tixi_job_deferrer")
    if found is None:
        def found(items: list[tuple[str, int]]) -> None:
            from core.jobs.backends import backend

            backend(registry).defer_many(items)

        registry.__dict__["_tixi_job_deferrer"] = found
    return found
