"""Promotion plans (推广计划), their activities, market activities and research, and the calendar.

A plan has a channel, start and end dates, key dates, an owner and a
supervisor, the expected effect (reach, leads, acceptance score), a budget
amount and a **budget line** (``budget_line_id``: a plain id, the budget addon
is optional). When the ``budget`` addon is enabled for the company, saving a
plan with a budget line asks budget whether the line can carry the amount
(:func:`check_budget`); without it the link is stored and shown as is.

Activities belong to a plan (kind ``promotion``) or stand alone as market
activities or market research (plan, run, evaluate): planned cost, then the
actual cost (Decimal), attendance, reach, leads and the evaluation.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Employee
from core.errors import ValidationError
from core.i18n import _

from ..models import ACTIVITY_KIND, PLAN_STATE, MarketActivity, PromotionChannel, PromotionPlan
from .common import check_period, parse_date, parse_int, parse_money, required_text

if TYPE_CHECKING:
    from core.security.env import Env

#: allowed plan state moves (draft -> running -> done; draft/running -> cancelled)
PLAN_MOVES = {"draft": ("running", "cancelled"), "running": ("done", "cancelled"), "done": (), "cancelled": ()}


def budget_api(env: Env) -> Any:
    """The budget addon's services when it is enabled for the company, else None (imported lazily)."""
    if "budget" not in env.enabled:
        return None
    try:
        from addons.budget import services as budget_services
    except ImportError:  # enabled in a database whose code is not deployed here
        return None
    return budget_services


#: the budget category a channel's plans are budgeted in (budget's category codes); others: advertising
CHANNEL_CATEGORY = {"trade_media": "advertising", "online": "advertising", "academic_conference": "conferences",
                    "exhibition": "conferences", "customer_seminar": "conferences"}
OPEN_PLANS = ("draft", "running")


def outstanding(plan_amount: Decimal, actual_cost: Decimal) -> Decimal:
    """What a plan still holds of its line: its budget less what its activities already cost (never below 0)."""
    return max(Decimal(plan_amount or 0) - Decimal(actual_cost or 0), Decimal("0.00"))


def held_by_others(env: Env, line_id: int, plan: PromotionPlan | None) -> Decimal:
    """What the other open plans on budget line ``line_id`` still hold (their budgets less their actual costs)."""
    from sqlalchemy import func

    # sudo: every plan on the line counts, whoever may read it (as budget counts everybody's claims)
    sudo = env.sudo()
    where = [PromotionPlan.budget_line_id == line_id, PromotionPlan.state.in_(OPEN_PLANS)]
    if plan is not None:
        where.append(PromotionPlan.id != plan.id)
    rows = list(sudo.execute(sudo.select(PromotionPlan, PromotionPlan.id, PromotionPlan.budget_amount).where(*where)))
    if not rows:
        return Decimal("0.00")
    costs = dict(sudo.execute(sudo.select(MarketActivity, MarketActivity.plan_id, func.sum(MarketActivity.actual_cost))
                              .where(MarketActivity.plan_id.in_([r[0] for r in rows]))
                              .group_by(MarketActivity.plan_id)).all())
    return sum((outstanding(amount, costs.get(pid) or 0) for pid, amount in rows), Decimal("0.00"))


def check_budget(env: Env, line_id: int | None, amount: Decimal, on: dt.date, plan: PromotionPlan | None = None) -> None:
    """Ask budget whether ``line_id`` may carry ``amount`` with the other open plans on it (a ValidationError when not).

    The plans of a line together may not promise more than the line has left: what is
    asked of budget is this plan's amount (less what its activities already cost) plus
    what the other open plans on the line still hold. The contract budget satisfies:
    ``check_commitment(env, line_id, amount, on=..., source=...)`` raises
    :class:`core.errors.ValidationError` in the user's language when the line does not
    exist, is not readable, or has not enough left; returns otherwise. No budget: nothing checked.
    """
    if line_id is None:
        return
    api = budget_api(env)
    check = getattr(api, "check_commitment", None) if api is not None else None
    if check is None:
        return
    own = Decimal(amount or 0)
    if plan is not None:
        own = outstanding(own, plan_figures(env, plan)["actual_cost"])
    others = held_by_others(env, line_id, plan)
    try:
        check(env, line_id, own + others, on=on, source=("brand_campaigns_plan", plan.id if plan else None))
    except ValidationError as exc:
        if not others:
            raise
        held = f"{others:,.2f}"
        msg = _("%(refusal)s Other open plans on this budget line already hold %(held)s of it.",
                refusal=str(exc), held=held)
        raise ValidationError(msg, {"budget_amount": msg}) from None


