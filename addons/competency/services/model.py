"""The competency model of a company: defaults at set-up, reading it, editing the position matrix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from core.errors import ValidationError
from core.i18n import _

from ..models import (
    LEVELS,
    MODEL_POSITIONS,
    Competency,
    CompetencyGroup,
    CompetencyLevel,
    Requirement,
)

if TYPE_CHECKING:
    from core.security.env import Env

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "data" / "competency_model.yaml"


@lru_cache(maxsize=1)
def load_default_model() -> dict[str, Any]:
    """The default model (``data/competency_model.yaml``): groups, competencies, levels, matrix."""
    with DEFAULT_MODEL.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def ensure_company_defaults(env: Env) -> None:
    """Give the company the default model and position matrix (``tixi_company_setup``).

    Idempotent: creates only what is missing, never overwrites what the
    company edited (a changed level text or required level stays).
    """
    data = load_default_model()
    groups = {g.code: g for g in env.search(CompetencyGroup)}
    for seq, g in enumerate(data["groups"], start=1):
        if g["code"] not in groups:
            groups[g["code"]] = env.create(CompetencyGroup, {
                "code": g["code"], "name_zh": g["zh"], "name_en": g["en"], "sequence": seq * 10})
    comps = {c.code: c for c in env.search(Competency)}
    have_levels = {(lv.competency_id, lv.level) for lv in env.search(CompetencyLevel)}
    new_levels: list[dict[str, Any]] = []
    for seq, c in enumerate(data["competencies"], start=1):
        comp = comps.get(c["code"])
        if comp is None:
            comp = comps[c["code"]] = env.create(Competency, {
                "code": c["code"], "group_id": groups[c["group"]].id,
                "name_zh": c["zh"], "name_en": c["en"], "sequence": seq * 10})
        for level, (text_zh, text_en) in zip(LEVELS, c["levels"], strict=True):
            if (comp.id, level) not in have_levels:
                new_levels.append({"competency_id": comp.id, "level": level, "text_zh": text_zh, "text_en": text_en})
    have_req = {(r.position, r.competency_id) for r in env.search(Requirement)}
    codes = [c["code"] for c in data["competencies"]]
    new_reqs = [{"position": position, "competency_id": comps[code].id, "level": level}
                for position, levels in data["requirements"].items()
                for code, level in zip(codes, levels, strict=True) if (position, comps[code].id) not in have_req]
    _bulk_create(env, CompetencyLevel, new_levels)
    _bulk_create(env, Requirement, new_reqs)


def _bulk_create(env: Env, model: type, rows: list[dict[str, Any]]) -> None:
    """The seed's level texts and matrix cells in one insert each (rights checked, one audit entry).

    The rows are the seed's own (levels 1..5, the company's competencies): the per-record
    checks of ``env.create`` (a savepoint and a flush per row) would only repeat that, at
    ~10 ms a row; later edits go through ``env.write`` (versioned and audited per field).
    """
    if not rows:
        return
    from addons.masterdata.bulk import bulk_insert
    from core.db import utcnow

    env.check(model, "create")
    env.check_references(model, rows)
    now = utcnow()
    stamp = {"company_id": env.company_id, "created_at": now, "updated_at": now, "created_by_id": env.user_id,
             "updated_by_id": env.user_id, "version": 1, "active": True}
    env.session.flush()
    bulk_insert(env.session, model.__table__, [{**r, **stamp} for r in rows])
    env.audit(model.__tablename__, 0, "seeded", {"rows": len(rows)})
    env.invalidate()


def competencies(env: Env) -> list[Competency]:
    """The company's active competencies, A..J."""
    return env.search(Competency, Competency.active.is_(True), order_by=[Competency.sequence, Competency.code])


def requirement_levels(env: Env, position: str) -> dict[int, int]:
    """``{competency id: required level}`` of a position (empty for a position without a profile)."""
    rows = env.search(Requirement, Requirement.position == position, Requirement.active.is_(True))
    return {r.competency_id: r.level for r in rows}


def position_matrix(env: Env) -> dict[str, dict[str, int]]:
    """``{position: {competency code: level}}`` of the company, for the matrix page and tests."""
    out: dict[str, dict[str, int]] = {}
    for r in env.search(Requirement, Requirement.active.is_(True)):
        out.setdefault(r.position, {})[r.competency.code] = r.level
    return out


def parse_level(value: Any) -> int:
    """A level 1..5 from a form value; a ``ValidationError`` otherwise."""
    try:
        level = int(str(value).strip())
    except (TypeError, ValueError):
        level = 0
    if level not in LEVELS:
        raise ValidationError(_("A level must be a whole number from 1 (highest) to 5, not %(value)s.",
                                value=value if value not in (None, "") else "-"))
    return level


def set_requirement(env: Env, position: str, competency_id: int, level: Any,
                    expected_version: int | None = None) -> Requirement:
    """Change (or add) the required level of a competency for a position; audited and versioned."""
    if position not in MODEL_POSITIONS:
        raise ValidationError(_("Unknown position: %(position)s.", position=position))
    new_level = parse_level(level)
    comp = env.get(Competency, int(competency_id))
    current = env.search(Requirement, Requirement.position == position, Requirement.competency_id == comp.id)
    with env.session.begin_nested():
        if current:
            env.write(current[0], {"level": new_level}, expected_version=expected_version)
            return current[0]
        return env.create(Requirement, {"position": position, "competency_id": comp.id, "level": new_level})
