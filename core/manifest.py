"""Addon manifests (``addon.toml``), read without importing the addon's code.

Example::

    name = "masterdata"
    version = "1.0.0"
    category = "Sales"
    license = "LGPL-3.0-or-later"
    depends = ["masterdata>=1.0"]
    optional_depends = ["territories>=1.0"]   # used when installed, never auto-installed
    auto_install = false
    data = ["security/groups.yaml", "security/access.csv", "security/rules.yaml"]
    demo = ["demo/customers.yaml"]

    [label]
    zh_CN = "客户与基础资料"
    en = "Master data"

    [summary]
    zh_CN = "客户、联系人、品种与员工"
    en = "Customers, contacts, products and employees"

    [external_dependencies]
    python = ["openpyxl>=3.1"]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from core.errors import ManifestError

MANIFEST_FILE = "addon.toml"
LANGS = ("zh_CN", "en")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class Dependency:
    """One entry of ``depends`` or ``optional_depends``: an addon name and a version range."""

    name: str
    specifier: SpecifierSet = field(default_factory=SpecifierSet)

    def __str__(self) -> str:
        return f"{self.name}{self.specifier}"


@dataclass(frozen=True)
class Manifest:
    """The declarative description of an addon."""

    name: str
    version: Version
    label: dict[str, str]
    summary: dict[str, str]
    depends: tuple[Dependency, ...]
    category: str
    license: str
    path: Path
    module: str
    origin: str
    auto_install: bool = False
    python_requires: tuple[str, ...] = ()
    data: tuple[str, ...] = ()
    demo: tuple[str, ...] = ()
    optional_depends: tuple[Dependency, ...] = ()

    @property
    def dependency_names(self) -> frozenset[str]:
        """Names in ``depends`` and ``optional_depends`` (the addons its code may use)."""
        return frozenset(d.name for d in self.depends + self.optional_depends)

    @property
    def migrations_dir(self) -> Path:
        """Folder of the addon's Alembic version branch."""
        return self.path / "migrations"

    def display(self, lang: str = "en") -> str:
        """Human name in ``lang`` (falls back to English)."""
        return self.label.get(lang) or self.label["en"]


def _bilingual(raw: dict, key: str, where: Path) -> dict[str, str]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise ManifestError(f"{where}: field '{key}' must be a table with zh_CN and en texts")
    for lang in LANGS:
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            raise ManifestError(f"{where}: field '{key}.{lang}' is missing or empty")
    return {lang: value[lang] for lang in LANGS}


def _str_list(raw: dict, key: str, where: Path) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ManifestError(f"{where}: field '{key}' must be a list of strings")
    return tuple(value)


def parse_dependency(text: str, where: Path, key: str = "depends") -> Dependency:
    """Parse ``"masterdata>=1.0,<2"`` into a :class:`Dependency` (``key`` names the field)."""
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        raise ManifestError(f"{where}: field '{key}': cannot read {text!r} ({exc})") from None
    if not NAME_RE.match(req.name):
        raise ManifestError(f"{where}: field '{key}': {req.name!r} is not an addon name")
    return Dependency(req.name, req.specifier)


def load_manifest(path: Path, module: str, origin: str) -> Manifest:
    """Read and validate ``path/addon.toml``; raise :class:`ManifestError` naming file and field."""
    where = path / MANIFEST_FILE
    try:
        raw = tomllib.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{where}: manifest file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{where}: not valid TOML ({exc})") from None
    name = raw.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ManifestError(
            f"{where}: field 'name' must be lowercase letters, digits and '_' (got {name!r})"
        )
    if name != path.name and origin != "entry point":
        raise ManifestError(f"{where}: field 'name' is {name!r} but the folder is {path.name!r}")
    try:
        version = Version(str(raw.get("version", "")))
    except InvalidVersion:
        raise ManifestError(
            f"{where}: field 'version' must be a version like 1.0.0 (got {raw.get('version')!r})"
        ) from None
    for key in ("category", "license"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ManifestError(f"{where}: field '{key}' is missing or empty")
    auto = raw.get("auto_install", False)
    if not isinstance(auto, bool):
        raise ManifestError(f"{where}: field 'auto_install' must be true or false")
    ext = raw.get("external_dependencies", {})
    if not isinstance(ext, dict):
        raise ManifestError(f"{where}: field 'external_dependencies' must be a table")
    deps = tuple(parse_dependency(d, where) for d in _str_list(raw, "depends", where))
    if any(d.name == name for d in deps):
        raise ManifestError(f"{where}: field 'depends': an addon cannot depend on itself")
    optional = tuple(
        parse_dependency(d, where, "optional_depends") for d in _str_list(raw, "optional_depends", where)
    )
    if any(d.name == name for d in optional):
        raise ManifestError(f"{where}: field 'optional_depends': an addon cannot depend on itself")
    both = sorted({d.name for d in deps} & {d.name for d in optional})
    if both:
        raise ManifestError(
            f"{where}: field 'optional_depends': {both[0]!r} is already in 'depends'"
        )
    known = {
        "name",
        "version",
        "label",
        "summary",
        "depends",
        "optional_depends",
        "category",
        "license",
        "auto_install",
        "external_dependencies",
        "data",
        "demo",
    }
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ManifestError(f"{where}: unknown field '{unknown[0]}'")
    data = _str_list(raw, "data", where)
    demo = _str_list(raw, "demo", where)
    for rel in data + demo:
        if not (path / rel).is_file():
            raise ManifestError(f"{where}: field 'data'/'demo': file {rel!r} does not exist")
    return Manifest(
        name=name,
        version=version,
        label=_bilingual(raw, "label", where),
        summary=_bilingual(raw, "summary", where),
        depends=deps,
        category=raw["category"],
        license=raw["license"],
        path=path,
        module=module,
        origin=origin,
        auto_install=auto,
        python_requires=_str_list(ext, "python", where),
        data=data,
        demo=demo,
        optional_depends=optional,
    )
