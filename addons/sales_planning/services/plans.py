"""Plans, their revisions and cells: create, write (bulk, exact), revise, restore, diff, approve.

A cell's key is ``(member, month)``: ``member`` is the tuple of the plan
type's dimension values in :data:`~addons.sales_planning.models.DIMENSION_ORDER`,
``month`` the first day of a month inside the plan's horizon.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import delete, func, or_, update

from addons.masterdata.bulk import bulk_insert
from core.errors import AccessDenied, ValidationError
from core.i18n import _
from core.security import approvals

from ..models import DIMENSIONS, Cell, Plan, PlanType
from ..workflows import PLAN_WORKFLOW
from .engine import CENT, CellKey, months_of

if TYPE_CHECKING:
    from core.security.env import Env

CELL_COLUMNS = {
    "territory": Cell.territory_id,
    "salesperson": Cell.salesperson_id,
    "customer": Cell.customer_id,
    "product": Cell.product_id,
    "settlement": Cell.settlement,
}
CELL_FIELDS = {"territory": "territory_id", "salesperson": "salesperson_id", "customer": "customer_id",
               "product": "product_id", "settlement": "settlement"}

DEFAULT_TYPES = (
    # code, zh, en, metric, dimensions, level
    ("company_target", "年度销售目标", "Annual sales target", "sales", "territory", "company"),
    ("territory_plan", "片区销售计划", "Territory sales plan", "sales", "customer,salesperson,product", "territory"),
    ("gross_profit_target", "年度毛利目标", "Annual gross profit target", "gross_profit", "territory", "company"),
)


class CellValue(NamedTuple):
    """What a cell holds (a named tuple: a plan holds up to hundreds of thousands)."""

    amount: Decimal
    quantity: Decimal | None = None
    locked: bool = False


def ensure_company_defaults(env: Env) -> None:
    """Give the company the standard plan types (idempotent: creates the missing ones, keeps edits)."""
    have = {t.code for t in env.search(PlanType)}
    for code, zh, en, metric, dims, level in DEFAULT_TYPES:
        if code not in have:
            env.create(PlanType, {"code": code, "name_zh": zh, "name_en": en, "metric": metric,
                                  "dimensions": dims, "level": level})


def plan_type(env: Env, code: str) -> PlanType:
    """The company's plan type ``code``."""
    found = env.scalar(env.select(PlanType).where(PlanType.code == code))
    if found is None:
        raise ValidationError(_("There is no plan type %(code)s.", code=code))
    return found


def months(plan: Plan) -> list[dt.date]:
    """The months a plan covers (its rolling horizon)."""
    return months_of(plan.year, plan.horizon or 1)


def dims(plan: Plan) -> list[str]:
    """The plan's dimensions besides the month."""
    return plan.plan_type.dimension_list


# ----- creating plans ------------------------------------------------------------------------
def create_plan(
    env: Env,
    plan_type: PlanType,
    year: int,
    name: str | None = None,
    territory_id: int | None = None,
    target: Plan | None = None,
    horizon: int = 1,
    owner_id: int | None = None,
    note: str | None = None,
) -> Plan:
    """A new plan (revision 1, draft). A territory plan names its territory and the target it answers."""
    if not (2000 <= int(year) <= 2100):
        raise ValidationError(_("Enter a year between 2000 and 2100."))
    if not (1 <= int(horizon) <= 3):
        raise ValidationError(_("The horizon is 1 to 3 years."))
    if plan_type.level == "territory":
        if territory_id is None:
            raise ValidationError(_("A territory plan needs its territory."))
        if target is not None:
            clash = env.scalar(env.select(Plan, "read", func.count(Plan.id)).where(
                Plan.target_id == target.series_id, Plan.territory_id == territory_id,
                Plan.superseded_by_id.is_(None)))
            if clash:
                raise ValidationError(_("This territory already has a plan for that target."))
    elif territory_id is not None:
        raise ValidationError(_("A company target covers the whole company, not one territory."))
    values = {
        "name": (name or "").strip() or f"{year} {plan_type.display()}",
        "plan_type_id": plan_type.id, "year": int(year), "territory_id": territory_id,
        "target_id": target.series_id if target is not None else None, "horizon": int(horizon),
        "owner_id": owner_id, "note": note, "state": "draft", "revision": 1,
    }
    plan = env.create(Plan, values)
    plan.root_id = plan.id
    env.session.flush()
    return plan


def in_series(series_id: int) -> Any:
    """The revisions of a series (the first one may carry no ``root_id``, as demo data loads it)."""
    return or_(Plan.root_id == series_id, Plan.id == series_id)


def revisions(env: Env, plan: Plan) -> list[Plan]:
    """Every revision of the plan's series, oldest first."""
    return env.search(Plan, in_series(plan.series_id), order_by=[Plan.revision])


