"""Test helpers for the kernel and for addon authors (pytest fixtures and factories).

Addon authors: use the pytest plugin :mod:`core.testing.plugin` and its
``tixi_world`` fixture (docs/testing.md); this module holds the building blocks.

Every database test runs on SQLite and on PostgreSQL: the ``tixi_db`` fixture
is parametrised over both engines. PostgreSQL comes from ``TIXI_TEST_PG_URL``
or a throwaway server started by :mod:`core.testing.pgserver`; if it cannot be
started the test fails (never skips).

Lower-level usage (``make_user``'s default password is ``secret-pass-1``;
pass ``password=None`` for users that never log in: no Argon2 hashing)::

    from core.testing import make_env, make_user, tixi_db  # noqa: F401

    def test_something(tixi_db):
        tixi_db.install("myaddon", companies=["acme"])
        uid = make_user(tixi_db, "alice", ["core.group_salesperson"], company="acme")
        with tixi_db.session() as s:
            env = make_env(tixi_db, s, uid)
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Deployment
from core.lifecycle import Lifecycle
from core.models import Company, User
from core.registry import Registry
from core.security.env import Env
from core.security.users import create_user

ENGINES = ("sqlite", "postgresql")
_counter = itertools.count()
_templates: dict[str, str] = {}


class TixiTestDB:
    """A fresh database with the kernel installed, its registry and handy shortcuts."""

    def __init__(
        self, url: str, deployment: Deployment | None = None, use_entry_points: bool = False
    ) -> None:
        self.url = url
        self.engine_name = "postgresql" if url.startswith("postgresql") else "sqlite"
        self.registry = Registry(
            url, deployment or Deployment(path=None), use_entry_points=use_entry_points
        )
        self.lifecycle = Lifecycle(self.registry)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self.registry.Session() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def company(self, code: str, name: str | None = None) -> int:
        """Id of a company by code, created if missing."""
        with self.session() as s:
            company = s.scalar(select(Company).where(Company.code == code))
            if company is None:
                company = Company(code=code, name_zh=name or code, name_en=name or code)
                s.add(company)
                s.flush()
            return company.id

    def install(
        self, *names: str, companies: Iterable[str] = ("acme",), demo: bool = False
    ) -> None:
        """Install addons and enable them for the given companies (created if missing)."""
        for code in companies:
            self.company(code)
        if names:
            self.lifecycle.install(names, demo=demo)
        for code in companies:
            for name in names:
                self.lifecycle.enable(name, code)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.registry.engine.dispose()


def make_user(
    db: TixiTestDB,
    login: str,
    groups: Iterable[str] = ("core.group_user",),
    company: str | Iterable[str] = "acme",
    password: str | None = "secret-pass-1",
    is_admin: bool = False,
) -> int:
    """Create a user in one or more companies (created if missing); return the id."""
    codes = [company] if isinstance(company, str) else list(company)
    ids = [db.company(c) for c in codes]
    with db.session() as s:
        companies = [s.get(Company, i) for i in ids]
        user = create_user(
            s, login, login.title(), password, companies, list(groups), is_admin=is_admin
        )
        return user.id


def make_env(db: TixiTestDB, session: Session, user_id: int, company: str | None = None) -> Env:
    """The security environment of a user (in a company given by code, else their current one)."""
    cid = None
    if company is not None:
        cid = session.scalar(select(Company.id).where(Company.code == company))
    return Env(db.registry, session, user_id, cid)


def _kernel_template(engine: str) -> str:
    """A database with the kernel installed, copied for each test (fast set-up)."""
    if engine in _templates:
        return _templates[engine]
    if engine == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="tixi-tpl-"))
        url = f"sqlite:///{folder / 'template.db'}"
    else:
        from core.testing.pgserver import create_database, postgres_url

        url = create_database(postgres_url(), f"tixi_tpl_{os.getpid()}")
    reg = Registry(url, Deployment(path=None), use_entry_points=False)
    Lifecycle(reg).install([])
    reg.engine.dispose()
    _templates[engine] = url
    return url


def new_database(engine: str) -> tuple[str, Any]:
    """A fresh database URL with the kernel installed, and a function that drops it."""
    template = _kernel_template(engine)
    n = next(_counter)
    if engine == "sqlite":
        src = Path(template.removeprefix("sqlite:///"))
        folder = Path(tempfile.mkdtemp(prefix="tixi-db-"))
        dest = folder / "test.db"
        shutil.copy(src, dest)
        return f"sqlite:///{dest}", lambda: shutil.rmtree(folder, ignore_errors=True)
    from core.testing.pgserver import drop_database, postgres_url

    base = postgres_url()
    name = f"tixi_t_{os.getpid()}_{n}"
    from core.testing.pgserver import _admin_connection

    tpl_name = template.rsplit("/", 1)[1]
    with _admin_connection(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl_name}"')
    url = base.rsplit("/", 1)[0] + f"/{name}"
    return url, lambda: drop_database(base, name)


@pytest.fixture(params=ENGINES)
def tixi_db(request: pytest.FixtureRequest) -> Iterator[TixiTestDB]:
    """A fresh database (kernel installed) on SQLite, then on PostgreSQL."""
    url, drop = new_database(request.param)
    db = TixiTestDB(url)
    try:
        yield db
    finally:
        db.dispose()
        drop()


def install_users(
    db: TixiTestDB, specs: dict[str, Iterable[str]], company: str = "acme"
) -> dict[str, int]:
    """Create several users at once: ``{login: [group codes]}`` -> ``{login: id}``."""
    return {login: make_user(db, login, groups, company) for login, groups in specs.items()}


__all__ = [
    "ENGINES",
    "TixiTestDB",
    "install_users",
    "make_env",
    "make_user",
    "new_database",
    "tixi_db",
    "User",
]


def assert_catalogs_complete(addon_dir: Path, also: list[Path] | None = None) -> None:
    """Fail when a message of the addon folder lacks its zh_CN text or en entry.

    The same check the project runs on its own addons, for an addon kept in
    another folder or a wheel: call it from the addon's tests with its folder.
    """
    from core.i18n_catalogs import missing_translations

    missing = missing_translations(Path(addon_dir), also)
    assert missing == {"zh_CN": [], "en": []}, (
        f"{Path(addon_dir).name}: untranslated messages "
        f"(python3 i18n/update_catalogs.py --addon {addon_dir}, then translate): {missing}"
    )
