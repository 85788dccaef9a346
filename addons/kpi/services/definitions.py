"""KPI definitions: validated as a set per position and period kind, scoring curves.

``set_definitions(env, position, period_kind, rows)`` replaces the KPIs of a
position: every row is checked first (a measure an enabled addon provides, a
person dimension it has, a target, a curve that makes sense) and the weights
must sum to 100 %; on any error nothing is saved. ``score(defn, completion)``
is the scoring curve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import ValidationError
from core.i18n import _

from ..models import CURVE, PERIOD_KIND, Definition

if TYPE_CHECKING:
    from core.security.env import Env

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
DATA = Path(__file__).resolve().parent.parent / "data" / "kpi_definitions.yaml"


def q2(value: Decimal) -> Decimal:
    """Round half up to the cent (or the hundredth of a point)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any, field: str, errors: dict[str, str], allow_none: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if not allow_none:
            errors[field] = _("Enter a number.")
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter a number.")
        return None
    if not d.is_finite():
        errors[field] = _("Enter a number.")
        return None
    return d


def parse_thresholds(text: str | None) -> list[tuple[Decimal, Decimal]]:
    """``"80:60, 100:100"`` -> ``[(80, 60), (100, 100)]``, completions increasing; ValidationError otherwise."""
    pairs: list[tuple[Decimal, Decimal]] = []
    for part in (text or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        try:
            reach, points = (Decimal(x.strip()) for x in part.replace("：", ":").split(":"))
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Write the thresholds as completion:score pairs, e.g. 80:60, 100:100."),
                                  {"thresholds": _("Write the thresholds as completion:score pairs, e.g. 80:60, 100:100.")}) from None
        pairs.append((reach, points))
    if not pairs or any(b[0] <= a[0] for a, b in zip(pairs, pairs[1:], strict=False)):
        raise ValidationError(_("Write the thresholds as completion:score pairs, e.g. 80:60, 100:100."),
                              {"thresholds": _("Write the thresholds as completion:score pairs, e.g. 80:60, 100:100.")})
    return pairs


def score(defn: Any, completion: Decimal) -> Decimal:
    """The score (points, 100 = on target) of a completion rate (%) under the KPI's curve."""
    if defn.curve == "thresholds":
        points = Decimal("0")
        for reach, pts in parse_thresholds(defn.thresholds):
            if completion >= reach:
                points = pts
        return q2(points)
    if completion < Decimal(defn.floor or 0):
        return Decimal("0.00")
    return q2(min(completion, Decimal(defn.cap)))


def _check_measure(env: Env, name: str | None, field: str, errors: dict[str, str], dimension: str | None) -> None:
    from core.measures import measures

    if not name:
        return
    m = measures(env.registry).get(name)
    if m is None or m.addon not in env.enabled:
        errors[field] = _("No enabled addon provides the measure %(name)s.", name=name)
        return
    if dimension and dimension != "company" and m.dimension(dimension) is None:
        errors[field] = _("The measure %(name)s has no dimension %(dimension)s.", name=name, dimension=dimension)


def check_row(env: Env, row: Mapping[str, Any]) -> dict[str, Any]:
    """One KPI's values, checked and normalised (ValidationError with every field's message)."""
    errors: dict[str, str] = {}
    code = (row.get("code") or "").strip()
    if not code:
        errors["code"] = _("Give the KPI a code.")
    name_zh = (row.get("name_zh") or "").strip()
    if not name_zh:
        errors["name_zh"] = _("Give the KPI a name.")
    dim = (row.get("person_dimension") or "salesperson").strip()
    _check_measure(env, (row.get("measure") or "").strip() or None, "measure", errors, dim)
    if not (row.get("measure") or "").strip():
        errors["measure"] = _("Choose the measure the KPI is computed from.")
    _check_measure(env, row.get("ratio_measure") or None, "ratio_measure", errors, dim)
    _check_measure(env, row.get("target_measure") or None, "target_measure", errors, dim)
    target = _dec(row.get("target"), "target", errors, allow_none=bool(row.get("target_measure")))
    if target is not None and target <= 0:
        errors["target"] = _("The target must be greater than zero.")
    weight = _dec(row.get("weight"), "weight", errors)
    if weight is not None and not (0 < weight <= HUNDRED):
        errors["weight"] = _("A weight is a percentage above 0 and at most 100.")
    curve = row.get("curve") or "linear"
    if curve not in CURVE:
        errors["curve"] = _("Unknown scoring curve.")
    floor = _dec(row.get("floor", 0), "floor", errors) or Decimal("0")
    cap = _dec(row.get("cap", 120), "cap", errors) or Decimal("120")
    if curve == "linear" and floor >= cap:
        errors["cap"] = _("The cap must be above the floor.")
    thresholds = row.get("thresholds") or None
    if curve == "thresholds":
        try:
            parse_thresholds(thresholds)
        except ValidationError as exc:
            errors["thresholds"] = str(exc)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    return {"code": code, "name_zh": name_zh, "name_en": (row.get("name_en") or name_zh).strip(),
            "measure": row["measure"].strip(), "person_dimension": dim,
            "ratio_measure": row.get("ratio_measure") or None, "target_measure": row.get("target_measure") or None,
            "target": target, "weight": weight, "curve": curve, "floor": floor, "cap": cap,
            "thresholds": thresholds, "sequence": int(row.get("sequence") or 10)}


