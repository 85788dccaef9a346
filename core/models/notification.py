"""Notifications: one row per recipient in the in-app inbox, and per-user preferences per type."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Notification(Base):
    """A notification of one type to one user, in one company, optionally about a record.

    ``params`` (JSON) fill the type's subject and body when they are shown, in
    the reader's language; ``read_at`` is ``None`` until the user reads it.
    """

    __tablename__ = "core_notification"
    __table_args__ = (Index("ix_core_notification_inbox", "user_id", "company_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("core_company.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"))
    type_code: Mapped[str] = mapped_column(String(128))
    model: Mapped[str | None] = mapped_column(String(128), nullable=True)
    res_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    params: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class NotificationPreference(Base):
    """A user's choice for one notification type: in the inbox and/or by e-mail."""

    __tablename__ = "core_notification_pref"
    __table_args__ = (UniqueConstraint("user_id", "type_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    type_code: Mapped[str] = mapped_column(String(128))
    inapp: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
