"""The allocation wizard's service: propose (preview) a top-down split, then apply it as a new revision.

Methods: ``even`` (every member alike), ``weights`` (a weight per member, as
entered), ``last_year`` (each member's share of last year's actuals). Months:
``even`` or ``last_year`` (each member's own seasonality of last year; evenly
where it had none). Locked cells of the current revision keep their amount.
Applying writes a new revision (the empty first draft is filled in place), so
the previous one stays, comparable and restorable: undo by version.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from addons.masterdata.models import Customer
from addons.territories.models import CustomerTerritory, Territory
from addons.territories.services import subtree_query
from core.errors import ValidationError
from core.i18n import N_, Choices, _
from core.measures import measure_value

from ..models import Cell, Plan
from .actuals import actual_measure, measure_dimension
from .attainment import scope_filters
from .engine import CellKey, Member, allocate, largest_remainder, quarter_of, week_parts
from .plans import (
    CellValue,
    dims,
    kept_cells,
    latest,
    months,
    new_revision,
    periods,
    quantum,
    read_cells,
    replace_cells,
)

if TYPE_CHECKING:
    from core.security.env import Env

METHODS = Choices({"even": N_("Evenly"), "weights": N_("By weights"), "last_year": N_("By last year's share")})
QTY_QUANTUM = Decimal("0.001")
SPREADS = Choices({"even": N_("Evenly over the months"), "last_year": N_("Like last year's months")})


@dataclass
class Proposal:
    """A previewed allocation: every cell, and the totals per member and quarter to check it by."""

    plan: Plan
    total: Decimal
    method: str
    spread: str
    cells: dict[CellKey, CellValue | Decimal]  # a bare amount, or a CellValue where more is kept
    members: list[Member]
    by_member: dict[Member, Decimal] = field(default_factory=dict)
    by_quarter: dict[dt.date, Decimal] = field(default_factory=dict)
    locked_total: Decimal = Decimal(0)

    @property
    def cell_count(self) -> int:
        """How many cells the plan will hold."""
        return len(self.cells)


def parse_amount(text: Any, what: str | None = None) -> Decimal:
    """A non-negative amount from a form field (``1,250,000.00``)."""
    try:
        value = Decimal(str(text).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise ValidationError(_("Enter the amount as a number, e.g. 125000.00.")) from None
    if not value.is_finite():
        raise ValidationError(_("Enter the amount as a number, e.g. 125000.00."))
    if value < 0:
        raise ValidationError(_("A target cannot be negative."))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("The amount %(amount)s has more than two decimals.", amount=str(value)))
    return value


def default_members(env: Env, plan: Plan) -> list[Member]:
    """Who a plan is split between by default.

    A company target: the top-level territories. A territory plan: the
    customers of the territory (and below) with their owner (no product).
    """
    plan_dims = dims(plan)
    if plan_dims == ["territory"]:
        tops = env.search(Territory, Territory.parent_id.is_(None), Territory.active.is_(True),
                          order_by=[Territory.sequence, Territory.code])
        if len(tops) == 1:
            tops = env.search(Territory, Territory.parent_id == tops[0].id, Territory.active.is_(True),
                              order_by=[Territory.sequence, Territory.code])
        return [(t.id,) for t in tops]
    if plan.territory_id is None:
        return []
    cust_ids = env.select(CustomerTerritory, "read", CustomerTerritory.customer_id).where(
        CustomerTerritory.territory_id.in_(subtree_query([plan.territory_id])), CustomerTerritory.date_to.is_(None))
    customers = env.search(Customer, Customer.id.in_(cust_ids), Customer.active.is_(True), order_by=[Customer.code])
    out = []
    for c in customers:
        values = {"customer": c.id, "salesperson": c.owner_id, "product": None, "territory": plan.territory_id,
                  "settlement": c.settlement_method}
        out.append(tuple(values[d] for d in plan_dims))
    return out


def last_year(env: Env, plan: Plan) -> dict[Member, dict[int, Decimal]]:
    """Last year's actuals per member and month of the year, in the plan's scope."""
    plan_dims = dims(plan)
    measure = actual_measure(env, plan.plan_type.metric)
    y = plan.year - 1
    filters = {measure_dimension(measure, k): v for k, v in scope_filters(env, plan).items()}
    group = [measure_dimension(measure, d) for d in plan_dims]
    out: dict[Member, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    roll: dict[int, int] = {}
    if plan_dims == ["territory"]:
        from .attainment import _territory_roll_up

        roll = _territory_roll_up(env, {m[0] for m in default_members(env, plan)})
    for r in measure_value(env, measure, period=(dt.date(y, 1, 1), dt.date(y, 12, 31)), filters=filters,
                           group_by=group, grain="month", labels=False):
        member = tuple(r[g] for g in group)
        if roll:
            member = (roll.get(member[0], member[0]),)
        out[member][r.period.month] += Decimal(r.value or 0)
    return out


def _history_of(history: Mapping[Member, Mapping[int, Decimal]], member: Member) -> dict[int, Decimal]:
    """Last year's figures of a member by month; a dimension the member leaves open (``None``) sums over its values."""
    if member in history:
        return dict(history[member])
    out: dict[int, Decimal] = defaultdict(Decimal)
    for key, months_ in history.items():
        if all(m is None or m == k for m, k in zip(member, key, strict=True)):
            for mo, v in months_.items():
                out[mo] += v
    return dict(out)


