"""Report subscriptions: a user receives a report daily, weekly or monthly, in the inbox or by e-mail.

* :func:`subscribe`, :func:`my_subscriptions`, :func:`get_subscription`,
  :func:`update_subscription`, :func:`delete_subscription`: the env user's
  own subscriptions only (another user's id is refused like a missing one).
  The parameters are checked by the report's form when saved.
* :func:`deliver_due` ``(registry, now=None) -> list[Delivery]``: the one
  entry point of the scheduler. For every active subscription whose period
  has come (the scheduled day, in the company's time zone, on or before
  ``now`` and after the subscription was made) and was not delivered yet, it
  computes the report **as the subscriber, with their rights at send time**
  (an :class:`~core.security.env.Env` for that user and company: record rules,
  restricted fields), and sends the notification ``core.report_ready`` linking
  to the report page with the parameters (the .xlsx attached to the e-mail
  for the ``email`` channel), or ``core.report_failed`` with the reason when
  the user may no longer run it or the stored parameters no longer pass.
  Each subscription is one transaction of its own; the period is claimed with
  a conditional ``UPDATE`` first, so two workers running it at once, or a
  second run in the same period, deliver nothing twice.

The kernel does not schedule it: a periodic job (core/jobs) calls
``deliver_due(registry)`` every hour or so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update

from core.db import utcnow
from core.errors import AccessDenied, ValidationError
from core.i18n import N_, Choices, _, label, use_lang
from core.models import Company, ReportSubscription, User

if TYPE_CHECKING:
    from core.security.env import Env

log = logging.getLogger(__name__)

__all__ = [
    "CHANNELS",
    "SCHEDULES",
    "Delivery",
    "deliver_due",
    "delete_subscription",
    "get_subscription",
    "my_subscriptions",
    "period_key",
    "report_path",
    "subscribe",
    "update_subscription",
]

SCHEDULES = Choices({"daily": N_("Daily"), "weekly": N_("Weekly"), "monthly": N_("Monthly")})
CHANNELS = Choices({"inbox": N_("In the inbox"), "email": N_("By e-mail")})
WEEKDAYS = Choices([(str(i), n) for i, n in enumerate(
    (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday")))])
MAX_DAY = 28
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ----- the user's own subscriptions -------------------------------------------------------------
def _own(env: Env) -> Any:
    # elevated on purpose: subscriptions have no access rights; ownership is the filter
    return env.sudo().select(ReportSubscription).where(ReportSubscription.user_id == env.user_id)


def my_subscriptions(env: Env) -> list[ReportSubscription]:
    """The env user's subscriptions in the current company, by report."""
    stmt = _own(env).order_by(ReportSubscription.report_code, ReportSubscription.id)
    return list(env.sudo().scalars(stmt))


def get_subscription(env: Env, subscription_id: int) -> ReportSubscription:
    """One of the env user's subscriptions; another user's (or a missing one) is refused."""
    row = env.sudo().scalar(_own(env).where(ReportSubscription.id == subscription_id))
    if row is None:
        raise AccessDenied(_("This subscription does not exist or is not yours."))
    return row


def _checked_schedule(env: Env, schedule: str, weekday: Any, day: Any, channel: str) -> tuple[int | None, int | None]:
    errors: dict[str, str] = {}
    if schedule not in SCHEDULES:
        errors["schedule"] = _("Unknown schedule: %(value)s.", value=schedule)
    if channel not in CHANNELS:
        errors["channel"] = _("Unknown channel: %(value)s.", value=channel)
    elif channel == "email" and not env.user.email:
        errors["channel"] = _("You have no e-mail address: choose the inbox.")
    wd = dy = None
    if schedule == "weekly":
        try:
            wd = int(weekday)
            if not 0 <= wd <= 6:
                raise ValueError
        except (TypeError, ValueError):
            errors["weekday"] = _("Choose a day of the week.")
    if schedule == "monthly":
        try:
            dy = int(day)
            if not 1 <= dy <= MAX_DAY:
                raise ValueError
        except (TypeError, ValueError):
            errors["day"] = _("Choose a day of the month between 1 and %(max)s.", max=MAX_DAY)
    if errors:
        raise ValidationError(_("The subscription is not valid: %(errors)s", errors="; ".join(errors.values())), errors)
    return wd, dy


