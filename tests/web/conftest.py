"""Fixtures of the web-shell tests: a database with the ``webshop`` test addon and a client.

Web tests run on SQLite (fast); the API/rules test also runs on PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.config import Deployment
from core.testing import TixiTestDB, make_user, new_database
from core.testing.web import csrf_token

WEB_ADDONS = Path(__file__).resolve().parent / "addons"
_counter = itertools.count()


class WebDB(TixiTestDB):
    """A test database whose registry sees ``tests/web/addons`` (webshop installed for acme)."""

    users: dict[str, int]

    def app(self, **config: Any) -> Any:
        """The Flask app for this database (testing mode)."""
        from core.web.app import create_app

        return create_app(registry=self.registry, test_config={"TESTING": True, **config})


_TEMPLATES: dict[tuple[str, str], tuple[str, dict[str, int]]] = {}


def _template(engine: str, variant: str = "webshop") -> tuple[str, dict[str, int]]:
    """A database with the test addons installed and the test users, built once per engine and variant.

    ``webshop``: webshop enabled for acme. ``webextra``: also webextra (which
    extends webshop's item form) for acme, and a company ``beta`` with webshop
    only (user ``beta_manager``).
    """
    if (engine, variant) not in _TEMPLATES:
        url, _drop = new_database(engine)
        db = WebDB(url, Deployment(path=None, addons_paths=[WEB_ADDONS]))
        db.install("webshop", companies=["acme"])
        db.company("other")
        users = make_users(db)
        if variant == "webextra":
            db.install("webshop", companies=["beta"])
            db.install("webextra", companies=["acme"])
            users["beta_manager"] = make_user(db, "beta_manager", ["core.group_territory_manager"], company="beta")
        db.dispose()
        _TEMPLATES[(engine, variant)] = (url, users)
    return _TEMPLATES[(engine, variant)]


def _copy(engine: str, variant: str = "webshop") -> tuple[str, Any]:
    url, _users = _template(engine, variant)
    if engine == "sqlite":
        src = Path(url.removeprefix("sqlite:///"))
        folder = Path(tempfile.mkdtemp(prefix="tixi-web-"))
        shutil.copy(src, folder / "test.db")
        return f"sqlite:///{folder / 'test.db'}", lambda: shutil.rmtree(folder, ignore_errors=True)
    from core.testing.pgserver import _admin_connection, drop_database, postgres_url

    base = postgres_url()
    name = f"tixi_web_{os.getpid()}_{next(_counter)}"
    with _admin_connection(base) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
    return base.rsplit("/", 1)[0] + f"/{name}", lambda: drop_database(base, name)


def _make(engine: str, variant: str = "webshop") -> Iterator[WebDB]:
    url, drop = _copy(engine, variant)
    db = WebDB(url, Deployment(path=None, addons_paths=[WEB_ADDONS]))
    db.users = dict(_template(engine, variant)[1])
    try:
        yield db
    finally:
        db.dispose()
        drop()


@pytest.fixture
def web_db() -> Iterator[WebDB]:
    """SQLite database with the kernel and the webshop addon (enabled for ``acme``) and test users."""
    yield from _make("sqlite")


@pytest.fixture(params=["sqlite", "postgresql"])
def web_db_both(request: pytest.FixtureRequest) -> Iterator[WebDB]:
    """Same on SQLite, then PostgreSQL."""
    yield from _make(request.param)


@pytest.fixture(params=["sqlite", "postgresql"])
def extra_db(request: pytest.FixtureRequest) -> Iterator[WebDB]:
    """webshop for acme and beta, webextra (extending webshop's item form) for acme only; both engines."""
    yield from _make(request.param, "webextra")


@pytest.fixture
def users(web_db: WebDB) -> dict[str, int]:
    """admin, director, manager, two salespeople in acme (sales also in ``other``), outsider in ``other``."""
    return web_db.users


def make_users(db: WebDB) -> dict[str, int]:
    """Create the standard cast of test users."""
    return {
        "admin": make_user(db, "admin", ["core.group_admin"], company=["acme", "other"], is_admin=True),
        "director": make_user(db, "director", ["core.group_director"]),
        "manager": make_user(db, "manager", ["core.group_territory_manager"]),
        "sales": make_user(db, "sales", ["core.group_salesperson"], company=["acme", "other"]),
        "sales2": make_user(db, "sales2", ["core.group_salesperson"]),
        "outsider": make_user(db, "outsider", ["core.group_salesperson"], company="other"),
    }



def login(client: Any, login_name: str, password: str | None = None) -> Any:
    """Log a test client in; returns the response of the POST."""
    if password is None:
        password = "long-enough-1" if login_name == "newbie" else "secret-pass-1"
    page = client.get("/login")
    return client.post("/login", data={"login": login_name, "password": password, "csrf_token": csrf_token(page.text)})


def add_item(db: WebDB, owner: int | None, name: str = "Item", company: str = "acme", **values: Any) -> int:
    """Insert an item directly (as the kernel would) and return its id."""
    from decimal import Decimal

    from webshop.models import Item

    company_id = db.company(company)
    with db.session() as s:
        data = {"name": name, "price": Decimal("10.00"), "owner_id": owner, **values}
        item = Item(company_id=company_id, **data)
        s.add(item)
        s.flush()
        return item.id