def check_definitions(env: Env, rows: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every row checked: the normalised rows and the errors keyed ``"<row>.<field>"`` (row from 1).

    ``errors["message"]`` is the first message ("KPI 2: ..."); the weight-sum message is on
    every row's weight (and ``"weight"``), a duplicate code on each duplicate's code.
    """
    checked: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    first: str | None = None
    for i, row in enumerate(rows, start=1):
        try:
            checked.append(check_row(env, row))
        except ValidationError as exc:
            for field, msg in (exc.errors or {"code": str(exc)}).items():
                errors[f"{i}.{field}"] = msg
            if first is None:
                first = _("KPI %(n)s: %(error)s", n=i, error=str(exc))
            checked.append({})
    codes = [r.get("code") for r in checked]
    for i, code in enumerate(codes, start=1):
        if code and codes.count(code) > 1:
            msg = _("Two KPIs have the same code.")
            errors[f"{i}.code"] = msg
            first = first or msg
    if not errors:
        total = sum((r["weight"] for r in checked), Decimal("0"))
        if total != HUNDRED:
            text = f"{total.normalize():f}"
            msg = _("The weights of the KPIs must sum to 100 %% (they sum to %(total)s %%).", total=text)
            errors["weight"] = msg
            for i in range(1, len(checked) + 1):
                errors[f"{i}.weight"] = msg
            first = msg
    if not rows:
        first = _("Give the position at least one KPI.")
        errors["weight"] = first
    if errors:
        errors = {"message": first or next(iter(errors.values())), **errors}
    return checked, errors


def set_definitions(env: Env, position: str, period_kind: str, rows: Sequence[Mapping[str, Any]]) -> list[Definition]:
    """Replace the KPIs of ``position`` for ``period_kind``: all checked first, weights summing to 100 %."""
    from addons.masterdata.models import POSITION

    if position not in POSITION:
        raise ValidationError(_("Unknown position."), {"position": _("Unknown position.")})
    if period_kind not in PERIOD_KIND:
        raise ValidationError(_("Choose month, quarter or year."), {"period_kind": _("Choose month, quarter or year.")})
    checked, errors = check_definitions(env, rows)
    if errors:
        raise ValidationError(errors.pop("message"), errors)
    old = {d.code: d for d in env.search(Definition, Definition.position == position,
                                         Definition.period_kind == period_kind)}
    out = []
    for r in checked:
        values = {**r, "position": position, "period_kind": period_kind, "active": True}
        if r["code"] in old:
            d = old.pop(r["code"])
            env.write(d, values)
        else:
            d = env.create(Definition, values)
        out.append(d)
    for d in old.values():
        env.write(d, {"active": False})
    return out


def definitions(env: Env, position: str | None = None, period_kind: str | None = None) -> list[Definition]:
    """The active KPIs (of a position and period kind), in order."""
    where = [Definition.active.is_(True)]
    if position:
        where.append(Definition.position == position)
    if period_kind:
        where.append(Definition.period_kind == period_kind)
    return env.search(Definition, *where, order_by=[Definition.position, Definition.period_kind, Definition.sequence,
                                                    Definition.id])


def ensure_company_defaults(env: Env) -> int:
    """Seed the five positions' KPIs of ``data/kpi_definitions.yaml`` where the company has none.

    A KPI over a measure of an addon the company has not enabled is left out and
    the other weights are scaled back to 100 % (largest remainder on the cent).
    """
    import yaml

    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    made = 0
    from core.measures import measures

    known = measures(env.registry)
    for position, kinds in data["positions"].items():
        for kind, rows in kinds.items():
            if env.count(Definition, Definition.position == position, Definition.period_kind == kind):
                continue
            usable = [r for r in rows if all(
                (n is None) or (n in known and known[n].addon in env.enabled)
                for n in (r["measure"], r.get("ratio_measure"), r.get("target_measure")))]
            if not usable:
                continue
            weights = _rescale([Decimal(str(r["weight"])) for r in usable])
            set_definitions(env, position, kind, [{**r, "weight": w, "sequence": (i + 1) * 10}
                                                  for i, (r, w) in enumerate(zip(usable, weights, strict=True))])
            made += len(usable)
    return made


def _rescale(weights: list[Decimal]) -> list[Decimal]:
    total = sum(weights, Decimal("0"))
    if total == HUNDRED:
        return weights
    raw = [w * HUNDRED / total for w in weights]
    out = [r.quantize(CENT, rounding="ROUND_DOWN") for r in raw]
    left = int((HUNDRED - sum(out)) / CENT)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[:left]:
        out[i] += CENT
    return out
