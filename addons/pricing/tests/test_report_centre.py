"""The pricing reports through the report centre (core.reports), on SQLite and PostgreSQL.

Behaviour the old pricing report tests checked, now asserted through
``run_report`` and the subscription delivery: record rules (a salesperson sees
own quotes, a territory manager their territory's, the director all), the
cost-role restriction of the margin report, totals; plus the report centre's
own promises: parameters refused before any query, the .xlsx (sheet title with
``/``, formula-like cells escaped), and subscriptions delivered once per period
with the subscriber's rights at send time.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from addons.pricing.tests.helpers import DAY, D, env_of
from core.errors import AccessDenied
from core.reports import ReportParamsError, run_report
from core.reports.export import to_xlsx

YEAR = {"period": "custom", "date_from": "2026-01-01", "date_to": "2026-12-31"}


def _quotes(db, s, ids):
    """一汽 (华东, 王伟): won, approved out of band with a formula-like comment; 北汽 (华北, 孙立): one lost, one won."""
    from addons.pricing import services as svc

    rep = env_of(db, s, ids, "wangwei")
    sun = env_of(db, s, ids, "sun")
    q1 = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("10"), "unit_price": D("900")}],
                          quote_date=DAY)
    svc.submit_quote(rep, q1)
    svc.approve_quote(env_of(db, s, ids, "zhang_east"), q1, "=cmd|' /C calc'!A0")
    svc.send_quote(rep, q1)
    svc.record_reaction(rep, q1, "accepted")
    q2 = svc.create_quote(sun, ids["baic"], [{"product_id": ids["p2"], "quantity": D("5")}], quote_date=DAY)
    svc.submit_quote(sun, q2)
    svc.send_quote(sun, q2)
    svc.record_reaction(sun, q2, "lost", competitor="BASF", competitor_price=D("700"))
    q3 = svc.create_quote(sun, ids["baic"], [{"product_id": ids["p2"], "quantity": D("2")}], quote_date=DAY)
    svc.submit_quote(sun, q3)
    svc.send_quote(sun, q3)
    svc.record_reaction(sun, q3, "accepted")
    return q1, q2, q3


def test_margin_rules_totals_and_cost_roles(world):
    db, ids = world
    with db.session() as s:
        _quotes(db, s, ids)
        director = env_of(db, s, ids, "director")
        result = run_report(director, "pricing.margin", YEAR, today=DAY)
        assert [c.key for c in result.columns][:3] == ["customer_class", "territory", "product"]
        by_product = {r["product"]: r for r in result.rows}
        # won quote of 一汽: 10 x 900 = 9000, cost 10 x 820 = 8200, margin 800
        assert by_product["TWC-1"]["territory"] == "华东"
        assert [by_product["TWC-1"][k] for k in ("revenue", "cost", "margin")] == [D("9000.00"), D("8200.00"), D("800.00")]
        assert by_product["TWC-2"]["territory"] == "华北"   # the won quote of 北汽 only (the lost one is not priced business)
        assert by_product["TWC-2"]["lines"] == 1
        assert result.totals["revenue"] == sum(r["revenue"] for r in result.rows)
        assert result.totals["margin_pct"] == (result.totals["margin"] / result.totals["revenue"] * 100).quantize(D("0.01"))
        assert result.totals["lines"] == 2
        # each territory manager sees their own territory only
        east = run_report(env_of(db, s, ids, "zhang_east"), "pricing.margin", {**YEAR, "by": "territory"}, today=DAY)
        north = run_report(env_of(db, s, ids, "li_north"), "pricing.margin", {**YEAR, "by": "territory"}, today=DAY)
        assert [r["territory"] for r in east.rows] == ["华东"]
        assert [r["territory"] for r in north.rows] == ["华北"]
        # Finance is a cost role; a salesperson is refused before anything is read
        assert run_report(env_of(db, s, ids, "finance"), "pricing.margin", YEAR, today=DAY).rows
        with pytest.raises(AccessDenied):
            run_report(env_of(db, s, ids, "wangwei"), "pricing.margin", YEAR, today=DAY)
        # the chart is built from the rows; the territory cell drills down to the margin by product of it
        assert result.chart["series"][0]["data"]
        link = result.cell_link(by_product["TWC-1"], result.columns[1])
        assert (link.kind, link.target, link.values["territory"], link.values["by"]) == (
            "report", "pricing.margin", ids["east"], ["product"])


def test_salesperson_sees_own_rows_manager_more(world):
    db, ids = world
    with db.session() as s:
        _quotes(db, s, ids)

        def won_lost(login):
            rows = run_report(env_of(db, s, ids, login), "pricing.win_loss", YEAR, today=DAY).rows
            return sum(r["won"] for r in rows), sum(r["lost"] for r in rows)

        assert won_lost("wangwei") == (1, 0)
        assert won_lost("sun") == (1, 1)
        assert won_lost("zhang_east") == (1, 0)      # his team: 王伟
        assert won_lost("director") == (2, 1)        # everybody
        # a filter narrows within the rules, never widens them
        only_north = run_report(env_of(db, s, ids, "wangwei"), "pricing.win_loss",
                                {**YEAR, "territory": str(ids["north"])}, today=DAY)
        assert only_north.rows == []
        outside = run_report(env_of(db, s, ids, "director"), "pricing.outside_band", YEAR, today=DAY)
        assert [r["approver"] for r in outside.rows] == ["Zhang_East"]
        assert outside.totals["amount"] == D("9000.00")


def test_parameters_out_of_range_are_refused_before_any_query(world, monkeypatch):
    from addons.masterdata.models import Product
    from addons.pricing import reports as queries
    from addons.territories.models import Territory
    from core.i18n import use_lang

    db, ids = world
    calls = []
    monkeypatch.setattr(queries, "win_loss_rows", lambda *a, **k: calls.append(a) or [])
    other = db.company("kmtrade")
    with db.session() as s:
        far = Territory(company_id=other, code="K", name_zh="昆明")  # another company's territory
        s.add(far)
        s.flush()
        far_id = far.id
        rep = env_of(db, s, ids, "wangwei")
        cases = {
            "date_to": {"period": "custom", "date_from": "2026-12-01", "date_to": "2026-11-01"},
            "date_from": {"period": "custom", "date_from": "2026-13-01", "date_to": "2026-11-01"},
            "territory": {**YEAR, "territory": "999999"},
            "salesperson": {**YEAR, "salesperson": "abc"},
            "period": {"period": "next_century"},
        }
        for field, params in cases.items():
            with pytest.raises(ReportParamsError) as err:
                run_report(rep, "pricing.win_loss", params, today=DAY)
            assert field in err.value.errors, (field, err.value.errors)
        with use_lang("zh_CN"), pytest.raises(ReportParamsError) as err:
            run_report(rep, "pricing.win_loss", {"period": "custom", "date_from": "2026-12-01", "date_to": "2026-11-01"},
                       today=DAY)
        assert "结束" in err.value.errors["date_to"]
        with use_lang("en"), pytest.raises(ReportParamsError) as err:
            run_report(rep, "pricing.win_loss", {"period": "custom", "date_from": "2020-01-01", "date_to": "2026-12-31"},
                       today=DAY)
        assert "longer than 731 days" in err.value.errors["date_to"]
        with pytest.raises(ReportParamsError) as err:   # a territory of another company: not readable
            run_report(rep, "pricing.win_loss", {**YEAR, "territory": str(far_id)}, today=DAY)
        assert "territory" in err.value.errors
        assert rep.count(Product) >= 2
        assert calls == []  # no query ran
        run_report(rep, "pricing.win_loss", {**YEAR, "territory": str(ids["east"])}, today=DAY)
        assert len(calls) == 1


def test_xlsx_with_a_slash_in_the_title_escapes_formulas(world):
    from openpyxl import load_workbook

    db, ids = world
    with db.session() as s:
        _quotes(db, s, ids)
        director = env_of(db, s, ids, "director")
        win_loss = run_report(director, "pricing.win_loss", YEAR, today=DAY)
        book = load_workbook(io.BytesIO(to_xlsx(win_loss, "en")))
        assert book.active.title == "Win-loss by strategy"
        outside = run_report(director, "pricing.outside_band", YEAR, today=DAY)
        ws = load_workbook(io.BytesIO(to_xlsx(outside, "en"))).active
        values = [c.value for row in ws.iter_rows() for c in row]
        assert "'=cmd|' /C calc'!A0" in values
        assert "=cmd|' /C calc'!A0" not in values
        amounts = [c for row in ws.iter_rows() for c in row if c.value == 9000]
        assert amounts
        assert amounts[0].number_format == "#,##0.00"


def _subscription(s, ids, user, code, params, company_id, **fields):
    from core.models import ReportSubscription

    row = ReportSubscription(company_id=company_id, user_id=user, report_code=code,
                             params=json.dumps(params), schedule=fields.get("schedule", "daily"),
                             weekday=fields.get("weekday"), day=fields.get("day"), channel=fields.get("channel", "inbox"),
                             active=True, created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    s.add(row)
    s.flush()
    return row.id


def test_subscription_delivered_once_per_period_with_the_subscribers_rights(world):
    from core.models import Notification
    from core.reports import subscriptions as subs

    db, ids = world
    with db.session() as s:
        _quotes(db, s, ids)
        rep = env_of(db, s, ids, "wangwei")
        acme = rep.company_id
        mine = subs.subscribe(rep, "pricing.win_loss", {"period": "this_year"}, schedule="weekly", weekday=0)
        mine.created_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        mine_id = mine.id
        # made for him by somebody else: another territory's filter, and the margin he may not see
        forged = _subscription(s, ids, ids["users"]["wangwei"], "pricing.win_loss",
                               {"period": ["this_year"], "territory": [str(ids["north"])]}, acme)
        margin = _subscription(s, ids, ids["users"]["wangwei"], "pricing.margin", {"period": ["this_year"]}, acme)
        boss = _subscription(s, ids, ids["users"]["director"], "pricing.win_loss", {"period": ["this_year"]}, acme)
    monday = dt.datetime(2026, 11, 16, 1, 0, tzinfo=dt.UTC)      # 09:00 in Shanghai, a Monday
    done = {d.subscription_id: d for d in subs.deliver_due(db.registry, monday)}
    assert done[mine_id].outcome == "sent"
    assert done[forged].outcome == "sent"
    assert done[forged].rows == 0
    assert done[margin].outcome == "failed"
    assert done[boss].outcome == "sent"
    # the same period again: nothing; later the same day: nothing
    assert subs.deliver_due(db.registry, monday) == []
    assert subs.deliver_due(db.registry, monday + dt.timedelta(hours=5)) == []
    with db.session() as s:
        rows = list(s.query(Notification).filter_by(user_id=ids["users"]["wangwei"]).order_by(Notification.id))
        kinds = [r.type_code for r in rows]
        assert kinds.count("core.report_ready") == 2
        assert kinds.count("core.report_failed") == 1
        ready = json.loads(next(r for r in rows if r.type_code == "core.report_ready").params)
        assert ready["url"].startswith("/reports/pricing.win_loss?")
        assert "period=this_year" in ready["url"]
        assert ready["rows"] == 1                                        # his one strategy row, not 孙立's
        failed = next(json.loads(r.params) for r in rows if r.type_code == "core.report_failed")
        assert "Margins" in failed["reason"] or "毛利" in failed["reason"]
    # Tuesday: the daily ones again, not the weekly one; next Monday the weekly one again
    tuesday = {d.subscription_id for d in subs.deliver_due(db.registry, monday + dt.timedelta(days=1))}
    assert tuesday == {forged, margin, boss}
    next_monday = {d.subscription_id for d in subs.deliver_due(db.registry, monday + dt.timedelta(days=7))}
    assert mine_id in next_monday


def test_subscription_rights_are_read_at_send_time(world):
    """A director subscribed to the margin and was then moved to a salesperson's role: refused at send time."""
    from core.models import Group, User
    from core.reports import subscriptions as subs

    db, ids = world
    with db.session() as s:
        _quotes(db, s, ids)
        boss = env_of(db, s, ids, "director")
        sub = subs.subscribe(boss, "pricing.margin", YEAR, schedule="daily")
        sub.created_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        sub_id = sub.id
        user = s.get(User, ids["users"]["director"])
        user.groups = [s.query(Group).filter_by(code="core.group_salesperson").one()]
    (delivery,) = [d for d in subs.deliver_due(db.registry, dt.datetime(2026, 11, 16, 2, tzinfo=dt.UTC))
                   if d.subscription_id == sub_id]
    assert delivery.outcome == "failed"
    assert delivery.rows == 0


