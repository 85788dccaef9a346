"""Job queue benchmark (issue 12): throughput of one-off jobs on PostgreSQL (procrastinate).

A throwaway database with the kernel only; ``jobs`` runs of the kernel's no-op
job ``core.ping`` are queued with :func:`core.jobs.enqueue` in one transaction
(the history rows, then one procrastinate ``defer`` each after the commit), and
one in-process worker (``concurrency`` threads, ``wait=False``) drains them:
each run claims its history row, opens the job's session, reports progress and
records *done*. Reported: enqueue and drain rates in jobs/s, and the CPU time.
"""

from __future__ import annotations

import time
from typing import Any


def jobs_case(jobs: int = 500, concurrency: int = 1) -> dict[str, Any]:
    """Queue ``jobs`` no-op runs and drain them with one worker; rates in jobs/s."""
    from sqlalchemy import func, select

    from core import jobs as svc
    from core.jobs.queue import run_worker
    from core.lifecycle import SetupEnv
    from core.models import JobRun
    from core.testing import TixiTestDB, new_database

    url, drop = new_database("postgresql")
    db = TixiTestDB(url)
    try:
        cid = db.company("acme")
        cpu0, t0 = time.process_time(), time.perf_counter()
        with db.registry.Session() as s:
            env = SetupEnv(db.registry, s, cid)
            for _ in range(jobs):
                svc.enqueue(env, "core.ping")
            s.commit()  # the defers happen here, after the commit
        enqueue_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        run_worker(db.registry, concurrency=concurrency, wait=False)
        drain_s = time.perf_counter() - t1
        cpu = time.process_time() - cpu0
        with db.registry.Session() as s:
            # only the queued pings: the worker's periodic deferrer may also run a kernel periodic job
            done = s.scalar(select(func.count()).select_from(JobRun).where(JobRun.state == "done",
                                                                           JobRun.job_code == "core.ping"))
        svc.backend(db.registry).close()
        return {"engine": "postgresql", "jobs": jobs, "concurrency": concurrency, "done": int(done or 0),
                "enqueue_s": round(enqueue_s, 3), "drain_s": round(drain_s, 3),
                "enqueue_per_s": round(jobs / enqueue_s, 1), "drain_per_s": round(jobs / drain_s, 1),
                "cpu_s": round(cpu, 2)}
    finally:
        db.dispose()
        drop()


def format_jobs(result: dict[str, Any]) -> list[str]:
    """Lines for the terminal."""
    return [
        f"{result['jobs']} no-op jobs [postgresql, 1 worker x {result['concurrency']}]: "
        f"enqueue {result['enqueue_per_s']:,.0f} jobs/s ({result['enqueue_s']:.2f} s), "
        f"drain {result['drain_per_s']:,.0f} jobs/s ({result['drain_s']:.2f} s), "
        f"{result['done']} done, CPU {result['cpu_s']:.1f} s"
    ]
