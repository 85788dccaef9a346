"""The planning engine: exact top-down allocation and bottom-up roll-up, free of any table.

Reusable by any addon that plans figures (the budget addon plans money with
it). Amounts are ``Decimal``; every split is exact to the quantum (a cent by
default) by the largest-remainder method: the parts always add up to the
whole, and when they must be rounded, the cents go to the parts that lost the
most in rounding (ties to the earlier part, so a split is deterministic).

Allocation is hierarchical: a total is split between *members* (a territory,
or a customer x salesperson x product tuple) by member weights, and each
member's part between *months* by month weights. Locked cells keep their
amount: only what remains after them is split, between the members and months
that are not locked, so each member's total is its locked cells plus its part.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from core.errors import ValidationError
from core.i18n import _

CENT = Decimal("0.01")

Member = tuple
CellKey = tuple[Member, dt.date]


def _to_units(amount: Decimal, quantum: Decimal) -> int:
    units = amount / quantum
    if units != units.to_integral_value():
        raise ValidationError(_("The amount %(amount)s has more decimals than the plan keeps.", amount=amount))
    return int(units)


def largest_remainder(total: Decimal, weights: Sequence[Decimal | int | Fraction], quantum: Decimal = CENT) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``; the parts add up to ``total`` exactly.

    Refused with a clear message: a negative total, a negative weight, weights
    that sum to zero (while there is something to split).
    """
    total = Decimal(total)
    if total < 0:
        raise ValidationError(_("A target cannot be negative."))
    if not weights:
        if total == 0:
            return []
        raise ValidationError(_("There is nothing to split the amount between."))
    if type(weights) is list and weights and all(type(w) is int for w in weights) and len(set(weights)) == 1 \
            and weights[0] > 0:
        # equal weights (an even split): the same result, without sorting the remainders
        q, left = divmod(_to_units(total, quantum), len(weights))
        return [quantum * (q + 1) for _i in range(left)] + [quantum * q for _i in range(len(weights) - left)]
    ints = _integer_weights(weights)
    if any(w < 0 for w in ints):
        raise ValidationError(_("Weights cannot be negative."))
    whole = sum(ints)
    units = _to_units(total, quantum)
    if whole == 0:
        if units == 0:
            return [Decimal(0) * quantum for _w in ints]
        raise ValidationError(_("The weights add up to zero: there is no share to split by."))
    # Integer arithmetic only: part i is floor(units * w_i / whole) plus one unit for the
    # parts with the largest remainders (ties to the earlier part).
    floors, rests = [], []
    for w in ints:
        q, r = divmod(units * w, whole)
        floors.append(q)
        rests.append(r)
    left = units - sum(floors)
    if left:
        for i in sorted(range(len(ints)), key=lambda i: (-rests[i], i))[:left]:
            floors[i] += 1
    return [quantum * n for n in floors]


