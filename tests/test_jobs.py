"""Scheduled and background jobs (core.jobs), on SQLite (in-process) and PostgreSQL (procrastinate).

The ``jobtest`` fixture addon (tests/fixtures/jobaddons/jobtest) declares jobs
the tests steer: ``FAILS`` makes attempts fail, ``RUNS`` records the
successful ones, ``GATE`` holds the slow job halfway. The multi-worker test is
in tests/test_jobs_workers.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from core import jobs
from core.i18n import use_lang
from core.models import JobRun
from core.testing import make_env, make_user, new_database
from tests.kernel_helpers import fixture_db

JOB_ADDONS = Path(__file__).resolve().parent / "fixtures" / "jobaddons"
_counter = itertools.count()


_TEMPLATES: dict[str, tuple[str, dict]] = {}


def _template(engine: str) -> tuple[str, dict]:
    """Built once per engine: jobtest enabled for acme (not for other), an admin and a salesperson."""
    if engine not in _TEMPLATES:
        url, _drop = new_database(engine)
        db = fixture_db(url, extra=[JOB_ADDONS])
        db.install("jobtest", companies=["acme"])
        db.company("other")
        users = {
            "admin": make_user(db, "j_admin", ["core.group_admin"], company=["acme", "other"], is_admin=True),
            "user": make_user(db, "j_user", ["core.group_salesperson"], company="acme"),
        }
        db.dispose()
        _TEMPLATES[engine] = (url, users)
    return _TEMPLATES[engine]


def copy_database(engine: str, url: str, prefix: str = "tixi_jobs") -> tuple[str, object]:
    """A copy of a template database: ``(url, drop)``."""
    if engine == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
        shutil.copy(url.removeprefix("sqlite:///"), folder / "test.db")
        return f"sqlite:///{folder / 'test.db'}", lambda: shutil.rmtree(folder, ignore_errors=True)
    from core.testing.pgserver import _admin_connection, drop_database, postgres_url

    base = postgres_url()
    name = f"{prefix}_{os.getpid()}_{next(_counter)}"
    with _admin_connection(base) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
    return base.rsplit("/", 1)[0] + f"/{name}", lambda: drop_database(base, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def jdb(request):
    """A copy of the template database, with its registry; jobtest's steering state cleared."""
    template, users = _template(request.param)
    url, drop = copy_database(request.param, template)
    db = fixture_db(url, extra=[JOB_ADDONS])
    db.users = dict(users)
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


def test_job_failing_past_its_retries_ends_failed_with_the_error(jdb):
    import jobtest

    jobtest.FAILS["jobtest.flaky"] = 5
    with jdb.session() as s:
        jobs.enqueue(make_env(jdb, s, jdb.users["user"], company="acme"), "jobtest.flaky")
    jobs.drain(jdb.registry)
    (run,) = runs(jdb, "jobtest.flaky")
    assert (run.state, run.attempts) == ("failed", 3)
    assert "RuntimeError: planned failure of jobtest.flaky" in run.error
    assert jobtest.RUNS == []


def test_periodic_tick_retries_only_the_failed_company_and_runs_once_per_period(jdb):
    import jobtest

    jdb.lifecycle.enable("jobtest", "other")
    jobtest.FAILS["jobtest.flaky_periodic"] = 1  # the first company's first attempt fails
    tick = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(jobs.JobFailed):
        jobs.run_periodic(jdb.registry, "jobtest.flaky_periodic", tick, final=False)
    assert {r.state for r in runs(jdb, "jobtest.flaky_periodic")} == {"retrying", "done"}
    assert jobs.run_periodic(jdb.registry, "jobtest.flaky_periodic", tick) == {"done": 1, "skipped": 1}
    assert jobs.run_periodic(jdb.registry, "jobtest.flaky_periodic", tick) == {"done": 0, "skipped": 2}
    rows = runs(jdb, "jobtest.flaky_periodic")
    assert [(r.state, r.period_key) for r in rows] == [("done", "2027-01-01T00:00:00")] * 2
    assert sorted(r.attempts for r in rows) == [1, 2]
    assert len(jobtest.RUNS) == 2


