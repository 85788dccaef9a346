"""Daily sales reports (每日销售报告): prefilled from the day's visits, submitted, then locked.

One report per salesperson and day. Submitting stamps ``submitted_at`` and
``on_time`` (before the company's cut-off hour on the report's day). A
second report for a day already submitted is refused with a clear message and
nothing saved; an edit of a submitted report needs a manager above the
salesperson. The reminder job notifies who has not submitted at the cut-off.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer, Employee
from core.errors import ValidationError
from core.i18n import _

from ..models import DailyReport, Visit
from .common import (
    ConflictError,
    is_manager_of,
    local_now,
    local_today,
    parse_date,
    parse_datetime,
    parse_money,
    require_me,
    salesperson_in_reach,
    settings,
    text,
    tz,
)

if TYPE_CHECKING:
    from core.security.env import Env


def day_visits(env: Env, salesperson_id: int, day: dt.date) -> list[Visit]:
    """The visits of a person on a day the user reaches, in check-in order."""
    return env.search(Visit, Visit.salesperson_id == salesperson_id, Visit.visit_date == day,
                      order_by=[Visit.checkin_at, Visit.id])


def prefill(env: Env, salesperson_id: int, day: dt.date) -> dict[str, Any]:
    """What the report form starts from: the day's visits, their orders, a summary line per visit."""
    visits = day_visits(env, salesperson_id, day)
    names = {c.id: c.display() for c in env.sudo().search(Customer, Customer.id.in_({v.customer_id for v in visits}))} \
        if visits else {}
    lines = []
    for v in visits:
        when = v.checkin_at.astimezone(tz(env)).strftime("%H:%M") if v.checkin_at else ""
        lines.append(" ".join(x for x in (when, names.get(v.customer_id, ""), v.next_step or "") if x))
    return {"visits_count": len(visits), "visits_summary": "\n".join(lines),
            "orders_amount": sum((v.order_amount or 0 for v in visits), start=0)}


def find_report(env: Env, salesperson_id: int, day: dt.date) -> DailyReport | None:
    """The person's report of the day, if the user may read it."""
    return env.scalar(env.select(DailyReport).where(
        DailyReport.salesperson_id == salesperson_id, DailyReport.report_date == day))


def submit_report(env: Env, values: Mapping[str, Any]) -> DailyReport:
    """Submit the daily report of a day (creating or completing its draft); locked afterwards."""
    emp = require_me(env)
    salesperson_id = int(values.get("salesperson_id") or emp.id)
    if salesperson_id != emp.id:
        salesperson_in_reach(env, salesperson_id)
    day = parse_date(values.get("report_date"), "report_date") or local_today(env)
    if day > local_today(env):
        message = _("A daily report cannot be for a day in the future (%(date)s).", date=day.isoformat())
        raise ValidationError(message, {"report_date": message})
    amounts = {f: parse_money(values.get(f), f) for f in ("orders_amount", "collections_amount", "expenses_amount")}
    existing = find_report(env, salesperson_id, day)
    if existing is None:  # maybe outside the reader's rules: the lock holds anyway
        sudo = env.sudo()
        existing = sudo.scalar(sudo.select(DailyReport).where(
            DailyReport.salesperson_id == salesperson_id, DailyReport.report_date == day))
    if existing is not None and existing.state == "submitted":
        message = _("The daily report of %(date)s was already submitted; ask your manager to change it.",
                    date=day.isoformat())
        raise ConflictError(message, {"report_date": message})
    now = local_now(env)
    submitted_at = parse_datetime(env, values.get("submitted_at"), "submitted_at") or now
    if submitted_at > now:
        submitted_at = now
    cutoff = dt.datetime.combine(day, dt.time(settings(env).cutoff_hour), tzinfo=tz(env))
    filled = prefill(env, salesperson_id, day)
    data = {
        "salesperson_id": salesperson_id, "report_date": day, "state": "submitted",
        "submitted_at": submitted_at, "on_time": submitted_at <= cutoff,
        "visits_count": filled["visits_count"],
        "visits_summary": text(values.get("visits_summary")) or filled["visits_summary"] or None,
        **amounts,
        "problems": text(values.get("problems")), "tomorrow": text(values.get("tomorrow")),
    }
    if values.get("orders_amount") in (None, ""):
        data["orders_amount"] = filled["orders_amount"]
    if existing is None:
        data["client_key"] = text(values.get("client_key"), 64)
        return env.create(DailyReport, data)
    env.write(existing, data)
    return existing


