"""Call order of ``tixi_record_event``: every validation before any reaction, whatever the load order.

pluggy calls the last registered implementation first, and the registry
registers addons in dependency order, so without markers territories'
``auto_assign`` ran before masterdata's validation of the same customer save.
Validation hooks are ``tryfirst``, reactions ``trylast``; every implementation
in the project's addons says which it is.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from core.errors import ValidationError
from core.plugins import make_plugin_manager
from core.testing import make_env, make_user, tixi_db  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
VALIDATIONS = {("masterdata", "tixi_record_event"), ("pricing", "tixi_record_event"), ("crm_cards", "check_card_record"),
               ("territories", "check_owner_in_reach"), ("competency", "check_level"),
               ("orders", "check_orders"), ("field_activity", "check_locked_day")}
REACTIONS = {("territories", "tixi_record_event"), ("crm_cards", "tixi_record_event"), ("pricing", "keep_margin_summary"),
             ("brand_campaigns", "publish_toolkit_version"), ("brand_campaigns", "keep_purchase_summary")}


def _record_event_impls() -> dict[tuple[str, str], dict[str, bool]]:
    """``{(addon, function): hookimpl options}`` of every ``tixi_record_event`` implementation in addons/."""
    found = {}
    for path in sorted((ROOT / "addons").glob("*/__init__.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                opts = {}
                if isinstance(deco, ast.Call) and getattr(deco.func, "id", None) == "hookimpl":
                    opts = {k.arg: getattr(k.value, "value", None) for k in deco.keywords}
                elif not (isinstance(deco, ast.Name) and deco.id == "hookimpl"):
                    continue
                if (opts.get("specname") or node.name) == "tixi_record_event":
                    found[(path.parent.name, node.name)] = opts
    return found


def test_every_record_event_implementation_declares_its_order():
    impls = _record_event_impls()
    assert set(impls) == VALIDATIONS | REACTIONS, "a new tixi_record_event: say tryfirst (check) or trylast (reaction)"
    for key in VALIDATIONS:
        assert impls[key].get("tryfirst") is True, key
    for key in REACTIONS:
        assert impls[key].get("trylast") is True, key


def test_validations_are_called_before_reactions_in_any_registration_order():
    for order in (["masterdata", "territories", "crm_cards", "pricing", "competency", "orders", "field_activity",
                   "brand_campaigns"],
                  ["brand_campaigns", "field_activity", "orders", "competency", "pricing", "crm_cards", "territories",
                   "masterdata"]):
        pm = make_plugin_manager()
        for owner in ("masterdata", "crm_cards", "pricing", "competency"):
            pm.add_hookspecs(importlib.import_module(f"addons.{owner}.hookspecs"))
        for name in order:
            pm.register(importlib.import_module(f"addons.{name}"), name=name)
        called = [(i.plugin_name, i.function.__name__) for i in reversed(pm.hook.tixi_record_event.get_hookimpls())]
        n = len(VALIDATIONS)
        assert set(called[:n]) == VALIDATIONS, (order, called)
        assert set(called[n:]) == REACTIONS, (order, called)


def test_customer_save_validates_before_territory_assignment(tixi_db, monkeypatch):  # noqa: F811
    """Through ``Env.create``: masterdata's check runs first; a refused save never reaches auto_assign."""
    import addons.masterdata.services as md
    import addons.territories.services as terr
    from addons.masterdata.models import Customer

    tixi_db.install("masterdata", "territories", companies=["acme"])
    admin = make_user(tixi_db, "order_admin", ["core.group_admin"], is_admin=True)
    seen: list[str] = []
    check, assign = md.check_customer_record, terr.auto_assign

    def recording_check(*args, **kwargs):
        seen.append("masterdata: validate")
        return check(*args, **kwargs)

    def recording_assign(*args, **kwargs):
        seen.append("territories: auto_assign")
        return assign(*args, **kwargs)

    monkeypatch.setattr(md, "check_customer_record", recording_check)
    monkeypatch.setattr(terr, "auto_assign", recording_assign)
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, admin)
        env.create(Customer, {"name_zh": "顺序测试", "province": "上海"})
    assert seen == ["masterdata: validate", "territories: auto_assign"]
    seen.clear()
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, admin)
        with pytest.raises(ValidationError):
            env.create(Customer, {"name_zh": "负额度", "province": "上海", "credit_limit": -1})
    assert seen == ["masterdata: validate"]
