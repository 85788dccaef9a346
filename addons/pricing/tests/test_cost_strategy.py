"""Cost from monthly metal prices, strategy mapping, bands, bad input (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from addons.pricing.tests.helpers import DAY, MONTH, D, env_of
from core.errors import ValidationError


def test_cost_strategy_and_bands(world):
    from addons.pricing import services as svc
    from addons.pricing.models import PricingStrategy

    db, ids = world
    with db.session() as s:
        fin = env_of(db, s, ids, "finance")
        cost = svc.product_cost(fin, ids["p1"], DAY)
        assert cost.metals == {"Pt": D("200"), "Pd": D("500")}
        assert cost.total == D("820.0000")
        assert isinstance(cost.total, Decimal)
        assert svc.product_cost(fin, ids["p2"], DAY).total == D("620.0000")

        rep = env_of(db, s, ids, "wangwei")
        # not assessed: the strategy's default (competitive: +20% target, +14% floor)
        band = svc.band_for(rep, ids["faw"], ids["p1"], DAY)
        assert (band.quote_type, band.target, band.floor) == ("competitive", D("984.00"), D("934.80"))
        assert band.currency == "CNY"
        # the matrix: attractive but hard to win -> low quote (+12% / +8%)
        director = env_of(db, s, ids, "director")
        svc.assess_customer(director, ids["faw"], 2026, "high", "low")
        band = svc.band_for(rep, ids["faw"], ids["p1"], DAY)
        assert (band.quote_type, band.target, band.floor) == ("low", D("918.40"), D("885.60"))
        # unattractive but winnable -> high quote (+30% / +22%)
        svc.assess_customer(director, ids["faw"], 2026, "low", "high", customer_class_="C")
        assert svc.band_for(rep, ids["faw"], ids["p1"], DAY).quote_type == "high"
        # targets by class and stage: the most specific row wins
        strategy = s.get(PricingStrategy, ids["strategy"])
        svc.save_target(director, strategy, "C", None, D("-2"))
        svc.save_target(director, strategy, "C", "maturity", D("-5"))
        s.expire_all()
        band = svc.band_for(rep, ids["faw"], ids["p1"], DAY)
        assert band.target == D("1049.60")  # 820 x 1.28
        from addons.pricing.models import ProductPricing

        director.create(ProductPricing, {"product_id": ids["p1"], "year": 2026, "lifecycle_stage": "maturity",
                                         "list_price": D("1200")})
        band = svc.band_for(rep, ids["faw"], ids["p1"], DAY)
        assert band.target == D("1025.00")  # 820 x 1.25
        # list price with discount limits, for a distributor with a 10% channel markup
        svc.save_rule(director, strategy, "high", {"method": "list_discount", "target_discount_pct": "5",
                                                   "max_discount_pct": "15"})
        director.write(strategy, {"channel_markup_pct": D("10")})
        s.expire_all()
        band = svc.band_for(rep, ids["faw"], ids["p1"], DAY, channel="direct")
        assert (band.target, band.floor) == (D("1080.00"), D("960.00"))  # discounts 10% / 20% after -5 points
        band = svc.band_for(rep, ids["faw"], ids["p1"], DAY, channel="distributor")
        assert (band.target, band.floor) == (D("981.82"), D("872.73"))
        # the hook other addons call; the salesperson gets no cost, Finance does
        answer = rep.hooks.tixi_price_for(env=rep, customer_id=ids["faw"], product_id=ids["p1"], on_date=DAY)
        assert answer["target"] == D("1080.00")
        assert "cost" not in answer
        answer = director.hooks.tixi_price_for(env=director, customer_id=ids["faw"], product_id=ids["p1"], on_date=DAY)
        assert answer["cost"] == D("820.0000")
        # currency and rounding per company: whole yuan, rounded up
        from addons.pricing.models import PricingSettings

        env_of(db, s, ids, "root").create(PricingSettings, {"currency": "USD", "decimals": 0, "rounding": "ROUND_UP"})
        band = svc.band_for(rep, ids["faw"], ids["p1"], DAY, channel="distributor")
        assert (band.currency, band.target, band.floor) == ("USD", D("982"), D("873"))


def test_bad_input_is_refused_and_nothing_saved(world):
    from addons.pricing import services as svc
    from addons.pricing.models import MonthlyMetalPrice, PricingStrategy, Quote, StrategyRule

    db, ids = world
    with db.session() as s:
        fin = env_of(db, s, ids, "finance")
        rep = env_of(db, s, ids, "wangwei")
        director = env_of(db, s, ids, "director")
        before = fin.count(MonthlyMetalPrice)
        for bad in (D("0"), D("-5"), "abc"):
            with pytest.raises(ValidationError):
                svc.set_metal_price(fin, "Pt", MONTH, bad)
        with pytest.raises(TypeError):
            svc.set_metal_price(fin, "Pt", MONTH, 1.5)
        assert fin.count(MonthlyMetalPrice) == before
        with pytest.raises(ValidationError, match="没有配方|no formula"):
            svc.band_for(rep, ids["faw"], ids["p3"], DAY)
        with pytest.raises(ValidationError, match="2026-12"):
            svc.band_for(rep, ids["faw"], ids["p1"], dt.date(2026, 12, 3))
        with pytest.raises(ValidationError):
            svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("0")}], quote_date=DAY)
        with pytest.raises(ValidationError):
            svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("1"), "unit_price": D("-1")}], quote_date=DAY)
        # a good line and a line with no formula: nothing at all is saved
        with pytest.raises(ValidationError):
            svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("1")},
                                               {"product_id": ids["p3"], "quantity": D("1")}], quote_date=DAY)
        assert rep.count(Quote) == 0
        strategy = s.get(PricingStrategy, ids["strategy"])
        with pytest.raises(ValidationError, match="inverted|倒挂"):
            svc.save_rule(director, strategy, "high", {"target_margin_pct": "10", "floor_margin_pct": "20"})
        with pytest.raises(ValidationError, match="inverted|倒挂"):
            svc.configure_bands(director if director.can("pricing_authority_band", "create") else env_of(db, s, ids, "root"),
                                [("core.group_salesperson", D("5")), ("core.group_territory_manager", D("2"))])
        rule = s.scalar(select(StrategyRule).where(StrategyRule.strategy_id == strategy.id, StrategyRule.quote_type == "high"))
        assert rule.target_margin_pct == D("30")


def test_errors_in_the_users_language(world):
    from addons.pricing import services as svc
    from core.models import User

    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        s.get(User, ids["users"]["wangwei"]).lang = "zh_CN"
        with pytest.raises(ValidationError) as zh:
            svc.band_for(rep, ids["faw"], ids["p1"], dt.date(2026, 12, 3))
        s.get(User, ids["users"]["wangwei"]).lang = "en"
        with pytest.raises(ValidationError) as en:
            svc.band_for(rep, ids["faw"], ids["p1"], dt.date(2026, 12, 3))
    assert "贵金属价格" in str(zh.value)
    assert "2026-12" in str(zh.value)
    assert "no cost data" in str(en.value) or "no Pt price" in str(en.value)


def test_customer_class_from_crm_cards(world):
    """With crm_cards enabled the class comes from its policy hook and drives the class target."""
    from addons.crm_cards import services as crm
    from addons.pricing import services as svc
    from addons.pricing.models import PricingStrategy

    db, ids = world
    db.install("crm_cards", companies=["acme"])
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        rep = env_of(db, s, ids, "wangwei")
        assert svc.customer_class(rep, ids["faw"]) is None
        svc.save_target(director, s.get(PricingStrategy, ids["strategy"]), "A", None, D("-4"))
        crm.set_class(director, ids["faw"], "A", "重点客户")
        s.expire_all()
        assert svc.customer_class(rep, ids["faw"]) == "A"
        band = svc.band_for(rep, ids["faw"], ids["p1"], DAY)
        assert (band.customer_class, band.target) == ("A", D("951.20"))  # 820 x (1 + 16%)
