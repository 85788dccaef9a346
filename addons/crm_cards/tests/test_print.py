"""The printed customer profile card (客户资料卡, core/pdf.py): the profile page's content in a
PDF with the Chinese customer name in an embedded Noto CJK font, on SQLite and PostgreSQL;
refused for a customer outside the reader's rules (403 on the web)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from addons.crm_cards import services
from addons.crm_cards.tests.helpers import crm_database
from core.errors import AccessDenied
from core.testing import TixiTestDB, make_env
from core.testing.web import logged_in_client as client_for


def test_profile_card_pdf(crm):
    from addons.crm_cards.views import profile_print_context
    from addons.masterdata.models import Customer
    from core.pdf import pdf_font_names, render_document, render_pdf, rendered_text

    db, ids = crm
    sh = ids["c"]["sh"]
    with db.session() as s:
        wang = make_env(db, s, ids["users"]["wangwei"])
        services.set_tech_data(wang, sh, {"排放目标": "国六b"})
        customer = wang.get(Customer, sh)
        ctx = profile_print_context(wang, customer)
        data = render_pdf(wang, "crm_cards/print_profile.html", customer, **ctx)
        assert data.startswith(b"%PDF-")
        fonts = pdf_font_names(data)
        assert any("Noto" in f and "CJK" in f for f in fonts), fonts
        text = rendered_text(render_document(wang, "crm_cards/print_profile.html", customer, **ctx))
        for needle in ("客户资料卡", "上汽", "国六b", "1,000,000.00", "第 1 页"):
            assert needle in text, needle
        # the north manager does not reach a Shanghai customer: no PDF
        north = make_env(db, s, ids["users"]["li_north"])
        with pytest.raises(AccessDenied):
            render_pdf(north, "crm_cards/print_profile.html", customer, **ctx)


@pytest.fixture
def web() -> Iterator[tuple[TixiTestDB, dict[str, Any], Any]]:
    """(db, ids, app) on SQLite."""
    from core.web.app import create_app

    url, drop, ids = crm_database("sqlite")
    db = TixiTestDB(url)
    app = create_app(registry=db.registry, test_config={"TESTING": True})
    try:
        yield db, ids, app
    finally:
        db.dispose()
        drop()


def test_profile_print_routes(web):
    db, ids, app = web
    sh = ids["c"]["sh"]
    c = client_for(app, "wangwei")
    page = c.get(f"/crm/customers/{sh}")
    assert f'href="/crm/customers/{sh}/print.pdf"' in page.text
    view = c.get(f"/crm/customers/{sh}/print")
    assert view.status_code == 200
    assert "客户资料卡" in view.text
    assert "上汽" in view.text
    pdf = c.get(f"/crm/customers/{sh}/print.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    n = client_for(app, "li_north")
    r = n.get(f"/crm/customers/{sh}/print.pdf")
    assert r.status_code == 403
    assert not r.data.startswith(b"%PDF")
