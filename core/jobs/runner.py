"""Running a job, whatever the backend: one transaction and one history row per company.

The backends (procrastinate's worker on PostgreSQL, the in-process runner on
SQLite, ``tixi jobs run``) call :func:`run_queued` for a one-off run and
:func:`run_periodic` for a scheduled tick; both raise :class:`JobFailed` when an
attempt failed, so the backend retries it with back-off. ``final`` tells that
no retry follows: the run then ends *failed* rather than *retrying*.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select

from core.jobs import history
from core.jobs.context import JobContext
from core.jobs.spec import JobError, JobSpec, job_spec
from core.models import Company, CompanyAddon

log = logging.getLogger(__name__)


class JobFailed(JobError):
    """An attempt of a job failed (the history row holds the error)."""


def backoff(retry_wait: int, attempts: int) -> int:
    """Seconds before the next try after ``attempts`` failed ones: ``retry_wait * 2**(attempts-1)``."""
    return int(retry_wait * 2 ** max(attempts - 1, 0))


def companies_for(registry: Any, spec: JobSpec) -> list[int]:
    """Ids of the companies a per-company job runs for: those that enabled its addon (all: kernel)."""
    with registry.Session() as s:
        if spec.addon == "core":
            return list(s.scalars(select(Company.id).order_by(Company.id)))
        return list(s.scalars(select(CompanyAddon.company_id).where(CompanyAddon.addon == spec.addon)
                              .order_by(CompanyAddon.company_id)))


def _env(registry: Any, session: Any, spec: JobSpec, company_id: int | None, user_id: int | None) -> Any:
    if company_id is None:
        return None
    if spec.as_user and user_id is not None:
        from core.security.env import Env

        return Env(registry, session, user_id, company_id)
    from core.lifecycle import SetupEnv

    return SetupEnv(registry, session, company_id)


def _execute(registry: Any, spec: JobSpec, run: dict[str, Any], final: bool,
             scheduled_at: dt.datetime | None = None) -> None:
    """Run ``spec.func`` for one claimed run; record done or the failure (and re-raise it)."""
    try:
        with registry.Session() as session:
            env = _env(registry, session, spec, run["company_id"], run["user_id"])
            ctx = JobContext(registry=registry, env=env, run_id=run["id"], code=spec.code,
                             params=run["params"], period=run["period_key"], scheduled_at=scheduled_at,
                             attempt=run["attempts"])
            spec.func(ctx)
            session.commit()
    except Exception as exc:
        log.warning("job %s (run %s, attempt %s) failed: %s", spec.code, run["id"], run["attempts"], exc)
        history.fail(registry, run["id"], exc, final)
        raise
    history.finish(registry, run["id"])


def run_queued(registry: Any, run_id: int, final: bool = True, code: str | None = None) -> str:
    """Run a queued one-off run; ``"done"``, or ``"skipped"`` when it is done, running or gone."""
    if code is None:
        from core.models import JobRun

        with registry.Session() as s:
            code = s.scalar(select(JobRun.job_code).where(JobRun.id == run_id))
        if code is None:
            return "skipped"
    spec = job_spec(registry, code)
    run = history.start(registry, run_id)
    if run is None:
        return "skipped"
    try:
        _execute(registry, spec, run, final)
    except Exception as exc:
        raise JobFailed(f"{code}: {exc}") from exc
    return "done"


def run_periodic(registry: Any, code: str, scheduled_at: dt.datetime, final: bool = True,
                 company_ids: list[int] | None = None) -> dict[str, int]:
    """Run a scheduled tick of ``code`` for each of its companies, once per period.

    A company whose run for this period is done (or running elsewhere) is
    skipped; a failed one is tried again. Every company is tried even when one
    fails; then :class:`JobFailed` is raised so the backend retries the tick
    (which runs only the companies that failed). Returns ``{"done": n, "skipped": n}``.
    """
    spec = job_spec(registry, code)
    period = spec.period(scheduled_at)
    targets: list[int | None] = (company_ids if company_ids is not None else companies_for(registry, spec)) \
        if spec.per_company else [None]
    counts = {"done": 0, "skipped": 0}
    errors: list[str] = []
    for company_id in targets:
        run = history.claim_period(registry, code, company_id, period)
        if run is None:
            counts["skipped"] += 1
            continue
        try:
            _execute(registry, spec, run, final, scheduled_at)
        except Exception as exc:  # noqa: BLE001 - recorded in the history; the others still run
            errors.append(f"company {company_id}: {exc}")
            continue
        counts["done"] += 1
    if errors:
        raise JobFailed(f"{code} ({period}): " + "; ".join(errors))
    return counts
