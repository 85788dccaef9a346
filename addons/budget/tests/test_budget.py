"""Tests of the budget addon on SQLite and PostgreSQL: over-budget refusal, a supplementary budget
unlocking exactly its amount (within the approver's band), two concurrent claims on the last
remaining amount (one passes), commitments at approval, advance deduction, Decimal rounding,
rights (an owner sees their lines, finance all, nobody approves their own), bad input
(negative, closed month, a receipt that is not an image or PDF, a category not in the budget),
the derivation from the sales plan, measures, the execution report and its monthly delivery."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest

from core.errors import AccessDenied, ValidationError
from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["budget"])

D = Decimal
def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


PNG = _png()


def _svc(world, name):
    return world.addon_module("budget", f"services.{name}")


def _setup(world, s, amounts=None):
    """The acme territory's 2026 budget (entertainment 10,000, travel 6,000), approved by the general manager."""
    terr = world.data["territories"]["acme"]
    boss = world.data["masterdata"]["acme"]["employees"]["territory_manager"]
    director = world.env(s, "director")
    b = world.factories.budget.budget(director, territory=terr["territory"], year=2026, owner=boss,
                                      amounts=amounts or {"entertainment": "10000", "travel": "6000"},
                                      approver=world.env(s, "general_manager"), name="华东营销预算")
    lines = {ln.category.code: ln for ln in director.search(world.addon_module("budget", "models").Line,
                                                            world.addon_module("budget", "models").Line.budget_id == b.id)}
    return b, lines


