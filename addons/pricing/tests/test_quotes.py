"""Quotes: authority and approval, sending, versions, reactions, restricted cost, rights by territory."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from addons.pricing.tests.helpers import DAY, D, env_of
from core.errors import AccessDenied, ValidationError


def test_out_of_band_quote_needs_the_right_approver(world):
    from addons.pricing import services as svc
    from addons.pricing.models import Quote, QuoteLine
    from addons.pricing.workflows import QUOTE_WORKFLOW
    from core.security import approvals

    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        # floor of TWC-1 is 934.80; 4% below it needs the territory manager (band 5%)
        price = (D("934.80") * D("0.96")).quantize(D("0.01"))
        quote = svc.create_quote(rep, ids["faw"], [
            {"product_id": ids["p1"], "quantity": D("100"), "unit_price": price},
            {"product_id": ids["p2"], "quantity": D("10")},
        ], quote_date=DAY)
        assert quote.state == "draft"
        assert quote.number == "Q2026-0001"
        assert quote.max_deviation_pct == D("4.00")
        assert quote.required_group == "core.group_territory_manager"
        lines = svc.lines_of(rep, quote)
        assert lines[1].unit_price == D("744.00")
        assert lines[1].deviation_pct == 0
        assert quote.amount_total == D("89741.00") + D("7440.00")
        # the rep sees the band, not the cost
        assert "cost" not in rep.visible_fields(QuoteLine)
        assert "floor_price" in rep.visible_fields(QuoteLine)
        with pytest.raises(AccessDenied):
            rep.write(lines[0], {"cost": D("1")})
        assert svc.submit_quote(rep, quote) == "waiting"
        with pytest.raises(ValidationError):
            svc.send_quote(rep, quote)
        quote_id = quote.id
    with db.session() as s:
        # another territory's manager cannot even see it
        other = env_of(db, s, ids, "li_north")
        with pytest.raises(AccessDenied):
            other.get(Quote, quote_id)
        manager = env_of(db, s, ids, "zhang_east")
        quote = manager.get(Quote, quote_id)
        line = svc.lines_of(manager, quote)[0]
        assert line.cost == D("820.0000")
        assert line.margin_pct is not None
        assert svc.approve_quote(manager, quote, "客户战略重要, 同意") == "approved"
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        quote = rep.get(Quote, quote_id)
        assert svc.send_quote(rep, quote) == "sent"
        # the approval is audited: who, the comment, the deviation
        director = env_of(db, s, ids, "director")
        entries = [e for e in director.history(Quote, quote_id) if e.action == "transition"]
        approve = next(e for e in entries if "approved" in e.changes and "waiting" in e.changes)
        assert approve.user_id == ids["users"]["zhang_east"]
        assert "同意" in approve.changes
        assert "4.00" in approve.changes
        events = approvals.history(director, QUOTE_WORKFLOW, quote)
        assert [e.transition for e in events] == ["submit", "approve", "send"]


def test_authority_limits_and_requester(world):
    from addons.pricing import services as svc

    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        # 8% below the floor: beyond the territory manager (5%), within the Director (10%)
        price = (D("934.80") * D("0.92")).quantize(D("0.01"))
        quote = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("1"), "unit_price": price}], quote_date=DAY)
        assert quote.required_group == "core.group_director"
        svc.submit_quote(rep, quote)
        manager = env_of(db, s, ids, "zhang_east")
        with pytest.raises(AccessDenied, match="core.group_director|营销总监|Marketing Director"):
            svc.approve_quote(manager, quote)
        with pytest.raises(AccessDenied):
            approvals_rep = svc.approve_quote(rep, quote)  # noqa: F841 - a rep has no authority
        director = env_of(db, s, ids, "director")
        assert svc.approve_quote(director, quote, "ok") == "approved"
        # inside the band: confirmed at once, no approver needed
        q2 = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("1")}], quote_date=DAY)
        assert svc.submit_quote(rep, q2) == "approved"
        # a manager quoting 4% below the floor himself is inside his own band
        q3 = svc.create_quote(manager, ids["faw"], [{"product_id": ids["p1"], "quantity": D("1"), "unit_price": D("900")}], quote_date=DAY)
        assert svc.submit_quote(manager, q3) == "approved"
        # but he cannot approve his own request beyond his band
        q4 = svc.create_quote(manager, ids["faw"], [{"product_id": ids["p1"], "quantity": D("1"), "unit_price": D("800")}], quote_date=DAY)
        assert svc.submit_quote(manager, q4) == "waiting"
        with pytest.raises(AccessDenied):
            svc.approve_quote(manager, q4)


def test_versions_reactions_and_competitor_prices(world):
    from addons.pricing import services as svc
    from addons.pricing.models import CompetitorPrice, PriceReaction

    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        q1 = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("10")}], quote_date=DAY)
        svc.submit_quote(rep, q1)
        svc.send_quote(rep, q1)
        reaction = svc.record_reaction(rep, q1, "countered", counter_price=D("950"), note="客户还价")
        assert reaction.counter_price == D("950")
        assert q1.state == "sent"
        with pytest.raises(ValidationError):
            svc.record_reaction(rep, q1, "countered", counter_price=D("0"))
        q2 = svc.revise_quote(rep, q1, {ids["p1"]: D("960")}, quote_date=DAY)
        assert (q2.number, q2.revision, q2.previous_id, q2.root_id) == (q1.number, 2, q1.id, q1.id)
        assert q2.display_number == "Q2026-0001-R2"
        assert q1.state == "superseded"
        assert svc.lines_of(rep, q1)[0].unit_price == D("984.00")
        assert svc.lines_of(rep, q2)[0].unit_price == D("960.00")
        assert [q.revision for q in svc.versions(rep, q2)] == [1, 2]
        svc.submit_quote(rep, q2)
        svc.send_quote(rep, q2)
        svc.record_reaction(rep, q2, "lost", competitor="庄信万丰", competitor_price=D("930"), note="价格")
        assert (q2.state, q2.lost_to, q2.lost_price) == ("lost", "庄信万丰", D("930"))
        latest = svc.latest_competitor_prices(rep, ids["faw"], [ids["p1"]])
        assert latest[ids["p1"]].competitor == "庄信万丰"
        assert latest[ids["p1"]].price == D("930")
        assert rep.count(PriceReaction) == 2
        assert rep.count(CompetitorPrice) == 1
        with pytest.raises(ValidationError):
            svc.record_competitor_price(rep, ids["p1"], "BASF", D("-3"))
        # validity passed: open quotes expire, closed ones stay
        q3 = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p2"], "quantity": D("1")}], quote_date=DAY)
        svc.submit_quote(rep, q3)
        assert svc.expire_quotes(rep, q3.valid_until + dt.timedelta(days=1)) == 1
        assert (q3.state, q2.state) == ("expired", "lost")


def test_bid_needs_go_first_and_rights_by_territory(world):
    from addons.pricing import services as svc
    from addons.pricing.models import Quote

    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        bid = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("1000")}], kind="bid", quote_date=DAY)
        with pytest.raises(ValidationError):
            svc.submit_quote(rep, bid)
        svc.request_bid(rep, bid)
        with pytest.raises(AccessDenied):
            svc.decide_bid(rep, bid, True)
        manager = env_of(db, s, ids, "zhang_east")
        assert svc.decide_bid(manager, bid, True, "投") == "go"
        assert svc.submit_quote(rep, bid) == "approved"
        # 孙立 (华北) cannot quote for 一汽 (华东) nor see its quotes
        sun = env_of(db, s, ids, "sun")
        with pytest.raises(AccessDenied):
            svc.create_quote(sun, ids["faw"], [{"product_id": ids["p1"], "quantity": D("1")}], quote_date=DAY)
        assert sun.count(Quote) == 0
        svc.create_quote(sun, ids["baic"], [{"product_id": ids["p1"], "quantity": D("1")}], quote_date=DAY)
        assert env_of(db, s, ids, "li_north").count(Quote) == 1
        assert manager.count(Quote) == 1
        assert env_of(db, s, ids, "director").count(Quote) == 2
        assert isinstance(bid.amount_total, Decimal)


def test_the_kernel_keeps_state_and_bid_decision_in_step(world):
    """A transition fired straight through the kernel (as a generic page does) moves the columns too."""
    from addons.pricing import services as svc
    from addons.pricing.models import Quote
    from addons.pricing.workflows import BID_WORKFLOW, QUOTE_WORKFLOW
    from core.security import approvals

    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        bid = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("10")}], kind="bid", quote_date=DAY)
        approvals.fire(rep, BID_WORKFLOW, bid, "request")
        assert bid.bid_decision == "requested"
        assert bid.state == "draft"  # the quote's own workflow has not moved
        quote = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("10")}], quote_date=DAY)
        approvals.fire(rep, QUOTE_WORKFLOW, quote, "confirm")
        quote_id = quote.id
        s.commit()
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        assert rep.get(Quote, quote_id).state == "approved"
        # one audit row for the transition, no second "update" row for a hand-mirrored state
        entries = rep.history(Quote, quote_id)
        assert [e.action for e in entries].count("transition") == 1
        assert not [e for e in entries if e.action == "update" and '"state"' in str(e.changes)]
