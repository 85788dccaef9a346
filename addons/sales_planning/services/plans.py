"""Plans, their revisions and cells: create, write (bulk, exact), revise, restore, diff, approve.

A cell's key is ``(member, month)``: ``member`` is the tuple of the plan
type's dimension values in :data:`~addons.sales_planning.models.DIMENSION_ORDER`,
``month`` the first day of a month inside the plan's horizon.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import delete, func, insert, literal, or_, update

from core.errors import AccessDenied, ValidationError
from core.i18n import _
from core.security import approvals

from ..models import DIMENSIONS, Cell, Plan, PlanType
from ..workflows import PLAN_WORKFLOW
from .engine import CENT, CellKey, months_of, weeks_of

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
    ("new_customer_target", "年度新客户目标", "Annual new-customer target", "new_customers", "territory", "company"),
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


def quantum(plan: Plan) -> Decimal:
    """What a plan's figures are counted in: a cent, or one whole customer for a new-customer target."""
    return Decimal(1) if plan.plan_type.metric == "new_customers" else CENT


def months(plan: Plan) -> list[dt.date]:
    """The months a plan covers (its rolling horizon)."""
    return months_of(plan.year, plan.horizon or 1)


def periods(plan: Plan) -> list[dt.date]:
    """The periods a revision's cells fall on: its months, or for a weekly revision its week parts."""
    if plan.grain == "week":
        return weeks_of(plan.year, plan.horizon or 1)
    return months(plan)


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


def kept_cells(env: Env, plan: Plan) -> dict[CellKey, CellValue]:
    """The cells of a revision an allocation keeps something of: locked ones and ones with a quantity."""
    plan_dims = dims(plan)
    cols = [CELL_COLUMNS[d] for d in plan_dims]
    stmt = env.select(Cell, "read", Cell.period, Cell.amount, Cell.quantity, Cell.locked, *cols).where(
        Cell.plan_id == plan.id, or_(Cell.locked.is_(True), Cell.quantity.is_not(None)))
    return {(tuple(row[4:]), row[0]): CellValue(Decimal(row[1]), None if row[2] is None else Decimal(row[2]),
                                                bool(row[3]))
            for row in env.execute_rows(stmt)}


def _check_editable(env: Env, plan: Plan) -> None:
    if plan.superseded_by_id is not None:
        raise ValidationError(_("This revision has been replaced by a later one; work on the latest revision."))
    if plan.state != "draft":
        raise ValidationError(_("Only a draft can be changed: start a new revision first."))
    if not env.allowed(plan, "write"):
        raise AccessDenied(_("You may not change this plan."))


#: the columns a bulk write of cells fills, in this order
ROW_COLUMNS = ("company_id", "plan_id", "period", "territory_id", "salesperson_id", "customer_id", "product_id",
               "settlement", "amount", "quantity", "locked")
_AMOUNT_AT, _QTY_AT = ROW_COLUMNS.index("amount"), ROW_COLUMNS.index("quantity")


