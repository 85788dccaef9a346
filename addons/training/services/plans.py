"""Training plans of a year or a quarter, built from the open needs, approved.

:func:`generate_plan` is a greedy cover: it repeatedly takes the session of
an approved course that covers the most levels of open gap per yuan of cost
(a session seats the course's capacity: the people with the largest gaps on
the competencies it addresses), while the cost fits the remaining budget,
until no course adds cover. The covered needs are marked ``planned`` (with
the course and the plan); the rest stays open. Approval goes through the
kernel workflow ``training.plan``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from core.db import utcnow
from core.errors import AccessDenied, ValidationError
from core.i18n import _
from core.security import approvals

from ..models import Need, TrainingPlan, TrainingPlanLine
from ..workflows import PLAN_WORKFLOW
from .courses import approved_courses, parse_money

if TYPE_CHECKING:
    from core.security.env import Env

PERIOD_RE = re.compile(r"^\d{4}(-(H[12]|Q[1-4]))?$")
PLANNERS = ("core.group_marketing_admin", "core.group_director", "core.group_admin")


def check_period(period: Any) -> str:
    """A period code: ``2026``, ``2026-H2`` or ``2026-Q4``; a ``ValidationError`` otherwise."""
    text = str(period or "").strip().upper()
    if not PERIOD_RE.match(text):
        raise ValidationError(_("Enter the period as a year (2026), a half (2026-H2) or a quarter (2026-Q4)."))
    return text


def session_cost(course: Any) -> Decimal:
    """One session's cost: the course's own cost plus the lecturer's fee for its hours."""
    fee = Decimal(course.lecturer.fee_per_hour or 0) if course.lecturer else Decimal(0)
    return (Decimal(course.cost_per_session or 0) + fee * Decimal(course.duration_hours or 0)).quantize(Decimal("0.01"))


def greedy_cover(needs: list[tuple[int, int, str, int]], courses: list[Any], budget: Decimal) -> dict[str, Any]:
    """The greedy choice of sessions; ``needs``: ``(need id, employee, code, gap)``.

    Returns ``{"picks": [(course, [need ids], covered, cost)], "covered", "open", "cost"}``.
    """
    by_person: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for need_id, emp, code, gap in needs:
        cur = by_person[emp].get(code)
        if cur is None or gap > cur[1]:
            by_person[emp][code] = (need_id, gap)
    total = sum(g for person in by_person.values() for _i, g in person.values())
    info = [(c, {cc.code for cc in c.competencies}, session_cost(c), max(1, c.capacity or 1)) for c in courses]
    remaining = Decimal(budget)
    picks: list[tuple[Any, list[int], int, Decimal]] = []
    covered = 0
    while True:
        best = None
        for course, codes, cost, seats in info:
            if cost > remaining:
                continue
            gains = []
            for emp, person in by_person.items():
                gain = sum(g for code, (_i, g) in person.items() if code in codes)
                if gain:
                    gains.append((gain, emp))
            if not gains:
                continue
            gains.sort(key=lambda x: (-x[0], x[1]))
            chosen = gains[:seats]
            value = sum(g for g, _e in chosen)
            score = (Decimal(value) / cost) if cost > 0 else Decimal(10**9) * value
            key = (score, value, -course.id)
            if best is None or key > best[0]:
                best = (key, course, codes, cost, chosen, value)
        if best is None:
            break
        _key, course, codes, cost, chosen, value = best
        need_ids = []
        for _g, emp in chosen:
            for code in list(by_person[emp]):
                if code in codes:
                    need_ids.append(by_person[emp].pop(code)[0])
        picks.append((course, need_ids, value, cost))
        covered += value
        remaining -= cost
    return {"picks": picks, "covered": covered, "open": total - covered, "cost": Decimal(budget) - remaining}