def latest(env: Env, plan: Plan) -> Plan:
    """The series' current revision (the one still being worked on)."""
    return env.search(Plan, in_series(plan.series_id), order_by=[Plan.revision.desc()], limit=1)[0]


def in_force(env: Env, plan: Plan) -> Plan | None:
    """The series' approved revision in force, if any."""
    found = env.search(Plan, in_series(plan.series_id), Plan.in_force.is_(True), limit=1)
    return found[0] if found else None


def measured(env: Env, plan: Plan) -> Plan:
    """The revision plan vs actual reads: the one in force, else the latest."""
    return in_force(env, plan) or latest(env, plan)


# ----- cells ---------------------------------------------------------------------------------
def member_of(plan_dims: list[str], cell: Any) -> tuple:
    """The member tuple of a cell row (object or mapping)."""
    get = cell.get if isinstance(cell, Mapping) else (lambda k: getattr(cell, k))
    return tuple(get(CELL_FIELDS[d]) for d in plan_dims)


def read_cells(env: Env, plan: Plan) -> dict[CellKey, CellValue]:
    """The cells of a revision the user may read, by key."""
    plan_dims = dims(plan)
    cols = [CELL_COLUMNS[d] for d in plan_dims]
    stmt = env.select(Cell, "read", Cell.period, Cell.amount, Cell.quantity, Cell.locked, *cols).where(
        Cell.plan_id == plan.id)
    out: dict[CellKey, CellValue] = {}
    for row in env.execute(stmt):
        member = tuple(row[4:])
        out[(member, row[0])] = CellValue(Decimal(row[1]), None if row[2] is None else Decimal(row[2]), bool(row[3]))
    return out


def _check_editable(env: Env, plan: Plan) -> None:
    if plan.superseded_by_id is not None:
        raise ValidationError(_("This revision has been replaced by a later one; work on the latest revision."))
    if plan.state != "draft":
        raise ValidationError(_("Only a draft can be changed: start a new revision first."))
    if not env.allowed(plan, "write"):
        raise AccessDenied(_("You may not change this plan."))


def _cell_rows(env: Env, plan: Plan, cells: Mapping[CellKey, CellValue]) -> list[dict[str, Any]]:
    """The rows of ``cells`` for the cell table, each checked (dimensions, horizon, amount)."""
    plan_dims = dims(plan)
    width = len(plan_dims)
    fields = [CELL_FIELDS[d] for d in plan_dims]
    allowed = set(months(plan))
    base: dict[str, Any] = {"company_id": env.company_id, "plan_id": plan.id, "territory_id": plan.territory_id,
                            "salesperson_id": None, "customer_id": None, "product_id": None, "settlement": None}
    plan_territory = plan.territory_id
    rows = []
    for (member, month), value in cells.items():
        if type(member) is not tuple or len(member) != width:
            raise ValidationError(_("A cell lies outside the plan's dimensions (%(dims)s).",
                                    dims=", ".join(str(DIMENSIONS.label(d)) for d in plan_dims)))
        if month not in allowed:
            raise ValidationError(_("The month %(month)s is outside the plan's horizon.", month=f"{month:%Y-%m}"))
        amount = value.amount if type(value.amount) is Decimal else Decimal(value.amount)
        if amount < 0:
            raise ValidationError(_("A target cannot be negative."))
        if amount.as_tuple().exponent < -2 and amount != amount.quantize(CENT):  # type: ignore[operator]
            raise ValidationError(_("The amount %(amount)s has more decimals than the plan keeps.", amount=amount))
        row = base.copy()
        row.update(zip(fields, member, strict=True))
        if row["territory_id"] is None:
            row["territory_id"] = plan_territory
        row["period"] = month
        row["amount"] = amount
        row["quantity"] = value.quantity
        row["locked"] = bool(value.locked)
        rows.append(row)
    return rows


def replace_cells(env: Env, plan: Plan, cells: Mapping[CellKey, CellValue]) -> None:
    """Replace every cell of a draft revision (validated first; written in bulk; totals kept)."""
    _check_editable(env, plan)
    env.check(Cell, "create")
    rows = _cell_rows(env, plan, cells)
    # one row per distinct member (its foreign keys) is enough to check what the cells point to
    env.check_references(Cell, {(r["territory_id"], r["salesperson_id"], r["customer_id"], r["product_id"]): r
                                for r in rows}.values())
    env.sudo().execute(delete(Cell).where(Cell.plan_id == plan.id))  # the plan's own cells: checked above
    bulk_insert(env.session, Cell.__table__, rows)
    _set_totals(env, plan, rows)


