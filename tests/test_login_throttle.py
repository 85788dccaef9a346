"""Login throttling (core.security.sessions.authenticate), on SQLite and PostgreSQL.

The old rule refused the *correct* password for 15 minutes after 5 wrong ones,
so anybody knowing a login could lock its owner out, and racing requests got
more guesses than the limit. These tests hold the new rule: growing delays
per (login, client), a per-login ceiling that pauses but never locks, a known
device that skips it, and counters checked under a lock.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from core.db import reset_write_transactions, utcnow, write_transactions
from core.models import LoginAttempt, LoginThrottle
from core.security import sessions
from core.security.sessions import SessionPolicy, authenticate, purge_expired
from core.testing import make_user

POLICY = SessionPolicy(max_failures=3, login_ceiling=6, login_delay=dt.timedelta(seconds=30))


class Clock:
    """A settable ``utcnow`` for the throttle."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(sessions, "utcnow", c)
    return c


@pytest.fixture
def owner(tixi_db):
    make_user(tixi_db, "owner", password="right-pass-1")
    return tixi_db


def attempt(db, password: str, ip: str = "10.0.0.1", device: str | None = None, policy: SessionPolicy = POLICY):
    with db.session() as s:
        return authenticate(s, "owner", password, ip, policy, device=device)


def test_one_client_gets_growing_delays_and_no_lockout(owner, clock):
    def attempt(db, password):  # noqa: ANN001 - the default ceiling (20) stays out of the way
        with db.session() as s:
            return authenticate(s, "owner", password, "10.0.0.1", SessionPolicy(max_failures=3))

    reasons = [attempt(owner, "wrong").reason for _ in range(3)]
    assert reasons == ["invalid"] * 3
    blocked = attempt(owner, "right-pass-1")  # the right password inside the delay: refused, not counted
    assert (blocked.reason, blocked.retry_after) == ("throttled", 1)
    waits = []
    for _ in range(3):
        clock.advance(waits[-1] if waits else 1)
        assert attempt(owner, "wrong").reason == "invalid"
        waits.append(attempt(owner, "wrong").retry_after)
    assert waits == [2, 4, 8]  # doubling, capped at max_delay
    clock.advance(8)
    assert attempt(owner, "right-pass-1").user is not None  # after the delay the owner is in
    with owner.session() as s:  # success forgets the login's counters
        assert s.scalar(select(func.count()).select_from(LoginThrottle).where(
            LoginThrottle.key.like("l%"))) == 0


def test_guessing_from_elsewhere_does_not_block_the_owner(owner, clock):
    for _ in range(5):
        attempt(owner, "wrong", ip="203.0.113.9")
    assert attempt(owner, "wrong", ip="203.0.113.9").reason == "throttled"
    assert attempt(owner, "right-pass-1", ip="10.0.0.1").user is not None


def test_many_clients_pause_the_login_briefly_and_a_known_device_skips_the_pause(owner, clock):
    for i in range(6):  # six addresses, each under its own limit: the per-login ceiling
        assert attempt(owner, "wrong", ip=f"198.51.100.{i}").reason == "invalid"
    paused = attempt(owner, "right-pass-1", ip="10.0.0.1")
    assert paused.reason == "throttled"
    assert paused.retry_after == 30
    assert attempt(owner, "right-pass-1", ip="10.0.0.1", device="dev-owner").user is not None
    for i in range(6):
        attempt(owner, "wrong", ip=f"198.51.100.{i + 10}")
    clock.advance(31)
    assert attempt(owner, "right-pass-1", ip="10.0.0.2").user is not None  # a short wait, never 15 minutes


def test_racing_attempts_get_no_more_guesses_than_the_limit(owner):
    results: list[str | None] = []
    start = threading.Barrier(8)

    def guess() -> None:
        token = write_transactions(True)  # as a POST request does (BEGIN IMMEDIATE on SQLite)
        try:
            start.wait()
            with owner.session() as s:
                results.append(authenticate(s, "owner", "wrong", "10.0.0.1", POLICY).reason)
        finally:
            reset_write_transactions(token)

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results, key=str) == ["invalid"] * 3 + ["throttled"] * 5
    with owner.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 3


def test_housekeeping_forgets_old_counters(owner, clock):
    attempt(owner, "wrong")
    clock.advance(16 * 60)
    with owner.session() as s:
        purge_expired(s, POLICY)
    with owner.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginThrottle)) == 0
