"""Password hashing with Argon2id (argon2-cffi), with transparent re-hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Check a password against a stored hash (False for no hash or a bad one)."""
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the stored hash uses weaker parameters than today's defaults."""
    return _hasher.check_needs_rehash(stored)
