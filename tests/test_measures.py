"""Measures (core.measures): registry, rules, grouping, grains in the company's time zone, errors.

masterdata and crm_cards are installed for ``acme`` (territories is not: its
dimensions are unavailable); company ``plain`` enables masterdata only. Four
customers are created at chosen local times (Asia/Shanghai) so that the month
of one of them differs between UTC and the company's zone. Every test runs on
SQLite and PostgreSQL (``tixi_db``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Date, literal, update

from addons.masterdata.models import CUSTOMER_STATUS, Customer
from addons.masterdata.tests.helpers import build_org
from core.errors import TixiError, ValidationError
from core.i18n import use_lang
from core.measures import (
    Dimension,
    Measure,
    MeasureError,
    Summary,
    _check_declaration,
    available_measures,
    measure_value,
    measures,
    period_of,
    total,
)
from core.models import Company
from core.testing import make_env, make_user

SH = ZoneInfo("Asia/Shanghai")
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))

CUSTOMERS = [
    # name, owner, status, created (local time in Shanghai)
    ("一汽", "wangwei", "active", dt.datetime(2026, 1, 31, 23, 30, tzinfo=SH)),   # 15:30 UTC: January everywhere
    ("北汽", "wangwei", "prospect", dt.datetime(2026, 2, 1, 0, 30, tzinfo=SH)),   # Jan 31 16:30 UTC: February here
    ("东风", "zhao", "active", dt.datetime(2026, 1, 1, 0, 10, tzinfo=SH)),        # Dec 31 16:10 UTC: January here
    ("上汽", "sun", "active", dt.datetime(2026, 3, 31, 23, 59, tzinfo=SH)),       # Mar 31 15:59 UTC
]


@pytest.fixture
def org(tixi_db) -> tuple[Any, dict[str, Any]]:
    """masterdata + crm_cards for acme, the organisation and four customers at chosen times."""
    tixi_db.install("masterdata", "crm_cards", companies=["acme"])
    ids = build_org(tixi_db)
    ids["c"] = {}
    with tixi_db.session() as s:
        root = make_env(tixi_db, s, ids["root"], "acme")
        for name, owner, status, created in CUSTOMERS:
            c = root.create(Customer, {"name_zh": name, "owner_id": ids["employees"][owner], "status": status})
            # the creation time is the kernel's; set it to the instant the test is about
            root.sudo().execute(update(Customer).where(Customer.id == c.id).values(created_at=created))
            ids["c"][name] = c.id
    return tixi_db, ids


def env_of(db: Any, s: Any, ids: dict[str, Any], login: str) -> Any:
    return make_env(db, s, ids["root"] if login == "root" else ids["users"][login], "acme")


def test_record_rules_apply(org):
    db, ids = org
    with db.session() as s:
        totals = {login: measure_value(env_of(db, s, ids, login), "masterdata.customers")[0].value
                  for login in ("wangwei", "zhang_east", "director", "sun")}
    # own customers; the manager's team (wangwei, zhao); the director's whole line
    assert totals == {"wangwei": 2, "zhang_east": 3, "director": 4, "sun": 1}
    assert all(type(v) is int for v in totals.values())


def test_group_by_two_dimensions_with_labels(org):
    db, ids = org
    emp = ids["employees"]
    with db.session() as s:
        rows = measure_value(env_of(db, s, ids, "director"), "masterdata.customers", group_by=["status", "owner"])
        assert [(r["status"], r["owner"], r.value) for r in rows] == sorted(
            [("active", emp["wangwei"], 1), ("active", emp["zhao"], 1), ("active", emp["sun"], 1),
             ("prospect", emp["wangwei"], 1)]
        )
        wang = next(r for r in rows if r["owner"] == emp["wangwei"] and r["status"] == "prospect")
        assert wang.label("owner") == "王伟"
        assert wang.label("status") == CUSTOMER_STATUS.label("prospect", "zh_CN") != "prospect"
        with use_lang("en"):
            en = measure_value(env_of(db, s, ids, "director"), "masterdata.customers", group_by=["owner"])
        assert {r.label("owner") for r in en} == {"wangwei", "zhao", "sun"}
        # filters narrow, a None in the filter matches rows without a value
        rows = measure_value(env_of(db, s, ids, "director"), "masterdata.customers",
                             filters={"owner": [emp["zhao"], emp["sun"]], "status": ["active"]})
        assert rows[0].value == 2
        assert measure_value(env_of(db, s, ids, "director"), "masterdata.customers",
                             filters={"owner": [None]})[0].value == 0


def test_month_grain_uses_the_company_time_zone(org):
    db, ids = org
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        rows = measure_value(director, "masterdata.customers", period=Q1, grain="month")
        # 东风 (Jan 1 00:10 local, Dec 31 in UTC) and 一汽 (Jan 31 23:30) are January's; 北汽 February's
        assert [(r.period, r.value, r.label("period")) for r in rows] == [
            (dt.date(2026, 1, 1), 2, "2026-01"), (dt.date(2026, 2, 1), 1, "2026-02"), (dt.date(2026, 3, 1), 1, "2026-03"),
        ]
        feb = measure_value(director, "masterdata.customers", period=(dt.date(2026, 2, 1), dt.date(2026, 2, 28)))
        assert feb[0].value == 1  # the period's bounds are local midnights too
        days = measure_value(director, "masterdata.customers", period=(dt.date(2026, 1, 31), dt.date(2026, 2, 1)), grain="day")
        assert [(r.period, r.value) for r in days] == [(dt.date(2026, 1, 31), 1), (dt.date(2026, 2, 1), 1)]
        assert [(r.label("period"), r.value) for r in measure_value(director, "masterdata.customers", grain="quarter")] == [("2026-Q1", 4)]
        assert [(r.period, r.value) for r in measure_value(director, "masterdata.customers", grain="year")] == [(dt.date(2026, 1, 1), 4)]
        # a company in UTC: 东风 was created in December 2025, and 北汽 in January
        director.sudo().execute(update(Company).where(Company.id == director.company_id).values(timezone="UTC"))
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        rows = measure_value(director, "masterdata.customers", grain="month")
        assert [(r.period, r.value) for r in rows] == [
            (dt.date(2025, 12, 1), 1), (dt.date(2026, 1, 1), 2), (dt.date(2026, 3, 1), 1),
        ]
        # a zone with daylight saving time (SQLite compares with each bucket's local midnight)
        director.sudo().execute(update(Company).where(Company.id == director.company_id).values(timezone="Europe/Berlin"))
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        rows = measure_value(director, "masterdata.customers", period=Q1, grain="month")
        assert [(r.period, r.value) for r in rows] == [(dt.date(2026, 1, 1), 2), (dt.date(2026, 3, 1), 1)]
        assert [(r.period, r.value) for r in measure_value(director, "masterdata.customers", grain="month")] == [
            (dt.date(2025, 12, 1), 1), (dt.date(2026, 1, 1), 2), (dt.date(2026, 3, 1), 1),
        ]


def test_crm_cards_measures(org):
    from addons.crm_cards import services

    db, ids = org
    c, emp = ids["c"], ids["employees"]
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        services.set_class(director, c["一汽"], "A", "战略客户")
        services.set_class(director, c["上汽"], "A", "战略客户")
        services.set_class(director, c["东风"], "B", "重点")
        wang = env_of(db, s, ids, "wangwei")
        services.save_monthly(wang, c["一汽"], dt.date(2026, 1, 1), {"enthusiasm": 4})
        services.save_monthly(wang, c["一汽"], dt.date(2026, 2, 1), {"enthusiasm": 4})
        services.save_monthly(wang, c["北汽"], dt.date(2026, 2, 1), {"enthusiasm": 3})
        zhao = env_of(db, s, ids, "zhao")
        services.save_monthly(zhao, c["东风"], dt.date(2026, 2, 1), {"enthusiasm": 3})
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        rows = measure_value(director, "crm_cards.customers", group_by=["class"])
        assert [(r["class"], r.value) for r in rows] == [("A", 2), ("B", 1), (None, 1)]
        from addons.crm_cards.models import CLASS_LABELS

        assert rows[0].label("class") == CLASS_LABELS.label("A", "zh_CN") != "A"
        assert rows[2].label("class") == "未设置"
        assert measure_value(env_of(db, s, ids, "wangwei"), "crm_cards.customers", group_by=["class"])[0].value == 1
        rows = measure_value(director, "crm_cards.monthly_cards", period=Q1, group_by=["salesperson"], grain="month")
        assert [(r.period.month, r["salesperson"], r.value) for r in rows] == sorted(
            [(1, emp["wangwei"], 1), (2, emp["wangwei"], 2), (2, emp["zhao"], 1)]
        )
        assert total(measure_value(env_of(db, s, ids, "zhao"), "crm_cards.monthly_cards", grain="quarter")) == 1


def test_bad_requests_are_refused_with_translated_messages(org):
    db, ids = org
    with db.session() as s:
        env = env_of(db, s, ids, "director")
        cases = [
            (dict(name="nope.amount"), "nope.amount"),
            (dict(name="masterdata.customers", group_by=["colour"]), "colour"),
            (dict(name="masterdata.customers", filters={"colour": [1]}), "colour"),
            (dict(name="masterdata.customers", grain="week"), "week"),
            (dict(name="crm_cards.monthly_cards", grain="day"), "day"),
            (dict(name="crm_cards.customers", grain="month"), "crm_cards.customers"),
            (dict(name="crm_cards.customers", group_by=["territory"]), "territories"),
            (dict(name="masterdata.customers", period=(dt.date(2026, 2, 1), dt.date(2026, 1, 1))), ""),
            (dict(name="masterdata.customers", period=(dt.datetime(2026, 1, 1, tzinfo=SH), dt.date(2026, 2, 1))), ""),
            (dict(name="masterdata.customers", filters={"owner": 3}), "owner"),
            (dict(name="masterdata.customers", group_by=["owner", "owner"]), ""),
        ]
        for kwargs, word in cases:
            name = kwargs.pop("name")
            with pytest.raises(MeasureError) as err:
                measure_value(env, name, **kwargs)
            assert isinstance(err.value, ValidationError)
            assert word in str(err.value), (name, kwargs, str(err.value))
        with use_lang("zh_CN"), pytest.raises(MeasureError, match="未知的指标"):
            measure_value(env, "nope.amount")
        with use_lang("zh_CN"), pytest.raises(MeasureError, match="未知的维度 colour"):
            measure_value(env, "masterdata.customers", group_by=["colour"])
        with use_lang("zh_CN"), pytest.raises(MeasureError, match="未知的时间粒度"):
            measure_value(env, "masterdata.customers", grain="week")
        with pytest.raises(MeasureError):
            period_of(dt.date(2026, 1, 5), "week")
        assert period_of(dt.date(2026, 5, 5), "quarter") == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def test_a_disabled_addons_measures_are_unavailable(org):
    db, ids = org
    db.company("plain")
    db.lifecycle.enable("masterdata", "plain")
    admin = make_user(db, "root_plain", ["core.group_admin"], company="plain", is_admin=True, password=None)
    with db.session() as s:
        acme = env_of(db, s, ids, "director")
        assert {m.name for m in available_measures(acme)} >= {
            "masterdata.customers", "crm_cards.customers", "crm_cards.monthly_cards"}
        plain = make_env(db, s, admin, "plain")
        assert [m.name for m in available_measures(plain)] == ["masterdata.customers"]
        with use_lang("en"), pytest.raises(MeasureError, match="not enabled for this company"):
            measure_value(plain, "crm_cards.customers")
        assert measure_value(plain, "masterdata.customers")[0].value == 0  # another company's customers: none
        with use_lang("zh_CN"):
            assert str(available_measures(plain)[0].label) == "客户"


def test_declarations_are_checked():
    def query(env, dims):  # pragma: no cover - never run
        raise AssertionError

    for bad in (
        Measure("amount", "x", "money", query=query),
        Measure("other.amount", "x", "money", query=query),
        Measure("masterdata.amount", "x", "euros", query=query),
        Measure("masterdata.amount", "x", "money", query=query, grains=("week",)),
        Measure("masterdata.amount", "x", "money", query=query, aggregate="avg"),
        Measure("masterdata.amount", "x", "money", query=query, dimensions=(Dimension("period", "p"),)),
    ):
        with pytest.raises(TixiError):
            _check_declaration(bad, "masterdata")
    _check_declaration(Measure("masterdata.amount", "x", "money", query=query), "masterdata")


def test_a_summary_table_backs_the_measure_when_it_fits(org):
    """The kernel reads the summary when the dimensions and grain fit, the raw query otherwise."""
    db, ids = org
    raw = measures(db.registry)["masterdata.customers"]

    def summary_query(env, dims):
        # stands in for a summary model: each row is "1000 customers" in January 2026
        cols = [literal(1000).label("value"), literal(dt.date(2026, 1, 1), Date()).label("period")]
        cols += [Customer.status.label(d) for d in dims]
        return env.select(Customer, "read", *cols)

    backed = Measure("masterdata.backed", "backed", "count", query=raw.query, aggregate="count",
                     dimensions=raw.dimensions, period="created_at",
                     summary=Summary("masterdata_customer_month", ("status",), summary_query, grain="month"))
    registry = measures(db.registry)
    registry[backed.name] = backed
    try:
        with db.session() as s:
            env = env_of(db, s, ids, "director")
            assert measure_value(env, "masterdata.backed", group_by=["status"])[0].value == 3000  # summary
            assert total(measure_value(env, "masterdata.backed", group_by=["owner"])) == 4      # not in it: raw
            assert measure_value(env, "masterdata.backed", grain="day")[0].value == 1            # finer: raw
            assert measure_value(env, "masterdata.backed", period=Q1, grain="quarter")[0].value == 4000
            assert measure_value(env, "masterdata.backed", period=(dt.date(2026, 1, 1), dt.date(2026, 1, 20)))[0].value == 1
    finally:
        registry.pop(backed.name)


def test_a_coarse_summary_answers_only_users_no_rule_narrows(org):
    """``unrestricted_only``: the director reads the coarse summary, a salesperson (own customers) the fine one."""
    db, ids = org
    raw = measures(db.registry)["masterdata.customers"]

    def rows_of(value):
        def query(env, dims):
            cols = [literal(value).label("value"), literal(dt.date(2026, 1, 1), Date()).label("period")]
            cols += [Customer.status.label(d) for d in dims]
            return env.select(Customer, "read", *cols)
        return query

    backed = Measure("masterdata.coarse", "coarse", "count", query=raw.query, aggregate="count",
                     dimensions=raw.dimensions, period="created_at",
                     summary=Summary("masterdata_customer", ("status", "owner"), rows_of(1000), grain="month"),
                     summaries=(Summary("masterdata_customer", ("status",), rows_of(7), grain="month",
                                        unrestricted_only=True),))
    registry = measures(db.registry)
    registry[backed.name] = backed
    try:
        with db.session() as s:
            director = env_of(db, s, ids, "director")
            assert measure_value(director, "masterdata.coarse")[0].value == 4 * 7          # coarse: all 4 rows
            assert total(measure_value(director, "masterdata.coarse", group_by=["owner"], labels=False)) == 4 * 1000
            salesperson = env_of(db, s, ids, "wangwei")
            mine = measure_value(salesperson, "masterdata.coarse")[0].value
            assert mine == 2 * 1000  # the fine summary, through the salesperson's rule (own two customers)
    finally:
        registry.pop(backed.name)
