"""Annual budgets: owners, lines per category, monthly phasing with the planning engine, approval.

A budget's lines are derived from the sales plan when the owner is a territory and
``sales_planning`` holds a target in force for it (``percent`` of the territory's
sales target, phased like the target's months), else from a given total phased evenly;
categories get their default weights (:attr:`..models.Category.weight`). The split
uses sales_planning's engine (:func:`addons.sales_planning.services.engine.allocate`),
so lines and months add up to the total to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert

from core.errors import AccessDenied, ValidationError
from core.i18n import _
from core.security import approvals

from ..models import OWNER_KIND, Budget, Category, Line, Phase
from ..workflows import BUDGET_WORKFLOW
from .claims import parse_amount

if TYPE_CHECKING:
    from core.security.env import Env

ZERO = Decimal("0.00")


def categories(env: Env) -> list[Category]:
    """The company's active categories, in order."""
    return env.search(Category, Category.active.is_(True), order_by=[Category.sequence, Category.id])


def create_budget(env: Env, values: Mapping[str, Any]) -> Budget:
    """A draft annual budget of one owner (``owner_kind`` territory / department / project / campaign)."""
    kind = values.get("owner_kind") or "territory"
    if kind not in OWNER_KIND:
        raise ValidationError(_("Choose who owns the budget."), {"owner_kind": _("Choose who owns the budget.")})
    try:
        year = int(values.get("year"))
    except (TypeError, ValueError):
        raise ValidationError(_("Enter the year, e.g. 2026."), {"year": _("Enter the year, e.g. 2026.")}) from None
    name = str(values.get("name") or "").strip()
    if not name:
        raise ValidationError(_("Give the budget a name."), {"name": _("Give the budget a name.")})
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Enter the year, e.g. 2026."), {"year": _("Enter the year, e.g. 2026.")})
    row: dict[str, Any] = {"name": name[:120], "year": year, "owner_kind": kind,
                           "owner_id": _employee(env, values.get("owner_id")),
                           "basis": (str(values.get("basis") or "").strip()[:200] or None),
                           "note": (str(values.get("note") or "").strip() or None)}
    if kind == "territory":
        row["territory_id"] = _territory(env, values.get("territory_id"))
    elif kind == "department":
        row["department"] = str(values.get("department") or "").strip() or name
    elif kind == "project":
        row["project_id"] = _project(env, values.get("project_id"), year, row)
    else:
        row["campaign_code"] = str(values.get("campaign_code") or "").strip()[:40] or None
    try:
        return env.create(Budget, row)
    except AccessDenied:  # the record rules: a manager makes budgets of his own territories only
        if kind != "territory":
            raise
        msg = _("You may not make a budget for this territory.")
        raise ValidationError(msg, {"territory_id": msg}) from None


def _project(env: Env, value: Any, year: int, row: dict[str, Any]) -> int | None:
    """A customer-development project: with crm_cards, a key-account plan of the year the user may read
    (its owner answers for the budget unless one is named); without it, the id as given."""
    text = str(value or "").strip()
    if not text:
        if "crm_cards" in env.enabled:
            msg = _("Choose the key-account plan the budget is for.")
            raise ValidationError(msg, {"project_id": msg})
        return None
    if not text.isdigit():
        msg = _("Choose the key-account plan the budget is for.")
        raise ValidationError(msg, {"project_id": msg})
    if "crm_cards" not in env.enabled:
        return int(text)
    from addons.crm_cards.models import KeyAccountPlan  # optional dependency, only when enabled

    try:
        plan = env.get(KeyAccountPlan, int(text))
    except AccessDenied:
        plan = None
    if plan is None:
        msg = _("No key-account plan #%(id)s, or one you may not read.", id=text)
        raise ValidationError(msg, {"project_id": msg})
    if plan.year != year:
        msg = _("The key-account plan is for %(plan_year)s, the budget for %(year)s.", plan_year=plan.year,
                year=year)
        raise ValidationError(msg, {"project_id": msg})
    if row.get("owner_id") is None:
        row["owner_id"] = plan.owner_id
    return plan.id


