"""Helpers shared by the services: settings, the user's employee, reach, local time, distance, lock."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Employee
from core.errors import AccessDenied, ValidationError
from core.i18n import _

from ..models import DailyReport, Settings, VisitType

if TYPE_CHECKING:
    from core.security.env import Env

MANAGER_GROUPS = ("core.group_territory_manager", "core.group_director", "core.group_general_manager",
                  "core.group_admin")



class ConflictError(ValidationError):
    """A change that clashes with what the server holds (a locked day, a day already reported)."""


DEFAULT_TYPES = (
    ("routine", "例行拜访", "Routine visit", "checkin,photo,contacts,needs,competitor,promises,next_step,checkout", 10),
    ("first", "首次拜访", "First visit", "checkin,photo,contacts,needs,next_step,checkout", 20),
    ("service", "技术服务", "Technical service", "checkin,photo,contacts,promises,next_step,checkout", 30),
)


def tz(env: Env) -> Any:
    """The company's time zone (read once per sync batch)."""
    from core.measures import company_tz

    cache = batch_cache(env)
    if cache is None:
        return company_tz(env)
    if "tz" not in cache:
        cache["tz"] = company_tz(env)
    return cache["tz"]


def local_now(env: Env) -> dt.datetime:
    """Now in the company's time zone."""
    return dt.datetime.now(tz(env))


def local_today(env: Env) -> dt.date:
    """Today in the company's time zone."""
    return local_now(env).date()


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def batch_cache(env: Env) -> dict | None:
    """The cache of one sync batch (settings, the user's employee, day locks), or None outside a batch."""
    return getattr(env, "_field_activity_batch", None)


def settings(env: Env) -> Settings:
    """The company's settings (defaults when the row is missing: created at company set-up)."""
    cache = batch_cache(env)
    if cache is not None and "settings" in cache:
        return cache["settings"]
    row = env.sudo().scalar(env.sudo().select(Settings).limit(1))
    if cache is not None and row is not None:
        cache["settings"] = row
    return row if row is not None else Settings(radius_m=500, cutoff_hour=20, not_visited_days=30, max_photo_kb=5120)


def ensure_company_defaults(env: Env) -> None:
    """The settings row and the default visit types (idempotent: creates what is missing)."""
    if not env.count(Settings):
        env.create(Settings, {"radius_m": 500, "cutoff_hour": 20, "not_visited_days": 30, "max_photo_kb": 5120})
    have = set(env.scalars(env.select(VisitType, "read", VisitType.code)))
    for code, zh, en, steps, seq in DEFAULT_TYPES:
        if code not in have:
            env.create(VisitType, {"code": code, "name_zh": zh, "name_en": en, "steps": steps, "sequence": seq,
                                   "photo_required": True})


def my_employee_ids(env: Env) -> set[int]:
    """The employee ids of the env's user in the company (none for the kernel)."""
    if env.user_id is None:
        return set()
    sudo = env.sudo()
    return set(sudo.scalars(sudo.select(Employee, Employee.id).where(Employee.user_id == env.user_id)))


def me(env: Env) -> Employee | None:
    """The env user's employee record in the company."""
    from addons.masterdata.services import current_employee

    cache = batch_cache(env)
    if cache is None:
        return current_employee(env)
    if "me" not in cache:
        cache["me"] = current_employee(env)
    return cache["me"]


def require_me(env: Env) -> Employee:
    """The user's employee, or a clear refusal (visits and reports are a person's)."""
    emp = me(env)
    if emp is None:
        raise AccessDenied(_("You have no employee record in this company, so you cannot record visits."))
    return emp


def is_manager_of(env: Env, salesperson_id: int) -> bool:
    """Whether the user edits ``salesperson_id``'s records as a manager (the kernel counts as one)."""
    if env.user_id is None:
        return True
    return salesperson_id not in my_employee_ids(env) and env.in_group(*MANAGER_GROUPS)


def salesperson_in_reach(env: Env, salesperson_id: int) -> Employee:
    """The employee ``salesperson_id`` if the user reaches them (own or reporting line), else AccessDenied."""
    emp = env.sudo().get(Employee, salesperson_id)
    if emp is None:
        raise AccessDenied(_("%(model)s #%(id)s does not exist or is not accessible.",
                             model="masterdata_employee", id=salesperson_id))
    if env.user_id is None or env.in_group("core.group_director", "core.group_general_manager", "core.group_admin"):
        return emp
    from addons.masterdata.services import subordinate_ids_query

    mine = my_employee_ids(env)
    if salesperson_id in mine:
        return emp
    for own in mine:
        if salesperson_id in set(env.sudo().scalars(subordinate_ids_query(own))):
            return emp
    raise AccessDenied(_("%(name)s is outside your reach.", name=emp.display()))


def submitted_report(env: Env, salesperson_id: int, day: dt.date) -> DailyReport | None:
    """The submitted daily report of a person and day (kernel read: the lock applies to everybody)."""
    cache = batch_cache(env)
    if cache is not None and (salesperson_id, day) in cache.setdefault("locks", {}):
        return cache["locks"][(salesperson_id, day)]
    sudo = env.sudo()
    found = sudo.scalar(sudo.select(DailyReport).where(
        DailyReport.salesperson_id == salesperson_id, DailyReport.report_date == day,
        DailyReport.state == "submitted"))
    if cache is not None:
        cache["locks"][(salesperson_id, day)] = found
    return found