def brand_plan(env: Env, year: int) -> list[PromotionPlan]:
    """The year's open and finished plans (not cancelled) that no budget line carries yet: the brand plan."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return env.search(PromotionPlan, PromotionPlan.start_date <= last, PromotionPlan.end_date >= first,
                      PromotionPlan.state != "cancelled", PromotionPlan.budget_line_id.is_(None),
                      PromotionPlan.budget_amount > 0, order_by=[PromotionPlan.start_date, PromotionPlan.id])


def phase_plan(plan: PromotionPlan, year: int) -> dict[dt.date, Decimal]:
    """A plan's budget over the months of ``year`` it runs in, by days (to the cent; the last month takes the rest)."""
    first, last = max(plan.start_date, dt.date(year, 1, 1)), min(plan.end_date, dt.date(year, 12, 31))
    days: dict[dt.date, int] = {}
    day = first
    while day <= last:
        key = day.replace(day=1)
        days[key] = days.get(key, 0) + 1
        day += dt.timedelta(days=1)
    total_days = sum(days.values())
    amount = Decimal(plan.budget_amount or 0)
    out: dict[dt.date, Decimal] = {}
    left = amount
    months = sorted(days)
    for i, month in enumerate(months):
        part = left if i == len(months) - 1 else (amount * days[month] / total_days).quantize(Decimal("0.01"))
        out[month] = part
        left -= part
    return out


def budget_from_plans(env: Env, year: int, name: str | None = None, owner_id: int | None = None) -> Any:
    """The year's campaign budget (budget addon) derived from the brand plan, with the plans linked to its lines.

    Each plan of :func:`brand_plan` goes to the budget category of its channel
    (:data:`CHANNEL_CATEGORY`), phased over its months by days; the budget is a draft
    (``owner_kind`` campaign, ``campaign_code`` ``BRAND-<year>``) to review, submit and
    have approved on budget's pages. Everything is checked before anything is written.
    """
    api = budget_api(env)
    if api is None:
        raise ValidationError(_("The budget addon is not enabled for this company."))
    from addons.budget.services import budgets as B

    plans = brand_plan(env, year)
    if not plans:
        raise ValidationError(_("No plan of %(year)s with a budget is waiting for a budget line.", year=year))
    cats = {c.code: c.id for c in B.categories(env)}
    cells: dict[tuple[int, dt.date], Decimal] = {}
    plan_cat: dict[int, int] = {}
    for p in plans:
        code = CHANNEL_CATEGORY.get(p.channel.code, "advertising")
        if code not in cats:
            raise ValidationError(_("The budget has no expense category %(code)s for the channel %(channel)s.",
                                    code=code, channel=p.channel.display()))
        plan_cat[p.id] = cats[code]
        for month, part in phase_plan(p, year).items():
            key = (cats[code], month)
            cells[key] = cells.get(key, Decimal("0.00")) + part
    for cat in set(plan_cat.values()):  # every month of a line has its phase row
        for month in (dt.date(year, m, 1) for m in range(1, 13)):
            cells.setdefault((cat, month), Decimal("0.00"))
    with env.session.begin_nested():
        budget = B.create_budget(env, {"owner_kind": "campaign", "year": year, "campaign_code": f"BRAND-{year}",
                                       "name": name or _("Brand promotion budget"), "owner_id": owner_id,
                                       "basis": _("Derived from %(n)s promotion plans", n=len(plans))})
        lines = {ln.category_id: ln.id for ln in B.set_lines(env, budget, cells)}
        for p in plans:
            env.write(p, {"budget_line_id": lines[plan_cat[p.id]]})
    return budget


