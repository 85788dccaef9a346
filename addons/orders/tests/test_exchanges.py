"""Exchanges (换货) on SQLite and PostgreSQL: one validated operation submitted for approval, a manager (never the
requester) approves, the red-letter return and the replacement note are made and linked, sales net unchanged for
the same product and price; rights (a salesperson sees their own customers' exchanges only) and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.errors import AccessDenied, ValidationError
from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

from .test_orders import _setup

pytestmark = pytest.mark.tixi_world(addons=["orders", "territories", "pricing"])

D = Decimal
AUG, SEP = dt.date(2026, 8, 3), dt.date(2026, 9, 1)
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_exchange_approval_netting_rights_and_bad_input(tixi_world, tixi_engine):  # noqa: F811
    world = tixi_world
    m, svc = world.addon_module("orders", "models"), world.addon_module("orders", "services")
    orders = world.factories.orders
    sp2_user = world.add_user("sp2_acme", "salesperson", "acme")
    with world.session() as s:
        data = _setup(world, s)
        p1, p2, cust = data["p1"], data["p2"], data["cust"]
        admin = world.env(s, "admin")
        p3 = world.factories.masterdata.product(admin, code="SCR-3", name="选择性催化还原")
        seller = world.env(s, "salesperson")
        boss = world.env(s, "territory_manager")
        director = world.env(s, "director")
        c = orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "10", "unit_price": "3000"},
                                           {"product_id": p2.id, "quantity": "5", "unit_price": "2000"}],
                            contract_date=AUG)
        d = orders.delivery(seller, c, on=AUG)
        assert d.amount_total == D("40000.00")

        def counts() -> tuple[int, ...]:
            return tuple(admin.count(x) for x in (m.Exchange, m.ExchangeLine, m.Delivery, m.DeliveryLine,
                                                  m.DocumentCounter))

        before = counts()
        # bad input: per-field errors in the user's language, nothing saved
        cases = [
            ([{"product_id": p1.id, "quantity": "11"}], "外壳破损", "lines.1.quantity", "超过", "more than the 10"),
            ([{"product_id": p3.id, "quantity": "1"}], "外壳破损", "lines.1.product_id", "未在", "was not delivered"),
            ([{"product_id": p1.id, "quantity": "0"}], "外壳破损", "lines.1.quantity", "大于零", "greater than zero"),
            ([{"product_id": p1.id, "quantity": "1", "replacement_product_id": p3.id}], "外壳破损",
             "lines.1.replacement_product_id", "不在合同", "not on contract"),
            ([{"product_id": p2.id, "quantity": "1", "replacement_product_id": p1.id}], "外壳破损",
             "lines.1.replacement_quantity", "超过", "still to deliver"),
            ([{"product_id": p1.id, "quantity": "1"}], "  ", "reason", "原因", "reason"),
            ([], "外壳破损", "lines", "至少", "at least one line"),
        ]
        for lines, reason, key, zh, en in cases:
            for lang, text in (("zh_CN", zh), ("en", en)):
                with use_lang(lang), pytest.raises(ValidationError, match=text) as exc:
                    svc.create_exchange(seller, d, lines, reason)
                assert key in exc.value.errors, (key, exc.value.errors)
        with use_lang("zh_CN"), pytest.raises(ValidationError, match="其他客户"):
            svc.create_exchange(seller, d, [{"product_id": p1.id, "quantity": "1"}], "破损",
                                customer_id=data["other_cust"].id)
        assert counts() == before

        # one operation: the exchange and its lines, submitted for approval
        ex = svc.create_exchange(seller, d, [{"product_id": p1.id, "quantity": "2"}], "外壳破损，客户要求换新", on=SEP)
        assert (ex.state, ex.number, ex.return_amount, ex.replacement_amount) == (
            "waiting", "HH2026-00001", D("6000.00"), D("6000.00"))
        assert [(li.product_id, li.quantity, li.replacement_product_id, li.replacement_quantity)
                for li in ex.lines] == [(p1.id, D("2.000"), p1.id, D("2.000"))]
        assert ex.return_id is None
        assert ex.replacement_id is None
        # what waits in an exchange cannot be returned or exchanged twice
        with use_lang("zh_CN"), pytest.raises(ValidationError, match="超过"):
            svc.create_exchange(seller, d, [{"product_id": p1.id, "quantity": "9"}], "再换")

        # the approver's to-do (kernel approvals); the salesperson may not approve, nor a manager their own
        from core.todos import approval_todos

        todo = {t.key: t.count for t in approval_todos(boss)}
        assert todo.get("approval:orders.exchange") == 1
        assert "approval:orders.exchange" not in {t.key for t in approval_todos(seller)}
        with pytest.raises(AccessDenied):
            svc.decide_exchange(seller, ex, True)
        own = svc.create_exchange(boss, d, [{"product_id": p2.id, "quantity": "1"}], "型号不符")
        with pytest.raises(AccessDenied):
            svc.decide_exchange(boss, own, True)
        svc.decide_exchange(director, own, False, "不同意")
        assert own.state == "rejected"
        assert own.return_id is None
        svc.cancel_exchange(seller, svc.create_exchange(seller, d, [{"product_id": p2.id, "quantity": "1"}], "撤回"))

        # approval: the red-letter return and the replacement note, linked, on the same contract
        notes_before = admin.count(m.Delivery)
        svc.decide_exchange(boss, ex, True, "同意", on=SEP)
        assert ex.state == "approved"
        assert admin.count(m.Delivery) == notes_before + 2
        ret, repl = admin.get(m.Delivery, ex.return_id), admin.get(m.Delivery, ex.replacement_id)
        assert ret.is_return
        assert ret.original_id == d.id
        assert ret.number.startswith("TH2026-")
        assert ret.amount_total == D("-6000.00")
        assert not repl.is_return
        assert repl.contract_id == c.id
        assert repl.number.startswith("CK2026-")
        assert repl.amount_total == D("6000.00")
        assert ex.number in (ret.note or "")
        assert ex.number in (repl.note or "")
        with pytest.raises(ValidationError):
            svc.decide_exchange(boss, ex, True)  # decided once
        svc.ship(seller, ret, on=SEP)
        svc.ship(seller, repl, on=SEP)

        # the same product at the same price: net sales, quantity and receivables unchanged
        from core.measures import measure_value, total

        assert total(measure_value(seller, "orders.sales_amount", period=YEAR)) == D("40000.00")
        assert total(measure_value(seller, "orders.sales_quantity", period=YEAR)) == D("15.000")
        by_product = {r["product"]: r.value for r in measure_value(director, "orders.sales_amount", period=YEAR,
                                                                    group_by=["product"])}
        assert by_product == {p1.id: D("30000.00"), p2.id: D("10000.00")}
        assert svc.open_receivables(seller, cust.id) == D("40000.00")
        # the returned 2 are gone from what can come back
        with pytest.raises(ValidationError):
            svc.create_exchange(seller, d, [{"product_id": p1.id, "quantity": "9"}], "再换")

        # on the customer's and the original note's lists
        assert [e.number for e in svc.exchanges_of(seller, customer_id=cust.id)] == [
            "HH2026-00003", "HH2026-00002", "HH2026-00001"]
        assert {e.id for e in svc.exchanges_of(seller, original_id=d.id)} >= {ex.id, own.id}

        # an approved exchange is not edited
        with pytest.raises(ValidationError):
            admin.write(ex, {"reason": "改"})

        # rights: another salesperson sees none of them and cannot exchange the note; the other company nothing
        world.factories.masterdata.employee(admin, name="孙二", user=sp2_user, position="salesperson")
        sp2 = world.env(s, user=sp2_user)
        assert seller.count(m.Exchange) == 3
        assert seller.count(m.ExchangeLine) == 3
        assert sp2.count(m.Exchange) == 0
        assert sp2.count(m.ExchangeLine) == 0
        assert world.env(s, "director", "other").count(m.Exchange) == 0
        assert world.env(s, "finance").count(m.Exchange) == 3
        with pytest.raises(AccessDenied):
            svc.create_exchange(sp2, d, [{"product_id": p1.id, "quantity": "1"}], "试试")
        with pytest.raises(AccessDenied):
            sp2.get(m.Exchange, ex.id)


def test_exchange_pages_per_field_errors_and_customer_card(tixi_world):  # noqa: F811
    world = tixi_world
    m = world.addon_module("orders", "models")
    orders = world.factories.orders
    world.add_user("sp2_acme", "salesperson", "acme")
    with world.session() as s:
        data = _setup(world, s)
        p1, p2, cust = data["p1"], data["p2"], data["cust"]
        seller = world.env(s, "salesperson")
        c = orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "10", "unit_price": "3000"},
                                           {"product_id": p2.id, "quantity": "5", "unit_price": "2000"}],
                            contract_date=AUG)
        d = orders.delivery(seller, c, on=AUG)
        d_id, c_id, cust_id = d.id, c.id, cust.id
        line = {li.product_id: li.id for li in d.lines}
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("salesperson"), world.password)
    assert 'data-action="exchange"' in client.get(f"/orders/contracts/{c_id}").text
    url = f"/orders/deliveries/{d_id}/exchange"
    form = client.get(url, headers={"Accept-Language": "zh-CN"})
    assert form.status_code == 200
    assert "换货原因" in form.text
    token = csrf_token(form.text)
    # too many back and no reason: the field's own message, in Chinese; nothing saved
    bad = client.post(url, headers={"Accept-Language": "zh-CN"},
                      data={"csrf_token": token, f"qty_{line[p1.id]}": "12", "reason": "损坏"})
    assert bad.status_code == 422
    assert f'data-error="qty_{line[p1.id]}"' in bad.text
    assert "超过" in bad.text
    bad = client.post(url, headers={"Accept-Language": "zh-CN"},
                      data={"csrf_token": token, f"qty_{line[p1.id]}": "1", "reason": ""})
    assert bad.status_code == 422
    assert 'data-error="reason"' in bad.text
    assert "请填写换货原因" in bad.text
    bad = client.post(url, headers={"Accept-Language": "en"},
                      data={"csrf_token": token, f"qty_{line[p2.id]}": "1", f"repl_{line[p2.id]}": str(p1.id),
                            "reason": "wrong model"})
    assert bad.status_code == 422
    assert f'data-error="rqty_{line[p2.id]}"' in bad.text
    assert "still to deliver" in bad.text
    with world.session() as s:
        assert world.env(s, "admin").count(m.Exchange) == 0
    ok = client.post(url, data={"csrf_token": token, f"qty_{line[p1.id]}": "2", "reason": "外壳破损"})
    assert ok.status_code in (302, 303)
    with world.session() as s:
        ex = world.env(s, "admin").search(m.Exchange)[0]
        ex_id, ex_number = ex.id, ex.number
    page = client.get(f"/orders/exchanges/{ex_id}")
    assert page.status_code == 200
    assert 'data-action="approve"' not in page.text  # the salesperson does not approve
    assert ex_number in client.get("/orders/exchanges").text
    assert ex_number in client.get(f"/orders/contracts/{c_id}").text  # on the original note
    boss = logged_in_client(app, world.login("territory_manager"), world.password)
    page = boss.get(f"/orders/exchanges/{ex_id}")
    assert 'data-action="approve"' in page.text
    done = boss.post(f"/orders/exchanges/{ex_id}", data={"csrf_token": csrf_token(page.text), "action": "approve"})
    assert done.status_code in (302, 303)
    page = boss.get(f"/orders/exchanges/{ex_id}")
    assert 'data-note="return"' in page.text
    assert 'data-note="replacement"' in page.text
    # the customer card's panel and the rights of another salesperson
    with world.session() as s:
        from addons.masterdata.models import Customer

        env = world.env(s, "salesperson")
        with app.test_request_context():
            views = world.addon_module("orders", "views")
            sections = {x["key"]: x for x in views.profile_section(env, env.get(Customer, cust_id))}
        assert ex_number in str(sections["orders_exchanges"]["html"])
    other = logged_in_client(app, "sp2_acme", world.password)
    assert other.get(f"/orders/exchanges/{ex_id}").status_code in (403, 404)
    assert ex_number not in other.get("/orders/exchanges").text
    assert other.get(url).status_code in (403, 404)


def test_concurrent_exchanges_of_one_note_never_return_more_than_delivered(tixi_world, tixi_engine):  # noqa: F811
    import threading

    world = tixi_world
    m, svc = world.addon_module("orders", "models"), world.addon_module("orders", "services")
    with world.session() as s:
        data = _setup(world, s)
        p1, cust = data["p1"], data["cust"]
        seller = world.env(s, "salesperson")
        c = world.factories.orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "10",
                                                            "unit_price": "3000"}], contract_date=AUG)
        d_id, p1_id = world.factories.orders.delivery(seller, c, on=AUG).id, p1.id
    done: list[str] = []
    refused: list[BaseException] = []

    def ask() -> None:
        try:
            with world.session() as s2:
                env = world.env(s2, "salesperson")
                done.append(svc.create_exchange(env, env.get(m.Delivery, d_id),
                                                [{"product_id": p1_id, "quantity": "6"}], "破损").number)
        except ValidationError as exc:
            refused.append(exc)

    if tixi_engine == "postgresql":
        threads = [threading.Thread(target=ask) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for _ in range(4):
            ask()
    assert len(done) == 1, (done, refused)
    assert len(refused) == 3
    with world.session() as s:
        assert world.env(s, "admin").count(m.Exchange) == 1


def test_exchange_for_another_product_of_the_contract_nets_the_price_difference(tixi_world):  # noqa: F811
    world = tixi_world
    svc = world.addon_module("orders", "services")
    orders = world.factories.orders
    with world.session() as s:
        data = _setup(world, s)
        p1, p2, cust = data["p1"], data["p2"], data["cust"]
        seller, boss = world.env(s, "salesperson"), world.env(s, "territory_manager")
        c = orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "10", "unit_price": "3000"},
                                           {"product_id": p2.id, "quantity": "5", "unit_price": "2000"}],
                            contract_date=AUG)
        lines = {li.product_id: li.id for li in c.lines}
        d = orders.delivery(seller, c, [{"contract_line_id": lines[p1.id], "quantity": "10"},
                                        {"contract_line_id": lines[p2.id], "quantity": "3"}], on=AUG)
        # one p1 back, two p2 out instead (two p2 are still to deliver on the contract); a third is refused
        with pytest.raises(ValidationError) as exc:
            svc.create_exchange(seller, d, [{"product_id": p1.id, "quantity": "1", "replacement_product_id": p2.id,
                                             "replacement_quantity": "3"}], "改型号")
        assert "lines.1.replacement_quantity" in exc.value.errors
        ex = svc.create_exchange(seller, d, [{"product_id": p1.id, "quantity": "1",
                                              "replacement_product_id": p2.id, "replacement_quantity": "2"}], "改型号")
        assert (ex.return_amount, ex.replacement_amount) == (D("3000.00"), D("4000.00"))
        svc.decide_exchange(boss, ex, True, on=SEP)
        m = world.addon_module("orders", "models")
        for note_id in (ex.return_id, ex.replacement_id):
            svc.ship(seller, seller.get(m.Delivery, note_id), on=SEP)
        from core.measures import measure_value, total

        by_product = {r["product"]: r.value for r in measure_value(seller, "orders.sales_amount", period=YEAR,
                                                                    group_by=["product"])}
        assert by_product == {p1.id: D("27000.00"), p2.id: D("10000.00")}  # 36,000 delivered - 3,000 + 4,000
        assert total(measure_value(seller, "orders.sales_amount", period=YEAR)) == D("37000.00")
        assert svc.delivered_quantities(seller, c.id) == {lines[p1.id]: D("9.000"), lines[p2.id]: D("5.000")}