def manager_edit(env: Env, report: DailyReport, values: Mapping[str, Any]) -> DailyReport:
    """A manager above the salesperson corrects a submitted report (audited)."""
    if not is_manager_of(env, report.salesperson_id):
        raise ValidationError(_("The daily report of %(date)s was already submitted; ask your manager to change it.",
                                date=report.report_date.isoformat()))
    changes: dict[str, Any] = {}
    for f in ("orders_amount", "collections_amount", "expenses_amount"):
        if f in values:
            changes[f] = parse_money(values[f], f)
    for f in ("problems", "tomorrow", "visits_summary"):
        if f in values:
            changes[f] = text(values[f])
    env.write(report, changes)
    return report


def team_status(env: Env, day: dt.date) -> list[dict[str, Any]]:
    """Every salesperson the user reaches and whether their report of ``day`` is submitted (two queries)."""
    people = env.sudo().search(Employee, Employee.position == "salesperson", order_by=[Employee.name_zh])
    reports = {r.salesperson_id: r for r in env.search(DailyReport, DailyReport.report_date == day)}
    reach = _reachable_ids(env, [p.id for p in people])
    return [{"employee": p, "report": reports.get(p.id)} for p in people if p.id in reach]


def _reachable_ids(env: Env, ids: list[int]) -> set[int]:
    """Which of these employees the user reaches (own, reporting line; everybody for the director)."""
    if env.user_id is None or env.in_group("core.group_director", "core.group_general_manager", "core.group_admin"):
        return set(ids)
    from addons.masterdata.services import subordinate_ids_query

    from .common import my_employee_ids

    out: set[int] = set()
    for own in my_employee_ids(env):
        out |= {own} | set(env.sudo().scalars(subordinate_ids_query(own)))
    return out & set(ids)


def missing_reports(env: Env, day: dt.date) -> list[Employee]:
    """Active salespeople with a user and no submitted report for ``day`` (kernel view: the reminder job)."""
    sudo = env.sudo()
    done = set(sudo.scalars(sudo.select(DailyReport, DailyReport.salesperson_id).where(
        DailyReport.report_date == day, DailyReport.state == "submitted")))
    people = sudo.search(Employee, Employee.position == "salesperson", Employee.user_id.is_not(None),
                         order_by=[Employee.id])
    return [p for p in people if p.id not in done and (p.date_left is None or p.date_left > day)]


def send_reminders(env: Env, day: dt.date) -> dict[str, int]:
    """Notify who has not submitted ``day``'s report, and each manager above one summary."""
    from core.notifications import notify

    missing = missing_reports(env, day)
    sudo = env.sudo()
    everyone = {e.id: e for e in sudo.search(Employee)}
    team: dict[int, list[str]] = defaultdict(list)
    for p in missing:
        notify(env, [p.user_id], "field_activity.report_missing", date=day.isoformat())
        seen, cur = {p.id}, p
        while cur.manager_id and cur.manager_id not in seen:
            seen.add(cur.manager_id)
            cur = everyone.get(cur.manager_id)
            if cur is None:
                break
            if cur.user_id:
                team[cur.user_id].append(p.display())
    for user_id, names in sorted(team.items()):
        notify(env, [user_id], "field_activity.report_missing_team", date=day.isoformat(), count=len(names),
               salespeople="、".join(names))
    return {"salespeople": len(missing), "managers": len(team)}


def remind_missing_reports(ctx: Any) -> dict[str, int]:
    """The hourly job: at the company's cut-off hour (local time), remind who has not submitted today's report."""
    env = ctx.env
    at = (ctx.scheduled_at or dt.datetime.now(dt.UTC)).astimezone(tz(env))
    if not ctx.params.get("force") and at.hour != settings(env).cutoff_hour:
        return {"salespeople": 0, "managers": 0}
    return send_reminders(env, at.date())
