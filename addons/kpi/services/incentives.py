"""Incentive schemes as data and the pay calculation, line by line.

A scheme (per company and position) has a base pay, a target-based pay paid in
proportion to the scorecard's total score, and commission tiers on the
commission KPI's actual beyond its target: tier ``[lower, upper)`` % of target
pays ``rate`` % of the part of the actual that falls in it (progressive, like
tax brackets). Tiers must follow each other without gap or overlap.
Advances from the budget addon are deducted (budget enabled) up to the gross.
Every amount is ``Decimal`` rounded half up to the scheme's places.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from core.errors import ValidationError
from core.i18n import _

from ..models import SCHEME_KIND, Payout, PayoutLine, Scheme, SchemeTier, Scorecard, ScorecardLine
from .definitions import HUNDRED, _dec

if TYPE_CHECKING:
    from core.security.env import Env


def tier_errors(tiers: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The tiers sorted by their lower bound, and the errors keyed ``"tiers.<row>.<field>"`` (row from 1).

    A gap or an overlap is named on the later tier's lower bound (and under ``"tiers"``).
    """
    out: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for i, t in enumerate(tiers, start=1):
        row: dict[str, str] = {}
        lower = _dec(t.get("lower"), "lower", row)
        upper = _dec(t.get("upper"), "upper", row, allow_none=True)
        rate = _dec(t.get("rate"), "rate", row)
        if lower is not None and lower < 0:
            row["lower"] = _("Tier bounds and rates cannot be negative.")
        if rate is not None and rate < 0:
            row["rate"] = _("Tier bounds and rates cannot be negative.")
        if lower is not None and upper is not None and upper <= lower:
            start = f"{lower.normalize():f}"
            row["upper"] = _("A tier must end above where it starts (%(lower)s %%).", lower=start)
        errors.update({f"tiers.{i}.{k}": v for k, v in row.items()})
        if not row:
            out.append({"lower": lower, "upper": upper, "rate": rate, "_row": i})
    if errors:
        return [], errors
    out.sort(key=lambda t: t["lower"])
    for a, b in zip(out, out[1:], strict=False):
        at = f"{b['lower'].normalize():f}"
        if a["upper"] is None or a["upper"] > b["lower"]:
            msg = _("The commission tiers overlap at %(at)s %% of target.", at=at)
        elif a["upper"] < b["lower"]:
            end = f"{a['upper'].normalize():f}"
            msg = _("The commission tiers leave a gap between %(a)s %% and %(b)s %% of target.", a=end, b=at)
        else:
            continue
        errors.setdefault("tiers", msg)
        errors[f"tiers.{b['_row']}.lower"] = msg
    return [{k: v for k, v in t.items() if k != "_row"} for t in out], errors


def check_tiers(tiers: Sequence[Mapping[str, Any]]) -> list[dict[str, Decimal | None]]:
    """Tiers sorted by their lower bound; a gap, an overlap or a bad rate is a ValidationError."""
    out, errors = tier_errors(tiers)
    if errors:
        raise ValidationError(errors.get("tiers") or next(iter(errors.values())), errors)
    return out


def save_scheme(env: Env, values: Mapping[str, Any], tiers: Sequence[Mapping[str, Any]] = (),
                scheme: Scheme | None = None) -> Scheme:
    """Create or replace a scheme and its tiers: everything checked before anything is written."""
    from addons.masterdata.models import POSITION

    errors: dict[str, str] = {}
    code = (values.get("code") or "").strip()
    if not code:
        errors["code"] = _("Give the scheme a code.")
    if (values.get("position") or "") not in POSITION:
        errors["position"] = _("Unknown position.")
    kind = values.get("kind") or "front"
    if kind not in SCHEME_KIND:
        errors["kind"] = _("Choose front office or back office.")
    base = _dec(values.get("base_pay", 0), "base_pay", errors)
    target_pay = _dec(values.get("target_pay", 0), "target_pay", errors)
    try:
        places = int(values.get("rounding", 2) or 0)
    except (TypeError, ValueError):
        places = -1
    if places not in (0, 1, 2):
        errors["rounding"] = _("Round to 0, 1 or 2 decimal places.")
    for f, v in (("base_pay", base), ("target_pay", target_pay)):
        if v is not None and v < 0:
            errors[f] = _("The amount cannot be negative.")
    checked, tier_errs = tier_errors(tiers)
    if checked and not values.get("commission_kpi"):
        errors["commission_kpi"] = _("Name the KPI whose amount above target earns the commission.")
    if tier_errs.get("tiers"):
        errors = {"tiers": tier_errs["tiers"], **errors}
    errors.update(tier_errs)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    row = {"code": code, "name_zh": (values.get("name_zh") or code).strip(),
           "name_en": (values.get("name_en") or values.get("name_zh") or code).strip(), "kind": kind,
           "position": values["position"], "base_pay": base, "target_pay": target_pay,
           "commission_kpi": values.get("commission_kpi") or None, "rounding": places,
           "deduct_advances": bool(values.get("deduct_advances", True))}
    if scheme is None:
        scheme = env.create(Scheme, row)
    else:
        env.write(scheme, row)
        for t in env.search(SchemeTier, SchemeTier.scheme_id == scheme.id):
            env.delete(t)
    for t in checked:
        env.create(SchemeTier, {"scheme_id": scheme.id, **t})
    return scheme


