"""Record display names, foreign-key labels read through Env, audit history shown for people."""

from __future__ import annotations

import json

from core.i18n import use_lang
from core.testing import make_env
from core.web.generic import display_name, fk_label
from tests.web.conftest import add_item, login


def _client(db, who):
    c = db.app().test_client()
    assert login(c, who).status_code == 302
    return c


class _Named:
    id = 1

    def display(self) -> str:
        return "Pump station"


class _PerLanguage:
    id = 2

    def display(self, lang: str = "zh_CN") -> str:
        return {"zh_CN": "泵站", "en": "Pump station"}[lang]


class _Stringy:
    id = 3

    def __str__(self) -> str:
        return "Station #3 (north)"


class _Anonymous:
    id = 4


def test_display_name_uses_display_with_or_without_language_then_str():
    assert display_name(_Named()) == "Pump station"  # display() without lang: used, not "#1"
    with use_lang("en"):
        assert display_name(_PerLanguage()) == "Pump station"
    with use_lang("zh_CN"):
        assert display_name(_PerLanguage()) == "泵站"
    assert display_name(_PerLanguage(), "en") == "Pump station"
    assert display_name(_Stringy()) == "Station #3 (north)"
    assert display_name(_Anonymous()) == "#4"
    assert display_name(None) == ""


def test_foreign_key_labels_are_read_through_env(web_db, users):
    """A record the user cannot read is labelled "受限 #id" (restricted), its name never shown."""
    from flask import g
    from webshop.models import Item

    mine = add_item(web_db, users["sales"], "Mine")
    theirs = add_item(web_db, users["sales2"], "Secret name")
    app = web_db.app()
    with app.test_request_context("/"), web_db.session() as s:
        g.env = make_env(web_db, s, users["sales"])
        assert fk_label(Item, mine) == "Mine"
        assert fk_label(Item, theirs) == f"受限 #{theirs}"
    with app.test_request_context("/"), web_db.session() as s:
        g.env = make_env(web_db, s, users["manager"])  # the manager's rule covers every item
        assert fk_label(Item, theirs) == "Secret name"


def _audit(db, item: int, changes: dict, user: int) -> int:
    from core.models import AuditEntry

    with db.session() as s:
        entry = AuditEntry(company_id=db.company("acme"), model="webshop_item", res_id=item, action="update",
                           user_id=user, changes=json.dumps(changes))
        s.add(entry)
        s.flush()
        return entry.id


def test_history_shows_foreign_keys_by_name_choices_by_label(web_db, users):
    item = add_item(web_db, users["sales"], "Audited")
    hidden = add_item(web_db, users["sales2"], "Hidden parent")
    _audit(web_db, item, {"owner_id": [None, users["sales"]], "status": ["draft", "done"],
                          "parent_id": [None, hidden], "name": ["Old", "Audited"]}, users["sales"])
    _audit(web_db, item, {"owner_id": [users["outsider"], users["sales"]]}, users["sales"])
    text = _client(web_db, "sales").get(f"/items/{item}").text
    history = text.split('id="audit-history"')[1].split("</ul>\n  </div>")[0]
    assert "销售员: — → Sales</li>" in history  # not "None → 7"
    assert "状态: 草稿 → 完成" in history  # choice labels, field labels in the reader's language
    assert "客户名称: Old → Audited" in history
    assert f"上级物品: — → 受限 #{hidden}</li>" in history  # a record sales cannot read: no name
    assert "Hidden parent" not in history
    assert f"销售员: 受限 #{users['outsider']} → Sales</li>" in history  # a user of another company
    manager = _client(web_db, "manager").get(f"/items/{item}").text
    assert "上级物品: — → Hidden parent</li>" in manager
    en = _client(web_db, "sales").get(f"/items/{item}", headers={"Accept-Language": "en"}).text
    assert "Status: Draft → Done" in en


def test_audit_log_page_shows_foreign_keys_by_name(web_db, users):
    item = add_item(web_db, users["sales"], "Audited")
    entry = _audit(web_db, item, {"owner_id": [users["sales2"], users["sales"]], "status": ["draft", "done"]},
                   users["sales"])
    text = _client(web_db, "admin").get(f"/admin/audit/{entry}").text
    assert "<th>owner_id</th><td>Sales2</td><td>Sales</td>" in text
    assert "<th>status</th><td>草稿</td><td>完成</td>" in text


def test_list_detail_and_form_label_unreadable_targets_by_id(web_db, users):
    """A foreign key with a relationship (the item's owner) is labelled through Env too."""
    item = add_item(web_db, users["outsider"], "Foreign owner")  # owner: a user of another company only
    manager = _client(web_db, "manager")  # may read every item of acme, not users outside acme
    listing = manager.get("/items/").text
    row = listing.split("Foreign owner")[1].split("</tr>")[0]
    assert f"受限 #{users['outsider']}" in row
    assert "Outsider" not in listing
    detail = manager.get(f"/items/{item}").text
    assert f'data-field="owner_id">受限 #{users["outsider"]}</dd>' in detail
    edit = manager.get(f"/items/{item}/edit").text
    assert "Outsider" not in edit
    assert f"受限 #{users['outsider']}</option>" in edit
    add_item(web_db, users["sales2"], "Own owner")
    row = manager.get("/items/").text.split("Own owner")[1].split("</tr>")[0]
    assert '<td data-label="销售员">Sales2</td>' in row


def test_a_selection_of_choices_alone_gives_labelled_options():
    """``info={"selection": Choices(...)}`` without explicit view choices lists key and label."""
    from flask import Flask, g

    from addons.masterdata.models import Customer
    from core.i18n import use_lang
    from core.web.generic import ModelView

    view = ModelView("test.customer_choices", Customer, list_columns=["name_zh", "status"])
    app = Flask(__name__)
    with app.test_request_context("/"), use_lang("zh_CN"):
        g.env = None
        options = [(key, str(text)) for key, text in view._compute_choices("status")]
    assert options[:2] == [("prospect", "潜在"), ("active", "活跃")]
