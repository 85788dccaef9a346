"""Models of the masterdata addon: customers, contacts, product varieties, employees.

Tables are prefixed with ``masterdata_``. Choice fields are short keys; their
bilingual labels live in the ``*_LABELS`` mappings (used by forms, imports and
exports). The employee reporting line has a closure table, so "my
subordinates" is one sub-query (rules use ``child_of`` on ``owner_id``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.closure import attach_closure, closure_table
from core.db import Base, BusinessMixin

Labels = dict[str, dict[str, str]]

CUSTOMER_STATUS: Labels = {
    "prospect": {"zh_CN": "潜在", "en": "Prospect"},
    "active": {"zh_CN": "活跃", "en": "Active"},
    "dormant": {"zh_CN": "休眠", "en": "Dormant"},
    "lost": {"zh_CN": "流失", "en": "Lost"},
}
CUSTOMER_SIZE: Labels = {
    "small": {"zh_CN": "小型", "en": "Small"},
    "medium": {"zh_CN": "中型", "en": "Medium"},
    "large": {"zh_CN": "大型", "en": "Large"},
}
SETTLEMENT_METHOD: Labels = {
    "prepayment": {"zh_CN": "款到发货", "en": "Payment before delivery"},
    "transfer": {"zh_CN": "电汇", "en": "Bank transfer"},
    "acceptance": {"zh_CN": "承兑汇票", "en": "Bank acceptance bill"},
    "monthly": {"zh_CN": "月结", "en": "Monthly settlement"},
    "credit": {"zh_CN": "赊销", "en": "On credit"},
}
CONTACT_ROLE: Labels = {
    "decision_maker": {"zh_CN": "决策者", "en": "Decision maker"},
    "technical": {"zh_CN": "技术", "en": "Technical"},
    "purchasing": {"zh_CN": "采购", "en": "Purchasing"},
    "finance": {"zh_CN": "财务", "en": "Finance"},
    "other": {"zh_CN": "其他", "en": "Other"},
}
POSITION: Labels = {
    "director": {"zh_CN": "营销总监", "en": "Marketing Director"},
    "territory_manager": {"zh_CN": "片区经理", "en": "Territory Manager"},
    "salesperson": {"zh_CN": "销售员", "en": "Salesperson"},
    "tech_support": {"zh_CN": "技术支持", "en": "Technical Support"},
    "marketing_admin": {"zh_CN": "营销管理", "en": "Marketing Admin"},
    "sales_assistant": {"zh_CN": "销售内勤", "en": "Sales Assistant"},
    "finance": {"zh_CN": "财务", "en": "Finance"},
    "general_manager": {"zh_CN": "总经理", "en": "General Manager"},
}


def label(labels: Labels, key: str | None, lang: str = "zh_CN") -> str:
    """The label of a choice key in ``lang`` (zh_CN or en); the key itself when unknown."""
    if key is None:
        return ""
    entry = labels.get(key)
    if entry is None:
        return key
    return entry["zh_CN"] if lang.startswith("zh") else entry["en"]


def choices(labels: Labels, lang: str = "zh_CN") -> list[tuple[str, str]]:
    """``[(key, label), ...]`` for a select field."""
    return [(k, label(labels, k, lang)) for k in labels]


class Employee(BusinessMixin, Base):
    """A person of the company (员工), linked to a user, with a position and a manager."""

    __tablename__ = "masterdata_employee"
    __tixi_label__ = {"zh_CN": "员工", "en": "Employee"}
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

    def display(self, lang: str = "zh_CN") -> str:
        """Name in the user's language."""
        return self.name_zh if lang.startswith("zh") or not self.name_en else self.name_en

    def __str__(self) -> str:
        return self.name_zh


employee_closure = closure_table("masterdata_employee_closure", "masterdata_employee")
Employee.__tixi_closure__ = employee_closure
attach_closure(Employee, employee_closure, "manager_id")


class Customer(BusinessMixin, Base):
    """A customer company (客户): identity, size, status, owner, credit and settlement."""

    __tablename__ = "masterdata_customer"
    __tixi_label__ = {"zh_CN": "客户", "en": "Customer"}
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

    def display(self, lang: str = "zh_CN") -> str:
        """Name in the user's language."""
        return self.name_zh if lang.startswith("zh") or not self.name_en else self.name_en

    @property
    def tag_list(self) -> list[str]:
        """Tags as a list (stored comma-separated)."""
        return [t.strip() for t in (self.tags or "").split(",") if t.strip()]

    def __str__(self) -> str:
        return self.name_zh


class Contact(BusinessMixin, Base):
    """A person at a customer (联系人) and their role in the buying decision."""

    __tablename__ = "masterdata_contact"
    __tixi_label__ = {"zh_CN": "联系人", "en": "Contact"}

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
    __tixi_label__ = {"zh_CN": "产品线", "en": "Product line"}
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100), nullable=True)

    def display(self, lang: str = "zh_CN") -> str:
        """Name in the user's language."""
        return self.name_zh if lang.startswith("zh") or not self.name_en else self.name_en

    def __str__(self) -> str:
        return self.name_zh


class Product(BusinessMixin, Base):
    """A product variety (品种) sold to customers."""

    __tablename__ = "masterdata_product"
    __tixi_label__ = {"zh_CN": "品种", "en": "Product variety"}
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product_line.id"), nullable=True, index=True)
    unit: Mapped[str] = mapped_column(String(16), default="件")
    spec: Mapped[str | None] = mapped_column(String(200), nullable=True)

    line: Mapped[ProductLine | None] = relationship()

    def display(self, lang: str = "zh_CN") -> str:
        """Name in the user's language."""
        return self.name_zh if lang.startswith("zh") or not self.name_en else self.name_en

    def __str__(self) -> str:
        return self.name_zh
