"""The monthly summary, the market inspection report and the competitor record go through the phone's
offline queue like visits and daily reports: one sync endpoint, one idempotency key per entry (a retry
answers "duplicate" and creates nothing), a submitted summary is a conflict (kept on the phone, nothing
overwritten), bad input an error on its field; both engines."""

from __future__ import annotations

import pytest

from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["field_activity"])


def test_offline_documents_sync_once(tixi_world):  # noqa: F811
    world = tixi_world
    svc = world.addon_module("field_activity", "services")
    m = world.addon_module("field_activity", "models")
    with world.session() as s:
        seller = world.env(s, "salesperson")
        admin = world.env(s, "admin")
        customer = world.factories.masterdata.customer(admin, name="离线客户",
                                                        owner=world.data["masterdata"]["acme"]["employees"]["salesperson"])
        today = svc.local_today(seller)
        month = today.replace(day=1).isoformat()
        entries = [
            {"key": "k-visit", "kind": "visit", "data": {"customer_id": customer.id, "visit_date": today.isoformat()}},
            {"key": "k-summary", "kind": "summary", "data": {"month": month, "summary": "拜访 20 家",
                                                             "next_key_points": "重点跟进离线客户"}},
            {"key": "k-inspection", "kind": "inspection", "data": {"date_from": today.isoformat(), "area": "昆明东片",
                                                                   "market_situation": "需求平稳"}},
            {"key": "k-competitor", "kind": "competitor", "data": {"competitor": "某催化剂公司", "visit_key": "k-visit",
                                                                   "competitor_price": "980", "market_share": "30"}},
            {"key": "k-bad", "kind": "competitor", "data": {"competitor": "", "market_share": "130"}},
        ]
        first = svc.sync(seller, entries)
        assert [r["status"] for r in first] == ["created", "created", "created", "created", "error"]
        assert set(first[4]["fields"]) == {"competitor", "market_share"}
        for _ in range(2):  # the answer was lost: the phone sends the same entries again, twice
            again = svc.sync(world.env(s, "salesperson"), entries[:4])
            assert [r["status"] for r in again] == ["duplicate"] * 4
            assert [r["id"] for r in again] == [r["id"] for r in first[:4]]
        assert seller.count(m.MonthSummary) == 1
        assert seller.count(m.MarketInspection) == 1
        assert seller.count(m.CompetitorRecord) == 1
        comp = seller.search(m.CompetitorRecord)[0]
        assert comp.visit_id == first[0]["id"]  # the competitor seen on the visit queued with it
        assert comp.customer_id == customer.id
        insp = seller.search(m.MarketInspection)[0]
        assert (insp.area, insp.client_key) == ("昆明东片", "k-inspection")
        # the summary handed in offline, then an older edit arrives: a conflict, nothing overwritten
        handed = svc.sync(seller, [{"key": "k-summary-2", "kind": "summary",
                                    "data": {"month": month, "summary": "拜访 22 家", "next_key_points": "回款",
                                             "submit": "1"}}])
        assert handed[0]["status"] == "created"
        late = svc.sync(seller, [{"key": "k-summary-3", "kind": "summary",
                                  "data": {"month": month, "summary": "旧草稿"}}])
        assert late[0]["status"] == "conflict"
        assert "已提交" in late[0]["message"] or "already submitted" in late[0]["message"]
        row = seller.search(m.MonthSummary)[0]
        assert (row.state, row.summary) == ("submitted", "拜访 22 家")
        # another user replaying the salesperson's keys gets nothing of theirs
        stolen = svc.sync(world.env(s, "salesperson", "other"), entries[2:3])
        assert stolen[0]["status"] in ("created", "error")
        assert seller.count(m.MarketInspection) == 1

    # through the endpoint, as the phone sends it
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("salesperson"), world.password)
    home = client.get("/field_activity/today")
    assert home.status_code == 200
    import re

    token = re.search(r'name="csrf-token" content="([^"]+)"', home.text) or re.search(
        r'name="csrf_token" value="([^"]+)"', home.text)
    headers = {"X-CSRFToken": token.group(1)} if token else {}
    body = {"entries": [{"key": "k-inspection-web", "kind": "inspection",
                         "data": {"date_from": today.isoformat(), "area": "曲靖"}}]}
    for expected in ("created", "duplicate"):
        resp = client.post("/field_activity/sync", json=body, headers=headers)
        assert resp.status_code == 200
        assert resp.get_json()["results"][0]["status"] == expected
