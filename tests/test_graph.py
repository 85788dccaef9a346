"""Dependency resolution: order, diamond, cycle, missing dependency, version constraint, manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import graph
from core.discovery import discover
from core.errors import DependencyError, DiscoveryError, ManifestError
from core.manifest import load_manifest
from tests.kernel_helpers import FIXTURE_ADDONS, write_addon


@pytest.fixture
def manifests():
    return {k: v for k, v in discover([FIXTURE_ADDONS], use_entry_points=False).items()}


def test_diamond_orders_each_addon_once_after_its_dependencies(manifests):
    order = graph.order(manifests, graph.closure(manifests, ["delta"]))
    assert order[0] == "alpha"
    assert order[-1] == "delta"
    assert sorted(order) == ["alpha", "beta", "delta", "gamma"]
    assert order.index("beta") < order.index("delta")
    assert order.index("gamma") < order.index("delta")


def test_cycle_is_printed(tmp_path: Path):
    write_addon(tmp_path, "cyc_a", depends='"cyc_b"')
    write_addon(tmp_path, "cyc_b", depends='"cyc_c"')
    write_addon(tmp_path, "cyc_c", depends='"cyc_a"')
    found = discover([tmp_path], use_entry_points=False)
    with pytest.raises(
        DependencyError, match=r"dependency cycle: cyc_a -> cyc_b -> cyc_c -> cyc_a"
    ):
        graph.order(found, graph.closure(found, ["cyc_a"]))


def test_missing_dependency_names_who_needs_what(tmp_path: Path):
    write_addon(tmp_path, "needy", depends='"ghost"')
    found = discover([tmp_path], use_entry_points=False)
    with pytest.raises(
        DependencyError, match="addon 'needy' needs 'ghost', which is not available"
    ):
        graph.closure(found, ["needy"])


def test_version_constraint_not_met(tmp_path: Path):
    write_addon(tmp_path, "old_base", version="0.9.0")
    write_addon(tmp_path, "wants_new", depends='"old_base>=1.0"')
    found = discover([tmp_path], use_entry_points=False)
    with pytest.raises(
        DependencyError, match=r"needs old_base>=1.0, but old_base is version 0.9.0"
    ):
        graph.closure(found, ["wants_new"])


def test_version_constraint_met(manifests):
    graph.check(manifests, ["beta"])  # beta needs alpha>=1.0 and alpha is 1.0.0


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('version = "not a version"', "field 'version'"),
        ('depends = "alpha"', "field 'depends'"),
        ("category = ''", "field 'category'"),
        ("colour = 'red'", "unknown field 'colour'"),
    ],
)
def test_malformed_manifest_names_file_and_field(tmp_path: Path, broken: str, message: str):
    path = write_addon(tmp_path, "broken")
    text = (path / "addon.toml").read_text()
    key = broken.split(" =")[0]
    lines = [ln for ln in text.splitlines() if not ln.startswith(key + " =")]
    idx = lines.index("[label]")
    lines.insert(idx, broken)
    (path / "addon.toml").write_text("\n".join(lines))
    with pytest.raises(ManifestError) as err:
        load_manifest(path, "addons.broken", "test")
    assert str(path / "addon.toml") in str(err.value)
    assert message in str(err.value)


def test_missing_bilingual_label(tmp_path: Path):
    path = write_addon(tmp_path, "nolabel")
    text = (path / "addon.toml").read_text().replace('en = "Test"\n[summary]', "[summary]")
    (path / "addon.toml").write_text(text)
    with pytest.raises(ManifestError, match=r"field 'label.en' is missing"):
        load_manifest(path, "addons.nolabel", "test")


def test_same_name_twice_names_both_places(tmp_path: Path):
    write_addon(tmp_path / "one", "twin")
    write_addon(tmp_path / "two", "twin")
    with pytest.raises(DiscoveryError) as err:
        discover([tmp_path / "one", tmp_path / "two"], use_entry_points=False)
    assert str(tmp_path / "one" / "twin") in str(err.value)
    assert str(tmp_path / "two" / "twin") in str(err.value)


def test_discovery_from_project_extra_folder_and_entry_point(tmp_path: Path, monkeypatch):
    # an installed distribution declaring an addon through the entry-point group
    site = tmp_path / "site"
    write_addon(site, "tixi_ep_addon")
    dist = site / "tixi_ep_addon_dist-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tixi-ep-addon-dist\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text("[tixi.addons]\ntixi_ep_addon = tixi_ep_addon\n")
    monkeypatch.syspath_prepend(str(site))
    found = discover([FIXTURE_ADDONS], use_entry_points=True)
    assert found["tixi_ep_addon"].origin == "entry point"
    assert found["tixi_ep_addon"].module == "tixi_ep_addon"
    assert found["alpha"].origin == "addons path"
    project = [m for m in found.values() if m.origin == "project"]
    assert all(m.path.parent.name == "addons" for m in project)


def test_auto_install_candidates(tmp_path: Path):
    write_addon(tmp_path, "base_x")
    write_addon(tmp_path, "glue_x", depends='"base_x"', toml_extra="auto_install = true")
    found = discover([tmp_path], use_entry_points=False)
    assert graph.auto_installable(found, {"base_x"}) == ["glue_x"]
    assert graph.auto_installable(found, set()) == []


# ----- optional dependencies ----------------------------------------------------------------
def _optional(tmp_path: Path) -> dict:
    """base <- opt_user (optional_depends on extra), extra depends on base."""
    write_addon(tmp_path, "base")
    write_addon(tmp_path, "extra", depends='"base"', version="1.2.0")
    write_addon(tmp_path, "opt_user", depends='"base"', toml_extra='optional_depends = ["extra>=1.0"]')
    return discover([tmp_path], use_entry_points=False)


def test_optional_dependency_is_read_from_the_manifest(tmp_path: Path):
    found = _optional(tmp_path)
    assert [str(d) for d in found["opt_user"].optional_depends] == ["extra>=1.0"]
    assert found["opt_user"].dependency_names == {"base", "extra"}


def test_optional_dependency_is_never_pulled_in(tmp_path: Path):
    found = _optional(tmp_path)
    assert graph.closure(found, ["opt_user"]) == {"opt_user", "base"}
    assert graph.order(found, ["base", "opt_user"]) == ["base", "opt_user"]


def test_installed_optional_dependency_is_ordered_first(tmp_path: Path):
    found = _optional(tmp_path)
    # by name opt_user would sort before extra; the optional edge puts extra first
    write_addon(tmp_path, "aaa_user", depends='"base"', toml_extra='optional_depends = ["extra"]')
    found = discover([tmp_path], use_entry_points=False)
    order = graph.order(found, ["aaa_user", "base", "extra", "opt_user"])
    assert order.index("extra") < order.index("aaa_user")
    assert order.index("extra") < order.index("opt_user")
    assert order[0] == "base"


def test_optional_dependency_version_mismatch_when_present(tmp_path: Path):
    write_addon(tmp_path, "base")
    write_addon(tmp_path, "extra", version="0.5.0")
    write_addon(tmp_path, "opt_user", toml_extra='optional_depends = ["extra>=1.0"]')
    found = discover([tmp_path], use_entry_points=False)
    assert graph.order(found, ["opt_user"]) == ["opt_user"]  # absent: no check
    with pytest.raises(DependencyError, match=r"addon 'opt_user' can use extra>=1.0 \(optional\), but extra is version 0.5.0"):
        graph.order(found, ["opt_user", "extra"])


def test_cycle_through_an_optional_edge_is_reported(tmp_path: Path):
    write_addon(tmp_path, "cyc_a", depends='"cyc_b"')
    write_addon(tmp_path, "cyc_b", toml_extra='optional_depends = ["cyc_a"]')
    found = discover([tmp_path], use_entry_points=False)
    assert graph.order(found, ["cyc_b"]) == ["cyc_b"]  # cyc_a absent: no edge, no cycle
    with pytest.raises(DependencyError, match=r"dependency cycle: cyc_a -> cyc_b -> cyc_a \(optional\)"):
        graph.order(found, ["cyc_a", "cyc_b"])


def test_optional_dependency_does_not_make_a_dependent(tmp_path: Path):
    found = _optional(tmp_path)
    assert graph.dependents(found, "extra", ["base", "extra", "opt_user"]) == []
    assert graph.dependents(found, "base", ["base", "extra", "opt_user"]) == ["extra", "opt_user"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('optional_depends = ["opt_self"]', "field 'optional_depends': an addon cannot depend on itself"),
        ('optional_depends = ["base"]', "field 'optional_depends': 'base' is already in 'depends'"),
        ('optional_depends = ["Not-A-Name"]', "field 'optional_depends': 'Not-A-Name' is not an addon name"),
        ('optional_depends = "base"', "field 'optional_depends' must be a list of strings"),
    ],
)
def test_optional_depends_field_errors(tmp_path: Path, extra: str, message: str):
    path = write_addon(tmp_path, "opt_self", depends='"base"', toml_extra=extra)
    with pytest.raises(ManifestError, match=message):
        load_manifest(path, "opt_self", "test")


@pytest.mark.parametrize("name", ["json", "core"])
def test_addon_folder_that_would_shadow_a_module_is_refused(tmp_path: Path, name: str):
    """Addons of an extra folder are top-level packages: ``json`` or ``core`` would shadow the real one."""
    (tmp_path / name).mkdir()
    (tmp_path / name / "addon.toml").write_text(f'name = "{name}"\n', encoding="utf-8")
    with pytest.raises(DiscoveryError, match=f"the name '{name}' would shadow the Python module '{name}'"):
        discover([tmp_path], use_entry_points=False)


def test_module_names_by_origin(tmp_path: Path):
    """Built-in addons are addons.<name>; an addons_paths folder's addon is the top-level <name>."""
    write_addon(tmp_path, "outside_one")
    found = discover([tmp_path], use_entry_points=False)
    assert found["masterdata"].module == "addons.masterdata"
    assert found["outside_one"].module == "outside_one"