def test_subscription_forms_refuse_bad_input_and_other_users(world):
    from core.errors import ValidationError
    from core.reports import subscriptions as subs

    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        with pytest.raises(ValidationError):
            subs.subscribe(rep, "pricing.win_loss", YEAR, schedule="hourly")
        with pytest.raises(ValidationError):
            subs.subscribe(rep, "pricing.win_loss", YEAR, schedule="monthly", day=31)
        with pytest.raises(ReportParamsError):
            subs.subscribe(rep, "pricing.win_loss", {"period": "custom", "date_from": "2026-12-01", "date_to": "2026-01-01"})
        with pytest.raises(AccessDenied):
            subs.subscribe(rep, "pricing.margin", YEAR)
        row = subs.subscribe(rep, "pricing.win_loss", YEAR, schedule="monthly", day=3)
        sun = env_of(db, s, ids, "sun")
        assert subs.my_subscriptions(sun) == []
        with pytest.raises(AccessDenied):
            subs.update_subscription(sun, row.id, schedule="daily")
        with pytest.raises(AccessDenied):
            subs.delete_subscription(sun, row.id)
        assert subs.period_key(row, dt.date(2026, 11, 2)) == dt.date(2026, 10, 3)
        assert subs.period_key(row, dt.date(2026, 11, 3)) == dt.date(2026, 11, 3)
        subs.update_subscription(rep, row.id, schedule="weekly", weekday=4)
        assert subs.period_key(row, dt.date(2026, 11, 16)) == dt.date(2026, 11, 13)
        subs.delete_subscription(rep, row.id)
        assert subs.my_subscriptions(rep) == []


