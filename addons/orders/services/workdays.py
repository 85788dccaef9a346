"""Working days of the company calendar: Chinese public holidays and make-up working days (调休).

Uses the maintained PyPI package ``chinese_calendar`` (LGPL, holidays per the
State Council's yearly notice); outside the years it knows, or when it is not
installed, Monday to Friday are working days.
"""

from __future__ import annotations

import datetime as dt


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day in mainland China (make-up Saturdays included)."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - the package is a dependency
        return day.weekday() < 5
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package does not cover yet
        return day.weekday() < 5


def next_workday(day: dt.date) -> dt.date:
    """The first working day after ``day``."""
    nxt = day + dt.timedelta(days=1)
    while not is_workday(nxt):
        nxt += dt.timedelta(days=1)
    return nxt


def shipped_late(approved_on: dt.date, shipped_on: dt.date) -> bool:
    """A delivery not shipped within one working day of its approval is late."""
    return shipped_on > next_workday(approved_on)
