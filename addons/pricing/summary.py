"""The monthly margin summary (``pricing_margin_month``), maintained on write.

One row per company, month of the quote date, customer, owner (salesperson),
territory, customer class and product, summing the lines of quotes in a priced
state (:data:`addons.pricing.reports.PRICED_STATES`): revenue, cost x quantity,
margin and the number of lines. The margin report reads it instead of the
quote lines when its period falls on whole months (docs/performance.md,
"Report centre").

Maintenance: pricing's ``tixi_record_event`` reaction (:func:`on_record_event`,
in the same transaction as the change) and ``tixi_records_imported`` (the
quote lines written in bulk, :func:`on_lines_imported`) recompute the
*slices* the change touches: every row of one company, customer and month is
deleted and summed again from the quote lines (``DELETE`` + ``INSERT ...
SELECT``, a few quotes' lines). A slice is recomputed, never patched with a
delta, so the summary cannot drift from the lines whatever the order of
events. :func:`rebuild` recomputes a company's whole summary (the migration,
the benchmark after its bulk fill, and the job ``pricing.rebuild_margin_summary``
for repair: ``tixi jobs run pricing.rebuild_margin_summary``).

The summary is derived data written by the kernel's elevated path
(``env.sudo().execute``), whoever changed the quote; reading it goes through
``env.select`` and its own rules (security.yaml: cost roles only, the quote
rules' owner and territory conditions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, cast, delete, func, insert, select, text

from addons.pricing.models import MarginMonth, Quote, QuoteLine

if TYPE_CHECKING:
    from core.security.env import Env

#: quote states whose lines count in the summary (the margin report's default)
PRICED_STATES = ("approved", "sent", "won")
#: summary columns filled by :func:`_aggregate`, in order
COLUMNS = ("company_id", "month", "customer_id", "owner_id", "territory_id", "customer_class", "product_id",
           "revenue", "cost", "margin", "lines")

Slice = tuple[int, int, dt.date]  # company id, customer id, first day of the month


def month_start(day: dt.date | str) -> dt.date:
    """The first day of ``day``'s month (``day`` a date or an ISO text, as in audit changes)."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    if isinstance(day, dt.datetime):
        day = day.date()
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the month after ``month`` (a first day)."""
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_expr(dialect: str) -> Any:
    """SQL for the first day of the quote date's month."""
    if dialect == "postgresql":
        return cast(func.date_trunc("month", Quote.quote_date), Date())
    return func.date(Quote.quote_date, "start of month")


def _aggregate(dialect: str, *where: Any) -> Any:
    """The summary rows of the priced quote lines matching ``where`` (no rules: derived data of everyone)."""
    month = _month_expr(dialect)
    keys = (Quote.company_id, month, Quote.customer_id, Quote.owner_id, Quote.territory_id, Quote.customer_class,
            QuoteLine.product_id)
    return (
        select(*keys, func.sum(QuoteLine.amount), func.sum(QuoteLine.cost * QuoteLine.quantity),
               func.sum(QuoteLine.margin_amount), func.count(QuoteLine.id))
        .select_from(QuoteLine)
        .join(Quote, Quote.id == QuoteLine.quote_id)
        .where(Quote.state.in_(PRICED_STATES), *where)
        .group_by(*keys)
    )


def _dialect(env: Env) -> str:
    return env.session.get_bind().dialect.name


def refresh_slices(env: Env, slices: Iterable[Slice], exclude_quotes: Iterable[int] = (),
                   exclude_lines: Iterable[int] = ()) -> int:
    """Sum the slices (company, customer, month) again from the quote lines; returns how many were refreshed.

    ``exclude_quotes`` / ``exclude_lines``: records being deleted in this
    transaction (the event comes before the row goes).
    """
    wanted = sorted(set(slices))
    if not wanted:
        return 0
    sudo = env.sudo()  # derived data of every owner's quotes, whoever changed one (module docstring)
    dialect = _dialect(env)
    xq, xl = list(exclude_quotes), list(exclude_lines)
    for company_id, customer_id, month in wanted:
        if dialect == "postgresql":
            # one writer per customer at a time: a second transaction refreshing the same slice waits
            # for the first to commit, then deletes its rows too (READ COMMITTED: a new snapshot per
            # statement), instead of adding its own next to them
            sudo.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"pricing_margin_month:{company_id}"),
                                                           customer_id)))
        sudo.execute(delete(MarginMonth).where(
            MarginMonth.company_id == company_id, MarginMonth.customer_id == customer_id, MarginMonth.month == month))
        where = [Quote.company_id == company_id, Quote.customer_id == customer_id,
                 Quote.quote_date >= month, Quote.quote_date < next_month(month)]
        if xq:
            where.append(Quote.id.not_in(xq))
        if xl:
            where.append(QuoteLine.id.not_in(xl))
        sudo.execute(insert(MarginMonth).from_select(list(COLUMNS), _aggregate(dialect, *where)))
    return len(wanted)


def rebuild(env: Env, company_id: int | None = None) -> int:
    """Recompute the whole summary of a company (default: the env's); returns the number of summary rows."""
    company_id = env.company_id if company_id is None else company_id
    # derived data of every owner's quotes (module docstring)
    return rebuild_rows(env.sudo().execute, _dialect(env), company_id)