def project_choices(env: Env, year: int | None = None) -> list[tuple[int, str]]:
    """The key-account plans the user may read (crm_cards enabled), as ``(id, "year customer")``."""
    if "crm_cards" not in env.enabled:
        return []
    from addons.crm_cards.models import KeyAccountPlan  # optional dependency, only when enabled
    from addons.masterdata.models import Customer

    try:
        stmt = env.select(KeyAccountPlan, "read", KeyAccountPlan.id, KeyAccountPlan.year, KeyAccountPlan.customer_id)
    except AccessDenied:
        return []
    if year is not None:
        stmt = stmt.where(KeyAccountPlan.year == year)
    plans = list(env.execute(stmt.order_by(KeyAccountPlan.year.desc(), KeyAccountPlan.id)))
    ids = {c for _i, _y, c in plans}
    # the plans' customer names (the plans themselves were read with the user's rules)
    names = {c.id: c.name_zh for c in env.sudo().search(Customer, Customer.id.in_(ids))} if ids else {}
    return [(pid, f"{yr} {names.get(cid, cid)}") for pid, yr, cid in plans]


def project_plan(env: Env, budget: Budget) -> Any:
    """The key-account plan owning a project budget (crm_cards enabled and readable), else ``None``."""
    if budget.owner_kind != "project" or not budget.project_id or "crm_cards" not in env.enabled:
        return None
    from addons.crm_cards.models import KeyAccountPlan  # optional dependency, only when enabled

    try:
        return env.get(KeyAccountPlan, budget.project_id)
    except AccessDenied:
        return None


def _territory(env: Env, value: Any) -> int:
    """A territory the user may read (the field's error otherwise)."""
    from addons.territories.models import Territory

    msg = _("Choose the territory.")
    try:
        tid = int(value)
    except (TypeError, ValueError):
        raise ValidationError(msg, {"territory_id": msg}) from None
    if env.scalar(env.select(Territory, "read", Territory.id).where(Territory.id == tid)) is None:
        raise ValidationError(msg, {"territory_id": msg})
    return tid


def _employee(env: Env, value: Any) -> int | None:
    """The person answerable: an employee the user may read, or none."""
    from addons.masterdata.models import Employee

    if value in (None, ""):
        return None
    msg = _("Choose the person answerable for the budget.")
    try:
        eid = int(value)
    except (TypeError, ValueError):
        raise ValidationError(msg, {"owner_id": msg}) from None
    if env.scalar(env.select(Employee, "read", Employee.id).where(Employee.id == eid)) is None:
        raise ValidationError(msg, {"owner_id": msg})
    return eid


def _draft(budget: Budget) -> None:
    if budget.state != "draft":
        raise ValidationError(_("Only a draft budget can be changed; this one is %(state)s.",
                                state=budget.state))


def update_budget(env: Env, budget: Budget, values: Mapping[str, Any]) -> Budget:
    """Rename a draft budget, change its basis, note and the person answerable (checked first)."""
    _draft(budget)
    name = str(values.get("name") or "").strip()
    if not name:
        raise ValidationError(_("Give the budget a name."), {"name": _("Give the budget a name.")})
    row = {"name": name[:120], "owner_id": _employee(env, values.get("owner_id")),
           "basis": (str(values.get("basis") or "").strip()[:200] or None),
           "note": (str(values.get("note") or "").strip() or None)}
    env.write(budget, row)
    return budget


def parse_amounts(env: Env, raw: Mapping[int, Any]) -> dict[int, Decimal]:
    """Amounts per category id from a form (``amount_<category id>``): blank is zero; every error at once."""
    from decimal import ROUND_HALF_UP

    from .claims import CENT

    known = {c.id for c in categories(env)}
    out: dict[int, Decimal] = {}
    errors: dict[str, str] = {}
    for cat, value in raw.items():
        field = f"amount_{cat}"
        text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
        if cat not in known:
            errors[field] = _("This category is not one of the company's expense categories.")
            continue
        if not text:
            out[cat] = ZERO
            continue
        try:
            amount = Decimal(text)
        except ArithmeticError:
            errors[field] = _("Enter the amount as a number, e.g. 1200.50.")
            continue
        if not amount.is_finite():
            errors[field] = _("Enter the amount as a number, e.g. 1200.50.")
        elif amount < 0:
            errors[field] = _("A budget amount cannot be negative.")
        else:
            out[cat] = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if errors:
        first = next(iter(errors.values()))
        raise ValidationError(first, errors)
    if not any(out.values()):
        msg = _("Enter the amount of at least one category.")
        raise ValidationError(msg, {f"amount_{next(iter(raw), 0)}": msg})
    return out


def phase_amounts(env: Env, budget: Budget, amounts: Mapping[int, Decimal]) -> dict[tuple[int, dt.date], Decimal]:
    """Cells per (category id, month) for these category totals: phased like the territory's sales target
    when it has one in force for the year, else evenly (sales_planning's engine: to the cent)."""
    from addons.sales_planning.services.engine import allocate, months_of

    months = months_of(budget.year)
    season = sales_target(env, budget.territory_id, budget.year) if budget.territory_id else {}
    cells: dict[tuple[int, dt.date], Decimal] = {}
    for cat, total in amounts.items():
        if total:
            cells.update(allocate(total, [cat], None, months, (lambda _m: season) if any(season.values()) else None))
    return cells


