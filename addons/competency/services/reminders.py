"""The reminder job ``competency.reminders``: assessments not done by the end of the period.

Runs on the 1st of January and July (01:00 UTC, 09:00 in China) for the half-year that just
ended (``2026-H2`` on 1 January 2027): every person of the five model positions without a
self-assessment hears of it, and every manager of the reports without a manager assessment
(one notification each, naming them). Runs with the kernel's rights in the company (jobs
read everything the company holds); what it sends names only the recipient's own reports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Employee

from ..models import MODEL_POSITIONS, Assessment

if TYPE_CHECKING:
    from core.security.env import Env

NAMED = 10


def previous_half(scheduled_at: dt.datetime) -> str:
    """The last half-year ended before ``scheduled_at`` (``2026-H2`` for a run on 1 January 2027,
    ``2026-H1`` for a run by hand in December 2026)."""
    day = scheduled_at.astimezone(dt.UTC).date()
    return f"{day.year - 1}-H2" if day.month <= 6 else f"{day.year}-H1"


def period_end(period: str) -> dt.date:
    """The last day of a period (``2026``, ``2026-H2``, ``2026-Q4``)."""
    year, _sep, part = period.partition("-")
    y = int(year)
    if not part:
        return dt.date(y, 12, 31)
    if part.startswith("H"):
        return dt.date(y, 6, 30) if part == "H1" else dt.date(y, 12, 31)
    q = int(part[1:])
    nxt = dt.date(y + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return nxt - dt.timedelta(days=1)


def missing(env: Env, period: str) -> dict[str, Any]:
    """Who lacks what in ``period``: ``{"self": [employees], "manager": {manager: [employees]}}``.

    People of the model positions who were with the company at the period's end (joined by
    then, not left before it).
    """
    end = period_end(period)
    people = env.scalars(env.select(Employee).where(
        Employee.active.is_(True), Employee.position.in_(MODEL_POSITIONS),
        (Employee.date_joined.is_(None)) | (Employee.date_joined <= end),
        (Employee.date_left.is_(None)) | (Employee.date_left > end)).order_by(Employee.name_zh, Employee.id)).all()
    done: dict[str, set[int]] = defaultdict(set)
    for emp_id, kind in env.execute(env.select(Assessment, "read", Assessment.employee_id, Assessment.kind).where(
            Assessment.period == period, Assessment.kind.in_(("self", "manager")))):
        done[kind].add(emp_id)
    by_id = {e.id: e for e in people}
    managers: dict[int, list[Employee]] = defaultdict(list)
    for e in people:
        if e.id not in done["manager"] and e.manager_id is not None:
            managers[e.manager_id].append(e)
    boss_ids = [m for m in managers if m not in by_id]
    if boss_ids:
        by_id.update({b.id: b for b in env.scalars(env.select(Employee).where(Employee.id.in_(boss_ids)))})
    return {"self": [e for e in people if e.id not in done["self"]],
            "manager": {by_id[m]: rows for m, rows in managers.items() if m in by_id}}


def remind(env: Env, period: str) -> dict[str, int]:
    """Send the reminders of ``period``; the counts of people and managers notified."""
    from core.notifications import notify

    gaps = missing(env, period)
    sent_self = 0
    for e in gaps["self"]:
        if e.user_id:
            notify(env, [e.user_id], "competency.self_missing", period=period)
            sent_self += 1
    sent_mgr = 0
    for boss, rows in sorted(gaps["manager"].items(), key=lambda kv: kv[0].id):
        if boss.user_id:
            names = [r.name_zh for r in rows]
            notify(env, [boss.user_id], "competency.reports_missing", period=period, count=len(rows),
                   people="、".join(names[:NAMED]) + ("…" if len(names) > NAMED else ""))
            sent_mgr += 1
    return {"self": sent_self, "managers": sent_mgr}


def remind_job(ctx: Any) -> dict[str, int]:
    """The job: the reminders of the period that just ended, for one company."""
    ctx.progress(0, 1, ctx.period)
    out = remind(ctx.env, ctx.period)
    ctx.progress(1, 1, ctx.period)
    return out