def rebuild_rows(execute: Callable[[Any], Any], dialect: str, company_id: int) -> int:
    """:func:`rebuild` on a plain ``execute`` (a connection's, for bulk loaders without an ``Env``:
    ``tixi bench generate``, the benchmarks' fills); returns the number of summary rows."""
    if dialect == "postgresql":
        # slice refreshes of other transactions wait until the rebuild commits (and it for theirs)
        execute(text("LOCK TABLE pricing_margin_month IN SHARE ROW EXCLUSIVE MODE"))
    execute(delete(MarginMonth).where(MarginMonth.company_id == company_id))
    execute(insert(MarginMonth).from_select(list(COLUMNS), _aggregate(dialect, Quote.company_id == company_id)))
    return int(execute(select(func.count(MarginMonth.id)).where(MarginMonth.company_id == company_id)).scalar() or 0)


def rebuild_job(ctx: Any) -> dict[str, int]:
    """The job ``pricing.rebuild_margin_summary``: :func:`rebuild` for the run's company."""
    rows = rebuild(ctx.env)
    ctx.progress(1, 1)
    return {"rows": rows}


def _slice(quote: Quote) -> Slice:
    return (quote.company_id, quote.customer_id, month_start(quote.quote_date))


def _old(changes: dict, key: str, current: Any) -> Any:
    pair = changes.get(key)
    return pair[0] if isinstance(pair, (list, tuple)) and len(pair) == 2 else current


def on_record_event(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Keep the summary in step with a quote's or a line's change (same transaction)."""
    if model == "pricing_quote":
        _on_quote(env, event, record, changes)
    elif model == "pricing_quote_line":
        quote = env.sudo().get(Quote, record.quote_id)  # the line's quote, whoever may read it
        if quote is not None and quote.state in PRICED_STATES:
            refresh_slices(env, [_slice(quote)], exclude_lines=[record.id] if event == "deleted" else ())


def _on_quote(env: Env, event: str, quote: Quote, changes: dict) -> None:
    old_state = _old(changes, "state", quote.state)
    if quote.state not in PRICED_STATES and old_state not in PRICED_STATES:
        return  # neither before nor after in the summary
    slices = {_slice(quote)}
    if event == "updated" and ("customer_id" in changes or "quote_date" in changes):
        old_customer = _old(changes, "customer_id", quote.customer_id)
        old_day = _old(changes, "quote_date", quote.quote_date)
        slices.add((quote.company_id, int(old_customer), month_start(old_day)))
    refresh_slices(env, slices, exclude_quotes=[quote.id] if event == "deleted" else ())


def on_lines_imported(env: Env, ids: list[int]) -> None:
    """Quote lines written in bulk (``_write_lines``): refresh the slices of their priced quotes."""
    if not ids:
        return
    sudo = env.sudo()  # the lines were just written by a checked bulk path
    rows = sudo.execute(
        select(Quote.company_id, Quote.customer_id, Quote.quote_date).distinct()
        .join(QuoteLine, QuoteLine.quote_id == Quote.id)
        .where(QuoteLine.id.in_(ids), Quote.state.in_(PRICED_STATES))
    ).all()
    refresh_slices(env, [(c, cu, month_start(d)) for c, cu, d in rows])


# ----- reading ------------------------------------------------------------------------------------
def whole_months(date_from: dt.date | None, date_to: dt.date | None) -> bool:
    """True when the period starts on a first and ends on a last day of a month (or is open)."""
    if date_from is not None and date_from.day != 1:
        return False
    return date_to is None or (date_to + dt.timedelta(days=1)).day == 1


def summary_select(env: Env, *columns: Any) -> Any:
    """``env.select`` of the summary (rights and rules of ``pricing_margin_month`` applied)."""
    return env.select(MarginMonth, "read", *columns)


def period_filter(stmt: Any, date_from: dt.date | None, date_to: dt.date | None) -> Any:
    """The period on the summary's month (whole months only: :func:`whole_months`)."""
    if date_from is not None:
        stmt = stmt.where(MarginMonth.month >= date_from)
    if date_to is not None:
        stmt = stmt.where(MarginMonth.month <= date_to)
    return stmt


def differences(env: Env, company_id: int | None = None) -> list[tuple[Any, ...]]:
    """Rows where the summary differs from the lines' aggregate (empty when in step): a check for tests and repair."""
    company_id = env.company_id if company_id is None else company_id
    sudo = env.sudo()  # compares derived data with its source, every owner's
    raw = {_key(r): tuple(r[7:]) for r in sudo.execute(_aggregate(_dialect(env), Quote.company_id == company_id))}
    keys = [getattr(MarginMonth, c) for c in COLUMNS[:7]]
    sums = [func.sum(MarginMonth.revenue), func.sum(MarginMonth.cost), func.sum(MarginMonth.margin),
            func.sum(MarginMonth.lines)]
    # summed by key: a key stored twice (double counting) shows as a difference
    stored = {_key(r): tuple(r[7:]) for r in sudo.execute(
        select(*keys, *sums).where(MarginMonth.company_id == company_id).group_by(*keys))}
    out = []
    for key in set(raw) | set(stored):
        a, b = raw.get(key), stored.get(key)
        if _norm(a) != _norm(b):
            out.append((key, a, b))
    return out


def _key(row: Any) -> tuple[Any, ...]:
    key = list(row[:7])
    key[1] = str(key[1])[:10]  # a date, or SQLite's text date of the raw aggregate
    return tuple(key)


def _norm(values: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    return None if values is None else tuple(_num(x) for x in values)


def _num(value: Any) -> Any:
    from decimal import Decimal

    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.0001"))


__all__ = ["PRICED_STATES", "differences", "month_start", "on_lines_imported", "on_record_event", "rebuild",
           "rebuild_rows", "refresh_slices", "summary_select", "whole_months"]
