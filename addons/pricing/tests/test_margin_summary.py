"""The monthly margin summary (``pricing_margin_month``), on SQLite and PostgreSQL.

Maintained on write: after every change to quotes and lines (creating,
editing a line, moving a quote in and out of the priced states, re-dating,
deleting) the summary equals the aggregate of the lines (``differences``
empty) and has the expected figures. The margin report gives the same rows
from the summary and from the lines, and reads the summary only on whole
months. The summary's own rules match the quotes': a territory manager sees his
territory and the territories below it, a salesperson may not read it at all.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from addons.pricing import reports as q
from addons.pricing import services as svc
from addons.pricing import summary
from addons.pricing.models import MarginMonth, Quote, QuoteLine
from addons.pricing.tests.helpers import DAY, MONTH, D, env_of
from core.errors import AccessDenied

OCT = dt.date(2026, 10, 20)


def _rows(env):
    """The company's summary rows as {(month, customer, product): (revenue, margin, lines)}."""
    out = {}
    for r in env.sudo().search(MarginMonth):
        out[(r.month, r.customer_id, r.product_id)] = (D(r.revenue).quantize(D("0.01")),
                                                        D(r.margin).quantize(D("0.01")), r.lines)
    return out


def _price(db, s, ids, env, quote):
    """Submit; when it waits for approval, the director (whose band covers our prices) approves."""
    svc.submit_quote(env, quote)
    if quote.state == "waiting":
        svc.approve_quote(env_of(db, s, ids, "director"), quote)


def _in_step(env):
    assert summary.differences(env) == []


def test_summary_follows_creation_edits_states_and_deletion(world):
    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        root = env_of(db, s, ids, "root")
        p1, p2, faw = ids["p1"], ids["p2"], ids["faw"]
        # a draft is not priced business: nothing in the summary
        q1 = svc.create_quote(rep, faw, [{"product_id": p1, "quantity": D("10"), "unit_price": D("900")},
                                         {"product_id": p2, "quantity": D("4"), "unit_price": D("700")}],
                              quote_date=DAY)
        assert _rows(root) == {}
        # a draft's line price changes: still nothing
        line2 = next(li for li in svc.lines_of(rep, q1) if li.product_id == p2)
        svc.set_line_price(rep, line2, D("650"), D("4"))
        assert _rows(root) == {}
        # submitted outside the band, approved: in (10 x 900 - 10 x 820; 4 x 650 - 4 x 620)
        svc.submit_quote(rep, q1)
        assert _rows(root) == {}   # waiting for approval is not priced yet
        svc.approve_quote(env_of(db, s, ids, "director"), q1)
        assert _rows(root) == {(MONTH, faw, p1): (D("9000.00"), D("800.00"), 1),
                               (MONTH, faw, p2): (D("2600.00"), D("120.00"), 1)}
        _in_step(root)
        # a second quote of the same customer and month adds to the same slice
        q2 = svc.create_quote(rep, faw, [{"product_id": p1, "quantity": D("1"), "unit_price": D("1000")}],
                              quote_date=DAY)
        _price(db, s, ids, rep, q2)
        assert _rows(root)[(MONTH, faw, p1)] == (D("10000.00"), D("980.00"), 2)
        _in_step(root)
        # a line of a priced quote edited (administrator's correction), then deleted
        line1 = next(li for li in svc.lines_of(root, q1) if li.product_id == p1)
        root.write(line1, {"quantity": D("5"), "amount": D("4500"), "margin_amount": D("400")})
        assert _rows(root)[(MONTH, faw, p1)] == (D("5500.00"), D("580.00"), 2)
        _in_step(root)
        root.delete(line2)
        assert (MONTH, faw, p2) not in _rows(root)
        _in_step(root)
        # re-dated to October: both months' slices follow
        root.write(q2, {"quote_date": OCT})
        rows = _rows(root)
        assert rows[(MONTH, faw, p1)] == (D("4500.00"), D("400.00"), 1)
        assert rows[(dt.date(2026, 10, 1), faw, p1)] == (D("1000.00"), D("180.00"), 1)
        _in_step(root)
        # sent then lost: out of the summary; sent then won stays in
        svc.send_quote(rep, q2)
        assert (dt.date(2026, 10, 1), faw, p1) in _rows(root)
        svc.record_reaction(rep, q2, "lost", competitor="BASF")
        assert (dt.date(2026, 10, 1), faw, p1) not in _rows(root)
        _in_step(root)
        svc.send_quote(rep, q1)
        svc.record_reaction(rep, q1, "accepted")
        assert _rows(root) == {(MONTH, faw, p1): (D("4500.00"), D("400.00"), 1)}
        # a re-quote supersedes an open quote: the old version leaves, the new draft is not in yet
        q3 = svc.create_quote(rep, faw, [{"product_id": p2, "quantity": D("2"), "unit_price": D("700")}],
                              quote_date=DAY)
        _price(db, s, ids, rep, q3)
        assert (MONTH, faw, p2) in _rows(root)
        svc.revise_quote(rep, q3, {p2: D("690")}, quote_date=DAY)
        assert (MONTH, faw, p2) not in _rows(root)
        _in_step(root)
        # a priced quote deleted: its lines leave with it
        root.delete(q1)
        s.flush()
        assert _rows(root) == {}
        _in_step(root)
        s.commit()
    with db.session() as s:
        # committed with the changes (same transaction), nothing left over
        assert s.scalar(select(func.count(MarginMonth.id))) == 0