def _cell_rows(env: Env, plan: Plan, cells: Mapping[CellKey, CellValue | Decimal]) -> list[tuple]:
    """The rows of ``cells`` for the cell table (tuples in :data:`ROW_COLUMNS` order), each checked.

    Checks: the member fits the plan's dimensions, the period lies in the
    plan's horizon (a month, or a week part of a weekly revision), the amount
    is not negative and has at most two decimals. Each distinct member, period
    and amount is checked once (a plan of 100,000 cells has a few thousand
    members, 12 months and, split evenly, a handful of distinct amounts).
    """
    plan_dims = dims(plan)
    width = len(plan_dims)
    fields = [CELL_FIELDS[d] for d in plan_dims]
    allowed = set(periods(plan))
    positions = [ROW_COLUMNS.index(f) for f in fields]
    plan_territory = plan.territory_id
    company_id, plan_id = env.company_id, plan.id
    prefixes: dict[tuple, tuple] = {}  # member -> (territory, salesperson, customer, product, settlement)
    good_periods: set[dt.date] = set()
    good_amounts: set[Decimal] = set()
    rows = []
    for (member, month), value in cells.items():
        dims_part = prefixes.get(member)
        if dims_part is None:
            if type(member) is not tuple or len(member) != width:
                raise ValidationError(_("A cell lies outside the plan's dimensions (%(dims)s).",
                                        dims=", ".join(str(DIMENSIONS.label(d)) for d in plan_dims)))
            part: list[Any] = [plan_territory, None, None, None, None]
            for pos, v in zip(positions, member, strict=True):
                part[pos - 3] = v
            if part[0] is None:
                part[0] = plan_territory
            dims_part = prefixes[member] = tuple(part)
        if month not in good_periods:
            if month not in allowed:
                if plan.grain == "week" and isinstance(month, dt.date) and month.year in range(
                        plan.year, plan.year + (plan.horizon or 1)):
                    raise ValidationError(_("%(day)s does not start a week of the plan (a Monday, or the 1st of a "
                                            "month).", day=month.isoformat()))
                raise ValidationError(_("The month %(month)s is outside the plan's horizon.",
                                        month=month.strftime("%Y-%m")))
            good_periods.add(month)
        if type(value) is Decimal:  # a bare amount (what an allocation proposes for most cells)
            amount, qty, lock = value, None, False
        else:
            amount = value.amount if type(value.amount) is Decimal else Decimal(value.amount)
            qty, lock = value.quantity, bool(value.locked)
        if amount not in good_amounts:
            if amount < 0:
                raise ValidationError(_("A target cannot be negative."))
            if not amount.is_finite() or amount != amount.quantize(CENT):
                raise ValidationError(_("The amount %(amount)s has more decimals than the plan keeps.",
                                        amount=amount))
            good_amounts.add(amount)
        rows.append((company_id, plan_id, month, *dims_part, amount, qty, lock))
    return rows


def _references(rows: Iterable[tuple]) -> list[dict[str, Any]]:
    """One mapping per distinct set of foreign keys of ``rows`` (what :meth:`Env.check_references` reads)."""
    keys = {(r[3], r[4], r[5], r[6]) for r in rows}
    return [{"territory_id": t, "salesperson_id": sp, "customer_id": c, "product_id": p} for t, sp, c, p in keys]


def write_rows(env: Env, rows: list[tuple]) -> None:
    """Insert cell rows (tuples in :data:`ROW_COLUMNS` order) in bulk, in the caller's transaction.

    A write past the rules: the caller has checked the create right once for
    the model and every foreign key with :meth:`Env.check_references`.
    PostgreSQL: one ``COPY`` in text format (the rows formatted here: most
    values repeat, so each distinct date and amount is formatted once);
    elsewhere one prepared ``INSERT`` run by the driver's ``executemany`` over
    values converted by the columns' own bind processors (cached likewise).
    """
    if not rows:
        return
    conn = env.session.connection()  # tixi: session-ok (bulk write of rows the caller checked)
    table = Cell.__table__
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, rows)
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(ROW_COLUMNS))
    order = list(compiled.positiontup or ROW_COLUMNS)
    pick = itemgetter(*[ROW_COLUMNS.index(c) for c in order])
    convert = []  # (position, processor, cache) of the columns the driver needs converted
    for i, c in enumerate(order):
        proc = table.c[c].type._cached_bind_processor(conn.dialect)
        if proc is not None:
            convert.append((i, proc, {}))
    sql = str(compiled)
    for start in range(0, len(rows), 5000):
        part = []
        for r in rows[start:start + 5000]:
            out = list(pick(r))
            for i, proc, cache in convert:
                v = out[i]
                if v is not None:
                    c = cache.get(v)
                    if c is None:
                        c = cache[v] = proc(v)
                    out[i] = c
            part.append(tuple(out))
        conn.exec_driver_sql(sql, part)


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if isinstance(value, str):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _copy_rows(conn: Any, table: Any, rows: list[tuple]) -> None:
    raw = conn.connection.driver_connection
    quoted = ", ".join(f'"{c}"' for c in ROW_COLUMNS)
    heads: dict[tuple, str] = {}     # company, plan, period
    members: dict[tuple, str] = {}   # territory .. settlement
    tails: dict[tuple, str] = {}     # amount, quantity, locked
    lines = []
    for r in rows:
        h, m, t = r[0:3], r[3:8], r[8:11]
        hs = heads.get(h)
        if hs is None:
            hs = heads[h] = "\t".join(_copy_text(v) for v in h)
        ms = members.get(m)
        if ms is None:
            ms = members[m] = "\t".join(_copy_text(v) for v in m)
        ts = tails.get(t)
        if ts is None:
            ts = tails[t] = "\t".join(_copy_text(v) for v in t)
        lines.append(f"{hs}\t{ms}\t{ts}\n")
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for start in range(0, len(lines), 5000):
            copy.write("".join(lines[start:start + 5000]))


