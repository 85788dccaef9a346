"""The security environment: every read and write of business data goes through it.

An :class:`Env` binds a database session to a user and their current company.
``env.select(Model)`` returns a SQLAlchemy ``Select`` whose WHERE clause holds
the company filter and the compiled record rules, after checking the model
access right; pages, exports, reports, the JSON API and search all build on it,
so no read path can forget a rule. Writes go through :meth:`Env.create`,
:meth:`Env.write` and :meth:`Env.delete`, which check rights and rules in SQL,
write the audit trail and fire ``tixi_record_event``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ColumnElement

from core.db import utcnow
from core.errors import AccessDenied, ConcurrentEditError
from core.models import AccessRight, AuditEntry, Group, RecordRule, User, group_implied, rule_group
from core.plugins import flatten
from core.security.rules import ContextValueMissing, compile_domain

PERMS = ("read", "create", "write", "delete")


class AddonNotEnabled(AccessDenied):
    """The model belongs to an addon the current company has not enabled (web: 404)."""


def model_table(model: type | str) -> str:
    """Table name of a model class (the key of access rights and rules)."""
    return model if isinstance(model, str) else model.__tablename__


class Env:
    """Session + user + current company; the only door to business data."""

    def __init__(self, registry: Any, session: Session, user_id: int, company_id: int | None = None) -> None:
        self.registry = registry
        self.session = session
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise AccessDenied("user is unknown or disabled")
        self.user = user
        self.user_id = user.id
        self.company_ids = frozenset(c.id for c in user.companies)
        cid = company_id if company_id is not None else user.company_id
        if cid not in self.company_ids:
            raise AccessDenied("user does not belong to this company")
        self.company_id: int = cid
        self._rules: dict[tuple[str, str], list[RecordRule]] = {}

    # ----- identity ----------------------------------------------------------------------
    @cached_property
    def group_ids(self) -> frozenset[int]:
        """The user's groups plus everything they imply (transitively)."""
        ids = {g.id for g in self.user.groups}
        frontier = set(ids)
        while frontier:
            rows = self.session.execute(
                select(group_implied.c.implied_id).where(group_implied.c.group_id.in_(frontier))
            ).scalars()
            frontier = set(rows) - ids
            ids |= frontier
        return frozenset(ids)

    @cached_property
    def group_codes(self) -> frozenset[str]:
        """Codes (``addon.id``) of the user's effective groups."""
        if not self.group_ids:
            return frozenset()
        return frozenset(self.session.scalars(select(Group.code).where(Group.id.in_(self.group_ids))))

    def in_group(self, *codes: str) -> bool:
        """Whether the user is in any of these groups (implication included)."""
        return self.user.is_admin and "core.group_admin" in codes or bool(self.group_codes & set(codes))

    @cached_property
    def enabled(self) -> frozenset[str]:
        """Addons enabled for the current company."""
        return self.registry.enabled_addons(self.session, self.company_id)

    @property
    def hooks(self) -> Any:
        """Hook caller for the addons enabled for the current company."""
        return self.registry.hooks(self.enabled)

    @cached_property
    def context(self) -> dict[str, Any]:
        """Values rules may use as ``user.<key>``, gathered from ``tixi_user_context``."""
        ctx: dict[str, Any] = {}
        for part in self.hooks.tixi_user_context(env=self):
            if part:
                ctx.update(part)
        return ctx

    # ----- access rights -----------------------------------------------------------------
    def addon_enabled_for(self, model: type | str) -> bool:
        """Whether the addon that owns the model is enabled for the current company."""
        addon = self.registry.addon_of_table(model_table(model))
        return addon == "core" or addon in self.enabled

    @cached_property
    def _access(self) -> dict[str, set[str]]:
        rows = self.session.scalars(
            select(AccessRight).where(AccessRight.group_id.in_(self.group_ids or {-1}))
        )
        out: dict[str, set[str]] = {}
        for row in rows:
            perms = out.setdefault(row.model, set())
            for perm in PERMS:
                if getattr(row, f"perm_{perm}"):
                    perms.add(perm)
        return out

    def can(self, model: type | str, perm: str = "read") -> bool:
        """Whether an access right lets the user ``perm`` on the model (rules aside)."""
        cls = None if isinstance(model, str) else model
        if cls is not None and perm != "read" and getattr(cls, "__tixi_readonly__", False):
            return False
        if not self.addon_enabled_for(model):
            return False
        if self.user.is_admin:
            return not (perm in ("write", "delete") and model_table(model) == "core_audit")
        return perm in self._access.get(model_table(model), set())

    def check(self, model: type | str, perm: str = "read") -> None:
        """Raise :class:`AccessDenied` (or :class:`AddonNotEnabled`) unless :meth:`can`."""
        if not self.addon_enabled_for(model):
            raise AddonNotEnabled(f"{model_table(model)}: addon not enabled for this company")
        if not self.can(model, perm):
            raise AccessDenied(f"no {perm} access to {model_table(model)}")

    # ----- record rules ------------------------------------------------------------------
    def rules(self, model: type | str, perm: str) -> list[RecordRule]:
        """Rules of this model that apply to ``perm``: global ones and the user's groups'."""
        key = (model_table(model), perm)
        if key not in self._rules:
            rules = self.session.scalars(
                select(RecordRule).where(
                    RecordRule.model == key[0], getattr(RecordRule, f"perm_{perm}").is_(True)
                )
            ).all()
            self._rules[key] = list(rules)
        return self._rules[key]

    def _rule_groups(self, rule: RecordRule) -> set[int]:
        return set(
            self.session.scalars(select(rule_group.c.group_id).where(rule_group.c.rule_id == rule.id))
        )

    def rule_clause(self, model: type, perm: str = "read") -> ColumnElement:
        """Company filter AND global rules AND (union of the user's group rules), as SQL."""
        parts: list[ColumnElement] = []
        table = model.__table__
        if "company_id" in table.c:
            parts.append(table.c.company_id == self.company_id)
        group_parts: list[ColumnElement] = []
        has_group_rules = False
        for rule in self.rules(model, perm):
            groups = self._rule_groups(rule)
            if groups and self.user.is_admin:
                continue  # admins are not narrowed by group rules, only by global ones
            if groups and not (groups & self.group_ids):
                continue
            try:
                clause = compile_domain(model, json.loads(rule.domain), self.context)
            except ContextValueMissing:
                clause = false()  # a rule whose context is missing grants nothing
            if groups:
                has_group_rules = True
                group_parts.append(clause)
            else:
                parts.append(clause)
        if has_group_rules:
            parts.append(or_(*group_parts) if len(group_parts) > 1 else group_parts[0])
        if not parts:
            return true()
        return and_(*parts) if len(parts) > 1 else parts[0]

    def select(self, model: type, perm: str = "read", *columns: Any) -> Select:
        """A ``Select`` of ``model`` (or of ``columns``) restricted by rights and rules."""
        self.check(model, perm)
        stmt = select(*columns) if columns else select(model)
        return stmt.where(self.rule_clause(model, perm))

    def search(
        self,
        model: type,
        *where: Any,
        order_by: Iterable[Any] = (),
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Any]:
        """Records of ``model`` the user may read, filtered by ``where``."""
        stmt = self.select(model).where(*where).order_by(*order_by)
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        return list(self.session.scalars(stmt))

    def count(self, model: type, *where: Any) -> int:
        """How many records of ``model`` the user may read, filtered by ``where``."""
        pk = model.__table__.primary_key.columns.values()[0]
        stmt = self.select(model, "read", func.count(pk)).where(*where)
        return int(self.session.scalar(stmt) or 0)

    def get(self, model: type, res_id: int, perm: str = "read") -> Any:
        """One record by id; :class:`AccessDenied` if missing or outside the rules."""
        pk = model.__table__.primary_key.columns.values()[0]
        obj = self.session.scalar(self.select(model, perm).where(pk == res_id))
        if obj is None:
            raise AccessDenied(f"{model_table(model)} #{res_id} does not exist or is not accessible")
        return obj

    def allowed(self, record: Any, perm: str) -> bool:
        """Whether a flushed record satisfies the rules for ``perm`` (one SQL query)."""
        model = type(record)
        if not self.can(model, perm):
            return False
        pk = model.__table__.primary_key.columns.values()[0]
        stmt = select(exists().where(pk == record.id, self.rule_clause(model, perm)))
        return bool(self.session.scalar(stmt))

    # ----- fields ------------------------------------------------------------------------
    def field_visible(self, model: type, field: str) -> bool:
        """False when the model reserves the field to groups the user is not in."""
        restricted: Mapping[str, Iterable[str]] = getattr(model, "__tixi_restricted_fields__", {})
        groups = restricted.get(field)
        if not groups:
            return True
        return self.user.is_admin or bool(self.group_codes & set(groups))

    def visible_fields(self, model: type, fields: Iterable[str] | None = None) -> list[str]:
        """The subset of ``fields`` (default: all columns) the user may see."""
        names = list(fields) if fields is not None else [c.key for c in model.__table__.columns]
        return [f for f in names if self.field_visible(model, f)]

    def _check_fields(self, model: type, values: Mapping[str, Any]) -> None:
        hidden = [f for f in values if not self.field_visible(model, f)]
        if hidden:
            raise AccessDenied(f"field {hidden[0]!r} of {model_table(model)} is restricted")

    # ----- writes ------------------------------------------------------------------------
    def create(self, model: type, values: Mapping[str, Any]) -> Any:
        """Create a record in the current company; rights, rules, audit and events applied."""
        self.check(model, "create")
        self._check_fields(model, values)
        data = dict(values)
        cols = model.__table__.c
        if "company_id" in cols:
            data["company_id"] = self.company_id
        if "created_by_id" in cols:
            data.setdefault("created_by_id", self.user_id)
            data.setdefault("updated_by_id", self.user_id)
        record = model(**data)
        self.session.add(record)
        self.session.flush()
        if not self.allowed(record, "create"):
            raise AccessDenied(f"record rules do not allow creating this {model_table(model)}")
        changes = {k: [None, _jsonable(getattr(record, k, None))] for k in values}
        self._audit(model, record.id, "create", changes)
        self.hooks.tixi_record_event(env=self, event="created", model=model_table(model), record=record, changes=changes)
        return record

    def write(self, record: Any, values: Mapping[str, Any], expected_version: int | None = None) -> dict:
        """Update a record; refuses stale edits (optimistic locking). Returns the changes."""
        model = type(record)
        self.check(model, "write")
        self._check_fields(model, values)
        if not self.allowed(record, "write"):
            raise AccessDenied(f"record rules do not allow changing this {model_table(model)}")
        if "company_id" in values and values["company_id"] != self.company_id:
            raise AccessDenied("a record cannot be moved to another company")
        if expected_version is not None and getattr(record, "version", None) not in (None, expected_version):
            raise ConcurrentEditError("somebody else saved this record since you opened it")
        changes: dict[str, list[Any]] = {}
        for key, value in values.items():
            old = getattr(record, key)
            if old != value:
                changes[key] = [_jsonable(old), _jsonable(value)]
                setattr(record, key, value)
        if not changes:
            return changes
        if hasattr(record, "updated_by_id"):
            record.updated_by_id = self.user_id
            record.updated_at = utcnow()
        try:
            self.session.flush()
        except StaleDataError:
            raise ConcurrentEditError("somebody else saved this record since you opened it") from None
        if not self.allowed(record, "write"):
            raise AccessDenied(f"the change would move this {model_table(model)} out of your reach")
        self._audit(model, record.id, "update", changes)
        self.hooks.tixi_record_event(env=self, event="updated", model=model_table(model), record=record, changes=changes)
        return changes

    def delete(self, record: Any) -> None:
        """Delete a record (rights and rules checked, audited)."""
        model = type(record)
        self.check(model, "delete")
        if not self.allowed(record, "delete"):
            raise AccessDenied(f"record rules do not allow deleting this {model_table(model)}")
        snapshot = {c.key: [_jsonable(getattr(record, c.key)), None] for c in model.__table__.columns}
        self._audit(model, record.id, "delete", snapshot)
        self.hooks.tixi_record_event(env=self, event="deleted", model=model_table(model), record=record, changes=snapshot)
        self.session.delete(record)
        self.session.flush()

    # ----- audit -------------------------------------------------------------------------
    def _audit(self, model: type, res_id: int, action: str, changes: dict) -> None:
        if getattr(model, "__tixi_audit__", False):
            logged = changes
        else:
            tracked = set(getattr(model, "__tixi_tracked__", ()))
            logged = {k: v for k, v in changes.items() if k in tracked}
            if not logged:
                return
        self.audit(model_table(model), res_id, action, logged)

    def audit(self, model: str, res_id: int, action: str, changes: dict) -> None:
        """Append an entry to the audit trail (used by the kernel and addons)."""
        self.session.add(
            AuditEntry(
                company_id=self.company_id,
                model=model,
                res_id=res_id,
                action=action,
                user_id=self.user_id,
                changes=json.dumps(changes, ensure_ascii=False, default=str),
            )
        )
        self.session.flush()

    def history(self, model: type | str, res_id: int) -> list[AuditEntry]:
        """Audit entries of one record, newest first, if the user may read the record."""
        table = model_table(model)
        stmt = (
            select(AuditEntry)
            .where(AuditEntry.model == table, AuditEntry.res_id == res_id, AuditEntry.company_id == self.company_id)
            .order_by(AuditEntry.id.desc())
        )
        return list(self.session.scalars(stmt))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
