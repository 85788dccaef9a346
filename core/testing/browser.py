"""Browser-test helpers: Playwright driving Debian's Chromium, and a WSGI server.

Playwright's own browser downloads are never used (no `playwright install`):
we launch the distribution's ``/usr/bin/chromium`` (Debian package
``chromium``, installed by ``bash scripts/setup.sh test``) headless.

Typical use::

    from playwright.sync_api import sync_playwright
    from core.testing.browser import launch_browser, serve_wsgi

    base_url, stop = serve_wsgi(app)
    try:
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page()
            page.goto(base_url + "/login")
            ...
            browser.close()
    finally:
        stop()
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "launch_browser", "serve_wsgi"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI; Chromium's sandbox refuses root
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch_browser(playwright, **kwargs):
    """Launch headless Debian Chromium through a Playwright instance.

    ``playwright`` is what ``sync_playwright()`` yields (``async_playwright()``
    works too; then await the result). Extra keyword arguments go to
    ``chromium.launch`` (e.g. ``slow_mo=200``).
    """
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(
            f"{CHROMIUM} not found: browser tests use Debian's Chromium "
            "(apt-get install chromium, or run `bash scripts/setup.sh test`). "
            "Do not use `playwright install`."
        )
    options = {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS), "headless": True}
    options.update(kwargs)
    return playwright.chromium.launch(**options)


def serve_wsgi(app) -> tuple[str, Callable[[], None]]:
    """Serve a WSGI app on 127.0.0.1 (free port) in a daemon thread.

    Returns ``(base_url, stop)``; ``base_url`` has no trailing slash and
    ``stop()`` shuts the server down (safe to call twice).
    """
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="tixi-test-wsgi", daemon=True)
    thread.start()
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    return f"http://127.0.0.1:{server.server_port}", stop


def browser_login(page: Any, base_url: str, login: str, password: str = "secret-pass-1") -> None:
    """Log in through the real login form and wait for the home page."""
    page.goto(base_url + "/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(base_url + "/")


#: a phone in Chinese: the viewport every "375 px" browser test uses
PHONE_ZH = {"locale": "zh-CN", "viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


def phone_page(browser: Any, problems: list[str], timeout: int = 15000) -> tuple[Any, Any]:
    """A new context and page on a 375 px phone in Chinese; page script errors go to ``problems``."""
    ctx = browser.new_context(**PHONE_ZH)
    page = ctx.new_page()
    page.set_default_timeout(timeout)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return ctx, page
