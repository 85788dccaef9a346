"""Database layer: the declarative ``Base``, kernel mixins and engine creation.

Addon models are SQLAlchemy 2 typed declarative classes on :class:`Base`. Their
tables are prefixed with the addon's technical name (``masterdata_customer``).
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar, Token
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC on every database.

    SQLite has no timezone type; values are normalised to UTC on the way in and
    given back aware (UTC) on the way out, so code never sees a naive datetime.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Tixi stores timezone-aware datetimes only")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every Tixi model (kernel and addons).

    Class attributes a model may set, read by the kernel:

    * ``__tixi_audit__``: audit every create/update/delete (default True for
      :class:`BusinessMixin` models).
    * ``__tixi_tracked__``: field names that are sensitive and always recorded.
    * ``__tixi_restricted_fields__``: ``{field: [group xmlid, ...]}``; the field is
      hidden from everyone not in one of the groups.
    * ``__tixi_label__``: ``{"zh_CN": ..., "en": ...}`` display name.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


class IdMixin:
    """Integer primary key ``id``."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class CompanyMixin:
    """Every business row carries its company; record rules always filter on it."""

    @declared_attr
    def company_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("core_company.id"), index=True, nullable=False)


class StampMixin:
    """Who created and last changed the row, and when (timezone-aware, UTC)."""

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("core_user.id"), nullable=True)

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("core_user.id"), nullable=True)


class VersionMixin:
    """Optimistic locking: a second save based on a stale read is refused."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}


class ArchivedMixin:
    """Rows are archived (``active = False``) rather than deleted."""

    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)


class BusinessMixin(IdMixin, CompanyMixin, StampMixin, VersionMixin, ArchivedMixin):
    """Everything a business record needs: id, company, stamps, version, archive flag."""

    __tixi_audit__ = True


#: Seconds a SQLite transaction waits for the write lock before "database is locked".
SQLITE_BUSY_TIMEOUT = 30.0

_WRITE_INTENT: ContextVar[bool] = ContextVar("tixi_sqlite_write_intent", default=False)


def write_transactions(enabled: bool = True) -> Token[bool]:
    """Declare that the transactions begun from now on (this thread/context) write: SQLite takes
    the write lock at ``BEGIN`` (``BEGIN IMMEDIATE``). Returns the token for :func:`reset_write_transactions`.

    Set by the web app for unsafe HTTP methods; a job or command that writes
    while users work may set it too. No effect on PostgreSQL.
    """
    return _WRITE_INTENT.set(enabled)


def reset_write_transactions(token: Token[bool]) -> None:
    """Undo :func:`write_transactions`."""
    _WRITE_INTENT.reset(token)

BigId = BigInteger().with_variant(Integer(), "sqlite")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; on SQLite make DDL transactional, take the write lock up front, enforce foreign keys.

    pysqlite's legacy transaction handling commits before DDL, so a failing
    install could leave half its tables behind. We take over BEGIN ourselves
    (SQLAlchemy's documented recipe) so that install, upgrade and uninstall are
    atomic on SQLite as they are on PostgreSQL.

    Concurrency: a deferred transaction that reads, then writes, fails at once
    with "database is locked" when another connection wrote in between (SQLite
    cannot upgrade a stale read snapshot; the busy timeout does not apply). A
    write transaction therefore starts with ``BEGIN IMMEDIATE`` (the write lock
    taken up front, waiting up to :data:`SQLITE_BUSY_TIMEOUT` seconds for it),
    so concurrent saves queue instead of failing; readers never wait (WAL). A
    stale edit then reaches the version check and is a conflict (409), as on
    PostgreSQL. Which transactions write is declared with
    :func:`write_transactions` (the web app: every POST/PUT/PATCH/DELETE); reads
    stay deferred, so a page that opens a second session (explanations) cannot
    wait on its own lock.
    """
    if url.startswith("sqlite"):
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT * 1000)}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _WRITE_INTENT.get() else "BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)