def generate_plan(env: Env, year: Any, quarter: Any = None, budget: Any = 0, need_period: str | None = None,
                  name: str | None = None, budget_line_id: int | None = None) -> TrainingPlan:
    """Build a draft plan for ``year`` (and ``quarter`` 1..4) from the open needs within ``budget``.

    Refused, nothing saved: a year outside 2000..2100, a quarter outside 1..4,
    a negative or malformed budget, a plan already made for the period, no
    approved course or no open need. With ``budget_line_id`` and the budget
    addon enabled, the plan's cost must fit what that line has left
    (``addons.budget.services.check_commitment``, budget's own rules).
    """
    if not env.in_group(*PLANNERS):
        raise AccessDenied(_("Only HR (marketing admin) or the director build training plans."))
    try:
        year = int(str(year).strip())
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Enter the plan's year, such as 2026."))
    if quarter in (None, "", "0", 0):
        quarter = None
    else:
        try:
            quarter = int(str(quarter).strip().upper().lstrip("Q"))
        except ValueError:
            quarter = 0
        if quarter not in (1, 2, 3, 4):
            raise ValidationError(_("The quarter is 1, 2, 3 or 4 (or none for the whole year)."))
    amount = parse_money(budget, _("Budget"))
    if need_period:
        need_period = check_period(need_period)
    label = f"{year}" + (f"-Q{quarter}" if quarter else "")
    if env.sudo().count(TrainingPlan, TrainingPlan.year == year, TrainingPlan.quarter.is_(None) if quarter is None else TrainingPlan.quarter == quarter):
        raise ValidationError(_("A training plan for %(period)s already exists.", period=label))
    courses = approved_courses(env)
    if not courses:
        raise ValidationError(_("No approved course yet: a plan is built from approved courses."))
    where = [Need.state == "open"]
    if need_period:
        where.append(Need.period == need_period)
    rows = [(n.id, n.employee_id, n.code, n.gap) for n in env.search(Need, *where, order_by=[Need.id])]
    if not rows:
        raise ValidationError(_("There is no open training need: compute the needs from the gaps first."))
    result = greedy_cover(rows, courses, amount)
    lines: dict[int, dict[str, Any]] = {}
    for course, need_ids, value, cost in result["picks"]:
        line = lines.setdefault(course.id, {"course": course, "sessions": 0, "people": 0, "covered": 0,
                                            "cost": Decimal(0), "needs": []})
        line["sessions"] += 1
        line["covered"] += value
        line["cost"] += cost
        line["needs"] += need_ids
    if budget_line_id is not None and "budget" in env.enabled:
        from addons.budget.services import (
            check_commitment,  # optional dependency, imported when enabled
        )

        check_commitment(env, int(budget_line_id), result["cost"], on=dt.date(year, 3 * (quarter or 1) - 2, 1),
                         source=("training_plan", None))
    chosen = [i for v in lines.values() for i in v["needs"]]
    needs = dict(env.execute(env.select(Need, "read", Need.id, Need.employee_id).where(Need.id.in_(chosen))).all())
    with env.session.begin_nested():
        plan = env.create(TrainingPlan, {"name": (name or "").strip() or _("Training plan %(period)s", period=label),
                                 "year": year, "quarter": quarter, "need_period": need_period, "budget": amount,
                                 "total_cost": result["cost"], "covered_gap": result["covered"],
                                 "open_gap": result["open"], "state": "draft",
                                 "budget_line_id": budget_line_id})
        for seq, line in enumerate(lines.values(), start=1):
            people = {needs[i] for i in line["needs"] if i in needs}
            env.create(TrainingPlanLine, {"plan_id": plan.id, "course_id": line["course"].id, "sequence": seq * 10,
                                  "sessions": line["sessions"], "people": len(people),
                                  "covered_gap": line["covered"], "cost": line["cost"]})
            # the needs the line covers, in one statement: write right and rules checked in SQL
            env.check(Need, "write")
            stmt = update(Need).where(Need.id.in_(line["needs"]), env.rule_clause(Need, "write")).values(
                state="planned", plan_id=plan.id, course_id=line["course"].id, version=Need.version + 1,
                updated_at=utcnow(), updated_by_id=env.user_id).execution_options(synchronize_session=False)
            env.session.execute(stmt)  # tixi: session-ok (a bulk update; rights and rules checked in SQL above)
        env.audit("training_plan", plan.id, "needs_planned", {"needs": len(chosen)})
    for obj in list(env.session.identity_map.values()):
        if isinstance(obj, Need):
            env.session.expire(obj)  # updated in bulk above
    env.session.refresh(plan)
    return plan


def fire_plan(env: Env, plan: TrainingPlan, transition: str, comment: str | None = None) -> TrainingPlan:
    """Submit, approve or send back a plan (kernel approvals; the amount is the plan's cost)."""
    if transition == "submit" and not plan.lines:
        raise ValidationError(_("The plan has no course: nothing to submit."))
    approvals.fire(env, PLAN_WORKFLOW, plan, transition, comment=comment, amount=plan.total_cost)
    return plan


def plan_transitions(env: Env, plan: TrainingPlan) -> list[Any]:
    """What the user may do with the plan now."""
    if approvals.current_state(env, PLAN_WORKFLOW, plan) != plan.state:
        return []
    return approvals.available(env, PLAN_WORKFLOW, plan, plan.total_cost)
