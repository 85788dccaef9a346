"""The global search's index: one row of searchable text per record (see :mod:`core.search`)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class SearchEntry(Base):
    """The searchable text of one record of a :class:`SearchSource` (kernel-maintained)."""

    __tablename__ = "core_search_entry"
    __table_args__ = (
        UniqueConstraint("source", "res_id"),
        Index("ix_core_search_entry_company_source", "company_id", "source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("core_company.id", ondelete="CASCADE"), nullable=True)
    source: Mapped[str] = mapped_column(String(64))
    res_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
