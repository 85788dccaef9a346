"""Pricing reports: SQL aggregates built on ``env.select`` (record rules in the WHERE clause).

* :func:`margin_report`: revenue, cost, margin by any of customer class,
  product, territory, month (cost roles only: the margin is a restricted field).
* :func:`outside_band_report`: quotes priced below the floor and who approved them.
* :func:`win_loss_report`: quotes won/lost/open by strategy (quote type).
* :func:`realisation_report`: price realisation, quoted vs target, by strategy or product.

Every function returns ``(headers, rows)``; :func:`to_xlsx` writes them to an
.xlsx with formula-like cells escaped.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, literal, select

from addons.masterdata.models import Product
from addons.pricing.models import Quote, QuoteLine
from core.errors import AccessDenied, ValidationError
from core.i18n import N_, current_lang, translate
from core.models import ApprovalEvent, ApprovalRequest, User

if TYPE_CHECKING:
    from core.security.env import Env

#: quote states that count as priced business in margin reports
PRICED_STATES = ("approved", "sent", "won")
DIMENSIONS = {
    "customer_class": N_("Customer class"),
    "product": N_("Product variety"),
    "territory": N_("Territory"),
    "month": N_("Month"),
}


def _month_expr(env: Env, column: Any) -> Any:
    """``YYYY-MM`` of a date column on SQLite and PostgreSQL."""
    if env.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _period(stmt: Any, date_from: dt.date | None, date_to: dt.date | None) -> Any:
    if date_from is not None:
        stmt = stmt.where(Quote.quote_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Quote.quote_date <= date_to)
    return stmt


def _d(value: Any) -> Decimal:
    return Decimal(value or 0)


def margin_report(
    env: Env,
    by: Sequence[str] = ("customer_class", "product", "territory"),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    states: Sequence[str] = PRICED_STATES,
) -> tuple[list[str], list[list[Any]]]:
    """Revenue, cost, margin and margin % grouped by ``by`` (one SQL query)."""
    if not env.field_visible(QuoteLine, "margin_amount"):
        raise AccessDenied(translate(N_("Margins are visible only to the Director, territory managers and Finance."), current_lang(env)))
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown or not by:
        raise ValidationError(translate(N_("Unknown report dimension: %(value)s."), current_lang(env), value=", ".join(unknown)))
    dims: list[Any] = []
    for d in by:
        if d == "customer_class":
            dims.append(func.coalesce(Quote.customer_class, literal("-")).label("customer_class"))
        elif d == "product":
            dims.append(Product.code.label("product"))
        elif d == "territory":
            dims.append(Quote.territory_id.label("territory"))
        else:
            dims.append(_month_expr(env, Quote.quote_date).label("month"))
    revenue = func.sum(QuoteLine.amount)
    cost = func.sum(QuoteLine.cost * QuoteLine.quantity)
    margin = func.sum(QuoteLine.margin_amount)
    stmt = (
        env.select(QuoteLine, "read", *dims, revenue, cost, margin, func.count(QuoteLine.id))
        .join(Quote, Quote.id == QuoteLine.quote_id)
        .where(Quote.state.in_(list(states)))
    )
    if "product" in by:
        stmt = stmt.join(Product, Product.id == QuoteLine.product_id)
    stmt = _period(stmt, date_from, date_to)
    stmt = stmt.group_by(*dims).order_by(*dims)
    territory_names = _territory_names(env) if "territory" in by else {}
    rows = []
    for row in env.execute(stmt):
        values = list(row[: len(by)])
        if "territory" in by:
            i = list(by).index("territory")
            values[i] = territory_names.get(values[i], "-")
        rev, cst, mar = _d(row[-4]).quantize(Decimal("0.01")), _d(row[-3]).quantize(Decimal("0.01")), _d(row[-2]).quantize(Decimal("0.01"))
        pct = (mar / rev * 100).quantize(Decimal("0.01")) if rev else Decimal("0")
        rows.append([*values, rev, cst, mar, pct, int(row[-1])])
    headers = [translate(DIMENSIONS[d], current_lang(env)) for d in by] + [
        translate(N_("Revenue"), current_lang(env)), translate(N_("Cost"), current_lang(env)), translate(N_("Margin"), current_lang(env)), translate(N_("Margin %"), current_lang(env)), translate(N_("Lines"), current_lang(env)),
    ]
    return headers, rows


def _territory_names(env: Env) -> dict[int | None, str]:
    if "territories" not in env.enabled:
        return {}
    from addons.territories.models import Territory

    lang = current_lang(env)
    return {t.id: t.display(lang) for t in env.search(Territory)}


def outside_band_report(
    env: Env, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Quotes priced below their floor: deviation, state, and who approved them with what comment."""
    approval = (
        select(ApprovalRequest.res_id.label("res_id"), User.name.label("approver"), ApprovalEvent.comment.label("comment"),
               ApprovalEvent.at.label("at"))
        .join(ApprovalEvent, ApprovalEvent.approval_id == ApprovalRequest.id)
        .join(User, User.id == ApprovalEvent.user_id)
        .where(ApprovalRequest.workflow == "pricing.quote", ApprovalRequest.company_id == env.company_id,
               ApprovalEvent.transition == "approve")
        .subquery()
    )
    stmt = (
        env.select(Quote, "read", Quote.number, Quote.revision, Quote.customer_id, Quote.max_deviation_pct,
                   Quote.required_group, Quote.state, Quote.amount_total, approval.c.approver, approval.c.comment,
                   approval.c.at)
        .outerjoin(approval, approval.c.res_id == Quote.id)
        .where(Quote.max_deviation_pct > 0)
        .order_by(Quote.quote_date.desc(), Quote.number, Quote.revision)
    )
    stmt = _period(stmt, date_from, date_to)
    from addons.masterdata.models import Customer

    names = {}
    rows = []
    for r in env.execute(stmt):
        if r.customer_id not in names:
            c = env.sudo().get(Customer, r.customer_id)  # the customer of a quote the user may read
            names[r.customer_id] = c.name_zh if c else "-"
        number = r.number if r.revision == 1 else f"{r.number}-R{r.revision}"
        rows.append([number, names[r.customer_id], Decimal(r.max_deviation_pct), r.required_group or "", r.state,
                     Decimal(r.amount_total), r.approver or "", r.comment or "", r.at.isoformat() if r.at else ""])
    headers = [translate(h, current_lang(env)) for h in (N_("Quote"), N_("Customer"), N_("% below floor"), N_("Required approver"),
                                    N_("State"), N_("Amount"), N_("Approved by"), N_("Comment"), N_("Approved at"))]
    return headers, rows


