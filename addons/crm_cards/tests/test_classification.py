"""A/B/C/D classification on SQLite and PostgreSQL: computation, authority, history, review, policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from addons.crm_cards import services
from addons.crm_cards.models import ClassProposal, CustomerClass
from addons.crm_cards.workflows import CLASS_CHANGE
from core.errors import AccessDenied, ValidationError
from core.models import AuditEntry
from core.security import approvals
from core.testing import make_env


def env_of(db, s, ids, login):
    return make_env(db, s, ids["users"][login])


DEFAULT = SimpleNamespace(
    weight_sales=Decimal(30), weight_size=Decimal(15), weight_standing=Decimal(20),
    weight_credit=Decimal(15), weight_potential=Decimal(20),
    threshold_a=Decimal(80), threshold_b=Decimal(60), threshold_c=Decimal(40),
)


@pytest.mark.parametrize(
    ("factors", "score", "code"),
    [
        ({"sales": 100, "size": 90, "standing": 80, "credit": 90, "potential": 70}, "87.00", "A"),
        ({"sales": 80, "size": 80, "standing": 80, "credit": 80, "potential": 80}, "80.00", "A"),
        ({"sales": 60, "size": 60, "standing": 60, "credit": 60, "potential": 59}, "59.80", "C"),
        ({"sales": 0, "size": 0, "standing": 0, "credit": 0, "potential": 0}, "0.00", "D"),
        ({"sales": 50, "size": 100, "standing": 70, "credit": 60, "potential": 60}, "65.00", "B"),
        ({"sales": 0, "size": 90}, "30.00", "D"),  # never assessed: judged on sales and size only
        ({"sales": 100, "size": 60}, "86.67", "A"),
    ],
)
def test_compute_class(factors, score, code):
    got_score, got_code = services.compute_class(DEFAULT, {k: Decimal(v) for k, v in factors.items()})
    assert (str(got_score), got_code) == (score, code)


def test_suggested_class_from_criteria_monthly_sales_and_assessment(crm):
    db, ids = crm
    c = ids["c"]
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        for i in range(1, 11):  # ten months of 1,000,000 = the full-score amount
            month = services.add_months(services.month_start(dt.date.today()), -i)
            services.save_monthly(wang, c["sh"], month, {"sales_actual": "1000000"})
        services.assess(wang, c["sh"], {"standing": 80, "credit": "90", "potential": 70})
        sug = services.suggest_class(wang, c["sh"])
        assert sug.factors["sales"] == Decimal("100")
        assert sug.factors["size"] == Decimal("90")  # from the customer's size (large)
        assert (sug.score, sug.class_code) == (Decimal("87.00"), "A")
        with pytest.raises(ValidationError):
            services.assess(wang, c["sh"], {"standing": 120})
        with pytest.raises(AccessDenied):
            services.suggest_class(wang, c["bj"])  # another territory's customer


def test_class_set_only_by_authorised_person_with_reason_and_history(crm):
    db, ids = crm
    c = ids["c"]
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        with pytest.raises(AccessDenied):
            services.set_class(wang, c["sh"], "A", "我觉得")
        director = env_of(db, s, ids, "director")
        with pytest.raises(ValidationError):
            services.set_class(director, c["sh"], "A", "  ")
        with pytest.raises(ValidationError):
            services.set_class(director, c["sh"], "E", "x")
        services.set_class(director, c["sh"], "B", "新客户")
        services.set_class(director, c["sh"], "A", "年销售额超过一千万")
        hist = services.class_history(wang, c["sh"])
        assert [(h.class_code, h.previous_code) for h in hist] == [("A", "B"), ("B", None)]
        assert hist[0].reason == "年销售额超过一千万"
        assert hist[0].set_by_id == ids["users"]["director"]
        assert services.current_class(wang, c["sh"]) == "A"
        audited = s.query(AuditEntry).filter(AuditEntry.model == "crm_cards_customer_class").count()
        assert audited == 2
        with pytest.raises(AccessDenied):
            director.write(hist[0], {"reason": "rewrite history"})  # nobody rewrites history
        # the policy other addons read through the hook
        policy = wang.hooks.tixi_customer_class_policy(env=wang, customer_id=c["sh"])
        assert policy["class_code"] == "A"
        assert policy["visits_per_month"] == 4
        assert policy["price_class"] == "preferred"
        assert wang.hooks.tixi_customer_class_policy(env=wang, customer_id=c["sh2"]) is None  # unclassified
        assert wang.hooks.tixi_customer_class_policy(env=wang, customer_id=c["bj"]) is None  # not readable


def test_criteria_are_configured_by_the_director(crm):
    db, ids = crm
    with db.session() as s:
        wang = env_of(db, s, ids, "wangwei")
        with pytest.raises(AccessDenied):
            services.update_criteria(wang, {"threshold_a": "90"})
        director = env_of(db, s, ids, "director")
        with pytest.raises(ValidationError):
            services.update_criteria(director, {"threshold_a": "50"})  # below B
        with pytest.raises(ValidationError):
            services.update_criteria(director, {"weight_sales": "abc"})
        row = services.update_criteria(director, {"threshold_a": "85", "weight_sales": "40", "review_months": 6})
        assert row.threshold_a == Decimal("85.00")
        assert services.review_period(row, dt.date(2026, 8, 1)) == "2026-P2"


def test_quarterly_review_proposes_and_director_decides(crm):
    db, ids = crm
    c = ids["c"]
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        services.set_class(director, c["js"], "B", "初始")
        services.set_class(director, c["sh"], "D", "初始")
        wang = env_of(db, s, ids, "wangwei")
        for i in range(1, 13):
            month = services.add_months(services.month_start(dt.date.today()), -i)
            services.save_monthly(wang, c["sh"], month, {"sales_actual": "900000"})
        services.assess(wang, c["sh"], {"standing": 90, "credit": 90, "potential": 90})
        review = services.run_class_review(director, on=dt.date(2026, 12, 31))
        assert review.period == "2026-Q4"
        proposals = {p.customer_id: p for p in director.search(ClassProposal, ClassProposal.review_id == review.id)}
        assert (proposals[c["sh"]].old_class, proposals[c["sh"]].new_class) == ("D", "A")
        assert (proposals[c["js"]].old_class, proposals[c["js"]].new_class) == ("B", "D")
        assert (proposals[c["bj"]].old_class, proposals[c["bj"]].new_class) == (None, "D")
        with pytest.raises(ValidationError):
            services.run_class_review(director, on=dt.date(2026, 11, 30))  # same quarter
        ids_ = {k: proposals[c[k]].id for k in ("sh", "js", "bj")}
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        visible = {p.customer_id for p in zhang.search(ClassProposal)}
        assert c["bj"] not in visible  # 华北's customer
        with pytest.raises(AccessDenied):  # a territory manager cannot decide a class
            approvals.fire(zhang, CLASS_CHANGE, zhang.get(ClassProposal, ids_["sh"]), "approve")
    with db.session() as s:
        director = env_of(db, s, ids, "director")
        assert services.decide_proposal(director, director.get(ClassProposal, ids_["sh"]), True, "销量和潜力都高") == "approved"
        with pytest.raises(ValidationError):
            services.decide_proposal(director, director.get(ClassProposal, ids_["js"]), False, "")
        assert services.decide_proposal(director, director.get(ClassProposal, ids_["js"]), False, "下季度再看") == "rejected"
        assert services.current_class(director, c["sh"]) == "A"
        assert services.current_class(director, c["js"]) == "B"  # refused: unchanged
        last = services.class_history(director, c["sh"])[0]
        assert (last.class_code, last.source, last.reason, last.proposal_id) == ("A", "review", "销量和潜力都高", ids_["sh"])
        refused = director.get(ClassProposal, ids_["js"])
        assert refused.decision_comment == "下季度再看"
        assert refused.decided_by_id == ids["users"]["director"]
        assert s.query(CustomerClass).filter(CustomerClass.customer_id == c["js"]).count() == 1


def test_generic_writes_are_checked_too(crm):
    """Rules that hold whichever page saves: screening scores, criteria order, action's customer."""
    from addons.crm_cards.models import ActionItem, KeyAccount

    db, ids = crm
    c = ids["c"]
    with db.session() as s:
        zhang = env_of(db, s, ids, "zhang_east")
        ka = zhang.create(KeyAccount, {"customer_id": c["sh"], "attractiveness": Decimal("8"), "feasibility": Decimal("7"), "status": "key"})
        assert services.is_key_account(zhang, c["sh"])
        assert services.profile(zhang, c["sh"]).is_key_account
        ka_id = ka.id
        wang = env_of(db, s, ids, "wangwei")
        card_id = services.create_strategy(wang, c["sh"], 2030, {"goals": "g"}).id

    def attempt(fn):
        with db.session() as s:
            fn(s)

    with pytest.raises(ValidationError):
        attempt(lambda s: env_of(db, s, ids, "zhang_east").write(s.get(KeyAccount, ka_id), {"feasibility": Decimal("12")}))
    with pytest.raises(ValidationError):
        attempt(lambda s: services.criteria(env_of(db, s, ids, "director")) and env_of(db, s, ids, "director").write(
            services.criteria(env_of(db, s, ids, "director")), {"threshold_c": Decimal("95")}))
    with pytest.raises(ValidationError):
        attempt(lambda s: env_of(db, s, ids, "wangwei").create(
            ActionItem, {"customer_id": c["sh2"], "strategy_id": card_id, "due_date": dt.date.today(), "text": "x"}))
    with db.session() as s:
        assert s.get(KeyAccount, ka_id).feasibility == Decimal("7.0")