def scheme_for(env: Env, position: str) -> Scheme | None:
    """The active scheme of a position."""
    found = env.search(Scheme, Scheme.position == position, Scheme.active.is_(True), order_by=[Scheme.id], limit=1)
    return found[0] if found else None


def commission_bands(actual: Decimal, target: Decimal, tiers: Sequence[Any]) -> list[tuple[Any, Decimal]]:
    """The part of ``actual`` falling in each tier (``[lower, upper)`` % of ``target``)."""
    out = []
    for t in tiers:
        lo = target * Decimal(t.lower) / HUNDRED
        hi = actual if t.upper is None else min(actual, target * Decimal(t.upper) / HUNDRED)
        out.append((t, max(hi - lo, Decimal("0"))))
    return out


def calculate(env: Env, card: Scorecard, scheme: Scheme | None = None) -> list[dict[str, Any]]:
    """The pay lines of an approved scorecard under its scheme (nothing written)."""
    scheme = scheme or scheme_for(env, card.position)
    if scheme is None:
        raise ValidationError(_("No incentive scheme for this position."))
    quant = Decimal(1).scaleb(-int(scheme.rounding))

    def r(x: Decimal) -> Decimal:
        return Decimal(x).quantize(quant, rounding=ROUND_HALF_UP)

    lines = [{"kind": "base", "basis": None, "rate": None, "amount": r(scheme.base_pay), "note": None}]
    score = Decimal(card.total_score)
    lines.append({"kind": "target", "basis": scheme.target_pay, "rate": score,
                  "amount": r(Decimal(scheme.target_pay) * score / HUNDRED), "note": None})
    if scheme.commission_kpi:
        kpi = env.search(ScorecardLine, ScorecardLine.scorecard_id == card.id,
                         ScorecardLine.code == scheme.commission_kpi, limit=1)
        if kpi:
            tiers = env.search(SchemeTier, SchemeTier.scheme_id == scheme.id, order_by=[SchemeTier.lower])
            for t, band in commission_bands(Decimal(kpi[0].actual), Decimal(kpi[0].target), tiers):
                if band > 0:
                    upper = "∞" if t.upper is None else f"{Decimal(t.upper).normalize():f}"
                    lines.append({"kind": "commission", "basis": r(band), "rate": t.rate,
                                  "amount": r(band * Decimal(t.rate) / HUNDRED),
                                  "note": f"{Decimal(t.lower).normalize():f}%-{upper}%"})
    gross = sum((ln["amount"] for ln in lines), Decimal("0"))
    if scheme.deduct_advances:
        # budget's documented hook (addons/budget/hookspecs.py); None when budget is not enabled
        owed = _budget_hook(env, "tixi_advances_outstanding", employee_id=card.employee_id, on=card.period_end) or Decimal("0")
        if owed > 0 and gross > 0:
            lines.append({"kind": "advance", "basis": r(owed), "rate": None, "amount": -r(min(owed, gross)),
                          "note": None})
    return lines


def _budget_hook(env: Env, name: str, **kwargs: Any) -> Any:
    """Call a hook that budget declares (an optional dependency); ``None`` when budget is not enabled."""
    if "budget" not in env.enabled:
        return None
    caller = getattr(env.hooks, name, None)
    return caller(env=env, **kwargs) if caller is not None else None


def pay(env: Env, card: Scorecard) -> Payout:
    """Finance books the pay of an approved scorecard once (advances deducted in the budget addon)."""
    if card.state != "approved":
        raise ValidationError(_("Only an approved scorecard is paid."))
    if env.count(Payout, Payout.scorecard_id == card.id):
        raise ValidationError(_("This scorecard's pay is already calculated."))
    scheme = scheme_for(env, card.position)
    lines = calculate(env, card, scheme)
    gross = sum((ln["amount"] for ln in lines if ln["kind"] != "advance"), Decimal("0"))
    advance = -sum((ln["amount"] for ln in lines if ln["kind"] == "advance"), Decimal("0"))
    if advance > 0:
        _budget_hook(env, "tixi_advances_deduct", employee_id=card.employee_id, amount=advance, on=card.period_end,
              kind="bonus")
    payout = env.create(Payout, {"scorecard_id": card.id, "employee_id": card.employee_id, "scheme_id": scheme.id,
                                 "gross": gross, "advances": advance, "net": gross - advance})
    for i, ln in enumerate(lines, start=1):
        env.create(PayoutLine, {"payout_id": payout.id, "employee_id": card.employee_id, "sequence": i * 10, **ln})
    return payout
