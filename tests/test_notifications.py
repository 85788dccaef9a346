"""Notifications (SQLite and PostgreSQL): types, rows per recipient, the recipient's language,
only one's own inbox, preferences, the approvals that use them, and e-mail through a real
local SMTP server (aiosmtpd) sent only after the commit.

Data: the sectree fixture (tests/fixtures/hookall/sectree): workflow ``sectree.doc``
(salespeople submit; territory managers approve up to 50,000 in their subtree, the
director without limit; territory managers reject).
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import notifications as notif
from core.config import Instance
from core.errors import AccessDenied
from core.i18n import _l
from core.models import Notification, User
from core.security import approvals
from core.testing import make_env

HOOKALL_ADDONS = Path(__file__).resolve().parent / "fixtures" / "hookall"


@pytest.fixture(params=["sqlite", "postgresql"])
def ndb(request):
    from core.registry import ensure_module_path

    ensure_module_path(HOOKALL_ADDONS)
    from sectree.testdata import sectree_db

    db, drop = sectree_db(request.param)
    yield db
    db.dispose()
    drop()


def _flow(db):
    return approvals.workflows(db.registry)["sectree.doc"]


def _doc(s, db, code, company="acme"):
    from sectree.models import Doc

    return s.get(Doc, db.tree.docs[(company, code)])


def _rows(s, user_id=None):
    stmt = select(Notification).order_by(Notification.id)
    if user_id is not None:
        stmt = stmt.where(Notification.user_id == user_id)
    return list(s.scalars(stmt))


def _set_langs(db, **langs):
    with db.session() as s:
        for login, lang in langs.items():
            s.get(User, db.tree.users[login]).lang = lang


# ----- types and notify ----------------------------------------------------------------------
def test_kernel_types_declared_and_codes_named_after_their_addon(ndb):
    types = notif.notification_types(ndb.registry)
    assert {"core.approval_pending", "core.approval_decided"} <= set(types)
    assert all(t.addon == "core" for t in notif.KERNEL_TYPES)


def test_unknown_type_is_a_clear_error_and_writes_nothing(ndb):
    users = ndb.tree.users
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        with pytest.raises(notif.UnknownNotificationType, match="sectree.nope"):
            notif.notify(env, [users["director"]], "sectree.nope", title="x")
        assert _rows(s) == []
    with ndb.session() as s:
        s.get(User, users["s1"]).lang = "zh_CN"
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        with pytest.raises(notif.UnknownNotificationType, match="未知的通知类型"):
            notif.notify(env, [users["director"]], "sectree.nope")


def test_one_row_per_recipient_rendered_in_each_readers_language(ndb):
    users = ndb.tree.users
    _set_langs(ndb, director="en", tm_north="zh_CN")
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        doc = _doc(s, ndb, "NA-1")
        rows = notif.notify(env, [users["director"], users["tm_north"], users["director"], None],
                            "core.approval_decided", record=doc, title="NA-1 doc",
                            state={"zh_CN": "已批准", "en": "Approved"}, actor=_l("Unread"), comment="")
        assert [r.user_id for r in rows] == sorted([users["director"], users["tm_north"]])
        assert {(r.model, r.res_id, r.company_id) for r in rows} == {("sectree_doc", doc.id, ndb.tree.companies["acme"])}
        assert json.loads(rows[0].params)["actor"] == {"_msgid": "Unread", "_kwargs": {}}
    with ndb.session() as s:
        director = make_env(ndb, s, users["director"], "acme")
        (row,) = notif.inbox(director)
        with notif.use_lang(director.user.lang):
            subject, body = notif.render_row(director, row)
        assert subject == "NA-1 doc: Approved"
        assert body == "Unread moved NA-1 doc to Approved."
        manager = make_env(ndb, s, users["tm_north"], "acme")
        with notif.use_lang(manager.user.lang):
            subject, body = notif.render_row(manager, notif.inbox(manager)[0])
        assert subject == "NA-1 doc：已批准"
        assert body.startswith("未读 已将 NA-1 doc")


def test_recipients_outside_the_company_are_skipped(ndb):
    from core.testing import make_user

    outsider = make_user(ndb, "outsider_n", ["core.group_director"], company="other", password=None)
    with ndb.session() as s:
        env = make_env(ndb, s, ndb.tree.users["s1"], "acme")
        assert notif.notify(env, [outsider], "core.approval_pending", title="x", state="y", requester="z") == []


# ----- the inbox: one's own only ---------------------------------------------------------------
def test_a_user_reads_and_marks_only_their_own_notifications(ndb):
    users = ndb.tree.users
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        mine = notif.notify(env, [users["director"]], "core.approval_pending", title="A", state="s", requester="r")
        theirs = notif.notify(env, [users["tm_north"]], "core.approval_pending", title="B", state="s", requester="r")
        # the director in the other company: not in acme's inbox
        other_env = make_env(ndb, s, users["s1"], "other")
        notif.notify(other_env, [users["director"]], "core.approval_pending", title="C", state="s", requester="r")
    with ndb.session() as s:
        director = make_env(ndb, s, users["director"], "acme")
        assert [r.id for r in notif.inbox(director)] == [mine[0].id]
        assert notif.unread_count(director) == 1
        with pytest.raises(AccessDenied):
            notif.mark_read(director, theirs[0].id)
        with pytest.raises(AccessDenied):
            notif.get(director, theirs[0].id)
        assert notif.mark_all_read(director) == 1
        assert notif.unread_count(director) == 0
    with ndb.session() as s:
        manager = make_env(ndb, s, users["tm_north"], "acme")
        assert notif.unread_count(manager) == 1  # untouched by the director's "mark all read"
        assert notif.unread_count(make_env(ndb, s, users["director"], "other")) == 1
        row = notif.mark_read(manager, theirs[0].id)
        assert row.read_at is not None


def test_preferences_turn_the_inbox_off_per_type(ndb):
    users = ndb.tree.users
    with ndb.session() as s:
        director = make_env(ndb, s, users["director"], "acme")
        notif.set_preference(director, "core.approval_pending", inapp=False, email=False)
        with pytest.raises(notif.UnknownNotificationType):
            notif.set_preference(director, "core.nope", inapp=True, email=True)
        prefs = {p["type"].code: (p["inapp"], p["email"]) for p in notif.user_preferences(director)}
        assert prefs["core.approval_pending"] == (False, False)
        assert prefs["core.approval_decided"] == (True, True)
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        assert notif.notify(env, [users["director"]], "core.approval_pending", title="A", state="s", requester="r") == []
        assert len(notif.notify(env, [users["director"]], "core.approval_decided", title="A", state="s",
                                actor="r", comment="")) == 1


# ----- approvals use it ----------------------------------------------------------------------
def test_pending_approval_notifies_who_may_approve_and_the_decision_reaches_the_requester(ndb):
    flow, users = _flow(ndb), ndb.tree.users
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        approvals.fire(env, flow, _doc(s, ndb, "NA-1"), "submit", amount=5000)
        pending = {r.user_id for r in _rows(s) if r.type_code == "core.approval_pending"}
        # the managers above north_a and the director; not tm_south (cannot read it), not s1
        assert pending == {users["tm_north_a"], users["tm_north"], users["director"]}
    with ndb.session() as s:
        env = make_env(ndb, s, users["s2"], "acme")
        approvals.fire(env, flow, _doc(s, ndb, "S-1"), "submit", amount=60000)
        rows = [r for r in _rows(s) if r.res_id == ndb.tree.docs[("acme", "S-1")]]
        assert {r.user_id for r in rows} == {users["director"]}  # 60,000 is above tm_south's authority
    with ndb.session() as s:
        env = make_env(ndb, s, users["tm_north_a"], "acme")
        approvals.fire(env, flow, _doc(s, ndb, "NA-1"), "approve", comment="ok")
        (decided,) = [r for r in _rows(s, users["s1"]) if r.type_code == "core.approval_decided"]
        assert decided.res_id == ndb.tree.docs[("acme", "NA-1")]
        s1 = make_env(ndb, s, users["s1"], "acme")
        with notif.use_lang("en"):
            subject, body = notif.render_row(s1, decided)
        assert subject == "NA-1 doc: Approved" or subject.endswith(": Approved")
        assert "ok" in body
    with ndb.session() as s:
        # rejecting (a manager, not the requester) is a decision too
        env = make_env(ndb, s, users["s3"], "acme")
        approvals.fire(env, flow, _doc(s, ndb, "N-1"), "submit", amount=20000)
        approvals.fire(make_env(ndb, s, users["tm_north"], "acme"), flow, _doc(s, ndb, "N-1"), "reject", comment="no")
        assert [r.type_code for r in _rows(s, users["s3"])] == ["core.approval_decided"]


def test_a_refused_transition_notifies_nobody(ndb):
    flow, users = _flow(ndb), ndb.tree.users
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        approvals.fire(env, flow, _doc(s, ndb, "NA-1"), "submit", amount=5000)
    with ndb.session() as s:
        before = s.scalar(select(func.count(Notification.id)))
        with pytest.raises(AccessDenied):
            approvals.fire(make_env(ndb, s, users["s1"], "acme"), flow, _doc(s, ndb, "NA-1"), "approve")
        assert s.scalar(select(func.count(Notification.id))) == before


# ----- e-mail through a real SMTP server ------------------------------------------------------
class _Inbox:
    """An aiosmtpd handler keeping every received message."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def _configure_smtp(db, tmp_path, port: int) -> None:
    (tmp_path / "config.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nfrom = "Tixi <tixi@example.com>"\nstarttls = false\n',
        encoding="utf-8",
    )
    db.registry.instance = Instance(tmp_path)


