"""Model of the web-shell test addon: one item type exercising every generated field kind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, BusinessMixin
from core.models import User


class Item(BusinessMixin, Base):
    """A sellable item of a customer (test model)."""

    __tablename__ = "webshop_item"
    __table_args__ = (UniqueConstraint("company_id", "code"),)
    __tixi_restricted_fields__ = {"cost": ["core.group_director"]}

    name: Mapped[str] = mapped_column(String(100), info={"label": _l("Customer name")})
    code: Mapped[str | None] = mapped_column(String(20), nullable=True, info={"label": _l("Code")})
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2), info={"label": _l("Price"), "money": True})
    cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True, info={"label": _l("Cost")})
    status: Mapped[str] = mapped_column(
        String(16), default="draft",
        info={"label": _l("Status"), "choices": [("draft", _l("Draft")), ("done", _l("Done"))]},
    )
    due: Mapped[dt.date | None] = mapped_column(Date, nullable=True, info={"label": _l("Due date")})
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), nullable=True,
                                                 info={"label": _l("Salesperson")})
    notes: Mapped[str | None] = mapped_column(Text, nullable=True, info={"label": _l("Notes")})
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("webshop_item.id"), nullable=True,
                                                  info={"label": _l("Parent item")})
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
