"""The floor of the stack for the load test: a bare Flask page running one SQL query.

``gunicorn -w 2 'bench.floor_app:app'`` with ``BENCH_FLOOR_DB`` (database URL)
and ``BENCH_FLOOR_OWNERS`` (comma-separated employee ids): each request runs
the equivalent of a salesperson's customer list page (50 rows of their
customers, sorted by name) with SQLAlchemy Core, and renders them in a minimal
HTML table. No login, no rules, no templates: what Tixi's throughput is
compared with (issue 8: >= 40 % of this floor).
"""

from __future__ import annotations

import html
import os
import random

from flask import Flask
from sqlalchemy import text

from core.db import make_engine

app = Flask("bench.floor")
_engine = make_engine(os.environ.get("BENCH_FLOOR_DB", "sqlite://"))
_owners = [int(x) for x in os.environ.get("BENCH_FLOOR_OWNERS", "0").split(",") if x]
_company = int(os.environ.get("BENCH_FLOOR_COMPANY", "1"))
_SQL = text(
    "SELECT id, code, name_zh, province, city, status FROM masterdata_customer "
    "WHERE company_id = :c AND owner_id = :o ORDER BY name_zh, id LIMIT 50"
)


@app.get("/")
def page() -> str:
    """50 customers of a random salesperson, as a bare HTML table."""
    with _engine.connect() as conn:
        rows = conn.execute(_SQL, {"c": _company, "o": random.choice(_owners)}).all()
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<!doctype html><html><body><table>{cells}</table></body></html>"
