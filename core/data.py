"""Loading an addon's data files (security and seed/demo records), keyed by external ids.

Formats, by file name:

* ``*.csv`` whose name contains ``access``: model access rights, columns
  ``id,model,group,read,create,write,delete`` (1/0).
* ``*.yaml``: a mapping with optional sections ``groups``, ``rules`` and
  ``records`` (see ``docs/addons.md``).

Every row created is recorded in ``core_external_id`` as ``addon.id`` so that an
upgrade updates it in place and an uninstall removes exactly what the addon
brought. Values of the form ``"ref:addon.id"`` refer to another record,
``"company:CODE"`` to a company by code.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import LifecycleError
from core.manifest import Manifest
from core.models import AccessRight, Company, ExternalId, Group, RecordRule
from core.registry import model_class
from core.security.passwords import hash_password

TRUE = {"1", "true", "yes", "y", "x"}


class DataLoader:
    """Loads one addon's data files into a session; remembers every external id it touched."""

    def __init__(self, session: Session, manifest: Manifest) -> None:
        self.session = session
        self.addon = manifest.name
        self.manifest = manifest
        self.loaded: set[str] = set()
        self.count = 0

    # ----- external ids ------------------------------------------------------------------
    def qualify(self, xmlid: str) -> tuple[str, str]:
        """``"x"`` -> (this addon, x); ``"other.x"`` -> (other, x)."""
        if "." in xmlid:
            addon, name = xmlid.split(".", 1)
            return addon, name
        return self.addon, xmlid

    def ref(self, xmlid: str) -> int:
        """The database id of a record by external id; clear error when unknown."""
        addon, name = self.qualify(xmlid)
        row = self.session.scalar(
            select(ExternalId).where(ExternalId.addon == addon, ExternalId.name == name)
        )
        if row is None:
            raise LifecycleError(f"{self.addon}: unknown reference {addon}.{name}")
        return row.res_id

    def _record(self, name: str, cls: type) -> Any:
        row = self.session.scalar(
            select(ExternalId).where(ExternalId.addon == self.addon, ExternalId.name == name)
        )
        if row is not None:
            obj = self.session.get(cls, row.res_id)
            if obj is not None:
                return obj
            self.session.delete(row)
            self.session.flush()
        return None

    def _upsert(self, name: str, cls: type, values: dict[str, Any]) -> Any:
        obj = self._record(name, cls)
        if obj is None:
            obj = cls(**values)
            self.session.add(obj)
            self.session.flush()
            self.session.add(
                ExternalId(addon=self.addon, name=name, table=cls.__tablename__, res_id=obj.id)
            )
        else:
            for key, value in values.items():
                setattr(obj, key, value)
        self.session.flush()
        self.loaded.add(name)
        self.count += 1
        return obj

    # ----- values ------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """Resolve ``ref:`` and ``company:`` references inside a value."""
        if isinstance(value, str):
            if value.startswith("ref:"):
                return self.ref(value[4:])
            if value.startswith("company:"):
                code = value[8:]
                cid = self.session.scalar(select(Company.id).where(Company.code == code))
                if cid is None:
                    raise LifecycleError(f"{self.addon}: unknown company {code!r}")
                return cid
        return value

    # ----- file kinds --------------------------------------------------------------------
    def load_file(self, rel: str) -> None:
        """Load one data file named in the manifest."""
        path = self.manifest.path / rel
        try:
            if path.suffix == ".csv":
                self.load_access_csv(path)
            elif path.suffix in (".yaml", ".yml"):
                doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                if not isinstance(doc, dict):
                    raise LifecycleError(f"{path}: must be a mapping with groups/rules/records")
                self.load_groups(doc.get("groups") or [])
                self.load_access_list(doc.get("access") or [])
                self.load_rules(doc.get("rules") or [])
                self.load_records(doc.get("records") or [])
                self.check_company_wide(doc.get("company_wide") or [])
            else:
                raise LifecycleError(f"{path}: unsupported data file type")
        except LifecycleError:
            raise
        except (KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
            raise LifecycleError(f"{path}: {type(exc).__name__}: {exc}") from None

    def load_groups(self, groups: list[dict]) -> None:
        """Role groups: ``id``, ``name: {zh_CN, en}``, ``implies: [xmlid, ...]``."""
        for spec in groups:
            addon, name = self.qualify(spec["id"])
            group = self._upsert(
                name,
                Group,
                {
                    "code": f"{addon}.{name}",
                    "name_zh": spec["name"]["zh_CN"],
                    "name_en": spec["name"]["en"],
                    "addon": self.addon,
                },
            )
            group.implied = [self.session.get(Group, self.ref(x)) for x in spec.get("implies", [])]
            self.session.flush()

    def _access(self, name: str, model: str, group: str, perms: dict[str, bool]) -> None:
        self._upsert(
            name,
            AccessRight,
            {
                "code": f"{self.addon}.{name}",
                "model": model,
                "group_id": self.ref(group),
                "perm_read": perms["read"],
                "perm_create": perms["create"],
                "perm_write": perms["write"],
                "perm_delete": perms["delete"],
                "addon": self.addon,
            },
        )

    def load_access_csv(self, path: Path) -> None:
        """``id,model,group,read,create,write,delete`` rows."""
        with path.open(encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh), start=2):
                missing = {"id", "model", "group", "read", "create", "write", "delete"} - set(row)
                if missing:
                    raise LifecycleError(f"{path}:{i}: missing column {sorted(missing)[0]!r}")
                perms = {
                    k: row[k].strip().lower() in TRUE for k in ("read", "create", "write", "delete")
                }
                self._access(row["id"], row["model"].strip(), row["group"].strip(), perms)

    def load_access_list(self, rows: list[dict]) -> None:
        """Access rights written in YAML (``perms: rcwd`` letters)."""
        for row in rows:
            letters = row.get("perms", "")
            perms = {k: k[0] in letters for k in ("read", "create", "write", "delete")}
            self._access(row["id"], row["model"], row["group"], perms)

    def load_rules(self, rules: list[dict]) -> None:
        """Record rules: ``id, model, name, groups, domain, perms``."""
        from core.security.rules import validate_domain

        for spec in rules:
            domain = spec.get("domain", [])
            validate_domain(domain, where=f"{self.addon}.{spec['id']}")
            letters = spec.get("perms", "rcwd")
            rule = self._upsert(
                spec["id"],
                RecordRule,
                {
                    "code": f"{self.addon}.{spec['id']}",
                    "model": spec["model"],
                    "name": spec.get("name", spec["id"]),
                    "domain": json.dumps(domain, ensure_ascii=False),
                    "perm_read": "r" in letters,
                    "perm_create": "c" in letters,
                    "perm_write": "w" in letters,
                    "perm_delete": "d" in letters,
                    "addon": self.addon,
                },
            )
            rule.groups = [self.session.get(Group, self.ref(g)) for g in spec.get("groups", [])]
            self.session.flush()

    def check_company_wide(self, rows: list[dict]) -> None:
        """``company_wide``: ``{model, reason}`` rows, read by :mod:`core.security.coverage` (nothing stored)."""
        for row in rows:
            if not isinstance(row, dict) or not row.get("model") or not str(row.get("reason") or "").strip():
                raise LifecycleError(f"{self.addon}: a company_wide entry needs a model and a reason: {row!r}")
            if model_class(str(row["model"])) is None:
                raise LifecycleError(f"{self.addon}: company_wide names an unknown model {row['model']!r}")

    def load_records(self, records: list[dict]) -> None:
        """Generic records: ``model`` (table), ``id`` and ``values``.

        A record with ``requires_company: CODE`` is loaded only when that company
        exists (demo data written for several companies of a deployment).
        """
        for spec in records:
            only = spec.get("requires_company")
            if only and self.session.scalar(select(Company.id).where(Company.code == only)) is None:
                continue  # demo data of a company this deployment does not have
            cls = model_class(spec["model"])
            if cls is None:
                raise LifecycleError(f"{self.addon}: unknown model {spec['model']!r}")
            values: dict[str, Any] = {}
            m2m: dict[str, list[int]] = {}
            for key, raw in (spec.get("values") or {}).items():
                if (
                    isinstance(raw, list)
                    and raw
                    and all(isinstance(v, str) and v.startswith(("ref:", "company:")) for v in raw)
                ):
                    m2m[key] = [self.resolve(v) for v in raw]
                elif key == "password" and spec["model"] == "core_user":
                    values["password_hash"] = hash_password(str(raw))
                else:
                    values[key] = self.resolve(raw)
            obj = self._upsert(spec["id"], cls, values)
            for key, ids in m2m.items():
                target = getattr(cls, key).property.mapper.class_
                setattr(obj, key, [self.session.get(target, i) for i in ids])
            self.session.flush()

    # ----- clean-up ----------------------------------------------------------------------
    def remove_stale(self) -> int:
        """After an upgrade, delete records whose external id the data files no longer declare."""
        stale = self.session.scalars(
            select(ExternalId).where(ExternalId.addon == self.addon).order_by(ExternalId.id.desc())
        ).all()
        removed = 0
        for row in stale:
            if row.name not in self.loaded:
                remove_external(self.session, row)
                removed += 1
        return removed