def _wait(handler, n: int, seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while len(handler.messages) < n and time.monotonic() < end:
        time.sleep(0.05)


def test_smtp_mail_in_the_recipients_language_after_commit_only(ndb, smtp_server, tmp_path):
    controller, handler = smtp_server
    _configure_smtp(ndb, tmp_path, controller.port)
    users = ndb.tree.users
    with ndb.session() as s:
        s.get(User, users["director"]).email = "director@example.com"
        s.get(User, users["director"]).lang = "en"
        s.get(User, users["tm_north"]).email = "north@example.com"
        s.get(User, users["tm_north"]).lang = "zh_CN"
    flow = _flow(ndb)
    # a rolled-back change sends nothing
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        approvals.fire(env, flow, _doc(s, ndb, "NA-1"), "submit", amount=5000)
        s.rollback()
    # a rolled-back savepoint sends nothing either, the committed rest does
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        try:
            with s.begin_nested():
                notif.notify(env, [users["director"]], "core.approval_decided", title="ROLLED", state="x",
                             actor="a", comment="")
                raise RuntimeError("abort the savepoint")
        except RuntimeError:
            pass
        approvals.fire(env, flow, _doc(s, ndb, "NA-1"), "submit", amount=5000)
        assert handler.messages == []  # not before the commit
    _wait(handler, 2)
    received = {m["To"]: m for m in handler.messages}
    assert len(handler.messages) == 2, [m["Subject"] for m in handler.messages]
    english = next(m for to, m in received.items() if "director@example.com" in to)
    chinese = next(m for to, m in received.items() if "north@example.com" in to)
    doc_id = ndb.tree.docs[("acme", "NA-1")]
    assert english["Subject"] == f"To approve: Document #{doc_id}"
    assert f"asks for your decision on Document #{doc_id} (Submitted)." in english.get_content()
    assert chinese["Subject"] == f"待审批：单据 #{doc_id}"
    assert "请您审批" in chinese.get_content()
    assert english["From"] == "Tixi <tixi@example.com>"
    assert all("ROLLED" not in m["Subject"] for m in handler.messages)


def test_email_preference_off_or_no_address_sends_nothing(ndb, smtp_server, tmp_path):
    controller, handler = smtp_server
    _configure_smtp(ndb, tmp_path, controller.port)
    users = ndb.tree.users
    with ndb.session() as s:
        s.get(User, users["director"]).email = "director@example.com"
        notif.set_preference(make_env(ndb, s, users["director"], "acme"), "core.approval_pending", True, False)
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        rows = notif.notify(env, [users["director"], users["tm_north"]], "core.approval_pending",
                            title="A", state="s", requester="r")
        assert len(rows) == 2  # the inbox still gets them
    time.sleep(0.3)
    assert handler.messages == []


def test_mail_to_an_address_that_is_no_user_after_commit_only(ndb, smtp_server, tmp_path):
    controller, handler = smtp_server
    users = ndb.tree.users
    with ndb.session() as s:  # no [smtp]: nothing queued
        assert notif.mail(make_env(ndb, s, users["s1"], "acme"), "li@customer.example", "S", "B") is False
    _configure_smtp(ndb, tmp_path, controller.port)
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        assert notif.mail(env, "", "S", "B") is False
        assert notif.mail(env, "no-address", "S", "B") is False
        assert notif.mail(env, "li@customer.example", "ROLLED", "B", name="李工") is True
        s.rollback()
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        assert notif.mail(env, "li@customer.example", "问卷 / Questionnaire", "链接 https://x/q/1", name="李工")
        assert handler.messages == []  # not before the commit
    _wait(handler, 1)
    (msg,) = handler.messages
    assert msg["Subject"] == "问卷 / Questionnaire"
    assert "li@customer.example" in msg["To"]
    assert "链接 https://x/q/1" in msg.get_content()


def test_without_smtp_config_no_mail_is_attempted(ndb, monkeypatch):
    calls = []
    monkeypatch.setattr(notif, "send_mails", lambda msgs: calls.append(msgs))
    users = ndb.tree.users
    with ndb.session() as s:
        s.get(User, users["director"]).email = "director@example.com"
    with ndb.session() as s:
        env = make_env(ndb, s, users["s1"], "acme")
        notif.notify(env, [users["director"]], "core.approval_pending", title="A", state="s", requester="r")
    assert notif.smtp_settings(ndb.registry) is None
    assert calls == []


def test_smtp_server_down_is_logged_not_raised(ndb, tmp_path, caplog):
    _configure_smtp(ndb, tmp_path, _free_port())  # nothing listens there
    users = ndb.tree.users
    with ndb.session() as s:
        s.get(User, users["director"]).email = "director@example.com"
    with caplog.at_level(logging.ERROR, logger="core.notifications"):
        with ndb.session() as s:
            env = make_env(ndb, s, users["s1"], "acme")
            notif.notify(env, [users["director"]], "core.approval_pending", title="A", state="s", requester="r")
    assert any("cannot send 1 mail" in r.getMessage() for r in caplog.records)
    with ndb.session() as s:  # the notification itself was committed
        assert len(_rows(s, users["director"])) == 1