def test_over_budget_supplement_bands_rounding_rights_and_bad_input(tixi_world):  # noqa: F811
    world = tixi_world
    m = world.addon_module("budget", "models")
    C, L = _svc(world, "claims"), _svc(world, "lines")
    with world.session() as s:
        b, lines = _setup(world, s)
        ent = lines["entertainment"]
        assert b.state == "approved"
        assert b.total_amount == D("16000.00")
        seller = world.env(s, "salesperson")
        boss = world.env(s, "territory_manager")
        director = world.env(s, "director")
        finance = world.env(s, "finance")
        # the phasing adds up to the line to the cent
        phases = director.search(m.Phase, m.Phase.line_id == ent.id)
        assert len(phases) == 12
        assert sum(p.amount for p in phases) == D("10000.00")
        # a claim within the budget passes and consumes; Decimal rounding half up to the cent
        c1 = C.create_claim(seller, {"line_id": ent.id, "amount": "9,000.005", "expense_date": "2026-06-15",
                                    "description": "招待客户"}, [("receipt.png", PNG)], submit=True)
        assert c1.amount == D("9000.01")
        assert c1.state == "submitted"
        assert L.figures(seller, ent).remaining == D("999.99")
        # the draft preview shows what remains and whether an amount fits
        p = C.preview(seller, ent, "1500")
        assert p["remaining"] == D("999.99")
        assert p["fits"] is False
        # over budget: refused in both languages, nothing saved
        before = seller.count(m.Claim)
        for lang, text in (("zh_CN", "超出预算"), ("en", "Over budget")):
            with use_lang(lang), pytest.raises(ValidationError) as exc:
                C.create_claim(seller, {"line_id": ent.id, "amount": "1500", "expense_date": "2026-07-01",
                                        "description": "客户宴请"}, submit=True)
            assert text in str(exc.value)
        assert seller.count(m.Claim) == before
        # a supplementary request of 500.01: above nobody's band it cannot be approved by the manager ...
        big = C.create_supplement(seller, {"line_id": ent.id, "amount": "6000", "reason": "展会期间客户接待"})
        with pytest.raises(AccessDenied):
            C.decide_supplement(boss, big, "approve")
        C.decide_supplement(director, big, "reject")
        sup = C.create_supplement(seller, {"line_id": ent.id, "amount": "500.01", "reason": "客户宴请"})
        # nobody approves their own request: the salesperson cannot, nor the kernel lets the submitter
        with pytest.raises(AccessDenied):
            C.decide_supplement(seller, sup, "approve")
        todos = {t.key: t.count for t in world.addon_module("budget", "todos").todos(boss)}
        assert todos["budget.supplements"] == 1   # within the manager's band: their to-do
        assert {t.key: t.count for t in world.addon_module("budget", "todos").todos(seller)}["budget.supplements"] == 0
        C.decide_supplement(boss, sup, "approve")
        assert sup.state == "approved"
        assert {t.key: t.count for t in world.addon_module("budget", "todos").todos(boss)}["budget.supplements"] == 0
        # exactly its amount is unlocked: 999.99 + 500.01 = 1500.00 fits, a cent more does not
        with pytest.raises(ValidationError):
            C.create_claim(seller, {"line_id": ent.id, "amount": "1500.01", "expense_date": "2026-07-01",
                                    "description": "客户宴请"}, submit=True)
        c2 = C.create_claim(seller, {"line_id": ent.id, "amount": "1500", "expense_date": "2026-07-01",
                                     "description": "客户宴请"}, submit=True)
        assert c2.state == "submitted"
        assert L.figures(seller, ent).remaining == D("0.00")
        # a rejected claim gives its amount back
        C.decide_claim(boss, c2, "reject")
        assert L.figures(seller, ent).remaining == D("1500.00")
        # nobody approves their own claim: the manager's own claim waits for somebody else
        mine = C.create_claim(boss, {"line_id": lines["travel"].id, "amount": "100", "expense_date": "2026-03-03",
                                     "description": "出差"}, submit=True)
        with pytest.raises(AccessDenied):
            C.decide_claim(boss, mine, "approve")
        C.decide_claim(director, mine, "approve")
        # rights: the salesperson sees the lines of their territory and only their own claims;
        # a salesperson elsewhere sees nothing; finance sees every claim
        assert {ln.id for ln in seller.search(m.Line)} == {ent.id, lines["travel"].id}
        assert {c.id for c in seller.search(m.Claim)} == {c1.id, c2.id}
        assert world.env(s, "salesperson", "other").search(m.Line) == []
        assert {c.id for c in finance.search(m.Claim)} >= {c1.id, c2.id, mine.id}
        assert len(finance.search(m.Line)) == 2
        with pytest.raises(AccessDenied):
            world.env(s, "salesperson", "other").get(m.Claim, c1.id)
        # the receipt is attached (kernel attachments) and readable with the claim
        from core.attachments import list_attachments

        assert [a.mime for a in list_attachments(seller, c1)] == ["image/png"]
        _bad_input(world, s, b, lines)


def _bad_input(world, s, b, lines) -> None:
    """Bad input is refused in both languages and nothing is saved (claims nor attachments)."""
    m = world.addon_module("budget", "models")
    C = _svc(world, "claims")
    seller = world.env(s, "salesperson")
    finance = world.env(s, "finance")
    finance.create(m.ClosedMonth, {"month": dt.date(2026, 1, 1)})
    ent = lines["entertainment"]
    base = {"line_id": ent.id, "amount": "100", "expense_date": "2026-05-05", "description": "招待"}
    cases = [
        ({**base, "amount": "-5"}, (), "金额必须大于零", "greater than zero"),
        ({**base, "amount": "abc"}, (), "请以数字填写金额", "as a number"),
        ({**base, "expense_date": "2026-01-20"}, (), "已结账", "is closed"),
        ({**base}, [("发票.txt", b"just some text, not a receipt")], "不是图片或 PDF", "not an image or a PDF"),
        ({"budget_id": b.id, "category": "rent", "amount": "100", "expense_date": "2026-05-05",
          "description": "租金"}, (), "没有“办事处租金”预算行", "has no line for Office rent"),
    ]
    before = seller.count(m.Claim)
    from core.models import Attachment

    atts = s.query(Attachment).count()
    for values, files, zh, en in cases:
        for lang, text in (("zh_CN", zh), ("en", en)):
            with use_lang(lang), pytest.raises(ValidationError) as exc:
                C.create_claim(seller, values, files, submit=True)
            assert text in str(exc.value), (lang, str(exc.value))
    assert seller.count(m.Claim) == before
    assert s.query(Attachment).count() == atts


