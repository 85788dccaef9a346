"""The monthly purchase summary (``brand_campaigns_purchase_month``), maintained on write.

One row per company, month of the purchase date and distributor, with the
distributor's salesperson (``owner_id``) and territory, summing its purchases:
quantity, amount and their number. The distributor reports and the purchase
measures read it instead of the purchases when the period falls on whole
months (docs/performance.md, "Brand campaigns").

Maintenance (the pattern of pricing's margin summary): brand_campaigns'
``tixi_record_event`` reaction (:func:`on_record_event`, in the same
transaction) recomputes the *slice* a change touches — every row of one
distributor (a few hundred purchases at most) is deleted and summed again from
the purchases. A purchase created, changed or deleted refreshes its
distributor (the old one too when it moved); a distributor whose salesperson
or territory changed refreshes itself. Recomputed, never patched with a delta:
no drift. :func:`rebuild` recomputes a company (the migration, the
benchmark's bulk fill).

Derived data written through ``env.sudo().execute`` (everybody's purchases,
whoever changed one); read through ``env.select`` and its own rules
(security.yaml: the purchases' rules on the summary's own ``owner_id``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, cast, delete, func, insert, select, text

from .models import Distributor, DistributorPurchase, PurchaseMonth

if TYPE_CHECKING:
    from core.security.env import Env

COLUMNS = ("company_id", "month", "distributor_id", "owner_id", "territory_id", "quantity", "amount", "purchases")


def _month_expr(dialect: str) -> Any:
    if dialect == "postgresql":
        return cast(func.date_trunc("month", DistributorPurchase.purchase_date), Date())
    return func.date(DistributorPurchase.purchase_date, "start of month")


def _aggregate(dialect: str, *where: Any) -> Any:
    """The summary rows of the purchases matching ``where`` (no rules: derived data of everyone)."""
    P, D = DistributorPurchase, Distributor
    month = _month_expr(dialect)
    keys = (P.company_id, month, P.distributor_id, D.owner_id, D.territory_id)
    return (select(*keys, func.sum(P.quantity), func.sum(P.amount), func.count(P.id))
            .select_from(P).join(D, D.id == P.distributor_id).where(*where).group_by(*keys))


def _dialect(env: Env) -> str:
    return env.session.get_bind().dialect.name


def refresh(env: Env, distributor_ids: Iterable[int], exclude_purchases: Iterable[int] = ()) -> int:
    """Sum the distributors' rows again from their purchases; returns how many distributors were refreshed.

    ``exclude_purchases``: purchases being deleted in this transaction (the event comes before the row goes).
    """
    wanted = sorted({int(i) for i in distributor_ids if i})
    if not wanted:
        return 0
    sudo = env.sudo()  # derived data of every distributor's purchases, whoever changed one (module docstring)
    dialect = _dialect(env)
    excluded = list(exclude_purchases)
    for did in wanted:
        if dialect == "postgresql":
            # one writer per distributor at a time (READ COMMITTED: the second deletes the first's rows too)
            sudo.execute(select(func.pg_advisory_xact_lock(func.hashtext("brand_campaigns_purchase_month"), did)))
        sudo.execute(delete(PurchaseMonth).where(PurchaseMonth.distributor_id == did))
        where = [DistributorPurchase.distributor_id == did]
        if excluded:
            where.append(DistributorPurchase.id.not_in(excluded))
        sudo.execute(insert(PurchaseMonth).from_select(list(COLUMNS), _aggregate(dialect, *where)))
    return len(wanted)


def rebuild(env: Env, company_id: int | None = None) -> int:
    """Recompute a company's whole summary (default: the env's); returns the number of summary rows."""
    company_id = env.company_id if company_id is None else company_id
    return rebuild_rows(env.sudo().execute, _dialect(env), company_id)  # derived data (module docstring)


def rebuild_rows(execute: Callable[[Any], Any], dialect: str, company_id: int) -> int:
    """:func:`rebuild` on a plain ``execute`` (bulk loaders without an ``Env``: ``tixi bench generate``)."""
    if dialect == "postgresql":
        execute(text("LOCK TABLE brand_campaigns_purchase_month IN SHARE ROW EXCLUSIVE MODE"))
    execute(delete(PurchaseMonth).where(PurchaseMonth.company_id == company_id))
    execute(insert(PurchaseMonth).from_select(list(COLUMNS), _aggregate(
        dialect, DistributorPurchase.company_id == company_id)))
    return int(execute(select(func.count(PurchaseMonth.id)).where(
        PurchaseMonth.company_id == company_id)).scalar() or 0)


def _old(changes: dict, key: str) -> Any:
    pair = (changes or {}).get(key)
    return pair[0] if isinstance(pair, (list, tuple)) and len(pair) == 2 else None


def on_record_event(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Keep the summary in step with a purchase's or a distributor's change (same transaction)."""
    if model == "brand_campaigns_purchase":
        ids = {record.distributor_id}
        if event == "updated" and _old(changes, "distributor_id"):
            ids.add(int(_old(changes, "distributor_id")))
        refresh(env, ids, exclude_purchases=[record.id] if event == "deleted" else ())
    elif model == "brand_campaigns_distributor" and event == "updated" and (
            "owner_id" in (changes or {}) or "territory_id" in (changes or {})):
        refresh(env, [record.id])


# ----- reading ------------------------------------------------------------------------------------
def whole_months(date_from: dt.date | None, date_to: dt.date | None) -> bool:
    """True when the period starts on a first and ends on a last day of a month."""
    if date_from is not None and date_from.day != 1:
        return False
    return date_to is None or (date_to + dt.timedelta(days=1)).day == 1


def differences(env: Env, company_id: int | None = None) -> list[tuple[Any, ...]]:
    """Summary rows that differ from the purchases' aggregate (tests; a health check)."""
    company_id = env.company_id if company_id is None else company_id
    sudo = env.sudo()  # derived data, compared whole (module docstring)
    want = {tuple(r[1:5]): (float(r[5]), float(r[6]), int(r[7])) for r in sudo.execute(
        _aggregate(_dialect(env), DistributorPurchase.company_id == company_id)).all()}
    P = PurchaseMonth
    have = {(r[0] if isinstance(r[0], dt.date) else dt.date.fromisoformat(str(r[0])[:10]), r[1], r[2], r[3]):
            (float(r[4]), float(r[5]), int(r[6])) for r in sudo.execute(select(
                P.month, P.distributor_id, P.owner_id, P.territory_id, P.quantity, P.amount, P.purchases).where(
                P.company_id == company_id)).all()}
    norm = {(k[0] if isinstance(k[0], dt.date) else dt.date.fromisoformat(str(k[0])[:10]), *k[1:]): v
            for k, v in want.items()}
    return sorted((k, norm.get(k), have.get(k)) for k in set(norm) | set(have) if norm.get(k) != have.get(k))
