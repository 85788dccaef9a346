"""Visits: check-in (position, time, distance from the customer, radius flag), steps, photo.

A check-in farther than the company's radius from the customer's known
location is **flagged, never blocked**; a check-in without a position is
allowed and marked (``no_position``). A visit cannot be dated in the future,
nor added to a day whose daily report is submitted (unless by a manager
above). The photo goes through the kernel attachments after a watermark
(local time and customer) is drawn on it on the server; its size and type are
checked first, so a refused photo leaves nothing saved.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import glob
import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer
from core.attachments import detect_type
from core.errors import ValidationError
from core.i18n import _

from ..models import CustomerLocation, DailyReport, Visit, VisitType
from .common import (
    batch_cache,
    check_day_open,
    distance_m,
    local_now,
    local_today,
    me,
    parse_coord,
    parse_date,
    parse_datetime,
    parse_money,
    require_me,
    salesperson_in_reach,
    settings,
    territory_assignments,
    territory_on,
    text,
    tz,
)

if TYPE_CHECKING:
    from core.security.env import Env

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
_FONT_GLOBS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/*CJK*.ttc",
               "/usr/share/fonts/truetype/*/*.ttf")


def decode_photo(value: Any) -> bytes | None:
    """Bytes of a photo given as bytes, a ``data:`` URL or base64 text (None when absent)."""
    if value in (None, "", b""):
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raw = str(value)
    if raw.startswith("data:"):
        raw = raw.split(",", 1)[-1]
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The photo must be an image (JPEG, PNG or WebP).")) from None


def check_photo(env: Env, data: bytes | None) -> None:
    """Refuse an oversized or non-image photo before anything is written."""
    if data is None:
        return
    limit = settings(env).max_photo_kb * 1024
    if len(data) > limit:
        message = _("The photo is too large: at most %(max)s KB.", max=limit // 1024)
        raise ValidationError(message, {"photo": message})
    if detect_type(data) not in PHOTO_TYPES:
        message = _("The photo must be an image (JPEG, PNG or WebP).")
        raise ValidationError(message, {"photo": message})


def _font(size: int) -> Any:
    from PIL import ImageFont

    for pattern in _FONT_GLOBS:
        for path in sorted(glob.glob(pattern)):
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return ImageFont.load_default()


def watermark(data: bytes, caption: str) -> bytes:
    """The photo with ``caption`` (time, customer) drawn in its lower-left corner, as JPEG."""
    from PIL import Image, ImageDraw, ImageOps

    try:
        img = Image.open(io.BytesIO(data))
        img = ImageOps.exif_transpose(img) or img
        img = img.convert("RGB")
    except Exception:  # noqa: BLE001 - Pillow refuses it: the kernel's attach says why
        return data
    draw = ImageDraw.Draw(img)
    size = max(12, img.width // 28)
    font = _font(size)
    x, y = 8, img.height - size - 12
    box = draw.textbbox((x, y), caption, font=font)
    draw.rectangle((box[0] - 4, box[1] - 4, box[2] + 4, box[3] + 4), fill=(0, 0, 0))
    draw.text((x, y), caption, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


def customer_location(env: Env, customer_id: int) -> CustomerLocation | None:
    """The customer's known location (from the sync batch's prefetch when there is one)."""
    cache = batch_cache(env)
    if cache is not None and customer_id in cache.get("locations", {}):
        return cache["locations"][customer_id]
    return env.sudo().scalar(env.sudo().select(CustomerLocation).where(CustomerLocation.customer_id == customer_id))


def clean_visit(env: Env, values: Mapping[str, Any]) -> dict[str, Any]:
    """Checked column values of a new visit (ValidationError with a clear message, nothing written)."""
    errors: dict[str, str] = {}
    emp = require_me(env)
    salesperson_id = int(values.get("salesperson_id") or emp.id)
    if salesperson_id != emp.id:
        salesperson_in_reach(env, salesperson_id)
    try:
        customer_id = int(values.get("customer_id") or 0)
    except (TypeError, ValueError):
        customer_id = 0
    cache = batch_cache(env)
    if cache is not None and customer_id in cache.get("customers", {}):
        customer = cache["customers"][customer_id]  # read with the user's rules by the batch's prefetch
    else:
        customer = env.scalar(env.select(Customer).where(Customer.id == customer_id)) \
            if 0 < customer_id < 2**31 else None
    if customer is None:
        errors["customer_id"] = _("Choose the customer visited.")
    now = local_now(env)
    checkin_at = parse_datetime(env, values.get("checkin_at"), "checkin_at") or now
    visit_date = parse_date(values.get("visit_date"), "visit_date") or checkin_at.astimezone(tz(env)).date()
    if visit_date > local_today(env) or checkin_at > now + dt.timedelta(minutes=10):
        errors["visit_date"] = _("A visit cannot be dated in the future (%(date)s).", date=visit_date.isoformat())
    checkout_at = parse_datetime(env, values.get("checkout_at"), "checkout_at")
    if checkout_at is not None and checkout_at < checkin_at:
        errors["checkout_at"] = _("The check-out cannot be before the check-in.")
    lat = parse_coord(values.get("latitude"), 90, "latitude")
    lng = parse_coord(values.get("longitude"), 180, "longitude")
    type_id = values.get("visit_type_id")
    vtype = None
    if type_id not in (None, ""):
        vtype = env.scalar(env.select(VisitType).where(VisitType.id == int(type_id)))
        if vtype is None:
            errors["visit_type_id"] = _("Choose a visit type.")
    follow_up_on = parse_date(values.get("follow_up_on"), "follow_up_on")
    order_amount = parse_money(values.get("order_amount"), "order_amount")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    check_day_open(env, salesperson_id, visit_date)
    data: dict[str, Any] = {
        "salesperson_id": salesperson_id, "customer_id": customer_id,
        "visit_type_id": vtype.id if vtype else None, "visit_date": visit_date,
        "checkin_at": checkin_at, "checkout_at": checkout_at, "duration_min": minutes_between(checkin_at, checkout_at),
        "latitude": lat, "longitude": lng, "no_position": lat is None or lng is None,
        "accuracy_m": int(float(values["accuracy_m"])) if values.get("accuracy_m") not in (None, "") else None,
        "contacts_met": text(values.get("contacts_met"), 300), "needs": text(values.get("needs")),
        "competitor": text(values.get("competitor")), "promises": text(values.get("promises")),
        "next_step": text(values.get("next_step"), 300), "follow_up_on": follow_up_on,
        "notes": text(values.get("notes")), "order_amount": order_amount,
        "client_key": text(values.get("client_key"), 64),
        "territory_id": territory_on(env, customer_id, visit_date),
    }
    if values.get("plan_line_id"):
        data["plan_line_id"] = int(values["plan_line_id"])
    data["distance_m"], data["flagged"] = None, False
    if not data["no_position"]:
        loc = customer_location(env, customer_id)
        if loc is not None:
            data["distance_m"] = distance_m(lat, lng, loc.latitude, loc.longitude)
            data["flagged"] = data["distance_m"] > settings(env).radius_m
    return data


def prefetch_visits(env: Env, entries: Any) -> None:
    """Read what the sync batch's visits need in a few queries instead of a few per visit: the
    customers (with the user's rules: one not readable stays unknown and its entry is refused as
    before), their known locations and territory assignments, the day locks of the visits' days."""
    cache = batch_cache(env)
    if cache is None:
        return
    ids: set[int] = set()
    days: set[dt.date] = set()
    for entry in entries:
        data = entry.get("data") if isinstance(entry, Mapping) and entry.get("kind") == "visit" else None
        if not isinstance(data, Mapping):
            continue
        with contextlib.suppress(TypeError, ValueError):
            ids.add(int(data.get("customer_id") or 0))
        with contextlib.suppress(TypeError, ValueError, AttributeError):
            days.add(dt.date.fromisoformat(str(data.get("visit_date"))[:10]))
    ids = {c for c in ids if 0 < c < 2**31}  # an id out of range is refused per entry, as before
    if not ids:
        return
    wanted = sorted(ids)
    cache["customers"] = {c: None for c in wanted}
    cache["customers"].update({c.id: c for c in env.scalars(env.select(Customer).where(Customer.id.in_(wanted)))})
    sudo = env.sudo()
    cache["locations"] = {c: None for c in wanted}
    cache["locations"].update({loc.customer_id: loc for loc in sudo.scalars(
        sudo.select(CustomerLocation).where(CustomerLocation.customer_id.in_(wanted)))})
    if "territories" in env.enabled:
        cache["assignments"] = territory_assignments(env, wanted)
    emp = me(env)
    # the kernel's reference check of each new visit (customer, salesperson), asked once for the batch
    readable = [c for c, row in cache["customers"].items() if row is not None]
    refs = [{"customer_id": c} for c in readable] + ([{"salesperson_id": emp.id}] if emp is not None else [])
    if refs:
        with contextlib.suppress(ValidationError):  # a refusal is then given per entry, as before
            env.check_references(Visit, refs)
    if emp is not None and days:
        locks = cache.setdefault("locks", {})
        for day in days:
            locks.setdefault((emp.id, day), None)
        for report in sudo.scalars(sudo.select(DailyReport).where(
                DailyReport.salesperson_id == emp.id, DailyReport.report_date.in_(sorted(days)),
                DailyReport.state == "submitted")):
            locks[(emp.id, report.report_date)] = report