def replace_cells(env: Env, plan: Plan, cells: Mapping[CellKey, CellValue | Decimal], fresh: bool = False) -> None:
    """Replace every cell of a draft revision (validated first; written in bulk; totals kept).

    ``fresh``: the revision was created in this transaction and holds no cell yet (no delete).
    The create right is checked once for the model, the references once per distinct member.
    """
    _check_editable(env, plan)
    env.check(Cell, "create")
    rows = _cell_rows(env, plan, cells)
    env.check_references(Cell, _references(rows))
    if not fresh:
        env.sudo().execute(delete(Cell).where(Cell.plan_id == plan.id))  # the plan's own cells: checked above
    write_rows(env, rows)
    _set_totals(env, plan, rows)


def _set_totals(env: Env, plan: Plan, rows: Iterable[tuple]) -> None:
    amount = Decimal(0)
    qty: Decimal | None = None
    for r in rows:
        amount += r[_AMOUNT_AT]
        if r[_QTY_AT] is not None:
            qty = (qty or Decimal(0)) + Decimal(r[_QTY_AT])
    env.write(plan, {"total_amount": amount, "total_quantity": qty})


def _member_where(plan_dims: list[str], member: tuple) -> list[Any]:
    """SQL conditions selecting the cells of ``member`` (an open dimension, ``None``, is NULL)."""
    return [CELL_COLUMNS[d].is_(None) if v is None else CELL_COLUMNS[d] == v
            for d, v in zip(plan_dims, member, strict=True)]


def set_cell(env: Env, plan: Plan, key: CellKey, amount: Decimal | str, locked: bool | None = None,
             quantity: Decimal | str | None = None) -> Plan:
    """Change one cell by hand (and lock or unlock it); the totals follow. Returns the revision written.

    One row is written (an ``UPDATE``, or an ``INSERT`` for a cell the plan did
    not have yet), and the revision's totals move by the difference. An
    approved revision is copied first (copy-on-write: a new draft revision,
    copied in SQL); a draft is changed in place; a replaced or submitted
    revision is refused.
    """
    if plan.state == "approved" and plan.superseded_by_id is None:
        plan = new_revision(env, plan, note=_("Changed by hand"))
    _check_editable(env, plan)
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except ArithmeticError:
        raise ValidationError(_("Enter the amount as a number, e.g. 125000.00.")) from None
    if not value.is_finite():
        raise ValidationError(_("Enter the amount as a number, e.g. 125000.00."))
    qty_in = None if quantity in (None, "") else Decimal(str(quantity))
    member, month = key
    plan_dims = dims(plan)
    if type(member) is not tuple or len(member) != len(plan_dims):
        raise ValidationError(_("A cell lies outside the plan's dimensions (%(dims)s).",
                                dims=", ".join(str(DIMENSIONS.label(d)) for d in plan_dims)))
    found = env.execute(env.select(Cell, "write", Cell.id, Cell.amount, Cell.quantity, Cell.locked).where(
        Cell.plan_id == plan.id, Cell.period == month, *_member_where(plan_dims, member)).limit(1)).first()
    if found is None:
        env.check(Cell, "create")
        qty = qty_in
        new_locked = bool(locked)
        rows = _cell_rows(env, plan, {key: CellValue(value, qty, new_locked)})
        env.check_references(Cell, _references(rows))
        old_amount, old_qty = None, None
        env.sudo().execute(insert(Cell).values(dict(zip(ROW_COLUMNS, rows[0], strict=True))))
    else:
        cell_id, old_amount, old_qty, old_locked = found
        old_amount = Decimal(old_amount)
        old_qty = None if old_qty is None else Decimal(old_qty)
        qty = old_qty if quantity is None else qty_in
        new_locked = bool(old_locked) if locked is None else bool(locked)
        _cell_rows(env, plan, {key: CellValue(value, qty, new_locked)})  # the same checks as a bulk write
        # the user may write this cell (selected with the write rules above): one row changes
        env.sudo().execute(update(Cell).where(Cell.id == cell_id).values(amount=value, quantity=qty,
                                                                          locked=new_locked))
    total_qty = plan.total_quantity
    if qty is not None or old_qty is not None:
        total_qty = Decimal(total_qty or 0) - (old_qty or Decimal(0)) + (qty or Decimal(0))
    env.write(plan, {"total_amount": Decimal(plan.total_amount or 0) - (old_amount or Decimal(0)) + value,
                     "total_quantity": total_qty})
    env.audit("sales_planning_plan", plan.id, "cell", {"key": [str(key[0]), f"{key[1]:%Y-%m-%d}"],
                                                       "amount": [None if old_amount is None else str(old_amount),
                                                                  str(value)]})
    return plan


