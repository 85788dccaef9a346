"""Models of the masterdata addon: customers, contacts, product varieties, employees.

Tables are prefixed with ``masterdata_``. Choice fields are short keys; their
labels are :class:`core.i18n.Choices` of English msgids translated through the
addon's catalog (used by forms, imports and exports). The employee reporting
line has a closure table, so "my subordinates" is one sub-query (rules use ``child_of`` on ``owner_id``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.closure import attach_closure, closure_table
from core.db import Base, BusinessMixin
from core.i18n import N_, Choices, _l
from core.i18n import label as text_label

CUSTOMER_STATUS = Choices({
    "prospect": N_("Prospect"),
    "active": N_("Active (status)"),  # "Active" is the record flag (有效)
    "dormant": N_("Dormant"),
    "lost": N_("Lost (status)"),  # "Lost" is a lost quote (丢单) in pricing
})
CUSTOMER_SIZE = Choices({"small": N_("Small"), "medium": N_("Medium"), "large": N_("Large")})
SETTLEMENT_METHOD = Choices({
    "prepayment": N_("Payment before delivery"),
    "transfer": N_("Bank transfer"),
    "acceptance": N_("Bank acceptance bill"),
    "monthly": N_("Monthly settlement"),
    "credit": N_("On credit"),
})
CONTACT_ROLE = Choices({
    "decision_maker": N_("Decision maker"),
    "technical": N_("Technical"),
    "purchasing": N_("Purchasing"),
    "finance": N_("Finance"),
    "other": N_("Other"),
})
POSITION = Choices({
    "director": N_("Marketing Director"),
    "territory_manager": N_("Territory Manager"),
    "salesperson": N_("Salesperson"),
    "tech_support": N_("Technical Support"),
    "marketing_admin": N_("Marketing Admin"),
    "sales_assistant": N_("Sales Assistant"),
    "finance": N_("Finance"),
    "general_manager": N_("General Manager"),
})


def bilingual(name_zh: str | None, name_en: str | None, lang: str | None = None) -> str:
    """Stored reference data in ``lang`` (default: the current language); Chinese when no English."""
    return text_label({"zh_CN": name_zh or "", "en": name_en or ""}, lang)


class Employee(BusinessMixin, Base):
    """A person of the company (员工), linked to a user, with a position and a manager."""

    __tablename__ = "masterdata_employee"
    __tixi_label__ = _l("Employee")
    __tixi_tracked__ = ("manager_id", "position", "user_id")
    __table_args__ = (
        UniqueConstraint("company_id", "user_id"),
        UniqueConstraint("company_id", "code"),
    )

    code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), nullable=True, index=True)
    position: Mapped[str] = mapped_column(String(32), default="salesperson", info={"selection": POSITION})
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("masterdata_employee.id"), nullable=True, index=True
    )
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    date_joined: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    date_left: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    manager: Mapped[Employee | None] = relationship(remote_side="Employee.id", foreign_keys=[manager_id])

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang`` (default: the current language)."""
        return bilingual(self.name_zh, self.name_en, lang)

    def __str__(self) -> str:
        return self.name_zh


employee_closure = closure_table("masterdata_employee_closure", "masterdata_employee")
Employee.__tixi_closure__ = employee_closure
attach_closure(Employee, employee_closure, "manager_id")


class Customer(BusinessMixin, Base):
    """A customer company (客户): identity, size, status, owner, credit and settlement."""

    __tablename__ = "masterdata_customer"
    __tixi_label__ = _l("Customer")
    __tixi_tracked__ = ("credit_limit", "owner_id", "status", "settlement_method", "payment_days")
    __table_args__ = (
        UniqueConstraint("company_id", "credit_code"),
        UniqueConstraint("company_id", "code"),
        Index("ix_masterdata_customer_company_name", "company_id", "name_zh"),
        Index("ix_masterdata_customer_company_owner", "company_id", "owner_id"),
    )

    code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    industry: Mapped[str | None] = mapped_column(String(100), nullable=True)
    province: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    city: Mapped[str | None] = mapped_column(String(64), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    size: Mapped[str | None] = mapped_column(String(16), nullable=True, info={"selection": CUSTOMER_SIZE})
    status: Mapped[str] = mapped_column(
        String(16), default="prospect", index=True, info={"selection": CUSTOMER_STATUS}
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    credit_limit: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    settlement_method: Mapped[str | None] = mapped_column(
        String(16), nullable=True, info={"selection": SETTLEMENT_METHOD}
    )
    payment_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payment_terms: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tags: Mapped[str | None] = mapped_column(String(300), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)

    owner: Mapped[Employee | None] = relationship(foreign_keys=[owner_id])
    contacts: Mapped[list[Contact]] = relationship(back_populates="customer", viewonly=True)

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang`` (default: the current language)."""
        return bilingual(self.name_zh, self.name_en, lang)

    @property
    def tag_list(self) -> list[str]:
        """Tags as a list (stored comma-separated)."""
        return [t.strip() for t in (self.tags or "").split(",") if t.strip()]

    def __str__(self) -> str:
        return self.name_zh


class Contact(BusinessMixin, Base):
    """A person at a customer (联系人) and their role in the buying decision."""

    __tablename__ = "masterdata_contact"
    __tixi_label__ = _l("Contact")

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("masterdata_customer.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100), nullable=True)
    role: Mapped[str | None] = mapped_column(String(16), nullable=True, info={"selection": CONTACT_ROLE})
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    wechat: Mapped[str | None] = mapped_column(String(64), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)

    customer: Mapped[Customer] = relationship(back_populates="contacts")

    def __str__(self) -> str:
        return self.name


class ProductLine(BusinessMixin, Base):
    """A product line (产品线), e.g. gasoline three-way catalysts."""

    __tablename__ = "masterdata_product_line"
    __tixi_label__ = _l("Product line")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100), nullable=True)

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang`` (default: the current language)."""
        return bilingual(self.name_zh, self.name_en, lang)

    def __str__(self) -> str:
        return self.name_zh


class Product(BusinessMixin, Base):
    """A product variety (品种) sold to customers."""

    __tablename__ = "masterdata_product"
    __tixi_label__ = _l("Product variety")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product_line.id"), nullable=True, index=True)
    unit: Mapped[str] = mapped_column(String(16), default="件")
    spec: Mapped[str | None] = mapped_column(String(200), nullable=True)

    line: Mapped[ProductLine | None] = relationship()

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang`` (default: the current language)."""
        return bilingual(self.name_zh, self.name_en, lang)

    def __str__(self) -> str:
        return self.name_zh
