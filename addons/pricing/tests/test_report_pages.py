"""The report centre's pages with the pricing reports (Flask test client, SQLite): index, parameter
errors on the form (no query), table with totals and links, .xlsx, print view, PDF, the margin
refused to a non-cost role everywhere, subscriptions (subscribe, list, edit, delete: own only),
and the report notification's link."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from addons.pricing.tests.helpers import world_database
from addons.pricing.tests.test_report_centre import _quotes
from core.testing import TixiTestDB
from core.testing.web import csrf_token as csrf
from core.testing.web import logged_in_client as client_for

YEAR = "period=custom&date_from=2026-01-01&date_to=2026-12-31"


@pytest.fixture
def web() -> Iterator[tuple[TixiTestDB, dict[str, Any], Any]]:
    """(db, ids, app) on SQLite, with the pricing world and three quotes."""
    from addons.pricing.tests.helpers import env_of  # noqa: F401 - the world's users
    from core.web.app import create_app

    url, drop, ids = world_database("sqlite")
    db = TixiTestDB(url)
    with db.session() as s:
        _quotes(db, s, ids)
    app = create_app(registry=db.registry, test_config={"TESTING": True})
    try:
        yield db, ids, app
    finally:
        db.dispose()
        drop()


def test_index_and_menu_show_only_runnable_reports(web):
    db, ids, app = web
    director = client_for(app, "director")
    page = director.get("/reports/")
    assert page.status_code == 200
    assert all(f'data-report="pricing.{n}"' in page.text for n in ("margin", "outside_band", "win_loss", "realisation"))
    assert 'href="/reports/"' in director.get("/").text    # the menu entry
    rep = client_for(app, "wangwei")
    page = rep.get("/reports/")
    assert 'data-report="pricing.win_loss"' in page.text
    assert 'data-report="pricing.margin"' not in page.text
    assert rep.get("/reports/nothing.here").status_code == 404


def test_margin_refused_to_a_non_cost_role_on_page_xlsx_print_and_pdf(web):
    db, ids, app = web
    rep = client_for(app, "wangwei")
    for suffix in ("", "/export.xlsx", "/print", "/print.pdf"):
        r = rep.get(f"/reports/pricing.margin{suffix}?{YEAR}")
        assert r.status_code == 403, suffix
        assert "9,000.00" not in r.get_data(as_text=True)
    director = client_for(app, "director")
    page = director.get(f"/reports/pricing.margin?{YEAR}")
    assert page.status_code == 200
    assert 'id="report-totals"' in page.text
    assert "9,000.00" in page.text
    assert 'data-chart="' in page.text
    assert f"/reports/pricing.margin?by=product&amp;territory={ids['east']}" in page.text   # drill-down
    assert f'href="/masterdata/products/{ids["p1"]}"' in page.text or "/products/" in page.text
    pr = director.get(f"/reports/pricing.margin/print?{YEAR}")
    assert pr.status_code == 200
    assert 'id="letterhead"' in pr.text
    assert "9,000.00" in pr.text
    pdf = director.get(f"/reports/pricing.margin/print.pdf?{YEAR}")
    assert pdf.status_code == 200
    assert pdf.data[:4] == b"%PDF"


def test_bad_parameters_show_a_message_on_the_form(web):
    db, ids, app = web
    rep = client_for(app, "wangwei")
    page = rep.get("/reports/pricing.win_loss?period=custom&date_from=2026-12-01&date_to=2026-11-01")
    assert page.status_code == 422
    assert 'id="report-errors"' in page.text
    assert "期间的结束日期早于开始日期" in page.text
    assert 'id="report-table"' not in page.text
    page = rep.get(f"/reports/pricing.win_loss?{YEAR}&territory=999999")
    assert page.status_code == 422
    assert 'data-error-for="territory"' in page.text
    assert rep.get(f"/reports/pricing.win_loss/export.xlsx?{YEAR}&territory=999999").status_code == 422
    page = rep.get("/reports/pricing.win_loss?period=custom&date_from=2020-01-01&date_to=2026-12-31")
    assert page.status_code == 422
    assert "731" in page.text


def test_xlsx_of_a_title_with_a_slash(web):
    from openpyxl import load_workbook

    db, ids, app = web
    director = client_for(app, "director")
    x = director.get(f"/reports/pricing.win_loss/export.xlsx?{YEAR}")
    assert x.status_code == 200
    assert x.data[:2] == b"PK"
    ws = load_workbook(io.BytesIO(x.data)).active
    assert "/" not in ws.title
    x = director.get(f"/reports/pricing.outside_band/export.xlsx?{YEAR}")
    values = [c.value for row in load_workbook(io.BytesIO(x.data)).active.iter_rows() for c in row]
    assert "'=cmd|' /C calc'!A0" in values


def test_subscribe_list_edit_delete_own_only(web):
    import datetime as dt

    from core.models import Notification
    from core.reports import subscriptions as subs

    db, ids, app = web
    rep = client_for(app, "wangwei")
    page = rep.get("/reports/pricing.win_loss?period=last_month")
    assert page.status_code == 200
    r = rep.post("/reports/pricing.win_loss/subscribe", data={
        "csrf_token": csrf(page.text), "params": "period=last_month", "schedule": "monthly", "weekday": "0",
        "day": "3", "channel": "inbox"})
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/reports/subscriptions")
    mine = rep.get("/reports/subscriptions")
    assert "每月 · 3" in mine.text
    with db.session() as s:
        from core.models import ReportSubscription

        (row,) = s.query(ReportSubscription).all()
        sub_id = row.id
        assert row.params == '{"period": ["last_month"]}'
        row.created_at = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    other = client_for(app, "sun")
    other_page = other.get("/reports/subscriptions")
    assert "每月" not in other_page.text
    assert other.post(f"/reports/subscriptions/{sub_id}/delete", data={"csrf_token": csrf(other_page.text)}).status_code == 403
    r = rep.post(f"/reports/subscriptions/{sub_id}", data={
        "csrf_token": csrf(mine.text), f"s{sub_id}-schedule": "weekly", f"s{sub_id}-weekday": "2",
        f"s{sub_id}-day": "1", f"s{sub_id}-channel": "inbox", f"s{sub_id}-active": "y"})
    assert r.status_code == 302
    assert "每周 · 星期三" in rep.get("/reports/subscriptions").text
    # delivered: the inbox entry opens the report page with its parameters
    (done,) = subs.deliver_due(db.registry, dt.datetime(2026, 11, 18, 2, tzinfo=dt.UTC))
    assert done.outcome == "sent"
    with db.session() as s:
        note = s.query(Notification).filter_by(type_code="core.report_ready").one()
        note_id = note.id
    inbox = rep.get("/notifications/")
    assert "报表：按策略统计中标/丢单" in inbox.text or "报表：" in inbox.text
    opened = rep.post(f"/notifications/{note_id}/open", data={"csrf_token": csrf(inbox.text)})
    assert opened.headers["Location"].endswith("/reports/pricing.win_loss?period=last_month")
    r = rep.post(f"/reports/subscriptions/{sub_id}/delete", data={"csrf_token": csrf(mine.text)})
    assert r.status_code == 302
    assert 'id="no-subscriptions"' in rep.get("/reports/subscriptions").text
