"""Scorecards: computed from the kernel measures for a period, reviewed, approved, frozen.

``compute(env, period_kind, day)`` builds (or rebuilds, while still a draft)
the scorecard of every active employee whose position has KPIs of that kind:
one grouped measure query per distinct measure (all people at once), then per
person actual, target, completion (actual / target, in %), score (the KPI's
curve) and weighted score (score x weight). An approved or submitted scorecard
is frozen: recomputing leaves it as it is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_

from addons.masterdata.models import Employee
from core.db import utcnow
from core.errors import AccessDenied, ValidationError
from core.i18n import _
from core.measures import get_measure, measure_value, period_of
from core.security import approvals

from ..models import QUALITATIVE, Definition, Scorecard, ScorecardLine
from ..workflows import SCORECARD_WORKFLOW
from .definitions import HUNDRED, q2, score

if TYPE_CHECKING:
    from core.security.env import Env

ZERO = Decimal("0.00")
#: the person dimension of a company-wide KPI
COMPANY = "company"


def _values(env: Env, name: str, dim: str, ids: list[int], period: tuple[dt.date, dt.date]) -> dict[int, Decimal]:
    """The measure ``name`` per person (``dim``) over ``period`` (none for a snapshot measure)."""
    m = get_measure(env, name)
    bounds = period if m.period else None
    if dim == COMPANY:  # a company-wide KPI (the director's): the same figure for everyone
        value = Decimal(measure_value(env, name, period=bounds, labels=False)[0].value)
        return {i: value for i in ids}
    rows = measure_value(env, name, period=bounds, filters={dim: ids}, group_by=[dim], labels=False)
    return {r[dim]: Decimal(r.value) for r in rows}


def line_figures(defn: Any, actual: Decimal, base: Decimal | None, target: Decimal | None) -> dict[str, Decimal]:
    """Actual (a ratio in % when ``base`` is given), target, completion, score and weighted score of one KPI."""
    if base is not None:
        actual = q2(actual * HUNDRED / base) if base else ZERO
    else:
        actual = q2(actual)
    target = q2(target or 0)
    completion = q2(actual * HUNDRED / target) if target > 0 else ZERO
    points = score(defn, completion)
    weight = Decimal(defn.weight)
    return {"actual": actual, "target": target, "completion": completion, "score": points, "weight": weight,
            "weighted": q2(points * weight / HUNDRED)}


def compute(env: Env, period_kind: str, day: dt.date, employee_ids: list[int] | None = None) -> list[Scorecard]:
    """Compute the scorecards of ``period_kind`` holding ``day`` (drafts rebuilt, frozen ones kept)."""
    start, end = period_of(day, period_kind)
    defs = env.search(Definition, Definition.active.is_(True), Definition.period_kind == period_kind,
                      order_by=[Definition.sequence, Definition.id])
    by_position: dict[str, list[Definition]] = defaultdict(list)
    for d in defs:
        by_position[d.position].append(d)
    if not by_position:
        return []
    where = [Employee.position.in_(list(by_position)), Employee.active.is_(True),
             or_(Employee.date_left.is_(None), Employee.date_left >= start)]
    if employee_ids is not None:
        where.append(Employee.id.in_(employee_ids))
    people = env.search(Employee, *where, order_by=[Employee.id])
    ids = [p.id for p in people]
    if not ids:
        return []
    cache: dict[tuple[str, str], dict[int, Decimal]] = {}

    def values(name: str, dim: str) -> dict[int, Decimal]:
        if (name, dim) not in cache:
            cache[(name, dim)] = _values(env, name, dim, ids, (start, end))
        return cache[(name, dim)]

    existing = {c.employee_id: c for c in env.search(Scorecard, Scorecard.period_kind == period_kind,
                                                       Scorecard.period_start == start, Scorecard.employee_id.in_(ids))}
    old_lines: dict[int, list[ScorecardLine]] = defaultdict(list)
    drafts = [c.id for c in existing.values() if c.state == "draft"]
    if drafts:
        for ln in env.search(ScorecardLine, ScorecardLine.scorecard_id.in_(drafts)):
            old_lines[ln.scorecard_id].append(ln)
    now = utcnow()
    new_cards: list[dict[str, Any]] = []
    new_lines: list[tuple[int, list[dict[str, Any]]]] = []  # index in new_cards (or -card id), lines
    out: list[Scorecard | None] = []
    for person in people:
        card = existing.get(person.id)
        if card is not None and card.state != "draft":
            out.append(card)  # frozen
            continue
        figures = []
        for d in by_position[person.position]:
            dim = d.person_dimension
            actual = values(d.measure, dim).get(person.id, Decimal("0"))
            base = values(d.ratio_measure, dim).get(person.id, Decimal("0")) if d.ratio_measure else None
            target = values(d.target_measure, dim).get(person.id) if d.target_measure else d.target
            figures.append((d, line_figures(d, actual, base, target)))
        total = sum((f["weighted"] for _d, f in figures), ZERO)
        rows = [{"employee_id": person.id, "definition_id": d.id, "sequence": d.sequence, "code": d.code,
                 "name_zh": d.name_zh, "name_en": d.name_en, "measure": d.measure, **f} for d, f in figures]
        if card is None:
            new_cards.append({"employee_id": person.id, "position": person.position, "period_kind": period_kind,
                              "period_start": start, "period_end": end, "state": "draft", "total_score": total,
                              "computed_at": now})
            new_lines.append((len(new_cards) - 1, rows))
            out.append(None)
        else:
            for ln in old_lines.get(card.id, ()):
                env.delete(ln)
            env.write(card, {"position": person.position, "total_score": total, "computed_at": now})
            new_lines.append((-card.id, rows))
            out.append(card)
    _bulk_write(env, new_cards, new_lines, now)
    if new_cards:
        made = {c.employee_id: c for c in env.search(Scorecard, Scorecard.period_kind == period_kind,
                                                       Scorecard.period_start == start,
                                                       Scorecard.employee_id.in_([c["employee_id"] for c in new_cards]))}
        out = [c if c is not None else made[p.id] for c, p in zip(out, people, strict=True)]
    return [c for c in out if c is not None]


def _bulk_write(env: Env, cards: list[dict[str, Any]], lines: list[tuple[int, list[dict[str, Any]]]],
                now: dt.datetime) -> None:
    """New scorecards and every line in two bulk inserts (rights checked here, one audit entry)."""
    from addons.masterdata.bulk import bulk_insert

    stamp = {"company_id": env.company_id, "created_at": now, "updated_at": now, "created_by_id": env.user_id,
             "updated_by_id": env.user_id, "version": 1, "active": True}
    ids: list[int] = []
    if cards:
        env.check(Scorecard, "create")
        env.check_references(Scorecard, cards)
        ids = bulk_insert(env.session, Scorecard.__table__, [{**c, **stamp} for c in cards], want_ids=True)
    rows = []
    for key, card_lines in lines:
        card_id = ids[key] if key >= 0 else -key
        rows.extend({**ln, **stamp, "scorecard_id": card_id} for ln in card_lines)
    if rows:
        env.check(ScorecardLine, "create")
        bulk_insert(env.session, ScorecardLine.__table__, rows)
    if cards or rows:
        env.audit("kpi_scorecard", 0, "computed", {"scorecards": len(cards), "lines": len(rows)})


def compute_job(ctx: Any) -> dict[str, int]:
    """The kernel job: on the 1st, last month's scorecards (and the quarter's, the year's when they end)."""
    year, month = (int(x) for x in str(ctx.period).split("-")[:2])
    day = dt.date(year, month, 1)
    kinds = ["month"] + (["quarter"] if month % 3 == 0 else []) + (["year"] if month == 12 else [])
    done = 0
    for i, kind in enumerate(kinds):
        ctx.progress(i, len(kinds), kind)
        done += len(compute(ctx.env, kind, day))
    ctx.progress(len(kinds), len(kinds))
    return {"scorecards": done}


