"""PostgreSQL goes away under load: the app keeps answering, and nothing is half-written.

A private PostgreSQL server (its own cluster, so stopping it touches no other
test) serves masterdata to the app run by gunicorn with two worker processes
(as in production), driven over HTTP by four client threads at once. The clients read pages and
update customers through the API while the server is stopped for 10 s and
started again. Every request must be answered within ``ANSWER_WITHIN`` seconds
(none hangs), every failed request must get the app's bilingual 503 (JSON
``unavailable`` on the API), the load must recover within 5 s of the restart,
and every customer's version must match its audit rows (no write half-applied).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time

import pytest
import requests
from sqlalchemy import func, select

from core.config import Deployment
from core.models import ApiToken, AuditEntry
from core.testing import TixiTestDB, make_env, make_user
from core.testing.pgserver import create_database, private_server
from tests.kernel_helpers import gunicorn_serving

PASSWORD = "fault-pass-1"
DOWN_AFTER, DOWN_FOR, RUN_FOR = 4.0, 10.0, 24.0
ANSWER_WITHIN = 15.0  # a client gives up after this: a request that takes longer hangs




@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A private PostgreSQL, masterdata with 8 customers, gunicorn -w 2 in front of it."""
    from addons.masterdata.models import Customer

    pg = private_server()
    url = create_database(pg.url, "fault")
    db = TixiTestDB(url, Deployment(path=None))
    db.lifecycle.install([])  # the kernel
    db.install("masterdata", companies=["acme"])
    uid = make_user(db, "director", ["core.group_director"], password=PASSWORD)
    with db.session() as s:
        s.add(ApiToken(user_id=uid, name="load", token_hash=hashlib.sha256(b"tok-fault").hexdigest()))
        env = make_env(db, s, uid)
        customers = [env.create(Customer, {"name_zh": f"故障客户{i}"}).id for i in range(8)]
    db.dispose()
    try:
        with gunicorn_serving(url, tmp_path_factory.mktemp("gunicorn_fault"), "-w", "2") as base:
            yield {"base": base, "pg": pg, "url": url, "customers": customers}
    finally:
        pg.stop()


def _page_client(base: str) -> requests.Session:
    s = requests.Session()
    page = s.get(base + "/login", timeout=ANSWER_WITHIN)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    r = s.post(base + "/login", data={"login": "director", "password": PASSWORD, "csrf_token": token},
               allow_redirects=False, timeout=ANSWER_WITHIN)
    assert r.status_code == 302
    return s


def test_database_outage_gets_503s_recovers_fast_and_half_writes_nothing(served):
    base, customers = served["base"], served["customers"]
    api = {"Authorization": "Bearer tok-fault"}
    log: list[tuple[float, str, int, str]] = []  # (time, kind, status, body start)
    patched: dict[int, int] = dict.fromkeys(customers, 0)  # successful updates seen by the client
    lock = threading.Lock()
    page_clients = [_page_client(base) for _ in range(2)]  # logged in before the clock starts
    start = time.monotonic()
    stop_at = start + RUN_FOR

    def note(kind: str, status: int, body: str) -> None:
        with lock:
            log.append((time.monotonic() - start, kind, status, body[:600]))

    def writer(mine: list[int]) -> None:
        s = requests.Session()
        i = 0
        while time.monotonic() < stop_at:
            cid = mine[i % len(mine)]
            i += 1
            try:
                r = s.get(f"{base}/api/masterdata.customer/{cid}", headers=api, timeout=ANSWER_WITHIN)
                if r.status_code != 200:
                    note("api-read", r.status_code, r.text)
                    time.sleep(0.2)
                    continue
                version = r.json()["version"]
                r = s.patch(f"{base}/api/masterdata.customer/{cid}", headers=api, timeout=ANSWER_WITHIN,
                            json={"notes": f"写入 {i}", "version": version})
                note("api-write", r.status_code, r.text)
                if r.status_code == 200:
                    with lock:
                        patched[cid] += 1
            except Exception as exc:  # noqa: BLE001 - an answer must come back whatever failed
                note("api-write", 0, repr(exc))
                time.sleep(0.2)

    def reader(s: requests.Session) -> None:
        while time.monotonic() < stop_at:
            try:
                r = s.get(f"{base}/masterdata/customers/", timeout=ANSWER_WITHIN)
                note("page", r.status_code, r.text)
            except Exception as exc:  # noqa: BLE001 - an answer must come back whatever failed
                note("page", 0, repr(exc))
            time.sleep(0.05)

    threads = [threading.Thread(target=writer, args=(customers[k::2],)) for k in range(2)]
    threads += [threading.Thread(target=reader, args=(c,)) for c in page_clients]
    for t in threads:
        t.start()
    time.sleep(DOWN_AFTER)
    served["pg"].halt()
    down = time.monotonic() - start
    time.sleep(DOWN_FOR)
    served["pg"].resume()
    up = time.monotonic() - start
    for t in threads:
        t.join(60)

    assert [entry for entry in log if entry[2] == 0] == [], f"every request answered within {ANSWER_WITHIN} s"
    failed = [entry for entry in log if entry[2] != 200]
    assert failed, "the outage was seen"
    for _at, kind, status, body in failed:
        assert status == 503, (kind, status, body)
        if kind == "page":
            assert "Service unavailable" in body
            assert "服务" in body  # both languages on the one page
            assert "Internal Server Error" not in body
        else:
            assert '"unavailable"' in body
    assert all(at >= down - 0.5 for at, *_ in failed)
    recovered = [at for at, _kind, status, _body in log if status == 200 and at > up]
    assert recovered, "requests succeed again after the restart"
    assert min(recovered) - up <= 5
    assert all(status == 200 for at, _k, status, _b in log if at > up + 5)
    assert sum(1 for e in log if e[1] == "page" and e[2] == 200 and e[0] < down) >= 2  # pages worked before

    from addons.masterdata.models import Customer

    db = TixiTestDB(served["url"], Deployment(path=None))
    try:
        with db.session() as s:
            for cid in customers:
                version = s.get(Customer, cid).version
                updates = s.scalar(select(func.count()).select_from(AuditEntry).where(
                    AuditEntry.model == "masterdata_customer", AuditEntry.res_id == cid,
                    AuditEntry.action == "update"))
                assert version - 1 == updates, f"customer {cid}: version {version}, {updates} audit rows"
                assert patched[cid] <= updates  # a write answered 200 is kept
    finally:
        db.dispose()