def test_unknown_job_code_and_bad_params_are_refused(jdb):
    with jdb.session() as s:
        env = make_env(jdb, s, jdb.users["user"], company="acme")
        with pytest.raises(jobs.UnknownJob, match="未知的后台任务 jobtest.nope"):
            jobs.enqueue(env, "jobtest.nope")
        with use_lang("en"):
            with pytest.raises(jobs.UnknownJob, match="Unknown job jobtest.nope"):
                jobs.enqueue(env, "jobtest.nope")
            with pytest.raises(jobs.JobError, match="must be JSON values"):
                jobs.enqueue(env, "jobtest.flaky", when=dt.date(2026, 1, 1))
            other = make_env(jdb, s, jdb.users["admin"], company="other")
            with pytest.raises(jobs.JobError, match="not available"):
                jobs.enqueue(other, "jobtest.flaky")
    assert runs(jdb, "jobtest.flaky") == []


def test_enqueue_in_a_rolled_back_transaction_runs_nothing(jdb):
    import jobtest

    with jdb.registry.Session() as s:
        env = make_env(jdb, s, jdb.users["user"], company="acme")
        jobs.enqueue(env, "jobtest.flaky", n=1)
        s.rollback()
        # a rolled-back savepoint drops its job, the outer commit keeps the other
        with s.begin_nested():
            jobs.enqueue(env, "jobtest.flaky", n=2)
        nested = s.begin_nested()
        jobs.enqueue(env, "jobtest.flaky", n=3)
        nested.rollback()
        s.commit()
    jobs.drain(jdb.registry)
    assert [r[3] for r in jobtest.RUNS] == [{"n": 2}]
    assert [r.state for r in runs(jdb, "jobtest.flaky")] == ["done"]


def test_progress_is_persisted_and_visible_while_running(jdb):
    import jobtest

    with jdb.session() as s:
        jobs.enqueue(make_env(jdb, s, jdb.users["user"], company="acme"), "jobtest.slow", total=4)
    if jdb.engine_name == "postgresql":  # a worker in a thread, as `tixi worker` would be
        worker = threading.Thread(target=jobs.drain, args=(jdb.registry,))
        worker.start()
    else:
        worker = None
    (run_id,) = [r.id for r in runs(jdb, "jobtest.slow")]
    from core.jobs.history import shown_progress as run_progress

    for _ in range(100):
        (run,) = runs(jdb, "jobtest.slow")
        shown = run_progress(run)
        if run.state == "running" and shown[0] == 1:
            break
        threading.Event().wait(0.05)
    assert (run.state, shown[:2]) == ("running", (1, 4))
    jobtest.GATE.set()
    if worker:
        worker.join(30)
    jobs.drain(jdb.registry)
    (run,) = runs(jdb, "jobtest.slow")
    assert (run.state, run.progress_done, run.progress_total, run.progress_message) == ("done", 4, 4, "finished")
    assert run.id == run_id


def test_history_page_for_admins_only_with_run_now(jdb):
    import jobtest

    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    jobtest.FAILS["jobtest.flaky"] = 5
    with jdb.session() as s:
        jobs.enqueue(make_env(jdb, s, jdb.users["user"], company="acme"), "jobtest.flaky")
    jobs.drain(jdb.registry)
    app = create_app(registry=jdb.registry, test_config={"TESTING": True})
    sales = logged_in_client(app, "j_user")
    assert sales.get("/jobs/").status_code == 403
    assert sales.post("/jobs/jobtest.noop/run", data={}).status_code in (400, 403)
    admin = logged_in_client(app, "j_admin")
    page = admin.get("/jobs/", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert 'data-job="jobtest.tick"' in page.text
    assert 'data-job="jobtest.noop"' in page.text
    assert 'data-state="failed"' in page.text
    assert "planned failure of jobtest.flaky" in page.text
    assert "失败" in page.text
    assert "立即运行" in page.text
    # run now: POST with the CSRF token; without it refused
    assert admin.post("/jobs/jobtest.noop/run", data={}).status_code == 400
    r = admin.post("/jobs/jobtest.noop/run", data={"csrf_token": csrf_token(page.text)})
    assert r.status_code == 302
    assert admin.post("/jobs/jobtest.nope/run", data={"csrf_token": csrf_token(page.text)}).status_code == 404
    jobs.drain(jdb.registry)
    (run,) = runs(jdb, "jobtest.noop")
    assert (run.state, run.company_id, run.user_id) == ("done", jdb.company("acme"), jdb.users["admin"])
    assert 'data-state="done"' in admin.get("/jobs/").text
