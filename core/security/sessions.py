"""Server-side login sessions and login throttling.

A session is a random token given to the browser (inside the signed Flask
cookie); the database keeps only its SHA-256 (``core_session.sid``), so a
database dump cannot be replayed. A new token is created at every login (the
session id changes at login), validated on every request against an inactivity
timeout and an absolute timeout, deleted at logout, and every session of a user
is deleted when the user is disabled. Nothing is kept in process memory, so any
number of gunicorn workers and machines share the sessions.

Failed logins are logged in ``core_login_attempt`` and counted in
``core_login_throttle`` (see :func:`authenticate`): one client guessing one
login gets growing delays after ``max_failures``; all unknown clients together
get one try per ``login_delay`` on a login past ``login_ceiling`` failures (a
pause, never a lockout: the owner gets in from a known device at once, from
anywhere after a short wait); one client trying many logins gets growing delays
after ``client_ceiling``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import IdempotencyKey, LoginAttempt, LoginThrottle, User, UserSession


@dataclass(frozen=True)
class SessionPolicy:
    """Timeouts and throttling limits (configurable per app: ``TIXI_SESSION_*``)."""

    idle_timeout: dt.timedelta = dt.timedelta(hours=2)
    absolute_timeout: dt.timedelta = dt.timedelta(hours=12)
    touch_interval: dt.timedelta = dt.timedelta(seconds=60)
    max_failures: int = 5  # one client, one login: free failures, then delays of 1 s, 2 s, 4 s ...
    window: dt.timedelta = dt.timedelta(minutes=15)  # failures older than this are forgotten
    login_ceiling: int = 20  # every unknown client together, one login: then one try per login_delay
    login_delay: dt.timedelta = dt.timedelta(seconds=30)
    client_ceiling: int = 20  # one client, many logins (spraying): then growing delays
    base_delay: dt.timedelta = dt.timedelta(seconds=1)
    max_delay: dt.timedelta = dt.timedelta(minutes=15)


DEFAULT_POLICY = SessionPolicy()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(session: Session, user_id: int, ip: str | None = None) -> str:
    """Start a session for a user; return the new random token (store it in the cookie)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(UserSession(sid=_hash(token), user_id=user_id, created_at=now, last_seen=now, ip=ip))
    session.flush()
    return token


def validate_session(
    session: Session, token: str | None, policy: SessionPolicy = DEFAULT_POLICY, now: dt.datetime | None = None
) -> UserSession | None:
    """The live session of a token, or None (unknown, expired or user disabled).

    Expired sessions are deleted. ``last_seen`` is refreshed at most once per
    ``touch_interval`` to keep writes rare.
    """
    if not token:
        return None
    now = now or utcnow()
    row = session.get(UserSession, _hash(token))
    if row is None:
        return None
    expired = now - row.last_seen > policy.idle_timeout or now - row.created_at > policy.absolute_timeout
    user = session.get(User, row.user_id)
    if expired or user is None or not user.active:
        session.delete(row)
        session.flush()
        return None
    if now - row.last_seen > policy.touch_interval:
        row.last_seen = now
        session.flush()
    return row


def revoke_session(session: Session, token: str | None) -> None:
    """End one session (logout)."""
    if token:
        session.execute(delete(UserSession).where(UserSession.sid == _hash(token)))


def revoke_user_sessions(session: Session, user_id: int) -> int:
    """End every session of a user (password change, disabling); return how many."""
    result = session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return int(result.rowcount or 0)


def disable_user(session: Session, user: User) -> None:
    """Disable a user and end all their sessions on the server at once."""
    user.active = False
    session.flush()
    revoke_user_sessions(session, user.id)


def purge_expired(session: Session, policy: SessionPolicy = DEFAULT_POLICY) -> int:
    """Delete expired sessions and old login failures (housekeeping)."""
    now = utcnow()
    res = session.execute(
        delete(UserSession).where(
            or_(UserSession.last_seen < now - policy.idle_timeout, UserSession.created_at < now - policy.absolute_timeout)
        )
    )
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - policy.window))
    session.execute(delete(LoginThrottle).where(
        or_(LoginThrottle.last_failure.is_(None), LoginThrottle.last_failure < now - policy.window),
        or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until < now)))
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - dt.timedelta(days=1)))
    return int(res.rowcount or 0)


# ----- throttling --------------------------------------------------------------------------
class LoginResult(NamedTuple):
    """What :func:`authenticate` decided: the user, or why not and (throttled) for how many seconds."""

    user: User | None
    reason: str | None  # None, "invalid" or "throttled"
    retry_after: int = 0