def test_subscription_by_email_carries_the_xlsx(world, tmp_path):
    import email
    import email.policy
    import socket
    import time

    from aiosmtpd.controller import Controller
    from openpyxl import load_workbook

    from core.config import Instance
    from core.models import User
    from core.reports import subscriptions as subs

    class Box:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    box = Box()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        (tmp_path / "config.toml").write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\n', encoding="utf-8")
        db, ids = world
        db.registry.instance = Instance(tmp_path)
        with db.session() as s:
            _quotes(db, s, ids)
            user = s.get(User, ids["users"]["director"])
            user.email, user.lang = "director@example.com", "en"
            boss = env_of(db, s, ids, "director")
            sub = subs.subscribe(boss, "pricing.win_loss", YEAR, schedule="daily", channel="email")
            sub.created_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        (delivery,) = subs.deliver_due(db.registry, dt.datetime(2026, 11, 16, 2, tzinfo=dt.UTC))
        assert delivery.outcome == "sent"
        end = time.monotonic() + 5
        while not box.messages and time.monotonic() < end:
            time.sleep(0.05)
        (msg,) = box.messages
        assert msg["Subject"] == "Report: Win/loss by strategy"
        (part,) = list(msg.iter_attachments())
        assert part.get_filename().endswith(".xlsx")
        ws = load_workbook(io.BytesIO(part.get_content())).active
        assert ws.title == "Win-loss by strategy"
        assert Decimal(str(ws.max_row)) >= 5
    finally:
        controller.stop()


