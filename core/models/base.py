"""Registry state kept in the database: installed addons, per-company enablement, external ids."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow


class AddonState(Base):
    """One row per installed addon: the version whose migrations and data are applied."""

    __tablename__ = "core_addon"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="installed")
    installed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    demo: Mapped[bool] = mapped_column(default=False)


class CompanyAddon(Base):
    """An addon enabled for one company: hooks and pages of that addon serve that company."""

    __tablename__ = "core_company_addon"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("core_company.id", ondelete="CASCADE"), primary_key=True
    )
    addon: Mapped[str] = mapped_column(
        ForeignKey("core_addon.name", ondelete="CASCADE"), primary_key=True
    )


class ExternalId(Base):
    """Maps ``addon.name`` external ids to the rows an addon's data files created.

    Uninstall removes exactly the rows listed here for the addon.
    """

    __tablename__ = "core_external_id"
    __table_args__ = (UniqueConstraint("addon", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    addon: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(128))
    table: Mapped[str] = mapped_column(String(128))
    res_id: Mapped[int] = mapped_column(Integer)

    @property
    def xmlid(self) -> str:
        """The full external id ``addon.name``."""
        return f"{self.addon}.{self.name}"
