"""Approval state of a record under a declared workflow, and its history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class ApprovalRequest(Base):
    """The current approval state of one record under one workflow."""

    __tablename__ = "core_approval"
    __table_args__ = (UniqueConstraint("workflow", "model", "res_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("core_company.id"), index=True)
    workflow: Mapped[str] = mapped_column(String(128))
    model: Mapped[str] = mapped_column(String(128))
    res_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2), nullable=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ApprovalEvent(Base):
    """One transition fired: from, to, by whom, when, with which comment."""

    __tablename__ = "core_approval_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    approval_id: Mapped[int] = mapped_column(
        ForeignKey("core_approval.id", ondelete="CASCADE"), index=True
    )
    transition: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
