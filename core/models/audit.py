"""The audit trail: append-only; no access right allows writing or deleting it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """Who changed which record, when, and each field's old and new value (JSON)."""

    __tablename__ = "core_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_company.id"), nullable=True, index=True
    )
    model: Mapped[str] = mapped_column(String(128))
    res_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # create, update, delete, transition
    user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    changes: Mapped[str] = mapped_column(Text, default="{}")
