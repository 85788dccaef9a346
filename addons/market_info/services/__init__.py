"""Business logic of market_info: plans and reminders, records, analyses (see each module)."""

from __future__ import annotations

from .analysis import check_period, draft_analysis, issue_analysis
from .plans import (
    collected,
    create_plan,
    pending_items,
    recipient_user_ids,
    remind_job,
    run_reminders,
)
from .records import (
    create_competitor,
    create_competitor_product,
    feed_pricing,
    record_note,
    record_price,
    record_tech_need,
    save_tech_need,
)

__all__ = [
    "check_period", "collected", "create_competitor", "create_competitor_product", "create_plan",
    "draft_analysis", "feed_pricing", "issue_analysis", "pending_items", "recipient_user_ids", "record_note",
    "record_price", "record_tech_need", "remind_job", "run_reminders", "save_tech_need",
]
