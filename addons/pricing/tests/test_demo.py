"""The demo data installs (with masterdata's and territories') and prices a demo quote."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.testing import make_env, tixi_db  # noqa: F401


def test_demo_data_prices_a_quote(tixi_db):  # noqa: F811
    from addons.masterdata.models import Customer, Employee, Product
    from addons.pricing import services as svc
    from core.models import User

    tixi_db.install("masterdata", "territories", "pricing", companies=["guiyan"], demo=True)
    with tixi_db.session() as s:
        uid = s.scalar(select(User.id).where(User.login == "wangwei"))
        env = make_env(tixi_db, s, uid, "guiyan")
        emp = s.scalar(select(Employee).where(Employee.user_id == uid))
        customer = env.search(Customer, Customer.owner_id == emp.id, limit=1)[0]
        product = s.scalar(select(Product).where(Product.code == "TWC-CC-101"))
        band = svc.band_for(env, customer.id, product.id, dt.date(2026, 11, 20))
        assert band.floor < band.target
        quote = svc.create_quote(env, customer.id, [{"product_id": product.id, "quantity": "50"}],
                                 quote_date=dt.date(2026, 11, 20))
        assert svc.submit_quote(env, quote) == "approved"
