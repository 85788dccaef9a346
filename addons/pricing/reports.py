"""Pricing reports: SQL aggregates built on ``env.select`` (record rules in the WHERE clause).

* :func:`margin_report`: revenue, cost, margin by any of customer class,
  product, territory, month (cost roles only: the margin is a restricted field).
* :func:`outside_band_report`: quotes priced below the floor and who approved them.
* :func:`win_loss_report`: quotes won/lost/open by strategy (quote type).
* :func:`realisation_report`: price realisation, quoted vs target, by strategy or product.

Each ``*_rows`` function returns the rows as dicts (keys of the report
centre's columns, :mod:`addons.pricing.report_defs`) and takes the filters of
the report parameters (``territory``, ``salesperson``, ``product``); each
``*_report`` function returns the same as ``(headers, rows)`` (dashboard,
benchmark). :func:`to_xlsx` writes ``(headers, rows)`` to an .xlsx with
formula-like cells escaped.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, literal, select

from addons.masterdata.models import Product
from addons.pricing import summary
from addons.pricing.models import MarginMonth, Quote, QuoteLine
from core.errors import AccessDenied, ValidationError
from core.i18n import N_, current_lang, translate
from core.models import ApprovalEvent, ApprovalRequest, User

if TYPE_CHECKING:
    from core.security.env import Env

#: quote states that count as priced business in margin reports (the summary's)
PRICED_STATES = summary.PRICED_STATES
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


def _filters(stmt: Any, territory: int | None = None, salesperson: int | None = None,
             product: int | None = None) -> Any:
    """The report parameters' filters (the rules are already in ``env.select``)."""
    if territory is not None:
        stmt = stmt.where(Quote.territory_id == territory)
    if salesperson is not None:
        stmt = stmt.where(Quote.owner_id == salesperson)
    if product is not None:
        stmt = stmt.where(QuoteLine.product_id == product)
    return stmt


def _headers(env: Env, msgids: Sequence[str]) -> list[str]:
    lang = current_lang(env)
    return [translate(m, lang) for m in msgids]


def _d(value: Any) -> Decimal:
    return Decimal(value or 0)


MARGIN_COLUMNS = (N_("Revenue"), N_("Cost"), N_("Margin"), N_("Margin %"), N_("Lines"))


def margin_rows(
    env: Env,
    by: Sequence[str] = ("customer_class", "product", "territory"),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    states: Sequence[str] = PRICED_STATES,
    territory: int | None = None,
    salesperson: int | None = None,
    product: int | None = None,
    source: str = "auto",
) -> list[dict[str, Any]]:
    """Revenue, cost, margin and margin % grouped by ``by`` (one SQL query); rows as dicts.

    Keys: each dimension of ``by`` (the territory's name, the product's code),
    ``territory_id`` / ``product_id`` when grouped by them, ``revenue``,
    ``cost``, ``margin``, ``margin_pct``, ``lines``. Cost roles only
    (:class:`AccessDenied` otherwise: the margin is a restricted field).

    ``source``: ``auto`` reads the monthly summary (:mod:`addons.pricing.summary`)
    when the period falls on whole months and the states are the priced ones,
    the quote lines otherwise; ``lines`` / ``summary`` force one (tests, the
    benchmark). Both give the same rows.
    """
    if not env.field_visible(QuoteLine, "margin_amount"):
        raise AccessDenied(translate(N_("Margins are visible only to the Director, territory managers and Finance."), current_lang(env)))
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown or not by:
        raise ValidationError(translate(N_("Unknown report dimension: %(value)s."), current_lang(env), value=", ".join(unknown)))
    fits = set(states) == set(PRICED_STATES) and summary.whole_months(date_from, date_to)
    if source not in ("auto", "lines", "summary") or (source == "summary" and not fits):
        raise ValueError(f"margin_rows: source {source!r} does not fit these parameters")
    if source == "summary" or (source == "auto" and fits):
        stmt = _margin_from_summary(env, by, date_from, date_to, territory, salesperson, product)
    else:
        stmt = _margin_from_lines(env, by, date_from, date_to, states, territory, salesperson, product)
    territory_names = _territory_names(env) if "territory" in by else {}
    rows = []
    for rec in env.execute(stmt):
        data = dict(rec._mapping)
        if "territory" in by:
            data["territory_id"] = data["territory"]
            data["territory"] = territory_names.get(data["territory"], "-")
        rev, cst, mar = (_d(data[k]).quantize(Decimal("0.01")) for k in ("revenue", "cost", "margin"))
        data.update(revenue=rev, cost=cst, margin=mar, lines=int(data["lines"]),
                    margin_pct=(mar / rev * 100).quantize(Decimal("0.01")) if rev else Decimal("0"))
        rows.append(data)
    return rows