def _checked_params(env: Env, code: str, params: Mapping[str, Any]) -> dict[str, list[str]]:
    """The parameters as the report's form keeps them (raises when the form refuses them)."""
    from core.reports.registry import check_access, get_report
    from core.reports.run import ReportParamsError, bind_params

    report = get_report(env, code)
    check_access(env, report)
    form = bind_params(env, report, params)
    if not form.validate():
        raise ReportParamsError(form)
    return form.query_args().to_dict(flat=False)


def subscribe(env: Env, code: str, params: Mapping[str, Any], schedule: str = "weekly", weekday: Any = 0,
              day: Any = 1, channel: str = "inbox") -> ReportSubscription:
    """Subscribe the env user to report ``code`` with ``params`` (checked now and again at each sending)."""
    stored = _checked_params(env, code, params)
    wd, dy = _checked_schedule(env, schedule, weekday, day, channel)
    row = ReportSubscription(company_id=env.company_id, user_id=env.user_id, report_code=code,
                             params=json.dumps(stored, ensure_ascii=False, sort_keys=True), schedule=schedule,
                             weekday=wd, day=dy, channel=channel, active=True, created_at=utcnow())
    env.session.add(row)
    env.session.flush()
    return row


def update_subscription(env: Env, subscription_id: int, *, schedule: str, weekday: Any = None, day: Any = None,
                        channel: str = "inbox", active: bool = True) -> ReportSubscription:
    """Change the schedule, channel or active flag of one of the env user's subscriptions."""
    row = get_subscription(env, subscription_id)
    wd, dy = _checked_schedule(env, schedule, weekday, day, channel)
    row.schedule, row.weekday, row.day, row.channel, row.active = schedule, wd, dy, channel, bool(active)
    env.session.flush()
    return row


def delete_subscription(env: Env, subscription_id: int) -> None:
    """Delete one of the env user's subscriptions."""
    row = get_subscription(env, subscription_id)
    env.session.delete(row)
    env.session.flush()


def schedule_label(row: ReportSubscription, lang: str | None = None) -> str:
    """``Weekly, Monday`` / ``Monthly, day 3`` / ``Daily`` in ``lang``."""
    text = SCHEDULES.label(row.schedule, lang)
    if row.schedule == "weekly" and row.weekday is not None:
        return f"{text} · {WEEKDAYS.label(str(row.weekday), lang)}"
    if row.schedule == "monthly" and row.day is not None:
        return f"{text} · {row.day}"
    return text


# ----- when ------------------------------------------------------------------------------------
def period_key(row: ReportSubscription, today: dt.date) -> dt.date:
    """The scheduled day of the current period: today (daily), the last ``weekday`` (weekly) or ``day`` (monthly) on or before ``today``."""
    if row.schedule == "weekly":
        return today - dt.timedelta(days=(today.weekday() - (row.weekday or 0)) % 7)
    if row.schedule == "monthly":
        day = row.day or 1
        if today.day >= day:
            return today.replace(day=min(day, calendar.monthrange(today.year, today.month)[1]))
        prev = today.replace(day=1) - dt.timedelta(days=1)
        return prev.replace(day=min(day, calendar.monthrange(prev.year, prev.month)[1]))
    return today


def is_due(row: ReportSubscription, today: dt.date, created_local: dt.date) -> bool:
    """Whether the current period's day has come, is not before the subscription, and was not delivered."""
    key = period_key(row, today)
    return key >= created_local and row.last_period != key.isoformat()


def report_path(code: str, params: Mapping[str, Any]) -> str:
    """The site path of a report page with its parameters (``/reports/pricing.margin?period=last_month``)."""
    query = urlencode([(k, v) for k, vs in sorted(params.items()) for v in (vs if isinstance(vs, list) else [vs])])
    return f"/reports/{quote(code)}" + (f"?{query}" if query else "")


# ----- delivery --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Delivery:
    """What :func:`deliver_due` did for one subscription.

    ``sent``; ``failed`` (the user is told why: no longer allowed, parameters
    refused); ``skipped`` (the user is disabled or left the company); ``error``
    (an unexpected failure, logged and rolled back: the period is tried again
    at the next run).
    """

    subscription_id: int
    user_id: int
    period: str
    outcome: str
    rows: int = 0
    reason: str = ""


def _company_zones(session: Any) -> dict[int, ZoneInfo]:
    from core.measures import DEFAULT_TZ

    # the kernel's own read: each company's time zone decides its subscriptions' days
    return {cid: ZoneInfo(tz or DEFAULT_TZ) for cid, tz in session.execute(select(Company.id, Company.timezone))}


