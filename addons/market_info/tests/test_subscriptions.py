"""A subscription to the market status report, delivered by the kernel's job with the subscriber's
rights at send time (SQLite and PostgreSQL).

A salesperson subscribed to 市场状况 receives only the prices they may read: their own and those of
a plan naming them as a recipient. Once the plan no longer names them, the next delivery shrinks —
in the inbox notification's row count and in the .xlsx the e-mail carries. The director's
subscription to the same report keeps every row. Delivered by ``core.report_subscriptions`` (the
hourly kernel job calling ``deliver_due``), once per period."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import socket
import time

import pytest

from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["market_info", "territories"])

CODE = "market_info.market_status"
NOV = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
CREATED = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
MONDAY = dt.datetime(2026, 11, 16, 1, 5, tzinfo=dt.UTC)  # 09:05 in Shanghai: the job's hourly tick


def _emp(world, role):
    return world.data["masterdata"]["acme"]["employees"][role]


class _Box:
    """An SMTP server's mailbox (aiosmtpd handler)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def _xlsx_text(msg) -> str:
    from openpyxl import load_workbook

    (part,) = list(msg.iter_attachments())
    assert part.get_filename().endswith(".xlsx")
    ws = load_workbook(io.BytesIO(part.get_content())).active
    return " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def _wait(box, n):
    end = time.monotonic() + 10
    while len(box.messages) < n and time.monotonic() < end:
        time.sleep(0.05)
    assert len(box.messages) == n


def test_market_status_subscription_follows_the_rights_at_send_time(tixi_world, tmp_path):  # noqa: F811
    from aiosmtpd.controller import Controller

    from core.config import Instance
    from core.jobs import run_periodic
    from core.models import Notification, User
    from core.reports import subscriptions as subs

    world = tixi_world
    m = world.addon_module("market_info", "models")
    mi = world.factories.market_info
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    box = _Box()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        (tmp_path / "config.toml").write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\n', encoding="utf-8")
        world.registry.instance = Instance(tmp_path)
        with world.session() as s:
            mkt, seller = world.env(s, "marketing_admin"), world.env(s, "salesperson")
            manager = world.env(s, "territory_manager")
            jm = mi.competitor(mkt, "庄信万丰", name_en="Johnson Matthey")
            basf = mi.competitor(mkt, "巴斯夫", name_en="BASF")
            mi.plan(mkt, _emp(world, "salesperson"), next_due=dt.date(2026, 11, 30))
            # the manager's plan names the salesperson as a recipient: he reads its prices too
            shared = mi.plan(mkt, _emp(world, "territory_manager"), name="经理价格收集", next_due=dt.date(2026, 11, 30),
                             recipients=[_emp(world, "salesperson")])
            mi.price(seller, jm, "100", dt.date(2026, 11, 3))
            mi.price(seller, jm, "110", dt.date(2026, 11, 10))
            mi.price(manager, basf, "80", dt.date(2026, 11, 12), territory=world.data["territories"]["acme"]["territory"])
            shared_id = shared.id
            for role in ("salesperson", "director"):
                user = s.get(User, world.user(role))
                user.email, user.lang = f"{role}@example.com", "zh_CN"
            s.flush()
            mine = subs.subscribe(world.env(s, "salesperson"), CODE, NOV, schedule="daily", channel="email")
            boss = subs.subscribe(world.env(s, "director"), CODE, NOV, schedule="daily")
            mine.created_at = boss.created_at = CREATED
            mine_id, boss_id = mine.id, boss.id

        # Monday's tick: the salesperson gets both competitors (his own prices, the plan naming him)
        run_periodic(world.registry, "core.report_subscriptions", MONDAY)
        run_periodic(world.registry, "core.report_subscriptions", MONDAY)  # the same tick again: nothing more
        _wait(box, 1)
        text = _xlsx_text(box.messages[0])
        assert "庄信万丰" in text
        assert "巴斯夫" in text
        with world.session() as s:
            ready = [json.loads(n.params) for n in s.query(Notification).filter_by(
                user_id=world.user("salesperson"), type_code="core.report_ready").order_by(Notification.id)]
            assert [r["rows"] for r in ready] == [2]
            assert ready[0]["url"].startswith(f"/reports/{CODE}?")

            # his rights shrink: the plan no longer names him (nothing about the subscription changes)
            mkt = world.env(s, "marketing_admin")
            (rec,) = mkt.search(m.PlanRecipient, m.PlanRecipient.plan_id == shared_id)
            mkt.delete(rec)

        # Tuesday's delivery is computed with his rights of Tuesday: his own prices only
        done = {d.subscription_id: d for d in subs.deliver_due(world.registry, MONDAY + dt.timedelta(days=1))}
        assert (done[mine_id].outcome, done[mine_id].rows) == ("sent", 1)
        assert (done[boss_id].outcome, done[boss_id].rows) == ("sent", 2)  # the director still reads both
        _wait(box, 2)
        text = _xlsx_text(box.messages[1])
        assert "庄信万丰" in text
        assert "巴斯夫" not in text
        with world.session() as s:
            ready = [json.loads(n.params) for n in s.query(Notification).filter_by(
                user_id=world.user("salesperson"), type_code="core.report_ready").order_by(Notification.id)]
            assert [r["rows"] for r in ready] == [2, 1]
            boss_ready = s.query(Notification).filter_by(user_id=world.user("director"),
                                                         type_code="core.report_ready").count()
            assert boss_ready == 2

            # named again (by role this time): the next delivery grows back
            mkt = world.env(s, "marketing_admin")
            mkt.create(m.PlanRecipient, {"plan_id": shared_id, "group_code": "core.group_salesperson"})
        done = {d.subscription_id: d for d in subs.deliver_due(world.registry, MONDAY + dt.timedelta(days=2))}
        assert (done[mine_id].outcome, done[mine_id].rows) == ("sent", 2)
    finally:
        controller.stop()
