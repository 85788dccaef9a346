"""Tests of field_activity on SQLite and PostgreSQL: plan -> review -> visit -> daily report,
the radius flag, the day lock, reminders, measures, the forecast, bad input, rights per role
(including another salesperson's visit photo by id), the offline sync's idempotency, the meeting page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.errors import AccessDenied, ValidationError
from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["field_activity", "territories"])

KUNMING = (25.040000, 102.710000)
NEAR = (25.041000, 102.710500)   # ~120 m away
FAR = (25.060000, 102.740000)    # ~3.7 km away


def _m(world):
    return world.addon_module("field_activity", "models")


def _svc(world):
    return world.addon_module("field_activity", "services")


def _emp(world, role, company="acme"):
    return world.data["masterdata"][company]["employees"][role]


def _setup(world, s, uid2):
    """Two salespeople under the territory manager, customers with and without a location."""
    md, fa = world.factories.masterdata, world.factories.field_activity
    admin = world.env(s, "admin")
    sp, tm = _emp(world, "salesperson"), _emp(world, "territory_manager")
    sp2 = md.employee(admin, name="赵敏", user=uid2, position="salesperson", manager=tm).id
    c1 = md.customer(admin, name="昆明冶炼厂", owner=sp)
    c2 = md.customer(admin, name="云南铜业", owner=sp)
    c3 = md.customer(admin, name="个旧锡业", owner=sp2)
    fa.location(admin, c1, *KUNMING)
    return SimpleNamespace(admin=admin, sp=sp, sp2=sp2, tm=tm, uid2=uid2, c1=c1, c2=c2, c3=c3)


def test_plan_review_visit_report_lock_and_reminders(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _m(world), _svc(world)
    fa = world.factories.field_activity
    from core.measures import measure_value, total

    uid2 = world.add_user("salesperson2_acme", "salesperson", "acme")
    with world.session() as s:
        x = _setup(world, s, uid2)
        seller, manager = world.env(s, "salesperson"), world.env(s, "territory_manager")
        today = svc.local_today(seller)
        # the weekly fixed route, with a suggested order from the known locations
        svc.set_route(seller, x.sp, 0, [x.c2.id, x.c1.id])
        assert [st.customer_id for st in svc.route(seller, x.sp, 0)] == [x.c2.id, x.c1.id]
        assert svc.suggested_order(seller, [x.c2.id, x.c1.id]) == [x.c1.id, x.c2.id]  # located first
        with pytest.raises(ValidationError):
            svc.set_route(seller, x.sp, 0, [x.c1.id, x.c1.id])
        # next week's plan from the route; submitting needs a key visit; the manager confirms
        nxt = svc.week_start(today) + dt.timedelta(days=7)
        plan = svc.week_plan(seller, x.sp, nxt)
        assert [(ln.customer_id, ln.planned_on) for ln in plan.lines] == [(x.c2.id, nxt), (x.c1.id, nxt)]
        with pytest.raises(ValidationError, match="重点|key"):
            svc.submit_plan(seller, plan)
        svc.add_line(seller, plan, x.c2.id, nxt + dt.timedelta(days=2), "送样", key=True)
        with pytest.raises(ValidationError):
            svc.add_line(seller, plan, x.c2.id, nxt + dt.timedelta(days=9))
        svc.submit_plan(seller, plan)
        assert plan.state == "submitted"
        with pytest.raises(AccessDenied):  # not by the requester
            svc.review_plan(seller, plan, True)
        # the other salesperson does not even see it
        assert world.env(s, user=x.uid2).search(m.Plan) == []
        assert [p.id for p in svc.plans_waiting(manager)] == [plan.id]
        first = plan.lines[0]
        svc.review_plan(manager, plan, True, "重点跟进云南铜业", [{"id": first.id, "key": True}])
        assert plan.state == "confirmed"
        assert plan.manager_comment == "重点跟进云南铜业"
        assert sum(ln.key for ln in plan.lines) == 2
        with pytest.raises(ValidationError):
            svc.add_line(seller, plan, x.c1.id, nxt)

        # visits: near (not flagged), far (flagged, never blocked), no position (marked), no known location
        now = dt.datetime.now(dt.UTC)
        near = fa.visit(seller, x.c1, photo_bytes=fa.photo(), latitude=NEAR[0], longitude=NEAR[1],
                        checkin_at=now - dt.timedelta(minutes=30), contacts_met="李工", next_step="送样")
        far = fa.visit(seller, x.c1, latitude=FAR[0], longitude=FAR[1], checkin_at=now - dt.timedelta(minutes=20))
        blind = fa.visit(seller, x.c1, checkin_at=now - dt.timedelta(minutes=10))
        unknown = fa.visit(seller, x.c2, latitude=NEAR[0], longitude=NEAR[1])
        assert 80 < near.distance_m < 200
        assert not near.flagged
        assert not near.no_position
        assert far.distance_m > 3000
        assert far.flagged
        assert blind.no_position
        assert blind.distance_m is None
        assert not blind.flagged
        assert unknown.distance_m is None
        assert not unknown.flagged
        assert near.territory_id is None or isinstance(near.territory_id, int)
        assert [v.id for v in svc.flagged_visits(manager)] == [far.id]
        # the photo went through the kernel attachments, watermarked (a JPEG re-encoded on the server)
        photos = svc.visit_photos(manager, near)
        assert len(photos) == 1
        assert photos[0].mime == "image/jpeg"

        # the daily report: prefilled from the day's visits, submitted, then the day is locked
        filled = svc.prefill(seller, x.sp, today)
        assert filled["visits_count"] == 4
        assert "昆明冶炼厂" in filled["visits_summary"]
        report = fa.daily_report(seller, collections_amount="12000.50", expenses_amount="80", problems="价格偏高")
        assert report.state == "submitted"
        assert report.visits_count == 4
        assert report.collections_amount == Decimal("12000.50")
        before = (seller.count(m.Visit), seller.count(m.DailyReport))
        for lang, pattern in (("zh_CN", "已提交"), ("en", "already submitted")):
            with use_lang(lang), pytest.raises(ValidationError, match=pattern):
                fa.daily_report(seller, problems="again")
        with pytest.raises(ValidationError, match="锁定|locked"):
            fa.visit(seller, x.c2)
        with pytest.raises(ValidationError):
            seller.write(report, {"problems": "偷偷改"})
        s.refresh(report)
        assert report.problems == "价格偏高"
        assert (seller.count(m.Visit), seller.count(m.DailyReport)) == before
        # the manager above may correct it (audited); a new visit of the day too
        svc.manager_edit(manager, report, {"expenses_amount": "95"})
        assert report.expenses_amount == Decimal("95.00")

        # reminders at the cut-off: the second salesperson has not submitted; their manager hears it
        from core.lifecycle import SetupEnv
        from core.models import Notification

        kernel = SetupEnv(world.registry, s, seller.company_id)
        cutoff = svc.settings(kernel).cutoff_hour
        tzinfo = svc.common.tz(kernel)
        at = dt.datetime.combine(today, dt.time(cutoff), tzinfo=tzinfo)
        reminders = svc.reports.remind_missing_reports
        assert reminders(SimpleNamespace(env=kernel, scheduled_at=at - dt.timedelta(hours=3), params={})) == \
            {"salespeople": 0, "managers": 0}
        sent = reminders(SimpleNamespace(env=kernel, scheduled_at=at, params={}))
        assert sent["salespeople"] >= 1
        notes = s.query(Notification).filter(Notification.type_code.like("field_activity.%")).all()
        assert {n.type_code for n in notes if n.user_id == x.uid2} == {"field_activity.report_missing"}
        assert not [n for n in notes if n.user_id == world.user("salesperson")]
        team_notes = [n for n in notes if n.user_id == world.user("territory_manager")]
        assert [n.type_code for n in team_notes] == ["field_activity.report_missing_team"]
        assert "赵敏" in team_notes[0].params

        # measures: visits per day, flagged check-ins, report punctuality
        assert total(measure_value(manager, "field_activity.visits")) == 4
        assert total(measure_value(manager, "field_activity.flagged_checkins")) == 1
        assert total(measure_value(manager, "field_activity.reports_submitted")) == 1
        assert total(measure_value(world.env(s, user=x.uid2), "field_activity.visits")) == 0
        by_day = measure_value(manager, "field_activity.visits", group_by=["salesperson"], grain="day")
        assert [(r.dims["salesperson"], r.value) for r in by_day] == [(x.sp, 4)]
        assert total(measure_value(world.env(s, "director", "other"), "field_activity.visits")) == 0

        # the rolling forecast (shared contract), read through its measure
        product = world.factories.masterdata.product(x.admin, code="PT-01", name="铂碳催化剂")
        month = svc.forecast_months(today)[0]
        svc.save_forecast(seller, [{"customer_id": x.c1.id, "product_id": product.id, "month": month.isoformat(),
                                    "quantity": "10", "amount": "50000"}])
        svc.save_forecast(seller, [{"customer_id": x.c1.id, "product_id": product.id, "month": month.isoformat(),
                                    "quantity": "12", "amount": "60000"}])
        assert seller.count(m.Forecast) == 1
        assert total(measure_value(manager, "field_activity.forecast_amount", group_by=["product"])) == Decimal("60000")
        with pytest.raises(ValidationError):
            svc.save_forecast(seller, [{"customer_id": x.c1.id, "product_id": product.id,
                                        "month": today.replace(day=1).isoformat(), "amount": "1"}])

        # the weekly meeting: last week is empty, next week's key visits are there
        data = svc.meeting(manager, today=today + dt.timedelta(days=7))
        rows = {r["employee"].id: r for r in data["rows"]}
        assert set(rows) == {x.sp, x.sp2}
        assert rows[x.sp]["done"] == 4
        assert rows[x.sp]["flagged"] == 1
        assert rows[x.sp]["reports"] == 1
        assert rows[x.sp]["planned"] == 0
        data = svc.meeting(manager, today=today + dt.timedelta(days=14), days=3)
        rows = {r["employee"].id: r for r in data["rows"]}
        assert rows[x.sp]["planned"] == 3
        assert rows[x.sp]["done"] == 0
        assert rows[x.sp2]["not_visited"] == 1  # 个旧锡业, never visited
        with pytest.raises(AccessDenied):
            svc.meeting(seller, manager_id=x.tm)


def test_bad_input_rights_photo_by_id_and_sync_idempotency(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _m(world), _svc(world)
    fa = world.factories.field_activity
    from core.attachments import open_attachment

    uid2 = world.add_user("salesperson2_acme", "salesperson", "acme")
    with world.session() as s:
        x = _setup(world, s, uid2)
        seller, manager = world.env(s, "salesperson"), world.env(s, "territory_manager")
        other_seller, director = world.env(s, user=x.uid2), world.env(s, "director")
        today = svc.local_today(seller)

        def count() -> tuple[int, int, int]:
            from core.models import Attachment

            return (x.admin.count(m.Visit), x.admin.count(m.DailyReport), s.query(Attachment).count())

        before = count()
        # a visit dated in the future
        for lang, pattern in (("zh_CN", "未来"), ("en", "future")):
            with use_lang(lang), pytest.raises(ValidationError, match=pattern):
                fa.visit(seller, x.c1, visit_date=(today + dt.timedelta(days=1)).isoformat())
        # an oversized photo and a non-image photo
        x.admin.write(svc.settings(x.admin), {"max_photo_kb": 1})
        big = fa.photo(400, 400, "PNG", (1, 2, 3))
        import os

        noisy = fa.photo(10, 10)[:0] + os.urandom(2048)
        for lang, pattern in (("zh_CN", "太大|过大"), ("en", "too large")):
            with use_lang(lang), pytest.raises(ValidationError, match=pattern):
                fa.visit(seller, x.c1, photo_bytes=big + noisy)
        x.admin.write(svc.settings(x.admin), {"max_photo_kb": 5120})
        for lang, pattern in (("zh_CN", "图片"), ("en", "image")):
            with use_lang(lang), pytest.raises(ValidationError, match=pattern):
                fa.visit(seller, x.c1, photo_bytes=b"%PDF-1.4 not a photo at all")
            with use_lang(lang), pytest.raises(ValidationError, match=pattern):
                fa.visit(seller, x.c1, photo_bytes=b"<html><script>alert(1)</script></html>")
        # a customer the salesperson may not see
        with pytest.raises(ValidationError):
            fa.visit(seller, x.c3)
        assert count() == before
        # a check-in without position: allowed, marked
        blind = fa.visit(seller, x.c1, photo_bytes=fa.photo())
        assert blind.no_position
        assert not blind.flagged

        # rights: own, subtree, all; another salesperson's visit photo by id is refused
        theirs = fa.visit(other_seller, x.c3, latitude=FAR[0], longitude=FAR[1])
        assert {v.id for v in seller.search(m.Visit)} == {blind.id}
        assert {v.id for v in other_seller.search(m.Visit)} == {theirs.id}
        assert {v.id for v in manager.search(m.Visit)} == {blind.id, theirs.id}
        assert {v.id for v in director.search(m.Visit)} == {blind.id, theirs.id}
        assert world.env(s, "director", "other").search(m.Visit) == []
        photo = svc.visit_photos(seller, blind)[0]
        assert open_attachment(seller, photo.id).read()[:2] == b"\xff\xd8"
        assert open_attachment(manager, photo.id).read()
        with pytest.raises(AccessDenied):
            open_attachment(other_seller, photo.id)
        with pytest.raises(AccessDenied):
            other_seller.get(m.Visit, blind.id)
        with pytest.raises(AccessDenied):
            other_seller.write(blind, {"notes": "x"})
        from core.testing.web import logged_in_client
        from core.web.app import create_app

        app = create_app(registry=world.registry, test_config={"TESTING": True})
        s.commit()
        other = logged_in_client(app, "salesperson2_acme", world.password)
        assert other.get(f"/attachments/{photo.id}").status_code in (403, 404)
        assert other.get(f"/field_activity/visits/{blind.id}").status_code in (403, 404)
        mine = logged_in_client(app, world.login("salesperson"), world.password)
        assert mine.get(f"/attachments/{photo.id}").status_code == 200
        page = mine.get("/field_activity/today")
        assert page.status_code == 200
        assert "昆明冶炼厂" in page.text
        assert "serviceWorker" in mine.get("/field_activity/static/field_activity.js").text
        sw = mine.get("/field_activity/sw.js")
        assert sw.status_code == 200
        assert "/field_activity/today" in sw.text
        assert "http" not in sw.text.split("*/", 1)[1]
        assert mine.get("/field_activity/manifest.webmanifest").json["start_url"] == "/field_activity/today"
        # the other pages answer for the salesperson and the manager
        for url in ("/field_activity/plan", "/field_activity/route", "/field_activity/visit-list/",
                    "/field_activity/report-list/", f"/field_activity/visits/{blind.id}"):
            assert mine.get(url, follow_redirects=True).status_code == 200, url
        boss = logged_in_client(app, world.login("territory_manager"), world.password)
        for url in ("/field_activity/meeting", "/field_activity/team", f"/field_activity/visits/{theirs.id}",
                    "/reports/field_activity.activity"):
            answer = boss.get(url, follow_redirects=True)
            assert answer.status_code == 200, url
        assert "赵敏" in boss.get("/field_activity/meeting").text
        assert "赵敏" in boss.get("/field_activity/team").text

    # the offline queue's sync: each entry once, whatever the retries; a conflict is reported, not applied
    with world.session() as s:
        seller = world.env(s, "salesperson")
        today = svc.local_today(seller)
        entries = [
            {"key": "k-visit-1", "kind": "visit", "data": {"customer_id": x.c1.id, "visit_date": today.isoformat(),
                                                          "latitude": NEAR[0], "longitude": NEAR[1]},
             "photo": "data:image/png;base64," + __import__("base64").b64encode(fa.photo()).decode()},
            {"key": "k-visit-2", "kind": "visit", "data": {"customer_id": x.c2.id, "visit_date": today.isoformat()}},
            {"key": "k-report", "kind": "report", "data": {"report_date": today.isoformat(), "problems": "无"}},
            {"key": "k-bad", "kind": "visit", "data": {"customer_id": x.c1.id,
                                                       "visit_date": (today + dt.timedelta(days=3)).isoformat()}},
        ]
        first = svc.sync(seller, entries)
        assert [r["status"] for r in first] == ["created", "created", "created", "error"]
        assert "future" in first[3]["message"] or "未来" in first[3]["message"]
    for _retry in range(2):
        with world.session() as s:
            again = svc.sync(world.env(s, "salesperson"), entries[:3])
            assert [r["status"] for r in again] == ["duplicate"] * 3
            assert [r["id"] for r in again] == [r["id"] for r in first[:3]]
    with world.session() as s:
        seller = world.env(s, "salesperson")
        assert seller.count(m.Visit) == 3
        assert seller.count(m.DailyReport) == 1
        report = seller.search(m.DailyReport)[0]
        assert report.visits_count == 3
        conflict = svc.sync(seller, [{"key": "k-report-2", "kind": "report", "data": {"report_date": today.isoformat(),
                                                                                     "problems": "覆盖?"}}])
        assert conflict[0]["status"] == "conflict"
        assert seller.search(m.DailyReport)[0].problems == "无"
        # the same key from another user is not theirs: refused, nothing revealed
        stolen = svc.sync(world.env(s, user=x.uid2), entries[:1])
        assert stolen[0]["status"] == "error"
        assert "id" not in stolen[0]


def test_demo_file_is_the_generator_output_and_refers_to_masterdata_demo():
    """The demo is deterministic (the committed file is what the generator writes) and every
    reference names a masterdata demo record (loading it is checked by hand: ~1,900 records)."""
    import importlib.util
    from pathlib import Path

    import yaml

    folder = Path(__file__).resolve().parent.parent / "demo"
    spec = importlib.util.spec_from_file_location("fa_demo_generate", folder / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    data = gen.generate()
    loaded = yaml.load((folder / "field_activity_demo.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert loaded == data
    master = set()
    for name in ("customers.yaml", "employees.yaml", "products.yaml"):
        doc = yaml.load((gen.MASTER / name).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        master |= {r["id"] for r in doc["records"]}
    territories = {r["id"] for r in yaml.load(gen.TERRITORIES.read_text(encoding="utf-8"),
                                              Loader=yaml.CSafeLoader)["records"]}
    local = {r["id"] for r in data["records"]}
    refs = [v.removeprefix("ref:") for r in data["records"] for v in r["values"].values()
            if isinstance(v, str) and v.startswith("ref:")]
    assert {v.removeprefix("masterdata.") for v in refs if v.startswith("masterdata.")} <= master
    assert {v.removeprefix("territories.") for v in refs if v.startswith("territories.")} <= territories
    assert {v for v in refs if "." not in v} <= local
    plans = [r for r in data["records"] if r["model"] == "field_activity_plan"]
    approvals = {r["values"]["res_id"].removeprefix("ref:"): r["values"]["state"] for r in data["records"]
                 if r["model"] == "core_approval"}
    assert {p["id"]: p["values"]["state"] for p in plans} == approvals  # every plan has its approval row
    assert {p["values"]["kind"] for p in plans} == {"week", "month"}
    visits = [r for r in data["records"] if r["model"] == "field_activity_visit"]
    assert len(visits) > 1000
    assert {r["values"]["visit_date"].year for r in visits} == {2025, 2026}
    assert 0 < sum(1 for r in visits if r["values"].get("flagged")) < len(visits) // 5
    assert all(r["values"].get("territory_id") and r["values"]["duration_min"] > 0 for r in visits)
