"""Actual sales: where they come from, the .xlsx import and the attribution rule.

**Source.** Plan vs actual reads a kernel measure: the ``orders`` addon's
(``orders.sales_amount``, ``orders.gross_profit``) when it is enabled for the
company, else this addon's own (``sales_planning.sales_amount`` ...) over the
sales lines imported here.

**Attribution (the documented rule).** A sale counts for the territory and the
salesperson *of the date of the sale*, fixed when the line is imported:

* territory: the customer's territory on the sale's date (territory history);
* salesperson: when shares (:class:`~addons.sales_planning.models.Share`) are in
  force for the customer on that date, the sale is split between the shared
  salespeople by their percentages (to the cent, largest remainder; the parts
  add up to the line); otherwise the salesperson named on the line, else the
  customer's owner at import time.

A later territory move or handover never re-attributes a line. Returns are
red-letter lines (negative amount, ``kind = "return"``) and net in every total.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, cast, delete, func, insert, select

from addons.masterdata.bulk import bulk_insert
from addons.masterdata.importer import ImportResult, RowError
from addons.masterdata.models import Customer, Employee, Product
from addons.masterdata.spreadsheet import SpreadsheetError, read_table
from addons.territories.models import CustomerTerritory
from core.errors import ValidationError
from core.i18n import N_, _, current_lang, translate

from ..models import ImportBatch, Sale, SaleMonth, SaleTerritoryMonth, Share
from .engine import largest_remainder

if TYPE_CHECKING:
    from core.security.env import Env

#: measure per metric: (from orders, from the imports here)
METRIC_MEASURES = {
    "sales": ("orders.sales_amount", "sales_planning.sales_amount"),
    "gross_profit": ("orders.gross_profit", "sales_planning.gross_profit"),
    # a customer is new in the period of its first sale (orders would provide its own when it has one)
    "new_customers": ("orders.new_customers", "sales_planning.new_customers"),
}
#: a measure's name for a plan dimension, where it differs
MEASURE_DIMENSIONS = {"masterdata.customers": {"salesperson": "owner"}}

COLUMNS = {  # field: (zh header, en header, aliases)
    "date": ("日期", "Date", ("销售日期", "sale date")),
    "customer": ("客户编码", "Customer code", ("客户代码", "customer")),
    "product": ("品种编码", "Product code", ("产品编码", "product")),
    "quantity": ("数量", "Quantity", ()),
    "amount": ("金额", "Amount", ("销售额", "含税金额")),
    "salesperson": ("销售员编码", "Salesperson code", ("销售员", "salesperson")),
    "kind": ("类型", "Kind", ("单据类型",)),
    "gross_profit": ("毛利", "Gross profit", ()),
}
REQUIRED = ("date", "customer", "amount")
RETURN_WORDS = {"退货", "红字", "return", "red-letter", "红冲"}
SALE_WORDS = {"", "销售", "sale", "蓝字"}
MAX_ERRORS = 200
CENT = Decimal("0.01")


def actual_measure(env: Env, metric: str) -> str:
    """The measure plan vs actual reads for ``metric`` in this company."""
    from_orders, here = METRIC_MEASURES.get(metric, METRIC_MEASURES["sales"])
    if "orders" in env.enabled:
        from core.measures import available_measures

        if any(m.name == from_orders for m in available_measures(env)):
            return from_orders
    return here


def measure_dimension(measure: str, dimension: str) -> str:
    """The name ``measure`` gives a plan dimension."""
    return MEASURE_DIMENSIONS.get(measure, {}).get(dimension, dimension)


# ----- import ----------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return "".join(str(text).split()).lower()


def _header(header: Sequence[str]) -> dict[str, int]:
    lookup = {}
    for fld, (zh, en, aliases) in COLUMNS.items():
        for name in (zh, en, fld, *aliases):
            lookup.setdefault(_norm(name), fld)
    out: dict[str, int] = {}
    for i, cell in enumerate(header):
        fld = lookup.get(_norm(cell)) if cell else None
        if fld and fld not in out:
            out[fld] = i
    return out


def _label(fld: str, lang: str) -> str:
    zh, en, _a = COLUMNS[fld]
    return zh if lang.startswith("zh") else en


def _date(text: str) -> dt.date | None:
    text = str(text).strip().split(" ")[0].split("T")[0].replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:  # an Excel serial day number
        n = int(float(text))
        if 20000 < n < 80000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=n)
    except ValueError:
        pass
    return None


def _decimal(text: str) -> Decimal | None:
    cleaned = str(text).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def import_sales(env: Env, data: bytes, filename: str, lang: str | None = None,
                 today: dt.date | None = None) -> ImportResult:
    """Validate and import sales lines from an .xlsx/.csv: all or nothing, errors per row in ``lang``.

    Runs in the caller's transaction; on errors nothing is written.
    """
    started = time.perf_counter()
    lang = lang or current_lang(env)
    result = ImportResult("sales")
    env.check(Sale, "create")
    env.check(ImportBatch, "create")

    def err(row: int, fld: str, message: str, **params: Any) -> None:
        if len(result.errors) < MAX_ERRORS:
            result.errors.append(RowError(row, _label(fld, lang) if fld else "", translate(message, lang, **params)))

    try:
        table = read_table(data, filename)
    except SpreadsheetError as exc:
        err(0, "", exc.message, **exc.params)
        return result
    if not table or not any(table[0]):
        err(0, "", N_("The file is empty."))
        return result
    cols = _header(table[0])
    missing = [f for f in REQUIRED if f not in cols]
    if missing:
        err(1, "", N_("Missing column(s): %(names)s."), names="、".join(_label(f, lang) for f in missing))
        return result
    body = [(i, r) for i, r in enumerate(table[1:], start=2) if any(str(c).strip() for c in r)]
    result.rows = len(body)
    if not body:
        err(0, "", N_("The file has no data rows."))
        return result

    def get(row: Sequence[str], fld: str) -> str:
        i = cols.get(fld)
        return "" if i is None or i >= len(row) else str(row[i]).strip()

    customers = {c.code: c for c in env.search(Customer) if c.code}
    products = {p.code: p.id for p in env.search(Product) if p.code}
    people = {e.code: e.id for e in env.search(Employee) if e.code}
    today = today or dt.date.today()
    lines: list[dict[str, Any]] = []
    for n, row in body:
        values: dict[str, Any] = {}
        day = _date(get(row, "date"))
        if day is None:
            err(n, "date", N_("Enter the date as YYYY-MM-DD."))
        elif day > today:
            err(n, "date", N_("The date %(date)s is in the future."), date=day.isoformat())
        code = get(row, "customer")
        cust = customers.get(code)
        if cust is None:
            err(n, "customer", N_("Unknown customer code %(code)s."), code=code or "—")
        pcode = get(row, "product")
        product_id = products.get(pcode) if pcode else None
        if pcode and product_id is None:
            err(n, "product", N_("Unknown product code %(code)s."), code=pcode)
        scode = get(row, "salesperson")
        salesperson_id = people.get(scode) if scode else None
        if scode and salesperson_id is None:
            err(n, "salesperson", N_("Unknown salesperson code %(code)s."), code=scode)
        amount = _decimal(get(row, "amount"))
        if amount is None:
            err(n, "amount", N_("Enter the amount as a number, e.g. 125000.00."))
        elif amount != amount.quantize(CENT):
            err(n, "amount", N_("The amount %(amount)s has more than two decimals."), amount=str(amount))
        qty = _decimal(get(row, "quantity")) if get(row, "quantity") else Decimal(0)
        if qty is None:
            err(n, "quantity", N_("Enter the quantity as a number."))
        gp = _decimal(get(row, "gross_profit")) if get(row, "gross_profit") else None
        kind_text = _norm(get(row, "kind"))
        if kind_text in {_norm(w) for w in RETURN_WORDS}:
            kind = "return"
        elif kind_text in {_norm(w) for w in SALE_WORDS}:
            kind = "sale"
        else:
            err(n, "kind", N_("The kind is 销售 (sale) or 退货 (return)."))
            kind = "sale"
        if amount is not None and kind == "sale" and amount < 0:
            kind = "return"  # a negative line is a red-letter line
        if amount is not None and qty is not None and kind == "return":
            amount, qty = -abs(amount), -abs(qty)
            gp = -abs(gp) if gp is not None else None
        if day is None or cust is None or amount is None or qty is None:
            continue
        values.update(line_no=n, sale_date=day, kind=kind, customer_id=cust.id, product_id=product_id,
                      salesperson_id=salesperson_id or cust.owner_id, settlement=cust.settlement_method,
                      quantity=qty, amount=amount, gross_profit=gp)
        lines.append(values)
    if result.errors:
        result.seconds = time.perf_counter() - started
        return result
    rows = attribute(env, lines)
    try:
        env.check_references(Sale, rows)
    except ValidationError as exc:
        result.errors = [RowError(0, "", str(exc))]
        return result
    batch = env.create(ImportBatch, {"filename": filename[:200], "rows": len(lines),
                                     "total_amount": sum((r["amount"] for r in lines), Decimal(0))})
    for r in rows:
        r["batch_id"] = batch.id
        r["company_id"] = env.company_id
    bulk_insert(env.session, Sale.__table__, rows)
    rebuild_summary(env, {r["sale_date"].replace(day=1) for r in rows})
    result.created = len(lines)
    result.ids = [batch.id]
    result.seconds = time.perf_counter() - started
    return result


def attribute(env: Env, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sales rows with territory and salesperson of the sale's date (shares split the line)."""
    customer_ids = {ln["customer_id"] for ln in lines}
    # sudo: attribution is a fact of the company (where the customer was on the date), whoever imports
    sudo = env.sudo()
    history: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    for cid, start, end, tid in sudo.execute(
        sudo.select(CustomerTerritory, CustomerTerritory.customer_id, CustomerTerritory.date_from,
                    CustomerTerritory.date_to, CustomerTerritory.territory_id)
        .where(CustomerTerritory.customer_id.in_(customer_ids))
    ):
        history[cid].append((start, end, tid))
    shares: dict[int, list[tuple[dt.date, dt.date | None, int, Decimal]]] = defaultdict(list)
    for s in sudo.search(Share, Share.customer_id.in_(customer_ids), Share.active.is_(True)):
        shares[s.customer_id].append((s.date_from, s.date_to, s.salesperson_id, Decimal(s.percent)))
    out = []
    for ln in lines:
        day = ln["sale_date"]
        terr = None
        for start, end, tid in sorted(history.get(ln["customer_id"], ()), key=lambda h: h[0], reverse=True):
            if start <= day and (end is None or end > day):
                terr = tid
                break
        active = [(sp, pct) for start, end, sp, pct in shares.get(ln["customer_id"], ())
                  if start <= day and (end is None or end > day)]
        base = {**ln, "territory_id": terr}
        if not active:
            out.append({**base, "share": Decimal(1)})
            continue
        parts = _split(ln["amount"], [p for _s, p in active])
        qparts = _split(ln["quantity"], [p for _s, p in active], Decimal("0.001"))
        gparts = _split(ln["gross_profit"], [p for _s, p in active]) if ln.get("gross_profit") is not None else None
        for i, (sp, pct) in enumerate(active):
            out.append({**base, "salesperson_id": sp, "share": pct, "amount": parts[i], "quantity": qparts[i],
                        "gross_profit": gparts[i] if gparts else None})
    return out


