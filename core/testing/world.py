"""A ready-made test world: installed addons, two companies, one user per role, addon factories.

Built by the ``tixi_world`` fixture of :mod:`core.testing.plugin` (see
docs/testing.md). The kernel knows no addon: every installed addon may ship a
``testing`` module (``<addon module>.testing``, found with importlib from the
manifest's module name, wherever the addon lives) that

* defines **factories**: public functions that make the addon's records,
  ``customer(env, name=..., owner=..., **fields)``; listed in ``FACTORIES``
  (a tuple of names) or, without it, every public function of the module;
* may define ``populate(world)``, called once per world in dependency order,
  to add the addon's share of the standard world (masterdata: an employee per
  user; territories: a territory per company with a customer in it).

Reach factories as ``world.factories.masterdata.customer(env, ...)`` or
``world.make("masterdata.customer", env, ...)``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from core import graph
from core.config import Deployment
from core.models import User
from core.security.env import Env
from core.testing import TixiTestDB, make_env, make_user, new_database

#: Password of every world user (the same default as :func:`core.testing.make_user`).
WORLD_PASSWORD = "secret-pass-1"

#: The companies of a world: both enable the same addons, so a rule test can put
#: look-alike data in each and check that nothing crosses.
WORLD_COMPANIES = ("acme", "other")

#: One user per role and company, login ``<role>_<company>`` (``salesperson_acme``).
#: ``admin`` is a system administrator; every other role is the kernel group
#: ``core.group_<role>``.
ROLES = (
    "admin",
    "general_manager",
    "director",
    "territory_manager",
    "salesperson",
    "marketing_admin",
    "sales_assistant",
    "tech_support",
    "finance",
)

_hash_cache: dict[str, str] = {}


def _password_hash(password: str) -> str:
    """Argon2 is slow on purpose: hash the world password once per process."""
    if password not in _hash_cache:
        from core.security.passwords import hash_password

        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def testing_module(manifest: Any) -> ModuleType | None:
    """``<addon module>.testing`` of an addon, if it has one (imported by its manifest name)."""
    path = Path(manifest.path)
    if not ((path / "testing.py").is_file() or (path / "testing" / "__init__.py").is_file()):
        return None
    return importlib.import_module(f"{manifest.module}.testing")


def factories_of(module: ModuleType) -> dict[str, Callable[..., Any]]:
    """The factory functions a testing module offers (``FACTORIES`` or its public functions)."""
    names = getattr(module, "FACTORIES", None)
    if names is None:
        names = [
            n for n, v in vars(module).items()
            if callable(v) and not n.startswith("_") and n != "populate"
            and getattr(v, "__module__", None) == module.__name__ and not isinstance(v, type)
        ]
    return {n: getattr(module, n) for n in names}


class World:
    """An installed database with companies, users per role and the addons' factories."""

    def __init__(
        self,
        db: TixiTestDB,
        addons: Iterable[str],
        companies: Iterable[str] = WORLD_COMPANIES,
        roles: Iterable[str] = ROLES,
        password: str = WORLD_PASSWORD,
    ) -> None:
        self.db = db
        self.registry = db.registry
        self.engine = db.engine_name
        self.password = password
        self.companies: dict[str, int] = {}
        #: ``users[company][role]`` -> user id
        self.users: dict[str, dict[str, int]] = {}
        #: what each addon's ``populate`` recorded: ``data[addon][company]``
        self.data: dict[str, dict[str, Any]] = {}
        codes = list(companies)
        for code in codes:
            self.companies[code] = db.company(code, name=code.title())
        db.install(*addons, companies=codes)
        manifests = self.registry.manifests
        self.addons = tuple(graph.order(manifests, graph.closure(manifests, list(addons))))
        for code in codes:
            self.users[code] = {role: self.add_user(f"{role}_{code}", role, code) for role in roles}
        self.factories = SimpleNamespace()
        self._modules: dict[str, ModuleType] = {}
        for name in self.addons:
            module = testing_module(manifests[name])
            if module is None:
                continue
            self._modules[name] = module
            setattr(self.factories, name, SimpleNamespace(**factories_of(module)))
        for module in self._modules.values():
            populate = getattr(module, "populate", None)
            if populate is not None:
                populate(self)

    # ----- users -------------------------------------------------------------------------
    def add_user(self, login: str, role: str, company: str = "acme") -> int:
        """One more user with a role (``salesperson``) in a company; password :attr:`password`."""
        groups = ["core.group_admin"] if role == "admin" else [f"core.group_{role}"]
        uid = make_user(self.db, login, groups, company=company, password=None, is_admin=role == "admin")
        with self.db.session() as s:
            s.get(User, uid).password_hash = _password_hash(self.password)
        return uid

    def user(self, role: str = "salesperson", company: str = "acme") -> int:
        """Id of the world user with this role in this company."""
        return self.users[company][role]

    def login(self, role: str = "salesperson", company: str = "acme") -> str:
        """Login of the world user with this role in this company (``salesperson_acme``)."""
        return f"{role}_{company}"

    # ----- sessions and environments -----------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self.db.session() as s:
            yield s

    def env(
        self, session: Session, role: str = "admin", company: str = "acme", user: int | None = None
    ) -> Env:
        """The security environment of the ``role`` user of ``company`` (or of user id ``user``)."""
        uid = user if user is not None else self.user(role, company)
        return make_env(self.db, session, uid, company=company)

    def addon_module(self, name: str, sub: str | None = None) -> ModuleType:
        """An installed addon's package or one of its modules, by the name its manifest gives.

        ``world.addon_module("visits", "models").Visit`` works whether the addon
        lives in ``addons/``, in an addons path or in a wheel.
        """
        module = self.registry.manifests[name].module
        return importlib.import_module(f"{module}.{sub}" if sub else module)

    # ----- factories ---------------------------------------------------------------------
    def make(self, what: str, env: Env, *args: Any, **fields: Any) -> Any:
        """Call a factory by name: ``world.make("masterdata.customer", env, name="一汽")``."""
        addon, _, factory = what.partition(".")
        try:
            fn = getattr(getattr(self.factories, addon), factory)
        except AttributeError:
            known = sorted(
                f"{a}.{f}" for a, ns in vars(self.factories).items() for f in vars(ns)
            )
            raise LookupError(f"no factory {what!r} (known: {', '.join(known) or 'none'})") from None
        return fn(env, *args, **fields)

    def dispose(self) -> None:
        """Close the database connections."""
        self.db.dispose()


def build_world(
    engine: str,
    addons: Iterable[str],
    addons_paths: Iterable[Path] = (),
    companies: Iterable[str] = WORLD_COMPANIES,
    use_entry_points: bool = True,
) -> tuple[World, Callable[[], None]]:
    """A fresh database on ``engine`` turned into a :class:`World`; returns it and a clean-up."""
    url, drop = new_database(engine)
    db = TixiTestDB(
        url, Deployment(path=None, addons_paths=[Path(p) for p in addons_paths]),
        use_entry_points=use_entry_points,
    )
    try:
        world = World(db, list(addons), companies)
    except BaseException:
        db.dispose()
        drop()
        raise

    def cleanup() -> None:
        world.dispose()
        drop()

    return world, cleanup