def propose(
    env: Env,
    plan: Plan,
    total: Decimal | str,
    method: str = "even",
    spread: str = "even",
    members: Sequence[Member] | None = None,
    weights: Mapping[Member, Decimal | str] | None = None,
) -> Proposal:
    """Preview a split of ``total`` over the plan (nothing is written)."""
    if method not in METHODS:
        raise ValidationError(_("Choose how to split the total."))
    if spread not in SPREADS:
        raise ValidationError(_("Choose how to spread over the months."))
    total = parse_amount(total)
    current = latest(env, plan)
    unit = quantum(current)
    if total != total.quantize(unit):
        raise ValidationError(_("A number of customers is a whole number."))
    plan_months = periods(current)  # months, or a weekly revision's week parts
    history = last_year(env, current) if "last_year" in (method, spread) else {}
    if members is None:
        members = list(history) if method == "last_year" else default_members(env, current)
    members = list(dict.fromkeys(members))
    plan_dims = dims(current)
    for m in members:
        if len(m) != len(plan_dims):
            raise ValidationError(_("A cell lies outside the plan's dimensions (%(dims)s).", dims=", ".join(plan_dims)))
    existing = kept_cells(env, current)  # only the cells an allocation keeps something of (not every cell)
    locked = {k: v.amount for k, v in existing.items() if v.locked}
    for (member, _month) in locked:
        if member not in members:
            members.append(member)
    member_weights: dict[Member, Decimal] | None = None
    if method == "weights":
        member_weights = {}
        for m in members:
            raw = (weights or {}).get(m, "0")
            try:
                w = Decimal(str(raw).replace(",", "").strip() or "0")
            except InvalidOperation:
                raise ValidationError(_("Enter each weight as a number.")) from None
            if w < 0:
                raise ValidationError(_("Weights cannot be negative."))
            member_weights[m] = w
        if not any(member_weights.values()):
            raise ValidationError(_("The weights add up to zero: there is no share to split by."))
    elif method == "last_year":
        member_weights = {m: sum(_history_of(history, m).values(), Decimal(0)) for m in members}
        if not any(member_weights.values()):
            raise ValidationError(_("There were no sales last year to share the total by: choose another method."))

    week_days = dict(p for mo in months(current) for p in week_parts(mo)) if current.grain == "week" else {}

    def season(member: Member) -> dict[dt.date, Decimal] | None:
        if spread != "last_year":
            # evenly over the days: a week part of 3 days gets 3/7 of a whole week's share
            return {w: Decimal(week_days[w]) for w in plan_months} if week_days else None
        by_month = _history_of(history, member)
        if not by_month:
            return None
        if current.grain == "week":  # last year's month, shared by the days of each week part
            return {w: by_month.get(w.month, Decimal(0)) * week_days[w] for w in plan_months}
        return {mo: by_month.get(mo.month, Decimal(0)) for mo in plan_months}

    split = allocate(total, members, member_weights, plan_months, season, locked, quantum=unit)
    # a cell is its amount (a Decimal) unless it keeps a quantity or a lock (a CellValue): no object per cell
    cells: dict[CellKey, CellValue | Decimal] = dict(split)
    for k, v in existing.items():
        if k in cells:
            cells[k] = CellValue(cells[k], v.quantity, k in locked)
    prop = Proposal(plan=current, total=total, method=method, spread=spread, cells=cells, members=members,
                    locked_total=sum(locked.values(), Decimal(0)))
    quarters = {mo: quarter_of(mo) for mo in plan_months}
    by_member: dict[Member, Decimal] = defaultdict(Decimal)
    by_quarter: dict[dt.date, Decimal] = defaultdict(Decimal)
    for (member, month), amount in split.items():
        by_member[member] += amount
        by_quarter[quarters[month]] += amount
    prop.by_member, prop.by_quarter = dict(by_member), dict(by_quarter)
    return prop


