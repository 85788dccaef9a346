"""Models of the orders addon (合同到回款); tables are prefixed with ``orders_``.

Contracts (合同) with lines, delivery notes (销售出库单) with lines — partial
deliveries of a contract, and red-letter returns (负数单据) linked to the
original delivery —, collections (回款) confirmed in two steps (sales, then
finance) and their allocation to deliveries, and the per-company-per-year
counters that number every document without gaps.

Every document stores the facts it is reported by: the customer, the
salesperson (the customer's owner when the document was made), the territory
of the document date (when territories is enabled) and the customer's
settlement method. Reports never recompute them from today's data.

Money is ``Numeric`` (Python ``Decimal``). A red-letter document carries
negative quantities and amounts, so every sum nets by itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.models import Customer, Employee, Product
from core.db import Base, BusinessMixin
from core.i18n import N_, Choices, _l

MONEY = Numeric(18, 2)
PRICE = Numeric(18, 4)
QTY = Numeric(18, 3)

CONTRACT_STATE = Choices({
    "draft": N_("Draft"),
    "waiting": N_("Waiting approval"),
    "confirmed": N_("Confirmed"),
    "cancelled": N_("Cancelled"),
})
DELIVERY_STATE = Choices({
    "draft": N_("Draft"),
    "shipped": N_("Shipped"),
    "confirmed": N_("Confirmed by the customer"),
})
COLLECTION_STATE = Choices({
    "draft": N_("Payment request"),
    "sales_confirmed": N_("Confirmed by sales"),
    "confirmed": N_("Confirmed by finance"),
    "rejected": N_("Rejected"),
})
GOODS_REQUEST_STATE = Choices({
    "draft": N_("Draft"),
    "reviewing": N_("Under review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "delivered": N_("Delivery note made"),
})
SERVICE_STATE = Choices({"open": N_("Open"), "done": N_("Done")})
INVOICE_STATE = Choices({
    "draft": N_("Draft"),
    "requested": N_("Invoice requested"),
    "reviewed": N_("Reviewed by finance"),
    "issued": N_("Issued"),
    "signed": N_("Signed by the customer"),
})
EXCHANGE_STATE = Choices({
    "draft": N_("Draft"),
    "waiting": N_("Waiting approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "cancelled": N_("Cancelled"),
})
DOC_KIND = Choices({"contract": N_("Contract"), "delivery": N_("Delivery note"), "return": N_("Red-letter return"),
                    "collection": N_("Collection")})
#: the number prefix of each document kind
PREFIX = {"contract": "HT", "delivery": "CK", "return": "TH", "collection": "HK", "invoice": "KP",
          "goods_request": "XQ", "service": "SH", "exchange": "HH"}


class OrdersSettings(BusinessMixin, Base):
    """Credit control settings of one company (one row per company)."""

    __tablename__ = "orders_settings"
    __tixi_label__ = _l("Order settings")
    __tixi_tracked__ = ("overdue_threshold", "default_payment_days", "closed_until")
    __table_args__ = (UniqueConstraint("company_id"),)

    #: overdue receivables above this amount make a new contract need approval
    overdue_threshold: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    #: payment days of a customer without their own
    default_payment_days: Mapped[int] = mapped_column(Integer, default=30)
    #: documents dated on or before this day are refused (a closed period)
    closed_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class DocumentCounter(BusinessMixin, Base):
    """The last number given to a kind of document in a company and year (gapless numbering).

    Numbers are drawn in the creating transaction with the counter row locked
    (``SELECT ... FOR UPDATE`` on PostgreSQL): a rolled-back creation gives its
    number back, concurrent creations wait for each other.
    """

    __tablename__ = "orders_counter"
    __tixi_label__ = _l("Document counter")
    __table_args__ = (UniqueConstraint("company_id", "kind", "year"),)

    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Contract(BusinessMixin, Base):
    """A sales contract (销售合同), from an approved quote or by hand."""

    __tablename__ = "orders_contract"
    __tixi_label__ = _l("Contract")
    __tixi_tracked__ = ("state", "amount_total")
    __table_args__ = (UniqueConstraint("company_id", "number"),
                      Index("ix_orders_contract_company_date", "company_id", "contract_date"),
                      # the contract list (newest first): an index-only scan that checks the rule's columns
                      # (salesperson, customer) without reading the rows the user may not see
                      Index("ix_orders_contract_list", "company_id", "id", "salesperson_id", "customer_id"))

    number: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True,
                                                       index=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    settlement: Mapped[str | None] = mapped_column(String(16), nullable=True)
    contract_date: Mapped[dt.date] = mapped_column(Date)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    late_filing: Mapped[bool] = mapped_column(Boolean, default=False)
    quote_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    deviates: Mapped[bool] = mapped_column(Boolean, default=False)
    credit_issue: Mapped[str | None] = mapped_column(String(200), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": CONTRACT_STATE})
    payment_days: Mapped[int] = mapped_column(Integer, default=30)
    amount_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])
    salesperson: Mapped[Employee | None] = relationship(foreign_keys=[salesperson_id])
    lines: Mapped[list[ContractLine]] = relationship(back_populates="contract", order_by="ContractLine.sequence",
                                                     viewonly=True)

    def __str__(self) -> str:
        return self.number


class ContractLine(BusinessMixin, Base):
    """A product, quantity and price of a contract."""

    __tablename__ = "orders_contract_line"
    __tixi_label__ = _l("Contract line")

    contract_id: Mapped[int] = mapped_column(ForeignKey("orders_contract.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit_price: Mapped[Decimal] = mapped_column(PRICE)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    quoted_price: Mapped[Decimal | None] = mapped_column(PRICE, nullable=True)
    #: unit cost where pricing knows it (gross profit)
    unit_cost: Mapped[Decimal | None] = mapped_column(PRICE, nullable=True)

    contract: Mapped[Contract] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    def __str__(self) -> str:
        return f"{self.contract.number if self.contract else ''}/{self.sequence}"


class GoodsRequest(BusinessMixin, Base):
    """A goods request (需货申请单) against a confirmed contract: reviewed, credit-checked, then delivered."""

    __tablename__ = "orders_goods_request"
    __tixi_label__ = _l("Goods request")
    __tixi_tracked__ = ("state", "amount_total")
    __table_args__ = (UniqueConstraint("company_id", "number"),)

    number: Mapped[str] = mapped_column(String(32))
    contract_id: Mapped[int] = mapped_column(ForeignKey("orders_contract.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True,
                                                       index=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    settlement: Mapped[str | None] = mapped_column(String(16), nullable=True)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": GOODS_REQUEST_STATE})
    amount_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    credit_issue: Mapped[str | None] = mapped_column(String(200), nullable=True)

    contract: Mapped[Contract] = relationship(foreign_keys=[contract_id])
    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])
    lines: Mapped[list[GoodsRequestLine]] = relationship(back_populates="request", viewonly=True,
                                                         order_by="GoodsRequestLine.id")

    def __str__(self) -> str:
        return self.number


class GoodsRequestLine(BusinessMixin, Base):
    """A quantity of a contract line asked for."""

    __tablename__ = "orders_goods_request_line"
    __tixi_label__ = _l("Goods request line")

    request_id: Mapped[int] = mapped_column(ForeignKey("orders_goods_request.id"), index=True)
    contract_line_id: Mapped[int] = mapped_column(ForeignKey("orders_contract_line.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(QTY)
    amount: Mapped[Decimal] = mapped_column(MONEY)

    request: Mapped[GoodsRequest] = relationship(back_populates="lines")

    def __str__(self) -> str:
        return f"{self.request.number if self.request else ''}/{self.id}"


class Delivery(BusinessMixin, Base):
    """A delivery note (销售出库单) of a contract, or a red-letter return linked to its original."""

    __tablename__ = "orders_delivery"
    __tixi_label__ = _l("Delivery note")
    __tixi_tracked__ = ("state", "amount_total", "open_amount")
    __table_args__ = (UniqueConstraint("company_id", "number"),
                      # the open notes only (receivables, ageing, credit): a partial index on both engines
                      Index("ix_orders_delivery_open", "company_id", "customer_id", "state", "delivery_date",
                            "open_amount", postgresql_where=text("open_amount <> 0"),
                            sqlite_where=text("open_amount <> 0")),
                      Index("ix_orders_delivery_company_date", "company_id", "delivery_date"))

    number: Mapped[str] = mapped_column(String(32))
    contract_id: Mapped[int] = mapped_column(ForeignKey("orders_contract.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True,
                                                       index=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    settlement: Mapped[str | None] = mapped_column(String(16), nullable=True)
    is_return: Mapped[bool] = mapped_column(Boolean, default=False)
    original_id: Mapped[int | None] = mapped_column(ForeignKey("orders_delivery.id"), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": DELIVERY_STATE})
    #: the day the note was approved (made); shipping is due within one working day
    approved_on: Mapped[dt.date] = mapped_column(Date)
    delivery_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    shipped_late: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_confirmed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    amount_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    #: what the customer still owes on it (negative: a return's credit not yet netted)
    open_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    goods_request_id: Mapped[int | None] = mapped_column(ForeignKey("orders_goods_request.id"), nullable=True,
                                                         index=True)

    contract: Mapped[Contract] = relationship(foreign_keys=[contract_id])
    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])
    salesperson: Mapped[Employee | None] = relationship(foreign_keys=[salesperson_id])
    original: Mapped[Delivery | None] = relationship(remote_side="Delivery.id", foreign_keys=[original_id])
    lines: Mapped[list[DeliveryLine]] = relationship(back_populates="delivery", order_by="DeliveryLine.sequence",
                                                     viewonly=True)

    def __str__(self) -> str:
        return self.number


class DeliveryLine(BusinessMixin, Base):
    """A delivered (or, negative, returned) quantity of a contract line."""

    __tablename__ = "orders_delivery_line"
    __tixi_label__ = _l("Delivery line")

    delivery_id: Mapped[int] = mapped_column(ForeignKey("orders_delivery.id"), index=True)
    contract_line_id: Mapped[int] = mapped_column(ForeignKey("orders_contract_line.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit_price: Mapped[Decimal] = mapped_column(PRICE)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    cost_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)

    delivery: Mapped[Delivery] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    def __str__(self) -> str:
        return f"{self.delivery.number if self.delivery else ''}/{self.sequence}"


class Collection(BusinessMixin, Base):
    """A collection (回款): the payment request of a salesperson, confirmed by sales and then finance."""

    __tablename__ = "orders_collection"
    __tixi_label__ = _l("Collection")
    __tixi_tracked__ = ("state", "amount")
    __table_args__ = (UniqueConstraint("company_id", "number"),)

    number: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True,
                                                       index=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    settlement: Mapped[str | None] = mapped_column(String(16), nullable=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": COLLECTION_STATE})
    reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])
    salesperson: Mapped[Employee | None] = relationship(foreign_keys=[salesperson_id])
    allocations: Mapped[list[Allocation]] = relationship(back_populates="collection", viewonly=True,
                                                         order_by="Allocation.id")

    def __str__(self) -> str:
        return self.number


class Allocation(BusinessMixin, Base):
    """Part of a confirmed collection settled against one delivery note."""

    __tablename__ = "orders_allocation"
    __tixi_label__ = _l("Collection allocation")

    collection_id: Mapped[int] = mapped_column(ForeignKey("orders_collection.id"), index=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("orders_delivery.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)

    collection: Mapped[Collection] = relationship(back_populates="allocations")
    delivery: Mapped[Delivery] = relationship()

    def __str__(self) -> str:
        return f"{self.collection.number if self.collection else ''}→{self.delivery.number if self.delivery else ''}"


class InvoiceRequest(BusinessMixin, Base):
    """An invoice request (开票申请) for a delivery note: reviewed and issued by finance, signed by the customer."""

    __tablename__ = "orders_invoice"
    __tixi_label__ = _l("Invoice request")
    __tixi_tracked__ = ("state", "amount", "invoice_number")
    __table_args__ = (UniqueConstraint("company_id", "number"),)

    number: Mapped[str] = mapped_column(String(32))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("orders_delivery.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True,
                                                       index=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    settlement: Mapped[str | None] = mapped_column(String(16), nullable=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": INVOICE_STATE})
    invoice_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    issued_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    signed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    signed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    delivery: Mapped[Delivery] = relationship(foreign_keys=[delivery_id])
    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])

    def __str__(self) -> str:
        return self.number


class ServiceRequest(BusinessMixin, Base):
    """An after-sales service request (售后服务申请) of a customer, routed to technical support."""

    __tablename__ = "orders_service_request"
    __tixi_label__ = _l("After-sales request")
    __tixi_tracked__ = ("state", "assigned_to_id")
    __table_args__ = (UniqueConstraint("company_id", "number"),)

    number: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True,
                                                       index=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    settlement: Mapped[str | None] = mapped_column(String(16), nullable=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("orders_delivery.id"), nullable=True, index=True)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open", info={"selection": SERVICE_STATE})
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True,
                                                       index=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])
    assigned_to: Mapped[Employee | None] = relationship(foreign_keys=[assigned_to_id])

    def __str__(self) -> str:
        return self.number


class Exchange(BusinessMixin, Base):
    """An exchange (换货) of delivered goods: a red-letter return and a replacement delivery, approved together.

    Asked for as one document (the goods coming back, what goes out instead,
    the reason), approved through ``orders.exchange`` (never by the
    requester); the approval makes the red-letter return (``return_id``,
    ``TH…``) and the replacement delivery note (``replacement_id``, ``CK…``)
    of the original's contract. Both then ship like any note, so every total
    nets by itself: the return negative, the replacement positive.
    """

    __tablename__ = "orders_exchange"
    __tixi_label__ = _l("Exchange")
    __tixi_tracked__ = ("state", "return_id", "replacement_id")
    __table_args__ = (UniqueConstraint("company_id", "number"),)

    number: Mapped[str] = mapped_column(String(32))
    original_id: Mapped[int] = mapped_column(ForeignKey("orders_delivery.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("orders_contract.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True,
                                                       index=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    settlement: Mapped[str | None] = mapped_column(String(16), nullable=True)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="waiting", info={"selection": EXCHANGE_STATE})
    #: value of the goods coming back (positive) and of the replacement
    return_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    replacement_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    return_id: Mapped[int | None] = mapped_column(ForeignKey("orders_delivery.id"), nullable=True, index=True)
    replacement_id: Mapped[int | None] = mapped_column(ForeignKey("orders_delivery.id"), nullable=True, index=True)

    original: Mapped[Delivery] = relationship(foreign_keys=[original_id])
    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])
    lines: Mapped[list[ExchangeLine]] = relationship(back_populates="exchange", viewonly=True,
                                                     order_by="ExchangeLine.sequence")

    def __str__(self) -> str:
        return self.number


class ExchangeLine(BusinessMixin, Base):
    """A delivered product coming back, and the contract line (product) and quantity sent instead."""

    __tablename__ = "orders_exchange_line"
    __tixi_label__ = _l("Exchange line")

    exchange_id: Mapped[int] = mapped_column(ForeignKey("orders_exchange.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit_price: Mapped[Decimal] = mapped_column(PRICE)
    replacement_line_id: Mapped[int] = mapped_column(ForeignKey("orders_contract_line.id"), index=True)
    replacement_product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"), index=True)
    replacement_quantity: Mapped[Decimal] = mapped_column(QTY)
    replacement_unit_price: Mapped[Decimal] = mapped_column(PRICE)

    exchange: Mapped[Exchange] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(foreign_keys=[product_id])
    replacement_product: Mapped[Product] = relationship(foreign_keys=[replacement_product_id])

    def __str__(self) -> str:
        return f"{self.exchange.number if self.exchange else ''}/{self.sequence}"
