"""What a job function receives: :class:`JobContext` (env, params, period, progress)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from core.jobs import history


@dataclass
class JobContext:
    """The context of one run of a job, for one company.

    ``env`` acts as the kernel in the company (administrator rights, no user:
    like ``tixi_company_setup``'s env) or, for an ``as_user`` one-off job, as
    the user who queued it; it is ``None`` for an instance-wide job. Its session
    is the run's transaction: committed when ``func`` returns, rolled back when
    it raises. ``params`` are the JSON values given to ``enqueue``; ``period``
    the key of the period a periodic run is for; ``attempt`` counts from 1.
    """

    registry: Any
    env: Any
    run_id: int
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    period: str | None = None
    scheduled_at: dt.datetime | None = None
    attempt: int = 1

    @property
    def company_id(self) -> int | None:
        """The company the run is for (``None``: instance-wide)."""
        return getattr(self.env, "company_id", None)

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Report how far the job is (``done`` of ``total``): the history page shows it."""
        history.report_progress(self.registry, self.run_id, int(done), None if total is None else int(total),
                                message)