def remove_external(session: Session, row: ExternalId, kept: list[str] | None = None) -> bool:
    """Delete the record behind an external id, then the external id itself.

    A kernel record that other rows still point to (a demo user with audit
    entries, approvals or sessions) is not deleted: the trail that names it
    stays whole. It is deactivated when it can be (``active = False``), keeps
    its external id (a reinstall finds it again instead of failing on a
    duplicate login), and ``kept`` gets a ``table:label`` entry for the report.
    Returns whether the record was removed.
    """
    cls = model_class(row.table)
    obj = session.get(cls, row.res_id) if cls is not None else None
    if obj is not None and row.table.startswith("core_"):
        try:
            with session.begin_nested():
                session.delete(obj)
                session.flush()
        except IntegrityError:
            obj = session.get(cls, row.res_id)
            if obj is not None and hasattr(obj, "active"):
                obj.active = False
            if kept is not None:
                label = getattr(obj, "login", None) or getattr(obj, "code", None) or row.res_id
                kept.append(f"{row.table}:{label}")
            session.flush()
            return False
    elif obj is not None:
        session.delete(obj)
    session.delete(row)
    session.flush()
    return True


def remove_addon_data(session: Session, addon: str, kept: list[str] | None = None) -> int:
    """Delete every record the addon's data files created (newest first).

    Kernel records still referenced elsewhere are kept, deactivated, and
    listed in ``kept`` (see :func:`remove_external`). Returns the number of
    records removed.
    """
    rows = session.scalars(
        select(ExternalId).where(ExternalId.addon == addon).order_by(ExternalId.id.desc())
    ).all()
    return sum(1 for row in rows if remove_external(session, row, kept))
