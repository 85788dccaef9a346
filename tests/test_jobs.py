"""Scheduled and background jobs (core.jobs), on SQLite (in-process) and PostgreSQL (procrastinate).

The ``jobtest`` fixture addon (tests/fixtures/jobaddons/jobtest) declares jobs
the tests steer: ``FAILS`` makes attempts fail, ``RUNS`` records the
successful ones, ``GATE`` holds the slow job halfway. The multi-worker test is
in tests/test_jobs_workers.py.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select, text

from core import jobs
from core.models import JobRun
from core.testing import make_env, make_user, new_database
from tests.kernel_helpers import fixture_db

from pathlib import Path

JOB_ADDONS = Path(__file__).resolve().parent / "fixtures" / "jobaddons"


@pytest.fixture(params=["sqlite", "postgresql"])
def jdb(request):
    """A database with jobtest enabled for acme (not for other), an admin and a plain user."""
    url, drop = new_database(request.param)
    db = fixture_db(url, extra=[JOB_ADDONS])
    db.install("jobtest", companies=["acme"])
    db.company("other")
    db.users = {
        "admin": make_user(db, "j_admin", ["core.group_admin"], company=["acme", "other"], is_admin=True,
                           password=None),
        "user": make_user(db, "j_user", ["core.group_salesperson"], company="acme", password=None),
    }
    import jobtest

    jobtest.FAILS.clear()
    jobtest.RUNS.clear()
    jobtest.GATE.clear()
    yield db
    jobs.backend(db.registry).close()
    db.dispose()
    drop()


def runs(db, code):
    with db.registry.Session() as s:
        return list(s.scalars(select(JobRun).where(JobRun.job_code == code).order_by(JobRun.id)))


def test_failing_job_is_retried_then_succeeds(jdb):
    import jobtest

    jobtest.FAILS["jobtest.flaky"] = 2  # two failures, retries=2: the third attempt succeeds
    with jdb.session() as s:
        env = make_env(jdb, s, jdb.users["user"], company="acme")
        jobs.enqueue(env, "jobtest.flaky", n=1, tags=["a"])
    jobs.drain(jdb.registry)
    (run,) = runs(jdb, "jobtest.flaky")
    assert (run.state, run.attempts, run.error) == ("done", 3, None)
    assert jobtest.RUNS == [("jobtest.flaky", jdb.company("acme"), None, {"n": 1, "tags": ["a"]})]
    assert run.finished_at.tzinfo is not None