def win_loss_report(
    env: Env, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Quote lines won, lost and still open by strategy (quote type), with the win rate."""
    won = func.sum(case((Quote.state == "won", 1), else_=0))
    lost = func.sum(case((Quote.state == "lost", 1), else_=0))
    open_ = func.sum(case((Quote.state.in_(("draft", "waiting", "approved", "sent")), 1), else_=0))
    won_amount = func.sum(case((Quote.state == "won", QuoteLine.amount), else_=0))
    stmt = (
        env.select(QuoteLine, "read", QuoteLine.quote_type, won, lost, open_, won_amount)
        .join(Quote, Quote.id == QuoteLine.quote_id)
        .where(Quote.state != "superseded")
        .group_by(QuoteLine.quote_type)
        .order_by(QuoteLine.quote_type)
    )
    stmt = _period(stmt, date_from, date_to)
    from addons.pricing.models import QUOTE_TYPE_LABELS

    lang = current_lang(env)
    rows = []
    for qtype, w, lo, op, amount in env.execute(stmt):
        w, lo = int(w or 0), int(lo or 0)
        rate = (Decimal(w) / Decimal(w + lo) * 100).quantize(Decimal("0.1")) if w + lo else Decimal("0")
        rows.append([QUOTE_TYPE_LABELS.label(qtype, lang), w, lo, int(op or 0), rate, _d(amount).quantize(Decimal("0.01"))])
    headers = [translate(h, current_lang(env)) for h in (N_("Quote strategy"), N_("Won"), N_("Lost"), N_("Open"), N_("Win rate %"), N_("Won amount"))]
    return headers, rows


def realisation_report(
    env: Env, by: str = "strategy", date_from: dt.date | None = None, date_to: dt.date | None = None,
    states: Sequence[str] = PRICED_STATES,
) -> tuple[list[str], list[list[Any]]]:
    """Price realisation: quoted amount vs the same quantities at target price (%)."""
    key = QuoteLine.quote_type if by == "strategy" else Product.code
    quoted = func.sum(QuoteLine.amount)
    at_target = func.sum(QuoteLine.target_price * QuoteLine.quantity)
    at_floor = func.sum(QuoteLine.floor_price * QuoteLine.quantity)
    stmt = (
        env.select(QuoteLine, "read", key, quoted, at_target, at_floor)
        .join(Quote, Quote.id == QuoteLine.quote_id)
        .where(Quote.state.in_(list(states)))
    )
    if by != "strategy":
        stmt = stmt.join(Product, and_(Product.id == QuoteLine.product_id))
    stmt = _period(stmt, date_from, date_to).group_by(key).order_by(key)
    from addons.pricing.models import QUOTE_TYPE_LABELS

    lang = current_lang(env)
    rows = []
    for k, q, t, f in env.execute(stmt):
        q, t, f = _d(q).quantize(Decimal("0.01")), _d(t).quantize(Decimal("0.01")), _d(f).quantize(Decimal("0.01"))
        pct = (q / t * 100).quantize(Decimal("0.01")) if t else Decimal("0")
        name = QUOTE_TYPE_LABELS.label(k, lang) if by == "strategy" else k
        rows.append([name, q, t, f, pct])
    first = N_("Quote strategy") if by == "strategy" else N_("Product variety")
    headers = [translate(h, current_lang(env)) for h in (first, N_("Quoted"), N_("At target"), N_("At floor"), N_("Realisation %"))]
    return headers, rows


def _safe_cell(value: Any) -> Any:
    """Strings that a spreadsheet would read as a formula are prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_xlsx(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """An .xlsx workbook with one sheet (Decimals written as numbers with 2 decimals)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = (title or "report")[:31]
    ws.append([_safe_cell(h) for h in headers])
    for row in rows:
        ws.append([_safe_cell(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
