"""Locust scenario of ``tixi bench load``: salespeople and managers browsing Tixi.

Configured through environment variables written by :mod:`bench.load`:

* ``BENCH_MODE``: ``tixi`` (log in, then browse) or ``floor`` (one bare page).
* ``BENCH_USERS``: JSON list of ``[login, password, kind]`` (kind ``sales`` or
  ``manager``); 80 % of simulated users are salespeople, 20 % managers.
* ``BENCH_PAGES``: JSON ``{"home": "/", "list": "/customers/" or null,
  "detail": "/customers/{id}" or null, "ids": {login: [customer ids]}}``.

Every user waits 0-0.1 s between requests (close to a closed loop: the
benchmark looks for the server's limit, not for a realistic think time).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

MODE = os.environ.get("BENCH_MODE", "tixi")
USERS = json.loads(os.environ.get("BENCH_USERS", "[]"))
PAGES = json.loads(os.environ.get("BENCH_PAGES", "{}"))
_sales = [u for u in USERS if u[2] == "sales"] or USERS
_managers = [u for u in USERS if u[2] == "manager"] or USERS
_counter = itertools.count()
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Browser(HttpUser):
    """One person: logs in once, then opens the list, its pages, details and the home page."""

    wait_time = between(0, 0.1)

    def on_start(self) -> None:
        """Log in (the Tixi scenario); the floor scenario has no login."""
        self.ids: list[int] = []
        if MODE != "tixi":
            return
        n = next(_counter)
        pool = _managers if n % 5 == 4 else _sales
        login, password, _kind = pool[n % len(pool)]
        page = self.client.get("/login", name="login")
        m = _CSRF.search(page.text)
        self.client.post("/login", data={"login": login, "password": password, "csrf_token": m.group(1) if m else ""},
                         name="login")
        self.ids = PAGES.get("ids", {}).get(login, [])

    @task(3)
    def customer_list(self) -> None:
        """First page of the customer list (the floor: its one SQL query)."""
        if MODE != "tixi":
            self.client.get("/", name="floor")
            return
        self.client.get(PAGES.get("list") or PAGES.get("home", "/"), name="list")

    @task(1)
    def customer_list_page2(self) -> None:
        """Second page (or the home page when there is no list page)."""
        if MODE != "tixi":
            self.client.get("/", name="floor")
            return
        if PAGES.get("list"):
            self.client.get(PAGES["list"] + "?page=2", name="list page 2")
        else:
            self.client.get(PAGES.get("home", "/"), name="home")

    @task(2)
    def customer_detail(self) -> None:
        """A customer the user may see."""
        if MODE != "tixi":
            self.client.get("/", name="floor")
            return
        if PAGES.get("detail") and self.ids:
            self.client.get(PAGES["detail"].format(id=random.choice(self.ids)), name="detail")
        else:
            self.client.get(PAGES.get("home", "/"), name="home")

    @task(1)
    def home(self) -> None:
        """The home page (dashboard widgets)."""
        if MODE != "tixi":
            self.client.get("/", name="floor")
            return
        self.client.get(PAGES.get("home", "/"), name="home")
