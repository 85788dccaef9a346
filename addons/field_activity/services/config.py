"""The company's field rules and visit types, edited on pages by the director or an administrator.

:func:`save_settings` checks every figure (radius 10 m .. 50 km, cut-off hour
0..23, "not visited" 1..365 days, photo size 100 KB .. 20 MB) and
:func:`save_visit_type` a visit type (code, both names, ordered steps known
and not repeated, a photo step when a photo is required); every error is
keyed by its field and nothing is saved while one remains. Rights: the
access rows and record rules of ``security.yaml`` (director and admin write).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from core.errors import AccessDenied, ValidationError
from core.i18n import _

from ..models import STEPS, Settings, VisitType

if TYPE_CHECKING:
    from core.security.env import Env

EDITORS = ("core.group_director", "core.group_admin")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
LIMITS = {  # field: (low, high)
    "radius_m": (10, 50000),
    "cutoff_hour": (0, 23),
    "not_visited_days": (1, 365),
    "max_photo_kb": (100, 20480),
}


def _require_editor(env: Env) -> None:
    if not env.in_group(*EDITORS):
        raise AccessDenied(_("Only the director or an administrator changes the field activity settings."))


def _int_in(value: Any, low: int, high: int) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if low <= n <= high else None


def save_settings(env: Env, values: Mapping[str, Any]) -> Settings:
    """Change the company's settings (the row is created when missing)."""
    _require_editor(env)
    errors, data = {}, {}
    messages = {
        "radius_m": _("The check-in radius is a whole number of metres from 10 to 50000."),
        "cutoff_hour": _("The cut-off hour of the daily report is a whole hour from 0 to 23."),
        "not_visited_days": _("The 'not visited' days are a whole number from 1 to 365."),
        "max_photo_kb": _("The largest photo is a whole number of KB from 100 to 20480."),
    }
    for field, (low, high) in LIMITS.items():
        n = _int_in(values.get(field), low, high)
        if n is None:
            errors[field] = messages[field]
        else:
            data[field] = n
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    row = env.scalar(env.select(Settings, "read").limit(1))
    if row is None:
        return env.create(Settings, data)
    env.write(row, data)
    return row


def save_visit_type(env: Env, values: Mapping[str, Any], steps: list[str],
                    vtype: VisitType | None = None) -> VisitType:
    """Create or change a visit type; ``steps`` in their order (empty entries ignored)."""
    _require_editor(env)
    errors: dict[str, str] = {}
    code = str(values.get("code") or "").strip().lower()
    if not CODE_RE.match(code):
        errors["code"] = _("The code is 1 to 32 lower-case letters, digits or '_', starting with a letter.")
    else:
        same = env.sudo().search(VisitType, VisitType.code == code, limit=2)
        if [t for t in same if vtype is None or t.id != vtype.id]:
            errors["code"] = _("A visit type with the code %(code)s exists already.", code=code)
    names = {}
    for field in ("name_zh", "name_en"):
        names[field] = str(values.get(field) or "").strip()
        if not names[field]:
            errors[field] = _("Enter the name in both languages.")
        elif len(names[field]) > 100:
            errors[field] = _("The name is too long (100 characters at most).")
    ordered = [str(s).strip() for s in steps if str(s or "").strip()]
    unknown = [s for s in ordered if s not in STEPS]
    if not ordered:
        errors["steps"] = _("A visit type needs at least one step.")
    elif unknown:
        errors["steps"] = _("Unknown step: %(step)s.", step=", ".join(unknown))
    elif len(set(ordered)) != len(ordered):
        errors["steps"] = _("Each step appears once in a visit type.")
    photo = str(values.get("photo_required") or "") in ("1", "on", "true", "yes")
    if photo and "photo" not in ordered and "steps" not in errors:
        errors["photo_required"] = _("A photo is required but the steps have no photo step: add it or untick.")
    sequence = _int_in(values.get("sequence") if str(values.get("sequence") or "").strip() else 10, 0, 9999)
    if sequence is None:
        errors["sequence"] = _("The order is a whole number from 0 to 9999.")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    data = {"code": code, **names, "steps": ",".join(ordered), "photo_required": photo, "sequence": sequence}
    if vtype is None:
        return env.create(VisitType, data)
    env.write(vtype, data)
    return vtype


__all__ = ["EDITORS", "save_settings", "save_visit_type"]
