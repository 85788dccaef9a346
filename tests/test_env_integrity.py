"""A database constraint hit through Env is a field error in the user's language; nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from addons.masterdata.models import Product, ProductLine
from addons.masterdata.tests.helpers import build_org
from core.errors import ValidationError
from core.i18n import use_lang
from core.testing import make_env, tixi_db  # noqa: F401


def test_duplicate_code_on_create_and_write(tixi_db):  # noqa: F811
    tixi_db.install("masterdata", companies=["acme", "other"])
    ids = build_org(tixi_db)
    other = build_org(tixi_db, company="other")
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, ids["root"])
        line = env.create(ProductLine, {"code": "TWC", "name_zh": "三元催化"})
        env.create(Product, {"code": "P-1", "name_zh": "甲", "line_id": line.id})
        second = env.create(Product, {"code": "P-2", "name_zh": "乙", "line_id": line.id})
        s.commit()
        with pytest.raises(ValidationError) as err:
            env.create(Product, {"code": "P-1", "name_zh": "丙", "line_id": line.id})
        assert list(err.value.errors) == ["code"]
        with pytest.raises(ValidationError) as err, use_lang("en"):
            env.write(second, {"code": "P-1"})
        assert "already" in err.value.errors["code"]
        # the session is still usable and nothing changed
        assert s.scalar(select(func.count()).select_from(Product)) == 2
        assert second.code == "P-2"
        # the same code in another company is fine
        oenv = make_env(tixi_db, s, other["root"], "other")
        oline = oenv.create(ProductLine, {"code": "TWC", "name_zh": "三元催化"})
        oenv.create(Product, {"code": "P-1", "name_zh": "甲", "line_id": oline.id})
        s.commit()