def set_amounts(env: Env, budget: Budget, raw: Mapping[int, Any]) -> list[Line]:
    """The budget's lines from a total per category (the edit page): checked, phased, then written.

    A category set to zero keeps its line at zero (nothing is spent against a draft), a new
    category with nothing entered gets no line.
    """
    _draft(budget)
    amounts = parse_amounts(env, raw)
    cells = phase_amounts(env, budget, amounts)
    from addons.sales_planning.services.engine import months_of

    have = {ln.category_id for ln in env.search(Line, Line.budget_id == budget.id)}
    for cat in have:
        if not amounts.get(cat):
            cells.update({(cat, m): ZERO for m in months_of(budget.year)})
    return set_lines(env, budget, cells)


def month_field(category_id: int, month: dt.date) -> str:
    """The form field of one month of one line: ``m_<category id>_<YYYY-MM>``."""
    return f"m_{category_id}_{month:%Y-%m}"


def set_months(env: Env, budget: Budget, raw: Mapping[tuple[int, dt.date], Any],
               keep_total: bool = False) -> list[Line]:
    """Set a draft budget's months one by one: ``raw`` maps (category id, first day of a month) to an amount.

    Without ``keep_total`` the line's yearly amount becomes the sum of its months (exact: every month is
    rounded half up to the cent first). With ``keep_total`` the months given are fixed and the line's other
    months share what is left of its yearly amount, in proportion to what they held (evenly when they held
    nothing), with sales_planning's largest-remainder engine, so the yearly total stays exactly the same;
    months given that exceed it are refused. Every error at once, on its field; nothing written on error.
    """
    from decimal import ROUND_HALF_UP

    from addons.sales_planning.services.engine import largest_remainder, months_of

    from .claims import CENT

    _draft(budget)
    year_months = set(months_of(budget.year))
    known = {c.id for c in categories(env)}
    lines = {ln.category_id: ln for ln in env.search(Line, Line.budget_id == budget.id)}
    current = {(cat, m): ZERO for cat in lines for m in year_months}
    by_line = {ln.id: cat for cat, ln in lines.items()}
    for (line_id, month), amount in phasing(env, list(by_line)).items():
        current[(by_line[line_id], month)] = amount
    errors: dict[str, str] = {}
    given: dict[tuple[int, dt.date], Decimal] = {}
    for (cat, month), value in raw.items():
        field = month_field(cat, month)
        text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
        if cat not in known:
            errors[field] = _("This category is not one of the company's expense categories.")
            continue
        if month not in year_months:
            shown = month.strftime("%Y-%m")
            errors[field] = _("%(month)s is not a month of the budget year %(year)s.", month=shown,
                              year=budget.year)
            continue
        try:
            amount = Decimal(text or "0")
        except ArithmeticError:
            errors[field] = _("Enter the amount as a number, e.g. 1200.50.")
            continue
        if not amount.is_finite():
            errors[field] = _("Enter the amount as a number, e.g. 1200.50.")
        elif amount < 0:
            errors[field] = _("A budget amount cannot be negative.")
        else:
            given[(cat, month)] = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    cells = dict(current)
    cells.update(given)
    if keep_total and not errors:
        for cat in sorted({c for c, _m in given}):
            total = sum((v for (c, _m), v in current.items() if c == cat), ZERO)
            fixed = {m for c, m in given if c == cat}
            rest = sorted(year_months - fixed)
            left = total - sum((given[(cat, m)] for m in fixed), ZERO)
            first = month_field(cat, min(fixed))
            if left < 0 or (left and not rest):
                shown = format(total, ",.2f")
                errors[first] = _("The months entered add up to more than the yearly amount %(total)s of the "
                                  "line; leave the yearly total free or lower them.", total=shown)
                continue
            weights = [current[(cat, m)] for m in rest]
            shares = largest_remainder(left, weights if any(weights) else [1] * len(rest)) if rest else []
            cells.update({(cat, m): v for m, v in zip(rest, shares, strict=True)})
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    if not any(cells.values()):
        msg = _("Enter the amount of at least one category.")
        raise ValidationError(msg, {month_field(*next(iter(raw))) if raw else "amount": msg})
    return set_lines(env, budget, cells)