def test_concurrent_claims_on_the_last_remaining_amount(tixi_world, tixi_engine):  # noqa: F811
    world = tixi_world
    m = world.addon_module("budget", "models")
    C, L = _svc(world, "claims"), _svc(world, "lines")
    with world.session() as s:
        _b, lines = _setup(world, s, {"samples": "1000"})
        line_id = lines["samples"].id
        seller = world.env(s, "salesperson")
        C.create_claim(seller, {"line_id": line_id, "amount": "400", "expense_date": "2026-04-01",
                                "description": "样品"}, submit=True)
    # 600 remain; two claims of 600 at the same moment: exactly one passes
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def claim() -> None:
        try:
            with world.session() as s2:
                env = world.env(s2, "salesperson")
                barrier.wait(timeout=10)
                C.create_claim(env, {"line_id": line_id, "amount": "600", "expense_date": "2026-04-02",
                                     "description": "样品寄送"}, submit=True)
            results.append("ok")
        except ValidationError:
            results.append("refused")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    if tixi_engine == "postgresql":
        threads = [threading.Thread(target=claim) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:  # SQLite serialises writers: the same two claims one after the other
        barrier = threading.Barrier(1)
        claim()
        claim()
    assert not errors, errors
    assert sorted(results) == ["ok", "refused"]
    with world.session() as s:
        seller = world.env(s, "salesperson")
        line = seller.get(m.Line, line_id)
        f = L.figures(seller, line)
        assert f.spent == D("1000.00")
        assert f.remaining == D("0.00")


def test_commitments_advances_derivation_measures_report_and_job(tixi_world):  # noqa: F811
    world = tixi_world
    m = world.addon_module("budget", "models")
    C, L, A = _svc(world, "claims"), _svc(world, "lines"), _svc(world, "advances")
    with world.session() as s:
        b, lines = _setup(world, s)
        travel = lines["travel"]
        seller = world.env(s, "salesperson")
        boss = world.env(s, "territory_manager")
        finance = world.env(s, "finance")
        sp = world.data["masterdata"]["acme"]["employees"]["salesperson"]
        # an expense request reserves at approval, not at submit
        req = C.create_request(seller, {"line_id": travel.id, "amount": "2000", "needed_on": "2026-05-10",
                                        "purpose": "拜访重点客户"})
        assert L.figures(seller, travel).committed == D("0.00")
        C.decide_request(boss, req, "approve")
        f = L.figures(seller, travel)
        assert (f.committed, f.remaining) == (D("2000.00"), D("4000.00"))
        # a second request over what remains is refused at approval
        req2 = C.create_request(seller, {"line_id": travel.id, "amount": "4500", "needed_on": "2026-05-10",
                                         "purpose": "再次出差"})
        with pytest.raises(ValidationError):
            C.decide_request(boss, req2, "approve")
        # the claim using the request may spend the reservation plus what remains
        claim = C.create_claim(seller, {"line_id": travel.id, "amount": "2300", "expense_date": "2026-05-12",
                                        "description": "出差北京", "request_id": req.id}, submit=True)
        f = L.figures(seller, travel)
        assert (f.committed, f.spent, f.remaining) == (D("0.00"), D("2300.00"), D("3700.00"))
        assert s.get(m.ExpenseRequest, req.id).state == "used"
        # advances: 3,000 borrowed, 2,300 deducted from the claim paid, 700 still open, then 200 from bonus
        A.create_advance(finance, sp, "3000", "2026-04-01", "出差借支")
        assert A.outstanding(finance, sp, dt.date(2026, 3, 31)) == D("0.00")
        assert A.outstanding(seller, sp, dt.date(2026, 4, 30)) == D("3000.00")
        C.decide_claim(boss, claim, "approve")
        C.pay_claim(finance, claim, on=dt.date(2026, 5, 20))
        assert claim.state == "paid"
        assert claim.advance_deducted == D("2300.00")
        assert claim.payable == D("0.00")
        assert A.outstanding(finance, sp, dt.date(2026, 5, 19)) == D("3000.00")
        assert A.outstanding(finance, sp, dt.date(2026, 5, 20)) == D("700.00")
        assert A.deduct(finance, sp, D("200"), dt.date(2026, 6, 30)) == D("200.00")
        assert A.outstanding(seller, sp, dt.date(2026, 12, 31)) == D("500.00")
        # derivation from the sales plan: 2% of the territory's target, phased like it
        B = _svc(world, "budgets")
        director = world.env(s, "director")
        plan = B.create_budget(director, {"name": "派生预算", "year": 2026, "owner_kind": "territory",
                                          "territory_id": world.data["territories"]["acme"]["territory"]})
        with pytest.raises(ValidationError):
            B.propose(director, plan, percent="2")   # no target in force yet
        cells = B.propose(director, plan, total="12000.00")
        assert sum(cells.values()) == D("12000.00")
        B.set_lines(director, plan, cells)
        assert plan.total_amount == D("12000.00")
        with pytest.raises(AccessDenied):   # nobody approves their own budget
            B.fire(director, plan, "submit") and B.fire(director, plan, "approve")
        # measures: what the salesperson spent, by category
        from core.measures import measure_value

        year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        rows = measure_value(finance, "budget.spent", period=year, group_by=["category"])
        assert {r["category"]: r.value for r in rows} == {travel.category_id: D("2300.00")}
        assert sum(r.value for r in measure_value(finance, "budget.amount", period=year)) == D("16000.00")
        assert sum(r.value for r in measure_value(finance, "budget.committed", period=year)) == D("0.00")
        # the execution report (report centre) for the year, per line and per budget
        from core.reports import run_report

        result = run_report(finance, "budget.execution", {"year": "2026", "as_of": "2026-07-01", "by": "budget"})
        row = [r for r in result.rows if r["budget_id"] == b.id][0]
        assert (row["amount"], row["spent"], row["remaining"]) == (D("16000.00"), D("2300.00"), D("13700.00"))
        assert row["elapsed_pct"] == D("49.9")
        # the monthly job tells the budget owner (the territory manager)
        from core import jobs

    tick = dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.UTC)
    assert jobs.run_periodic(world.registry, "budget.execution_report", tick,
                             company_ids=[world.companies["acme"]]) == {"done": 1, "skipped": 0}
    with world.session() as s:
        from core.models import Notification

        notes = s.query(Notification).filter(Notification.user_id == world.user("territory_manager")).all()
        assert any("华东营销预算" in (n.params or "") for n in notes)
    # the pages answer; a bad claim from the page is refused (422) and nothing is saved
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("salesperson"), world.password)
    home = client.get("/budget/")
    assert home.status_code == 200
    assert "claim-form" in home.text
    assert client.get(f"/budget/lines/{travel.id}/remaining?amount=99999").json["fits"] is False
    assert client.get(f"/budget/supplements/new?line_id={travel.id}").status_code == 200
    assert client.get(f"/budget/requests/new?line_id={travel.id}").status_code == 200
    bad = client.post("/budget/claims/new", data={"csrf_token": csrf_token(home.text), "line_id": travel.id,
                                                  "amount": "-1", "expense_date": "2026-05-05", "description": "x"})
    assert bad.status_code == 422
    assert 'id="claim-error"' in bad.text
    boss_client = logged_in_client(app, world.login("territory_manager"), world.password)
    assert boss_client.get("/budget/approvals").status_code == 200
    assert boss_client.get("/budget/budgets?year=2026").status_code == 200
    assert boss_client.get(f"/budget/budgets/{b.id}").status_code == 200
    fin = logged_in_client(app, world.login("finance"), world.password)
    assert fin.get("/reports/budget.execution?year=2026").status_code == 200
    with world.session() as s:
        assert world.env(s, "salesperson").count(m.Claim, m.Claim.amount < 0) == 0


