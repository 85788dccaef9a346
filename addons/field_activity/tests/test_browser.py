"""Browser test in Chinese (headless Debian Chromium) on a 375 px phone: 王伟 opens today's
route, the network goes away, he records two visits with a photo and the daily report, the
network comes back, the queue is synced (and sent again twice: the server answers
"duplicate"), the server holds exactly those records once, and his manager 张东 sees them.
Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from addons.masterdata.tests.helpers import build_org
from core.testing import TixiTestDB, make_env, new_database
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser

CUSTOMER_AT = (25.040000, 102.710000)


@pytest.fixture
def server():
    from core.models import User
    from core.security.passwords import hash_password
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.install("masterdata", "field_activity", companies=["acme"])
    ids = build_org(db)
    from addons.field_activity.services import set_location, set_route
    from addons.masterdata.models import Customer

    with db.session() as s:
        for login in ("wangwei", "zhang_east", "director"):
            s.get(User, ids["users"][login]).password_hash = hash_password("secret-pass-1")
        env = make_env(db, s, ids["root"], "acme")
        wang = ids["employees"]["wangwei"]
        c1 = env.create(Customer, {"name_zh": "昆明冶炼厂", "owner_id": wang, "address": "昆明市五华区"})
        c2 = env.create(Customer, {"name_zh": "云南铜业", "owner_id": wang})
        set_location(env, c1.id, *CUSTOMER_AT)
        set_location(env, c2.id, *CUSTOMER_AT)
        from addons.field_activity.services import local_today

        set_route(env, wang, local_today(env).weekday(), [c1.id, c2.id])
        ids["customers"] = [c1.id, c2.id]
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def _wait(page, expression: str, timeout: float = 15.0) -> None:
    """Poll ``expression`` in the page until truthy (the page's CSP forbids Playwright's eval-based wait)."""
    import time

    end = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {expression}")
        time.sleep(0.1)


def _photo(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (320, 240), (30, 120, 60)).save(path, "JPEG")
    return path


def _visit(page, customer_id: int, photo: Path, note: str) -> None:
    page.click(f'#stops [data-visit="{customer_id}"]')
    page.wait_for_selector("#visit-section:not(.d-none)")
    page.click("#checkin")
    _wait(page, "document.querySelector('#checkin-status').textContent.length > 0")
    page.set_input_files("#photo", str(photo))
    page.wait_for_selector("#photo-preview:not(.d-none)")
    page.fill("#contacts_met", "李工")
    page.fill("#next_step", note)
    page.click("#save-visit")
    page.wait_for_selector("#visit-section.d-none", state="attached")


def test_offline_visits_and_report_sync_once_then_the_manager_sees_them(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    photo = _photo(tmp_path / "storefront.jpg")
    problems: list[str] = []
    phone, page = phone_page(browser, problems, timeout=15000)
    phone.grant_permissions(["geolocation"])
    phone.set_geolocation({"latitude": 25.0405, "longitude": 102.7102, "accuracy": 20})
    browser_login(page, base_url, "wangwei")
    page.goto(base_url + "/field_activity/today")
    assert "今日路线" in page.inner_text("h1")
    assert "昆明冶炼厂" in page.inner_text("#stops")
    # the service worker is installed and controls the page (a reload after the first install)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    _wait(page, "navigator.serviceWorker.controller !== null")
    page.wait_for_selector('#fa-app[data-ready="1"]')

    # no network: the page still loads from the service worker, and entries wait on the phone
    phone.set_offline(True)
    page.reload()
    page.wait_for_selector('#fa-app[data-ready="1"]')
    assert "离线" in page.inner_text("#net-status")
    c1, c2 = ids["customers"]
    _visit(page, c1, photo, "下周送样")
    phone.set_geolocation({"latitude": 25.0700, "longitude": 102.7600, "accuracy": 20})  # far: flagged
    _visit(page, c2, photo, "报价跟进")
    assert page.get_attribute("#queue-count", "data-pending") == "2"
    assert "下周送样" in page.input_value("#report-visits")
    page.fill("#collections_amount", "12000")
    page.fill("#expenses_amount", "86.5")
    page.fill("#problems", "客户反映价格偏高")
    page.click("#save-report")
    _wait(page, "document.querySelector('#queue-count').dataset.pending === '3'")
    assert "已保存在手机上" in page.inner_text("#queue-count")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "field_activity_offline_phone.png"), full_page=True)
    # still offline: the market inspection form (cached by the service worker) queues on the phone too
    page.goto(base_url + "/field_activity/inspection/new")
    page.wait_for_selector("#offline-form")
    page.fill("#area", "昆明东片")
    page.fill("#market_situation", "需求平稳")
    page.click("#offline-form button")
    page.wait_for_selector("#offline-saved:not(.d-none)")
    assert "已保存在手机上" in page.inner_text("#offline-saved")
    page.goto(base_url + "/field_activity/today")
    page.wait_for_selector('#fa-app[data-ready="1"]')
    assert page.get_attribute("#queue-count", "data-pending") == "4"

    # the network is back: the queue goes out; then sent twice more, the server answers duplicate
    phone.set_offline(False)
    page.click("#sync-now")
    _wait(page, "document.querySelector('#queue-count').dataset.pending === '0'")
    _wait(page, "document.querySelectorAll('#queue-list li').length === 0")
    for _retry in range(2):
        page.evaluate("document.querySelector('#sync-status').dataset.last = ''")
        page.click("#resend")
        _wait(page, "(document.querySelector('#sync-status').dataset.last || '').length > 2")
        assert json.loads(page.get_attribute("#sync-status", "data-last")) == ["duplicate"] * 4
    page.screenshot(path=str(shots / "field_activity_synced_phone.png"), full_page=True)
    phone.close()

    from addons.field_activity.models import DailyReport, MarketInspection, Visit
    from core.models import Attachment

    with db.session() as s:
        inspection = s.query(MarketInspection).one()  # exactly once, after three sends
        assert (inspection.area, inspection.market_situation) == ("昆明东片", "需求平稳")
        visits = s.query(Visit).order_by(Visit.id).all()
        assert [(v.customer_id, v.next_step) for v in visits] == [(c1, "下周送样"), (c2, "报价跟进")]
        assert [v.flagged for v in visits] == [False, True]  # the second check-in was 6 km away
        assert visits[0].distance_m is not None
        assert visits[0].distance_m < 200
        assert len({v.client_key for v in visits}) == 2
        report = s.query(DailyReport).one()
        assert (report.state, report.visits_count, str(report.collections_amount)) == ("submitted", 2, "12000.00")
        photos = s.query(Attachment).filter(Attachment.model == "field_activity_visit").all()
        assert sorted(a.res_id for a in photos) == [v.id for v in visits]
        visit_ids = [v.id for v in visits]

    # the manager sees them: the team's reports and the visit with its photo
    boss, page = phone_page(browser, problems, timeout=15000)
    browser_login(page, base_url, "zhang_east")
    page.goto(base_url + "/field_activity/team")
    row = page.inner_text(f'#team-reports [data-employee="{ids["employees"]["wangwei"]}"]')
    assert "王伟" in row
    assert "已提交" in row
    assert "云南铜业" in page.inner_text("#flagged")
    page.goto(base_url + f"/field_activity/visits/{visit_ids[0]}")
    assert "昆明冶炼厂" in page.inner_text("h1")
    page.wait_for_selector("#visit-photos img")
    assert page.evaluate("document.querySelector('#visit-photos img').naturalWidth") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "field_activity_manager_visit.png"), full_page=True)
    boss.close()
    assert problems == []


def test_director_edits_settings_and_a_visit_type_on_a_phone(server, browser, tmp_path):
    """The director (刘总监) on a 375 px phone in Chinese: a bad radius is refused on its field, a good
    one saved; a new visit type with ordered steps; the salesperson's type list then offers it."""
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    phone, page = phone_page(browser, problems, timeout=15000)
    browser_login(page, base_url, "director")
    page.goto(base_url + "/field_activity/settings")
    assert "销售过程设置" in page.inner_text("h1")
    page.fill("#radius_m", "5")
    page.click("#settings-save")
    page.wait_for_selector("#radius_m-error")
    assert "10 到 50000" in page.inner_text("#radius_m-error")
    assert "is-invalid" in (page.get_attribute("#radius_m", "class") or "")
    page.fill("#radius_m", "800")
    page.click("#settings-save")
    page.wait_for_selector("#visit-types")
    assert page.input_value("#radius_m") == "800"
    page.click("#new-visit-type")
    page.wait_for_selector("#visit-type-form")
    page.fill("#code", "phone_call")
    page.fill("#name_zh", "电话回访")
    page.fill("#name_en", "Phone call")
    page.uncheck("#photo_required")
    for i, step in enumerate(["checkin", "contacts", "next_step", "checkout"]):
        page.select_option(f'select[name="step_{i}"]', step)
    for i in range(4, 8):
        page.select_option(f'select[name="step_{i}"]', "")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "field_activity_visit_type_phone.png"), full_page=True)
    page.click("#visit-type-save")
    page.wait_for_selector('#visit-types [data-type="phone_call"]')
    assert "电话回访" in page.inner_text('#visit-types [data-type="phone_call"]')
    assert problems == []
    from addons.field_activity.models import Settings, VisitType

    with db.session() as s:
        env = make_env(db, s, ids["users"]["wangwei"], "acme")
        assert env.search(Settings)[0].radius_m == 800
        assert env.search(VisitType, VisitType.code == "phone_call")[0].steps == "checkin,contacts,next_step,checkout"
