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
import time
from typing import Any

from locust import HttpUser, LoadTestShape, between, events, task

MODE = os.environ.get("BENCH_MODE", "tixi")
USERS = json.loads(os.environ.get("BENCH_USERS", "[]"))
PAGES = json.loads(os.environ.get("BENCH_PAGES", "{}"))
_sales = [u for u in USERS if u[2] == "sales"] or USERS
_managers = [u for u in USERS if u[2] == "manager"] or USERS
_counter = itertools.count()
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
STEPS = [int(x) for x in os.environ.get("BENCH_STEPS", "").split(",") if x.strip()]
STEP_SECONDS = float(os.environ.get("BENCH_STEP_SECONDS", "15"))
OUT = os.environ.get("BENCH_OUT")
RECORDS: list[tuple[float, str, float, bool]] = []


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response_length: int,
            exception: Any = None, **_kw: Any) -> None:
    """Keep every request (end time, name, ms, failed) for per-step statistics."""
    RECORDS.append((time.time(), name, response_time, exception is not None))


@events.quitting.add_listener
def _dump(**_kw: Any) -> None:
    if OUT:
        with open(OUT, "w", encoding="utf-8") as fh:
            json.dump(RECORDS, fh)


if STEPS:

    class Steps(LoadTestShape):
        """``BENCH_STEPS`` users, ``BENCH_STEP_SECONDS`` each; users stay logged in between steps."""

        def tick(self) -> tuple[int, float] | None:
            i = int(self.get_run_time() // STEP_SECONDS)
            if i >= len(STEPS):
                return None
            return STEPS[i], float(STEPS[i])


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
        with self.client.post("/login", data={"login": login, "password": password,
                                               "csrf_token": m.group(1) if m else ""},
                              name="login", allow_redirects=False, catch_response=True) as resp:
            if resp.status_code in (302, 303):
                resp.success()
            else:
                resp.failure(f"login refused: HTTP {resp.status_code}")
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
