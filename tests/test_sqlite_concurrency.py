"""SQLite, the embedded default, under concurrent users through the real server (issue 13, item 5).

Before: 40 parallel logins gave 37 x 500 and 19 of 20 stale saves a 500
instead of 409, all "database is locked" (a deferred transaction cannot take
the write lock once another connection wrote). ``core.db.make_engine`` now
starts every SQLite transaction with ``BEGIN IMMEDIATE`` and a busy timeout.
The test runs gunicorn with threads (one process, several connections, as a
small office would) against a SQLite file: 0 server errors, one winner per pair.
"""

from __future__ import annotations

import hashlib
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from core.config import Deployment
from core.models import ApiToken
from core.testing import TixiTestDB, make_env, make_user, new_database
from tests.kernel_helpers import gunicorn_serving

USERS = [f"office{i}" for i in range(8)]
PASSWORD = "secret-pass-1"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn (1 worker, 16 threads) serving a SQLite database with masterdata and 8 users."""
    from addons.masterdata.models import Customer

    url, drop = new_database("sqlite")
    db = TixiTestDB(url, Deployment(path=None))
    db.install("masterdata", companies=["acme"])
    ids = {login: make_user(db, login, ["core.group_director"], password=PASSWORD) for login in USERS}
    tokens = {}
    with db.session() as s:
        for login, uid in ids.items():
            tokens[login] = f"tok-{login}"
            s.add(ApiToken(user_id=uid, name="load", token_hash=hashlib.sha256(tokens[login].encode()).hexdigest()))
        env = make_env(db, s, ids[USERS[0]])
        customers = [env.create(Customer, {"name_zh": f"并发客户{i}"}).id for i in range(20)]
    db.dispose()
    try:
        with gunicorn_serving(url, tmp_path_factory.mktemp("gunicorn"), "-w", "1", "--threads", "16") as base:
            yield {"base": base, "tokens": tokens, "customers": customers}
    finally:
        drop()


def _login(base: str, login: str) -> int:
    s = requests.Session()
    page = s.get(base + "/login", timeout=60)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text).group(1)
    r = s.post(base + "/login", data={"login": login, "password": PASSWORD, "csrf_token": token},
               allow_redirects=False, timeout=60)
    if r.status_code in (302, 303):
        r = s.get(base + "/", timeout=60)  # the first page of the session (a session touch: a write)
    return r.status_code


def test_40_parallel_logins_without_a_server_error(server):
    logins = [USERS[i % len(USERS)] for i in range(40)]
    with ThreadPoolExecutor(max_workers=40) as pool:
        codes = list(pool.map(lambda login: _login(server["base"], login), logins))
    assert codes.count(200) == 40, codes


def test_20_simultaneous_save_pairs_one_winner_each(server):
    base, tokens = server["base"], server["tokens"]
    pairs = server["customers"]
    barrier = threading.Barrier(len(pairs) * 2)

    def save(customer_id: int, who: str) -> int:
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        record = requests.get(f"{base}/api/masterdata.customer/{customer_id}", headers=headers, timeout=60).json()
        barrier.wait(timeout=60)
        r = requests.patch(f"{base}/api/masterdata.customer/{customer_id}", headers=headers, timeout=60,
                           json={"notes": f"saved by {who}", "version": record["version"]})
        return r.status_code

    jobs = [(cid, USERS[k]) for cid in pairs for k in (0, 1)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        codes = list(pool.map(lambda job: save(*job), jobs))
    assert all(c in (200, 409) for c in codes), codes
    for i in range(len(pairs)):
        assert sorted(codes[2 * i:2 * i + 2]) == [200, 409], (i, codes)
