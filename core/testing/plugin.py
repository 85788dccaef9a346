"""The pytest plugin for Tixi addons: one way to test an addon in-tree, from a folder or a wheel.

Loaded automatically when the ``tixi`` distribution is installed (entry point
``pytest11``), by the project's root ``conftest.py``, or explicitly with
``pytest -p core.testing.plugin``. Fixtures:

``tixi_engine``
    ``"sqlite"``, then ``"postgresql"`` (every test that uses it runs twice).
``tixi_db``
    A fresh database with the kernel installed, on both engines
    (:class:`core.testing.TixiTestDB`).
``tixi_world``
    A :class:`core.testing.world.World` on both engines: the addon under test
    (the addon folder holding the test file) with its dependencies installed,
    companies ``acme`` and ``other`` enabling them, one user per role and
    company (login ``<role>_<company>``, password ``secret-pass-1``), what the
    addons' ``populate`` functions add (masterdata: an employee per user;
    territories: a territory per company with a customer in it) and the
    addons' factories (``world.factories.masterdata.customer(env, ...)``).

Choose other addons, extra addon folders or companies with a marker::

    @pytest.mark.tixi_world(addons=["visits", "territories"], addons_paths=["../more"],
                            companies=["acme", "other", "third"])

Addons are found in the project's ``addons/``, in ``addons_paths`` (relative to
the test file) and through the ``tixi.addons`` entry points of installed
wheels; each is imported by the module name its manifest gives.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.testing import ENGINES, tixi_db  # noqa: F401  (re-exported fixture)

MARKER = "tixi_world"


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``tixi_world`` marker; give unit tests the addons' message catalogs."""
    config.addinivalue_line(
        "markers",
        "tixi_world(addons=[...], addons_paths=[...], companies=[...]): what the tixi_world "
        "fixture installs (default: the addon holding the test file)",
    )
    _add_addon_catalogs()


def _add_addon_catalogs() -> None:
    """Every discoverable addon's ``i18n`` folder joins the merged catalogs.

    In the app and the CLI the registry adds an addon's catalog when it loads
    the addon; a unit test that only imports the addon's module (a ``Choices``
    label, a message) gets the same words this way.
    """
    from core.discovery import discover
    from core.i18n import add_catalog_dir

    try:
        manifests = discover()
    except Exception:  # noqa: BLE001 - a broken manifest is reported by the tests that load it
        return
    for manifest in manifests.values():
        add_catalog_dir(manifest.path / "i18n")


@pytest.fixture(params=ENGINES)
def tixi_engine(request: pytest.FixtureRequest) -> str:
    """The database engine of this run: ``sqlite``, then ``postgresql``."""
    return request.param


def addon_under_test(test_file: Path) -> tuple[str, Path] | None:
    """The addon folder holding a test file (nearest ``addon.toml`` upwards): name and folder."""
    for folder in test_file.resolve().parents:
        manifest = folder / "addon.toml"
        if manifest.is_file():
            name = tomllib.loads(manifest.read_text(encoding="utf-8")).get("name", folder.name)
            return str(name), folder
    return None


def world_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Addons, addon folders and companies for this test's world (marker, else the addon under test)."""
    marker = request.node.get_closest_marker(MARKER)
    kwargs = dict(marker.kwargs) if marker else {}
    addons = list(kwargs.get("addons") or (marker.args if marker else ()) or ())
    test_file = Path(str(request.node.path))
    paths = [
        (p if Path(p).is_absolute() else (test_file.parent / p)).resolve()
        for p in (Path(x) for x in kwargs.get("addons_paths") or ())
    ]
    found = addon_under_test(test_file)
    if found is not None:
        name, folder = found
        if not addons:
            addons = [name]
        if not _discoverable(folder, paths):
            paths.append(folder.parent)
    if not addons:
        raise pytest.UsageError(
            f"{test_file}: tixi_world does not know which addons to install: put the test in an "
            "addon folder or mark it @pytest.mark.tixi_world(addons=[...])"
        )
    companies = list(kwargs.get("companies") or ("acme", "other"))
    return {"addons": addons, "addons_paths": paths, "companies": companies}


def _discoverable(folder: Path, paths: list[Path]) -> bool:
    """Whether the addon in ``folder`` is found without adding its parent as an addons path."""
    from core.discovery import discover

    try:
        found = discover(paths, use_entry_points=True)
    except Exception:  # noqa: BLE001 - let the world's own discovery report it
        return False
    return any(Path(m.path).resolve() == folder for m in found.values())


@pytest.fixture
def tixi_world(request: pytest.FixtureRequest, tixi_engine: str) -> Iterator[Any]:
    """A database with the addon under test installed, two companies, users per role, factories."""
    from core.testing.world import build_world

    options = world_options(request)
    world, cleanup = build_world(tixi_engine, **options)
    try:
        yield world
    finally:
        cleanup()