def _year_of_quotes(db, s, ids):
    """Won and approved quotes of both customers over three months, plus a draft and a lost one."""
    rep, sun = env_of(db, s, ids, "wangwei"), env_of(db, s, ids, "sun")
    root = env_of(db, s, ids, "root")
    for month in (dt.date(2026, 9, 1), dt.date(2026, 10, 1)):   # the world has November's costs only
        for code, price in (("Pt", "190"), ("Pd", "240"), ("Rh", "990")):
            svc.set_metal_price(root, code, month, D(price))
        for pid in (ids["p1"], ids["p2"]):
            svc.set_product_cost(root, pid, month, D("100"), D("20"))
    made = []
    for day in (dt.date(2026, 9, 3), OCT, DAY, dt.date(2026, 11, 30)):
        for env, cust in ((rep, ids["faw"]), (sun, ids["baic"])):
            quote = svc.create_quote(env, cust, [
                {"product_id": ids["p1"], "quantity": D("3"), "unit_price": D("880")},
                {"product_id": ids["p2"], "quantity": D("2")}], quote_date=day, valid_until=dt.date(2026, 12, 31))
            _price(db, s, ids, env, quote)
            made.append(quote)
    svc.send_quote(sun, made[1])
    svc.record_reaction(sun, made[1], "lost", competitor="BASF")
    svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("1")}], quote_date=DAY)
    return made


BYS = [["customer_class", "territory", "product"], ["month"], ["product", "month"], ["territory"], ["customer_class"]]


