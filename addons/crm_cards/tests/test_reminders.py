"""The missing-monthly-card reminder job (``crm_cards.card_reminder``), on SQLite and PostgreSQL.

Customers: 上汽 and 上海柴油机 (王伟, under 张东), 苏州汽配 (赵敏, under 张东), 北汽 (孙立, under
李北); 张东 and 李北 report to 刘总监. Only 苏州汽配 has last month's card.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from addons.crm_cards import services
from core import jobs
from core.models import JobRun, Notification
from core.notifications import render_row
from core.testing import make_env


def _tick() -> dt.datetime:
    """The 3rd of the current month, 00:00 UTC: the run for last month."""
    return dt.datetime.combine(dt.date.today().replace(day=3), dt.time(0), dt.UTC)


def _notified(db):
    with db.registry.Session() as s:
        return sorted((n.user_id, n.type_code) for n in s.scalars(select(Notification)))


def test_reminder_notifies_the_right_salespeople_and_managers_once_per_period(crm):
    db, ids = crm
    users = ids["users"]
    with db.session() as s:
        services.save_monthly(make_env(db, s, ids["root"]), ids["c"]["js"], services.last_month(),
                              {"sales_actual": "1"})
    spec = jobs.job_spec(db.registry, "crm_cards.card_reminder")
    assert spec.cron == "0 0 3 * *"
    assert spec.next_run(_tick()).day == 3
    assert jobs.run_periodic(db.registry, "crm_cards.card_reminder", _tick()) == {"done": 1, "skipped": 0}
    expected = sorted([
        (users["wangwei"], "crm_cards.card_missing"), (users["sun"], "crm_cards.card_missing"),
        (users["zhang_east"], "crm_cards.card_missing_team"), (users["li_north"], "crm_cards.card_missing_team"),
        (users["director"], "crm_cards.card_missing_team"),
    ])
    assert _notified(db) == expected  # not 赵敏 (her card is there), nor ops / finance
    month = services.last_month().strftime("%Y-%m")
    with db.session() as s:
        env = make_env(db, s, users["director"])
        row = s.scalar(select(Notification).where(Notification.user_id == users["director"]))
        subject, body = render_row(env, row, "zh_CN")
        assert subject == f"团队月度卡片缺失：{month}"
        assert "3" in body
        assert "王伟 (2)" in body
        assert "孙立 (1)" in body
        wang = s.scalar(select(Notification).where(Notification.user_id == users["wangwei"]))
        assert render_row(env, wang, "en")[1] == (
            f"2 of your customers have no monthly card for {month}: 上汽、上海柴油机")
    # the same period again (another worker, a hand run): nobody is notified twice
    assert jobs.run_periodic(db.registry, "crm_cards.card_reminder", _tick()) == {"done": 0, "skipped": 1}
    assert jobs.run_by_hand(db.registry, "crm_cards.card_reminder") == {"done": 0, "skipped": 1}
    assert _notified(db) == expected
    with db.registry.Session() as s:
        (run,) = s.scalars(select(JobRun).where(JobRun.job_code == "crm_cards.card_reminder"))
        assert (run.state, run.period_key, run.progress_done, run.progress_total) == ("done", month, 2, 2)


def test_cards_to_file_are_on_the_owners_to_do_list(crm):
    """The to-do counts the user's own customers without last month's card; filed cards leave it."""
    from core.todos import todos_for

    db, ids = crm
    users = ids["users"]

    def to_file(login):
        with db.session() as s:
            env = make_env(db, s, users[login])
            todo = {t.key: t for t in todos_for(env)}.get("crm_cards.cards_to_file")
            return todo.count if todo else 0

    assert to_file("wangwei") == 2
    assert to_file("sun") == 1
    assert to_file("zhang_east") == 0      # a manager's team is the reminder's business, not his to-do
    with db.session() as s:
        services.save_monthly(make_env(db, s, users["wangwei"]), ids["c"]["sh"], services.last_month(),
                              {"sales_actual": "1"})
    assert to_file("wangwei") == 1
