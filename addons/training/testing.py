"""Test factories of the training addon, for its own tests and other addons' tests.

Reached as ``world.factories.training.course(env, ...)`` or ``world.make("training.session", env, ...)``.
Factories create through the env you pass: that user's rights and rules apply.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.security.env import Env

FACTORIES = ("course", "approved_course", "session", "lecturer")


def lecturer(env: Env, kind: str = "external", name: str | None = "外部专家", **fields: Any) -> Any:
    """A lecturer (external by default; ``kind="internal", employee_id=...`` for an employee)."""
    from .services import create_lecturer

    return create_lecturer(env, kind, name=name, **fields)


def course(env: Env, code: str = "TR-01", name_zh: str = "客户需求挖掘", competencies: Any = None,
           **fields: Any) -> Any:
    """A draft course addressing ``competencies`` (default ``{"B": 2}``)."""
    from .services import create_course

    return create_course(env, code, name_zh, competencies or {"B": 2}, **fields)


def approved_course(submitter: Env, approver: Env, **fields: Any) -> Any:
    """A course submitted by ``submitter`` and approved by ``approver`` (two different users)."""
    from .services import fire_course

    c = course(submitter, **fields)
    fire_course(submitter, c, "submit")
    fire_course(approver, c, "approve")
    return c


def session(env: Env, course: Any, starts_at: dt.datetime | None = None, hours: int = 3, **fields: Any) -> Any:
    """A session of an approved ``course`` (default: starting in an hour)."""
    from .services import create_session

    start = starts_at or (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    return create_session(env, int(getattr(course, "id", course)), start, start + dt.timedelta(hours=hours),
                          **fields)