def _margin_dims(env: Env, by: Sequence[str], model: Any, month: Any) -> list[Any]:
    """The grouping columns of ``by`` on the quote (``model`` = Quote) or the summary (MarginMonth)."""
    dims: list[Any] = []
    for d in by:
        if d == "customer_class":
            dims.append(func.coalesce(model.customer_class, literal("-")).label("customer_class"))
        elif d == "product":
            dims.append(Product.code.label("product"))
            dims.append(Product.id.label("product_id"))
        elif d == "territory":
            dims.append(model.territory_id.label("territory"))
        else:
            dims.append(_month_expr(env, month).label("month"))
    return dims


def _margin_from_lines(env: Env, by: Sequence[str], date_from: dt.date | None, date_to: dt.date | None,
                       states: Sequence[str], territory: int | None, salesperson: int | None,
                       product: int | None) -> Any:
    """The margin aggregate over the quote lines (any period, any states)."""
    dims = _margin_dims(env, by, Quote, Quote.quote_date)
    revenue = func.sum(QuoteLine.amount).label("revenue")
    cost = func.sum(QuoteLine.cost * QuoteLine.quantity).label("cost")
    margin = func.sum(QuoteLine.margin_amount).label("margin")
    stmt = (
        env.select(QuoteLine, "read", *dims, revenue, cost, margin, func.count(QuoteLine.id).label("lines"))
        .join(Quote, Quote.id == QuoteLine.quote_id)
        .where(Quote.state.in_(list(states)))
    )
    if "product" in by:
        stmt = stmt.join(Product, Product.id == QuoteLine.product_id)
    stmt = _filters(_period(stmt, date_from, date_to), territory, salesperson, product)
    return stmt.group_by(*dims).order_by(*dims)


def _margin_from_summary(env: Env, by: Sequence[str], date_from: dt.date | None, date_to: dt.date | None,
                         territory: int | None, salesperson: int | None, product: int | None) -> Any:
    """The same aggregate over the monthly summary (whole months, priced states; its own rules apply)."""
    dims = _margin_dims(env, by, MarginMonth, MarginMonth.month)
    stmt = summary.summary_select(
        env, *dims, func.sum(MarginMonth.revenue).label("revenue"), func.sum(MarginMonth.cost).label("cost"),
        func.sum(MarginMonth.margin).label("margin"), func.sum(MarginMonth.lines).label("lines"),
    )
    if "product" in by:
        stmt = stmt.join(Product, Product.id == MarginMonth.product_id)
    stmt = summary.period_filter(stmt, date_from, date_to)
    if territory is not None:
        stmt = stmt.where(MarginMonth.territory_id == territory)
    if salesperson is not None:
        stmt = stmt.where(MarginMonth.owner_id == salesperson)
    if product is not None:
        stmt = stmt.where(MarginMonth.product_id == product)
    return stmt.group_by(*dims).order_by(*dims)


