"""The demo data installs with masterdata's, territories' and pricing's, is consistent (open amounts =
delivered - returned - allocated), and new documents continue the numbers without gaps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from core.testing import make_env, tixi_db  # noqa: F401


def test_demo_orders_are_consistent(tixi_db):  # noqa: F811
    from addons.masterdata.models import Customer, Employee
    from addons.orders import services as svc
    from addons.orders.models import Allocation, Collection, Contract, Delivery
    from core.models import User

    # speed is measured in bench.py, not here: a shared machine makes a timed install flaky
    tixi_db.install("masterdata", "territories", "pricing", "orders", companies=["guiyan"], demo=True)
    with tixi_db.session() as s:
        booked = Delivery.state.in_(("shipped", "confirmed"))
        delivered = s.scalar(select(func.sum(Delivery.amount_total)).where(booked))
        allocated = s.scalar(select(func.sum(Allocation.amount)))
        open_ = s.scalar(select(func.sum(Delivery.open_amount)).where(booked))
        assert open_ == delivered - allocated
        assert open_ > 0
        assert s.scalar(select(func.count()).select_from(Delivery).where(Delivery.is_return)) > 0
        assert s.scalar(select(func.count()).select_from(Collection).where(Collection.state == "sales_confirmed")) > 0
        assert s.scalar(select(func.min(Contract.contract_date))) < dt.date(2025, 3, 1)
        assert all(c.territory_id is not None for c in s.scalars(select(Contract).limit(20)))
        uid = s.scalar(select(User.id).where(User.login == "wangwei"))
        env = make_env(tixi_db, s, uid, "guiyan")
        emp = s.scalar(select(Employee).where(Employee.user_id == uid))
        mine = env.search(Contract)
        assert mine
        assert all(c.salesperson_id == emp.id or env.sudo().get(Customer, c.customer_id).owner_id == emp.id
                            for c in mine)
        from core.measures import measure_value, total

        year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        assert total(measure_value(env, "orders.sales_amount", period=year)) > Decimal("0")
        last = s.scalar(select(func.max(Contract.number)).where(Contract.number.like("HT2026-%")))
        c = svc.create_contract(env, mine[0].customer_id, [{"product_id": mine[0].lines[0].product_id,
                                                           "quantity": "1", "unit_price": "100"}],
                                contract_date=dt.date(2026, 12, 1))
        assert int(c.number.rsplit("-", 1)[1]) == int(last.rsplit("-", 1)[1]) + 1