def _client_key(ip: str | None, device: str | None) -> str:
    return f"dev:{device}" if device else f"ip:{ip or '-'}"


def _keys(login: str, ip: str | None, device: str | None) -> dict[str, str]:
    """The throttle keys of one attempt, by kind; a known device skips the per-login ceiling."""
    client = _client_key(ip, device)
    keys = {"lc": f"lc:{login}|{client}"[:300], "c": f"c:{client}"[:300]}
    if not device:
        keys["l"] = f"l:{login}"[:300]
    return keys


def _delay(kind: str, failures: int, policy: SessionPolicy) -> dt.timedelta:
    """How long a key is blocked after its ``failures``-th failure within the window."""
    if kind == "l":  # everybody guessing one login: a short fixed pause, never a lockout
        return policy.login_delay if failures >= policy.login_ceiling else dt.timedelta(0)
    free = policy.max_failures if kind == "lc" else policy.client_ceiling
    if failures < free:
        return dt.timedelta(0)
    return min(policy.base_delay * (2 ** min(failures - free, 20)), policy.max_delay)


def _lock(session: Session, keys: dict[str, str]) -> dict[str, LoginThrottle]:
    """The counters of ``keys``, created when missing and row-locked until the transaction ends.

    PostgreSQL: ``INSERT .. ON CONFLICT DO NOTHING`` then ``SELECT .. FOR
    UPDATE``, key by key in sorted order (no deadlock), so concurrent attempts
    on one key are checked one after the other. SQLite: the login request's
    transaction holds the write lock from its start (``BEGIN IMMEDIATE``).
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    rows: dict[str, LoginThrottle] = {}
    for kind, key in sorted(keys.items(), key=lambda kv: kv[1]):
        session.execute(insert(LoginThrottle).values(key=key, failures=0).on_conflict_do_nothing(index_elements=["key"]))
        rows[kind] = session.scalars(
            select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
            .execution_options(populate_existing=True)
        ).one()
    return rows


def _blocked_for(rows: dict[str, LoginThrottle], now: dt.datetime) -> int:
    """Seconds until every key of the attempt is free again (0: not blocked)."""
    until = [r.blocked_until for r in rows.values() if r.blocked_until is not None and r.blocked_until > now]
    return max(1, math.ceil((max(until) - now).total_seconds())) if until else 0


def _count_failure(rows: dict[str, LoginThrottle], now: dt.datetime, policy: SessionPolicy) -> None:
    for kind, row in rows.items():
        recent = row.last_failure is not None and now - row.last_failure <= policy.window
        row.failures = (row.failures if recent else 0) + 1
        row.last_failure = now
        delay = _delay(kind, row.failures, policy)
        row.blocked_until = now + delay if delay else None


def record_failure(session: Session, login: str, ip: str | None = None) -> None:
    """Log a failed login (``core_login_attempt``: who tried what, from where, for the audit)."""
    session.add(LoginAttempt(login=login.lower()[:128], ip=ip, at=utcnow()))
    session.flush()


def clear_failures(session: Session, login: str) -> None:
    """Forget a login's failure log after a successful login."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.login == login.lower()))


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    from core.security.passwords import hash_password

    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY[0]


def authenticate(
    session: Session, login: str, password: str, ip: str | None = None, policy: SessionPolicy = DEFAULT_POLICY,
    device: str | None = None,
) -> LoginResult:
    """Check a login under the throttle; never says which of login/password was wrong.

    ``device`` is the id of a device this login already signed in from (the
    web shell's signed ``tixi_device`` cookie): it has its own counters and
    skips the per-login ceiling, so nobody can lock the owner out of a device
    they use. The counters are locked before the password is checked, so racing
    requests get no more guesses than sequential ones.
    """
    from core.security.passwords import hash_password, needs_rehash, verify_password

    login = (login or "").strip()
    now = utcnow()
    rows = _lock(session, _keys(login.lower(), ip, device))
    wait = _blocked_for(rows, now)
    if wait:
        return LoginResult(None, "throttled", wait)
    user = session.scalar(select(User).where(User.login == login))
    stored = user.password_hash if user is not None else None
    # an unknown login costs the same hashing time as a known one (no enumeration by timing)
    ok = verify_password(stored or _dummy_hash(), password or "") and stored is not None
    if not ok or user is None or not user.active:
        _count_failure(rows, now, policy)
        record_failure(session, login, ip)
        return LoginResult(None, "invalid")
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    clear_failures(session, login)
    for kind, row in rows.items():  # the owner is in: forget the login's counters, keep the client's
        if kind != "c" or row.failures == 0:
            session.delete(row)
    session.flush()
    return LoginResult(user, None)
