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

from flask_babel import gettext as _
from sqlalchemy import Result, ScalarResult, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ClauseElement, ColumnClause, ColumnElement
from sqlalchemy.sql.selectable import AliasedReturnsRows, TableClause

from core.db import utcnow
from core.errors import AccessDenied, ConcurrentEditError, ValidationError
from core.models import AccessRight, AuditEntry, Group, RecordRule, User, group_implied, rule_group
from core.security.rules import NOT_COMPANY_OWNED, ContextValueMissing, compile_domain

PERMS = ("read", "create", "write", "delete")

#: Kernel tables that only the kernel appends to (audit trail, approval history;
#: attachment rows, which :mod:`core.attachments` writes after checking the record):
#: no access right, not even the administrator's, lets :class:`Env` create, change
#: or delete their rows.
APPEND_ONLY = frozenset({"core_audit", "core_approval_event", "core_attachment"})

#: Secrets no page, export or API may show, whoever asks (administrators included);
#: they are set by the kernel's own functions (passwords, tokens), never by ``Env.write``.
SECRET_FIELDS: dict[str, frozenset[str]] = {
    "core_user": frozenset({"password_hash"}),
    "core_api_token": frozenset({"token_hash"}),
    "core_session": frozenset({"sid"}),
}

# NOT_COMPANY_OWNED (from core.security.rules): tables whose ``company_id`` is not an
# owner (a user's *current* company): the automatic company filter does not apply.

#: Largest id set a read clause inlines as a literal list (0: always sub-queries).
LITERAL_IDS_MAX = 1000

#: Foreign keys :class:`Env` sets itself (owner company, author stamps): not checked as references.
SELF_SET_FKS = frozenset({"company_id", "created_by_id", "updated_by_id"})

#: Ids above this do not fit a 64-bit integer column: no row has them (refused before SQL).
MAX_ID = 2**63 - 1
#: The same for a 32-bit ``Integer`` column (PostgreSQL refuses a larger literal with an error).
MAX_INT = 2**31 - 1


def int_limit(column: Any) -> int:
    """Largest value an integer column holds (``BigInteger``: 64 bits, else 32 bits)."""
    from sqlalchemy import BigInteger

    kind = column.type
    return MAX_ID if isinstance(kind, BigInteger) or isinstance(getattr(kind, "impl", None), BigInteger) else MAX_INT

