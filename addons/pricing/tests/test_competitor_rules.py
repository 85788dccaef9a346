"""Competitor prices follow their customer (issue 13, item 2: the model had no record rule)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.errors import AccessDenied

pytestmark = pytest.mark.tixi_world(addons=["pricing", "territories"])


def test_competitor_prices_of_customers_outside_reach_are_hidden(tixi_world):
    world = tixi_world
    CompetitorPrice = world.addon_module("pricing", "models").CompetitorPrice
    data = world.data["territories"]["acme"]
    md = world.factories.masterdata
    with world.session() as s:
        admin = world.env(s, "admin")
        product = md.product(admin)
        def price(customer, competitor):
            return admin.create(CompetitorPrice, {
                "product_id": product.id, "customer_id": customer, "competitor": competitor,
                "price": Decimal("10.00"), "observed_on": dt.date(2026, 11, 1)}).id
        inside = price(data["customer"], "inside")
        outside = price(data["other_customer"], "outside")
        market = price(None, "market")
    with world.session() as s:
        for role in ("salesperson", "territory_manager"):
            env = world.env(s, role)
            seen = sorted(r.competitor for r in env.search(CompetitorPrice))
            assert seen == ["inside", "market"], (role, seen)
            with pytest.raises(AccessDenied):
                env.get(CompetitorPrice, outside)
            with pytest.raises(AccessDenied):
                env.write(env.sudo().get(CompetitorPrice, outside), {"competitor": "edited"})
            assert env.get(CompetitorPrice, inside).competitor == "inside"
            assert env.get(CompetitorPrice, market)
        director = world.env(s, "director")
        assert len(director.search(CompetitorPrice)) == 3
        assert world.env(s, "director", "other").search(CompetitorPrice) == []