def _split(amount: Decimal, weights: list[Decimal], quantum: Decimal = CENT) -> list[Decimal]:
    sign = -1 if amount < 0 else 1
    return [sign * p for p in largest_remainder(abs(amount), weights, quantum)]


def check_shares(env: Env, customer_id: int, on: dt.date) -> None:
    """The shares of a customer in force on a date must add up to 100 %."""
    rows = env.search(Share, Share.customer_id == customer_id, Share.active.is_(True), Share.date_from <= on)
    total = sum((Decimal(s.percent) for s in rows if s.date_to is None or s.date_to > on), Decimal(0))
    if rows and total != 1:
        raise ValidationError(_("The shares of a customer must add up to 100 %% (now %(pct)s %%).",
                                pct=f"{total * 100:.2f}"))


def rebuild_summary(env: Env, months: set[dt.date]) -> None:
    """Recompute the monthly summary for ``months`` from the sales lines (exact; inside the caller's transaction)."""
    if not months:
        return
    sudo = env.sudo()  # the summary is the company's: rebuilt from every line, whoever imported
    start, end = min(months), max(months)
    end = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    sudo.execute(delete(SaleMonth).where(SaleMonth.company_id == env.company_id, SaleMonth.month >= start,
                                         SaleMonth.month < end))
    if env.session.get_bind().dialect.name == "postgresql":
        month: Any = cast(func.date_trunc("month", Sale.sale_date), Date)
    else:
        month = func.date(Sale.sale_date, "start of month")
    keys = (Sale.territory_id, Sale.salesperson_id, Sale.product_id)
    agg = (
        select(Sale.company_id, month.label("month"), *keys, func.sum(Sale.amount), func.sum(Sale.quantity),
               func.coalesce(func.sum(Sale.gross_profit), 0))
        .where(Sale.company_id == env.company_id, Sale.sale_date >= start, Sale.sale_date < end)
        .group_by(Sale.company_id, month, *keys)
    )
    sudo.execute(insert(SaleMonth).from_select(
        ["company_id", "month", "territory_id", "salesperson_id", "product_id", "amount", "quantity", "gross_profit"],
        agg))
    # the coarse summary (territory x product), from the fine one just written
    coarse = SaleTerritoryMonth
    sudo.execute(delete(coarse).where(coarse.company_id == env.company_id, coarse.month >= start, coarse.month < end))
    fine_keys = (SaleMonth.company_id, SaleMonth.month, SaleMonth.territory_id, SaleMonth.product_id)
    sudo.execute(insert(coarse).from_select(
        ["company_id", "month", "territory_id", "product_id", "amount", "quantity", "gross_profit"],
        select(*fine_keys, func.sum(SaleMonth.amount), func.sum(SaleMonth.quantity), func.sum(SaleMonth.gross_profit))
        .where(SaleMonth.company_id == env.company_id, SaleMonth.month >= start, SaleMonth.month < end)
        .group_by(*fine_keys)))


def delete_import(env: Env, batch: ImportBatch) -> None:
    """Withdraw an import: its lines go, the summary follows."""
    env.check(ImportBatch, "delete")
    months = {d.replace(day=1) for d in env.scalars(env.select(Sale, "read", Sale.sale_date).where(
        Sale.batch_id == batch.id).distinct())}
    env.sudo().execute(delete(Sale).where(Sale.batch_id == batch.id, Sale.company_id == env.company_id))
    env.delete(batch)
    rebuild_summary(env, months)
