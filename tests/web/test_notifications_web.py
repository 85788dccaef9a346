"""The inbox in the web shell (SQLite and PostgreSQL): the bell's count in one query, the list
newest first, open (lands on the record), mark read / all read (POST + CSRF), another user's
notification refused, preferences per type, and an SMTP server that is down (logged, the
request still fine)."""

from __future__ import annotations

import logging
import re
import socket

from flask import Blueprint
from sqlalchemy import event, select

from core import notifications as notif
from core.config import Instance
from core.models import Notification, NotificationPreference, User
from core.security import approvals
from core.testing import make_env
from core.testing.web import csrf_token, logged_in_client
from tests.web.conftest import add_item


def _submit(db, users, item_id: int) -> None:
    """The salesperson submits the item's price: the manager and the director are notified."""
    from webshop.models import Item

    with db.session() as s:
        env = make_env(db, s, users["sales"], "acme")
        flow = approvals.workflows(db.registry)["webshop.item_price"]
        approvals.fire(env, flow, s.get(Item, item_id), "submit", amount=50)


def _count_queries(db, needle: str):
    seen: list[str] = []

    def listener(conn, cursor, statement, params, context, executemany):
        if needle in statement:
            seen.append(statement)

    event.listen(db.registry.engine, "before_cursor_execute", listener)
    return seen, lambda: event.remove(db.registry.engine, "before_cursor_execute", listener)


def test_bell_inbox_open_and_mark_read(web_db_both):
    db, users = web_db_both, web_db_both.users
    first = add_item(db, users["sales"], "First item")
    second = add_item(db, users["sales"], "Second item")
    _submit(db, users, first)
    _submit(db, users, second)
    app = db.app()
    client = logged_in_client(app, "manager")
    seen, stop = _count_queries(db, "core_notification")
    try:
        home = client.get("/")
    finally:
        stop()
    assert home.status_code == 200
    assert len(seen) == 1, seen  # the bell: one count, whatever the widgets
    assert 'id="notification-count">2<' in home.text
    page = client.get("/notifications/")
    assert page.status_code == 200
    ids = [int(x) for x in re.findall(r'data-notification="(\d+)"', page.text)]
    with db.session() as s:
        rows = list(s.scalars(select(Notification).where(Notification.user_id == users["manager"])
                              .order_by(Notification.id.desc())))
    assert ids == [r.id for r in rows]  # newest first
    assert page.text.count('data-unread="1"') == 2
    token = csrf_token(page.text)
    # without the CSRF token: refused, nothing changes
    assert client.post(f"/notifications/{ids[0]}/open").status_code == 400
    opened = client.post(f"/notifications/{ids[0]}/open", data={"csrf_token": token})
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/items/{second}")
    assert client.get(opened.headers["Location"]).status_code == 200
    assert 'id="notification-count">1<' in client.get("/").text
    assert client.post(f"/notifications/{ids[1]}/read", data={"csrf_token": token}).status_code == 302
    assert 'id="notification-count"' not in client.get("/").text
    with db.session() as s:
        assert all(r.read_at is not None for r in s.scalars(select(Notification).where(
            Notification.user_id == users["manager"])))


def test_another_users_notification_is_refused(web_db_both):
    db, users = web_db_both, web_db_both.users
    _submit(db, users, add_item(db, users["sales"], "Item"))
    with db.session() as s:
        director_row = s.scalar(select(Notification.id).where(Notification.user_id == users["director"]))
    client = logged_in_client(db.app(), "manager")
    token = csrf_token(client.get("/notifications/").text)
    for action in ("open", "read"):
        assert client.post(f"/notifications/{director_row}/{action}", data={"csrf_token": token}).status_code == 403
    assert client.post("/notifications/999999/read", data={"csrf_token": token}).status_code == 403
    # "mark all read" touches the manager's own notifications only
    assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302
    with db.session() as s:
        assert s.get(Notification, director_row).read_at is None
        mine = s.scalars(select(Notification).where(Notification.user_id == users["manager"]))
        assert all(r.read_at is not None for r in mine)


def test_inbox_in_chinese_and_english(web_db):
    db, users = web_db, web_db.users
    _submit(db, users, add_item(db, users["sales"], "Item"))
    with db.session() as s:
        s.get(User, users["manager"]).lang = "zh_CN"
        s.get(User, users["director"]).lang = "en"
    zh = logged_in_client(db.app(), "manager").get("/notifications/").text
    en = logged_in_client(db.app(), "director").get("/notifications/").text
    assert "待审批：" in zh
    assert "请您审批" in zh
    assert "To approve: " in en
    assert "asks for your decision on" in en


def test_preferences_per_type(web_db):
    db, users = web_db, web_db.users
    client = logged_in_client(db.app(), "manager")
    page = client.get("/preferences")
    assert 'name="inapp:core.approval_pending"' in page.text
    assert 'id="smtp-off"' in page.text  # no [smtp]: inbox only
    r = client.post("/notifications/preferences", data={
        "csrf_token": csrf_token(page.text), "email:core.approval_pending": "on",
        "inapp:core.approval_decided": "on"})
    assert r.status_code == 302
    with db.session() as s:
        prefs = {p.type_code: (p.inapp, p.email) for p in s.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == users["manager"]))}
    assert prefs["core.approval_pending"] == (False, True)
    assert prefs["core.approval_decided"] == (True, False)
    _submit(db, users, add_item(db, users["sales"], "Item"))
    with db.session() as s:
        assert s.scalar(select(Notification.id).where(Notification.user_id == users["manager"])) is None
    assert 'id="notification-count"' not in client.get("/").text


def test_smtp_server_down_is_logged_and_the_request_is_fine(web_db, tmp_path, caplog):
    db, users = web_db, web_db.users
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    (tmp_path / "config.toml").write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\n', encoding="utf-8")
    db.registry.instance = Instance(tmp_path)
    with db.session() as s:
        s.get(User, users["manager"]).email = "manager@example.com"
    app = db.app()
    bp = Blueprint("notify_probe", __name__)

    @bp.route("/notify-probe", methods=["POST"])
    def probe():
        from flask import g

        notif.notify(g.env, [users["manager"]], "core.approval_pending", title="T", state="S", requester="R")
        return "done"

    app.register_blueprint(bp)
    app.extensions["csrf"].exempt(bp)
    client = logged_in_client(app, "sales")
    with caplog.at_level(logging.ERROR, logger="core.notifications"):
        r = client.post("/notify-probe")
    assert r.status_code == 200
    assert r.text == "done"
    assert any("cannot send 1 mail" in rec.getMessage() for rec in caplog.records)
    with db.session() as s:  # committed with the request
        assert s.scalar(select(Notification.id).where(Notification.user_id == users["manager"])) is not None
