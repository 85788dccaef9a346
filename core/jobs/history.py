"""The job history (``core_job_run``): runs are claimed, started, finished and failed here.

Each change is its own short transaction on the registry's engine, apart from
the job's work, so the history page shows a run as *running* (and its
progress) while the job's transaction is still open, and a failure is
recorded although the job's changes were rolled back.

Progress on PostgreSQL is written at once (another connection); on SQLite a
second writer would wait for the job's own write lock, so progress is kept in
the process (jobs run in-process there, like the page that shows it) and
written with the final state.
"""

from __future__ import annotations

import json
import threading
import traceback
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.db import utcnow
from core.models import JobRun

_LIVE: dict[int, tuple[int, int | None, str | None]] = {}
_LIVE_LOCK = threading.Lock()


def _snapshot(row: JobRun) -> dict[str, Any]:
    return {"id": row.id, "job_code": row.job_code, "company_id": row.company_id, "user_id": row.user_id,
            "period_key": row.period_key, "attempts": row.attempts, "params": json.loads(row.params or "{}")}


def claim_period(registry: Any, code: str, company_id: int | None, period_key: str) -> dict[str, Any] | None:
    """Start the run of ``code`` for one company and period, once.

    A new period gets a row in state *running*; a period whose run failed (or
    waits for a retry, or was queued by hand) is taken over; one that is done or
    running elsewhere returns ``None``: the unique index
    ``(job_code, company_id, period_key)`` decides between concurrent claims.
    """
    now = utcnow()
    try:
        with registry.Session.begin() as s:
            row = JobRun(job_code=code, company_id=company_id, period_key=period_key, state="running",
                         attempts=1, params="{}", queued_at=now, started_at=now)
            s.add(row)
            s.flush()
            return _snapshot(row)
    except IntegrityError:
        pass
    with registry.Session.begin() as s:
        row_id = s.scalar(select(JobRun.id).where(JobRun.job_code == code, JobRun.company_id.is_(None)
                                                  if company_id is None else JobRun.company_id == company_id,
                                                  JobRun.period_key == period_key))
        if row_id is None:
            return None
        return _take(s, row_id, now)


def _take(s: Any, run_id: int, now: Any) -> dict[str, Any] | None:
    taken = s.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.state.in_(("queued", "retrying", "failed")))
        .values(state="running", attempts=JobRun.attempts + 1, started_at=now, finished_at=None)
    ).rowcount
    if not taken:
        return None
    return _snapshot(s.get(JobRun, run_id))


def start(registry: Any, run_id: int) -> dict[str, Any] | None:
    """Mark a queued (or retrying) run *running*, one more attempt; ``None`` if it is done or running."""
    with registry.Session.begin() as s:
        return _take(s, run_id, utcnow())


def report_progress(registry: Any, run_id: int, done: int, total: int | None, message: str | None) -> None:
    """Persist a run's progress (see the module's note on SQLite)."""
    message = (message or None) and str(message)[:255]
    with _LIVE_LOCK:
        _LIVE[run_id] = (done, total, message)
    if registry.engine.dialect.name != "sqlite":
        with registry.Session.begin() as s:
            s.execute(update(JobRun).where(JobRun.id == run_id)
                      .values(progress_done=done, progress_total=total, progress_message=message))


def live_progress(run_id: int) -> tuple[int, int | None, str | None] | None:
    """The progress a run of this process reported last (``None`` when it reported none here)."""
    with _LIVE_LOCK:
        return _LIVE.get(run_id)


def _final_progress(run_id: int) -> dict[str, Any]:
    with _LIVE_LOCK:
        live = _LIVE.pop(run_id, None)
    if live is None:
        return {}
    return {"progress_done": live[0], "progress_total": live[1], "progress_message": live[2]}


def finish(registry: Any, run_id: int) -> None:
    """The run succeeded."""
    with registry.Session.begin() as s:
        s.execute(update(JobRun).where(JobRun.id == run_id)
                  .values(state="done", error=None, finished_at=utcnow(), **_final_progress(run_id)))


def fail(registry: Any, run_id: int, exc: BaseException, final: bool) -> None:
    """The attempt failed: *retrying* when attempts remain, else *failed*; the error is kept."""
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    with registry.Session.begin() as s:
        s.execute(update(JobRun).where(JobRun.id == run_id)
                  .values(state="failed" if final else "retrying", error=text[:4000], finished_at=utcnow(),
                          **_final_progress(run_id)))


def mark_lost(registry: Any, run_ids: list[int], exc: BaseException) -> None:
    """Runs that could not be handed to the queue after the commit: failed, with the reason."""
    with registry.Session.begin() as s:
        s.execute(update(JobRun).where(JobRun.id.in_(run_ids))
                  .values(state="failed", error=f"not queued: {exc}"[:4000], finished_at=utcnow()))


def shown_progress(row: JobRun) -> tuple[int | None, int | None, str | None]:
    """``(done, total, message)`` of a run: this process's live report first, else the stored one."""
    live = live_progress(row.id) if row.state == "running" else None
    if live is not None:
        return live
    return row.progress_done, row.progress_total, row.progress_message
