"""The planning engine alone (no database): exact splits, locks, bad input — property-based."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addons.sales_planning.services.engine import allocate, largest_remainder, months_of, roll_up
from core.errors import ValidationError

CENTS = st.integers(min_value=0, max_value=10**12).map(lambda n: Decimal(n) / 100)
WEIGHTS = st.lists(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
                   min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(total=CENTS, weights=WEIGHTS)
def test_parts_add_up_to_the_cent(total, weights):
    if sum(weights) == 0 and total:
        with pytest.raises(ValidationError):
            largest_remainder(total, weights)
        return
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 and p == p.quantize(Decimal("0.01")) for p in parts)
    whole = sum(weights)
    for p, w in zip(parts, weights, strict=True):  # each part within a cent of its exact share
        if whole:
            assert abs(p - total * w / whole) < Decimal("0.01")


@settings(max_examples=150, deadline=None)
@given(total=CENTS, n=st.integers(min_value=1, max_value=12),
       weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=12, max_size=12),
       locks=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.integers(0, 10**6)), max_size=6))
def test_allocation_keeps_every_parent_exact_and_respects_locks(total, n, weights, locks):
    members = [(i,) for i in range(n)]
    months = months_of(2027)
    mw = {m: Decimal(w) for m, w in zip(members, weights, strict=False)}
    locked = {(members[i % n], months[j]): Decimal(c) / 100 for i, j, c in locks}
    locked_sum = sum(locked.values(), Decimal(0))
    free = [m for m in members if any((m, mo) not in locked for mo in months)]
    try:
        cells = allocate(total, members, mw, months, lambda m: {mo: Decimal(mo.month) for mo in months}, locked)
    except ValidationError:
        # refused only for a reason: locks above the total, or nothing to split by
        assert locked_sum > total or (total - locked_sum and not any(mw.get(m, 0) for m in free))
        return
    assert sum(cells.values()) == total
    assert len(cells) == n * 12
    for key, amount in locked.items():
        assert cells[key] == amount
    by_member = roll_up(cells, lambda k: k[0])
    assert sum(by_member.values()) == total


def test_an_example_split_and_the_messages():
    assert largest_remainder(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert largest_remainder(Decimal("0.05"), [1, 1, 1, 1, 1, 1]) == [Decimal("0.01")] * 5 + [Decimal("0.00")]
    with pytest.raises(ValidationError, match="negative|负"):
        largest_remainder(Decimal("-1"), [1])
    with pytest.raises(ValidationError, match="zero|零"):
        largest_remainder(Decimal("10"), [0, 0])
    with pytest.raises(ValidationError):
        largest_remainder(Decimal("10"), [1, -1])
    months = months_of(2027)
    with pytest.raises(ValidationError, match="locked|锁定"):
        allocate(Decimal("10"), [("a",)], None, months, None, {(("a",), months[0]): Decimal("11")})
    with pytest.raises(ValidationError, match="outside|不在"):
        allocate(Decimal("10"), [("a",)], None, months, None, {(("b",), months[0]): Decimal("1")})
    assert months_of(2027, 3)[-1] == dt.date(2029, 12, 1)
