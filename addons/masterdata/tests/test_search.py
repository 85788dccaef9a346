"""The global search over masterdata (both engines): the index follows every change, pinyin
initials find Chinese names, and nobody finds what they may not read."""

from __future__ import annotations

from sqlalchemy import select

from addons.masterdata.models import Contact, Customer
from addons.masterdata.tests.helpers import build_org
from core import search
from core.models import SearchEntry, User
from core.testing import make_env, tixi_db  # noqa: F401
from core.testing.web import logged_in_client

PASSWORD = "secret-pass-1"


def _world(db):
    db.install("masterdata", companies=["acme", "other"])
    ids = build_org(db)
    emp = ids["employees"]
    with db.session() as s:
        root = make_env(db, s, ids["root"])
        faw = root.create(Customer, {"name_zh": "一汽解放汽车有限公司", "name_en": "FAW Jiefang", "city": "长春",
                                      "owner_id": emp["wangwei"]})
        root.create(Contact, {"customer_id": faw.id, "name": "刘工", "phone": "13900001111"})
        root.create(Customer, {"name_zh": "一汽大众", "owner_id": emp["sun"]})
        root.create(Customer, {"name_zh": "东风汽车", "owner_id": emp["zhao"]})
        ids["faw"] = faw.id
    return ids


def _titles(env, query, only=None):
    return {g.source.name: [h[0] for h in g.hits] for g in search.search(env, query, only=only)}


def test_index_follows_changes_and_pinyin_finds_names(tixi_db):  # noqa: F811
    ids = _world(tixi_db)
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, ids["root"])
        for q in ("一汽", "yq", "YIQI", "faw", "长春"):
            assert "一汽解放汽车有限公司" in _titles(env, q).get("masterdata.customer", []), q
        assert _titles(env, "yq")["masterdata.customer"] == ["一汽大众", "一汽解放汽车有限公司"]  # newest first
        # a contact is found by its customer's name too, and by phone
        assert _titles(env, "解放").get("masterdata.contact") == ["刘工"]
        assert _titles(env, "1390000").get("masterdata.contact") == ["刘工"]
        assert _titles(env, "%") == {}
        assert _titles(env, "   ") == {}
        assert _titles(env, "_")["masterdata.employee"] == ["李北", "张东"]  # li_north, zhang_east
        # a rename is indexed at the flush; the old name is no longer found
        faw = env.get(Customer, ids["faw"])
        env.write(faw, {"name_zh": "解放集团"})
        s.flush()
        assert "解放集团" in _titles(env, "jfjt").get("masterdata.customer", [])
        assert "masterdata.customer" not in _titles(env, "一汽解放")
        # a deleted record leaves the index
        dongfeng = s.scalar(select(Customer).where(Customer.name_zh == "东风汽车"))
        env.delete(dongfeng)
        s.flush()
        assert _titles(env, "df") == {}
        assert not s.scalar(select(SearchEntry.id).where(SearchEntry.source == "masterdata.customer",
                                                         SearchEntry.res_id == dongfeng.id))


def test_search_reads_through_the_rules_and_the_company(tixi_db):  # noqa: F811
    ids = _world(tixi_db)
    other = build_org(tixi_db, company="other")
    with tixi_db.session() as s:
        make_env(tixi_db, s, other["root"], "other").create(Customer, {"name_zh": "一汽物流"})
    with tixi_db.session() as s:
        wang = make_env(tixi_db, s, ids["users"]["wangwei"])
        assert _titles(wang, "yq") == {"masterdata.customer": ["一汽解放汽车有限公司"],
                                       "masterdata.contact": ["刘工"]}
        sun = make_env(tixi_db, s, ids["users"]["sun"])
        assert _titles(sun, "yq")["masterdata.customer"] == ["一汽大众"]
        assert "masterdata.contact" not in _titles(sun, "yq")
        director = make_env(tixi_db, s, ids["users"]["director"])
        assert "一汽物流" not in _titles(director, "yq")["masterdata.customer"]  # another company's


def test_reindex_and_bulk_index_after_import(tixi_db):  # noqa: F811
    ids = _world(tixi_db)
    with tixi_db.session() as s:
        s.execute(SearchEntry.__table__.delete())
        done = search.reindex(s, tixi_db.registry)
        assert done["masterdata.customer"] == 3
        assert done["masterdata.contact"] == 1
        env = make_env(tixi_db, s, ids["root"])
        assert "一汽解放汽车有限公司" in _titles(env, "yqjf")["masterdata.customer"]
        s.commit()
    # the customer import writes in bulk, past the ORM: it indexes what it inserted
    from addons.masterdata.importer import import_file
    from addons.masterdata.tests.test_import import HEADER, good_rows, xlsx

    with tixi_db.session() as s:
        ops = make_env(tixi_db, s, ids["users"]["ops"])
        res = import_file(ops, "customers", xlsx([HEADER, ["昆明贵研新材料", *good_rows(1)[0][1:]]]), "c.xlsx")
        assert len(res.ids) == 1, res
        s.commit()
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, ids["root"])
        assert _titles(env, "kmgy")["masterdata.customer"] == ["昆明贵研新材料"]


def test_search_page_in_chinese(tixi_db):  # noqa: F811
    ids = _world(tixi_db)
    from core.security.passwords import hash_password
    from core.web.app import create_app

    with tixi_db.session() as s:
        s.get(User, ids["users"]["wangwei"]).password_hash = hash_password(PASSWORD)
    app = create_app(registry=tixi_db.registry, test_config={"TESTING": True})
    c = logged_in_client(app, "wangwei", PASSWORD)
    home = c.get("/")
    assert 'id="global-search"' in home.text
    page = c.get("/search/?q=yq")
    assert page.status_code == 200
    assert "一汽解放汽车有限公司" in page.text
    assert "一汽大众" not in page.text
    assert f'href="/masterdata/customers/{ids["faw"]}"' in page.text
    assert "客户" in page.text
    assert "联系人" in page.text
    nothing = c.get("/search/?q=zzzz")
    assert "没有找到" in nothing.text
    assert c.get("/search/?q=yq&kind=pricing.quote").status_code == 200  # an unknown kind: everything
