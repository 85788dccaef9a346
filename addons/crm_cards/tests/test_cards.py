"""crm_cards on SQLite and PostgreSQL: card workflows, rights, monthly reminders, risk, stages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from addons.crm_cards import services
from addons.crm_cards.models import (
    ActionItem,
    CustomerProfile,
    KeyAccountPlan,
    MonthlyCard,
    StrategyCard,
)
from addons.crm_cards.workflows import STRATEGY
from core.errors import AccessDenied, ValidationError
from core.i18n import use_lang
from core.models import AuditEntry
from core.security import approvals
from core.testing import make_env

YEAR = dt.date.today().year


def env_of(db, s, ids, login):
    return make_env(db, s, ids["users"][login])


def attempt(db, ids, login, fn):
    """Run ``fn(env)`` in its own transaction (rolled back when it raises)."""
    with db.session() as s:
        return fn(env_of(db, s, ids, login))


# ----- strategy card ---------------------------------------------------------------------
def test_strategy_card_submitted_rejected_resubmitted_approved(crm):
    db, ids = crm
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        card = services.create_strategy(
            wang, ids["c"]["sh"], YEAR,
            {"goals": "年销售额 500 万", "strategy": "技术合作", "budget": "120000.50"},
            actions=[{"due_date": dt.date(YEAR, 3, 1), "text": "拜访技术中心", "owner_id": ids["employees"]["wangwei"]}],
        )
        assert card.budget == Decimal("120000.50")
        assert card.owner_id == ids["employees"]["wangwei"]
        assert services.submit_strategy(wang, card) == "submitted"
        card_id = card.id
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        card = zhang.get(StrategyCard, card_id)
        with pytest.raises(ValidationError):
            services.decide_strategy(zhang, card, approve=False, comment="")
        assert services.decide_strategy(zhang, card, approve=False, comment="预算过高") == "rejected"
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        card = wang.get(StrategyCard, card_id)
        services.update_strategy(wang, card, {"budget": "80000"})
        services.submit_strategy(wang, card, comment="已调整")
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        card = zhang.get(StrategyCard, card_id)
        assert services.decide_strategy(zhang, card, approve=True, comment="同意") == "approved"
        events = approvals.history(zhang, STRATEGY, card)
        assert [e.transition for e in events] == ["submit", "reject", "submit", "approve"]
        assert events[1].comment == "预算过高"
        audit = s.scalars(
            select(AuditEntry).where(AuditEntry.model == "crm_cards_strategy", AuditEntry.res_id == card_id)
        ).all()
        assert sum(1 for a in audit if a.action == "transition") == 4
        # approved: content is locked until the card is reopened
        with pytest.raises(ValidationError):
            services.update_strategy(zhang, card, {"goals": "x"})
    with pytest.raises(ValidationError):  # even through the generic write path; rolled back
        attempt(db, ids, "wangwei", lambda env: env.write(env.get(StrategyCard, card_id), {"goals": "改"}))
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        card = wang.get(StrategyCard, card_id)
        assert card.goals == "年销售额 500 万"
        assert services.reopen_strategy(wang, card) == "draft"
        services.update_strategy(wang, card, {"goals": "改"})


def test_salesperson_cannot_approve_own_strategy_card(crm):
    """The territory manager fills a card himself: he cannot approve it (not_by_requester)."""
    db, ids = crm
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        card = services.create_strategy(zhang, ids["c"]["js"], YEAR, {"goals": "g"})
        services.submit_strategy(zhang, card)
        with pytest.raises(AccessDenied, match="yourself"):
            services.decide_strategy(zhang, card, approve=True)
        card_id = card.id
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        with pytest.raises(AccessDenied):  # a salesperson approves nothing (and cannot read zhao's card)
            approvals.fire(wang, STRATEGY, s.get(StrategyCard, card_id), "approve")
        north = env_of(db, s, ids, "li_north")
        with pytest.raises(AccessDenied):  # a manager of another territory cannot approve it
            approvals.fire(north, STRATEGY, s.get(StrategyCard, card_id), "approve")
        director = env_of(db, s, ids, "director")
        assert services.decide_strategy(director, director.get(StrategyCard, card_id), approve=True) == "approved"


def test_key_account_strategy_card_goes_to_the_director(crm):
    db, ids = crm
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        ka = services.screen_key_account(zhang, ids["c"]["sh"], "8", "7.5", status="key")
        assert services.key_account_quadrant(ka) == "key"
        wang = env_of(db, s, ids, "wangwei")
        card_id = services.create_strategy(wang, ids["c"]["sh"], YEAR, {"goals": "g"}).id
    with use_lang("en"), pytest.raises(ValidationError, match="director"):  # the manager's path; rolled back
        attempt(db, ids, "wangwei", lambda env: approvals.fire(env, STRATEGY, env.get(StrategyCard, card_id), "submit"))
    # outside a request the refusal speaks the user's language (Chinese by default), not the msgid
    with pytest.raises(ValidationError, match="营销总监"):
        attempt(db, ids, "wangwei", lambda env: approvals.fire(env, STRATEGY, env.get(StrategyCard, card_id), "submit"))
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        card = wang.search(StrategyCard)[0]
        assert services.submit_strategy(wang, card) == "submitted_key"
        card_id = card.id
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        with pytest.raises(AccessDenied):
            services.decide_strategy(zhang, zhang.get(StrategyCard, card_id), approve=True)
        director = env_of(db, s, ids, "director")
        assert services.decide_strategy(director, director.get(StrategyCard, card_id), approve=True) == "approved"


def test_strategy_validation_writes_nothing(crm):
    db, ids = crm
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        with pytest.raises(ValidationError) as err:
            services.create_strategy(
                wang, ids["c"]["sh"], YEAR, {"budget": "abc"}, actions=[{"text": "", "due_date": None}]
            )
        assert set(err.value.errors) >= {"budget", "text", "due_date"}
        assert s.scalar(select(func.count(StrategyCard.id))) == 0
        assert s.scalar(select(func.count(ActionItem.id))) == 0


# ----- rights ----------------------------------------------------------------------------
def test_cards_follow_their_customer(crm):
    db, ids = crm
    with db.session() as s:
        root = make_env(db, s, ids["root"])
        cards = {}
        for key in ("sh", "js", "bj"):
            cards[key] = services.create_strategy(root, ids["c"][key], YEAR, {"goals": key}).id
            services.save_monthly(root, ids["c"][key], services.last_month(), {"sales_actual": "1"})
    with db.session() as s:
        def visible(login, model=StrategyCard):
            env = env_of(db, s, ids, login)
            rows = env.search(model)
            assert env.count(model) == len(rows)  # the same SQL predicate for count and search
            return sorted(r.customer_id for r in rows)

        c = ids["c"]
        assert visible("wangwei") == [c["sh"]]
        assert visible("zhao") == [c["js"]]
        assert visible("sun") == [c["bj"]]
        assert visible("zhang_east") == sorted([c["sh"], c["js"]])
        assert visible("li_north") == [c["bj"]]
        assert visible("director") == sorted([c["sh"], c["js"], c["bj"]])
        assert visible("li_north", MonthlyCard) == [c["bj"]]
        north = env_of(db, s, ids, "li_north")
        with pytest.raises(AccessDenied):
            north.get(StrategyCard, cards["sh"])
        wang = env_of(db, s, ids, "wangwei")
        with pytest.raises(AccessDenied):
            wang.get(StrategyCard, cards["js"])  # a peer's customer
        with pytest.raises(AccessDenied):
            services.create_strategy(wang, c["bj"], YEAR + 1, {"goals": "x"})
        # finance reads monthly cards of the whole company but may not write them
        fin = env_of(db, s, ids, "finance")
        assert len(fin.search(MonthlyCard)) == 3
        with pytest.raises(AccessDenied):
            fin.write(fin.search(MonthlyCard)[0], {"risks": "x"})
        # the rule is SQL: a sub-query on the customers, no Python filtering
        sql = str(north.select(StrategyCard).compile())
        assert "masterdata_customer" in sql
        assert "IN (SELECT" in sql


def test_other_company_sees_nothing(crm):
    db, ids = crm
    with db.session() as s:
        root = make_env(db, s, ids["root"])
        services.create_strategy(root, ids["c"]["sh"], YEAR, {"goals": "g"})
    from addons.masterdata.tests.helpers import build_org

    db.company("other")
    for name in ("masterdata", "territories", "crm_cards"):
        db.lifecycle.enable(name, "other")
    other = build_org(db, "other")
    with db.session() as s:
        env = make_env(db, s, other["users"]["director"])
        assert env.search(StrategyCard) == []


# ----- monthly cards ---------------------------------------------------------------------
def test_monthly_card_review_and_missing_reminder(crm):
    db, ids = crm
    last = services.last_month()
    c = ids["c"]
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        assert [x.id for x in services.missing_monthly_cards(wang, owner_only=True)] == sorted([c["sh"], c["sh2"]])
        with pytest.raises(ValidationError) as err:
            services.save_monthly(wang, c["sh"], last, {"enthusiasm": 7, "sales_actual": "-5"})
        assert set(err.value.errors) == {"enthusiasm", "sales_actual"}
        with pytest.raises(ValidationError):
            services.save_monthly(wang, c["sh"], services.add_months(dt.date.today(), 2), {"enthusiasm": 3})
        assert s.scalar(select(func.count(MonthlyCard.id))) == 0
        card = services.save_monthly(
            wang, c["sh"], last + dt.timedelta(days=9),
            {"sales_plan": "100000", "sales_actual": "92000.5", "collections": "80000", "enthusiasm": 4,
             "credit_used": "300000", "risks": "竞争对手降价", "next_actions": "技术交流"},
        )
        assert card.month == last
        assert card.credit_limit == Decimal("1000000.00")
        assert [x.id for x in services.missing_monthly_cards(wang)] == [c["sh2"]]
        zhang = env_of(db, s, ids, "zhang_east")
        assert sorted(x.id for x in services.missing_monthly_cards(zhang)) == sorted([c["sh2"], c["js"]])
        assert services.missing_monthly_cards(zhang, owner_only=True) == []
        assert services.count_missing_monthly(zhang) == 2
        total, page = services.missing_monthly_page(zhang, limit=1)
        assert total == 2
        assert [x.id for x in page] == [c["sh2"]]  # 上海柴油机 before 苏州汽配
        north = env_of(db, s, ids, "li_north")
        assert [x.id for x in services.missing_monthly_cards(north)] == [c["bj"]]
        services.submit_monthly(wang, card)
        with pytest.raises(ValidationError):
            services.save_monthly(wang, c["sh"], last, {"risks": "late change"})
        card_id = card.id
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        card = zhang.get(MonthlyCard, card_id)
        with pytest.raises(ValidationError):
            services.review_monthly(zhang, card, accept=False)
        assert services.review_monthly(zhang, card, accept=False, comment="补充回款计划") == "returned"
        assert card.reviewed_by_id == ids["users"]["zhang_east"]
        assert card.review_comment == "补充回款计划"
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        card = services.save_monthly(wang, c["sh"], last, {"collections_plan": "90000"})
        services.submit_monthly(wang, card)
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        card = zhang.get(MonthlyCard, card_id)
        assert services.review_monthly(zhang, card, comment="好") == "reviewed"
        assert card.reviewed_at is not None


def test_missing_monthly_cards_is_one_query(crm):
    db, ids = crm
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        stmt = services.missing_monthly_query(zhang)
        sql = str(stmt.compile())
        assert "NOT (EXISTS" in sql
        services.missing_monthly_cards(zhang)  # warm the env's rule cache
        statements = []

        def count(*_args):
            statements.append(1)

        engine = s.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            services.missing_monthly_cards(zhang)
            services.count_missing_monthly(zhang)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(statements) == 2


def test_risk_flag_over_credit_and_overdue(crm):
    db, ids = crm
    c = ids["c"]
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        services.save_monthly(wang, c["sh2"], services.last_month(), {"credit_used": "250000", "enthusiasm": 2})
        services.save_monthly(wang, c["sh"], services.last_month(), {"overdue_amount": "0", "credit_used": "10"})
        prof = s.scalar(select(CustomerProfile).where(CustomerProfile.customer_id == c["sh2"]))
        assert prof.over_credit
        assert prof.at_risk
        assert not prof.overdue
        assert [cust.id for cust, _p in services.risk_customers(wang)] == [c["sh2"]]
        zhao = env_of(db, s, ids, "zhao")
        services.save_monthly(zhao, c["js"], services.last_month(), {"overdue_amount": "5000"})
        assert [cust.id for cust, _p in services.risk_customers(zhao)] == [c["js"]]
        director = env_of(db, s, ids, "director")
        assert len(services.risk_customers(director)) == 2


# ----- key-account plans -----------------------------------------------------------------
def test_key_account_plan_approved_by_director_and_behind_plan(crm):
    db, ids = crm
    c = ids["c"]
    today = dt.date.today()
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        with pytest.raises(ValidationError):
            services.create_plan(wang, c["sh"], YEAR, {"budget": "1"})  # not a key account yet
        zhang = env_of(db, s, ids, "zhang_east")
        services.screen_key_account(zhang, c["sh"], 9, 8, status="key")
        plan = services.create_plan(
            wang, c["sh"], YEAR,
            {"stage_goals": "完成匹配试验", "strategy": "技术领先", "staffing": "王伟+技术支持", "budget": "300000"},
            goals=[
                {"description": "送样", "due_date": today - dt.timedelta(days=10), "target_amount": "0"},
                {"description": "认证", "due_date": today + dt.timedelta(days=60), "target_amount": "2000000"},
            ],
        )
        services.add_action(wang, plan, {"due_date": today, "text": "安排试验"})
        services.submit_plan(wang, plan)
        with pytest.raises(AccessDenied):
            services.decide_plan(zhang, plan, approve=True)
        plan_id = plan.id
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        plan = director.get(KeyAccountPlan, plan_id)
        assert services.decide_plan(director, plan, approve=True, comment="同意") == "approved"
        progress = services.plan_progress(director, plan)
        assert (progress.goals_total, progress.goals_late, progress.behind) == (2, 1, True)
        assert progress.target == Decimal("2000000.00")
        rows = services.key_accounts_behind_plan(director)
        assert [(p.id, cust.id, n) for p, cust, n in rows] == [(plan_id, c["sh"], 1)]
        assert len(services.key_accounts_behind_plan(env_of(db, s, ids, "zhang_east"))) == 1
        assert services.key_accounts_behind_plan(env_of(db, s, ids, "li_north")) == []
        late = [g for g in plan.goals if g.due_date < today][0]
        services.record_goal_progress(env_of(db, s, ids, "wangwei"), late, done=True)
        assert services.key_accounts_behind_plan(director) == []


# ----- stages, profile, handover, widgets ------------------------------------------------
def test_development_stages_and_pipeline(crm):
    db, ids = crm
    c = ids["c"]
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        stages = services.stages(wang)
        assert [st.code for st in stages][:3] == ["tech_info", "needs", "training"]
        assert len(stages) == 10
        services.move_to_stage(wang, c["sh"], stages[0].id, dt.date.today() - dt.timedelta(days=30))
        services.move_to_stage(wang, c["sh"], stages[2].id, note="培训完成")
        with pytest.raises(ValidationError):
            services.move_to_stage(wang, c["sh"], stages[3].id, dt.date.today() + dt.timedelta(days=3))
        assert [h.stage.code for h in services.stage_history(wang, c["sh"])] == ["tech_info", "training"]
        sun = env_of(db, s, ids, "sun")
        services.move_to_stage(sun, c["bj"], stages[1].id)
        director = env_of(db, s, ids, "director")
        board = dict((st.code, [cu.id for cu, _p in rows]) for st, rows in services.pipeline(director, ids["t"]["E"]))
        assert board["training"] == [c["sh"]]
        assert board["needs"] == []
        board = dict((st.code, [cu.id for cu, _p in rows]) for st, rows in services.pipeline(director))
        assert board["needs"] == [c["bj"]]
        zhang = env_of(db, s, ids, "zhang_east")
        board = dict((st.code, [cu.id for cu, _p in rows]) for st, rows in services.pipeline(zhang))
        assert board["needs"] == []  # 华北's customer is not on 华东's board


def test_profile_card_gathers_everything(crm):
    from addons.crm_cards.profile import profile_card
    from addons.masterdata.models import Contact

    db, ids = crm
    c = ids["c"]
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        wang.create(Contact, {"customer_id": c["sh"], "name": "陈总", "role": "decision_maker"})
        wang.create(Contact, {"customer_id": c["sh"], "name": "刘工", "role": "technical"})
        services.set_tech_data(wang, c["sh"], {"发动机型号": "SGE 1.5T", "排放目标": "国六b"})
        services.create_strategy(wang, c["sh"], YEAR, {"goals": "g"})
        for i in range(14):
            services.save_monthly(wang, c["sh"], services.add_months(services.last_month(), -i), {"sales_actual": str(i)})
        card = profile_card(wang, c["sh"])
        assert card.customer.name_zh == "上汽"
        assert [x.name for x in card.decision_makers] == ["陈总"]
        assert len(card.contacts) == 2
        assert card.tech_data["排放目标"] == "国六b"
        assert card.strategy is not None
        assert len(card.monthly) == 12
        assert card.monthly[0].month == services.last_month()
        north = env_of(db, s, ids, "li_north")
        with pytest.raises(AccessDenied):
            profile_card(north, c["sh"])


def test_handover_moves_open_cards(crm):
    from addons.masterdata.models import Employee

    db, ids = crm
    c = ids["c"]
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        card = services.create_strategy(wang, c["sh"], YEAR, {"goals": "g"})
        old = services.save_monthly(wang, c["sh"], services.add_months(services.last_month(), -1), {"enthusiasm": 3})
        services.submit_monthly(wang, old)
        services.save_monthly(wang, c["sh"], services.last_month(), {"enthusiasm": 3})
        card_id, old_id = card.id, old.id
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        services.review_monthly(zhang, zhang.get(MonthlyCard, old_id))
    with db.session() as s:
        from addons.masterdata.handover import handover as masterdata_handover

        zhang = env_of(db, s, ids, "zhang_east")  # wangwei's manager hands him over in one action
        src, dst = s.get(Employee, ids["employees"]["wangwei"]), s.get(Employee, ids["employees"]["zhao"])
        counts = masterdata_handover(zhang, src, dst)
        assert counts["masterdata_customer"] == 2
        assert counts["crm_cards_strategy"] == 1
        assert counts["crm_cards_monthly"] == 1
        assert s.get(StrategyCard, card_id).owner_id == dst.id
        assert s.get(MonthlyCard, old_id).owner_id == src.id  # reviewed history keeps its author


def test_dashboard_widgets(crm):
    db, ids = crm
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        services.set_class(director, ids["c"]["sh"], "A", "战略客户")
        import addons.crm_cards as hook  # the hook implementation itself, outside a request

        widgets = {w.key: w for w in hook.tixi_dashboard_widgets(env=director)}
        assert {"crm_cards_class", "crm_cards_missing", "crm_cards_behind"} <= set(widgets)
        chart = widgets["crm_cards_class"].chart
        assert set(chart["xAxis"]["data"]) == {"华东", "华北"}
        a_series = chart["series"][0]
        assert sum(a_series["data"]) == 1
        assert "4" in str(widgets["crm_cards_missing"].html)
        assert "华东" in widgets["crm_cards_class"].chart_json


def test_archive_documents_follow_the_customer(crm):
    from addons.crm_cards.models import CustomerDocument
    from addons.crm_cards.profile import profile_card

    db, ids = crm
    c = ids["c"]
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        wang.create(CustomerDocument, {"customer_id": c["sh"], "kind": "tech_agreement", "title": "技术协议 2026",
                                        "location": "档案室 A-12", "custodian_id": ids["employees"]["wangwei"]})
        assert [d.title for d in profile_card(wang, c["sh"]).documents] == ["技术协议 2026"]
        assert env_of(db, s, ids, "li_north").search(CustomerDocument) == []
        assert len(env_of(db, s, ids, "director").search(CustomerDocument)) == 1


def test_company_without_territories(crm):
    """A trading company enables masterdata and crm_cards only: territories stays off."""
    from addons.crm_cards.dashboard import widgets
    from addons.masterdata.models import Customer
    from addons.masterdata.tests.helpers import build_org

    db, _ids = crm
    db.company("trade")
    db.lifecycle.enable("crm_cards", "trade")  # pulls masterdata, not territories
    org = build_org(db, "trade")
    with db.session() as s:
        root = make_env(db, s, org["root"], "trade")
        assert "territories" not in root.enabled
        assert "crm_cards" in root.enabled
        cust = root.create(Customer, {"name_zh": "贸易客户", "status": "active", "owner_id": org["employees"]["wangwei"]})
        director = make_env(db, s, org["users"]["director"], "trade")
        assert [c.id for c in services.missing_monthly_cards(director)] == [cust.id]
        services.set_class(director, cust.id, "B", "贸易公司分类")
        assert services.customers_by_class_per_territory(director) == {"-": {"B": 1}}
        assert [st for st, rows in services.pipeline(director) if rows] == []
        assert {w.key for w in widgets(director)} >= {"crm_cards_class", "crm_cards_missing"}