def frozen(card: Scorecard) -> bool:
    """Whether the scorecard can no longer change (submitted or approved)."""
    return card.state != "draft"


def rate(env: Env, card: Scorecard, ratings: dict[str, Any], comment: str | None = None) -> Scorecard:
    """The manager's qualitative ratings (1-5 each); not on one's own scorecard, not once frozen."""
    from addons.masterdata.services import current_employee

    if card.state == "approved":
        raise ValidationError(_("The scorecard is approved: it can no longer change."))
    me = current_employee(env)
    if me is not None and me.id == card.employee_id:
        raise AccessDenied(_("Your manager rates your scorecard, not you."))
    values: dict[str, Any] = {}
    for key in QUALITATIVE:
        raw = ratings.get(key)
        if raw in (None, ""):
            values[key] = None
            continue
        try:
            v = int(raw)
        except (TypeError, ValueError):
            v = 0
        if not 1 <= v <= 5:
            raise ValidationError(_("A rating is a whole number from 1 to 5."), {key: _("A rating is a whole number from 1 to 5.")})
        values[key] = v
    values["comment"] = (comment or "").strip() or None
    env.write(card, values)
    return card


def qualitative_average(card: Scorecard) -> Decimal | None:
    """The average of the qualitative ratings given (None without any)."""
    given = [getattr(card, k) for k in QUALITATIVE if getattr(card, k) is not None]
    return q2(Decimal(sum(given)) / len(given)) if given else None


def fire(env: Env, card: Scorecard, transition: str, comment: str | None = None) -> Scorecard:
    """Submit, approve or send back a scorecard (kernel approvals); a person never approves their own."""
    from addons.masterdata.services import current_employee

    if transition == "approve":
        me = current_employee(env)
        if me is not None and me.id == card.employee_id:
            raise AccessDenied(_("Your manager rates your scorecard, not you."))
        if any(getattr(card, k) is None for k in QUALITATIVE):
            raise ValidationError(_("Give every qualitative rating before approving."))
    approvals.fire(env, SCORECARD_WORKFLOW, card, transition, comment=comment)
    return card


def transitions(env: Env, card: Scorecard) -> list[Any]:
    """What the user may do with the scorecard now."""
    if approvals.current_state(env, SCORECARD_WORKFLOW, card) != card.state:
        return []
    return approvals.available(env, SCORECARD_WORKFLOW, card)