def _employee(env: Env, value: Any, field: str, label: str, required: bool) -> int | None:
    n = parse_int(value, field, label, 1, required=required)
    if n is None:
        return None
    # sudo: owners and supervisors are named by id; the page offers the company's employees
    if env.sudo().get(Employee, n) is None:
        msg = _("%(field)s: no such employee.", field=label)
        raise ValidationError(msg, {field: msg})
    return n


def _channel(env: Env, value: Any) -> int:
    n = parse_int(value, "channel_id", _("Channel"), 1, required=True)
    if env.sudo().get(PromotionChannel, n) is None:
        msg = _("Choose a channel.")
        raise ValidationError(msg, {"channel_id": msg})
    return n


def validate_plan(env: Env, values: Mapping[str, Any]) -> dict[str, Any]:
    """The checked values of a plan: name, channel, dates in order, people, expected effect, budget."""
    start = parse_date(values.get("start_date"), "start_date", _("Start date"))
    end = parse_date(values.get("end_date"), "end_date", _("End date"))
    check_period(start, end)
    score = values.get("expected_score")
    clean = {
        "name": required_text(values.get("name"), "name", _("Name")),
        "channel_id": _channel(env, values.get("channel_id")),
        "start_date": start, "end_date": end,
        "key_dates": (values.get("key_dates") or "").strip() or None,
        "owner_id": _employee(env, values.get("owner_id"), "owner_id", _("Owner"), True),
        "supervisor_id": _employee(env, values.get("supervisor_id"), "supervisor_id", _("Supervisor"), False),
        "expected_effect": (values.get("expected_effect") or "").strip() or None,
        "expected_reach": parse_int(values.get("expected_reach"), "expected_reach", _("Expected reach")) or 0,
        "expected_leads": parse_int(values.get("expected_leads"), "expected_leads", _("Expected leads")) or 0,
        "expected_score": None,
        "budget_amount": parse_money(values.get("budget_amount"), "budget_amount", _("Budget")) or Decimal("0.00"),
        "budget_line_id": parse_int(values.get("budget_line_id"), "budget_line_id", _("Budget line"), 1),
    }
    if score not in (None, ""):
        s = parse_money(score, "expected_score", _("Expected acceptance (1-5)"))
        if s is None or not (Decimal(1) <= s <= Decimal(5)):
            msg = _("%(field)s must be between 1 and 5.", field=_("Expected acceptance (1-5)"))
            raise ValidationError(msg, {"expected_score": msg})
        clean["expected_score"] = s
    if values.get("positioning_id"):
        clean["positioning_id"] = parse_int(values.get("positioning_id"), "positioning_id", _("Brand positioning"), 1)
    return clean


def save_plan(env: Env, values: Mapping[str, Any], plan: PromotionPlan | None = None) -> PromotionPlan:
    """Create or edit a plan; all checks (and budget's, when enabled) before anything is written."""
    clean = validate_plan(env, values)
    if plan is not None and plan.state in ("done", "cancelled"):
        raise ValidationError(_("A finished or cancelled plan cannot be changed."))
    changed = plan is None or (clean["budget_line_id"], clean["budget_amount"]) != (plan.budget_line_id,
                                                                                   plan.budget_amount)
    if changed:  # a plan whose budget is what it was is not refused for what others did since
        check_budget(env, clean["budget_line_id"], clean["budget_amount"], clean["start_date"], plan)
    with env.session.begin_nested():
        if plan is None:
            return env.create(PromotionPlan, clean)
        env.write(plan, clean)
        return plan


def move_plan(env: Env, plan: PromotionPlan, state: str) -> PromotionPlan:
    """Start, finish or cancel a plan."""
    if state not in PLAN_MOVES.get(plan.state, ()):
        raise ValidationError(_("A plan cannot go from %(a)s to %(b)s.", a=PLAN_STATE.label(plan.state),
                                b=PLAN_STATE.label(state)))
    with env.session.begin_nested():
        env.write(plan, {"state": state})
    return plan


