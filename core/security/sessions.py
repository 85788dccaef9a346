"""Server-side login sessions and login throttling.

A session is a random token given to the browser (inside the signed Flask
cookie); the database keeps only its SHA-256 (``core_session.sid``), so a
database dump cannot be replayed. A new token is created at every login (the
session id changes at login), validated on every request against an inactivity
timeout and an absolute timeout, deleted at logout, and every session of a user
is deleted when the user is disabled. Nothing is kept in process memory, so any
number of gunicorn workers and machines share the sessions.

Failed logins are stored in ``core_login_attempt``; after ``max_failures``
failures for a login (or from one address) within ``window`` further attempts
are refused until the window has passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import LoginAttempt, User, UserSession


@dataclass(frozen=True)
class SessionPolicy:
    """Timeouts and throttling limits (configurable per app: ``TIXI_SESSION_*``)."""

    idle_timeout: dt.timedelta = dt.timedelta(hours=2)
    absolute_timeout: dt.timedelta = dt.timedelta(hours=12)
    touch_interval: dt.timedelta = dt.timedelta(seconds=60)
    max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)


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
    return int(res.rowcount or 0)


# ----- throttling --------------------------------------------------------------------------
def is_throttled(session: Session, login: str, ip: str | None = None, policy: SessionPolicy = DEFAULT_POLICY) -> bool:
    """Whether too many recent failures for this login (or address) block another attempt."""
    since = utcnow() - policy.window
    by_login = session.scalar(
        select(func.count(LoginAttempt.id)).where(LoginAttempt.login == login.lower(), LoginAttempt.at > since)
    )
    if (by_login or 0) >= policy.max_failures:
        return True
    if ip:
        by_ip = session.scalar(
            select(func.count(LoginAttempt.id)).where(LoginAttempt.ip == ip, LoginAttempt.at > since)
        )
        # an address may try several logins, but not endlessly
        return (by_ip or 0) >= policy.max_failures * 4
    return False


def record_failure(session: Session, login: str, ip: str | None = None) -> None:
    """Remember a failed login."""
    session.add(LoginAttempt(login=login.lower()[:128], ip=ip, at=utcnow()))
    session.flush()


def clear_failures(session: Session, login: str) -> None:
    """Forget a login's failures after a successful login."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.login == login.lower()))


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    from core.security.passwords import hash_password

    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY[0]


def authenticate(
    session: Session, login: str, password: str, ip: str | None = None, policy: SessionPolicy = DEFAULT_POLICY
) -> tuple[User | None, str | None]:
    """Check a login; returns ``(user, None)`` or ``(None, reason)`` with reason
    ``"throttled"`` or ``"invalid"`` (never says which of login/password was wrong)."""
    from core.security.passwords import hash_password, needs_rehash, verify_password

    login = (login or "").strip()
    if is_throttled(session, login, ip, policy):
        return None, "throttled"
    user = session.scalar(select(User).where(User.login == login))
    stored = user.password_hash if user is not None else None
    # an unknown login costs the same hashing time as a known one (no enumeration by timing)
    ok = verify_password(stored or _dummy_hash(), password or "") and stored is not None
    if not ok or user is None or not user.active:
        record_failure(session, login, ip)
        return None, "invalid"
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    clear_failures(session, login)
    return user, None
