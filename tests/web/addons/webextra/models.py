"""Model of the form-extension test addon: a packing note per webshop item, in its own table."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BusinessMixin
from core.i18n import _l


class Note(BusinessMixin, Base):
    """The packing note of one webshop item (at most one per item)."""

    __tablename__ = "webextra_note"
    __table_args__ = (UniqueConstraint("item_id"),)
    __tixi_audit__ = True

    item_id: Mapped[int] = mapped_column(ForeignKey("webshop_item.id", ondelete="CASCADE"),
                                         info={"label": _l("Item")})
    text: Mapped[str] = mapped_column(String(40), info={"label": _l("Packing note")})
