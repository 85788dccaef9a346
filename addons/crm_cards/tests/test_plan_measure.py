"""The per-person measures of key-account plan execution (issue 22's customer-development plan execution
rate = ``crm_cards.plan_actions_on_time`` / ``crm_cards.plan_actions_due``) on SQLite and PostgreSQL,
against a hand-computed fixture: per salesperson, territory and month; approved plans only; rules apply."""

from __future__ import annotations

import datetime as dt

import pytest

from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["crm_cards", "territories"])

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
PERIOD = (dt.date(2026, 10, 1), dt.date(2026, 11, 30))


def _emp(world, role, company="acme"):
    return world.data["masterdata"][company]["employees"][role]


def _plan(world, s, name, approve, actions):
    from addons.crm_cards.services import (
        add_action,
        complete_action,
        create_plan,
        decide_plan,
        screen_key_account,
        submit_plan,
    )

    admin, seller = world.env(s, "admin"), world.env(s, "salesperson")
    md = world.factories.masterdata
    customer = md.customer(admin, name=name, owner=_emp(world, "salesperson"))
    world.factories.territories.assign(admin, customer, world.data["territories"]["acme"]["territory"])
    screen_key_account(world.env(s, "director"), customer.id, 8, 8, status="key")
    plan = create_plan(seller, customer.id, 2026, {"strategy": "导入国七项目"})
    for due, done_on, owner in actions:
        act = add_action(seller, plan, {"text": f"行动 {due}", "due_date": due,
                                        "owner_id": _emp(world, owner) if owner else None})
        if done_on:
            complete_action(seller, act, on=done_on)
    if approve:
        submit_plan(seller, plan)
        decide_plan(world.env(s, "director"), plan, True)
    s.flush()
    return plan


def _by(rows, dim):
    return {(r[dim], r.period): r.value for r in rows}


def test_plan_execution_measures_per_person_territory_and_month(tixi_world):  # noqa: F811
    from core.measures import measure_value

    world = tixi_world
    with world.session() as s:
        d = dt.date
        plan = _plan(world, s, "一汽解放", True, [
            (d(2026, 10, 10), d(2026, 10, 8), None),                   # on time (the plan's owner: salesperson)
            (d(2026, 10, 20), d(2026, 10, 25), None),                  # late
            (d(2026, 10, 31), None, None),                             # not done
            (d(2026, 11, 5), d(2026, 11, 5), "territory_manager"),     # on time, the manager's
            (d(2026, 11, 15), None, "salesperson"),                    # not done
            (d(2026, 12, 10), d(2026, 12, 1), None),                   # outside the period
        ])
        assert plan.state == "approved"
        _plan(world, s, "东风商用车", False, [(d(2026, 10, 12), d(2026, 10, 1), None)])  # a draft: not counted
        director, seller = world.env(s, "director"), world.env(s, "salesperson")
        sp, tm = _emp(world, "salesperson"), _emp(world, "territory_manager")

        for env in (director, seller):
            due = _by(measure_value(env, "crm_cards.plan_actions_due", period=PERIOD, group_by=["salesperson"],
                                    grain="month", labels=False), "salesperson")
            on_time = _by(measure_value(env, "crm_cards.plan_actions_on_time", period=PERIOD,
                                        group_by=["salesperson"], grain="month", labels=False), "salesperson")
            assert due == {(sp, OCT): 3, (sp, NOV): 1, (tm, NOV): 1}
            assert on_time == {(sp, OCT): 1, (tm, NOV): 1}
        # per territory (the customer's current one)
        terr = world.data["territories"]["acme"]["territory"]
        due = _by(measure_value(director, "crm_cards.plan_actions_due", period=PERIOD, group_by=["territory"],
                                grain="month", labels=False), "territory")
        assert due == {(terr, OCT): 3, (terr, NOV): 2}
        (row,) = measure_value(director, "crm_cards.plan_actions_on_time", period=PERIOD,
                               filters={"territory": [terr], "salesperson": [sp]})
        assert row.value == 1
        # labels for a scorecard; the other company sees none of it
        (label_row,) = [r for r in measure_value(director, "crm_cards.plan_actions_due", period=(OCT, d(2026, 10, 31)),
                                                 group_by=["salesperson"]) if r["salesperson"] == sp]
        assert label_row.value == 3
        assert label_row.label("salesperson")
        (other,) = measure_value(world.env(s, "director", "other"), "crm_cards.plan_actions_due", period=PERIOD)
        assert other.value == 0
