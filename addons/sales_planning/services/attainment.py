"""Plan vs actual: completion, gap, time elapsed and early warnings, by any dimension and period.

For a plan (the revision in force, else the latest), the planned amounts are
summed from its cells and the actuals read from the metric's measure
(:func:`~addons.sales_planning.services.actuals.actual_measure`), both through
``Env``: a salesperson gets their own line, a territory manager their subtree.

* ``completion`` = actual / plan; ``gap`` = plan - actual;
* ``elapsed`` = the share of the period's days gone by ``today`` (1 for a past
  period, 0 for a future one); ``expected`` = plan x elapsed;
* a **warning** when at least ``warn_elapsed`` of the period has gone and the
  actual is behind ``expected`` by more than ``warn_behind`` (the plan type's
  settings, 25 % and 10 % by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from addons.territories.models import territory_closure
from addons.territories.services import subtree_query
from core.errors import ValidationError
from core.i18n import _
from core.measures import measure_value

from ..measures import DIMS
from ..models import DIMENSION_ORDER, Cell, Plan
from .actuals import actual_measure, measure_dimension
from .engine import bucket, week_label
from .plans import CELL_COLUMNS, dims, measured, months

if TYPE_CHECKING:
    from core.security.env import Env

GRAINS = ("week", "month", "quarter", "year")
PCT = Decimal("0.0001")


@dataclass
class Line:
    """One row of plan vs actual."""

    key: tuple
    period: dt.date | None
    plan: Decimal = Decimal(0)
    actual: Decimal = Decimal(0)
    elapsed: Decimal = Decimal(0)
    labels: dict[str, str] = field(default_factory=dict)
    warn_behind: Decimal = Decimal("0.1")
    warn_elapsed: Decimal = Decimal("0.25")
    grain: str | None = None

    @property
    def period_text(self) -> str:
        """The period as shown: ``2026-W05`` for a week, ``2026-01`` otherwise (empty for the whole period)."""
        if self.period is None:
            return ""
        return week_label(self.period) if self.grain == "week" else f"{self.period:%Y-%m}"

    @property
    def gap(self) -> Decimal:
        """Plan minus actual (negative: ahead of plan)."""
        return self.plan - self.actual

    @property
    def completion(self) -> Decimal | None:
        """Actual / plan (``None`` without a plan)."""
        return (self.actual / self.plan).quantize(PCT, ROUND_HALF_UP) if self.plan else None

    @property
    def expected(self) -> Decimal:
        """What the plan expects by now."""
        return (self.plan * self.elapsed).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def behind(self) -> Decimal | None:
        """How far the actual is behind what is expected by now (share of expected; negative: ahead)."""
        exp = self.expected
        return ((exp - self.actual) / exp).quantize(PCT, ROUND_HALF_UP) if exp > 0 else None

    @property
    def warning(self) -> bool:
        """Behind by more than the threshold with enough of the period gone."""
        b = self.behind
        return self.elapsed >= self.warn_elapsed and b is not None and b > self.warn_behind


@dataclass
class Attainment:
    """The result: lines, the total line, the monthly series for the chart, what was read."""

    plan: Plan
    by: list[str]
    grain: str | None
    lines: list[Line]
    total: Line
    series: list[Line]
    measure: str


def _elapsed(start: dt.date, end: dt.date, today: dt.date) -> Decimal:
    if today > end:
        return Decimal(1)
    if today < start:
        return Decimal(0)
    days = (end - start).days + 1
    return (Decimal((today - start).days + 1) / Decimal(days)).quantize(PCT, ROUND_HALF_UP)


def _bucket_end(start: dt.date, grain: str | None, last: dt.date) -> dt.date:
    if grain is None:
        return last
    if grain == "week":
        return start + dt.timedelta(days=6)
    step = {"month": 1, "quarter": 3, "year": 12}[grain]
    m = start.month - 1 + step
    nxt = dt.date(start.year + m // 12, m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def scope_filters(env: Env, plan: Plan) -> dict[str, list[Any]]:
    """What a territory plan covers: its territory and the ones below."""
    if plan.territory_id is None:
        return {}
    return {"territory": list(env.scalars(subtree_query([plan.territory_id])))}


def attainment(
    env: Env,
    plan: Plan,
    by: list[str] | None = None,
    grain: str | None = None,
    filters: dict[str, list[Any]] | None = None,
    today: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Attainment:
    """Plan vs actual of ``plan`` grouped by ``by`` (dimensions of the plan) and ``grain``."""
    rev = measured(env, plan)
    by = [d for d in DIMENSION_ORDER if d in (by or [])]
    bad = [d for d in by + list(filters or {}) if d not in DIMENSION_ORDER]
    if bad:
        raise ValidationError(_("The plan has no dimension %(dim)s.", dim=bad[0]))
    if grain is not None and grain not in GRAINS:
        raise ValidationError(_("Unknown period grain: %(grain)s", grain=grain))
    if grain == "week" and rev.grain != "week":
        raise ValidationError(_("This plan is planned by months: split it into weeks to compare by week."))
    today = today or dt.date.today()
    plan_months = months(rev)  # the horizon (a weekly revision's week parts lie in these months)
    first, last = plan_months[0], dt.date(plan_months[-1].year, 12, 31)
    start = max(start or first, first)
    end = min(end or last, last)
    if start > end:
        raise ValidationError(_("The period ends before it starts."))
    filters = {k: list(v) for k, v in (filters or {}).items()}
    ptype = rev.plan_type

    warn_behind, warn_elapsed = Decimal(ptype.warn_behind), Decimal(ptype.warn_elapsed)

    def make(key: tuple, period: dt.date | None) -> Line:
        return Line(key=key, period=period, warn_behind=warn_behind, warn_elapsed=warn_elapsed,
                    grain=grain)

    lines: dict[tuple, Line] = {}
    series: dict[dt.date, Line] = {}

    def line_of(key: tuple, per: dt.date | None) -> Line:
        ln = lines.get((key, per))
        if ln is None:
            ln = lines[(key, per)] = make(key, per)
        return ln

    def month_of(month: dt.date) -> Line:
        ln = series.get(month)
        if ln is None:
            ln = series[month] = make((), month)
            ln.grain = "month"
        return ln
    # planned: sums of the revision's cells the user may read
    cols = [CELL_COLUMNS[d] for d in by]
    stmt = env.select(Cell, "read", Cell.period, func.sum(Cell.amount), *cols).where(
        Cell.plan_id == rev.id, Cell.period >= start.replace(day=1), Cell.period <= end)
    for d, values in filters.items():
        stmt = stmt.where(CELL_COLUMNS[d].in_(values))
    stmt = stmt.group_by(Cell.period, *cols)
    for row in env.execute(stmt):
        month, amount, key = row[0], Decimal(row[1] or 0), tuple(row[2:])
        per = bucket(month, grain) if grain else None
        line_of(key, per).plan += amount
        month_of(bucket(month, "month")).plan += amount
    # actual: the metric's measure, scoped like the plan
    measure = actual_measure(env, ptype.metric)
    mfilters = {measure_dimension(measure, k): v for k, v in {**scope_filters(env, rev), **filters}.items()}
    mby = [measure_dimension(measure, d) for d in by]
    roll = _territory_roll_up(env, {ln.key[by.index("territory")] for ln in lines.values()}) if "territory" in by else {}
    t_at = by.index("territory") if "territory" in by else None
    # a province's sales count for its planned region (rolled up in SQL)
    rolled = {mby[t_at]: {k: v for k, v in roll.items() if k != v}} if t_at is not None and roll else None
    # by week: the measure by day, each day counted in its ISO week (the week parts of a plan's weeks are days too)
    for r in measure_value(env, measure, period=(start, end), filters=mfilters, group_by=mby,
                           grain="day" if grain == "week" else "month", labels=False, roll_up=rolled):
        key = tuple(r.dims[d] for d in mby)
        month = r.period
        per = bucket(month, grain) if grain else None
        value = Decimal(r.value or 0)
        line_of(key, per).actual += value
        month_of(bucket(month, "month")).actual += value
    total = make((), None)
    for ln in lines.values():
        ln_start = ln.period or start
        ln.elapsed = _elapsed(max(ln_start, start), min(_bucket_end(ln_start, grain, end), end), today)
        total.plan += ln.plan
        total.actual += ln.actual
    total.elapsed = _elapsed(start, end, today)
    for month, ln in series.items():
        ln.elapsed = _elapsed(month, _bucket_end(month, "month", end), today)
    _label(env, by, lines.values())
    ordered = sorted(lines.values(), key=lambda x: (x.period or dt.date.min, [x.labels.get(d, "") for d in by]))
    return Attainment(plan=rev, by=by, grain=grain, lines=ordered, total=total,
                      series=[series[k] for k in sorted(series)], measure=measure)


def _territory_roll_up(env: Env, planned: set[Any]) -> dict[int, int]:
    """Each territory below a planned one, mapped to the planned one (the nearest planned ancestor)."""
    planned = {t for t in planned if t is not None}
    if not planned:
        return {}
    # sudo: the territory tree is the company's organisation, readable by all (company filter kept)
    rows = env.sudo().execute(select(territory_closure.c.descendant_id, territory_closure.c.ancestor_id,
                                     territory_closure.c.depth).where(territory_closure.c.ancestor_id.in_(planned)))
    best: dict[int, tuple[int, int]] = {}
    for desc, anc, depth in rows:
        if desc not in best or depth < best[desc][1]:
            best[desc] = (anc, depth)
    return {d: a for d, (a, _depth) in best.items()}


def _label(env: Env, by: list[str], lines: Any) -> None:
    lines = list(lines)
    dim_of = {d.name: d for d in DIMS}
    for i, d in enumerate(by):
        names = dim_of[d].labels(env, [ln.key[i] for ln in lines])
        for ln in lines:
            ln.labels[d] = names.get(ln.key[i], str(ln.key[i]))


def warnings(env: Env, plan: Plan, by: str = "territory", today: dt.date | None = None) -> list[Line]:
    """The members of ``by`` behind plan over the plan's period to date (the early warnings)."""
    today = today or dt.date.today()
    rev = measured(env, plan)
    if today < dt.date(rev.year, 1, 1):
        return []
    res = attainment(env, rev, by=[by] if by in dims(rev) or by == "territory" else [], today=today)
    return [ln for ln in res.lines if ln.warning]
