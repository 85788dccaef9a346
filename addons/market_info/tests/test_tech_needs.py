"""The technical-needs form (技术需求 per development stage of a customer) on SQLite and PostgreSQL:
every field checked at once, each error on its field in the user's language, nothing saved on an
error; a change by the collector; nobody else may change it (service and pages)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.errors import AccessDenied, ValidationError
from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["market_info", "territories"])


def _setup(world, s):
    admin = world.env(s, "admin")
    mkt = world.env(s, "marketing_admin")
    md = world.factories.masterdata
    customer = md.customer(admin, name="一汽解放", owner=world.data["masterdata"]["acme"]["employees"]["salesperson"])
    product = md.product(admin, code="TWC-9", name="三元催化剂 TWC-9")
    plan = world.factories.market_info.plan(mkt, world.data["masterdata"]["acme"]["employees"]["salesperson"],
                                            kind="tech_need", name="技术需求收集")
    return customer, product, plan


def test_tech_need_service_checks_every_field_and_saves_nothing_on_error(tixi_world):  # noqa: F811
    world = tixi_world
    m = world.addon_module("market_info", "models")
    svc = world.addon_module("market_info", "services")
    with world.session() as s:
        customer, product, plan = _setup(world, s)
        seller = world.env(s, "salesperson")
        tomorrow = (dt.date.today() + dt.timedelta(days=3)).isoformat()
        with use_lang("zh_CN"), pytest.raises(ValidationError) as exc:
            svc.save_tech_need(seller, {"customer_id": "", "stage": "", "noted_on": tomorrow, "need": "  "})
        assert exc.value.errors == {"customer_id": "客户必填。", "stage": "请选择开发阶段。",
                                    "noted_on": "日期不能晚于今天。", "need": "请描述需求。"}
        with use_lang("en"), pytest.raises(ValidationError) as exc:
            svc.save_tech_need(seller, {"customer_id": str(world.data["territories"]["acme"]["other_customer"]),
                                        "stage": "moon", "noted_on": "2026-13-01", "need": "x" * 4001,
                                        "product_id": "999999"})
        errors = exc.value.errors
        assert set(errors) == {"customer_id", "stage", "noted_on", "need", "product_id"}
        assert "may not read" in errors["customer_id"]
        assert errors["stage"] == "Unknown value: moon."
        assert "Not a valid date" in errors["noted_on"]
        assert "4000" in errors["need"]
        assert seller.count(m.TechNeed) == 0

        row = svc.save_tech_need(seller, {"customer_id": str(customer.id), "stage": "needs", "noted_on": "2026-11-05",
                                          "need": "国七排放：起燃温度低于 200 ℃", "product_id": str(product.id)})
        assert (row.stage, row.noted_on, row.plan_id, row.product_id) == ("needs", dt.date(2026, 11, 5), plan.id,
                                                                          product.id)
        assert row.collector_id == world.data["masterdata"]["acme"]["employees"]["salesperson"]
        # a change: refused as a whole (nothing written), then saved
        with use_lang("zh_CN"), pytest.raises(ValidationError):
            svc.save_tech_need(seller, {"customer_id": str(customer.id), "stage": "samples", "noted_on": "",
                                        "need": "改为样品阶段"}, row)
        s.refresh(row)
        assert (row.stage, row.need) == ("needs", "国七排放：起燃温度低于 200 ℃")
        svc.save_tech_need(seller, {"customer_id": str(customer.id), "stage": "samples", "noted_on": "2026-11-20",
                                    "need": "样品：两件，12 月中"}, row)
        assert (row.stage, row.noted_on, row.product_id) == ("samples", dt.date(2026, 11, 20), None)
        # the territory manager (not its collector, not named by its plan) may not change it
        with pytest.raises(AccessDenied):
            svc.save_tech_need(world.env(s, "territory_manager"), {"customer_id": str(customer.id), "stage": "needs",
                                                          "noted_on": "2026-11-20", "need": "x"}, row)


def test_tech_need_pages(tixi_world):  # noqa: F811
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    world = tixi_world
    m = world.addon_module("market_info", "models")
    with world.session() as s:
        customer, _product, _plan = _setup(world, s)
        cid = customer.id
    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("salesperson"), world.password)
    page = client.get("/market-info/file-tech-need", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    once = re.search(r'name="_once" value="([^"]+)"', html)
    data = {"csrf_token": token, "customer_id": str(cid), "stage": "", "noted_on": "", "need": ""}
    if once:
        data["_once"] = once.group(1)
    bad = client.post("/market-info/file-tech-need", data=data)
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="stage-error">请选择开发阶段。' in html
    assert 'id="noted_on-error">请填写日期。' in html
    assert "请描述需求。" in html
    assert 'id="customer_id-error"' not in html
    assert f'<option value="{cid}" selected' in html  # what was chosen is kept
    with world.session() as s:
        assert world.env(s, "admin").count(m.TechNeed) == 0
    data.update({"stage": "test_plan", "noted_on": "2026-11-06", "need": "台架试验计划"})
    good = client.post("/market-info/file-tech-need", data=data)
    assert good.status_code in (302, 303)
    with world.session() as s:
        (row,) = world.env(s, "admin").search(m.TechNeed)
        need_id = row.id
    assert f"/market-info/tech-needs/{need_id}" in good.headers["Location"]
    # the collector changes it from the change page (linked from his page)
    home = client.get("/market-info/").get_data(as_text=True)
    assert f"/market-info/tech-needs/{need_id}/change" in home
    edit = client.get(f"/market-info/tech-needs/{need_id}/change").get_data(as_text=True)
    assert "台架试验计划" in edit
    data.pop("_once", None)  # a change carries no one-time token (only creating forms do)
    refused = client.post(f"/market-info/tech-needs/{need_id}/change",
                          data={**data, "need": "", "csrf_token": token})
    assert refused.status_code == 422
    assert client.post(f"/market-info/tech-needs/{need_id}/change",
                       data={**data, "need": "台架试验：12 月", "csrf_token": token}).status_code in (302, 303)
    with world.session() as s:
        assert world.env(s, "admin").get(m.TechNeed, need_id).need == "台架试验：12 月"
    # the director reads every need; the territory manager (not its collector, not named by its plan) may not change it
    boss = logged_in_client(app, world.login("director"), world.password)
    assert boss.get(f"/market-info/tech-needs/{need_id}").status_code == 200
    manager = logged_in_client(app, world.login("territory_manager"), world.password)
    assert manager.get(f"/market-info/tech-needs/{need_id}/change").status_code in (403, 404)
    assert manager.post(f"/market-info/tech-needs/{need_id}/change",
                        data={**data, "need": "改", "csrf_token": token}).status_code in (400, 403, 404)
    with world.session() as s:
        assert world.env(s, "admin").get(m.TechNeed, need_id).need == "台架试验：12 月"
