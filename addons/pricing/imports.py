"""Import of Finance's monthly inputs from .xlsx/.csv: metal prices and product costs.

Reading is masterdata's safe reader (size limit, zip-bomb and DTD refusal,
defusedxml). Every row is validated first; a file with any bad row imports
nothing and the :class:`ValidationError` lists the problems per row in the
user's language. Headers may be Chinese or English.

Metal prices: 月份/Month (2026-11 or a date), 金属/Metal (Pt), 单价/Price per gram.
Product costs: 月份/Month, 品种编码/Product code, 制造成本/Manufacturing cost, 载体成本/Carrier cost.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from addons.masterdata.models import Product
from addons.pricing.models import Metal
from core.errors import ValidationError
from core.i18n import N_, current_lang, translate

if TYPE_CHECKING:
    from core.security.env import Env

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

HEADERS = {
    "metal_prices": {
        "month": ("月份", "month"),
        "metal": ("金属", "贵金属", "metal"),
        "price": ("单价", "每克单价", "价格", "price", "price per gram", "单价(元/克)", "单价（元/克）"),
    },
    "product_costs": {
        "month": ("月份", "month"),
        "product": ("品种编码", "品种", "product", "product code"),
        "manufacturing": ("制造成本", "manufacturing", "manufacturing cost"),
        "carrier": ("载体成本", "carrier", "carrier cost"),
    },
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).strip().lower())


def _month(text: str) -> dt.date | None:
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})", text.strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return dt.date(year, month, 1)


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


def _read(env: Env, data: bytes, filename: str, kind: str) -> tuple[dict[str, int], list[list[str]]]:
    from addons.masterdata.spreadsheet import SpreadsheetError, read_table

    if len(data) > MAX_BYTES:
        raise ValidationError(translate(N_("The file is larger than %(mb)s MB."), current_lang(env), mb=MAX_BYTES // 2**20))
    try:
        rows = read_table(data, filename)
    except SpreadsheetError as exc:
        raise ValidationError(translate(exc.message, current_lang(env), **exc.params)) from None
    if not rows:
        raise ValidationError(translate(N_("The file is empty."), current_lang(env)))
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(translate(N_("The file has more than %(n)s rows."), current_lang(env), n=MAX_ROWS))
    header = [_norm(h) for h in rows[0]]
    cols: dict[str, int] = {}
    for key, names in HEADERS[kind].items():
        for i, h in enumerate(header):
            if h in {_norm(n) for n in names}:
                cols[key] = i
                break
        else:
            raise ValidationError(translate(N_("Column %(column)s is missing."), current_lang(env), column=names[0]))
    return cols, rows[1:]


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""


def _raise(env: Env, errors: dict[str, str]) -> None:
    raise ValidationError(
        translate(N_("%(n)s row(s) have errors: nothing was imported."), current_lang(env), n=len(errors)), errors
    )


def import_metal_prices(env: Env, data: bytes, filename: str) -> int:
    """Import monthly metal prices; all rows or none. Returns the number of rows."""
    from addons.pricing.services.costs import set_metal_price

    cols, body = _read(env, data, filename, "metal_prices")
    # the company's list of metals, named by whoever imports a file
    metals = {m.code.lower(): m for m in env.sudo().search(Metal)}
    errors: dict[str, str] = {}
    clean = []
    for n, row in enumerate(body, start=2):
        if not any(row):
            continue
        key = translate(N_("Row %(row)s"), current_lang(env), row=n)
        month = _month(_cell(row, cols["month"]))
        metal = metals.get(_cell(row, cols["metal"]).lower())
        price = _number(_cell(row, cols["price"]))
        if month is None:
            errors[key] = translate(N_("the month %(value)s is not valid (use 2026-11)."), current_lang(env), value=_cell(row, cols["month"]))
        elif metal is None:
            errors[key] = translate(N_("unknown metal %(value)s."), current_lang(env), value=_cell(row, cols["metal"]))
        elif price is None or price <= 0:
            errors[key] = translate(N_("the price must be a number greater than zero (got %(value)s)."), current_lang(env), value=_cell(row, cols["price"]))
        else:
            clean.append((metal, month, price))
    if errors:
        _raise(env, errors)
    with env.session.begin_nested():
        for metal, month, price in clean:
            set_metal_price(env, metal, month, price)
    return len(clean)


def import_product_costs(env: Env, data: bytes, filename: str) -> int:
    """Import monthly product costs (manufacturing, carrier); all rows or none."""
    from addons.pricing.services.costs import set_product_cost

    cols, body = _read(env, data, filename, "product_costs")
    codes = {str(code).lower(): pid for code, pid in env.execute(
        env.select(Product, "read", Product.code, Product.id))}
    errors: dict[str, str] = {}
    clean = []
    for n, row in enumerate(body, start=2):
        if not any(row):
            continue
        key = translate(N_("Row %(row)s"), current_lang(env), row=n)
        month = _month(_cell(row, cols["month"]))
        pid = codes.get(_cell(row, cols["product"]).lower())
        manufacturing = _number(_cell(row, cols["manufacturing"]))
        carrier = _number(_cell(row, cols["carrier"]))
        if month is None:
            errors[key] = translate(N_("the month %(value)s is not valid (use 2026-11)."), current_lang(env), value=_cell(row, cols["month"]))
        elif pid is None:
            errors[key] = translate(N_("unknown product %(value)s."), current_lang(env), value=_cell(row, cols["product"]))
        elif manufacturing is None or manufacturing < 0 or carrier is None or carrier < 0:
            errors[key] = translate(N_("costs must be numbers, zero or more."), current_lang(env))
        else:
            clean.append((pid, month, manufacturing, carrier))
    if errors:
        _raise(env, errors)
    with env.session.begin_nested():
        for pid, month, manufacturing, carrier in clean:
            set_product_cost(env, pid, month, manufacturing, carrier)
    return len(clean)
