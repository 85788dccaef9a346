"""Tests of the orders addon on SQLite and PostgreSQL: the chain contract -> delivery -> collection with
approvals, credit refusal and approval, red-letter netting, territory of the date, measures, ageing,
gapless numbering under concurrency, two-step collections, rights, locked documents and bad input."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import insert, update

from core.errors import AccessDenied, ValidationError
from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["orders", "territories", "pricing"])

D = Decimal
MAR, AUG, SEP = dt.date(2026, 3, 2), dt.date(2026, 8, 3), dt.date(2026, 9, 1)


def _m(world):
    return world.addon_module("orders", "models")


def _svc(world):
    return world.addon_module("orders", "services")


def _setup(world, s):
    """Products, the territory customer (moved into its territory on 2026-07-01) and a second customer."""
    md = world.factories.masterdata
    admin = world.env(s, "admin")
    terr = world.data["territories"]["acme"]
    sp = world.data["masterdata"]["acme"]["employees"]["salesperson"]
    p1 = md.product(admin, code="TWC-1", name="三元催化剂")
    p2 = md.product(admin, code="DOC-2", name="氧化催化剂")
    cust_id = terr["customer"]
    from addons.masterdata.models import Customer
    from addons.territories.models import CustomerTerritory

    cust = admin.get(Customer, cust_id)
    admin.write(cust, {"credit_limit": D("100000"), "settlement_method": cust.settlement_method or None,
                       "payment_days": 30})
    sudo = admin.sudo()
    sudo.execute(update(CustomerTerritory).where(CustomerTerritory.customer_id == cust_id).values(
        date_from=dt.date(2026, 7, 1)))
    sudo.execute(insert(CustomerTerritory).values(
        company_id=admin.company_id, customer_id=cust_id, territory_id=terr["other_territory"], source="manual",
        date_from=dt.date(2025, 1, 1), date_to=dt.date(2026, 7, 1), version=1, active=True,
        created_at=dt.datetime.now(dt.UTC), updated_at=dt.datetime.now(dt.UTC)))
    svc = world.addon_module("orders", "services")
    svc.settings(admin).overdue_threshold = D("1000000")
    other_cust = md.customer(admin, name="远方客户", owner=sp, credit_limit=D("0"))
    return {"p1": p1, "p2": p2, "cust": cust, "other_cust": other_cust, "terr": terr}


def test_chain_credit_returns_collections_measures_and_bad_input(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _m(world), _svc(world)
    orders = world.factories.orders
    with world.session() as s:
        data = _setup(world, s)
        p1, p2, cust = data["p1"], data["p2"], data["cust"]
        seller = world.env(s, "salesperson")
        boss = world.env(s, "territory_manager")
        finance = world.env(s, "finance")
        director = world.env(s, "director")

        # a contract inside the credit limit is confirmed by sales directly; territory of the contract date
        c1 = orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "10", "unit_price": "3000"},
                                            {"product_id": p2.id, "quantity": "5", "unit_price": "2000"}],
                             contract_date=MAR)
        assert c1.state == "confirmed"
        assert c1.amount_total == D("40000.00")
        assert c1.number == "HT2026-00001"
        assert c1.territory_id == data["terr"]["other_territory"]  # the territory of March, not today's
        assert c1.late_filing  # filed today, dated in March
        assert c1.salesperson_id == world.data["masterdata"]["acme"]["employees"]["salesperson"]

        # partial delivery, then the rest; late shipping: approved Wed 2026-09-30, the next working day after the
        # National Day holiday is 2026-10-08, so shipped on 2026-10-09 is late
        lines = {li.product_id: li for li in c1.lines}
        d1 = svc.create_delivery(seller, c1, [{"contract_line_id": lines[p1.id].id, "quantity": "4"}], approved_on=AUG)
        svc.ship(seller, d1, on=AUG)
        assert (d1.state, d1.amount_total, d1.open_amount) == ("shipped", D("12000.00"), D("12000.00"))
        assert d1.territory_id == data["terr"]["territory"]  # August: the new territory
        assert d1.due_date == AUG + dt.timedelta(days=30)
        assert not d1.shipped_late
        d2 = svc.create_delivery(seller, c1, approved_on=dt.date(2026, 9, 30))
        svc.ship(seller, d2, on=dt.date(2026, 10, 9))
        assert d2.shipped_late
        d3_lines = {li.product_id: li.quantity for li in d2.lines}
        assert d3_lines == {p1.id: D("6.000"), p2.id: D("5.000")}
        svc.confirm_receipt(seller, d2, b"%PDF-1.4 signed", "确认单.pdf")
        assert d2.state == "confirmed"
        from core.models import Attachment

        assert world.env(s, "admin").sudo().count(Attachment, Attachment.res_id == d2.id) == 1

        def count_docs() -> int:
            a = world.env(s, "admin")
            return sum(a.count(x) for x in (m.Contract, m.ContractLine, m.Delivery, m.DeliveryLine, m.Collection,
                                            m.Allocation, m.DocumentCounter))

        before = count_docs()
        # bad input: more than contracted, a return of an item not delivered, too much back, a closed period,
        # a collection larger than the open amount -- clear messages in both languages, nothing saved
        with pytest.raises(ValidationError, match="完全交货|fully delivered"):
            svc.create_delivery(seller, c1)
        c_small = orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "2", "unit_price": "100"}],
                                  contract_date=SEP)
        before = count_docs()
        with use_lang("zh_CN"):
            with pytest.raises(ValidationError, match="超过"):
                svc.create_delivery(seller, c_small, [{"contract_line_id": c_small.lines[0].id, "quantity": "3"}])
        with use_lang("en"):
            with pytest.raises(ValidationError, match="more than the 2"):
                svc.create_delivery(seller, c_small, [{"contract_line_id": c_small.lines[0].id, "quantity": "3"}])
            with pytest.raises(ValidationError, match="DOC-2 was not delivered"):
                svc.create_return(seller, d1, [{"product_id": p2.id, "quantity": "1"}])
            with pytest.raises(ValidationError, match="more than the 4"):
                svc.create_return(seller, d1, [{"product_id": p1.id, "quantity": "5"}])
            with pytest.raises(ValidationError, match="larger than the open amount of 40,?000"):
                svc.create_collection(seller, cust.id, "40000.01")
        with use_lang("zh_CN"):
            with pytest.raises(ValidationError, match="未交货|不能退"):
                svc.create_return(seller, d1, [{"product_id": p2.id, "quantity": "1"}])
            with pytest.raises(ValidationError, match="回款.*大于"):
                svc.create_collection(seller, cust.id, "40000.01")
        svc.settings(finance).closed_until = dt.date(2026, 6, 30)
        s.flush()
        with pytest.raises(ValidationError, match="closed|关闭|结账"):
            svc.create_contract(seller, cust.id, [{"product_id": p1.id, "quantity": "1", "unit_price": "1"}],
                                contract_date=MAR)
        assert count_docs() == before

        # a red-letter return nets against its original; sales and receivables net
        r1 = svc.create_return(seller, d1, [{"product_id": p1.id, "quantity": "1"}], on=SEP)
        assert r1.number.startswith("TH2026-")
        assert r1.original_id == d1.id
        assert r1.amount_total == D("-3000.00")
        svc.ship(seller, r1, on=SEP)
        s.refresh(d1)
        assert d1.open_amount == D("9000.00")
        assert r1.open_amount == D("0.00")
        assert svc.open_receivables(seller, cust.id) == D("37000.00")
        from core.measures import measure_value, total

        year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        assert total(measure_value(seller, "orders.sales_amount", period=year)) == D("37000.00")
        assert total(measure_value(seller, "orders.sales_quantity", period=year)) == D("14.000")
        assert total(measure_value(seller, "orders.contract_amount", period=year)) == D("40200.00")
        by_terr = {r["territory"]: r.value for r in measure_value(director, "orders.contract_amount", period=year,
                                                                   group_by=["territory"])}
        assert by_terr[data["terr"]["other_territory"]] == D("40000.00")
        by_terr = {r["territory"]: r.value for r in measure_value(director, "orders.sales_amount", period=year,
                                                                   group_by=["territory"])}
        assert by_terr == {data["terr"]["territory"]: D("37000.00")}
        assert total(measure_value(director, "orders.receivables")) == D("37000.00")

        # two-step collection: the salesperson cannot confirm the cash; finance only after sales
        col = orders.collection(seller, cust, "10000", on=dt.date(2026, 10, 20))
        with pytest.raises(ValidationError):
            svc.confirm_collection_finance(finance, col)  # sales has not confirmed yet
        svc.confirm_collection_sales(seller, col)
        with pytest.raises(AccessDenied):
            svc.confirm_collection_finance(seller, col)
        allocs = svc.confirm_collection_finance(finance, col, on=dt.date(2026, 10, 21))
        assert col.state == "confirmed"
        assert col.confirmed_on == dt.date(2026, 10, 21)
        assert [(a.delivery_id, a.amount) for a in allocs] == [(d1.id, D("9000.00")), (d2.id, D("1000.00"))]
        assert total(measure_value(director, "orders.collections", period=year)) == D("10000.00")
        assert total(measure_value(director, "orders.receivables")) == D("27000.00")
        rows = world.addon_module("orders", "report_defs").ageing_rows(director, "customer", dt.date(2026, 11, 20))
        assert len(rows) == 1
        assert rows[0]["total"] == D("27000.00")
        assert rows[0]["d31_60"] == D("27000.00")

        # the half-year statement: every note, return and collection, closing = receivables
        st = world.addon_module("orders", "services.statements").statement(director, cust.id, "2026-H2")
        assert st["opening"] == D("0")
        assert [(r["number"][:2], r["debit"], r["credit"]) for r in st["rows"]] == [
            ("CK", D("12000.00"), D("0")), ("TH", D("0"), D("3000.00")), ("CK", D("28000.00"), D("0")),
            ("HK", D("0"), D("10000.00"))]
        assert st["closing"] == D("27000.00")
        with pytest.raises(ValidationError, match="2026-H1"):
            world.addon_module("orders", "services.statements").statement(director, cust.id, "2026-Q3")

        # invoice requests: reviewed and issued by finance (never the requester), signed by the customer
        inv = svc.request_invoice(seller, d2)
        assert (inv.state, inv.amount, inv.number) == ("requested", D("28000.00"), "KP2026-00001")
        with use_lang("en"), pytest.raises(ValidationError, match="more than the 0.00 not invoiced"):
            svc.request_invoice(seller, d2, "1")
        with pytest.raises(AccessDenied):
            svc.review_invoice(seller, inv)
        svc.review_invoice(finance, inv)
        with pytest.raises(ValidationError):
            svc.issue_invoice(finance, inv, " ")
        svc.issue_invoice(finance, inv, "04400123")
        svc.record_signature(seller, inv, "张采购")
        assert (inv.state, inv.invoice_number, inv.signed_by) == ("signed", "04400123", "张采购")
        with pytest.raises(ValidationError):
            finance.write(inv, {"amount": D("1")})

        # after-sales requests go to technical support, who closes them
        service = world.addon_module("orders", "services.service")
        with pytest.raises(ValidationError):
            service.create_service_request(seller, cust.id, "  ")
        sr = service.create_service_request(seller, cust.id, "起燃温度偏高", delivery_id=d2.id)
        assert sr.assigned_to_id == world.data["masterdata"]["acme"]["employees"]["tech_support"]
        with pytest.raises(ValidationError):
            service.close_service_request(seller, sr, "已处理")
        tech = world.env(s, "tech_support")
        service.close_service_request(tech, sr, "更换载体，客户确认")
        assert sr.state == "done"
        with pytest.raises(ValidationError):
            tech.write(sr, {"resolution": "改"})

        # nobody edits a confirmed document: corrections are red-letter
        for env, rec, values in ((seller, c1, {"note": "改"}), (world.env(s, "admin"), d2, {"amount_total": D("1")}),
                                 (finance, col, {"amount": D("1")}), (seller, d1, {"note": "x"})):
            with pytest.raises((ValidationError, AccessDenied)):
                env.write(rec, {**values})
        with pytest.raises(ValidationError):
            world.env(s, "admin").write(c_small, {"state": "draft"})

        # credit: a contract over the limit waits for approval by authority; the requester cannot approve
        big = orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "100", "unit_price": "2500"}],
                              contract_date=dt.date(2026, 11, 2))
        assert big.state == "waiting"
        assert big.credit_issue
        with pytest.raises(AccessDenied):
            svc.decide_contract(seller, big, True)
        with pytest.raises(AccessDenied, match="authority|权限|exceeds|超过"):
            svc.decide_contract(boss, big, True)  # 250,000 > the territory manager's 200,000
        with pytest.raises(ValidationError):
            svc.create_delivery(seller, big)
        svc.decide_contract(director, big, True, "客户信誉良好")
        assert big.state == "confirmed"
        # goods requests: reviewed by a manager; over the credit limit only approval by authority lets it through
        gr = svc.create_goods_request(seller, big, [{"contract_line_id": big.lines[0].id, "quantity": "10"}])
        assert svc.submit_goods_request(seller, gr) is None  # 25,000 + 27,000 owed: inside 100,000
        with pytest.raises(AccessDenied):
            svc.decide_goods_request(seller, gr, True)  # not by the requester
        svc.decide_goods_request(boss, gr, True)
        note = svc.deliver_goods_request(seller, gr)
        assert (gr.state, note.goods_request_id, note.amount_total) == ("delivered", gr.id, D("25000.00"))
        svc.ship(seller, note)
        gr2 = svc.create_goods_request(seller, big, [{"contract_line_id": big.lines[0].id, "quantity": "30"}])
        with use_lang("en"):
            with pytest.raises(ValidationError, match="more than the 60"):
                svc.create_goods_request(seller, big, [{"contract_line_id": big.lines[0].id, "quantity": "61"}])
            issue = svc.submit_goods_request(seller, gr2)  # 75,000 + 52,000 owed > 100,000
        assert "credit limit" in issue
        assert gr2.state == "reviewing"
        from core.security import approvals

        wf_gr = world.addon_module("orders", "workflows").GOODS_REQUEST_WORKFLOW
        with pytest.raises(ValidationError), s.begin_nested():  # a request is rolled back as a whole
            approvals.fire(boss, wf_gr, gr2, "approve")  # the plain review cannot pass a credit failure
        s.refresh(gr2)
        assert gr2.state == "reviewing"
        svc.decide_goods_request(boss, gr2, True, "担保到位")  # 75,000 inside the manager's authority
        assert gr2.state == "approved"
        gr3 = svc.create_goods_request(seller, big, [{"contract_line_id": big.lines[0].id, "quantity": "20"}])
        svc.submit_goods_request(seller, gr3)
        svc.decide_goods_request(boss, gr3, False, "先回款")
        assert gr3.state == "rejected"

        # a refused one goes back to draft
        big2 = orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "10", "unit_price": "2500"}],
                               contract_date=dt.date(2026, 11, 3))
        assert big2.state == "waiting"
        svc.decide_contract(boss, big2, False, "超信用额度")
        assert big2.state == "draft"
        # the generic transition cannot skip the approval
        wf = world.addon_module("orders", "workflows").CONTRACT_WORKFLOW
        with pytest.raises(ValidationError):
            approvals.fire(seller, wf, big2, "confirm")


def _quote(admin, customer, product, price, cost, qty="10"):
    """An approved pricing quote written directly (pricing's own tests cover how quotes are made)."""
    from addons.pricing.models import Quote, QuoteLine

    now = dt.datetime.now(dt.UTC)
    mix = {"company_id": admin.company_id, "created_at": now, "updated_at": now, "version": 1, "active": True}
    sudo = admin.sudo()
    qid = sudo.execute(insert(Quote).values(
        number=f"Q2026-{price}", revision=1, kind="quote", customer_id=customer.id, channel="direct",
        currency="CNY", quote_date=dt.date(2026, 11, 2), valid_until=dt.date(2026, 12, 31), state="approved",
        amount_total=D(price) * D(qty), max_deviation_pct=D("0"), **mix).returning(Quote.id)).scalar_one()
    sudo.execute(insert(QuoteLine).values(
        quote_id=qid, sequence=10, product_id=product.id, quantity=D(qty), unit_price=D(price),
        amount=D(price) * D(qty), target_price=D(price), floor_price=D(price), quote_type="competitive",
        cost_month=dt.date(2026, 11, 1), cost=D(cost), deviation_pct=D("0"), **mix))
    return qid


def test_quotes_rights_locks_and_gapless_numbering(tixi_world, tixi_engine):  # noqa: F811
    world = tixi_world
    m, svc = _m(world), _svc(world)
    orders = world.factories.orders
    sp2_user = world.add_user("sp2_acme", "salesperson", "acme")
    with world.session() as s:
        data = _setup(world, s)
        p1, cust = data["p1"], data["cust"]
        admin = world.env(s, "admin")
        seller = world.env(s, "salesperson")
        director = world.env(s, "director")
        # a contract from an approved quote at the quoted price and terms: confirmed by sales directly
        q1 = _quote(admin, cust, p1, "3000", "2100")
        c1 = svc.create_contract(seller, cust.id, quote_id=q1, contract_date=dt.date(2026, 11, 3))
        assert not c1.deviates
        assert c1.lines[0].quoted_price == D("3000")
        assert c1.lines[0].unit_cost == D("2100")
        assert svc.confirm_contract(seller, c1) == "confirmed"
        orders.delivery(seller, c1, on=dt.date(2026, 11, 4))
        from core.measures import measure_value, total

        year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        assert total(measure_value(director, "orders.gross_profit", period=year)) == D("9000.00")
        # a lower price than quoted is a deviation: re-approved through the kernel approvals
        q2 = _quote(admin, cust, p1, "2800", "2100", qty="5")
        c2 = svc.create_contract(seller, cust.id, [{"product_id": p1.id, "quantity": "5", "unit_price": "2600"}],
                                 quote_id=q2, contract_date=dt.date(2026, 11, 5))
        assert c2.deviates
        assert svc.confirm_contract(seller, c2) == "waiting"
        svc.decide_contract(world.env(s, "territory_manager"), c2, True)
        assert c2.state == "confirmed"
        orders.collection(seller, cust, "1000", on=dt.date(2026, 11, 6))

        # rights: a salesperson sees their own customers' documents; another salesperson nothing;
        # the manager the team's; finance all but creates no contract; the other company nothing
        md = world.factories.masterdata
        md.employee(admin, name="孙二", user=sp2_user, position="salesperson",
                    manager=world.data["masterdata"]["acme"]["employees"]["territory_manager"])
        sp2 = world.env(s, user=sp2_user)
        for model in (m.Contract, m.ContractLine, m.Delivery, m.DeliveryLine, m.Collection):
            assert seller.count(model) > 0, model
            assert sp2.count(model) == 0, model
            assert world.env(s, "director", "other").count(model) == 0
        assert world.env(s, "territory_manager").count(m.Contract) == 2
        finance = world.env(s, "finance")
        assert finance.count(m.Contract) == 2
        assert finance.count(m.Collection) == 1
        with pytest.raises(AccessDenied):
            svc.create_contract(finance, cust.id, [{"product_id": p1.id, "quantity": "1", "unit_price": "1"}])
        with pytest.raises(AccessDenied):
            sp2.get(m.Contract, c1.id)
        with pytest.raises(AccessDenied):
            svc.create_contract(sp2, cust.id, [{"product_id": p1.id, "quantity": "1", "unit_price": "1"}])
        rows = world.addon_module("orders", "report_defs").ageing_rows(sp2, "customer")
        assert rows == []
        # a confirmed contract's lines cannot change either
        with pytest.raises(ValidationError):
            admin.write(c1.lines[0], {"quantity": D("1")})
        last = c2.number
        c1_id, c1_number, c1_line = c1.id, c1.number, c1.lines[0].id
        c2_id, c2_line = c2.id, c2.lines[0].id
        cust_id = cust.id

    # gapless numbering: a rolled-back creation gives its number back; concurrent creations never collide
    def make(fail: bool = False) -> str:
        with world.session() as s2:
            env = world.env(s2, "salesperson")
            c = svc.create_contract(env, cust.id, [{"product_id": p1.id, "quantity": "1", "unit_price": "10"}],
                                    contract_date=dt.date(2026, 11, 10))
            if fail:
                raise RuntimeError("rolled back")
            return c.number

    with pytest.raises(RuntimeError):
        make(fail=True)
    seq = int(last.rsplit("-", 1)[1])
    assert make() == f"HT2026-{seq + 1:05d}"
    numbers: list[str] = []
    if tixi_engine == "postgresql":
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                numbers.append(make())
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
    else:
        numbers = [make() for _ in range(3)]
    got = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert got == list(range(seq + 2, seq + 2 + len(numbers)))
    # the pages answer (phone-first lists, detail, printable contract and statement)
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("salesperson"), world.password)
    page = client.get("/orders/")
    assert page.status_code == 200
    assert c1_number in page.text
    detail = client.get(f"/orders/contracts/{c1_id}")
    assert detail.status_code == 200
    assert client.get(f"/orders/contracts/{c1_id}/print").status_code == 200
    assert client.get(f"/orders/statements/{cust_id}?half=2026-H2").status_code == 200
    assert client.get("/orders/collections").status_code == 200
    assert client.get("/orders/invoices").status_code == 200
    assert client.get("/orders/service").status_code == 200
    bad = client.post(f"/orders/contracts/{c1_id}", data={"action": "deliver", f"qty_{c1_line}": "99",
                                                                "csrf_token": csrf_token(detail.text)})
    assert bad.status_code in (400, 422)
    detail2 = client.get(f"/orders/contracts/{c2_id}")
    ok = client.post(f"/orders/contracts/{c2_id}", data={"action": "goods_request", f"qty_{c2_line}": "2",
                                                         "csrf_token": csrf_token(detail2.text)})
    assert ok.status_code in (302, 303)
    assert "XQ2026-00001" in client.get(f"/orders/contracts/{c2_id}").text
    other = logged_in_client(app, "sp2_acme", world.password)
    assert other.get(f"/orders/contracts/{c1_id}").status_code in (403, 404)
    with world.session() as s3:
        stored = sorted(int(n.rsplit("-", 1)[1]) for n in world.env(s3, "admin").scalars(
            world.env(s3, "admin").select(m.Contract, "read", m.Contract.number)))
        assert stored == list(range(1, len(stored) + 1))