def copy_cells(env: Env, source: Plan, target: Plan) -> None:
    """Copy the cells of ``source`` the user may read into the empty revision ``target``, in SQL (one statement)."""
    _check_editable(env, target)
    env.check(Cell, "create")
    cols = ["company_id", "period", "territory_id", "salesperson_id", "customer_id", "product_id", "settlement",
            "amount", "quantity", "locked"]
    rows = env.select(Cell, "read", literal(target.id).label("plan_id"), *[getattr(Cell, c) for c in cols]).where(
        Cell.plan_id == source.id)
    # the rows come from a checked select of cells the user reads: their references are readable already
    env.sudo().execute(insert(Cell).from_select(["plan_id", *cols], rows))
    amount, qty = env.execute(env.select(Cell, "read", func.sum(Cell.amount), func.sum(Cell.quantity)).where(
        Cell.plan_id == target.id)).one()
    env.write(target, {"total_amount": Decimal(amount or 0), "total_quantity": None if qty is None else Decimal(qty)})


# ----- revisions -----------------------------------------------------------------------------
def new_revision(env: Env, plan: Plan, cells: Mapping[CellKey, CellValue | Decimal] | None = None,
                 note: str | None = None, grain: str | None = None) -> Plan:
    """A new draft revision after the series' latest, holding ``cells`` (default: a copy of ``plan``'s, in SQL).

    ``grain``: the new revision's period grain (default: the latest's; ``week``
    when a monthly plan is split into weeks).
    """
    last = latest(env, plan)
    if not env.allowed(last, "write"):
        raise AccessDenied(_("You may not change this plan."))
    if last.state == "submitted":
        raise ValidationError(_("This plan is waiting for approval: it can be revised once it is decided."))
    new = env.create(Plan, {
        "name": last.name, "plan_type_id": last.plan_type_id, "year": last.year, "territory_id": last.territory_id,
        "target_id": last.target_id, "horizon": last.horizon, "owner_id": last.owner_id, "root_id": last.series_id,
        "revision": last.revision + 1, "previous_id": last.id, "state": "draft", "note": note,
        "grain": plan.grain if cells is None else grain or last.grain,
    })
    env.write(last, {"superseded_by_id": new.id})
    if cells is None:
        copy_cells(env, plan, new)
    else:
        replace_cells(env, new, cells, fresh=True)
    return new


def restore(env: Env, plan: Plan, revision: Plan) -> Plan:
    """Undo by version: a new revision holding what ``revision`` of the same series held."""
    if revision.series_id != plan.series_id:
        raise ValidationError(_("That revision belongs to another plan."))
    return new_revision(env, plan, read_cells(env, revision), note=_("Restored from v%(n)s", n=revision.revision),
                        grain=revision.grain)


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
