"""Find addons in the project's ``addons/``, extra folders and installed distributions.

Where an addon's code is imported from, by origin:

* built in (the project's ``addons/``, a regular package of the distribution):
  module ``addons.<name>``;
* an extra folder (``addons_paths`` in ``addons.yaml``): a top-level package
  named after its folder, module ``<name>``; the registry puts the folder on
  ``sys.path`` (:func:`core.registry.ensure_module_path`);
* an installed wheel (entry point group ``tixi.addons``): the entry point's package.

So an outside addon imports itself the same way from a folder and from a wheel
(``from my_addon.models import Thing``).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path

from core.errors import DiscoveryError
from core.manifest import MANIFEST_FILE, Manifest, load_manifest

ENTRY_POINT_GROUP = "tixi.addons"
PROJECT_ADDONS = Path(__file__).resolve().parent.parent / "addons"
PROJECT_PACKAGE = "addons"
# top-level names an addon folder must not take (it would shadow them on sys.path)
RESERVED = frozenset({"core", "addons", "bench", "tests", "conftest", "scripts", "instance", "docs"})


def module_name(folder: Path, name: str) -> str:
    """The module an addon found in ``folder`` is imported as (see the module docstring)."""
    if folder.resolve() == PROJECT_ADDONS:
        return f"{PROJECT_PACKAGE}.{name}"
    return name


def _scan_folder(folder: Path, origin: str) -> Iterable[Manifest]:
    if not folder.is_dir():
        raise DiscoveryError(f"addon folder {folder} does not exist")
    for child in sorted(folder.iterdir()):
        if (child / MANIFEST_FILE).is_file():
            module = module_name(folder, child.name)
            if module == child.name and (child.name in RESERVED or child.name in sys.stdlib_module_names):
                raise DiscoveryError(
                    f"addon folder {child}: the name {child.name!r} would shadow the Python module "
                    f"{child.name!r}; rename the addon"
                )
            yield load_manifest(child, module, origin)


def _scan_entry_points() -> Iterable[Manifest]:
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        # The entry point names the addon's package; find it without importing it.
        spec = importlib.util.find_spec(ep.value.split(":")[0])
        if spec is None or not spec.submodule_search_locations:
            raise DiscoveryError(f"entry point {ep.name} = {ep.value}: package not found")
        path = Path(next(iter(spec.submodule_search_locations)))
        dist = ep.dist.name if ep.dist else "?"
        manifest = load_manifest(path, ep.value.split(":")[0], "entry point")
        if manifest.name != ep.name:
            raise DiscoveryError(
                f"entry point {ep.name} (distribution {dist}) points to addon {manifest.name!r}"
            )
        yield manifest


def discover(
    extra_paths: Iterable[Path] = (), use_entry_points: bool = True
) -> dict[str, Manifest]:
    """Return every addon found, by name; the same name twice is an error naming both places."""
    found: dict[str, Manifest] = {}
    sources: list[Iterable[Manifest]] = [_scan_folder(PROJECT_ADDONS, "project")]
    sources += [_scan_folder(Path(p).resolve(), "addons path") for p in extra_paths]
    if use_entry_points:
        sources.append(_scan_entry_points())
    for source in sources:
        for manifest in source:
            other = found.get(manifest.name)
            if other is not None and other.path != manifest.path:
                raise DiscoveryError(
                    f"addon {manifest.name!r} found twice: {other.path} and {manifest.path}"
                )
            found[manifest.name] = manifest
    return found
