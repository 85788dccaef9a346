"""Validation: credit code checksum (GB 32100-2015), Decimal amounts, choices; create/update."""

from __future__ import annotations

from decimal import Decimal

import pytest

from addons.masterdata.models import CUSTOMER_STATUS, Customer, Employee
from addons.masterdata.services import create_customer, update_customer
from addons.masterdata.tests.helpers import build_org
from addons.masterdata.validation import (
    check_credit_code,
    credit_code_check_char,
    make_credit_code,
    parse_choice,
    parse_money,
)
from core.errors import ValidationError
from core.i18n import translate, use_lang
from core.testing import make_env, tixi_db  # noqa: F401

# Published codes of well-known companies (Huawei, Tencent, Xiaomi, Alibaba).
REAL_CODES = ["914403001922038216", "91440300708461136T", "91110108551385082Q", "91330100716105852F"]


def test_credit_code_checksum():
    for code in REAL_CODES:
        assert credit_code_check_char(code[:17]) == code[17], code
        assert check_credit_code(code) is None
    bad = REAL_CODES[0][:17] + ("A" if REAL_CODES[0][17] != "A" else "B")
    assert "check digit" in check_credit_code(bad)[0]
    assert check_credit_code("9111000010000058") is not None  # too short
    assert check_credit_code("91110000I0000058OB") is not None  # I and O are not allowed
    assert check_credit_code(make_credit_code("91530100MA6K00001")) is None


def test_money_is_decimal():
    assert parse_money("1,234.50") == (Decimal("1234.50"), None)
    assert parse_money(0.1)[0] == Decimal("0.10")
    assert isinstance(parse_money("3")[0], Decimal)
    for bad in ("abc", "-5", "1.234", "NaN"):
        assert parse_money(bad)[1] is not None, bad
    assert parse_choice(CUSTOMER_STATUS, "活跃") == ("active", None)
    assert parse_choice(CUSTOMER_STATUS, "Dormant") == ("dormant", None)
    assert parse_choice(CUSTOMER_STATUS, "不存在")[1] is not None


def test_translations_exist():
    msg = "The customer name is required."
    assert translate(msg, "zh_CN") != msg
    assert translate(msg, "en") == msg


def test_choice_labels_come_from_the_catalog():
    """The same words as the former inline dicts, in both languages, through core.i18n."""
    from addons.masterdata.models import CONTACT_ROLE, POSITION, SETTLEMENT_METHOD

    assert CUSTOMER_STATUS.choices("zh_CN") == [("prospect", "潜在"), ("active", "活跃"), ("dormant", "休眠"), ("lost", "流失")]
    assert CUSTOMER_STATUS.choices("en") == [("prospect", "Prospect"), ("active", "Active"), ("dormant", "Dormant"), ("lost", "Lost")]
    assert SETTLEMENT_METHOD.label("acceptance", "zh_CN") == "承兑汇票"
    assert POSITION.label("territory_manager", "en") == "Territory Manager"
    with use_lang("en"):
        assert str(CONTACT_ROLE["decision_maker"]) == "Decision maker"
    with use_lang("zh_CN"):
        assert str(CONTACT_ROLE["decision_maker"]) == "决策者"
    # the one path for any selection (Choices or a stored dict of labels)
    from core.i18n import choice_label, current_lang, normalise

    assert choice_label(CONTACT_ROLE, "finance") == "财务"
    assert choice_label(CONTACT_ROLE, "finance", "en") == "Finance"
    assert choice_label(CONTACT_ROLE, "nope") == "nope"
    assert choice_label(CONTACT_ROLE, None) == ""
    assert POSITION.choices("en")[0] == ("director", "Marketing Director")
    assert normalise("en-US") == "en"
    assert current_lang(None) == "zh_CN"


def test_create_and_update_validated(tixi_db):  # noqa: F811
    tixi_db.install("masterdata", companies=["acme"])
    ids = build_org(tixi_db)
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, ids["users"]["wangwei"])
        c = create_customer(env, {"name_zh": "一汽", "credit_code": REAL_CODES[0].lower(), "credit_limit": "500000"})
        assert c.owner_id == ids["employees"]["wangwei"]  # defaults to me
        assert c.credit_code == REAL_CODES[0]
        assert c.credit_limit == Decimal("500000.00")
        with pytest.raises(ValidationError) as info:
            create_customer(env, {"name_zh": "", "credit_code": "123", "credit_limit": "-1"})
        assert set(info.value.errors) == {"name_zh", "credit_code", "credit_limit"}
        assert "统一社会信用代码" in info.value.errors["credit_code"]  # user's language: zh_CN
        with pytest.raises(ValidationError) as info:
            create_customer(env, {"name_zh": "一汽"})
        assert "name_zh" in info.value.errors
        with pytest.raises(ValidationError) as info:
            create_customer(env, {"name_zh": "另一个", "credit_code": REAL_CODES[0]})
        assert "credit_code" in info.value.errors
        update_customer(env, c, {"credit_limit": "750000.5", "status": "活跃"})
        assert c.credit_limit == Decimal("750000.50")
        assert c.status == "active"
        hist = env.history(Customer, c.id)
        assert any("credit_limit" in h.changes for h in hist)


def test_duplicates_are_found_across_owners_the_user_cannot_see(tixi_db):  # noqa: F811
    """The uniqueness check reads past the rules (env.sudo()); the user's own reads do not."""
    tixi_db.install("masterdata", companies=["acme"])
    ids = build_org(tixi_db)
    with tixi_db.session() as s:
        wang = make_env(tixi_db, s, ids["users"]["wangwei"])
        create_customer(wang, {"name_zh": "一汽", "credit_code": REAL_CODES[1]})
        sun = make_env(tixi_db, s, ids["users"]["sun"])  # another team: cannot read 一汽
        assert sun.count(Customer) == 0
        with pytest.raises(ValidationError) as info:
            create_customer(sun, {"name_zh": "一汽"})
        assert "name_zh" in info.value.errors
        with pytest.raises(ValidationError) as info:
            create_customer(sun, {"name_zh": "一汽集团", "credit_code": REAL_CODES[1]})
        assert "一汽" in info.value.errors["credit_code"]


def test_display_speaks_the_current_language(tixi_db):  # noqa: F811
    tixi_db.install("masterdata", companies=["acme"])
    ids = build_org(tixi_db)
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, ids["root"])
        emp = env.get(Employee, ids["employees"]["wangwei"])
        assert emp.display() == "王伟"  # outside a request: Chinese, the product's default
        with use_lang("en"):
            assert emp.display() == "wangwei"
        assert emp.display("en") == "wangwei"
        c = create_customer(env, {"name_zh": "一汽"})
        with use_lang("en"):
            assert c.display() == "一汽"  # no English name: the Chinese one
