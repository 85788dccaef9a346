"""Attachments: metadata of files attached to any record, and per-company limits.

The content lives outside the database in the instance's file store
(:mod:`core.attachments`), content-addressed by its SHA-256; a row says which
record (``model`` = table name, ``res_id``) a file belongs to. Attachment rows are
written only by :mod:`core.attachments` (``Env`` refuses them to everyone,
see ``APPEND_ONLY``), which checks the record's own rights and rules first;
limits are administration data (administrators may change them through Env).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class Attachment(Base):
    """One file attached to one record: name, detected type, size, content and thumbnail hashes."""

    __tablename__ = "core_attachment"
    # written by core.attachments only, after the record's checks (Env refuses: APPEND_ONLY)
    __table_args__ = (Index("ix_core_attachment_record", "model", "res_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("core_company.id"), index=True)
    model: Mapped[str] = mapped_column(String(128))
    res_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    thumb_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AttachmentLimit(Base):
    """A company's own attachment limits; a missing row or an empty column means the default.

    ``allowed_types`` is a comma-separated list of MIME types (``image/jpeg,application/pdf``).
    """

    __tablename__ = "core_attachment_limit"

    company_id: Mapped[int] = mapped_column(ForeignKey("core_company.id", ondelete="CASCADE"), primary_key=True)
    max_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    allowed_types: Mapped[str | None] = mapped_column(Text, nullable=True)