def deliver_due(registry: Any, now: dt.datetime | None = None) -> list[Delivery]:
    """Deliver every subscription due at ``now`` (default: the current time); see the module docstring.

    ``registry`` is the instance's :class:`core.registry.Registry` (its
    ``Session`` factory opens one transaction per subscription). ``now`` must
    be timezone-aware. Returns one :class:`Delivery` per subscription handled
    (nothing for those not due). Safe to call as often as wanted.
    """
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("deliver_due: now must be timezone-aware")
    with registry.Session() as s:
        zones = _company_zones(s)
        # the kernel's own read: every active subscription of the database, a few columns
        candidates = list(s.execute(
            select(ReportSubscription.id, ReportSubscription.company_id)
            .where(ReportSubscription.active.is_(True)).order_by(ReportSubscription.id)))
    out = []
    for sub_id, company_id in candidates:
        today = now.astimezone(zones.get(company_id, ZoneInfo("Asia/Shanghai"))).date()
        try:
            result = _deliver_one(registry, sub_id, today, now, zones.get(company_id) or ZoneInfo("Asia/Shanghai"))
        except Exception as exc:  # noqa: BLE001 - one broken report must not stop the others; retried next run
            log.exception("report subscription %s: delivery failed", sub_id)
            result = Delivery(sub_id, 0, today.isoformat(), "error", reason=str(exc))
        if result is not None:
            out.append(result)
    return out


def _claim(session: Any, row: ReportSubscription, key: str, now: dt.datetime) -> bool:
    """Mark the period delivered unless somebody already did (a conditional UPDATE: one winner)."""
    stmt = (
        update(ReportSubscription)
        .where(ReportSubscription.id == row.id,
               or_(ReportSubscription.last_period.is_(None), ReportSubscription.last_period != key))
        .values(last_period=key, last_sent=now)
        .execution_options(synchronize_session=False)
    )
    return session.execute(stmt).rowcount == 1


def _deliver_one(registry: Any, sub_id: int, today: dt.date, now: dt.datetime, tz: ZoneInfo) -> Delivery | None:
    with registry.Session() as s, s.begin():
        row = s.get(ReportSubscription, sub_id)
        if row is None or not row.active:
            return None
        if not is_due(row, today, row.created_at.astimezone(tz).date()):
            return None
        key = period_key(row, today).isoformat()
        if not _claim(s, row, key, now):
            return None
        user = s.get(User, row.user_id)
        params = json.loads(row.params or "{}")
        try:
            env = _subscriber_env(registry, s, row)
        except AccessDenied as exc:  # disabled user, or no longer in the company: nothing to send to
            log.info("report subscription %s: %s", row.id, exc)
            return Delivery(row.id, row.user_id, key, "skipped", reason=str(exc))
        with use_lang(user.lang if user else None) as lang:
            return _compute_and_notify(env, row, params, today, key, lang)


def _subscriber_env(registry: Any, session: Any, row: ReportSubscription) -> Env:
    """The subscriber's own Env in the subscription's company (their rights now, not when they subscribed)."""
    from core.security.env import Env

    return Env(registry, session, row.user_id, row.company_id)


def _compute_and_notify(env: Env, row: ReportSubscription, params: dict, today: dt.date, key: str, lang: str) -> Delivery:
    from core.notifications import notify
    from core.reports.export import sheet_title, to_xlsx
    from core.reports.registry import UnknownReport, reports
    from core.reports.run import ReportParamsError, run_report

    declared = reports(env.registry).get(row.report_code)
    title: Any = declared.title if declared is not None else row.report_code
    url = report_path(row.report_code, params)
    email = row.channel == "email"
    try:
        with env.session.begin_nested():
            result = run_report(env, row.report_code, params, today=today)
    except (AccessDenied, UnknownReport, ReportParamsError) as exc:
        notify(env, [row.user_id], "core.report_failed", title=title, reason=str(exc), url=url,
               inapp=True, email=email)
        return Delivery(row.id, row.user_id, key, "failed", reason=str(exc))
    period = ""
    if result.params.get("date_from") and result.params.get("date_to"):
        period = f"{result.params['date_from'].isoformat()} - {result.params['date_to'].isoformat()}"
    attachments = []
    if email:
        name = f"{sheet_title(label(title, lang))}-{key}.xlsx"
        attachments.append((name, to_xlsx(result, lang), XLSX))
    notify(env, [row.user_id], "core.report_ready", title=title, period=period or key, rows=len(result.rows),
           url=url, inapp=True, email=email, attachments=attachments)
    return Delivery(row.id, row.user_id, key, "sent", rows=len(result.rows))
