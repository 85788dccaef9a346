"""Run a callback once the session's outermost transaction commits (never after a rollback).

The pattern of :mod:`core.notifications`' mail outbox, for jobs: an entry
remembers the (nested) transaction it was added in; a rolled-back savepoint
drops its entries, a closed or rolled-back transaction all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = "tixi_after_commit"


def on_commit(session: Session, callback: Callable[[list[Any]], None], item: Any) -> None:
    """Call ``callback(items)`` after the session's outermost transaction commits.

    The items given with the same callback in one transaction are passed together,
    in order (a thousand jobs queued in one transaction are deferred in one batch).
    """
    box = session.info.get(_KEY)
    if box is None:
        box = session.info[_KEY] = []
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_soft_rollback)
        event.listen(session, "after_transaction_end", _after_transaction_end)
    box.append((session.get_nested_transaction() or session.get_transaction(), callback, item))


def _descends(trans: Any, ancestor: Any) -> bool:
    while trans is not None:
        if trans is ancestor:
            return True
        trans = trans.parent
    return False


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    box = session.info.get(_KEY) or []
    box[:] = [entry for entry in box if not _descends(entry[0], previous_transaction)]


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the outer transaction may still roll back
    box = session.info.get(_KEY) or []
    pending, box[:] = list(box), []
    batches: dict[Any, list[Any]] = {}
    for _trans, callback, item in pending:
        batches.setdefault(callback, []).append(item)
    for callback, items in batches.items():
        try:
            callback(items)
        except Exception:  # noqa: BLE001 - the change is committed: the caller's request must not fail
            log.exception("after-commit callback %r failed for %d item(s)", callback, len(items))


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        box = session.info.get(_KEY)
        if box:
            box.clear()  # ended without a commit: nothing runs
