"""The job history page for administrators: declared jobs, recent runs, "run now".

Blueprint ``tixi_jobs`` (``/jobs/``). Only administrators (``core.group_admin``)
reach it; everyone else gets 403. The runs of the current company are read
through ``env.select`` (the access right ``core_job_run`` is the administrators'
alone), plus the instance-wide runs (no company). "Run now" is a POST form
with the CSRF token that queues a run for the current company.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from sqlalchemy import select

from core import jobs as svc
from core.i18n import N_, _
from core.jobs.history import shown_progress
from core.models import JobRun

bp = Blueprint("tixi_jobs", __name__, url_prefix="/jobs")

RECENT = 50

STATE_LABELS = {"queued": N_("Queued"), "running": N_("Running"), "retrying": N_("Retrying"), "done": N_("Done"),
                "failed": N_("Failed")}


def _require_admin() -> None:
    if not g.env.in_group("core.group_admin"):
        abort(403)


def company_jobs(env: Any) -> list[svc.JobSpec]:
    """The jobs of the kernel and of the addons the current company enabled."""
    return [s for s in svc.declared_jobs(env.registry).values() if s.addon == "core" or s.addon in env.enabled]


def recent_runs(env: Any, limit: int = RECENT) -> list[JobRun]:
    """The latest runs of the current company (rules apply) and of instance-wide jobs, newest first."""
    stmt = env.select(JobRun).order_by(JobRun.queued_at.desc(), JobRun.id.desc()).limit(limit)
    rows = list(env.scalars(stmt))
    # the kernel's own rows without a company (instance-wide jobs), for administrators only
    rows += list(env.session.scalars(select(JobRun).where(JobRun.company_id.is_(None))
                                     .order_by(JobRun.queued_at.desc()).limit(limit)))
    rows.sort(key=lambda r: (r.queued_at, r.id), reverse=True)
    return rows[:limit]


@bp.route("/")
def index() -> Any:
    """Declared jobs (schedule, next run) and the recent runs with their progress and errors."""
    _require_admin()
    env = g.env
    specs = company_jobs(env)
    labels = {s.code: s.label for s in specs}
    runs = [{"row": r, "progress": shown_progress(r), "label": labels.get(r.job_code, r.job_code)}
            for r in recent_runs(env)]
    return render_template("jobs/index.html", specs=specs, runs=runs, states=STATE_LABELS)


@bp.route("/<code>/run", methods=["POST"])
def run_now(code: str) -> Any:
    """Queue a run of a job for the current company now (it starts after this request commits)."""
    _require_admin()
    env = g.env
    if code not in {s.code for s in company_jobs(env)}:
        abort(404)
    try:
        svc.enqueue(env, code)
    except svc.JobError as exc:
        flash(str(exc), "danger")
    else:
        flash(_("The job is queued."), "success")
    return redirect(url_for("tixi_jobs.index", _anchor="runs"))