def test_report_gives_the_same_rows_from_summary_and_lines(world, monkeypatch):
    db, ids = world
    with db.session() as s:
        _year_of_quotes(db, s, ids)
        _in_step(env_of(db, s, ids, "root"))
        periods = [(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), (dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
                   (dt.date(2026, 10, 1), dt.date(2026, 11, 30)), (None, None)]
        for login in ("director", "finance", "zhang_east", "li_north", "root"):
            env = env_of(db, s, ids, login)
            for by in BYS:
                for lo, hi in periods:
                    for filters in ({}, {"territory": ids["east"]}, {"salesperson": ids["employees"]["sun"]},
                                    {"product": ids["p2"]}):
                        lines = q.margin_rows(env, by, lo, hi, source="lines", **filters)
                        assert q.margin_rows(env, by, lo, hi, source="summary", **filters) == lines, (login, by, lo)
        director = env_of(db, s, ids, "director")
        year = q.margin_rows(director, ["month"], dt.date(2026, 1, 1), dt.date(2026, 12, 31), source="lines")
        assert [r["month"] for r in year] == ["2026-09", "2026-10", "2026-11"]
        assert sum(r["lines"] for r in year) == 14   # 8 quotes x 2 lines, the lost one out

        # "auto" reads the summary on whole months, the lines otherwise (and for other states)
        calls = []
        real_lines, real_summary = q._margin_from_lines, q._margin_from_summary
        monkeypatch.setattr(q, "_margin_from_lines", lambda *a: calls.append("lines") or real_lines(*a))
        monkeypatch.setattr(q, "_margin_from_summary", lambda *a: calls.append("summary") or real_summary(*a))
        q.margin_rows(director, ["month"], dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        q.margin_rows(director, ["month"], dt.date(2026, 11, 1), dt.date(2026, 11, 16))
        q.margin_rows(director, ["month"], dt.date(2026, 11, 2), dt.date(2026, 11, 30))
        q.margin_rows(director, ["month"], dt.date(2026, 1, 1), dt.date(2026, 12, 31), states=["won"])
        assert calls == ["summary", "lines", "lines", "lines"]
        # a part of a month: the lines, and the figures differ from the whole month's
        part = q.margin_rows(director, ["month"], dt.date(2026, 11, 1), dt.date(2026, 11, 16))
        whole = q.margin_rows(director, ["month"], dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        assert part[0]["lines"] < whole[0]["lines"]
        with pytest.raises(ValueError, match="does not fit"):
            q.margin_rows(director, ["month"], dt.date(2026, 11, 1), dt.date(2026, 11, 16), source="summary")
        # through the report centre page's query too
        from core.reports import run_report

        res = run_report(director, "pricing.margin", {"period": "custom", "date_from": "2026-01-01",
                                                      "date_to": "2026-12-31"}, today=DAY)
        assert res.totals["lines"] == 14


def test_rules_apply_to_the_summary(world):
    from addons.masterdata.models import Customer
    from addons.territories.models import Territory
    from addons.territories.services import assign_customer

    db, ids = world
    with db.session() as s:
        root = env_of(db, s, ids, "root")
        # a territory below 华东 (上海), with its own customer owned by 王伟
        sh = root.create(Territory, {"code": "E-SH", "name_zh": "上海", "name_en": "Shanghai", "parent_id": ids["east"]})
        saic = root.create(Customer, {"name_zh": "上汽", "name_en": "SAIC", "province": "上海",
                                      "owner_id": ids["employees"]["wangwei"], "status": "active"})
        assign_customer(root, saic, sh, DAY)
        s.flush()
        _year_of_quotes(db, s, ids)
        rep = env_of(db, s, ids, "wangwei")
        quote = svc.create_quote(rep, saic.id, [{"product_id": ids["p1"], "quantity": D("1"), "unit_price": D("900")}],
                                 quote_date=DAY)
        _price(db, s, ids, rep, quote)
        _in_step(root)

        def customers(login):
            env = env_of(db, s, ids, login)
            return set(env.scalars(summary.summary_select(env, MarginMonth.customer_id).distinct()))

        assert customers("zhang_east") == {ids["faw"], saic.id}      # his territory and the one below it
        assert customers("li_north") == {ids["baic"]}
        assert customers("director") == customers("finance") == {ids["faw"], ids["baic"], saic.id}
        # salespeople and the general manager have no access to margins, from the summary either
        for login in ("wangwei", "gm"):
            with pytest.raises(AccessDenied):
                customers(login)
        # the report from the summary shows the manager the same as from the lines
        east = env_of(db, s, ids, "zhang_east")
        by = ["territory", "product"]
        rows = q.margin_rows(east, by, dt.date(2026, 1, 1), dt.date(2026, 12, 31), source="summary")
        assert rows == q.margin_rows(east, by, dt.date(2026, 1, 1), dt.date(2026, 12, 31), source="lines")
        assert {r["territory"] for r in rows} == {"华东", "上海"}


def test_rebuild_and_the_repair_job(world):
    from core.jobs import run_by_hand

    db, ids = world
    with db.session() as s:
        _year_of_quotes(db, s, ids)
        root = env_of(db, s, ids, "root")
        before = _rows(root)
        # damage: rows lost, a figure wrong
        root.sudo().execute(delete(MarginMonth).where(MarginMonth.product_id == ids["p2"]))
        s.flush()
        assert summary.differences(root)
        assert summary.rebuild(root) == len(before)
        assert _rows(root) == before
        _in_step(root)
        root.sudo().execute(delete(MarginMonth))
        s.commit()
        company_id = root.company_id
    run_by_hand(db.registry, "pricing.rebuild_margin_summary", company_id)
    with db.session() as s:
        root = env_of(db, s, ids, "root")
        assert _rows(root) == before
        assert s.scalar(select(func.count(QuoteLine.id)).join(Quote).where(Quote.state.in_(summary.PRICED_STATES))) == 14


def test_the_migration_fills_the_summary_from_existing_quotes(world):
    """pricing_0001 -> pricing_0002 on a database that already has priced quotes: the summary starts in step."""
    from alembic import command

    from core import migrate

    db, ids = world
    with db.session() as s:
        _year_of_quotes(db, s, ids)
        s.commit()
        before = _rows(env_of(db, s, ids, "root"))
    assert len(before) == 10   # 2 customers x 2 products x Sep/Oct/Nov, less the lost September quote's 2
    manifests = [db.registry.manifests[n] for n in ("masterdata", "territories", "pricing")]
    with db.registry.engine.begin() as conn:
        cfg = migrate.make_config(conn, manifests)
        command.downgrade(cfg, "pricing_0001")
        assert not conn.dialect.has_table(conn, "pricing_margin_month")
        migrate.upgrade(conn, manifests, "pricing")
    with db.session() as s:
        root = env_of(db, s, ids, "root")
        assert _rows(root) == before
        _in_step(root)


def test_two_transactions_refreshing_one_slice_do_not_count_twice(world):
    """PostgreSQL, READ COMMITTED: the second writer of a (company, customer, month) waits, then replaces."""
    import threading

    db, ids = world
    if db.registry.engine.dialect.name != "postgresql":
        pytest.skip("concurrent transactions: PostgreSQL")
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        quote = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("2"), "unit_price": D("900")}],
                                 quote_date=DAY)
        _price(db, s, ids, rep, quote)
        s.commit()
        company_id = rep.company_id
    piece = (company_id, ids["faw"], MONTH)
    done = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with db.session() as s2:
                summary.refresh_slices(env_of(db, s2, ids, "root"), [piece])
                s2.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)
        done.set()

    with db.session() as s1:
        summary.refresh_slices(env_of(db, s1, ids, "root"), [piece])
        worker = threading.Thread(target=second)
        worker.start()
        assert not done.wait(1.0)   # waits for the first transaction
        s1.commit()
    worker.join(30)
    assert done.is_set()
    assert not errors
    with db.session() as s:
        root = env_of(db, s, ids, "root")
        _in_step(root)
        assert s.scalar(select(func.count(MarginMonth.id))) == 1
