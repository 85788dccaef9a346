"""Test factories of the competency addon, for its own tests and other addons' tests.

Reached as ``world.factories.competency.assessment(env, employee, ...)`` or
``world.make("competency.assessment", env, ...)``. Factories create through
the env you pass: that user's rights, rules and reach apply, as in production.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.security.env import Env

FACTORIES = ("assessment",)


def assessment(env: Env, employee: Any, kind: str = "manager", period: str = "2026-H2",
               levels: Mapping[str, int] | int = 3, **fields: Any) -> Any:
    """An assessment of ``employee`` (record or id) by the env's user; ``levels``: ``{"A": 2, ...}`` or one level for all."""
    from .services import competencies, submit_assessment

    comps = competencies(env)
    if isinstance(levels, int):
        ratings = {c.code: levels for c in comps}
    else:
        ratings = {c.code: levels.get(c.code, 3) for c in comps}
    return submit_assessment(env, int(getattr(employee, "id", employee)), period, kind, ratings, **fields)
