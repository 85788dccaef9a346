"""Creating users and the first administrator."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.models import Company, Group, User
from core.security.passwords import MIN_LENGTH, hash_password


def create_user(
    session: Session,
    login: str,
    name: str,
    password: str | None,
    companies: Iterable[Company],
    groups: Iterable[str] = ("core.group_user",),
    is_admin: bool = False,
    lang: str | None = None,
) -> User:
    """Create a user in companies (the first is current) with groups given by code."""
    companies = list(companies)
    if not login.strip():
        raise ValidationError("login is required", {"login": "required"})
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise ValidationError(f"login {login!r} is taken", {"login": "taken"})
    if password is not None and len(password) < MIN_LENGTH:
        raise ValidationError(f"password must have at least {MIN_LENGTH} characters", {"password": "short"})
    codes = list(groups)
    found = list(session.scalars(select(Group).where(Group.code.in_(codes))))
    if len(found) != len(set(codes)):
        unknown = sorted(set(codes) - {g.code for g in found})
        raise ValidationError(f"unknown group {unknown[0]!r}", {"groups": "unknown"})
    user = User(
        login=login,
        name=name,
        password_hash=hash_password(password) if password else None,
        companies=companies,
        company_id=companies[0].id if companies else None,
        groups=found,
        is_admin=is_admin,
        lang=lang,
    )
    session.add(user)
    session.flush()
    return user


def ensure_admin(session: Session, password: str | None = None) -> str | None:
    """Create user ``admin`` (all companies, admin group) if missing; return its new password."""
    if session.scalar(select(User.id).where(User.login == "admin")) is not None:
        return None
    password = password or secrets.token_urlsafe(9)
    companies = list(session.scalars(select(Company).order_by(Company.id)))
    create_user(session, "admin", "Administrator", password, companies, ["core.group_admin"], is_admin=True)
    return password
