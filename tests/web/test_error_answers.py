"""Error answers (issue 13, items 6 and 7): JSON with a stable code under /api/, the app's bilingual pages
elsewhere, never Werkzeug's English page; liveness and readiness probes."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from core.db import make_engine
from tests.web.conftest import add_item
from tests.web.test_api import _token

HUGE = "44625048812256826611977945088"


def test_api_errors_are_json_with_a_stable_code_and_a_translated_message(web_db, users):
    item = add_item(web_db, users["sales"], "Mine")
    api = web_db.app().test_client()
    headers = {"Authorization": f"Bearer {_token(web_db, 'sales')}"}
    cases = [
        ("post", "/api/webshop.item", {}, 422, "invalid"),  # a required value missing: no IntegrityError 500
        ("post", "/api/webshop.item", [1, 2], 422, "invalid"),
        ("post", "/api/webshop.item", {"name": ["not", "text"], "price": "1"}, 422, "invalid"),
        ("post", "/api/webshop.item", {"name": "x" * 5000, "price": "1"}, 422, "invalid"),
        ("post", "/api/webshop.item", {"name": "Big", "price": "1", "owner_id": int(HUGE)}, 422, "invalid"),
        ("get", f"/api/webshop.item/{HUGE}", None, 404, "not_found"),  # no OverflowError 500
        ("patch", f"/api/webshop.item/{HUGE}", {"name": "x"}, 404, "not_found"),
        ("get", f"/api/webshop.item?page={HUGE}", None, 422, "invalid"),
        ("get", "/api/webshop.item?page=10000000000", None, 422, "invalid"),
        ("get", "/api/no.such.model", None, 404, "not_found"),
        ("delete", f"/api/webshop.item/{item}", None, 405, "method_not_allowed"),
        ("patch", f"/api/webshop.item/{item}", {"version": "abc"}, 422, "invalid"),
    ]
    for method, url, body, status, code in cases:
        r = getattr(api, method)(url, headers=headers, json=body)
        assert r.status_code == status, (method, url, r.status_code, r.data[:300])
        data = r.get_json()
        assert data is not None, (url, r.data[:300])
        assert data["error"] == code, (url, r.data[:300])
        assert data["message"]
    r = api.post("/api/webshop.item", headers=headers, json=[1])
    assert r.get_json()["message"] == "请求内容必须是 JSON 对象。"  # the token user's language
    r = api.get("/api/webshop.item", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.get_json()["error"] == "unauthorized"


def test_413_is_the_apps_page_in_the_users_language(web_db):
    app = web_db.app(MAX_CONTENT_LENGTH=1000)
    client = app.test_client()
    r = client.post("/login", data={"login": "x", "password": "y" * 5000})
    assert r.status_code == 413
    assert "上传内容过大" in r.text
    assert "Request Entity Too Large" not in r.text
    r = client.post("/login", data={"login": "x", "password": "y" * 5000}, headers={"Accept-Language": "en"})
    assert "Upload too large" in r.text


def test_unexpected_error_is_a_bilingual_500_page_and_nothing_is_saved(web_db, users):
    from tests.web.conftest import login

    app = web_db.app(TIXI_ERROR_PAGES=True)

    def boom():
        raise RuntimeError("bug")

    app.add_url_rule("/boom", "boom", boom)
    client = app.test_client()
    login(client, "sales")
    r = client.get("/boom")
    assert r.status_code == 500
    assert "服务器错误" in r.text
    assert "Server error" in r.text
    assert "Internal Server Error" not in r.text


def test_database_down_gives_503_pages_readiness_fails_liveness_holds(web_db, users, tmp_path):
    from tests.web.conftest import login

    app = web_db.app(TIXI_ERROR_PAGES=True)
    client = app.test_client()
    login(client, "sales")
    assert client.get("/readyz").get_json() == {"status": "ok", "database": "ok"}
    registry = app.extensions["tixi_registry"]
    good_engine, good_session = registry.engine, registry.Session
    down = make_engine(f"sqlite:///{tmp_path}/missing/dir/db.sqlite")  # cannot be opened: like a stopped server
    registry.engine, registry.Session = down, sessionmaker(down, expire_on_commit=False)
    try:
        r = client.get("/items/")
        assert r.status_code == 503
        assert "暂时无法连接数据库" in r.text
        assert "The database cannot be reached" in r.text
        assert client.get("/healthz").status_code == 200  # liveness: the process is fine
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.get_json()["status"] == "unavailable"
    finally:
        registry.engine, registry.Session = good_engine, good_session
    assert client.get("/items/").status_code == 200  # recovery once the database is back
    assert client.get("/readyz").status_code == 200


def test_behind_tls_the_cookie_is_secure_and_hsts_is_sent(web_db):
    from tests.web.conftest import login

    app = web_db.app(SESSION_COOKIE_SECURE=True, TIXI_HSTS_SECONDS=31536000)
    client = app.test_client()
    r = login(client, "sales")
    assert "Secure" in r.headers.get("Set-Cookie", "")
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = web_db.app().test_client().get("/login")
    assert "Strict-Transport-Security" not in plain.headers  # off unless configured (plain http stays usable)
