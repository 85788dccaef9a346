"""The offline queue's sync: entries recorded on the phone, sent in a batch, each exactly once.

Each entry carries ``key``, an idempotency key made on the phone when the
entry was recorded (a random UUID). The key is stored with the record it
created (``client_key``, unique per company), so:

* a retried sync (the answer was lost, the user pressed twice, two tabs) finds
  the record of that key and answers ``duplicate`` with its id: nothing is
  created twice and the phone drops the entry from its queue;
* an entry that clashes with what the server holds (a daily report for a day
  already submitted, a visit into a locked day) answers ``conflict`` with the
  message: the phone keeps it and shows it, nothing is overwritten;
* an invalid entry answers ``error`` with the message in the user's language;
  the other entries of the batch are not affected (each runs in its own savepoint).

The kernel's ``Idempotency-Key`` (core.web.once) protects one request; a batch
carries many entries, so the key is per entry and lives on the record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from core.errors import AccessDenied, ValidationError
from core.i18n import _

from ..models import CompetitorRecord, DailyReport, MarketInspection, MonthSummary, Visit
from .common import ConflictError, batch_cache
from .reports import submit_report
from .visits import prefetch_visits, record_visit

if TYPE_CHECKING:
    from core.security.env import Env

KINDS = {"visit": Visit, "report": DailyReport, "summary": MonthSummary, "inspection": MarketInspection,
         "competitor": CompetitorRecord}
MAX_ENTRIES = 200


def _existing(env: Env, model: type, key: str) -> Any:
    sudo = env.sudo()
    return sudo.scalar(sudo.select(model).where(model.client_key == key))


def sync_entry(env: Env, entry: Mapping[str, Any]) -> dict[str, Any]:
    """Apply one queued entry; the answer the phone acts on."""
    key = str(entry.get("key") or "").strip()
    kind = entry.get("kind")
    if not key or len(key) > 64 or kind not in KINDS:
        return {"key": key, "status": "error", "message": _("This entry cannot be read; record it again.")}
    model = KINDS[kind]
    cache = batch_cache(env)
    found = cache["known"].get((kind, key)) if cache is not None else _existing(env, model, key)
    if found is not None:
        if found.created_by_id != env.user_id:
            return {"key": key, "status": "error", "message": _("This entry cannot be read; record it again.")}
        return {"key": key, "status": "duplicate", "id": found.id}
    data = dict(entry.get("data") or {})
    data["client_key"] = key
    try:
        if kind == "visit" and not entry.get("photo"):
            # every check runs before the one write, and env.create holds its own savepoint: a
            # refused entry leaves nothing behind without a second savepoint of ours
            record = record_visit(env, data, nested=False)
        else:
            with env.session.begin_nested():
                record = _apply(env, kind, entry, data)
    except IntegrityError:
        found = _existing(env, model, key)  # a concurrent sync of the same entry won the race
        if found is not None:
            return {"key": key, "status": "duplicate", "id": found.id}
        return {"key": key, "status": "conflict", "message": _("The server already holds this record.")}
    except ConflictError as exc:
        return {"key": key, "status": "conflict", "message": str(exc)}
    except ValidationError as exc:
        status = "error"
        return {"key": key, "status": status, "message": str(exc), "fields": getattr(exc, "errors", None) or {}}
    except AccessDenied as exc:
        return {"key": key, "status": "error", "message": str(exc)}
    return {"key": key, "status": "created", "id": record.id}


def _apply(env: Env, kind: str, entry: Mapping[str, Any], data: dict[str, Any]) -> Any:
    if kind == "visit":
        return record_visit(env, data, photo=entry.get("photo"), nested=False)
    if kind == "report":
        return submit_report(env, data)
    return _document(env, kind, data)


def _document(env: Env, kind: str, data: dict[str, Any]) -> Any:
    """The monthly summary (saved, or handed in with ``submit``), an inspection report, a competitor record."""
    from .documents import save_competitor, save_inspection, save_month_summary

    if kind == "summary":
        return save_month_summary(env, data, submit=str(data.get("submit") or "") in ("1", "true", "on"))
    if kind == "inspection":
        return save_inspection(env, data)
    visit = None
    if data.get("visit_key"):  # a competitor seen on a visit queued in the same batch (or synced before)
        visit = _existing(env, Visit, str(data["visit_key"]))
    return save_competitor(env, data, visit=visit)


def sync(env: Env, entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Apply a batch in order (visits before the report of their day, as the phone queued them)."""
    if not isinstance(entries, (list, tuple)) or len(entries) > MAX_ENTRIES:
        raise ValidationError(_("Send at most %(max)s entries at a time.", max=MAX_ENTRIES))
    ordered = sorted(enumerate(entries), key=lambda p: (0 if (p[1] or {}).get("kind") == "visit" else 1, p[0])
                     if isinstance(p[1], Mapping) else (1, p[0]))
    results: dict[int, dict[str, Any]] = {}
    keys = [str((e or {}).get("key") or "") for e in entries if isinstance(e, Mapping)]
    env._field_activity_batch = {"known": _known_keys(env, keys)}  # one batch: settings, employee, locks read once
    try:
        prefetch_visits(env, [e for e in entries if isinstance(e, Mapping)])  # customers, locations, territories
        for i, entry in ordered:
            if isinstance(entry, Mapping) and entry.get("kind") == "report":
                env._field_activity_batch.pop("locks", None)  # a report changes the day's lock
            results[i] = sync_entry(env, entry if isinstance(entry, Mapping) else {})
    finally:
        del env._field_activity_batch
    return [results[i] for i in range(len(entries))]


def _known_keys(env: Env, keys: list[str]) -> dict[tuple[str, str], Any]:
    """Records already holding some of the batch's keys: ``{(kind, key): record}`` (one query per kind)."""
    out: dict[tuple[str, str], Any] = {}
    wanted = [k for k in keys if k and len(k) <= 64]
    if not wanted:
        return out
    sudo = env.sudo()
    for kind, model in KINDS.items():
        for row in sudo.scalars(sudo.select(model).where(model.client_key.in_(wanted))):
            out[(kind, row.client_key)] = row
    return out
