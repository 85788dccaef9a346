"""Services of the field_activity addon; every read and write goes through ``env``.

Each public function validates its input first and raises
:class:`core.errors.ValidationError` (message in the user's language, nothing
written) or :class:`core.errors.AccessDenied`; writes run in savepoints.

- :mod:`.common`: settings, reach, the day lock, distance, parsing
- :mod:`.visits`: check-in, radius flag, photo (watermark, kernel attachments)
- :mod:`.reports`: daily reports, prefill, lock, reminders
- :mod:`.plans`: weekly fixed routes, plans and the review, the meeting page
- :mod:`.sync`: the offline queue's batch sync, one record per idempotency key
- :mod:`.forecast`: the rolling 3-month forecast
- :mod:`.documents`: the monthly work summary, market inspection reports, competitor records,
  what a visit brings back about the customer
"""

from __future__ import annotations

from .common import ConflictError, ensure_company_defaults, local_today, settings, week_start
from .config import save_settings, save_visit_type
from .documents import (
    month_facts,
    month_summary,
    save_competitor,
    save_inspection,
    save_month_summary,
    update_from_visit,
)
from .forecast import forecast_months, save_forecast
from .plans import (
    PLAN_WORKFLOW,
    add_line,
    meeting,
    month_figures,
    month_plan,
    month_suggestions,
    plans_waiting,
    review_plan,
    route,
    set_route,
    set_sales_target,
    submit_plan,
    suggested_order,
    suggested_visits_per_month,
    today_route,
    week_plan,
)
from .reports import find_report, manager_edit, prefill, send_reminders, submit_report, team_status
from .sync import sync, sync_entry
from .visits import check_out, flagged_visits, record_visit, set_location, visit_photos

__all__ = [
    "PLAN_WORKFLOW", "ConflictError", "add_line", "check_out", "month_facts", "month_figures", "month_plan",
    "month_suggestions", "month_summary", "save_competitor", "save_inspection", "save_month_summary",
    "set_sales_target", "update_from_visit", "ensure_company_defaults", "find_report", "flagged_visits",
    "forecast_months", "local_today", "manager_edit", "meeting", "plans_waiting", "prefill", "record_visit",
    "review_plan", "route", "save_forecast", "send_reminders", "set_location", "set_route", "settings", "save_settings", "save_visit_type",
    "submit_plan", "submit_report", "suggested_order", "suggested_visits_per_month", "sync", "sync_entry",
    "team_status", "today_route", "visit_photos", "week_plan", "week_start",
]
