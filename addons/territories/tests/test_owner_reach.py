"""A customer's owner works within its territory's reach (issue 13, item 4).

A 华北 territory manager could PATCH a 华北 customer's ``owner_id`` to a 华东
salesperson (200): the customer then left his territory's people. Runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import pytest

from addons.masterdata.models import Customer
from core.errors import ValidationError
from core.testing.web import csrf_token, logged_in_client

pytestmark = pytest.mark.tixi_world(addons=["masterdata", "territories"])


def _org(world) -> dict[str, int]:
    md, terr = world.factories.masterdata, world.factories.territories
    emp = world.data["masterdata"]["acme"]["employees"]
    north = world.data["territories"]["acme"]["territory"]  # managed by territory_manager, salesperson a member
    with world.session() as s:
        admin = world.env(s, "admin")
        east = terr.territory(admin, name="华东", code="EAST")
        below = terr.territory(admin, name="北京", code="BJ", parent=north)
        east_sales = md.employee(admin, name="华东销售", manager=emp["territory_manager"])
        beijing_sales = md.employee(admin, name="北京销售", manager=emp["territory_manager"])
        terr.member(admin, east, east_sales)
        terr.member(admin, below, beijing_sales)
        return {"east_sales": east_sales.id, "beijing_sales": beijing_sales.id, "north_sales": emp["salesperson"],
                "customer": world.data["territories"]["acme"]["customer"]}


def test_api_refuses_an_owner_from_another_territory(tixi_world):
    world = tixi_world
    org = _org(world)
    client = logged_in_client(_app(world), world.login("territory_manager"), world.password)
    page = client.get("/preferences")
    client.post("/tokens", data={"name": "t", "csrf_token": csrf_token(page.text)})
    token = re.search(r'<code id="new-token">([^<]+)</code>', client.get("/preferences").text).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/masterdata.customer/{org['customer']}"
    r = client.patch(url, headers=headers, json={"owner_id": org["east_sales"]})
    assert r.status_code == 422, r.get_json()
    assert "片区" in r.get_json()["fields"]["owner_id"]
    with world.session() as s:
        assert s.get(Customer, org["customer"]).owner_id == org["north_sales"]  # tixi: session-ok (test check)
    r = client.patch(url, headers=headers, json={"owner_id": org["beijing_sales"]})  # a territory below: in reach
    assert r.status_code == 200, r.get_json()
    r = client.patch(url, headers=headers, json={"owner_id": org["north_sales"]})
    assert r.status_code == 200


def test_env_write_refuses_for_everybody_but_a_customer_without_territory_takes_any_owner(tixi_world):
    world = tixi_world
    org = _org(world)
    with world.session() as s:
        admin = world.env(s, "admin")
        customer = admin.get(Customer, org["customer"])
        with pytest.raises(ValidationError) as err:
            admin.write(customer, {"owner_id": org["east_sales"]})
        assert set(err.value.errors) == {"owner_id"}
        unassigned = world.factories.masterdata.customer(admin, name="无片区客户")
        admin.write(unassigned, {"owner_id": org["east_sales"]})  # no territory: any owner
        assert unassigned.owner_id == org["east_sales"]


def _app(world):
    from core.web.app import create_app

    return create_app(registry=world.registry, test_config={"TESTING": True})
