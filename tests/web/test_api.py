"""JSON API: token auth, rules and restricted fields applied, create/update, OpenAPI.

The rules test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from decimal import Decimal

from tests.web.conftest import add_item, csrf_token, login


def _token(db, who: str) -> str:
    c = db.app().test_client()
    login(c, who)
    page = c.get("/preferences")
    r = c.post("/tokens", data={"name": "integration", "csrf_token": csrf_token(page.text)})
    assert r.status_code == 302
    m = re.search(r'<code id="new-token">([^<]+)</code>', c.get("/preferences").text)
    assert m
    return m.group(1)


def test_api_applies_rules_and_restricted_fields(web_db_both):
    db = web_db_both
    users = db.users
    mine = add_item(db, users["sales"], "Mine", cost=Decimal("3.00"))
    theirs = add_item(db, users["sales2"], "Theirs")
    add_item(db, users["outsider"], "Other company", company="other")
    app = db.app()
    api = app.test_client()
    sales = {"Authorization": f"Bearer {_token(db, 'sales')}"}
    assert api.get("/api/webshop.item").status_code == 401
    assert api.get("/api/webshop.item", headers={"Authorization": "Bearer nope"}).status_code == 401
    r = api.get("/api/webshop.item", headers=sales)
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 1
    assert [i["name"] for i in body["items"]] == ["Mine"]
    assert "cost" not in body["items"][0]
    assert body["items"][0]["price"] == "10.00"
    assert api.get(f"/api/webshop.item/{mine}", headers=sales).status_code == 200
    assert api.get(f"/api/webshop.item/{theirs}", headers=sales).status_code == 404
    # restricted field refused on input, nothing written
    r = api.post("/api/webshop.item", headers=sales, json={"name": "X", "price": "1", "cost": "1"})
    assert r.status_code == 403
    r = api.post("/api/webshop.item", headers=sales, json={"name": "New", "price": "2.5", "owner_id": users["sales"]})
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert created["price"] == "2.50"
    assert created["company_id"] == db.company("acme")
    r = api.post("/api/webshop.item", headers=sales, json={"name": "Bad", "price": "abc"})
    assert r.status_code == 422
    assert "price" in r.get_json()["fields"]
    r = api.patch(f"/api/webshop.item/{created['id']}", headers=sales,
                  json={"name": "Renamed", "version": created["version"]})
    assert r.status_code == 200
    assert r.get_json()["name"] == "Renamed"
    r = api.patch(f"/api/webshop.item/{created['id']}", headers=sales,
                  json={"name": "Stale", "version": created["version"]})
    assert r.status_code == 409
    r = api.patch(f"/api/webshop.item/{created['id']}", headers=sales, json={"name": "X", "version": "abc"})
    assert r.status_code == 422
    assert api.get("/api/webshop.item?q=renam", headers=sales).get_json()["total"] == 1
    # the director sees every item of the company and the cost; never the other company's
    director = {"Authorization": f"Bearer {_token(db, 'director')}"}
    items = api.get("/api/webshop.item?per_page=2", headers=director).get_json()
    assert items["total"] == 3
    assert len(items["items"]) == 2
    assert "cost" in items["items"][0]
    # the outsider's company has not enabled webshop
    outsider = {"Authorization": f"Bearer {_token(db, 'outsider')}"}
    assert api.get("/api/webshop.item", headers=outsider).status_code == 404


def test_openapi_description(web_db):
    r = web_db.app().test_client().get("/api/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/webshop.item" in spec["paths"]
    assert "/api/webshop.item/{id}" in spec["paths"]
    assert spec["components"]["schemas"]["webshop.item"]["properties"]["price"]["format"] == "decimal"