def minutes_between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    """Whole minutes from check-in to check-out (None when either is missing)."""
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds() // 60))


def check_out(env: Env, visit: Visit, at: Any = None) -> Visit:
    """Check out of a visit (now unless ``at``): the time per visit is check-in to check-out."""
    when = parse_datetime(env, at, "checkout_at") or local_now(env)
    if visit.checkin_at is not None and when < visit.checkin_at:
        message = _("The check-out cannot be before the check-in.")
        raise ValidationError(message, {"checkout_at": message})
    if when > local_now(env) + dt.timedelta(minutes=10):
        message = _("A visit cannot be dated in the future (%(date)s).", date=when.date().isoformat())
        raise ValidationError(message, {"checkout_at": message})
    env.write(visit, {"checkout_at": when, "duration_min": minutes_between(visit.checkin_at, when)})
    return visit


def record_visit(env: Env, values: Mapping[str, Any], photo: Any = None, nested: bool = True) -> Visit:
    """Record a visit (and its photo) after every check; all or nothing (``nested=False``: the
    caller holds the savepoint, as the sync does per entry)."""
    data = clean_visit(env, values)
    raw = decode_photo(photo)
    check_photo(env, raw)
    vtype = env.sudo().get(VisitType, data["visit_type_id"]) if data["visit_type_id"] else None
    if raw is None and vtype is not None and vtype.photo_required and values.get("require_photo"):
        message = _("This visit type needs a photo.")
        raise ValidationError(message, {"photo": message})
    with env.session.begin_nested() if nested else contextlib.nullcontext():
        visit = env.create(Visit, data)
        if raw is not None:
            customer = env.sudo().get(Customer, data["customer_id"])
            when = data["checkin_at"].astimezone(tz(env)).strftime("%Y-%m-%d %H:%M")
            caption = f"{when} {customer.display() if customer else ''}".strip()
            env.attach(visit, watermark(raw, caption), filename=f"visit-{visit.id}.jpg")
    return visit


def set_location(env: Env, customer_id: int, latitude: Any, longitude: Any) -> CustomerLocation:
    """Set (or move) a customer's known location."""
    lat, lng = parse_coord(latitude, 90, "latitude"), parse_coord(longitude, 180, "longitude")
    if lat is None or lng is None:
        message = _("The position sent by the phone is not valid.")
        raise ValidationError(message)
    env.get(Customer, customer_id)
    row = customer_location(env, customer_id)
    if row is None:
        return env.create(CustomerLocation, {"customer_id": customer_id, "latitude": lat, "longitude": lng})
    env.write(row, {"latitude": lat, "longitude": lng})
    return row


def visit_photos(env: Env, visit: Visit) -> list[Any]:
    """The visit's photos the user may read (AccessDenied otherwise)."""
    from core.attachments import list_attachments

    return list_attachments(env, visit)


def flagged_visits(env: Env, since: dt.date | None = None, limit: int = 50) -> list[Visit]:
    """Flagged check-ins the user reaches, newest first."""
    where = [Visit.flagged.is_(True)]
    if since is not None:
        where.append(Visit.visit_date >= since)
    return env.search(Visit, *where, order_by=[Visit.visit_date.desc(), Visit.id.desc()], limit=limit)