def apply(env: Env, proposal: Proposal) -> Plan:
    """Write a proposal: into the empty first draft, else as a new revision (the previous stays)."""
    current = latest(env, proposal.plan)
    if current.id != proposal.plan.id:
        raise ValidationError(_("The plan changed meanwhile: preview the allocation again."))
    empty = not env.scalar(env.select(Cell, "read", func.count(Cell.id)).where(Cell.plan_id == current.id))
    if empty and current.state == "draft":
        replace_cells(env, current, proposal.cells)
        env.audit("sales_planning_plan", current.id, "allocate",
                  {"method": [None, proposal.method], "total": [None, str(proposal.total)]})
        return current
    new = new_revision(env, current, proposal.cells,
                       note=_("Allocated %(total)s (%(method)s)", total=f"{proposal.total:,.2f}",
                              method=METHODS.label(proposal.method)))
    env.audit("sales_planning_plan", new.id, "allocate",
              {"method": [None, proposal.method], "total": [None, str(proposal.total)]})
    return new


def to_weeks(env: Env, plan: Plan) -> Plan:
    """Allocate each month of a monthly revision to its weeks: a new weekly revision (undo: restore the monthly one).

    The week rule (:func:`~.engine.week_parts`): a week crossing two months is
    split by days, so each month's cell is split between its week parts in
    proportion to their days, to the cent (largest remainder: the weeks of a
    month add up to the month exactly); quantities likewise to 0.001. A locked
    month gives locked weeks (they keep the month's amount through later
    allocations).
    """
    current = latest(env, plan)
    if current.grain == "week":
        raise ValidationError(_("This plan is already planned by weeks."))
    cells = read_cells(env, current)
    if not cells:
        raise ValidationError(_("The plan has no figures yet: allocate or enter them first."))
    parts = {mo: week_parts(mo) for mo in months(current)}
    unit = quantum(current)
    out: dict[CellKey, CellValue | Decimal] = {}
    for (member, month), value in cells.items():
        weeks = parts[month]
        days = [d for _start, d in weeks]
        amounts = largest_remainder(value.amount, days, unit)
        qtys = largest_remainder(value.quantity, days, QTY_QUANTUM) if value.quantity else [value.quantity] * len(weeks)
        for (start, _d), amount, qty in zip(weeks, amounts, qtys, strict=True):
            out[(member, start)] = CellValue(amount, qty, value.locked) if (qty is not None or value.locked) else amount
    new = new_revision(env, current, out, note=_("Split into weeks"), grain="week")
    env.audit("sales_planning_plan", new.id, "weeks", {"grain": ["month", "week"]})
    return new
