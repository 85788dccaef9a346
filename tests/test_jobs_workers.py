"""Two real ``tixi worker`` processes against one PostgreSQL run a periodic job once per period.

The ``jobtest.tick`` job is periodic in the workers only (``TIXI_JOBTEST_CRON``:
every second) and takes 1.5 s, so one worker alone cannot keep up and both
take ticks. Each worker runs procrastinate's periodic deferrer for every
tick; the library's unique ``procrastinate_periodic_defers`` row lets exactly
one of them defer it. SIGTERM stops both cleanly (running jobs finish).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.test_jobs import JOB_ADDONS, _template, copy_database

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.postgres
def test_two_workers_run_a_periodic_job_once_per_period(tmp_path):
    url, drop = copy_database("postgresql", _template("postgresql")[0], prefix="tixi_workers")
    try:
        inst = tmp_path / "inst"
        inst.mkdir()
        (inst / "config.toml").write_text(f'database = "{url}"\nsecret_key = "x"\n', encoding="utf-8")
        (inst / "addons.yaml").write_text(f"addons_paths:\n  - {JOB_ADDONS}\n", encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TIXI_JOBTEST_CRON": "* * * * * *",
               "TIXI_JOBTEST_SLEEP": "1.5"}
        cmd = [sys.executable, "-m", "core.cli", "--instance", str(inst), "worker", "--concurrency", "1"]
        workers = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True) for _ in range(2)]
        engine = create_engine(url)
        try:
            deadline = time.monotonic() + 25
            done = 0
            while time.monotonic() < deadline and done < 4:
                time.sleep(0.5)
                with engine.connect() as conn:
                    done = conn.scalar(text("SELECT count(*) FROM core_job_run WHERE job_code = 'jobtest.tick' "
                                            "AND state = 'done'"))
        finally:
            for w in workers:
                w.send_signal(signal.SIGTERM)
            outputs = [w.communicate(timeout=20) for w in workers]
        for w, (_out, err) in zip(workers, outputs, strict=True):
            assert w.returncode == 0, err[-2000:]
            assert "worker: stopped" in err
        with engine.connect() as conn:
            deferred = conn.execute(text(
                "SELECT defer_timestamp, count(*) FROM procrastinate_periodic_defers "
                "WHERE task_name = 'jobtest.tick' GROUP BY defer_timestamp")).all()
            jobs_per_tick = Counter(r[0] for r in conn.execute(text(
                "SELECT args->>'timestamp' FROM procrastinate_jobs WHERE task_name = 'jobtest.tick'")))
            succeeded = conn.scalar(text("SELECT count(*) FROM procrastinate_jobs "
                                         "WHERE task_name = 'jobtest.tick' AND status = 'succeeded'"))
            runs = conn.execute(text("SELECT period_key, state, attempts, progress_message FROM core_job_run "
                                     "WHERE job_code = 'jobtest.tick'")).all()
        engine.dispose()
        assert done >= 4, (done, [e for _o, e in outputs])
        # the mechanism: one defer and one queued job per tick, whichever worker deferred it
        assert deferred
        assert all(n == 1 for _ts, n in deferred)
        assert jobs_per_tick
        assert set(jobs_per_tick.values()) == {1}
        # and the effect: every period ran exactly once, by one worker or the other
        finished = [r for r in runs if r.state == "done"]
        assert len(finished) == succeeded
        assert Counter(r.period_key for r in runs).most_common(1)[0][1] == 1
        assert all(r.attempts == 1 for r in finished)
        pids = {r.progress_message for r in finished}
        assert pids == {f"pid {w.pid}" for w in workers}, pids  # both workers took ticks
    finally:
        drop()
