"""Take the documentation's phone screenshots from a demo instance (Debian's chromium, 375 px, Chinese).

    python3 -m core.cli --instance /tmp/demo init --demo --admin-password x
    python3 scripts/screenshots.py /tmp/demo            # writes docs/screenshots/*.png

The director's home page (dashboard and to-dos) and a salesperson's new quote
with the band shown while drafting, then the created quote's lines as cards.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEMO_PASSWORD = "tixi-demo-1"


def main(instance_dir: str) -> None:
    """Serve the instance, log in as the demo director and salesperson, save the screenshots."""
    from playwright.sync_api import sync_playwright
    from sqlalchemy import select

    from core.cli import _registry_for
    from core.config import Instance
    from core.testing.browser import browser_login, launch_browser, serve_wsgi
    from core.web.app import create_app

    registry = _registry_for(Instance.resolve(instance_dir))
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    base_url, stop = serve_wsgi(create_app(registry=registry))
    from addons.masterdata.models import Customer, Employee, Product
    from core.models import User

    with registry.Session() as s:
        owner = s.scalar(select(Employee.id).join(User, User.id == Employee.user_id).where(User.login == "wangwei"))
        customer = s.scalar(select(Customer.id).where(Customer.owner_id == owner).order_by(Customer.id).limit(1))
        product = s.scalar(select(Product.id).order_by(Product.id).limit(1))
    try:
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            phone = {"locale": "zh-CN", "viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
            ctx = browser.new_context(**phone)
            page = ctx.new_page()
            browser_login(page, base_url, "liu_director", DEMO_PASSWORD)
            page.goto(base_url + "/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / "director_home_phone.png"), full_page=True)
            ctx.close()
            # the English navigation bar stays one row at 1280 px (menus that do not fit go into "More")
            ctx = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
            page = ctx.new_page()
            browser_login(page, base_url, "liu_director", DEMO_PASSWORD)
            page.click('button[data-lang="en"]')
            page.wait_for_load_state("networkidle")
            height = page.evaluate("document.querySelector('nav.navbar').getBoundingClientRect().height")
            assert height < 80, f"the English navigation bar takes {height} px at 1280 px"
            page.screenshot(path=str(out / "director_home_en_1280.png"))
            page.click('button[data-lang="zh_CN"]')
            ctx.close()
            ctx = browser.new_context(**phone)
            page = ctx.new_page()
            browser_login(page, base_url, "wangwei", DEMO_PASSWORD)
            page.goto(base_url + "/pricing/quotes/create")
            page.select_option("#customer_id", str(customer))
            page.select_option("#product_0", str(product))
            page.fill("#quantity_0", "100")
            page.wait_for_selector("#band_0:not(:empty)")
            page.screenshot(path=str(out / "quote_draft_phone.png"), full_page=True)
            page.click("#create-quote")
            page.wait_for_selector("#quote-lines")
            page.screenshot(path=str(out / "quote_phone.png"), full_page=True)
            ctx.close()
            browser.close()
    finally:
        stop()
    for png in sorted(out.glob("*.png")):
        print(png.relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "instance")
