"""Hooks the competency addon offers to others (the training addon reads gaps)."""

from __future__ import annotations

from core.plugins import hookspec


@hookspec(firstresult=True)
def tixi_competency_gaps(env, period, position):
    """Return the calibrated competency gaps the user may read, one dict per person and competency.

    Implemented by ``competency``; the training addon reads it to plan
    courses that close the gaps. Each dict has ``employee`` (a
    ``masterdata_employee`` id), ``competency`` (a ``competency_competency``
    id), ``position``, ``assessment_period`` and ``value`` (levels short of
    the position's requirement, 0 when met). ``period`` (``"2026"``,
    ``"2026-H2"``) and ``position`` filter when given. Rules apply: a
    manager gets their reports' gaps, HR everybody's.

    Example::

        rows = env.hooks.tixi_competency_gaps(env=env, period="2026-H2", position=None)
        needs = [r for r in rows if r["value"] > 0]
    """
