"""The demo data installs with masterdata's, territories', pricing's and orders' for 贵研催化 and is
consistent: the job computes November's scorecards from the demo orders (a salesperson's sales
completion is orders' own figure for him), the back office's satisfaction is the average of the demo
ratings, and the front-office scheme pays base + target pay x score."""

from __future__ import annotations

import datetime as dt
import types
from decimal import ROUND_HALF_UP, Decimal

import yaml
from sqlalchemy import select

from core.testing import make_env, tixi_db  # noqa: F401


def test_demo_kpi_is_consistent(tixi_db):  # noqa: F811
    from addons.kpi import services as svc
    from addons.kpi.demo.generate import OUT
    from addons.kpi.models import Scheme, Scorecard, ScorecardLine
    from addons.masterdata.models import Employee
    from core.lifecycle import SetupEnv
    from core.measures import measure_value
    from core.models import User

    tixi_db.install("masterdata", "territories", "pricing", "orders", "kpi", companies=["guiyan"], demo=True)
    with tixi_db.session() as s:
        def env_of(login: str):
            return make_env(tixi_db, s, s.scalar(select(User.id).where(User.login == login)), "guiyan")

        kernel = SetupEnv(tixi_db.registry, s, env_of("wangwei").company_id)
        ctx = types.SimpleNamespace(env=kernel, period="2026-11", progress=lambda *a, **k: None)
        assert svc.compute_job(ctx)["scorecards"] >= 14
        wang = env_of("wangwei")
        me = s.scalar(select(Employee).where(Employee.user_id == wang.user_id))
        cards = wang.search(Scorecard)
        assert [c.employee_id for c in cards] == [me.id]
        sales = wang.search(ScorecardLine, ScorecardLine.code == "sales")[0]
        nov = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        own = measure_value(wang, "orders.sales_amount", period=nov)[0].value
        assert sales.actual == own
        assert sales.completion == (own * 100 / sales.target).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        # 何工's satisfaction: the average of November's demo ratings, as a share of 5
        demo = yaml.safe_load(OUT.read_text(encoding="utf-8"))["records"]
        ratings = [r["values"]["rating"] for r in demo if r["model"] == "kpi_survey_answer"
                   and r["id"].startswith("answer_11_") and r["id"].endswith("_he_tech")]
        director = env_of("liu_director")
        he = s.scalar(select(Employee).where(Employee.name_zh == "何工"))
        line = director.search(ScorecardLine, ScorecardLine.employee_id == he.id,
                               ScorecardLine.code == "satisfaction")[0]
        expected = (Decimal(sum(ratings)) / len(ratings) * 20).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert line.actual == expected
        # a territory manager sees the team's scorecards, not the other territories'
        zhang = env_of("zhang_east")
        seen = {c.employee_id for c in zhang.search(Scorecard)}
        assert me.id in seen
        sun = s.scalar(select(Employee).where(Employee.name_zh == "孙丽"))
        assert sun.id not in seen
        # the front-office scheme from the demo
        scheme = director.search(Scheme, Scheme.code == "front_sales")[0]
        assert [(t.lower, t.upper, t.rate) for t in scheme.tiers] == [
            (Decimal("100.0000"), Decimal("120.0000"), Decimal("3.0000")), (Decimal("120.0000"), None,
                                                                           Decimal("5.0000"))]
        lines = svc.calculate(env_of("qian_finance"), cards[0])
        assert lines[0]["amount"] == Decimal("3000.00")
        assert lines[1]["amount"] == (Decimal("5000") * cards[0].total_score / 100).quantize(Decimal("0.01"),
                                                                                             rounding=ROUND_HALF_UP)