def _set_totals(env: Env, plan: Plan, rows: Iterable[Mapping[str, Any]]) -> None:
    amount = Decimal(0)
    qty: Decimal | None = None
    for r in rows:
        amount += r["amount"]
        if r.get("quantity") is not None:
            qty = (qty or Decimal(0)) + Decimal(r["quantity"])
    env.write(plan, {"total_amount": amount, "total_quantity": qty})


def set_cell(env: Env, plan: Plan, key: CellKey, amount: Decimal | str, locked: bool | None = None,
             quantity: Decimal | str | None = None) -> None:
    """Change one cell of a draft revision by hand (and lock or unlock it); the totals follow."""
    _check_editable(env, plan)
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except ArithmeticError:
        raise ValidationError(_("Enter the amount as a number, e.g. 125000.00.")) from None
    cells = read_cells(env, plan)
    old = cells.get(key)
    qty = old.quantity if old is not None and quantity is None else (
        None if quantity in (None, "") else Decimal(str(quantity)))
    cells[key] = CellValue(value, qty, old.locked if (locked is None and old is not None) else bool(locked))
    replace_cells(env, plan, cells)
    env.audit("sales_planning_plan", plan.id, "cell", {"key": [str(key[0]), f"{key[1]:%Y-%m}"],
                                                       "amount": [str(old.amount) if old else None, str(value)]})


# ----- revisions -----------------------------------------------------------------------------
def new_revision(env: Env, plan: Plan, cells: Mapping[CellKey, CellValue] | None = None,
                 note: str | None = None) -> Plan:
    """A new draft revision after the series' latest, holding ``cells`` (default: a copy of ``plan``'s)."""
    last = latest(env, plan)
    if not env.allowed(last, "write"):
        raise AccessDenied(_("You may not change this plan."))
    if last.state == "submitted":
        raise ValidationError(_("This plan is waiting for approval: it can be revised once it is decided."))
    source = read_cells(env, plan) if cells is None else cells
    new = env.create(Plan, {
        "name": last.name, "plan_type_id": last.plan_type_id, "year": last.year, "territory_id": last.territory_id,
        "target_id": last.target_id, "horizon": last.horizon, "owner_id": last.owner_id, "root_id": last.series_id,
        "revision": last.revision + 1, "previous_id": last.id, "state": "draft", "note": note,
    })
    env.write(last, {"superseded_by_id": new.id})
    replace_cells(env, new, source)
    return new


def restore(env: Env, plan: Plan, revision: Plan) -> Plan:
    """Undo by version: a new revision holding what ``revision`` of the same series held."""
    if revision.series_id != plan.series_id:
        raise ValidationError(_("That revision belongs to another plan."))
    return new_revision(env, plan, read_cells(env, revision), note=_("Restored from v%(n)s", n=revision.revision))


def diff(env: Env, old: Plan, new: Plan) -> list[dict[str, Any]]:
    """Cell-by-cell differences between two revisions (keys in either; unchanged cells left out)."""
    a, b = read_cells(env, old), read_cells(env, new)
    out = []
    for key in sorted(set(a) | set(b), key=lambda k: (tuple(str(x) for x in k[0]), k[1])):
        before = a[key].amount if key in a else None
        after = b[key].amount if key in b else None
        if before != after or (key in a and key in b and a[key].locked != b[key].locked):
            out.append({"member": key[0], "month": key[1], "before": before, "after": after,
                        "delta": (after or Decimal(0)) - (before or Decimal(0))})
    return out


# ----- approval --------------------------------------------------------------------------------
def fire(env: Env, plan: Plan, transition: str, comment: str | None = None) -> Plan:
    """Submit, approve or send back a revision (kernel approvals). Approval puts it in force."""
    if transition == "submit":
        if plan.superseded_by_id is not None:
            raise ValidationError(_("This revision has been replaced by a later one; work on the latest revision."))
        if not env.count(Cell, Cell.plan_id == plan.id):
            raise ValidationError(_("The plan has no figures yet: allocate or enter them first."))
    approvals.fire(env, PLAN_WORKFLOW, plan, transition, comment=comment, amount=plan.total_amount)
    if transition == "approve":
        # the kernel authorised the approval: the series' in-force flag follows it
        env.sudo().execute(update(Plan).where(in_series(plan.series_id), Plan.company_id == env.company_id)
                           .values(in_force=Plan.id == plan.id))
        env.audit("sales_planning_plan", plan.id, "in_force", {"in_force": [False, True]})
        env.session.refresh(plan)
    return plan


def available_transitions(env: Env, plan: Plan) -> list[Any]:
    """Transitions the user may fire on this revision now."""
    if plan.superseded_by_id is not None:
        return []
    return approvals.available(env, PLAN_WORKFLOW, plan, plan.total_amount)
