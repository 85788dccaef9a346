"""An addon adds an editable field to another addon's generic form (``FormExtension``).

``webextra`` (tests/web/addons/webextra) adds a packing note, stored in its own
table ``webextra_note``, to webshop's item form. Territory managers may write
notes, salespeople only read them; company ``beta`` has webshop without webextra.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tests.web.conftest import add_item, csrf_token, login

FIELD = "webextra__note"


def _client(db, who):
    c = db.app().test_client()
    assert login(c, who).status_code == 302
    return c


def _notes(db) -> dict[int, str]:
    from webextra.models import Note

    with db.session() as s:
        return {n.item_id: n.text for n in s.scalars(select(Note))}


def _items(db, name: str) -> list[int]:
    from webshop.models import Item

    with db.session() as s:
        return list(s.scalars(select(Item.id).where(Item.name == name)))


def _version(db, item: int) -> int:
    from webshop.models import Item

    with db.session() as s:
        return s.get(Item, item).version


def _field_errors(html: str) -> list[str]:
    return [part.split(">", 1)[1].split("</div>", 1)[0]
            for part in html.split(f'data-error-for="{FIELD}"')[1:]]


def _base(token: str, **values: str) -> dict[str, str]:
    return {"csrf_token": token, "name": "Crate", "price": "10", "status": "draft", **values}


def test_create_and_edit_save_the_item_and_its_note(extra_db):
    manager = _client(extra_db, "manager")
    page = manager.get("/items/new")
    assert f'name="{FIELD}"' in page.text
    assert "装箱备注" in page.text
    token = csrf_token(page.text)
    r = manager.post("/items/new", data=_base(token, **{FIELD: "  Fragile "}))
    assert r.status_code == 302, r.text
    item = int(r.headers["Location"].rsplit("/", 1)[1])
    assert _notes(extra_db) == {item: "Fragile"}
    detail = manager.get(f"/items/{item}").text
    assert 'data-field="webextra.note">Fragile</dd>' in detail
    edit = manager.get(f"/items/{item}/edit").text
    assert f'id="{FIELD}" maxlength="40" name="{FIELD}" type="text" value="Fragile"' in edit
    r = manager.post(f"/items/{item}/edit", data=_base(token, name="Crate II", version=str(_version(extra_db, item)),
                                                       **{FIELD: "Handle with care"}))
    assert r.status_code == 302, r.text
    assert _items(extra_db, "Crate II") == [item]
    assert _notes(extra_db) == {item: "Handle with care"}
    # saving the item without touching the note leaves the note alone; a blank note removes it
    r = manager.post(f"/items/{item}/edit", data=_base(token, name="Crate III", version=str(_version(extra_db, item)),
                                                       **{FIELD: "Handle with care"}))
    assert r.status_code == 302
    assert _notes(extra_db) == {item: "Handle with care"}
    r = manager.post(f"/items/{item}/edit", data=_base(token, version=str(_version(extra_db, item)), **{FIELD: ""}))
    assert r.status_code == 302
    assert _notes(extra_db) == {}


def test_an_invalid_note_refuses_the_whole_save(extra_db):
    manager = _client(extra_db, "manager")
    token = csrf_token(manager.get("/items/new").text)
    r = manager.post("/items/new", data=_base(token, name="Shouted", **{FIELD: "!Urgent"}))
    assert r.status_code == 422
    assert _field_errors(r.text) == ["装箱备注不能以感叹号开头。"]  # on the note's field, in Chinese
    assert _items(extra_db, "Shouted") == []  # the item was created, then rolled back with the note
    assert _notes(extra_db) == {}
    # the extension's own WTForms validators run with the main form's
    r = manager.post("/items/new", data=_base(token, name="Long", **{FIELD: "x" * 41}))
    assert r.status_code == 422
    assert _field_errors(r.text) == ["最多 40 个字符。"]
    assert _items(extra_db, "Long") == []
    # validate() sees the record with the submitted values: a free item's note must say why
    r = manager.post("/items/new", data=_base(token, name="Gift", price="0", **{FIELD: "Ribbon"}))
    assert r.status_code == 422
    assert _field_errors(r.text) == ["免费物品的备注必须说明免费原因。"]
    assert _items(extra_db, "Gift") == []
    r = manager.post("/items/new", data=_base(token, name="Gift", price="0", **{FIELD: "Free sample"}))
    assert r.status_code == 302
    # on edit, neither the item's new values nor the note are written
    item = add_item(extra_db, extra_db.users["sales"], "Kept")
    r = manager.post(f"/items/{item}/edit", data=_base(token, name="Renamed", version=str(_version(extra_db, item)),
                                                       **{FIELD: "!No"}))
    assert r.status_code == 422
    assert _field_errors(r.text) == ["装箱备注不能以感叹号开头。"]
    assert _items(extra_db, "Kept") == [item]
    assert item not in _notes(extra_db)
    en = manager.post("/items/new", data=_base(token, name="Shouted", **{FIELD: "!Urgent"}),
                      headers={"Accept-Language": "en"})
    assert _field_errors(en.text) == ["A packing note cannot start with an exclamation mark."]


def test_a_main_field_error_writes_no_note(extra_db):
    manager = _client(extra_db, "manager")
    add_item(extra_db, extra_db.users["sales2"], "Taken", code="C-1")
    token = csrf_token(manager.get("/items/new").text)
    r = manager.post("/items/new", data=_base(token, name="Clash", code="C-1", **{FIELD: "Fragile"}))
    assert r.status_code == 422
    assert "已有其他记录使用此编码" in r.text
    assert _notes(extra_db) == {}
    r = manager.post("/items/new", data=_base(token, name="Bad price", price="abc", **{FIELD: "Fragile"}))
    assert r.status_code == 422
    assert "不是有效的小数" in r.text
    assert _items(extra_db, "Bad price") == []
    assert _notes(extra_db) == {}
    assert 'value="Fragile"' in r.text  # the typed note comes back with the form


def test_a_company_without_webextra_sees_no_note(extra_db):
    beta = _client(extra_db, "beta_manager")
    page = beta.get("/items/new")
    assert page.status_code == 200
    assert FIELD not in page.text
    assert "装箱备注" not in page.text
    r = beta.post("/items/new", data=_base(csrf_token(page.text), name="Beta crate", **{FIELD: "Posted anyway"}))
    assert r.status_code == 302, r.text
    assert _notes(extra_db) == {}
    assert "装箱备注" not in beta.get(r.headers["Location"]).text


def test_a_user_who_may_only_read_notes_sees_the_note_read_only(extra_db):
    """Salespeople have read, not write, on webextra_note: the field is shown disabled and never saved."""
    manager = _client(extra_db, "manager")
    sales = _client(extra_db, "sales")
    item = add_item(extra_db, extra_db.users["sales"], "Shared", price=Decimal("5"))
    token = csrf_token(manager.get("/items/new").text)
    r = manager.post(f"/items/{item}/edit", data=_base(token, name="Shared", version=str(_version(extra_db, item)),
                                                       owner_id=str(extra_db.users["sales"]), **{FIELD: "Fragile"}))
    assert r.status_code == 302
    edit = sales.get(f"/items/{item}/edit").text
    assert f'data-readonly="1" disabled id="{FIELD}" name="{FIELD}" type="text" value="Fragile"' in edit
    assert 'data-field="webextra.note">Fragile</dd>' in sales.get(f"/items/{item}").text
    token = csrf_token(edit)
    r = sales.post(f"/items/{item}/edit", data=_base(token, name="Shared II", version=str(_version(extra_db, item)),
                                                     owner_id=str(extra_db.users["sales"]), **{FIELD: "Changed"}))
    assert r.status_code == 302, r.text
    assert _items(extra_db, "Shared II") == [item]  # the item's own fields are saved
    assert _notes(extra_db) == {item: "Fragile"}  # the note is not
    r = sales.post("/items/new", data=_base(token, name="Sales crate", owner_id=str(extra_db.users["sales"]),
                                            **{FIELD: "Mine"}))
    assert r.status_code == 302
    assert _notes(extra_db) == {item: "Fragile"}


def test_a_save_refused_by_the_extension_rolls_back_the_item(extra_db, monkeypatch):
    """A ValidationError raised while saving the note (e.g. its own UNIQUE) lands on the note's field."""
    import webextra

    from core.errors import ValidationError

    def refuse(env, item, value):
        raise ValidationError("refused", {"text": "备注已被占用。"})

    monkeypatch.setattr(webextra, "save_note", refuse)
    manager = _client(extra_db, "manager")
    token = csrf_token(manager.get("/items/new").text)
    r = manager.post("/items/new", data=_base(token, name="Refused", **{FIELD: "Fragile"}))
    assert r.status_code == 422
    assert _field_errors(r.text) == ["备注已被占用。"]
    assert _items(extra_db, "Refused") == []
    assert _notes(extra_db) == {}
