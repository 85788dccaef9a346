"""The offline sync reads what a batch needs once (issue 15's performance), on SQLite and PostgreSQL:
each visit after the first costs a fixed handful of statements (the kernel's create: savepoint,
insert, rule check, audit, release), whatever the batch size; the batch's reads keep every check
of the one-by-one path: the customer's territory of the day, the radius flag from the known
location, a customer the salesperson may not read, a locked day, a photo, a duplicate key."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import event

from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["field_activity", "territories"])

KUNMING = (25.040000, 102.710000)
FAR = (25.060000, 102.740000)  # ~3.7 km away


def _entries(customers, day, n, **extra):
    return [{"key": uuid.uuid4().hex, "kind": "visit",
             "data": {"customer_id": customers[i % len(customers)], "visit_date": day.isoformat(),
                      "latitude": KUNMING[0], "longitude": KUNMING[1], **extra}} for i in range(n)]


def test_sync_statements_per_visit_and_checks_kept(tixi_world):  # noqa: F811
    world = tixi_world
    m = world.addon_module("field_activity", "models")
    svc = world.addon_module("field_activity", "services")
    md, fa, terr = world.factories.masterdata, world.factories.field_activity, world.factories.territories
    with world.session() as s:
        admin = world.env(s, "admin")
        sp = world.data["masterdata"]["acme"]["employees"]["salesperson"]
        seller = world.env(s, "salesperson")
        territory = world.data["territories"]["acme"]["territory"]
        mine = [md.customer(admin, name=f"客户{i}", owner=sp) for i in range(4)]
        for c in mine:
            terr.assign(admin, c, territory)
        fa.location(admin, mine[0], *KUNMING)
        theirs = md.customer(admin, name="别人的客户")
        today = svc.local_today(seller)
        yesterday = today - dt.timedelta(days=1)
        fa.daily_report(seller, report_date=yesterday.isoformat())  # yesterday is locked
        s.commit()
        ids = [c.id for c in mine]

        count = {"n": 0}

        def tick(*_a):
            count["n"] += 1

        engine = s.get_bind()
        event.listen(engine, "before_cursor_execute", tick)
        try:
            svc.sync(seller, _entries(ids, today, 1))
            base = count["n"]
            count["n"] = 0
            svc.sync(seller, _entries(ids, today, 21))
            many = count["n"]
        finally:
            event.remove(engine, "before_cursor_execute", tick)
        per_visit = (many - base) / 20
        assert per_visit <= 6, (base, many)  # was 13 per visit before the batch's reads
        visits = seller.search(m.Visit)
        assert len(visits) == 22
        assert {v.territory_id for v in visits} == {territory}  # the customer's territory of the day
        assert {v.flagged for v in visits} == {False}

        # the one-by-one checks, in one batch: far from the known location (flagged, not blocked),
        # a customer not readable, a locked day, a photo, a key sent twice in the batch
        key = uuid.uuid4().hex
        batch = [
            {"key": uuid.uuid4().hex, "kind": "visit", "data": {"customer_id": ids[0], "visit_date": today.isoformat(),
                                                                 "latitude": FAR[0], "longitude": FAR[1]}},
            {"key": uuid.uuid4().hex, "kind": "visit", "data": {"customer_id": theirs.id,
                                                                 "visit_date": today.isoformat()}},
            {"key": uuid.uuid4().hex, "kind": "visit", "data": {"customer_id": ids[1],
                                                                 "visit_date": yesterday.isoformat()}},
            {"key": key, "kind": "visit", "photo": fa.photo(), "data": {"customer_id": ids[2],
                                                                        "visit_date": today.isoformat()}},
            {"key": "x" * 65, "kind": "visit", "data": {"customer_id": "abc"}},
            {"key": uuid.uuid4().hex, "kind": "visit", "data": {"customer_id": 2**40, "visit_date": today.isoformat()}},
        ]
        answers = svc.sync(seller, batch)
        assert [a["status"] for a in answers] == ["created", "error", "conflict", "created", "error", "error"]
        far = seller.get(m.Visit, answers[0]["id"])
        assert far.flagged
        assert far.distance_m > 3000
        assert svc.visit_photos(seller, seller.get(m.Visit, answers[3]["id"]))
        again = svc.sync(seller, [batch[3], batch[0]])
        assert [a["status"] for a in again] == ["duplicate", "duplicate"]
        assert seller.count(m.Visit) == 24
