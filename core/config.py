"""The instance (runtime folder) and the deployment file ``addons.yaml``.

Resolution: ``--instance DIR`` or ``TIXI_INSTANCE``, else ``./instance``. The
database URL comes from ``TIXI_DATABASE_URL``, else the instance's
``config.toml``, else ``addons.yaml``'s ``database``, else an SQLite file in the
instance. A relative SQLite path in ``config.toml`` (``sqlite:///tixi.db``, what
``tixi init`` writes) is relative to the instance folder, so a copied instance
uses its own database. ``addons.yaml`` is read from the instance if it has one,
else from the project root.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.errors import TixiError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CompanySpec:
    """A company as ``addons.yaml`` declares it, with the addons it enables."""

    code: str
    name_zh: str
    name_en: str
    addons: list[str]
    currency: str = "CNY"


@dataclass
class Deployment:
    """Parsed ``addons.yaml``: database URL, extra addon folders and companies."""

    path: Path | None
    database: str | None = None
    addons_paths: list[Path] = field(default_factory=list)
    companies: list[CompanySpec] = field(default_factory=list)


def load_deployment(path: Path | None) -> Deployment:
    """Read and validate an ``addons.yaml``; each error names the file and the key."""
    if path is None or not path.is_file():
        return Deployment(path=None)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TixiError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise TixiError(f"{path}: must be a mapping")
    paths = []
    for p in raw.get("addons_paths") or []:
        pp = Path(p)
        paths.append(pp if pp.is_absolute() else (path.parent / pp).resolve())
    companies = []
    for code, spec in (raw.get("companies") or {}).items():
        if not isinstance(spec, dict):
            raise TixiError(f"{path}: companies.{code} must be a mapping")
        name = spec.get("name") or {}
        if isinstance(name, str):
            name = {"zh_CN": name, "en": name}
        addons = spec.get("addons") or []
        if not isinstance(addons, list) or not all(isinstance(a, str) for a in addons):
            raise TixiError(f"{path}: companies.{code}.addons must be a list of addon names")
        companies.append(
            CompanySpec(
                code=str(code),
                name_zh=name.get("zh_CN") or str(code),
                name_en=name.get("en") or name.get("zh_CN") or str(code),
                addons=addons,
                currency=spec.get("currency", "CNY"),
            )
        )
    return Deployment(
        path=path, database=raw.get("database"), addons_paths=paths, companies=companies
    )


@dataclass
class Instance:
    """One deployment's runtime folder: config, SQLite file, uploads, backups."""

    path: Path

    @classmethod
    def resolve(cls, explicit: str | os.PathLike | None = None) -> Instance:
        """The instance named on the command line, in ``TIXI_INSTANCE``, or ``./instance``."""
        raw = explicit or os.environ.get("TIXI_INSTANCE") or "instance"
        return cls(Path(raw).resolve())

    @property
    def config_file(self) -> Path:
        """``config.toml`` inside the instance."""
        return self.path / "config.toml"

    @property
    def backups(self) -> Path:
        """Folder where uninstall writes its backups."""
        return self.path / "backups"

    def files_path(self) -> Path:
        """The attachment file store: ``TIXI_FILES_PATH``, else ``[files] path`` of
        ``config.toml`` (a relative path is relative to the instance), else ``<instance>/files``."""
        files = self.config().get("files")
        raw = os.environ.get("TIXI_FILES_PATH") or (files.get("path") if isinstance(files, dict) else None)
        if not raw:
            return self.path / "files"
        p = Path(raw)
        return p if p.is_absolute() else self.path / p

    def exists(self) -> bool:
        """Whether ``tixi init`` has been run here."""
        return self.config_file.is_file()

    def config(self) -> dict:
        """The parsed ``config.toml`` (empty if the instance is not initialised)."""
        if not self.config_file.is_file():
            return {}
        try:
            return tomllib.loads(self.config_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise TixiError(f"{self.config_file}: not valid TOML ({exc})") from None

    def deployment_file(self) -> Path | None:
        """``addons.yaml`` of the instance, else of the project."""
        for candidate in (self.path / "addons.yaml", PROJECT_ROOT / "addons.yaml"):
            if candidate.is_file():
                return candidate
        return None

    def deployment(self) -> Deployment:
        """Parsed ``addons.yaml``."""
        return load_deployment(self.deployment_file())

    def database_url(self) -> str:
        """Where the data lives (see module docstring for the precedence)."""
        configured = self.config().get("database")
        return (
            os.environ.get("TIXI_DATABASE_URL")
            or (self.resolve_sqlite(configured) if configured else None)
            or self.deployment().database
            or f"sqlite:///{self.path / 'tixi.db'}"
        )

    def resolve_sqlite(self, url: str) -> str:
        """A relative SQLite path made absolute against the instance folder; other URLs as given."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(url)
        except ArgumentError:
            return url  # reported as a bad database URL when the engine is made
        db = parsed.database
        if parsed.get_backend_name() != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
            return url
        if Path(db).is_absolute():
            return url
        return parsed.set(database=str(self.path / db)).render_as_string(hide_password=False)

    def secret_key(self) -> str:
        """The Flask secret key written by ``tixi init``."""
        return os.environ.get("TIXI_SECRET_KEY") or self.config().get("secret_key") or "dev-only"

    def write_config(self, database: str | None) -> None:
        """Create the instance folder and its ``config.toml`` (new secret key).

        Without ``database`` the SQLite file ``tixi.db`` of the instance is
        written as a relative path, so a copy of the folder is a separate instance.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "uploads").mkdir(exist_ok=True)
        self.backups.mkdir(exist_ok=True)
        db = database or "sqlite:///tixi.db"  # relative: the instance folder (see database_url)
        self.config_file.write_text(
            f'database = "{db}"\nsecret_key = "{secrets.token_hex(32)}"\n', encoding="utf-8"
        )
