"""crm_cards' archive register with files (core.attachments): a document of a customer's
archive carries its scans and photos; they follow the customer's visibility.
On SQLite and PostgreSQL through the Flask test client; the phone browser test
is in test_browser_attachments.py."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from addons.crm_cards.models import CustomerDocument
from addons.crm_cards.tests.helpers import PASSWORD, crm_database
from core import attachments
from core.models import User
from core.testing import ENGINES, TixiTestDB, make_env
from core.testing.web import csrf_token, logged_in_client


def scan() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 90), "white").save(out, "JPEG")
    return out.getvalue()


def archive(db: TixiTestDB, ids: dict[str, Any]) -> int:
    """A contract registered in 上汽's archive by its salesperson 王伟; returns the document id."""
    with db.session() as s:
        from core.security.passwords import hash_password

        s.get(User, ids["users"]["sun"]).password_hash = hash_password(PASSWORD)
        wang = make_env(db, s, ids["users"]["wangwei"])
        doc = wang.create(CustomerDocument, {"customer_id": ids["c"]["sh"], "title": "年度供货合同",
                                             "kind": "contract", "doc_date": dt.date(2026, 3, 1)})
        return doc.id


@pytest.fixture(params=ENGINES)
def web(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[TixiTestDB, dict[str, Any], Any]]:
    from core.web.app import create_app

    url, drop, ids = crm_database(request.param)
    db = TixiTestDB(url)
    db.registry.files_path = tmp_path / "files"
    app = create_app(registry=db.registry, test_config={"TESTING": True})
    try:
        yield db, ids, app
    finally:
        db.dispose()
        drop()


def test_archive_document_files_follow_the_customer(web):
    db, ids, app = web
    doc = archive(db, ids)
    wang = logged_in_client(app, "wangwei")
    page = wang.get(f"/crm/documents/{doc}")
    assert page.status_code == 200
    assert 'id="attachment-upload"' in page.text
    r = wang.post(f"/attachments/upload/crm_cards_document/{doc}",
                  data={"file": (io.BytesIO(scan()), "合同扫描.jpg"), "csrf_token": csrf_token(page.text),
                        "next": f"/crm/documents/{doc}"}, content_type="multipart/form-data")
    assert r.status_code == 302
    with db.session() as s:
        env = make_env(db, s, ids["users"]["wangwei"])
        (att,) = attachments.list_attachments(env, env.get(CustomerDocument, doc))
    profile = wang.get(f"/crm/customers/{ids['c']['sh']}").text
    assert f"/attachments/{att.id}/thumb" in profile  # the archive register shows the file
    assert wang.get(f"/attachments/{att.id}").status_code == 200
    # 孙立 sells in 北京: neither the document page nor its file, whatever id he tries
    sun = logged_in_client(app, "sun")
    assert sun.get(f"/crm/documents/{doc}").status_code == 403
    assert sun.get(f"/attachments/{att.id}").status_code == 403
    assert sun.get(f"/attachments/{att.id}/thumb").status_code == 403
    with db.session() as s:
        env = make_env(db, s, ids["users"]["sun"])
        with pytest.raises(Exception, match="not accessible"):
            attachments.open_attachment(env, att.id)
        assert attachments.attachments_of(env, CustomerDocument, [doc]) == {}
    # the territory manager of 华东 reads it
    east = logged_in_client(app, "zhang_east")
    assert east.get(f"/attachments/{att.id}").status_code == 200