def margin_report(
    env: Env,
    by: Sequence[str] = ("customer_class", "product", "territory"),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    states: Sequence[str] = PRICED_STATES,
) -> tuple[list[str], list[list[Any]]]:
    """:func:`margin_rows` as ``(headers, rows)``: the dimensions, then revenue, cost, margin, margin %, lines."""
    rows = margin_rows(env, by, date_from, date_to, states)
    keys = [*by, "revenue", "cost", "margin", "margin_pct", "lines"]
    headers = _headers(env, [DIMENSIONS[d] for d in by]) + _headers(env, MARGIN_COLUMNS)
    return headers, [[r[k] for k in keys] for r in rows]


def _territory_names(env: Env) -> dict[int | None, str]:
    if "territories" not in env.enabled:
        return {}
    from addons.territories.models import Territory

    lang = current_lang(env)
    return {t.id: t.display(lang) for t in env.search(Territory)}


def outside_band_rows(
    env: Env, date_from: dt.date | None = None, date_to: dt.date | None = None,
    territory: int | None = None, salesperson: int | None = None,
) -> list[dict[str, Any]]:
    """Quotes priced below their floor: deviation, state, and who approved them with what comment.

    Keys: ``quote`` (number), ``quote_id``, ``customer``, ``customer_id``,
    ``below_floor_pct``, ``required_group``, ``state``, ``amount``,
    ``approver``, ``comment``, ``approved_at``.
    """
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
        env.select(Quote, "read", Quote.id, Quote.number, Quote.revision, Quote.customer_id, Quote.max_deviation_pct,
                   Quote.required_group, Quote.state, Quote.amount_total, approval.c.approver, approval.c.comment,
                   approval.c.at)
        .outerjoin(approval, approval.c.res_id == Quote.id)
        .where(Quote.max_deviation_pct > 0)
        .order_by(Quote.quote_date.desc(), Quote.number, Quote.revision)
    )
    stmt = _filters(_period(stmt, date_from, date_to), territory, salesperson)
    from addons.masterdata.models import Customer
    from addons.pricing.models import QUOTE_STATE_LABELS

    lang = current_lang(env)
    names: dict[int, str] = {}
    rows = []
    for r in env.execute(stmt):
        if r.customer_id not in names:
            c = env.sudo().get(Customer, r.customer_id)  # the customer of a quote the user may read
            names[r.customer_id] = c.name_zh if c else "-"
        number = r.number if r.revision == 1 else f"{r.number}-R{r.revision}"
        rows.append({"quote": number, "quote_id": r.id, "customer": names[r.customer_id], "customer_id": r.customer_id,
                     "below_floor_pct": Decimal(r.max_deviation_pct), "required_group": r.required_group or "",
                     "state": QUOTE_STATE_LABELS.label(r.state, lang), "state_key": r.state,
                     "amount": Decimal(r.amount_total), "approver": r.approver or "", "comment": r.comment or "",
                     "approved_at": r.at})
    return rows


OUTSIDE_BAND_KEYS = ("quote", "customer", "below_floor_pct", "required_group", "state_key", "amount", "approver",
                     "comment", "approved_at")
OUTSIDE_BAND_HEADERS = (N_("Quote"), N_("Customer"), N_("% below floor"), N_("Required approver"), N_("State"),
                        N_("Amount"), N_("Approved by"), N_("Comment"), N_("Approved at"))


