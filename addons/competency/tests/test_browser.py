"""Browser test in Chinese (headless Debian Chromium) on a 375 px phone: the territory
manager 张东 rates his salesperson 王伟, a missing rating comes back in Chinese, and
the radar chart shows the gap against 销售员's profile. Screenshots go to
``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from addons.masterdata.tests.helpers import build_org
from core.testing import TixiTestDB, new_database
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser

# 王伟's levels from 张东; 销售员 requires A4 B2 C4 D3 E4 F3 G1 H2 I1 J2
LEVELS = {"A": 4, "B": 3, "C": 4, "D": 3, "E": 5, "F": 3, "G": 2, "H": 2, "I": 1, "J": 2}
GAPS = {"A": 0, "B": 1, "C": 0, "D": 0, "E": 1, "F": 0, "G": 1, "H": 0, "I": 0, "J": 0}


@pytest.fixture
def server():
    from core.models import User
    from core.security.passwords import hash_password
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.install("masterdata", "competency", companies=["acme"])
    ids = build_org(db)
    with db.session() as s:
        s.get(User, ids["users"]["zhang_east"]).password_hash = hash_password("secret-pass-1")
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def test_manager_rates_salesperson_on_a_phone_and_sees_the_gap(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    phone, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "zhang_east")
    page.goto(base_url + "/competency/")
    assert "我的下属" in page.content()
    page.click(f'[data-rate="{ids["employees"]["wangwei"]}"]')
    page.wait_for_selector("#assess-form")
    heading = page.inner_text("h1")
    assert "上级评估" in heading
    assert "王伟" in heading
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # everything but J: refused in Chinese, nothing saved
    for code, level in LEVELS.items():
        if code != "J":
            page.check(f'fieldset[data-competency="{code}"] input[value="{level}"]')
    page.fill('fieldset[data-competency="B"] input[name^="comment_"]', "需加强客户需求挖掘")
    page.click("#assess-submit")
    page.wait_for_selector("#assess-error")
    assert "请评估每一项能力；缺少：J" in page.inner_text("#assess-error")
    # the choices made are kept
    assert page.is_checked('fieldset[data-competency="A"] input[value="4"]')
    page.check('fieldset[data-competency="J"] input[value="2"]')
    page.screenshot(path=str(shots / "competency_assess_phone.png"), full_page=True)
    page.click("#assess-submit")
    page.wait_for_selector("#radar canvas")
    assert "暂定：等待校准" in page.inner_text("#profile-state")
    assert "差距合计：3 级" in page.inner_text("#profile-state")
    option = json.loads(page.get_attribute("#radar", "data-chart"))
    names = [s["name"] for s in option["series"][0]["data"]]
    assert names[:2] == ["岗位要求：销售员", "上级评估"]
    gaps = {row.get_attribute("data-code"): row.get_attribute("data-gap") for row in page.query_selector_all("#gap-table tbody tr")}
    assert gaps == {k: str(v) for k, v in GAPS.items()}
    assert "需加强客户需求挖掘" in page.inner_text('#gap-table tr[data-code="B"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "competency_radar_phone.png"), full_page=True)
    phone.close()
    from addons.competency.models import Assessment

    with db.session() as s:
        a = s.query(Assessment).one()
        assert (a.kind, a.state, a.employee_id) == ("manager", "submitted", ids["employees"]["wangwei"])
    assert problems == []
