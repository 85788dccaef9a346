"""Find addons in the project's ``addons/``, extra folders and installed distributions."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Iterable
from pathlib import Path

from core.errors import DiscoveryError
from core.manifest import MANIFEST_FILE, Manifest, load_manifest

ENTRY_POINT_GROUP = "tixi.addons"
PROJECT_ADDONS = Path(__file__).resolve().parent.parent / "addons"


def _scan_folder(folder: Path, origin: str) -> Iterable[Manifest]:
    if not folder.is_dir():
        raise DiscoveryError(f"addon folder {folder} does not exist")
    for child in sorted(folder.iterdir()):
        if (child / MANIFEST_FILE).is_file():
            yield load_manifest(child, f"addons.{child.name}", origin)


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
