""""Why can I see this?": the access rights and record rules behind a user's access to a record."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import exists, select

from core.errors import TixiError
from core.models import AccessRight, Company, Group, User
from core.security.env import PERMS, Env
from core.security.rules import ContextValueMissing, compile_domain


def explain_access(registry: Any, login: str, model: str, res_id: int, company: str | None = None) -> list[str]:
    """Lines explaining, per operation, which right and which rules allow or deny it."""
    cls = registry.model(model) if model in _tables() else None
    if cls is None:
        raise TixiError(f"unknown model {model!r}")
    with registry.Session() as session:
        user = session.scalar(select(User).where(User.login == login))
        if user is None:
            raise TixiError(f"no user {login!r}")
        company_id = None
        if company:
            company_id = session.scalar(select(Company.id).where(Company.code == company))
            if company_id is None:
                raise TixiError(f"no company {company!r}")
        env = Env(registry, session, user.id, company_id)
        pk = cls.__table__.primary_key.columns.values()[0]
        lines = [f"user {login} ({user.name}), company #{env.company_id}, record {model} #{res_id}"]
        if not session.scalar(select(exists().where(pk == res_id))):
            return lines + ["the record does not exist"]
        if "company_id" in cls.__table__.c:
            rec_company = session.scalar(select(cls.__table__.c.company_id).where(pk == res_id))
            if rec_company != env.company_id:
                return lines + [f"DENIED: the record belongs to company #{rec_company}, not the user's current company"]
        groups = {g.id: g for g in session.scalars(select(Group).where(Group.id.in_(env.group_ids or {-1})))}
        for perm in PERMS:
            if user.is_admin:
                right = "system administrator (all access rights)"
            else:
                rows = session.scalars(
                    select(AccessRight).where(
                        AccessRight.model == model,
                        AccessRight.group_id.in_(env.group_ids or {-1}),
                        getattr(AccessRight, f"perm_{perm}").is_(True),
                    )
                ).all()
                if not rows:
                    lines.append(f"{perm}: DENIED - no access right of the user's groups grants {perm} on {model}")
                    continue
                right = "; ".join(f"access right {r.code} (group {groups[r.group_id].code})" for r in rows)
            if not env.addon_enabled_for(cls):
                lines.append(f"{perm}: DENIED - the addon of {model} is not enabled for this company")
                continue
            verdict = env.allowed(session.get(cls, res_id), perm)
            lines.append(f"{perm}: {'ALLOWED' if verdict else 'DENIED'} - {right}")
            for rule in env.rules(cls, perm):
                rgroups = env._rule_groups(rule)
                if rgroups and not (rgroups & env.group_ids):
                    continue
                if rgroups and user.is_admin:
                    continue
                try:
                    clause = compile_domain(cls, json.loads(rule.domain), env.context)
                    match = bool(session.scalar(select(exists().where(pk == res_id, clause))))
                except ContextValueMissing as exc:
                    match = False
                    rule_note = f" (context value user.{exc.args[0]} missing)"
                else:
                    rule_note = ""
                kind = "global rule" if not rgroups else "group rule"
                lines.append(
                    f"    {kind} {rule.code} '{rule.name}' {rule.domain}: "
                    f"{'matches' if match else 'does not match'}{rule_note}"
                )
        return lines


def _tables() -> set[str]:
    from core.db import Base

    return set(Base.metadata.tables)
