"""orders alone (masterdata only, as kmtrade uses it): no territory, no quote, the chain and the measures work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.errors import ValidationError
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["orders"])


def test_orders_without_territories_and_pricing(tixi_world):  # noqa: F811
    world = tixi_world
    svc = world.addon_module("orders", "services")
    md = world.factories.masterdata
    with world.session() as s:
        admin = world.env(s, "admin")
        sp = world.data["masterdata"]["acme"]["employees"]["salesperson"]
        product = md.product(admin, code="P-1", name="铂碳催化剂")
        customer = md.customer(admin, name="昆明客户", owner=sp)
        seller = world.env(s, "salesperson")
        c = world.factories.orders.contract(seller, customer, [{"product_id": product.id, "quantity": "3",
                                                               "unit_price": "500"}], contract_date=dt.date(2026, 11, 2))
        assert c.state == "confirmed"
        assert c.territory_id is None
        world.factories.orders.delivery(seller, c, on=dt.date(2026, 11, 3))
        with pytest.raises(ValidationError):
            svc.create_contract(seller, customer.id, quote_id=1)
        from core.measures import measure_value, total

        rows = measure_value(seller, "orders.sales_amount", period=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                             group_by=["salesperson"])
        assert [(r["salesperson"], r.value) for r in rows] == [(sp, Decimal("1500.00"))]
        assert total(measure_value(seller, "orders.receivables")) == Decimal("1500.00")
        report = world.addon_module("orders", "report_defs")
        assert report.ageing_rows(seller, "salesperson")[0]["total"] == Decimal("1500.00")