def validate_activity(env: Env, values: Mapping[str, Any], plan: PromotionPlan | None) -> dict[str, Any]:
    """The checked values of an activity (dates in order, costs and counts not negative)."""
    kind = values.get("kind") or ("promotion" if plan is not None else "market_activity")
    if kind not in ACTIVITY_KIND:
        msg = _("Choose the kind of activity.")
        raise ValidationError(msg, {"kind": msg})
    start = parse_date(values.get("start_date"), "start_date", _("Start date"))
    end = parse_date(values.get("end_date") or start, "end_date", _("End date"))
    check_period(start, end)
    channel = values.get("channel_id") or (plan.channel_id if plan is not None else None)
    return {
        "kind": kind, "plan_id": plan.id if plan is not None else None,
        "name": required_text(values.get("name"), "name", _("Name")),
        "channel_id": _channel(env, channel), "start_date": start, "end_date": end,
        "location": (values.get("location") or "").strip() or None,
        "owner_id": _employee(env, values.get("owner_id"), "owner_id", _("Owner"), False),
        "planned_cost": parse_money(values.get("planned_cost"), "planned_cost", _("Planned cost")) or Decimal("0.00"),
    }


def add_activity(env: Env, values: Mapping[str, Any], plan: PromotionPlan | None = None) -> MarketActivity:
    """A new activity of ``plan`` (or a market activity / research without a plan)."""
    clean = validate_activity(env, values, plan)
    with env.session.begin_nested():
        return env.create(MarketActivity, clean)


def record_result(env: Env, activity: MarketActivity, values: Mapping[str, Any]) -> MarketActivity:
    """The run activity's actual cost, attendance, reach, leads, findings; ``evaluation`` makes it evaluated."""
    clean = {
        "actual_cost": parse_money(values.get("actual_cost"), "actual_cost", _("Actual cost"), required=True),
        "attendance": parse_int(values.get("attendance"), "attendance", _("Attendance")),
        "reach": parse_int(values.get("reach"), "reach", _("Reach")),
        "leads": parse_int(values.get("leads"), "leads", _("Leads")),
        "findings": (values.get("findings") or "").strip() or None,
        "evaluation": (values.get("evaluation") or "").strip() or None,
    }
    clean["state"] = "evaluated" if clean["evaluation"] else "done"
    with env.session.begin_nested():
        env.write(activity, clean)
    return activity


def plan_figures(env: Env, plan: PromotionPlan) -> dict[str, Any]:
    """Expected against actual for a plan: cost vs budget, reach, leads, attendance."""
    acts = env.search(MarketActivity, MarketActivity.plan_id == plan.id)
    cost = sum((a.actual_cost or Decimal(0) for a in acts), Decimal("0.00"))
    return {"activities": acts, "actual_cost": cost, "budget": plan.budget_amount,
            "reach": sum(a.reach or 0 for a in acts), "leads": sum(a.leads or 0 for a in acts),
            "attendance": sum(a.attendance or 0 for a in acts)}


# ----- calendar ------------------------------------------------------------------------------
def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of ``month``'s month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def calendar_events(env: Env, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Plans and activities overlapping ``first..last`` the user may read, by start date."""
    out: list[dict[str, Any]] = []
    for p in env.search(PromotionPlan, PromotionPlan.start_date <= last, PromotionPlan.end_date >= first, PromotionPlan.state != "cancelled"):
        out.append({"kind": "plan", "record": p, "name": p.name, "start": p.start_date, "end": p.end_date,
                    "channel": p.channel, "state": p.state})
    for a in env.search(MarketActivity, MarketActivity.start_date <= last, MarketActivity.end_date >= first):
        out.append({"kind": a.kind, "record": a, "name": a.name, "start": a.start_date, "end": a.end_date,
                    "channel": a.channel, "state": a.state})
    return sorted(out, key=lambda e: (e["start"], e["kind"] != "plan", e["name"]))


def month_grid(first: dt.date, events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Weeks (Monday first) of day cells ``{"day", "in_month", "events"}`` for the month of ``first``."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [[{"day": d, "in_month": d.month == first.month,
              "events": [e for e in events if e["start"] <= d <= e["end"]]} for d in week] for week in weeks]