def test_the_kernel_job_delivers_due_subscriptions_once_per_hour_tick(world):
    """``core.report_subscriptions`` (hourly, instance-wide) runs deliver_due at its scheduled time."""
    from core.jobs import declared_jobs, run_periodic
    from core.models import JobRun, Notification
    from core.reports import subscriptions as subs

    db, ids = world
    spec = declared_jobs(db.registry)["core.report_subscriptions"]
    assert spec.periodic
    assert not spec.per_company
    with db.session() as s:
        _quotes(db, s, ids)
        sub = subs.subscribe(env_of(db, s, ids, "wangwei"), "pricing.win_loss", YEAR, schedule="daily")
        sub.created_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    tick = dt.datetime(2026, 11, 16, 1, 5, tzinfo=dt.UTC)
    run_periodic(db.registry, "core.report_subscriptions", tick)
    run_periodic(db.registry, "core.report_subscriptions", tick)            # the same tick again: nothing
    run_periodic(db.registry, "core.report_subscriptions", tick + dt.timedelta(hours=1))  # same day: not due
    with db.session() as s:
        ready = s.query(Notification).filter_by(user_id=ids["users"]["wangwei"], type_code="core.report_ready")
        assert ready.count() == 1
        runs = s.query(JobRun).filter_by(job_code="core.report_subscriptions").all()
        assert {r.state for r in runs} == {"done"}
        assert len(runs) == 2