STALE = "Somebody else saved this record since you opened it: reload it and apply your change again."


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
            raise AccessDenied(_("The user is unknown or disabled."))
        self.user = user
        self.user_id = user.id
        self.company_ids = frozenset(c.id for c in user.companies)
        cid = company_id if company_id is not None else user.company_id
        if cid not in self.company_ids:
            raise AccessDenied(_("The user does not belong to this company."))
        self.company_id: int = cid
        # table -> [(rule, group ids)]: every rule of the database, loaded in one query per env
        self._rules: dict[str, list[tuple[RecordRule, frozenset[int]]]] = {}
        self._rules_loaded = False
        self._clauses: dict[tuple[str, str], ColumnElement] = {}
        # table -> ids of that table the user was found to read (foreign-key checks)
        self._readable_refs: dict[str, set[Any]] = {}

    @classmethod
    def for_login(cls, registry: Any, session: Session, login: str, company_code: str | None = None) -> Env:
        """The env of the user ``login`` in the company ``company_code`` (default: their current one).

        For command-line tools and jobs that act as a named user; an unknown
        login or company is a :class:`~core.errors.TixiError` naming it.
        """
        from core.errors import TixiError
        from core.models import Company

        # the kernel's bootstrap: user and company are looked up before an env exists
        user_id = session.scalar(select(User.id).where(User.login == login))
        if user_id is None:
            raise TixiError(f"no user with login {login!r}")
        company_id = None
        if company_code:
            company_id = session.scalar(select(Company.id).where(Company.code == company_code))
            if company_id is None:
                raise TixiError(f"no company with code {company_code!r}")
        return cls(registry, session, user_id, company_id)

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
        if perm not in PERMS:
            raise ValueError(f"unknown permission {perm!r}")
        table = model_table(model)
        cls = None if isinstance(model, str) else model
        if perm != "read" and (table in APPEND_ONLY or getattr(cls, "__tixi_readonly__", False)):
            return False
        if not self.addon_enabled_for(model):
            return False
        if self.user.is_admin:
            return True
        return perm in self._access.get(table, set())

    def check(self, model: type | str, perm: str = "read") -> None:
        """Raise :class:`AccessDenied` (or :class:`AddonNotEnabled`) unless :meth:`can`."""
        if not self.addon_enabled_for(model):
            raise AddonNotEnabled(
                _("%(model)s: the addon is not enabled for this company.", model=model_table(model))
            )
        if not self.can(model, perm):
            raise AccessDenied(
                _("You have no %(perm)s access to %(model)s.", perm=perm, model=model_table(model))
            )

    # ----- record rules ------------------------------------------------------------------
    def _model_rules(self, table: str) -> list[tuple[RecordRule, frozenset[int]]]:
        """Every rule of a model with its group ids.

        All the database's rules are loaded on first use in one query (outer join
        with their groups) and kept for the env: a page touching ten models pays
        one query for rules, not ten. There are tens of rules, not thousands.
        """
        if self._rules_loaded is False:
            rows = self.session.execute(
                select(RecordRule, rule_group.c.group_id)
                .outerjoin(rule_group, rule_group.c.rule_id == RecordRule.id)
                .order_by(RecordRule.id)
            ).all()
            by_id: dict[int, tuple[RecordRule, set[int]]] = {}
            for rule, group_id in rows:
                entry = by_id.setdefault(rule.id, (rule, set()))
                if group_id is not None:
                    entry[1].add(group_id)
            for rule, groups in by_id.values():
                self._rules.setdefault(rule.model, []).append((rule, frozenset(groups)))
            self._rules_loaded = True
        return self._rules.get(table, [])

    def rules(self, model: type | str, perm: str) -> list[RecordRule]:
        """Rules of this model that apply to ``perm`` (global ones and every group's)."""
        return [r for r, _groups in self._model_rules(model_table(model)) if getattr(r, f"perm_{perm}")]

    def rule_groups(self, rule: RecordRule) -> frozenset[int]:
        """Group ids of a rule (empty: a global rule)."""
        for r, groups in self._model_rules(rule.model):
            if r.id == rule.id:
                return groups
        return frozenset()

    def applicable_rules(self, model: type | str, perm: str) -> list[tuple[RecordRule, bool]]:
        """``(rule, is_global)`` for the rules that narrow this user's ``perm`` on the model.

        Global rules always apply (administrators included); a group rule applies
        when the user is in one of its groups, and never to administrators.
        """
        out: list[tuple[RecordRule, bool]] = []
        for rule, groups in self._model_rules(model_table(model)):
            if not getattr(rule, f"perm_{perm}"):
                continue
            if not groups:
                out.append((rule, True))
            elif not self.user.is_admin and groups & self.group_ids:
                out.append((rule, False))
        return out

    def resolve_ids(self, stmt: Select) -> Any:
        """The ids of a small sub-query as a literal list (one query), else the sub-query itself.

        Used for read clauses: a planner estimates ``owner_id IN (42, 57)``
        far better than a nested sub-query (SQLite walks the whole sort index
        otherwise). Sets above :data:`LITERAL_IDS_MAX` stay sub-queries. Read
        clauses are rebuilt after every write through this env.
        """
        try:
            ids = list(self.session.scalars(stmt.limit(LITERAL_IDS_MAX + 1)))
        except DBAPIError:
            raise  # the database failed (an outage answers 503): never swallowed into a broken transaction
        except Exception:  # noqa: BLE001 - not a plain select of ids: keep the sub-query
            return stmt
        return stmt if len(ids) > LITERAL_IDS_MAX else ids

    def compile_rule(self, model: type, rule: RecordRule, perm: str = "write") -> ColumnElement:
        """A rule's domain as SQL for this user; a rule whose context is missing grants nothing.

        Read clauses resolve small id sub-queries into literal lists
        (:meth:`resolve_ids`); write, create and delete checks keep live sub-queries.
        """
        resolve = self.resolve_ids if perm == "read" and LITERAL_IDS_MAX else None
        try:
            return compile_domain(model, json.loads(rule.domain), self.context, resolve)
        except ContextValueMissing:
            return false()

    def invalidate(self) -> None:
        """Forget compiled clauses (call after changing data that rules depend on outside Env)."""
        self._clauses.clear()

    def rule_clause(self, model: type, perm: str = "read") -> ColumnElement:
        """Company filter AND global rules AND (union of the user's group rules), as SQL.

        One predicate (sub-queries, never Python filtering), built once per model,
        permission and env.
        """
        key = (model_table(model), perm)
        cached = self._clauses.get(key)
        if cached is not None:
            return cached
        parts: list[ColumnElement] = []
        table = model.__table__
        if "company_id" in table.c and table.name not in NOT_COMPANY_OWNED:
            parts.append(table.c.company_id == self.company_id)
        group_parts: list[ColumnElement] = []
        for rule, is_global in self.applicable_rules(model, perm):
            clause = self.compile_rule(model, rule, perm)
            (parts if is_global else group_parts).append(clause)
        if group_parts:
            parts.append(or_(*group_parts) if len(group_parts) > 1 else group_parts[0])
        if not parts:
            clause = true()
        else:
            clause = and_(*parts) if len(parts) > 1 else parts[0]
        self._clauses[key] = clause
        return clause

    def check_expressions(self, *exprs: Any) -> None:
        """Refuse filters, sort keys and columns that read a field hidden from the user.

        Filtering or sorting on a restricted field (``cost > 100``) would leak it
        as surely as showing it; every column of the expressions is checked
        against :meth:`field_visible` (record rules, added by the kernel, are not).
        """
        for expr in exprs:
            if expr is None or isinstance(expr, (str, int, float, Decimal)):
                continue
            if isinstance(expr, type) or getattr(expr, "is_mapper", False) or hasattr(expr, "_aliased_insp"):
                continue  # a whole entity: its fields are shown through visible_fields
            element = expr.__clause_element__() if hasattr(expr, "__clause_element__") else expr
            if not isinstance(element, ClauseElement):
                continue
            for node in visitors.iterate(element):
                table = getattr(node, "table", None)
                name = getattr(node, "key", None)
                if not isinstance(node, ColumnClause) or table is None or name is None:
                    continue
                table_name = getattr(getattr(table, "original", table), "name", None)  # aliases too
                if table_name not in _RESTRICTED_TABLES and table_name not in SECRET_FIELDS:
                    continue
                cls = _model_class(table_name)
                if cls is not None and not self.field_visible(cls, name):
                    raise AccessDenied(
                        _("The field %(field)s of %(model)s is restricted.", field=name, model=table_name)
                    )

    def select(self, model: type, perm: str = "read", *columns: Any) -> Select:
        """A ``Select`` of ``model`` (or of ``columns``) restricted by rights and rules."""
        self.check(model, perm)
        self.check_expressions(*columns)
        stmt = select(*columns) if columns else select(model)
        return stmt.where(self.rule_clause(model, perm)).execution_options(**{CHECKED: True})

    # ----- running statements --------------------------------------------------------------
    def scalars(self, stmt: Any) -> ScalarResult[Any]:
        """Run a statement built on :meth:`select` and return its scalars.

        Every table of a model that the statement reads must come through
        :meth:`select` (directly, as a sub-query or a CTE); a statement that
        reads or changes a model's table any other way is refused
        (:class:`AccessDenied`): use :meth:`select`, or :meth:`sudo` where the
        code must read past the rules on purpose.
        """
        return self.session.scalars(self._checked(stmt))

    def scalar(self, stmt: Any) -> Any:
        """Run a checked statement (see :meth:`scalars`) and return the first column of the first row."""
        return self.session.scalar(self._checked(stmt))

    def execute(self, stmt: Any) -> Result[Any]:
        """Run a checked statement (see :meth:`scalars`) and return its rows."""
        return self.session.execute(self._checked(stmt))

    def execute_rows(self, stmt: Any) -> Result[Any]:
        """Run a checked statement of plain columns on the connection: rows without ORM loading.

        For large aggregates (measures): the ORM's per-row loading costs more
        than the query for tens of thousands of rows. Pending changes are
        flushed first, as :meth:`execute` would; a statement selecting whole
        entities must use :meth:`execute`.
        """
        if self.session.autoflush:
            self.session.flush()
        return self.session.connection().execute(self._checked(stmt))  # tixi: session-ok (checked above)

    def _checked(self, stmt: Any) -> Any:
        tables = unchecked_tables(stmt)
        if tables:
            raise AccessDenied(
                _("Unchecked read of %(model)s: build the query with env.select().", model=tables[0])
            )
        return stmt

    def sudo(self) -> Elevated:
        """Reads past access rights and record rules, the company filter kept (greppable on purpose).

        For the few places that must see what the user cannot (a uniqueness
        check across owners, a handover moving another person's records, a
        scheduled job): ``env.sudo().select(Customer)``. Writes still go
        through :meth:`create`/:meth:`write`/:meth:`delete`, or through
        ``env.sudo().execute(update(...))`` for bulk changes the addon audits itself.
        """
        return Elevated(self)

    def search(
        self,
        model: type,
        *where: Any,
        order_by: Iterable[Any] = (),
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[Any]:
        """Records of ``model`` the user may read, filtered by ``where``."""
        order_by = list(order_by)
        self.check_expressions(*where, *order_by)
        stmt = self.select(model).where(*where).order_by(*order_by)
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        return list(self.session.scalars(stmt))

    def count(self, model: type, *where: Any) -> int:
        """How many records of ``model`` the user may read, filtered by ``where``."""
        self.check(model, "read")
        self.check_expressions(*where)
        stmt = select(func.count()).select_from(model).where(self.rule_clause(model, "read"), *where)
        return int(self.session.scalar(stmt) or 0)

    def get(self, model: type, res_id: int, perm: str = "read") -> Any:
        """One record by id; :class:`AccessDenied` if missing or outside the rules."""
        pk = model.__table__.primary_key.columns.values()[0]
        obj = self.session.scalar(self.select(model, perm).where(pk == res_id))
        if obj is None:
            raise AccessDenied(
                _("%(model)s #%(id)s does not exist or is not accessible.", model=model_table(model), id=res_id)
            )
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
        if field in SECRET_FIELDS.get(model_table(model), ()):
            return False
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
            raise AccessDenied(
                _("The field %(field)s of %(model)s is restricted.", field=hidden[0], model=model_table(model))
            )

    # ----- references ----------------------------------------------------------------------
    def check_references(self, model: type, rows: Iterable[Mapping[str, Any]]) -> None:
        """Refuse foreign-key values that point to a row the user may not read.

        A reference is a way to read: a record linked to another company's or
        another territory's customer would show that customer's name on every
        page, export and report that follows the link. Each foreign key of
        ``model`` written in ``rows`` (an import passes all its rows) costs one
        query, through :meth:`select` (rights, company filter and record rules
        of the target); ids already checked in this env are not asked again.
        Raises :class:`ValidationError` naming the field in the user's language;
        nothing is written. The keys :class:`Env` sets itself
        (:data:`SELF_SET_FKS`) are not checked.
        """
        rows = list(rows)
        for column in model.__table__.columns:
            if not column.foreign_keys or column.key in SELF_SET_FKS:
                continue
            wanted = {row[column.key] for row in rows if row.get(column.key) is not None}
            if not wanted:
                continue
            fk = next(iter(column.foreign_keys))
            target = _model_class(fk.column.table.name)
            if target is None:
                continue  # a plain table without a model (no rules to apply)
            cache = self._readable_refs.setdefault(target.__tablename__, set())
            missing = wanted - cache
            if not missing:
                continue
            limit = int_limit(fk.column)
            bad = sorted((v for v in missing if not _valid_id(v, limit)), key=str)
            ids = [v for v in missing if _valid_id(v, limit)]
            if ids and self.can(target, "read"):
                pk = target.__table__.c[fk.column.key]
                found = set(self.session.scalars(self.select(target, "read", pk).where(pk.in_(ids))))
                cache |= found
                bad += sorted(set(ids) - found, key=str)
            else:
                bad += sorted(ids, key=str)
            if bad:
                raise self._reference_error(model, column.key, bad[0])

    def _reference_error(self, model: type, field: str, value: Any) -> ValidationError:
        from core.i18n import field_label

        message = _(
            "%(field)s: there is no record #%(id)s that you may see.",
            field=field_label(model, field), id=value,
        )
        return ValidationError(message, {field: message})

    # ----- writes ------------------------------------------------------------------------
    def create(self, model: type, values: Mapping[str, Any]) -> Any:
        """Create a record in the current company; rights, rules, audit and events applied.

        Runs in a savepoint: when a rule refuses the new record (or a
        ``tixi_record_event`` implementation raises) nothing stays written.
        """
        self.check(model, "create")
        self._check_fields(model, values)
        self.check_references(model, [values])
        data = dict(values)
        cols = model.__table__.c
        if "company_id" in cols and model.__table__.name not in NOT_COMPANY_OWNED:
            data["company_id"] = self.company_id
        if "created_by_id" in cols:
            data.setdefault("created_by_id", self.user_id)
            data.setdefault("updated_by_id", self.user_id)
        record = model(**data)
        try:
            self._create_in_savepoint(model, record, values)
        except IntegrityError:
            raise self._integrity_error(model, data, None) from None
        self.invalidate()  # the new row may widen what read rules resolve to
        return record

    def _create_in_savepoint(self, model: type, record: Any, values: Mapping[str, Any]) -> None:
        with self.session.begin_nested():
            self.session.add(record)
            self.session.flush()
            if not self.allowed(record, "create"):
                raise AccessDenied(
                    _("Record rules do not allow creating this %(model)s.", model=model_table(model))
                )
            changes = {k: [None, _jsonable(getattr(record, k, None))] for k in values}
            self._audit(model, record.id, "create", changes)
            self.hooks.tixi_record_event(
                env=self, event="created", model=model_table(model), record=record, changes=changes
            )

    def write(self, record: Any, values: Mapping[str, Any], expected_version: int | None = None) -> dict:
        """Update a record; refuses stale edits (optimistic locking). Returns the changes.

        ``expected_version`` is the ``version`` the user's form was built from;
        without it SQLAlchemy's version counter still refuses a save based on a
        stale read. Either way :class:`ConcurrentEditError` is raised and nothing
        is written (savepoint).
        """
        model = type(record)
        self.check(model, "write")
        self._check_fields(model, values)
        if not self.allowed(record, "write"):
            raise AccessDenied(
                _("Record rules do not allow changing this %(model)s.", model=model_table(model))
            )
        if "company_id" in values and values["company_id"] != self.company_id:
            raise AccessDenied(_("A record cannot be moved to another company."))
        if expected_version is not None and getattr(record, "version", None) not in (None, expected_version):
            raise ConcurrentEditError(_(STALE))
        changes: dict[str, list[Any]] = {}
        for key, value in values.items():
            if key not in model.__table__.c and not hasattr(model, key):
                raise AccessDenied(_("%(model)s has no field %(field)s.", model=model_table(model), field=key))
            old = getattr(record, key)
            if old != value:
                changes[key] = [_jsonable(old), _jsonable(value)]
        if not changes:
            return changes
        self.check_references(model, [{k: values[k] for k in changes}])
        try:
            with self.session.begin_nested():
                for key in changes:
                    setattr(record, key, values[key])
                if hasattr(record, "updated_by_id"):
                    record.updated_by_id = self.user_id
                    record.updated_at = utcnow()
                self.session.flush()
                if not self.allowed(record, "write"):
                    raise AccessDenied(
                        _("The change would move this %(model)s out of your reach.", model=model_table(model))
                    )
                self._audit(model, record.id, "update", changes)
                self.hooks.tixi_record_event(
                    env=self, event="updated", model=model_table(model), record=record, changes=changes
                )
        except StaleDataError:
            raise ConcurrentEditError(_(STALE)) from None
        except IntegrityError:
            merged = {c.key: getattr(record, c.key) for c in model.__table__.columns}
            merged.update(values)
            raise self._integrity_error(model, merged, record.id) from None
        self.invalidate()
        return changes

    def delete(self, record: Any) -> None:
        """Delete a record (rights and rules checked, audited; nothing happens on refusal)."""
        model = type(record)
        self.check(model, "delete")
        if not self.allowed(record, "delete"):
            raise AccessDenied(
                _("Record rules do not allow deleting this %(model)s.", model=model_table(model))
            )
        snapshot = {c.key: [_jsonable(getattr(record, c.key)), None] for c in model.__table__.columns}
        try:
            with self.session.begin_nested():
                self._audit(model, record.id, "delete", snapshot)
                self.hooks.tixi_record_event(
                    env=self, event="deleted", model=model_table(model), record=record, changes=snapshot
                )
                self.session.delete(record)
                self.session.flush()
        except StaleDataError:
            raise ConcurrentEditError(_(STALE)) from None
        except IntegrityError:
            raise ValidationError(
                _("This %(model)s cannot be deleted: other records refer to it.", model=model_table(model))
            ) from None
        self.invalidate()

    def _integrity_error(self, model: type, values: Mapping[str, Any], own_id: int | None) -> ValidationError:
        """A constraint refused the row: name the field in the user's language (nothing was written).

        For a unique constraint, finds which one the values collide with
        (an elevated read: the other row may be outside the user's rules, and
        the collision must still be explained); other constraints (not null,
        foreign key, check) give one general message.
        """
        from core.i18n import field_label

        table = model.__table__
        pk = table.primary_key.columns.values()[0]
        for columns in unique_column_sets(table):
            if any(values.get(c.key) is None for c in columns):
                continue
            stmt = select(func.count()).select_from(table).where(*(c == values[c.key] for c in columns))
            if own_id is not None:
                stmt = stmt.where(pk != own_id)
            if self.session.scalar(stmt):
                shown = [c for c in columns if c.key != "company_id"] or list(columns)
                field = shown[-1].key
                names = ", ".join(str(field_label(model, c.key)) for c in shown)
                message = _("Another record already has this %(fields)s.", fields=names)
                return ValidationError(message, {field: message})
        return ValidationError(
            _("The record could not be saved: a required value is missing or refers to a record that does not exist.")
        )

    # ----- attachments -------------------------------------------------------------------
    def attach(self, record: Any, file: Any, filename: str | None = None) -> Any:
        """Attach a file (bytes or an upload) to a record; see :func:`core.attachments.attach`."""
        from core import attachments

        return attachments.attach(self, record, file, filename=filename)

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
        """Audit entries of one record, newest first.

        Readers of the audit trail (``core_audit`` read right) see the history of
        any record of their company, deleted ones included; anybody else must be
        able to read the record itself (else :class:`AccessDenied`).
        """
        table = model_table(model)
        if self.can(AuditEntry, "read"):
            base = self.select(AuditEntry)
        else:
            cls = model if not isinstance(model, str) else _model_class(model)
            if cls is None:
                raise AccessDenied(_("You have no read access to the history of %(model)s.", model=table))
            self.get(cls, res_id)
            base = select(AuditEntry).where(AuditEntry.company_id == self.company_id)
        stmt = base.where(AuditEntry.model == table, AuditEntry.res_id == res_id).order_by(
            AuditEntry.id.desc()
        )
        return list(self.session.scalars(stmt))


CHECKED = "tixi_checked"
"""Execution option that marks a statement built by :meth:`Env.select` or :meth:`Elevated.select`."""


class Elevated:
    """An :class:`Env`'s elevated reads: company filter kept; rights and record rules skipped."""

    def __init__(self, env: Env) -> None:
        self.env = env

    def select(self, model: type, *columns: Any) -> Select:
        """A ``Select`` of ``model`` (or ``columns``) in the current company only, rules skipped."""
        stmt = select(*columns) if columns else select(model)
        table = model.__table__
        if "company_id" in table.c and table.name not in NOT_COMPANY_OWNED:
            stmt = stmt.where(table.c.company_id == self.env.company_id)
        return stmt.execution_options(**{CHECKED: True})

    def search(self, model: type, *where: Any, order_by: Iterable[Any] = (), limit: int | None = None) -> list[Any]:
        """Records of ``model`` in the company matching ``where``, rules skipped."""
        stmt = self.select(model).where(*where).order_by(*order_by)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.env.session.scalars(stmt))

    def count(self, model: type, *where: Any) -> int:
        """How many records of ``model`` in the company match ``where``, rules skipped."""
        stmt = self.select(model, func.count()).select_from(model).where(*where)
        return int(self.env.session.scalar(stmt) or 0)

    def get(self, model: type, res_id: int) -> Any:
        """One record of the company by id (``None`` when missing), rules skipped."""
        pk = model.__table__.primary_key.columns.values()[0]
        return self.env.session.scalar(self.select(model).where(pk == res_id))

    def scalars(self, stmt: Any) -> ScalarResult[Any]:
        """Run any statement (no check: the caller reads past the rules on purpose)."""
        return self.env.session.scalars(stmt)

    def scalar(self, stmt: Any) -> Any:
        """Run any statement and return the first column of its first row."""
        return self.env.session.scalar(stmt)

    def execute(self, stmt: Any, params: Any = None) -> Result[Any]:
        """Run any statement (reads or bulk changes, ``params`` for executemany) past the rules."""
        return self.env.session.execute(stmt, params)