def outside_band_report(
    env: Env, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> tuple[list[str], list[list[Any]]]:
    """:func:`outside_band_rows` as ``(headers, rows)`` (the state as stored, the approval time as ISO text)."""
    rows = []
    for r in outside_band_rows(env, date_from, date_to):
        values = [r[k] for k in OUTSIDE_BAND_KEYS]
        values[-1] = r["approved_at"].isoformat() if r["approved_at"] else ""
        rows.append(values)
    return _headers(env, OUTSIDE_BAND_HEADERS), rows


def win_loss_rows(
    env: Env, date_from: dt.date | None = None, date_to: dt.date | None = None,
    territory: int | None = None, salesperson: int | None = None, product: int | None = None,
) -> list[dict[str, Any]]:
    """Quote lines won, lost and still open by strategy (quote type), with the win rate.

    Keys: ``strategy`` (label), ``quote_type``, ``won``, ``lost``, ``open``, ``win_rate``, ``won_amount``.
    """
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
    stmt = _filters(_period(stmt, date_from, date_to), territory, salesperson, product)
    from addons.pricing.models import QUOTE_TYPE_LABELS

    lang = current_lang(env)
    rows = []
    for qtype, w, lo, op, amount in env.execute(stmt):
        w, lo = int(w or 0), int(lo or 0)
        rate = (Decimal(w) / Decimal(w + lo) * 100).quantize(Decimal("0.1")) if w + lo else Decimal("0")
        rows.append({"strategy": QUOTE_TYPE_LABELS.label(qtype, lang), "quote_type": qtype, "won": w, "lost": lo,
                     "open": int(op or 0), "win_rate": rate, "won_amount": _d(amount).quantize(Decimal("0.01"))})
    return rows


def win_loss_report(
    env: Env, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> tuple[list[str], list[list[Any]]]:
    """:func:`win_loss_rows` as ``(headers, rows)``."""
    keys = ("strategy", "won", "lost", "open", "win_rate", "won_amount")
    rows = [[r[k] for k in keys] for r in win_loss_rows(env, date_from, date_to)]
    return _headers(env, (N_("Quote strategy"), N_("Won"), N_("Lost"), N_("Open"), N_("Win rate %"), N_("Won amount"))), rows


def realisation_rows(
    env: Env, by: str = "strategy", date_from: dt.date | None = None, date_to: dt.date | None = None,
    states: Sequence[str] = PRICED_STATES, territory: int | None = None, salesperson: int | None = None,
    product: int | None = None,
) -> list[dict[str, Any]]:
    """Price realisation: quoted amount vs the same quantities at target price (%).

    Keys: ``key`` (strategy label or product code), ``quoted``, ``at_target``, ``at_floor``, ``realisation``.
    """
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
    stmt = _filters(_period(stmt, date_from, date_to), territory, salesperson, product).group_by(key).order_by(key)
    from addons.pricing.models import QUOTE_TYPE_LABELS

    lang = current_lang(env)
    rows = []
    for k, q, t, f in env.execute(stmt):
        q, t, f = _d(q).quantize(Decimal("0.01")), _d(t).quantize(Decimal("0.01")), _d(f).quantize(Decimal("0.01"))
        pct = (q / t * 100).quantize(Decimal("0.01")) if t else Decimal("0")
        name = QUOTE_TYPE_LABELS.label(k, lang) if by == "strategy" else k
        rows.append({"key": name, "quoted": q, "at_target": t, "at_floor": f, "realisation": pct})
    return rows


def realisation_report(
    env: Env, by: str = "strategy", date_from: dt.date | None = None, date_to: dt.date | None = None,
    states: Sequence[str] = PRICED_STATES,
) -> tuple[list[str], list[list[Any]]]:
    """:func:`realisation_rows` as ``(headers, rows)``."""
    keys = ("key", "quoted", "at_target", "at_floor", "realisation")
    rows = [[r[k] for k in keys] for r in realisation_rows(env, by, date_from, date_to, states)]
    first = N_("Quote strategy") if by == "strategy" else N_("Product variety")
    return _headers(env, (first, N_("Quoted"), N_("At target"), N_("At floor"), N_("Realisation %"))), rows


def _safe_cell(value: Any) -> Any:
    """Strings that a spreadsheet would read as a formula are prefixed with a quote (the kernel's rule)."""
    from core.reports.export import safe_cell

    return safe_cell(value)


def to_xlsx(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """An .xlsx workbook with one sheet (Decimals written as numbers with 2 decimals)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    from core.reports.export import sheet_title

    ws.title = sheet_title(title or "report")
    ws.append([_safe_cell(h) for h in headers])
    for row in rows:
        ws.append([_safe_cell(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
