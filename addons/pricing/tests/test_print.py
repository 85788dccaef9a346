"""The printed quote (报价单, core/pdf.py): a real PDF with every line, the Decimal totals and the
terms, Chinese in an embedded Noto CJK font, the letterhead; refused (403) for a reader outside
the quote's rules; the print view in the browser is the same template."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from addons.pricing.tests.helpers import DAY, D, env_of, world_database
from core.errors import AccessDenied
from core.testing import TixiTestDB
from core.testing.web import logged_in_client as client_for


def _quote(env: Any, ids: dict[str, Any]) -> Any:
    from addons.pricing import services as svc

    return svc.create_quote(env, ids["faw"], [
        {"product_id": ids["p1"], "quantity": D("100"), "unit_price": D("1000.50")},
        {"product_id": ids["p2"], "quantity": D("3"), "unit_price": D("800")},
    ], quote_date=DAY, note="含税价，运费由供方承担")


def test_quote_pdf_lines_totals_font_and_rules(world):
    from addons.pricing.views import quote_print_context
    from core.pdf import pdf_font_names, render_document, render_pdf, rendered_text

    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        quote = _quote(rep, ids)
        ctx = quote_print_context(rep, quote)
        assert ctx["totals"]["amount_value"] == Decimal(quote.amount_total) == D("102450.00")
        assert ctx["totals"]["amount"] == "102,450.00"
        assert [r["unit_price"] for r in ctx["rows"]] == ["1,000.50", "800.00"]
        data = render_pdf(rep, "pricing/print_quote.html", quote, **ctx)
        assert data.startswith(b"%PDF-")
        assert any("Noto" in f and "CJK" in f for f in pdf_font_names(data)), pdf_font_names(data)
        text = rendered_text(render_document(rep, "pricing/print_quote.html", quote, **ctx))
        for needle in ("一汽", "三元催化剂1", "三元催化剂2", "102,450.00", "1,000.50", quote.display_number,
                       "含税价，运费由供方承担", "报价", "第 1 页，共 1 页"):
            assert needle in text, needle
        # the letterhead: the company's names in both languages
        from core.models import Company

        company = s.get(Company, rep.company_id)
        assert company.name_zh in text
        # a salesperson of another territory cannot print it, even holding the record
        other = env_of(db, s, ids, "sun")
        with pytest.raises(AccessDenied):
            render_pdf(other, "pricing/print_quote.html", quote, **ctx)


@pytest.fixture
def web() -> Iterator[tuple[TixiTestDB, dict[str, Any], Any]]:
    """(db, ids, app) on SQLite, with the pricing world."""
    from core.web.app import create_app

    url, drop, ids = world_database("sqlite")
    db = TixiTestDB(url)
    app = create_app(registry=db.registry, test_config={"TESTING": True})
    try:
        yield db, ids, app
    finally:
        db.dispose()
        drop()


def test_quote_print_routes(web):
    db, ids, app = web
    with db.session() as s:
        qid = _quote(env_of(db, s, ids, "wangwei"), ids).id
    rep = client_for(app, "wangwei")
    page = rep.get(f"/pricing/quotes/{qid}")
    assert f'href="/pricing/quotes/{qid}/print.pdf"' in page.text
    view = rep.get(f"/pricing/quotes/{qid}/print")
    assert view.status_code == 200
    assert "一汽" in view.text
    assert "102,450.00" in view.text
    assert 'id="print-pdf"' in view.text
    assert "javascript:" not in view.text  # the CSP allows no inline script
    back = rep.get(f"/pricing/quotes/{qid}/print", headers={"Referer": f"http://localhost/pricing/quotes/{qid}"})
    assert f'href="http://localhost/pricing/quotes/{qid}"' in back.text
    away = rep.get(f"/pricing/quotes/{qid}/print", headers={"Referer": "https://evil.example/x"})
    assert "evil.example" not in away.text
    pdf = rep.get(f"/pricing/quotes/{qid}/print.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    # another territory's salesperson: refused, no PDF
    other = client_for(app, "sun")
    for url in (f"/pricing/quotes/{qid}/print.pdf", f"/pricing/quotes/{qid}/print"):
        r = other.get(url)
        assert r.status_code == 403
        assert not r.data.startswith(b"%PDF")