def _integer_weights(weights: Sequence[Decimal | int | Fraction]) -> list[int]:
    """The weights scaled to integers in the same proportion (exactly: no rounding)."""
    if all(type(w) is int for w in weights):
        return list(weights)  # type: ignore[arg-type]
    fr = [w if isinstance(w, Fraction) else Fraction(w) for w in weights]
    denominator = 1
    for f in fr:
        denominator = denominator * f.denominator // math.gcd(denominator, f.denominator)
    return [f.numerator * (denominator // f.denominator) for f in fr]


def week_parts(month: dt.date) -> list[tuple[dt.date, int]]:
    """The ISO weeks of a month, each cut at the month's edges: ``(first day, days)`` of every part.

    The documented week rule: a week that crosses two months is **split by
    days**, its part in each month belonging to that month (so months, quarters
    and years stay calendar ones, as the actuals are). A part starts on a
    Monday, or on the 1st of the month; its ISO week is the one of its first day.
    """
    first = dt.date(month.year, month.month, 1)
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    out = []
    day = first
    while day < nxt:
        end = min(day + dt.timedelta(days=7 - day.weekday()), nxt)
        out.append((day, (end - day).days))
        day = end
    return out


def weeks_of(year: int, horizon: int = 1) -> list[dt.date]:
    """The first days of the week parts (see :func:`week_parts`) of ``horizon`` years from January of ``year``."""
    return [start for m in months_of(year, horizon) for start, _days in week_parts(m)]


def week_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding ``day`` (the ``week`` grain's bucket)."""
    return day - dt.timedelta(days=day.weekday())


def week_label(monday: dt.date) -> str:
    """``2026-W05`` (ISO year and week)."""
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}"


def months_of(year: int, horizon: int = 1) -> list[dt.date]:
    """The first days of the months of ``horizon`` years from January of ``year``."""
    return [dt.date(year + y, m, 1) for y in range(horizon) for m in range(1, 13)]


def allocate(
    total: Decimal,
    members: Sequence[Member],
    member_weights: Mapping[Member, Decimal] | None,
    months: Sequence[dt.date],
    month_weights: Callable[[Member], Mapping[dt.date, Decimal] | None] | None = None,
    locked: Mapping[CellKey, Decimal] | None = None,
    quantum: Decimal = CENT,
) -> dict[CellKey, Decimal]:
    """Split ``total`` over ``members`` x ``months``; return every cell's amount (locked ones included).

    ``member_weights``: a weight per member (``None``: evenly). ``month_weights(member)``:
    the member's seasonality (``None`` or all zero: evenly over its months). A member
    whose every month is locked gets no part of what remains.
    """
    total = Decimal(total)
    if total < 0:
        raise ValidationError(_("A target cannot be negative."))
    if not members:
        raise ValidationError(_("Choose at least one member to allocate to."))
    if len(set(members)) != len(members):
        raise ValidationError(_("A member is listed twice."))
    locked = dict(locked or {})
    member_set, month_set = set(members), set(months)
    for (member, month), amount in locked.items():
        if member not in member_set or month not in month_set:
            raise ValidationError(_("A locked cell lies outside the plan's dimensions."))
        if amount < 0:
            raise ValidationError(_("A target cannot be negative."))
    locked_sum = sum(locked.values(), Decimal(0))
    remaining = total - locked_sum
    if remaining < 0:
        raise ValidationError(_(
            "The locked cells already hold %(locked)s, more than the total %(total)s.",
            locked=f"{locked_sum:,.2f}", total=f"{total:,.2f}",
        ))
    locked_members = {member for member, _month in locked}
    free_months: dict[Member, list[dt.date]] = {
        m: [mo for mo in months if (m, mo) not in locked] if m in locked_members else list(months) for m in members}
    open_members = [m for m in members if free_months[m]]
    if remaining and not open_members:
        raise ValidationError(_("Every cell is locked: unlock some to allocate the rest."))
    weights: list[Decimal | int] = ([1] * len(open_members) if member_weights is None
                                    else [Decimal(member_weights.get(m, 0)) for m in open_members])
    parts = largest_remainder(remaining, weights, quantum) if open_members else []
    out: dict[CellKey, Decimal] = dict(locked)
    even_splits: dict[tuple[Decimal, int], list[Decimal]] = {}  # an even split depends on the part and the count
    for member, part in zip(open_members, parts, strict=True):
        mos = free_months[member]
        season = month_weights(member) if month_weights else None
        mw: list[Decimal | int] = [Decimal(season.get(mo, 0)) for mo in mos] if season else []
        if not mw or not any(mw):
            split = even_splits.get((part, len(mos)))
            if split is None:
                split = even_splits[(part, len(mos))] = largest_remainder(part, [1] * len(mos), quantum)
        else:
            split = largest_remainder(part, mw, quantum)
        for mo, amount in zip(mos, split, strict=True):
            out[(member, mo)] = amount
    return out  # a member left out of open_members has every month locked: its cells are in ``out`` already


def roll_up(cells: Mapping[Hashable, Decimal], key: Callable[[Hashable], Hashable]) -> dict[Hashable, Decimal]:
    """Sum cells by ``key(cell_key)`` (bottom-up roll-up to any level)."""
    out: dict[Hashable, Decimal] = defaultdict(Decimal)
    for k, v in cells.items():
        out[key(k)] += v
    return dict(out)


def quarter_of(month: dt.date) -> dt.date:
    """First day of the month's quarter."""
    return dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)


def bucket(month: dt.date, grain: str) -> dt.date:
    """First day of the ``grain`` bucket (``week``, ``month``, ``quarter`` or ``year``) of a cell's period.

    A week part's bucket at ``week`` grain is its ISO week's Monday (which may
    lie in the month before); at coarser grains its own (calendar) month's.
    """
    if grain == "week":
        return week_of(month)
    if grain == "month":
        return dt.date(month.year, month.month, 1)
    if grain == "quarter":
        return quarter_of(month)
    if grain == "year":
        return dt.date(month.year, 1, 1)
    raise ValidationError(_("Unknown period grain: %(grain)s", grain=grain))