def check_day_open(env: Env, salesperson_id: int, day: dt.date) -> None:
    """Refuse a change to a day whose daily report is submitted, unless the user is a manager above."""
    if submitted_report(env, salesperson_id, day) is not None and not is_manager_of(env, salesperson_id):
        raise ConflictError(_("The daily report of %(date)s is submitted: that day is locked. "
                                "Ask your manager to change it.", date=day.isoformat()))


def distance_m(lat1: Decimal | float, lng1: Decimal | float, lat2: Decimal | float, lng2: Decimal | float) -> int:
    """Great-circle distance in metres (haversine, WGS-84 mean radius)."""
    r = 6_371_008.8
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * r * math.asin(math.sqrt(a)))


def parse_date(value: Any, field: str) -> dt.date | None:
    """A date from ``YYYY-MM-DD`` (or a date); a clear message otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        message = _("Enter the date as YYYY-MM-DD.")
        raise ValidationError(message, {field: message}) from None


def parse_datetime(env: Env, value: Any, field: str) -> dt.datetime | None:
    """A timezone-aware datetime from ISO text (a naive one is the company's local time)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        out = value
    else:
        try:
            out = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            message = _("Enter the time as an ISO date and time (2026-12-03T10:15+08:00).")
            raise ValidationError(message, {field: message}) from None
    if out.tzinfo is None:
        out = out.replace(tzinfo=tz(env))
    return out


def parse_money(value: Any, field: str) -> Decimal:
    """A non-negative amount with at most 2 decimals (empty: 0)."""
    if value in (None, ""):
        return Decimal("0")
    try:
        out = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        out = None
    if out is None or not out.is_finite() or out < 0 or out != out.quantize(Decimal("0.01")) or out >= Decimal("1e14"):
        message = _("Enter an amount of at least 0 with at most 2 decimals.")
        raise ValidationError(message, {field: message})
    return out


def parse_coord(value: Any, limit: int, field: str) -> Decimal | None:
    """A latitude (limit 90) or longitude (limit 180) in degrees, or None."""
    if value in (None, ""):
        return None
    try:
        out = Decimal(str(value))
    except InvalidOperation:
        out = None
    if out is None or not out.is_finite() or abs(out) > limit:
        message = _("The position sent by the phone is not valid.")
        raise ValidationError(message, {field: message})
    return out.quantize(Decimal("0.000001"))


def text(value: Any, limit: int | None = None) -> str | None:
    """Stripped text or None; cut at ``limit``."""
    if value is None:
        return None
    out = str(value).strip()
    if not out:
        return None
    return out[:limit] if limit else out


def territory_on(env: Env, customer_id: int, day: dt.date) -> int | None:
    """The customer's territory on ``day`` (territories installed), read as the kernel (stamped on facts)."""
    if "territories" not in env.enabled:
        return None
    from addons.territories.models import CustomerTerritory

    cache = batch_cache(env)
    if cache is not None and customer_id in cache.get("assignments", {}):
        return pick_territory(cache["assignments"][customer_id], day)
    sudo = env.sudo()
    return sudo.scalar(sudo.select(CustomerTerritory, CustomerTerritory.territory_id).where(
        CustomerTerritory.customer_id == customer_id, CustomerTerritory.date_from <= day,
        (CustomerTerritory.date_to.is_(None)) | (CustomerTerritory.date_to > day),
    ).order_by(CustomerTerritory.date_from.desc()).limit(1))


def employee_names(env: Env, ids: Any) -> dict[int, str]:
    """Display names of employees (kernel read: names only)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    sudo = env.sudo()
    return {e.id: e.display() for e in sudo.scalars(sudo.select(Employee).where(Employee.id.in_(ids)))}



def pick_territory(assignments: list[tuple[dt.date, dt.date | None, int]], day: dt.date) -> int | None:
    """The territory of ``day`` among a customer's ``(date_from, date_to, territory)`` assignments
    (the latest started on or before ``day`` and not ended by then), as :func:`territory_on` reads it."""
    best = None
    for start, end, territory in assignments:
        if start <= day and (end is None or end > day) and (best is None or start > best[0]):
            best = (start, territory)
    return best[1] if best else None


def territory_assignments(env: Env, customer_ids: Any) -> dict[int, list[tuple[dt.date, dt.date | None, int]]]:
    """Every territory assignment of these customers (one query; territories installed), read as the kernel."""
    ids = sorted({int(c) for c in customer_ids})
    if "territories" not in env.enabled or not ids:
        return {}
    from addons.territories.models import CustomerTerritory

    sudo = env.sudo()
    out: dict[int, list[tuple[dt.date, dt.date | None, int]]] = {c: [] for c in ids}
    for cid, start, end, territory in sudo.execute(sudo.select(
            CustomerTerritory, CustomerTerritory.customer_id, CustomerTerritory.date_from, CustomerTerritory.date_to,
            CustomerTerritory.territory_id).where(CustomerTerritory.customer_id.in_(ids))):
        out[cid].append((start, end, territory))
    return out
