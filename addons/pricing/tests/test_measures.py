"""pricing's measures (``pricing.quote_amount``, ``pricing.quotes``) through ``core.measures``.

The same quotes give each role a different total: a salesperson their own
customers' quotes, a territory manager their team's and their territory's, the
director the company's. Values are exact Decimals; SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from addons.masterdata.models import Customer
from addons.pricing import services as svc
from addons.pricing.tests.helpers import DAY, env_of
from core.measures import MeasureError, measure_value, total

D = Decimal
OCT31, NOV1 = dt.date(2026, 10, 31), dt.date(2026, 11, 1)
VALID = dt.date(2099, 12, 31)


@pytest.fixture
def quoted(world):
    """Three submitted quotes (one a month earlier) and one draft; ids of the customers added."""
    from addons.territories.services import assign_customer

    db, ids = world
    with db.session() as s:
        root = env_of(db, s, ids, "root")
        dongfeng = root.create(Customer, {"name_zh": "东风", "name_en": "Dongfeng", "owner_id": ids["employees"]["sun"],
                                          "status": "active"})
        assign_customer(root, dongfeng, _territory(s, ids["east"]), DAY)
        ids["dongfeng"] = dongfeng.id
        october = dt.date(2026, 10, 1)  # October's cost inputs, for the quote of October 31
        for code, price in (("Pt", "200"), ("Pd", "250"), ("Rh", "1000")):
            svc.set_metal_price(root, code, october, D(price))
        for pid in (ids["p1"], ids["p2"]):
            svc.set_product_cost(root, pid, october, D("100"), D("20"))
        wang, sun = env_of(db, s, ids, "wangwei"), env_of(db, s, ids, "sun")
        q1 = svc.create_quote(wang, ids["faw"], [
            {"product_id": ids["p1"], "quantity": D("10"), "unit_price": D("1200")},
            {"product_id": ids["p2"], "quantity": D("3"), "unit_price": D("1000.50")},
        ], quote_date=OCT31, valid_until=VALID)
        q2 = svc.create_quote(sun, ids["dongfeng"], [{"product_id": ids["p1"], "quantity": D("1"), "unit_price": D("1100")}],
                              quote_date=NOV1, valid_until=VALID)
        q3 = svc.create_quote(sun, ids["baic"], [{"product_id": ids["p2"], "quantity": D("2"), "unit_price": D("999.99")}],
                              quote_date=DAY, valid_until=VALID)
        for env, q in ((wang, q1), (sun, q2), (sun, q3)):
            svc.submit_quote(env, q)
        svc.create_quote(wang, ids["faw"], [{"product_id": ids["p1"], "quantity": D("100"), "unit_price": D("1200")}],
                         quote_date=DAY)  # a draft: no quoted amount yet
        assert {q.state for q in (q1, q2, q3)} == {"approved"}
    return db, ids


def _territory(s, territory_id):
    from addons.territories.models import Territory

    return s.get(Territory, territory_id)


def test_quote_amount_follows_the_record_rules(quoted):
    db, ids = quoted
    with db.session() as s:
        totals = {login: measure_value(env_of(db, s, ids, login), "pricing.quote_amount")[0].value
                  for login in ("wangwei", "sun", "zhang_east", "li_north", "director")}
    assert totals == {
        "wangwei": D("15001.50"),     # his own customer's quote
        "sun": D("3099.98"),          # his two customers' quotes
        "zhang_east": D("16101.50"),  # his team (王伟) and his territory 华东 (东风, 孙立's customer)
        "li_north": D("3099.98"),     # his team (孙立)
        "director": D("18101.48"),    # the company
    }
    assert all(type(v) is Decimal for v in totals.values())


def test_quote_amount_by_two_dimensions_and_month(quoted):
    db, ids = quoted
    emp = ids["employees"]
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        rows = measure_value(director, "pricing.quote_amount", group_by=["customer", "product"])
        assert [(r["customer"], r["product"], r.value) for r in rows] == sorted([
            (ids["faw"], ids["p1"], D("12000.00")), (ids["faw"], ids["p2"], D("3001.50")),
            (ids["dongfeng"], ids["p1"], D("1100.00")), (ids["baic"], ids["p2"], D("1999.98")),
        ])
        assert {(r.label("customer"), r.label("product")) for r in rows} >= {("一汽", "三元催化剂1"), ("北汽", "三元催化剂2")}
        months = measure_value(director, "pricing.quote_amount", group_by=["salesperson"], grain="month",
                               period=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
        assert [(r.period, r["salesperson"], r.value) for r in months] == [
            (dt.date(2026, 10, 1), emp["wangwei"], D("15001.50")), (dt.date(2026, 11, 1), emp["sun"], D("3099.98")),
        ]
        nov = measure_value(director, "pricing.quote_amount", period=(NOV1, dt.date(2026, 11, 30)))
        assert nov[0].value == D("3099.98")
        four = measure_value(director, "pricing.quote_amount", group_by=["customer", "salesperson", "product"], grain="month")
        assert total(four) == D("18101.48")
        assert len(four) == 4
        by_territory = measure_value(director, "pricing.quote_amount", group_by=["territory"])
        assert [(r.label("territory"), r.value) for r in by_territory] == sorted(
            [("华东", D("16101.50")), ("华北", D("1999.98"))], key=lambda t: t[0] != "华东")
        only_sun = measure_value(director, "pricing.quote_amount", filters={"salesperson": [emp["sun"]]}, grain="quarter")
        assert [(r.label("period"), r.value) for r in only_sun] == [("2026-Q4", D("3099.98"))]


def test_quotes_count_by_state(quoted):
    db, ids = quoted
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        rows = measure_value(director, "pricing.quotes", group_by=["state"])
        assert [(r["state"], r.value) for r in rows] == [("approved", 3), ("draft", 1)]
        assert rows[0].label("state") == "已批准"
        wang = measure_value(env_of(db, s, ids, "wangwei"), "pricing.quotes", group_by=["state"])
        assert [(r["state"], r.value) for r in wang] == [("approved", 1), ("draft", 1)]
        with pytest.raises(MeasureError):
            measure_value(director, "pricing.quotes", group_by=["product"])  # quotes have no product