def sales_target(env: Env, territory_id: int, year: int) -> dict[dt.date, Decimal]:
    """The territory's sales target in force for ``year`` by month (sales_planning's company target cells)."""
    if "sales_planning" not in env.enabled:
        return {}
    from addons.sales_planning.models import Cell, Plan, PlanType

    stmt = (env.select(Cell, "read", Cell.period, func.sum(Cell.amount))
            .join(Plan, Plan.id == Cell.plan_id).join(PlanType, PlanType.id == Plan.plan_type_id)
            .where(Plan.in_force.is_(True), Plan.year == year, PlanType.level == "company",
                   PlanType.metric == "sales", Cell.territory_id == territory_id)
            .group_by(Cell.period))
    return {period: Decimal(v or 0) for period, v in env.execute(stmt)}


def propose(env: Env, budget: Budget, total: Any = None, percent: Any = None,
            weights: Mapping[int, Decimal] | None = None) -> dict[tuple[int, dt.date], Decimal]:
    """Amounts per (category id, month): ``percent`` of the territory's sales target, or ``total``."""
    from addons.sales_planning.services.engine import allocate, months_of

    months = months_of(budget.year)
    season: dict[dt.date, Decimal] = {}
    if percent not in (None, ""):
        if budget.territory_id is None:
            raise ValidationError(_("Only a territory's budget can be a share of its sales target."))
        try:
            pct = Decimal(str(percent).strip().rstrip("%"))
        except ArithmeticError:
            raise ValidationError(_("Enter the share as a percentage, e.g. 3.5.")) from None
        if pct <= 0 or pct > 100:
            raise ValidationError(_("Enter the share as a percentage, e.g. 3.5."))
        season = sales_target(env, budget.territory_id, budget.year)
        base = sum(season.values(), ZERO)
        if not base:
            raise ValidationError(_("The territory has no sales target in force for %(year)s: enter a total.",
                                    year=budget.year))
        amount = (base * pct / 100).quantize(Decimal("0.01"))
    else:
        amount = parse_amount(total, "total")
    cats = categories(env)
    if not cats:
        raise ValidationError(_("Set up the expense categories first."))
    w = {c.id: Decimal((weights or {}).get(c.id, c.weight)) for c in cats}
    return allocate(amount, [c.id for c in cats], w, months, (lambda _m: season) if season else None)


def set_lines(env: Env, budget: Budget, cells: Mapping[tuple[int, dt.date], Decimal]) -> list[Line]:
    """Replace the budget's lines and phasing by ``cells`` (only while the budget is a draft)."""
    if budget.state != "draft":
        raise ValidationError(_("Only a draft budget can be changed; this one is %(state)s.",
                                state=budget.state))
    if any(Decimal(v) < 0 for v in cells.values()):
        raise ValidationError(_("A budget amount cannot be negative."))
    per_cat: dict[int, Decimal] = {}
    for (cat, _month), v in cells.items():
        per_cat[cat] = per_cat.get(cat, ZERO) + Decimal(v)
    have = {ln.category_id: ln for ln in env.search(Line, Line.budget_id == budget.id)}
    out = []
    for cat, total in per_cat.items():
        if cat in have:
            env.write(have[cat], {"amount": total})
            out.append(have[cat])
        else:
            out.append(env.create(Line, {"budget_id": budget.id, "category_id": cat, "amount": total}))
    ids = {ln.category_id: ln.id for ln in out}
    env.sudo().execute(delete(Phase).where(Phase.line_id.in_(list(ids.values()))))  # rewritten below, same lines
    rows = [{"company_id": env.company_id, "line_id": ids[cat], "month": month, "amount": Decimal(v)}
            for (cat, month), v in sorted(cells.items())]
    if rows:
        env.sudo().execute(insert(Phase), rows)
    env.write(budget, {"total_amount": sum(per_cat.values(), ZERO)})
    env.audit("budget_budget", budget.id, "lines", {"total_amount": str(budget.total_amount)})
    return out


def fire(env: Env, budget: Budget, transition: str, comment: str | None = None) -> Budget:
    """Submit, approve or send back a budget (kernel approvals; the committee approves)."""
    if transition == "submit" and not env.search(Line, Line.budget_id == budget.id, limit=1):
        raise ValidationError(_("The budget has no lines yet."))
    approvals.fire(env, BUDGET_WORKFLOW, budget, transition, comment=comment, amount=budget.total_amount)
    return budget


def phasing(env: Env, line_ids: Sequence[int]) -> dict[tuple[int, dt.date], Decimal]:
    """Phased amounts per (line, month) of lines the user read."""
    stmt = env.select(Phase, "read", Phase.line_id, Phase.month, Phase.amount).where(Phase.line_id.in_(line_ids))
    return {(lid, m): Decimal(a) for lid, m, a in env.execute(stmt)}
