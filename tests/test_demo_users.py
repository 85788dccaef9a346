"""Demo users: one per role in each demo company (kmtrade had none), and docs/admin.md lists them all."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from core.models import Company, User
from core.security.passwords import verify_password

ROOT = Path(__file__).resolve().parent.parent


def _people() -> dict[str, tuple]:
    from addons.masterdata.demo.generate import KM_PEOPLE, PEOPLE

    return {**PEOPLE, **KM_PEOPLE}


def test_demo_users_per_company_and_role(tixi_db):
    from addons.masterdata.demo.generate import KM_PEOPLE, PASSWORD, PEOPLE
    from addons.masterdata.models import Employee

    tixi_db.install("masterdata", companies=["guiyan", "kmtrade"], demo=True)
    with tixi_db.session() as s:
        km = s.scalar(select(Company).where(Company.code == "kmtrade"))
        users = {u.login: u for u in s.scalars(select(User).where(User.login.in_(list(KM_PEOPLE))))}
        assert set(users) == set(KM_PEOPLE)
        for login, (_zh, _en, position, group, manager) in KM_PEOPLE.items():
            user = users[login]
            assert [c.code for c in user.companies] == ["kmtrade"]
            assert [g.code for g in user.groups] == [group]
            emp = s.scalar(select(Employee).where(Employee.user_id == user.id))
            assert emp.company_id == km.id
            assert emp.position == position
            if manager:
                assert s.get(Employee, emp.manager_id).user_id == users[manager].id
        assert verify_password(users["km_sales"].password_hash, PASSWORD)
        roles = {spec[3] for spec in KM_PEOPLE.values()}
        assert {"core.group_director", "core.group_salesperson", "core.group_finance"} <= roles
        assert s.scalar(select(User.id).where(User.login == next(iter(PEOPLE)))) is not None


def test_kmtrade_demo_users_skipped_without_kmtrade(tixi_db):
    from addons.masterdata.demo.generate import KM_PEOPLE

    tixi_db.install("masterdata", companies=["guiyan"], demo=True)
    with tixi_db.session() as s:
        assert s.scalars(select(User.login).where(User.login.in_(list(KM_PEOPLE)))).all() == []


def test_admin_guide_lists_every_demo_user():
    text = (ROOT / "docs" / "admin.md").read_text(encoding="utf-8")
    assert "tixi-demo-1" in text
    for login, (_zh, _en, _position, group, _mgr) in _people().items():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{login}` |")), None)
        assert row is not None, login
        assert group.removeprefix("core.group_") in row, row
