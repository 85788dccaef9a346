"""Pricing authority: bands per role (how far below the floor a role may quote) and their checks."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from addons.pricing.models import AuthorityBand
from addons.pricing.services.helpers import fail, not_negative
from core.i18n import N_

if TYPE_CHECKING:
    from core.security.env import Env

#: Used when a company has not configured its own bands: % below floor per role.
DEFAULT_BANDS: list[tuple[str, int, Decimal | None]] = [
    ("core.group_salesperson", 10, Decimal("0")),
    ("core.group_territory_manager", 20, Decimal("5")),
    ("core.group_director", 30, Decimal("10")),
    ("core.group_committee", 40, None),
]


# ----- authority ----------------------------------------------------------------------------
def bands(env: Env) -> list[tuple[str, int, Decimal | None]]:
    """(group, sequence, % below floor allowed; None = no limit), lowest role first."""
    # the company's bands decide every approval, whoever asks (a salesperson pricing a quote too)
    rows = env.sudo().search(AuthorityBand, AuthorityBand.active.is_(True), order_by=[AuthorityBand.sequence])
    if not rows:
        return list(DEFAULT_BANDS)
    return [(r.group_code, r.sequence, None if r.max_below_floor_pct is None else Decimal(r.max_below_floor_pct)) for r in rows]


def configure_bands(env: Env, spec: Sequence[tuple[str, Any]]) -> list[AuthorityBand]:
    """Set the company's bands, lowest role first: ``[(group, pct or None), ...]``.

    Each role's band must be at least as wide as the one before it (else the
    chain of approvers would be inverted); a percentage is 0 or more.
    """
    cleaned: list[tuple[str, Decimal | None]] = []
    previous: Decimal | None = Decimal("0")
    for group, pct in spec:
        value = None if pct is None else not_negative(env, pct, "max_below_floor_pct", N_("% below floor"))
        if previous is None and value is not None or (value is not None and previous is not None and value < previous):
            raise fail(env, N_("The bands are inverted: %(group)s may go less far below the floor than the role before it."),
                       "max_below_floor_pct", group=group)
        previous = value
        cleaned.append((group, value))
    with env.session.begin_nested():
        # the bands being replaced, all of them: env.delete checks the rights
        for row in env.sudo().search(AuthorityBand):
            env.delete(row)
        return [
            env.create(AuthorityBand, {"group_code": g, "sequence": (i + 1) * 10, "max_below_floor_pct": v})
            for i, (g, v) in enumerate(cleaned)
        ]


def user_limit(env: Env) -> Decimal | None:
    """How far below the floor the user may price without approval (None: no limit)."""
    best: Decimal | None = Decimal("0")
    for group, _seq, limit in bands(env):
        if env.in_group(group):
            if limit is None:
                return None
            best = max(best, limit)
    return best


def required_group(env: Env, deviation: Decimal) -> str | None:
    """The lowest role whose band covers ``deviation`` (None when inside every band)."""
    if deviation <= 0:
        return None
    for group, _seq, limit in bands(env):
        if limit is None or deviation <= limit:
            return group
    return bands(env)[-1][0]


def covers(limit: Decimal | None, deviation: Decimal) -> bool:
    """Whether a band limit covers a deviation."""
    return limit is None or deviation <= limit
