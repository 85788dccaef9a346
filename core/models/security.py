"""Companies, users, role groups, access rights, record rules, sessions and API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow

user_company = Table(
    "core_user_company",
    Base.metadata,
    Column("user_id", ForeignKey("core_user.id", ondelete="CASCADE"), primary_key=True),
    Column("company_id", ForeignKey("core_company.id", ondelete="CASCADE"), primary_key=True),
)

user_group = Table(
    "core_user_group",
    Base.metadata,
    Column("user_id", ForeignKey("core_user.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("core_group.id", ondelete="CASCADE"), primary_key=True),
)

group_implied = Table(
    "core_group_implied",
    Base.metadata,
    Column("group_id", ForeignKey("core_group.id", ondelete="CASCADE"), primary_key=True),
    Column("implied_id", ForeignKey("core_group.id", ondelete="CASCADE"), primary_key=True),
)

rule_group = Table(
    "core_rule_group",
    Base.metadata,
    Column("rule_id", ForeignKey("core_rule.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("core_group.id", ondelete="CASCADE"), primary_key=True),
)


class Company(Base):
    """A legal company; every business row belongs to exactly one."""

    __tablename__ = "core_company"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def display(self, lang: str = "zh_CN") -> str:
        """Name in the user's language."""
        return self.name_zh if lang.startswith("zh") else self.name_en


class Group(Base):
    """A role group (权限组); groups imply other groups (a manager is also a salesperson)."""

    __tablename__ = "core_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(128), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    addon: Mapped[str] = mapped_column(String(64), default="core")
    implied: Mapped[list[Group]] = relationship(
        secondary=group_implied,
        primaryjoin=lambda: Group.id == group_implied.c.group_id,
        secondaryjoin=lambda: Group.id == group_implied.c.implied_id,
    )

    def display(self, lang: str = "zh_CN") -> str:
        """Name in the user's language."""
        return self.name_zh if lang.startswith("zh") else self.name_en


class User(Base):
    """A person who logs in; belongs to companies, works in one current company at a time."""

    __tablename__ = "core_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    tz: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    company_id: Mapped[int | None] = mapped_column(ForeignKey("core_company.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    companies: Mapped[list[Company]] = relationship(secondary=user_company)
    groups: Mapped[list[Group]] = relationship(secondary=user_group)

    __mapper_args__ = {"version_id_col": version}


class AccessRight(Base):
    """Model access right: CRUD flags for one group on one model. No row means no access."""

    __tablename__ = "core_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(128), unique=True)
    model: Mapped[str] = mapped_column(String(128), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("core_group.id", ondelete="CASCADE"))
    perm_read: Mapped[bool] = mapped_column(Boolean, default=False)
    perm_create: Mapped[bool] = mapped_column(Boolean, default=False)
    perm_write: Mapped[bool] = mapped_column(Boolean, default=False)
    perm_delete: Mapped[bool] = mapped_column(Boolean, default=False)
    addon: Mapped[str] = mapped_column(String(64), default="core")
    group: Mapped[Group] = relationship()


class RecordRule(Base):
    """A record rule compiled into SQL. Global rules (no groups) intersect; group rules union."""

    __tablename__ = "core_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(128), unique=True)
    model: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(Text)  # JSON list of conditions
    perm_read: Mapped[bool] = mapped_column(Boolean, default=True)
    perm_create: Mapped[bool] = mapped_column(Boolean, default=True)
    perm_write: Mapped[bool] = mapped_column(Boolean, default=True)
    perm_delete: Mapped[bool] = mapped_column(Boolean, default=True)
    addon: Mapped[str] = mapped_column(String(64), default="core")
    groups: Mapped[list[Group]] = relationship(secondary=rule_group)


class UserSession(Base):
    """A server-side login session; deleting the row ends the session everywhere."""

    __tablename__ = "core_session"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LoginAttempt(Base):
    """A failed login, used to throttle guessing."""

    __tablename__ = "core_login_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(128), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LoginThrottle(Base):
    """Failed-login counter of one key, locked while a login is checked (atomic under races).

    Keys: ``lc:<login>|<client>`` (one client guessing one login: growing
    delays), ``l:<login>`` (every unknown client guessing one login: a ceiling
    with a short fixed delay, which a known device skips) and ``c:<client>``
    (one client trying many logins). ``client`` is the known device's id, else
    the address.
    """

    __tablename__ = "core_login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)


class IdempotencyKey(Base):
    """A submitted form's one-time token or an API ``Idempotency-Key``, with the answer it got.

    Written in the same transaction as the request's own writes: a rolled-back
    request leaves no key (it may be sent again), a committed one answers every
    repeat with the first answer instead of doing the work twice.
    """

    __tablename__ = "core_idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "scope", "key_hash", name="uq_core_idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(8))  # "form" or "api"
    key_hash: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    location: Mapped[str | None] = mapped_column(String(500), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "core_api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
