"""Exactly-once submits (core.web.once): create forms carry a one-time token, the API an Idempotency-Key.

Two identical POSTs of a create form used to create two records. Runs on
SQLite and PostgreSQL; the concurrent case sends both at the same moment
through two threads.
"""

from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from tests.web.conftest import csrf_token, login
from tests.web.test_api import _token


def _client(db, who: str):
    c = db.app().test_client()
    login(c, who)
    return c


def _count(db, name: str) -> int:
    from webshop.models import Item

    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Item).where(Item.name == name))


def _form(page: str, **values: str) -> dict[str, str]:
    once = re.search(r'name="_once" value="([^"]+)"', page)
    assert once, "the create form carries a one-time token"
    return {"csrf_token": csrf_token(page), "_once": once.group(1), "price": "3.00", "status": "draft", **values}


def test_the_same_create_form_sent_twice_creates_one_record(web_db_both, users):
    db = web_db_both
    sales = _client(db, "sales")
    data = _form(sales.get("/items/new").text, name="Pump", owner_id=str(users["sales"]))
    first = sales.post("/items/new", data=data)
    assert first.status_code == 302
    again = sales.post("/items/new", data=data)
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(db, "Pump") == 1
    assert "已提交过" in sales.get(again.headers["Location"]).text  # says so on the page it lands on
    # a form that failed validation keeps its token usable: the corrected form saves once
    page = sales.get("/items/new").text
    bad = _form(page, name="Valve", price="abc", owner_id=str(users["sales"]))
    assert sales.post("/items/new", data=bad).status_code == 422
    good = {**bad, "price": "4.00"}
    assert sales.post("/items/new", data=good).status_code == 302
    assert sales.post("/items/new", data=good).status_code == 303
    assert _count(db, "Valve") == 1
    # a fresh render gives a fresh token: a second, deliberate record is possible
    assert sales.post("/items/new", data=_form(sales.get("/items/new").text, name="Pump",
                                               owner_id=str(users["sales"]))).status_code == 302
    assert _count(db, "Pump") == 2


def test_simultaneous_double_submit_creates_one_record(web_db_both, users):
    db = web_db_both
    app = db.app()
    clients = [app.test_client() for _ in range(2)]
    for c in clients:
        login(c, "sales")
    page = clients[0].get("/items/new").text
    data = _form(page, name="Twin", owner_id=str(users["sales"]))
    data2 = {**data, "csrf_token": csrf_token(clients[1].get("/items/new").text)}
    gate = threading.Barrier(2)
    codes: list[int] = []

    def send(c, d) -> None:  # noqa: ANN001
        gate.wait()
        codes.append(c.post("/items/new", data=d).status_code)

    threads = [threading.Thread(target=send, args=(c, d)) for c, d in zip(clients, (data, data2), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [302, 303]
    assert _count(db, "Twin") == 1


def test_api_idempotency_key_replays_the_first_answer(web_db_both, users):
    db = web_db_both
    api = db.app().test_client()
    headers = {"Authorization": f"Bearer {_token(db, 'sales')}", "Idempotency-Key": "sync-42"}
    body = {"name": "Queued", "price": "2.50", "owner_id": users["sales"]}
    first = api.post("/api/webshop.item", headers=headers, json=body)
    assert first.status_code == 201
    again = api.post("/api/webshop.item", headers=headers, json=body)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert _count(db, "Queued") == 1
    other = api.post("/api/webshop.item", headers=headers, json={**body, "name": "Different"})
    assert other.status_code == 422
    assert other.get_json()["error"] == "idempotency_key_reused"
    assert _count(db, "Different") == 0
    # a failed call leaves no key behind: the corrected retry with the same key is processed
    retry = {**headers, "Idempotency-Key": "sync-43"}
    assert api.post("/api/webshop.item", headers=retry, json={**body, "price": "abc"}).status_code == 422
    assert api.post("/api/webshop.item", headers=retry, json={**body, "name": "Later"}).status_code == 201
    assert _count(db, "Later") == 1
    # keys are per user: another user's same key is their own
    other_user = {"Authorization": f"Bearer {_token(db, 'sales2')}", "Idempotency-Key": "sync-42"}
    assert api.post("/api/webshop.item", headers=other_user,
                    json={**body, "owner_id": users["sales2"]}).status_code == 201
    assert _count(db, "Queued") == 2
