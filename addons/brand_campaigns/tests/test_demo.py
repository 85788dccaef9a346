"""The demo data of 贵研催化 installs with masterdata's and crm_cards', and hangs together: the approved
positioning, the published toolkit a salesperson reads, the distributor summary, the questionnaire report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from core.testing import make_env, tixi_db  # noqa: F401


def test_demo_brand_work_is_consistent(tixi_db):  # noqa: F811
    from addons.brand_campaigns import services as svc
    from addons.brand_campaigns.models import PromotionChannel, PromotionPlan, ToolkitVersion
    from addons.brand_campaigns.workflows import POSITIONING_WORKFLOW
    from core.models import User
    from core.security import approvals

    tixi_db.install("masterdata", "crm_cards", "brand_campaigns", companies=["guiyan"], demo=True)
    with tixi_db.session() as s:
        def env_of(login):
            return make_env(tixi_db, s, s.scalar(select(User.id).where(User.login == login)), "guiyan")

        owner, seller, director = env_of("zhou_ops"), env_of("wangwei"), env_of("liu_director")
        assert owner.count(PromotionChannel) == 5  # the set-up kept the demo's channels
        pos = svc.positioning.current(seller, 2026)
        assert (pos.year, pos.proposition) == (2026, "low_cost_technology")
        draft = svc.positioning.history(owner)[0]
        assert (draft.year, draft.state) == (2027, "submitted")
        assert approvals.current_state(owner, POSITIONING_WORKFLOW, draft) == "submitted"
        svc.positioning.fire(director, draft, "approve")  # the committee can act on the demo's request
        assert seller.count(ToolkitVersion) == 10
        assert owner.count(ToolkitVersion) == 11
        rows = svc.distributors.monthly_summary(owner, dt.date(2026, 11, 1))
        assert len(rows) == 8
        assert sum((r["month_amount"] for r in rows), Decimal(0)) > 0
        assert {r["code"]: r["state"] for r in rows}["JX008"] == "eliminated"
        survey = svc.surveys.evaluation_report(owner, owner.search(
            addons_models().BrandSurvey)[0])
        assert (survey["count"], survey["invited"]) == (17, 24)
        assert {r["class"] for r in survey["by_class"]} & {"A", "B", "C", "D"}
        plans = owner.search(PromotionPlan)
        assert len(plans) == 9
        assert {p.state for p in plans} >= {"done", "running", "draft"}


def addons_models():
    from addons.brand_campaigns import models

    return models
