"""Services of the orders addon (contracts, deliveries, returns, collections, credit, numbering)."""

from .common import settings, today
from .documents import (
    confirm_collection_finance,
    confirm_collection_sales,
    confirm_contract,
    confirm_receipt,
    create_collection,
    create_contract,
    create_delivery,
    create_goods_request,
    create_return,
    credit_issue,
    credit_use,
    decide_contract,
    decide_goods_request,
    deliver_goods_request,
    delivered_quantities,
    issue_invoice,
    open_receivables,
    overdue_receivables,
    record_signature,
    reject_collection,
    request_invoice,
    review_invoice,
    ship,
    submit_goods_request,
)
from .exchanges import cancel_exchange, create_exchange, decide_exchange, exchanges_of
from .numbering import next_number

__all__ = [
    "confirm_collection_finance", "confirm_collection_sales", "confirm_contract", "confirm_receipt",
    "create_collection", "create_contract", "create_delivery", "create_goods_request",
    "decide_goods_request", "deliver_goods_request", "submit_goods_request", "create_return", "credit_issue", "credit_use",
    "decide_contract", "delivered_quantities", "issue_invoice", "record_signature", "request_invoice",
    "review_invoice", "next_number", "open_receivables", "overdue_receivables",
    "reject_collection", "settings", "ship", "today",
    "cancel_exchange", "create_exchange", "decide_exchange", "exchanges_of",
]
