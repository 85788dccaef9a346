"""Report subscriptions: a user receives a report on a schedule, in the inbox or by e-mail.

Rows are read and written by :mod:`core.reports.subscriptions` only, always
filtered on ``user_id`` (a user sees and edits only their own); the report is
computed at send time with the subscriber's own rights.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class ReportSubscription(Base):
    """One user's subscription to one report with stored parameters and a schedule.

    ``schedule`` is ``daily``, ``weekly`` (on ``weekday``, 0 = Monday) or
    ``monthly`` (on ``day``, 1-28); ``channel`` is ``inbox`` or ``email``.
    ``last_period`` is the key of the last period delivered (``2026-12-03``,
    the day the period started), so a period is delivered once however often
    the delivery runs; ``last_sent`` is when.
    """

    __tablename__ = "core_report_subscription"
    __table_args__ = (Index("ix_core_report_subscription_due", "active", "schedule"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("core_company.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    report_code: Mapped[str] = mapped_column(String(128))
    params: Mapped[str] = mapped_column(Text, default="{}")
    schedule: Mapped[str] = mapped_column(String(16), default="weekly")
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    channel: Mapped[str] = mapped_column(String(16), default="inbox")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sent: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_period: Mapped[str | None] = mapped_column(String(16), nullable=True)
