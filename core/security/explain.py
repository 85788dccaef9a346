""""Why can I see this?": the access rights and record rules behind a user's access to a record.

:func:`explain_access` answers, for a user, a model and a record id, per
operation (read, create, write, delete): ALLOWED or DENIED, the access right
that grants the operation (or that none does), and each record rule that
applies with whether the record matches it. It is what ``tixi explain LOGIN
MODEL ID`` prints and what the admin page shows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from core.errors import TixiError
from core.models import AccessRight, Company, Group, User
from core.security.env import APPEND_ONLY, NOT_COMPANY_OWNED, PERMS, Env


def explain_access(
    registry: Any, login: str, model: str, res_id: int, company: str | None = None
) -> list[str]:
    """Lines explaining, per operation, which right and which rules allow or deny it."""
    if model not in _tables():
        raise TixiError(f"unknown model {model!r}")
    cls = registry.model(model)
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
        label = _label(env, model, res_id)
        lines = [
            f"user {login} ({user.name}), company #{env.company_id}, "
            f"record {model} #{res_id}{f' ({label})' if label else ''}"
        ]
        if not session.scalar(select(exists().where(pk == res_id))):
            return lines + ["DENIED: the record does not exist"]
        if "company_id" in cls.__table__.c and model not in NOT_COMPANY_OWNED:
            rec_company = session.scalar(select(cls.__table__.c.company_id).where(pk == res_id))
            if rec_company != env.company_id:
                return lines + [
                    f"DENIED: the record belongs to company #{rec_company}, "
                    "not the user's current company"
                ]
        if not env.addon_enabled_for(cls):
            return lines + [f"DENIED: the addon of {model} is not enabled for this company"]
        group_codes: dict[int, str] = {
            gid: code
            for gid, code in session.execute(
                select(Group.id, Group.code).where(Group.id.in_(env.group_ids or {-1}))
            )
        }
        record = session.get(cls, res_id)
        for perm in PERMS:
            lines.extend(_explain_perm(env, cls, model, record, perm, group_codes))
        return lines


def _explain_perm(
    env: Env, cls: type, model: str, record: Any, perm: str, group_codes: dict[int, str]
) -> list[str]:
    """The lines for one operation."""
    session = env.session
    if perm != "read" and (model in APPEND_ONLY or getattr(cls, "__tixi_readonly__", False)):
        return [f"{perm}: DENIED - {model} is read-only for everybody (kernel-maintained)"]
    if env.user.is_admin:
        right = "system administrator (every access right; group rules do not apply)"
    else:
        rows = session.scalars(
            select(AccessRight).where(
                AccessRight.model == model,
                AccessRight.group_id.in_(env.group_ids or {-1}),
                getattr(AccessRight, f"perm_{perm}").is_(True),
            )
        ).all()
        if not rows:
            return [
                f"{perm}: DENIED - no access right of the user's groups grants {perm} on {model}"
            ]
        right = "; ".join(
            f"access right {r.code} (group {group_codes.get(r.group_id, r.group_id)})" for r in rows
        )
    pk = cls.__table__.primary_key.columns.values()[0]
    rule_lines = []
    global_fail = []
    group_match = []
    group_rules = 0
    for rule, is_global in env.applicable_rules(cls, perm):
        clause = env.compile_rule(cls, rule)
        match = bool(session.scalar(select(exists().where(pk == record.id, clause))))
        kind = "global rule" if is_global else "group rule"
        rule_lines.append(
            f"    {kind} {rule.code} '{rule.name}' {rule.domain}: "
            f"{'matches' if match else 'does not match'}"
        )
        if is_global and not match:
            global_fail.append(rule.code)
        if not is_global:
            group_rules += 1
            if match:
                group_match.append(rule.code)
    verdict = env.allowed(record, perm)
    if verdict:
        head = f"{perm}: ALLOWED - {right}"
        if group_match:
            head += f"; rule {', '.join(group_match)} lets the user reach this record"
    elif global_fail:
        head = f"{perm}: DENIED - {right}, but global rule {', '.join(global_fail)} excludes the record"
    elif group_rules and not group_match:
        head = f"{perm}: DENIED - {right}, but none of the user's group rules matches the record"
    else:
        head = f"{perm}: DENIED - {right}, but the record rules exclude the record"
    if not rule_lines:
        rule_lines = ["    no record rule narrows this operation"]
    return [head, *rule_lines]


def _label(env: Env, model: str, res_id: int) -> str | None:
    """A human label from ``tixi_explain_label`` (first answer wins), if any addon gives one."""
    try:
        return env.hooks.tixi_explain_label(model=model, res_id=res_id, env=env)
    except Exception:  # noqa: BLE001 - a label is a nicety; the explanation must still print
        return None


def _tables() -> set[str]:
    from core.db import Base

    return set(Base.metadata.tables)
