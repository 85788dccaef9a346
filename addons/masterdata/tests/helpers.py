"""Shared set-up for masterdata tests: a small sales organisation in company ``acme``."""

from __future__ import annotations

from typing import Any

from addons.masterdata.models import Employee
from core.testing import make_env, make_user

ORG = {
    # login: (groups, position, manager login, name)
    "director": (["core.group_director"], "director", None, "刘总监"),
    "zhang_east": (["core.group_territory_manager"], "territory_manager", "director", "张东"),
    "li_north": (["core.group_territory_manager"], "territory_manager", "director", "李北"),
    "wangwei": (["core.group_salesperson"], "salesperson", "zhang_east", "王伟"),
    "zhao": (["core.group_salesperson"], "salesperson", "zhang_east", "赵敏"),
    "sun": (["core.group_salesperson"], "salesperson", "li_north", "孙立"),
    "ops": (["core.group_marketing_admin"], "marketing_admin", None, "周管"),
    "finance": (["core.group_finance"], "finance", None, "钱财"),
}


def build_org(db: Any, company: str = "acme") -> dict[str, Any]:
    """Users, employees (with the reporting line) and an admin; returns ids by login."""
    ids: dict[str, Any] = {"users": {}, "employees": {}}
    # no passwords: these users never log in, and hashing (Argon2) is slow on purpose
    ids["root"] = make_user(db, f"root_{company}", ["core.group_admin"], company=company, is_admin=True, password=None)
    for login, (groups, _pos, _mgr, _name) in ORG.items():
        ids["users"][login] = make_user(db, f"{login}" if company == "acme" else f"{login}_{company}", groups, company=company, password=None)
    with db.session() as s:
        env = make_env(db, s, ids["root"], company)
        for login, (_groups, pos, mgr, name) in ORG.items():
            emp = env.create(
                Employee,
                {
                    "name_zh": name,
                    "name_en": login,
                    "position": pos,
                    "user_id": ids["users"][login],
                    "manager_id": ids["employees"][mgr] if mgr else None,
                },
            )
            ids["employees"][login] = emp.id
    return ids
