"""Fast bulk inserts for imports and bulk assignments, inside the caller's transaction.

On PostgreSQL rows go through ``COPY ... FROM STDIN`` (psycopg), with ids
taken from the table's sequence first when the caller needs them; elsewhere
through SQLAlchemy's multi-row ``INSERT ... RETURNING``. The rows are dicts
with the same keys; values are Python objects (``Decimal``, aware datetimes,
dates), never pre-formatted text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.orm import Session

BATCH = 5000


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]], want_ids: bool = False) -> list[int]:
    """Insert ``rows`` into ``table``; return their ids (in order) when ``want_ids``.

    A write past the rules (the caller checks them in SQL afterwards, as the
    importer does); it needs the session's connection for ``COPY``.
    """
    if not rows:
        return []
    conn = session.connection()  # tixi: session-ok (COPY needs the connection; callers check rules in SQL)
    if conn.dialect.name == "postgresql":
        return _copy(conn, table, rows, want_ids)
    ids: list[int] = []
    if want_ids and conn.dialect.name == "sqlite":
        # Take the write lock first (a write statement, even one that changes nothing), so
        # no other connection can insert until we commit; then number the rows ourselves:
        # a plain executemany is 2-3 times faster than INSERT ... RETURNING.
        conn.execute(text(f'UPDATE "{table.name}" SET id = id WHERE 0'))
        top = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        ids = list(range(top + 1, top + 1 + len(rows)))
        rows = [{**r, "id": i} for r, i in zip(rows, ids, strict=True)]
        want_ids = False
    if not want_ids:
        _executemany(conn, table, rows)
        return ids
    for start in range(0, len(rows), BATCH):
        part = rows[start : start + BATCH]
        res = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), list(part))
        ids.extend(res.scalars().all())
    return ids


def _executemany(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """One compiled ``INSERT`` run by the driver's ``executemany`` over plain tuples.

    The columns' own bind processors convert the values (``Decimal``, aware
    datetimes), as SQLAlchemy would; only its per-row parameter building is
    skipped, which is most of the cost of a large insert.
    """
    cols = list(rows[0])
    for c in cols:
        if c not in table.c:
            raise KeyError(f"{table.name} has no column {c!r}")
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=cols)
    order = list(compiled.positiontup or cols)
    if set(order) != set(cols):  # column defaults to compute per row: let SQLAlchemy do it
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), list(rows[start : start + BATCH]))
        return
    procs = [table.c[c].type._cached_bind_processor(conn.dialect) for c in order]
    plan = list(zip(order, procs, strict=True))
    sql = str(compiled)
    for start in range(0, len(rows), BATCH):
        part = [tuple(r[c] if proc is None or r[c] is None else proc(r[c]) for c, proc in plan)
                for r in rows[start : start + BATCH]]
        conn.exec_driver_sql(sql, part)


def _copy(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], want_ids: bool) -> list[int]:
    ids: list[int] = []
    if want_ids:
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar_one()
        ids = list(
            conn.execute(text("SELECT nextval(:s) FROM generate_series(1, :n)"), {"s": seq, "n": len(rows)}).scalars()
        )
        rows = [{**r, "id": i} for r, i in zip(rows, ids, strict=True)]
    cols = list(rows[0])
    for c in cols:
        if c not in table.c:
            raise KeyError(f"{table.name} has no column {c!r}")
    raw = conn.connection.driver_connection
    quoted = ", ".join(f'"{c}"' for c in cols)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for r in rows:
            copy.write_row([r[c] for c in cols])
    return ids
