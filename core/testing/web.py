"""Web test helpers for the kernel's and addons' page tests (Flask test client, Chromium)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of a rendered page (fails the test when the page has none)."""
    m = CSRF_RE.search(html)
    assert m, "no CSRF token in page"
    return m.group(1)


def logged_in_client(app: Any, login: str, password: str = "secret-pass-1") -> Any:
    """A Flask test client logged in through the real login form."""
    client = app.test_client()
    page = client.get("/login")
    r = client.post("/login", data={"login": login, "password": password, "csrf_token": csrf_token(page.text)})
    assert r.status_code in (302, 303), r.text[:500]
    return client


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from core.testing.browser import launch_browser

    with sync_playwright() as pw:
        b = launch_browser(pw)
        try:
            yield b
        finally:
            b.close()
