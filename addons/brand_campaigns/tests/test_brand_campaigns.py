"""Tests of brand_campaigns on SQLite and PostgreSQL: positioning and its approval, toolkit
versions and publication, plans with a budget line, activities and the calendar, distributors and
their evaluation, questionnaire tokens, measures, reports, bad input and who sees what."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from core.errors import AccessDenied, ValidationError
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _m(world):
    return world.addon_module("brand_campaigns", "models")


def _svc(world):
    return world.addon_module("brand_campaigns", "services")


def _emp(world, role, company="acme"):
    return world.data["masterdata"][company]["employees"][role]


def _client(world, role, company="acme"):
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    return app, logged_in_client(app, world.login(role, company), world.password)


POSITIONING = {"year": 2027, "customer_needs": "排放达标、供货稳定", "competitor_strengths": "外资品牌技术领先",
               "own_strengths": "贵金属回收与配方能力", "proposition": "low_cost_technology",
               "statement": "以技术降低排放达标成本"}


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 90, 200)).save(buf, "PNG")
    return buf.getvalue()


def test_positioning_approval_toolkit_publication_and_who_reads_what(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _m(world), _svc(world)
    with world.session() as s:
        owner, director = world.env(s, "marketing_admin"), world.env(s, "director")
        seller = world.env(s, "salesperson")
        # positioning: bad input refused, nothing saved
        with pytest.raises(ValidationError, match="价值主张|value proposition"):
            svc.positioning.save_positioning(owner, {**POSITIONING, "proposition": "cheapest"})
        with pytest.raises(ValidationError, match="请填写|required"):
            svc.positioning.save_positioning(owner, {**POSITIONING, "own_strengths": " "})
        assert owner.count(m.Positioning) == 0
        p = svc.positioning.save_positioning(owner, POSITIONING)
        old = svc.positioning.save_positioning(owner, {**POSITIONING, "year": 2026, "proposition": "stable_quality"})
        with pytest.raises(ValidationError, match="2027"):
            svc.positioning.save_positioning(owner, POSITIONING)
        # the brand owner submits; they cannot approve; a salesperson cannot submit; the committee approves
        with pytest.raises(AccessDenied):
            svc.positioning.fire(seller, p, "submit")
        svc.positioning.fire(owner, p, "submit")
        with pytest.raises(AccessDenied):
            svc.positioning.fire(owner, p, "approve")
        with pytest.raises(ValidationError):
            svc.positioning.save_positioning(owner, {**POSITIONING, "statement": "改"}, p)
        svc.positioning.fire(director, p, "approve", "经理办公会议通过")
        assert p.state == "approved"
        # history by year; a salesperson reads the approved positioning only
        assert [x.year for x in svc.positioning.history(owner)] == [2027, 2026]
        assert [x.year for x in svc.positioning.history(seller)] == [2027]
        with pytest.raises(AccessDenied):
            seller.get(m.Positioning, old.id)
        assert svc.positioning.current(seller, 2028).id == p.id
        # toolkit: an item, v1 in Chinese with a file, approved then published by the brand owner
        item = svc.toolkit.create_item(owner, {"kind": "brochure", "title_zh": "产品手册", "title_en": "Brochure"})
        v1 = svc.toolkit.add_version(owner, item, "zh_CN", PDF, filename="手册v1.pdf")
        assert v1.number == 1
        assert v1.state == "draft"
        with pytest.raises(AccessDenied):
            svc.toolkit.add_version(seller, item, "zh_CN", PDF, filename="x.pdf")
        svc.toolkit.fire(owner, v1, "submit")
        with pytest.raises(AccessDenied):
            svc.toolkit.fire(owner, v1, "approve")
        with pytest.raises(AccessDenied):
            svc.toolkit.fire(owner, v1, "publish")  # not approved yet
        assert seller.search(m.ToolkitVersion) == []
        svc.toolkit.fire(director, v1, "approve")
        assert seller.search(m.ToolkitVersion) == []  # approved is not published
        svc.toolkit.fire(owner, v1, "publish")
        assert v1.current
        assert v1.published_at is not None
        assert [v.id for v in seller.search(m.ToolkitVersion)] == [v1.id]
        # v2 (and an English v1): v2 is a draft, the salesperson still reads v1 only
        v2 = svc.toolkit.add_version(owner, item, "zh_CN", PDF + b"2", filename="手册v2.pdf")
        en1 = svc.toolkit.add_version(owner, item, "en", PDF, filename="brochure.pdf")
        assert (v2.number, en1.number) == (2, 1)
        assert [v.id for v in seller.search(m.ToolkitVersion)] == [v1.id]
        with pytest.raises(AccessDenied):
            seller.get(m.ToolkitVersion, v2.id)
        for who, t in ((owner, "submit"), (director, "approve"), (owner, "publish")):
            svc.toolkit.fire(who, v2, t)
        s.refresh(v1)
        assert (v1.current, v2.current) == (False, True)
        assert [v.id for v in seller.search(m.ToolkitVersion)] == [v2.id]
        assert {v.number for v in owner.search(m.ToolkitVersion, m.ToolkitVersion.lang == "zh_CN")} == {1, 2}
        # the files: the salesperson opens the published one, not the others
        from core.attachments import open_attachment

        f2, f1 = svc.toolkit.file_of(owner, v2), svc.toolkit.file_of(owner, v1)
        assert open_attachment(seller, f2.id).read() == PDF + b"2"
        with pytest.raises(AccessDenied):
            open_attachment(seller, f1.id)
        # a submit without a file is refused; an oversized file saves nothing
        from core.attachments import set_limits

        set_limits(s, world.companies["acme"], max_size=1024)
        before = owner.count(m.ToolkitVersion)
        with pytest.raises(ValidationError, match="太大|too large"):
            svc.toolkit.add_version(owner, item, "zh_CN", PDF + b"0" * 2000, filename="big.pdf")
        assert owner.count(m.ToolkitVersion) == before
        with pytest.raises(ValidationError, match="文件|file"):
            svc.toolkit.add_version(owner, item, "zh_CN", b"", filename="empty.pdf")
        # another company sees nothing of acme's brand
        other = world.env(s, "marketing_admin", "other")
        assert other.count(m.ToolkitVersion) == 0
        assert other.count(m.Positioning) == 0
        with pytest.raises(AccessDenied):
            other.get(m.ToolkitItem, item.id)
        # to-dos: nothing waits for the director now; a new submitted version does
        from addons.brand_campaigns.todos import todos

        svc.toolkit.fire(owner, en1, "submit")
        s.flush()
        assert {t.key: t.count for t in todos(director)}["brand_campaigns.versions"] == 1
        v2_id, f2_id, f1_id = v2.id, f2.id, f1.id
    # pages: the salesperson's toolkit lists the published version and downloads it
    app, client = _client(world, "salesperson")
    page = client.get("/brand/toolkit")
    assert page.status_code == 200
    assert f'data-download="{v2_id}"' in page.text
    assert client.get(f"/attachments/{f2_id}?download=1").data == PDF + b"2"
    assert client.get(f"/attachments/{f1_id}").status_code in (403, 404)
    assert client.get("/brand/distributors").status_code == 200  # the distributors he looks after (none)
    assert client.get("/brand/surveys").status_code == 403
    # the brand owner: an oversized upload through the page is refused in Chinese, nothing saved
    from core.testing.web import csrf_token, logged_in_client

    owner_client = logged_in_client(app, world.login("marketing_admin"), world.password)
    token = csrf_token(owner_client.get("/brand/toolkit").text)
    import io

    bad = owner_client.post("/brand/toolkit", data={"csrf_token": token, "form": "version", "item_id": item.id,
                                                   "lang": "zh_CN", "file": (io.BytesIO(PDF + b"0" * 2000), "big.pdf")},
                            content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "太大" in bad.text or "too large" in bad.text
    with world.session() as s:
        assert world.env(s, "admin").count(m.ToolkitVersion) == before
    # a published version is locked: the kernel's attachment routes add nothing to it nor delete its file,
    # for the brand owner and the administrator alike (what the committee approved is what is published)
    from core.models import Attachment

    png = _png()
    for role in ("marketing_admin", "admin"):
        who = logged_in_client(app, world.login(role), world.password)
        tok = csrf_token(who.get("/brand/toolkit").text)
        up = who.post(f"/attachments/upload/brand_campaigns_toolkit_version/{v2_id}",
                      data={"csrf_token": tok, "file": (io.BytesIO(png), "swap.png")},
                      content_type="multipart/form-data")
        assert up.status_code == 403
        gone = who.post(f"/attachments/{f2_id}/delete", data={"csrf_token": tok})
        assert gone.status_code == 403
    with world.session() as s:
        assert s.query(Attachment).filter(Attachment.model == "brand_campaigns_toolkit_version",
                                          Attachment.res_id == v2_id).count() == 1
        owner = world.env(s, "marketing_admin")
        with pytest.raises(AccessDenied):
            owner.attach(owner.get(m.ToolkitVersion, v2_id), png, filename="swap.png")
        # a draft version still takes its file
        draft = svc.toolkit.add_version(owner, owner.get(m.ToolkitItem, item.id), "zh_CN", PDF + b"3",
                                        filename="手册v3.pdf")
        assert owner.attach(draft, png, filename="封面.png").res_id == draft.id


def test_plans_budget_link_activities_calendar_and_measures(tixi_world, monkeypatch):  # noqa: F811
    world = tixi_world
    m, svc = _m(world), _svc(world)
    with world.session() as s:
        owner, seller = world.env(s, "marketing_admin"), world.env(s, "salesperson")
        ch = {c.code: c for c in svc.channels(owner)}
        assert set(ch) == {"trade_media", "academic_conference", "exhibition", "customer_seminar", "online"}
        assert ch["exhibition"].name_zh == "展览会"
        assert ch["exhibition"].name_en == "Exhibitions"
        values = {"name": "2026 上海国际汽车零部件展", "channel_id": ch["exhibition"].id, "start_date": "2026-11-20",
                  "end_date": "2026-11-22", "key_dates": "11-01 展位确认; 11-20 开展", "owner_id": _emp(world, "marketing_admin"),
                  "supervisor_id": _emp(world, "director"), "expected_effect": "新增线索 30 条", "expected_reach": 500,
                  "expected_leads": 30, "expected_score": "4", "budget_amount": "80000", "budget_line_id": "4711"}
        # bad input: dates in the wrong order, a negative budget, no channel: refused, nothing saved
        with pytest.raises(ValidationError, match="早于|before") as exc:
            svc.plans.save_plan(owner, {**values, "end_date": "2026-11-01"})
        assert "end_date" in exc.value.errors
        with pytest.raises(ValidationError, match="预算|Budget"):
            svc.plans.save_plan(owner, {**values, "budget_amount": "-1"})
        with pytest.raises(ValidationError):
            svc.plans.save_plan(owner, {**values, "channel_id": ""})
        with pytest.raises(AccessDenied):
            svc.plans.save_plan(seller, values)
        assert owner.count(m.PromotionPlan) == 0
        # budget absent: the line is stored as it is and shown
        assert "budget" not in owner.enabled
        assert svc.plans.budget_api(owner) is None
        plan = svc.plans.save_plan(owner, values)
        assert plan.budget_line_id == 4711
        assert plan.budget_amount == Decimal("80000.00")
        # the contract budget must satisfy: check_commitment refuses -> nothing saved
        calls = []

        class FakeBudget:
            @staticmethod
            def check_commitment(env, line_id, amount, on, source):
                calls.append((line_id, amount, on, source))
                if amount > Decimal("150000"):
                    raise ValidationError(f"预算行 {line_id} 余额不足")

        monkeypatch.setattr(svc.plans, "budget_api", lambda env: FakeBudget)
        with pytest.raises(ValidationError, match="余额不足"):
            svc.plans.save_plan(owner, {**values, "name": "太贵的计划", "budget_amount": "90000"})
        assert owner.count(m.PromotionPlan) == 1
        ok = svc.plans.save_plan(owner, {**values, "name": "行业媒体投放", "channel_id": ch["trade_media"].id,
                                         "budget_amount": "20000", "start_date": "2026-12-01",
                                         "end_date": "2026-12-31"})
        # what is asked of budget: this plan's 20,000 and the 80,000 the open exhibition plan holds on the line
        assert calls[-1] == (4711, Decimal("100000.00"), dt.date(2026, 12, 1), ("brand_campaigns_plan", None))
        with pytest.raises(ValidationError, match="已占用 100,000.00|already hold 100,000.00"):
            svc.plans.save_plan(owner, {**values, "name": "再加一个", "budget_amount": "70000.01"})
        # a plan saved again with its budget unchanged is not asked again
        n = len(calls)
        svc.plans.save_plan(owner, {**values, "key_dates": "11-05 展位确认"}, plan)
        assert len(calls) == n
        monkeypatch.undo()
        # activities with actual cost (Decimal) and attendance; a market research without a plan
        with pytest.raises(ValidationError, match="早于|before"):
            svc.plans.add_activity(owner, {"name": "展台", "start_date": "2026-11-22", "end_date": "2026-11-20"}, plan)
        booth = svc.plans.add_activity(owner, {"name": "展台接待", "start_date": "2026-11-20", "end_date": "2026-11-22",
                                               "planned_cost": "60000"}, plan)
        with pytest.raises(ValidationError, match="实际费用|Actual cost"):
            svc.plans.record_result(owner, booth, {"actual_cost": "-5"})
        svc.plans.record_result(owner, booth, {"actual_cost": "61234.50", "attendance": "420", "reach": "600",
                                               "leads": "35", "evaluation": "超出预期"})
        assert booth.actual_cost == Decimal("61234.50")
        assert booth.state == "evaluated"
        research = svc.plans.add_activity(owner, {"kind": "research", "name": "西南市场摩托车排放调研",
                                                  "channel_id": ch["online"].id, "start_date": "2026-12-05"})
        assert research.plan_id is None
        assert research.end_date == dt.date(2026, 12, 5)
        svc.plans.record_result(owner, research, {"actual_cost": "3000", "reach": "80", "leads": "4",
                                                  "findings": "国四升级需求集中"})
        svc.plans.move_plan(owner, plan, "running")
        with pytest.raises(ValidationError):
            svc.plans.move_plan(owner, plan, "draft")
        f = svc.plans.plan_figures(owner, plan)
        assert (f["actual_cost"], f["reach"], f["leads"], f["attendance"]) == (Decimal("61234.50"), 600, 35, 420)
        # calendar: the salesperson reads plans and activities
        events = svc.plans.calendar_events(seller, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        assert [e["name"] for e in events] == ["2026 上海国际汽车零部件展", "展台接待"]
        grid = svc.plans.month_grid(dt.date(2026, 11, 1), events)
        day21 = next(c for w in grid for c in w if c["day"] == dt.date(2026, 11, 21))
        assert len(day21["events"]) == 2
        # measures: cost, reach and leads by channel and month
        from core.measures import measure_value, total

        rows = measure_value(owner, "brand_campaigns.campaign_cost", group_by=["channel"], grain="month")
        by = {(r["channel"], r.period): r.value for r in rows}
        assert by[(ch["exhibition"].id, dt.date(2026, 11, 1))] == Decimal("61234.50")
        assert by[(ch["online"].id, dt.date(2026, 12, 1))] == Decimal("3000.00")
        assert total(measure_value(owner, "brand_campaigns.leads")) == 39
        assert total(measure_value(owner, "brand_campaigns.reach", group_by=["kind"])) == 680
        assert total(measure_value(world.env(s, "marketing_admin", "other"), "brand_campaigns.campaign_cost")) == 0
        plan_id, ok_id = plan.id, ok.id
    app, client = _client(world, "marketing_admin")
    page = client.get(f"/brand/plans/{plan_id}")
    assert page.status_code == 200
    assert "#4711" in page.text
    assert client.get("/brand/calendar?month=2026-11").status_code == 200
    lst = client.get("/brand/calendar?month=2026-12&view=list")
    assert "行业媒体投放" in lst.text
    assert f"/brand/plans/{ok_id}" in lst.text
    from core.testing.web import csrf_token

    form = client.get("/brand/plans/new")
    bad = client.post("/brand/plans/new", data={**values, "csrf_token": csrf_token(form.text), "name": "倒序",
                                                "start_date": "2026-12-10", "end_date": "2026-12-01"})
    assert bad.status_code == 422
    assert 'id="brand-error"' in bad.text
    assert "早于" in bad.text
    for path in ("/brand/", "/brand/positionings", "/brand/activities", "/brand/plans", "/brand/channels/",
                 "/brand/distributors", "/brand/surveys", f"/brand/plans/{plan_id}/edit"):
        assert client.get(path).status_code == 200, path
    sales_client = _client(world, "salesperson")[1]
    assert sales_client.get("/brand/calendar?month=2026-11").status_code == 200
    assert sales_client.get("/brand/").status_code == 200
    assert sales_client.get("/brand/plans/new").status_code == 403


def test_distributors_evaluation_elimination_and_reports(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _m(world), _svc(world)
    with world.session() as s:
        owner, manager = world.env(s, "marketing_admin"), world.env(s, "territory_manager")
        admin = world.env(s, "admin")
        prod = world.factories.masterdata.product(admin, code="DOC-1", name="柴油氧化催化剂")
        d1 = svc.distributors.save_distributor(owner, {"code": "JX001", "name": "成都瑞通汽配", "province": "四川"})
        d2 = svc.distributors.save_distributor(owner, {"code": "JX002", "name": "昆明滇润贸易", "province": "云南"})
        with pytest.raises(ValidationError, match="JX001"):
            svc.distributors.save_distributor(owner, {"code": "JX001", "name": "重复"})
        with pytest.raises(ValidationError, match="早于|before"):
            svc.distributors.add_agreement(owner, d1, {"number": "XY-1", "start_date": "2026-12-31",
                                                       "end_date": "2026-01-01"})
        svc.distributors.add_agreement(owner, d1, {"number": "XY-2026-01", "start_date": "2026-01-01",
                                                   "end_date": "2026-12-31", "target_amount": "1000000"})
        for day, qty, amount in (("2026-10-12", "10", "120000"), ("2026-11-03", "20", "250000"),
                                 ("2026-11-25", "5", "62500.50")):
            svc.distributors.record_purchase(owner, d1, {"product_id": prod.id, "purchase_date": day,
                                                         "quantity": qty, "amount": amount})
        svc.distributors.record_purchase(owner, d2, {"product_id": prod.id, "purchase_date": "2026-11-10",
                                                     "quantity": "1", "amount": "9000"})
        with pytest.raises(ValidationError, match="0"):
            svc.distributors.record_purchase(owner, d2, {"product_id": prod.id, "purchase_date": "2026-11-10",
                                                         "quantity": "0", "amount": "1"})
        # evaluation: scores 0-100, weighted total, decision from the total, elimination
        with pytest.raises(ValidationError, match="100"):
            svc.distributors.evaluate(owner, d1, {"period": "2026-Q4", "sales_score": 101, "payment_score": 80,
                                                  "market_score": 80, "service_score": 80})
        with pytest.raises(ValidationError, match="期间|period"):
            svc.distributors.evaluate(owner, d1, {"period": "Q4", "sales_score": 90, "payment_score": 80,
                                                  "market_score": 80, "service_score": 80})
        e1 = svc.distributors.evaluate(owner, d1, {"period": "2026-Q4", "sales_score": 90, "payment_score": 80,
                                                   "market_score": 70, "service_score": 60,
                                                   "evaluated_on": "2026-11-28"})
        assert e1.total_score == Decimal("80.00")
        assert e1.decision == "keep"
        with pytest.raises(ValidationError, match="2026-Q4"):
            svc.distributors.evaluate(owner, d1, {"period": "2026-Q4", "sales_score": 1, "payment_score": 1,
                                                  "market_score": 1, "service_score": 1})
        e2 = svc.distributors.evaluate(owner, d2, {"period": "2026-Q4", "sales_score": 40, "payment_score": 50,
                                                   "market_score": 60, "service_score": 70,
                                                   "evaluated_on": "2026-11-29"})
        assert e2.total_score == Decimal("50.00")
        assert e2.decision == "eliminate"
        assert d2.state == "eliminated"
        assert d2.eliminated_on == dt.date(2026, 11, 29)
        with pytest.raises(ValidationError, match="淘汰|eliminated"):
            svc.distributors.record_purchase(owner, d2, {"product_id": prod.id, "purchase_date": "2026-12-01",
                                                         "quantity": "1", "amount": "1"})
        # the monthly summary and the purchase statistics
        rows = {r["code"]: r for r in svc.distributors.monthly_summary(manager, dt.date(2026, 11, 1))}
        assert rows["JX001"]["month_amount"] == Decimal("312500.50")
        assert rows["JX001"]["purchases"] == 2
        assert rows["JX001"]["ytd_amount"] == Decimal("432500.50")
        assert rows["JX001"]["achievement"] == Decimal("43.25")
        assert (rows["JX002"]["score"], rows["JX002"]["decision"]) == (Decimal("50.00"), "eliminate")
        stats = svc.distributors.purchase_stats(manager, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        assert [(r["code"], r["quantity"], r["amount"]) for r in stats] == [
            ("JX001", Decimal("25"), Decimal("312500.50")), ("JX002", Decimal("1"), Decimal("9000.00"))]
        # rights: the territory manager reads but does not edit; a salesperson reads only the distributors he
        # looks after (none here); other company nothing
        with pytest.raises(AccessDenied):
            svc.distributors.evaluate(manager, d1, {"period": "2026-12", "sales_score": 1, "payment_score": 1,
                                                    "market_score": 1, "service_score": 1})
        assert world.env(s, "salesperson").search(m.Distributor) == []
        assert svc.distributors.monthly_summary(world.env(s, "salesperson"), dt.date(2026, 11, 1)) == []
        # without orders (and territories) the purchase report has no deliveries column and no territory filter
        from core.reports.run import run_report

        result = run_report(manager, "brand_campaigns.distributor_purchases",
                            {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"})
        assert "delivered" not in [c.key for c in result.columns]
        assert "territory" not in result.form._fields
        assert world.env(s, "marketing_admin", "other").count(m.Distributor) == 0
        assert svc.distributors.monthly_summary(world.env(s, "marketing_admin", "other"), dt.date(2026, 11, 1)) == []
        d1_id = d1.id
    app, client = _client(world, "territory_manager")
    rep = client.get("/reports/brand_campaigns.distributor_monthly?month=2026-11")
    assert rep.status_code == 200, rep.text[:300]
    assert "成都瑞通汽配" in rep.text
    assert "312,500.50" in rep.text
    rep = client.get("/reports/brand_campaigns.distributor_purchases?period=custom&date_from=2026-11-01"
                     "&date_to=2026-11-30&by=product")
    assert rep.status_code == 200
    assert "柴油氧化催化剂" in rep.text
    assert client.get("/reports/brand_campaigns.distributor_monthly?month=11-2026").status_code in (200, 422)
    assert client.get(f"/brand/distributors/{d1_id}").status_code == 200
    seller_page = _client(world, "salesperson")[1].get("/reports/brand_campaigns.distributor_monthly?month=2026-11")
    assert seller_page.status_code == 200
    assert "成都瑞通汽配" not in seller_page.text


def test_questionnaire_tokens_answers_and_the_evaluation_report(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _m(world), _svc(world)
    now = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)
    with world.session() as s:
        owner, admin = world.env(s, "marketing_admin"), world.env(s, "admin")
        md = world.factories.masterdata
        cust = md.customer(admin, name="重庆宗申摩托", owner=_emp(world, "salesperson"))
        c1, c2 = md.contact(admin, cust, name="李工"), md.contact(admin, cust, name="王经理")
        c3 = md.contact(admin, cust, name="赵总")
        ch = {c.code: c for c in svc.channels(owner)}
        plan = svc.plans.save_plan(owner, {"name": "客户研讨会", "channel_id": ch["customer_seminar"].id,
                                           "start_date": "2026-11-05", "end_date": "2026-11-05",
                                           "owner_id": _emp(world, "marketing_admin"), "expected_reach": 40,
                                           "expected_leads": 5, "expected_score": "4.0", "budget_amount": "10000"})
        svc.plans.record_result(owner, svc.plans.add_activity(owner, {"name": "研讨会", "start_date": "2026-11-05"},
                                                              plan),
                                {"actual_cost": "9500", "attendance": "36", "reach": "36", "leads": "6"})
        survey = svc.surveys.create_survey(owner, {"name": "研讨会效果问卷", "plan_id": plan.id,
                                                   "closes_on": "2026-12-31"})
        with pytest.raises(ValidationError):
            svc.surveys.create_survey(owner, {"name": "x", "closes_on": "明天"})
        links = svc.surveys.invite(owner, survey, [c1.id, c2.id, c3.id], days=14, now=now)
        (t1, raw1), (t2, raw2), (t3, raw3) = links
        # only the hash is stored
        assert raw1.split(".", 1)[1] not in t1.token_hash
        assert len(t1.token_hash) == 64
        assert t1.expires_at == now + dt.timedelta(days=14)
        # forged tokens: a wrong secret, another id, garbage
        ident, secret = raw1.split(".", 1)
        for forged in (f"{ident}.{secret[:-1]}x" if secret[-1] != "x" else f"{ident}.{secret[:-1]}y",
                       f"{t2.id}.{secret}", "abc", f"{ident}.", "999999.xyz", ""):
            with pytest.raises(svc.surveys.TokenRefused) as exc:
                svc.surveys.resolve(s, forged, now)
            assert exc.value.reason == "invalid"
        # expired
        with pytest.raises(svc.surveys.TokenRefused, match="过期|expired"):
            svc.surveys.resolve(s, raw2, now + dt.timedelta(days=15))
        # a valid token answers once; bad scores refused, nothing saved
        row = svc.surveys.resolve(s, raw1, now)
        env = svc.surveys.public_env(world.registry, s, row)
        with pytest.raises(ValidationError, match="1.*5"):
            svc.surveys.submit_answer(env, row, {"awareness": "6", "acceptance": "4", "recommend": "5"}, now)
        assert owner.count(m.SurveyAnswer) == 0
        assert row.used_at is None
        svc.surveys.submit_answer(env, row, {"awareness": "4", "acceptance": "5", "recommend": "4",
                                             "comment": "技术交流很有帮助"}, now)
        with pytest.raises(svc.surveys.TokenRefused, match="已|already") as exc:
            svc.surveys.resolve(s, raw1, now)
        assert exc.value.reason == "used"
        with pytest.raises(svc.surveys.TokenRefused):
            svc.surveys.submit_answer(env, row, {"awareness": "1", "acceptance": "1", "recommend": "1"}, now)
        assert owner.count(m.SurveyAnswer) == 1
        # the report: expected against actual, acceptance by class
        r = svc.surveys.evaluation_report(owner, survey)
        assert (r["count"], r["invited"]) == (1, 3)
        cmp = {c["key"]: (c["expected"], c["actual"]) for c in r["comparison"]}
        assert cmp["reach"] == (40, 36)
        assert cmp["leads"] == (5, 6)
        assert cmp["acceptance"] == (Decimal("4.00"), Decimal("5.00"))
        assert r["by_class"][0]["answers"] == 1
        from core.measures import measure_value, total

        assert total(measure_value(owner, "brand_campaigns.answers", group_by=["channel"])) == 1
        # nobody outside the brand owner reaches the invitations; the other company nothing
        with pytest.raises(AccessDenied):
            world.env(s, "director").search(m.BrandSurveyToken)
        assert world.env(s, "marketing_admin", "other").count(m.SurveyAnswer) == 0
        survey_id = survey.id
    # the public page: no login; the answered link is refused; a closed questionnaire refuses an answer
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    anon = app.test_client()
    page = anon.get(f"/brand/q/{raw3}")
    assert page.status_code == 200
    assert "研讨会效果问卷" in page.text
    assert "赵总" in page.text
    from core.testing.web import csrf_token

    token = csrf_token(page.text)
    bad = anon.post(f"/brand/q/{raw3}", data={"csrf_token": token, "awareness": "3"})
    assert bad.status_code == 422
    assert 'id="survey-error"' in bad.text
    assert anon.get(f"/brand/q/{raw1}").status_code == 410
    assert anon.get("/brand/q/1.forged").status_code == 404
    assert anon.get("/brand/toolkit").status_code == 302  # the rest still needs a login
    with world.session() as s:
        owner = world.env(s, "marketing_admin")
        svc.surveys.close_survey(owner, owner.get(m.BrandSurvey, survey_id))
    closed = anon.post(f"/brand/q/{raw3}", data={"csrf_token": token, "awareness": "3", "acceptance": "3",
                                                 "recommend": "3"})
    assert closed.status_code == 410
    assert ("已关闭" in closed.text or "closed" in closed.text)
    with world.session() as s:
        assert world.env(s, "marketing_admin").count(m.SurveyAnswer) == 1
    client = _client(world, "marketing_admin")[1]
    assert client.get(f"/brand/surveys/{survey_id}").status_code == 200
    rep = client.get(f"/brand/surveys/{survey_id}/report")
    assert rep.status_code == 200
    assert "技术交流很有帮助" in rep.text
    assert re.search(r'data-key="acceptance"', rep.text)


def test_invitations_are_mailed_to_contacts_and_the_sender_is_notified(tixi_world, tmp_path, monkeypatch):  # noqa: F811
    """Inviting a customer's contacts from the page e-mails each contact with an address their own link
    (bilingual, after the commit, through the kernel's mail), shows the links of the others, and
    notifies the sender (kernel notifications) of both counts; the mailed link answers the questionnaire."""
    import email
    import email.policy
    import socket
    import time

    from aiosmtpd.controller import Controller

    from core.config import Instance
    from core.models import Notification
    from core.testing.web import csrf_token

    world = tixi_world
    m, svc = _m(world), _svc(world)

    class Box:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            self.messages.append((envelope.rcpt_tos,
                                  email.message_from_bytes(envelope.content, policy=email.policy.default)))
            return "250 OK"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    box = Box()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        (tmp_path / "config.toml").write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\n', encoding="utf-8")
        monkeypatch.setattr(world.registry, "instance", Instance(tmp_path))
        with world.session() as s:
            admin, owner = world.env(s, "admin"), world.env(s, "marketing_admin")
            md = world.factories.masterdata
            cust = md.customer(admin, name="潍柴动力", owner=_emp(world, "salesperson"))
            md.contact(admin, cust, name="孙工", email="sun@weichai.example")
            md.contact(admin, cust, name="周经理")
            survey = svc.surveys.create_survey(owner, {"name": "品牌认知问卷", "closes_on": "2099-12-31"})
            ids = {"survey": survey.id, "customer": cust.id}
        _app, client = _client(world, "marketing_admin")
        page = client.get(f"/brand/surveys/{ids['survey']}")
        sent = client.post(f"/brand/surveys/{ids['survey']}", data={
            "csrf_token": csrf_token(page.text), "form": "invite", "customer_id": ids["customer"]})
        assert sent.status_code == 200
        assert sent.text.count("data-mailed=") == 1
        assert sent.text.count("data-link=") == 2
        end = time.monotonic() + 5
        while not box.messages and time.monotonic() < end:
            time.sleep(0.05)
        (rcpt, msg), = box.messages
        assert rcpt == ["sun@weichai.example"]
        assert "品牌认知问卷" in msg["Subject"]
        assert "Questionnaire from" in msg["Subject"]
        body = msg.get_content()
        assert "孙工" in body
        link = re.search(r"(http://\S+/brand/q/(\S+))", body)
        assert link is not None
        assert link.group(1) in sent.text  # the same link as the page shows
        with world.session() as s:
            note = s.query(Notification).filter(Notification.user_id == world.user("marketing_admin"),
                                                Notification.type_code == "brand_campaigns.invitations").one()
            assert '"mailed": 1' in note.params
            assert '"not_mailed": 1' in note.params
            assert s.query(m.BrandSurveyToken).filter(m.BrandSurveyToken.survey_id == ids["survey"]).count() == 2
        # the mailed link opens the questionnaire without a login
        anon = _app.test_client()  # no login
        assert anon.get(f"/brand/q/{link.group(2)}").status_code == 200
        # a refused invitation (the questionnaire closed meanwhile) mails nothing
        with world.session() as s:
            owner = world.env(s, "marketing_admin")
            svc.surveys.close_survey(owner, owner.get(m.BrandSurvey, ids["survey"]))
        box.messages.clear()
        refused = client.post(f"/brand/surveys/{ids['survey']}", data={
            "csrf_token": csrf_token(page.text), "form": "invite", "customer_id": ids["customer"]})
        assert refused.status_code == 422
        time.sleep(0.3)
        assert box.messages == []
    finally:
        controller.stop()
