"""Models of the territories addon (片区): the tree, its people, customer assignments.

* :class:`Territory` is a tree (region -> province -> city) with a closure table
  (``__tixi_closure__``) kept up to date on insert and move, so a rule
  ``[[territory_id, child_of, user.managed_territory_ids]]`` is one SQL
  predicate however deep the tree.
* :class:`TerritoryMember` and :class:`CustomerTerritory` keep history: a row is
  valid from ``date_from`` (inclusive) to ``date_to`` (exclusive, ``None`` =
  current). Moving someone closes the current row and opens a new one, so
  reports can attribute past sales to the territory of the time.
* :class:`ProvinceMapping` assigns a new customer (or one whose province
  changes) to a territory automatically, unless it was assigned by hand.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.closure import attach_closure, closure_table
from addons.masterdata.models import Customer, Employee, bilingual
from core.db import Base, BusinessMixin
from core.i18n import N_, Choices, _l

MEMBER_ROLE = Choices({
    "salesperson": N_("Salesperson"),
    "manager": N_("Territory Manager"),
    "support": N_("Technical Support"),
})
ASSIGN_SOURCE = Choices({"auto": N_("Automatic (province)"), "manual": N_("Manual")})


class Territory(BusinessMixin, Base):
    """A territory (片区) in the tree, with its manager."""

    __tablename__ = "territories_territory"
    __tixi_label__ = _l("Territory")
    __tixi_tracked__ = ("parent_id", "manager_id")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("territories_territory.id"), nullable=True, index=True
    )
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("masterdata_employee.id"), nullable=True, index=True
    )
    sequence: Mapped[int] = mapped_column(Integer, default=10)

    parent: Mapped[Territory | None] = relationship(remote_side="Territory.id", foreign_keys=[parent_id])
    manager: Mapped[Employee | None] = relationship(foreign_keys=[manager_id])

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang`` (default: the current language)."""
        return bilingual(self.name_zh, self.name_en, lang)

    def __str__(self) -> str:
        return self.name_zh


territory_closure = closure_table("territories_territory_closure", "territories_territory")
Territory.__tixi_closure__ = territory_closure
attach_closure(Territory, territory_closure, "parent_id")


class TerritoryMember(BusinessMixin, Base):
    """An employee working in a territory for a period (history kept)."""

    __tablename__ = "territories_member"
    __tixi_label__ = _l("Territory member")
    __tixi_tracked__ = ("territory_id", "date_from", "date_to")
    __table_args__ = (Index("ix_territories_member_employee_current", "employee_id", "date_to"),)

    territory_id: Mapped[int] = mapped_column(ForeignKey("territories_territory.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"))
    role: Mapped[str] = mapped_column(String(16), default="salesperson", info={"selection": MEMBER_ROLE})
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    territory: Mapped[Territory] = relationship()
    employee: Mapped[Employee] = relationship()


class CustomerTerritory(BusinessMixin, Base):
    """A customer's territory for a period; the row with ``date_to`` None is current."""

    __tablename__ = "territories_customer"
    __tixi_label__ = _l("Customer territory")
    __tixi_tracked__ = ("territory_id", "date_from", "date_to")
    __table_args__ = (
        Index("ix_territories_customer_current", "customer_id", "date_to"),
        Index("ix_territories_customer_territory", "territory_id", "date_to", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"))
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories_territory.id"))
    source: Mapped[str] = mapped_column(String(16), default="auto", info={"selection": ASSIGN_SOURCE})
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    customer: Mapped[Customer] = relationship()
    territory: Mapped[Territory] = relationship()


class ProvinceMapping(BusinessMixin, Base):
    """Province (optionally city) -> territory, for automatic customer assignment."""

    __tablename__ = "territories_province"
    __tixi_label__ = _l("Province mapping")
    __table_args__ = (UniqueConstraint("company_id", "province", "city"),)

    province: Mapped[str] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(64), nullable=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories_territory.id"), index=True)

    territory: Mapped[Territory] = relationship()
