"""Brand value positioning (品牌价值定位) per year, approved by the management committee."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from core.errors import ValidationError
from core.i18n import _
from core.security import approvals

from ..models import POSITIONING_STATE, PROPOSITION, Positioning
from ..workflows import POSITIONING_WORKFLOW
from .common import parse_int, required_text

if TYPE_CHECKING:
    from core.security.env import Env

FIELDS = ("customer_needs", "competitor_strengths", "own_strengths")


def _labels() -> dict[str, str]:
    return {"customer_needs": _("Customers' brand value needs"),
            "competitor_strengths": _("Competitors' brand strengths"),
            "own_strengths": _("Our strengths"), "year": _("Year"), "proposition": _("Value proposition")}


def validate(values: Mapping[str, Any]) -> dict[str, Any]:
    """The checked values of a positioning (year, the three analyses, a known proposition)."""
    labels = _labels()
    out: dict[str, Any] = {"year": parse_int(values.get("year"), "year", labels["year"], 2000, 2100, required=True)}
    for f in FIELDS:
        out[f] = required_text(values.get(f), f, labels[f])
    prop = values.get("proposition")
    if prop not in PROPOSITION:
        msg = _("Choose a value proposition.")
        raise ValidationError(msg, {"proposition": msg})
    out["proposition"] = prop
    out["statement"] = (values.get("statement") or "").strip() or None
    return out


def save_positioning(env: Env, values: Mapping[str, Any], positioning: Positioning | None = None) -> Positioning:
    """Create the year's positioning or edit a draft one (an approved or submitted one stays as it is)."""
    clean = validate(values)
    if positioning is not None and positioning.state != "draft":
        raise ValidationError(_("Only a draft positioning can be changed; this one is %(state)s.",
                                state=POSITIONING_STATE.label(positioning.state)))
    other = env.sudo().search(Positioning, Positioning.year == clean["year"])
    if other and (positioning is None or other[0].id != positioning.id):
        msg = _("There is already a brand positioning for %(year)s.", year=clean["year"])
        raise ValidationError(msg, {"year": msg})
    with env.session.begin_nested():
        if positioning is None:
            return env.create(Positioning, clean)
        env.write(positioning, clean)
        return positioning


def fire(env: Env, positioning: Positioning, transition: str, comment: str | None = None) -> Positioning:
    """Submit, approve or send back a positioning (the kernel checks who may)."""
    with env.session.begin_nested():
        approvals.fire(env, POSITIONING_WORKFLOW, positioning, transition, comment=comment)
    return positioning


def history(env: Env) -> list[Positioning]:
    """The positionings the user may read, newest year first."""
    return env.search(Positioning, order_by=[Positioning.year.desc()])


def current(env: Env, year: int) -> Positioning | None:
    """The approved positioning of ``year`` (else the latest approved one before it)."""
    rows = env.search(Positioning, Positioning.state == "approved", Positioning.year <= year,
                      order_by=[Positioning.year.desc()], limit=1)
    return rows[0] if rows else None