def unchecked_tables(stmt: Any) -> list[str]:
    """Tables of models a statement reads or changes other than through a checked select.

    Walks the statement: a sub-tree that is a :meth:`Env.select` (marked with
    :data:`CHECKED`) is trusted; any other reference to the table of a mapped
    model is returned. Plain tables without a model (closure tables,
    associations of ids) are allowed.
    """
    found: list[str] = []
    stack: list[Any] = [stmt]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Select):
            if node.get_execution_options().get(CHECKED):
                continue
        elif isinstance(node, ColumnClause):
            table = getattr(node, "table", None)
            if table is not None:
                stack.append(table)
        elif isinstance(node, TableClause):
            name = getattr(node, "name", None)
            if name and _model_class(name) is not None and name not in found:
                found.append(name)
            continue
        elif isinstance(node, AliasedReturnsRows):
            stack.append(node.element)
            continue
        stack.extend(node.get_children())
    return found


def unique_column_sets(table: Any) -> list[tuple[Any, ...]]:
    """Column tuples a table keeps unique (unique constraints, unique indexes, ``unique=True``)."""
    from sqlalchemy import UniqueConstraint

    sets: list[tuple[Any, ...]] = []
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            sets.append(tuple(constraint.columns))
    for index in table.indexes:
        if index.unique:
            sets.append(tuple(c for c in index.columns))
    for column in table.columns:
        if column.unique and not column.primary_key:
            sets.append((column,))
    return [cols for cols in sets if cols]


class _RestrictedTables:
    """Names of tables whose model declares restricted fields (computed on demand)."""

    def __contains__(self, name: object) -> bool:
        cls = _model_class(str(name))
        return bool(getattr(cls, "__tixi_restricted_fields__", None))


_RESTRICTED_TABLES = _RestrictedTables()


_MODEL_CLASSES: dict[str, type] = {}


def _model_class(table: str) -> type | None:
    """The mapped class of a table (hits cached: a model, once mapped, stays)."""
    cls = _MODEL_CLASSES.get(table)
    if cls is None:
        from core.registry import model_class

        cls = model_class(table)
        if cls is not None:
            _MODEL_CLASSES[table] = cls
    return cls


def _valid_id(value: Any, limit: int = MAX_ID) -> bool:
    """Whether a foreign-key value can be an id at all (a positive int the column holds, or a string key)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 < value <= limit
    return isinstance(value, str)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