def test_check_commitment_is_the_contract_other_addons_call(tixi_world):  # noqa: F811
    """``services.check_commitment``: what brand_campaigns' and training's plans ask before they name a line."""
    world = tixi_world
    svc = world.addon_module("budget", "services")
    with world.session() as s:
        _b, lines = _setup(world, s)
        ent = lines["entertainment"]
        seller = world.env(s, "salesperson")
        svc.check_commitment(seller, ent.id, D("10000.00"), on=dt.date(2026, 5, 1))  # all of it: fits
        for lang, text in (("zh_CN", "超出预算"), ("en", "Over budget")):
            with use_lang(lang), pytest.raises(ValidationError) as exc:
                svc.check_commitment(seller, ent.id, D("10000.01"), on=dt.date(2026, 5, 1))
            assert text in str(exc.value)
        with pytest.raises(ValidationError):  # another year than the budget's
            svc.check_commitment(seller, ent.id, D("1"), on=dt.date(2027, 1, 1))
        with pytest.raises(ValidationError):  # a line of another company is not one the user may see
            svc.check_commitment(world.env(s, "salesperson", "other"), ent.id, D("1"), on=dt.date(2026, 5, 1))


def test_budget_pages_create_edit_while_draft_and_submit(tixi_world):  # noqa: F811
    """The pages: a new budget (bad input marked on its field in the user's language, nothing saved),
    its lines while draft (a negative amount refused on its field), submitted for approval, then locked;
    the execution report's PDF from the report centre."""
    world = tixi_world
    m = world.addon_module("budget", "models")
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    terr = world.data["territories"]["acme"]["territory"]
    app = create_app(registry=world.registry, test_config={"TESTING": True})
    boss = logged_in_client(app, world.login("territory_manager"), world.password)
    page = boss.get("/budget/budgets/new")
    assert page.status_code == 200
    assert 'name="_once"' in page.text
    token = csrf_token(page.text)
    base = {"csrf_token": token, "year": "2027", "owner_kind": "territory", "territory_id": str(terr),
            "name": "2027 华东营销预算", "owner_id": "", "basis": "销售目标的 3%"}
    with world.session() as s:
        before = world.env(s, "director").count(m.Budget)
    # bad input: the year, the missing name, a territory he may not read: each on its field, nothing saved
    from core.models import User

    for lang, text in (("zh_CN", "请填写年份，例如 2026。"), ("en", "Enter the year, e.g. 2026.")):
        with world.session() as s:
            s.get(User, world.user("territory_manager")).lang = lang
        bad = boss.post("/budget/budgets/new", data={**base, "year": "二〇二七"})
        assert bad.status_code == 422
        assert f'<div class="invalid-feedback" data-error-for="year">{text}</div>' in bad.text
    bad = boss.post("/budget/budgets/new", data={**base, "name": " "})
    assert bad.status_code == 422
    assert 'data-error-for="name"' in bad.text
    other = world.data["territories"]["acme"]["other_territory"]
    bad = boss.post("/budget/budgets/new", data={**base, "territory_id": str(other)})
    assert bad.status_code == 422
    assert 'data-error-for="territory_id"' in bad.text
    with world.session() as s:
        assert world.env(s, "director").count(m.Budget) == before
    # created, with the one-time token: a double submit makes one budget
    once = {**base, "_once": "budget-new-1"}
    made = boss.post("/budget/budgets/new", data=once)
    assert made.status_code == 302
    again = boss.post("/budget/budgets/new", data=once)
    assert again.status_code == 303
    with world.session() as s:
        d = world.env(s, "director")
        assert d.count(m.Budget) == before + 1
        b = d.search(m.Budget, m.Budget.year == 2027)[0]
        bid, cats = b.id, {c.code: c.id for c in d.search(m.Category)}
        assert b.state == "draft"
        assert b.territory_id == terr
    edit_url = f"/budget/budgets/{bid}/edit"
    assert made.headers["Location"].endswith(edit_url)
    page = boss.get(edit_url)
    assert page.status_code == 200
    lines = {"csrf_token": csrf_token(page.text), "action": "lines",
             f"l-amount_{cats['travel']}": "12,000", f"l-amount_{cats['entertainment']}": "-5"}
    bad = boss.post(edit_url, data=lines)
    assert bad.status_code == 422
    assert f'data-error-for="l-amount_{cats["entertainment"]}"' in bad.text
    assert "cannot be negative" in bad.text or "不能为负" in bad.text
    with world.session() as s:
        assert world.env(s, "director").count(m.Line, m.Line.budget_id == bid) == 0  # nothing saved
    ok = boss.post(edit_url, data={**lines, f"l-amount_{cats['entertainment']}": "6000.005"})
    assert ok.status_code == 302
    with world.session() as s:
        d = world.env(s, "director")
        got = {ln.category.code: ln.amount for ln in d.search(m.Line, m.Line.budget_id == bid)}
        assert got == {"travel": D("12000.00"), "entertainment": D("6000.01")}
        phases = d.search(m.Phase, m.Phase.line_id.in_(
            d.select(m.Line, "read", m.Line.id).where(m.Line.budget_id == bid)))
        assert len(phases) == 24
        assert sum(p.amount for p in phases) == D("18000.01")
        assert d.get(m.Budget, bid).total_amount == D("18000.01")
    # a category set to nothing keeps its line at zero; the header changes
    page = boss.get(edit_url)
    assert 'value="12000.00"' in page.text
    ok = boss.post(edit_url, data={"csrf_token": csrf_token(page.text), "action": "lines",
                                   f"l-amount_{cats['travel']}": "15000", f"l-amount_{cats['entertainment']}": ""})
    assert ok.status_code == 302
    ok = boss.post(edit_url, data={"csrf_token": csrf_token(page.text), "action": "header", "h-name": "华东 2027",
                                   "h-owner_id": "", "h-basis": "", "h-note": "年度预算"})
    assert ok.status_code == 302
    with world.session() as s:
        d = world.env(s, "director")
        b = d.get(m.Budget, bid)
        assert (b.name, b.note, b.total_amount) == ("华东 2027", "年度预算", D("15000.00"))
    # submitted for approval through the kernel workflow: no longer editable
    page = boss.get(f"/budget/budgets/{bid}")
    assert 'id="budget-edit"' in page.text
    sub = boss.post(f"/budget/budgets/{bid}", data={"csrf_token": csrf_token(page.text), "action": "submit"})
    assert sub.status_code == 302
    with world.session() as s:
        assert world.env(s, "director").get(m.Budget, bid).state == "submitted"
    assert boss.get(edit_url).status_code == 302
    late = boss.post(edit_url, data={**lines, "csrf_token": csrf_token(page.text)})
    assert late.status_code == 302
    with world.session() as s:
        assert world.env(s, "director").get(m.Budget, bid).total_amount == D("15000.00")
    # a salesperson may not create budgets
    seller = logged_in_client(app, world.login("salesperson"), world.password)
    assert seller.get("/budget/budgets/new").status_code == 403
    # the execution report's PDF (the report centre gives one for every report)
    gm = logged_in_client(app, world.login("general_manager"), world.password)
    pdf = gm.get("/reports/budget.execution/print.pdf?year=2027&by=budget")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    printed = gm.get("/reports/budget.execution/print?year=2027&by=budget")  # the PDF's template
    assert "华东 2027" in printed.text
    assert "15,000.00" in printed.text
