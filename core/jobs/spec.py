"""Declared jobs: :class:`JobSpec`, the kernel's own, and the ones addons declare (``tixi_jobs``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from croniter import croniter

from core.errors import TixiError
from core.i18n import _, _l


class JobError(TixiError):
    """A job cannot be declared, queued or run as asked (the message says why)."""


class UnknownJob(JobError):
    """A job code that neither the kernel nor an installed addon declares."""


def tick_period(scheduled_at: dt.datetime) -> str:
    """The default period of a periodic run: its scheduled time, UTC, to the second."""
    return scheduled_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def previous_month(scheduled_at: dt.datetime) -> str:
    """The month before ``scheduled_at`` (``2026-11`` for a run on 3 December): monthly reminders."""
    first = scheduled_at.astimezone(dt.UTC).date().replace(day=1)
    last = first - dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


@dataclass(frozen=True)
class JobSpec:
    """A job an addon (or the kernel) declares.

    * ``code``: ``<addon>.<name>``, unique; ``label``: a lazy bilingual label (``_l``).
    * ``func(ctx)``: the work; ``ctx`` is a :class:`core.jobs.JobContext`
      (``ctx.env``, ``ctx.params``, ``ctx.period``, ``ctx.progress(done, total)``).
      Raising fails the attempt; it is retried ``retries`` times with
      exponential back-off (``retry_wait`` seconds, then squared ...).
    * ``cron``: five fields (or six, seconds last), **UTC**, for a periodic job;
      ``None`` for a one-off job only run by :func:`core.jobs.enqueue` or by hand.
    * ``per_company``: run once for each company that enabled the declaring
      addon, each in its own transaction and history row (``False``: once for
      the instance, ``ctx.env`` is ``None``).
    * ``period(scheduled_at) -> str``: the key of the period a periodic run is
      for (default: the scheduled time); a period runs once per company.
    * ``as_user``: a one-off job runs with the rights of the user who queued it
      (default: with the kernel's rights in the company, like ``tixi_company_setup``).
    """

    code: str
    label: Any
    func: Callable[[Any], Any]
    cron: str | None = None
    retries: int = 3
    retry_wait: int = 30
    per_company: bool = True
    period: Callable[[dt.datetime], str] = tick_period
    as_user: bool = False
    addon: str = field(default="", compare=False)

    @property
    def periodic(self) -> bool:
        """Whether the job runs on a schedule."""
        return self.cron is not None

    def next_run(self, after: dt.datetime | None = None) -> dt.datetime | None:
        """The next scheduled time after ``after`` (default now), UTC; ``None`` for a one-off job."""
        if self.cron is None:
            return None
        start = (after or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        return croniter(self.cron, start).get_next(dt.datetime).astimezone(dt.UTC)


def check_spec(spec: JobSpec, owner: str) -> None:
    """Refuse a malformed declaration (code outside the owner's name, bad cron, negative retries)."""
    if not isinstance(spec, JobSpec):
        raise JobError(f"{owner}: tixi_jobs must return JobSpec objects")
    if not spec.code.startswith(f"{owner}.") or len(spec.code) > 128:
        raise JobError(f"{owner}: job {spec.code!r} must be named '{owner}.<name>'")
    if spec.cron is not None and not croniter.is_valid(spec.cron):
        raise JobError(f"{owner}: job {spec.code!r} has an invalid cron expression {spec.cron!r}")
    if spec.retries < 0 or spec.retry_wait < 0:
        raise JobError(f"{owner}: job {spec.code!r}: retries and retry_wait must not be negative")
    if not callable(spec.func):
        raise JobError(f"{owner}: job {spec.code!r}: func must be callable")


def _ping(ctx: Any) -> None:
    """Does nothing: queued with "run now" it shows that the workers take jobs (and times the queue)."""
    ctx.progress(1, 1)


def _deliver_report_subscriptions(ctx: Any) -> None:
    """Send the reports users subscribed to that are due (each computed with its subscriber's rights)."""
    from core.reports.subscriptions import deliver_due

    done = deliver_due(ctx.registry, ctx.scheduled_at)
    ctx.progress(len(done), len(done))


#: the kernel's own jobs (addons declare theirs with ``tixi_jobs``)
KERNEL_JOBS: tuple[JobSpec, ...] = (
    JobSpec("core.ping", _l("Worker check"), _ping, retries=0),
    # hourly: a subscription is due on its day in its company's timezone and sent once per period
    JobSpec("core.report_subscriptions", _l("Report subscriptions"), _deliver_report_subscriptions,
            cron="5 * * * *", per_company=False, retries=2),
)


def declared_jobs(registry: Any) -> dict[str, JobSpec]:
    """Every declared job by code: the kernel's, then each installed addon's (registration order)."""
    out: dict[str, JobSpec] = {}
    for spec in KERNEL_JOBS:
        check_spec(spec, "core")
        out[spec.code] = replace(spec, addon="core")
    hook = getattr(registry.pm.hook, "tixi_jobs", None)
    if hook is not None:
        for impl in reversed(hook.get_hookimpls()):
            owner = impl.plugin_name
            for spec in impl.function() or []:
                check_spec(spec, owner)
                if spec.code in out:
                    raise JobError(f"{owner}: job {spec.code!r} is declared twice")
                out[spec.code] = replace(spec, addon=owner)
    return out


def job_spec(registry: Any, code: str) -> JobSpec:
    """The declaration of ``code``; an unknown code is :class:`UnknownJob` (in the user's language)."""
    spec = declared_jobs(registry).get(code)
    if spec is None:
        raise UnknownJob(_("Unknown job %(code)s.", code=code))
    return spec
