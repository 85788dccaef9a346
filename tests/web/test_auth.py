"""Login, sessions, throttling, CSRF, headers and languages (Flask test client, SQLite)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from core.models import LoginAttempt, UserSession
from tests.web.conftest import csrf_token, login


def _cookie(client) -> str | None:
    c = client.get_cookie("tixi_session")
    return c.value if c else None


def test_login_logout_and_session_rows(web_db, users):
    app = web_db.app()
    client = app.test_client()
    assert client.get("/").status_code == 302  # login required
    before = _cookie(client)
    r = login(client, "sales")
    assert r.status_code == 302
    assert r.headers["Location"] == "/"
    after = _cookie(client)
    assert after
    assert after != before
    with web_db.session() as s:
        assert s.scalar(select(func.count()).select_from(UserSession)) == 1
    assert client.get("/").status_code == 200
    page = client.get("/")
    r = client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    assert r.status_code == 302
    with web_db.session() as s:
        assert s.scalar(select(func.count()).select_from(UserSession)) == 0
    # replaying the old cookie after logout does not work: the server-side session is gone
    other = app.test_client()
    other.set_cookie("tixi_session", after)
    assert other.get("/").status_code == 302


def test_new_session_id_at_each_login(web_db, users):
    app = web_db.app()
    c = app.test_client()
    login(c, "sales")
    with web_db.session() as s:
        first = set(s.scalars(select(UserSession.sid)))
    c2 = app.test_client()
    login(c2, "sales")
    with web_db.session() as s:
        second = set(s.scalars(select(UserSession.sid)))
    assert len(second) == 2
    assert first < second


def test_wrong_password_and_throttling(web_db, users):
    app = web_db.app(TIXI_LOGIN_MAX_FAILURES=3)
    c = app.test_client()
    for _ in range(3):
        r = login(c, "sales", "wrong-password")
        assert r.status_code == 401
    with web_db.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 3
    r = login(c, "sales")  # right password, but throttled
    assert r.status_code == 429
    assert _cookie(c) is None or c.get("/").status_code == 302
    # another login is not affected
    assert login(app.test_client(), "sales2").status_code == 302


def test_guessing_from_many_addresses_pauses_a_login_but_its_known_device_gets_in(web_db, users):
    app = web_db.app(TIXI_LOGIN_CEILING=4, TIXI_LOGIN_DELAY_SECONDS=30)
    phone = app.test_client()
    assert login(phone, "sales").status_code == 302  # the owner's phone: now a known device
    assert phone.get_cookie("tixi_device") is not None
    phone.post("/logout", data={"csrf_token": csrf_token(phone.get("/").text)})
    for i in range(4):  # four addresses, each under its own limit
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = f"198.51.100.{i}"
        assert login(attacker, "sales", "wrong-password").status_code == 401
    stranger = app.test_client()
    r = login(stranger, "sales")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "30"
    assert "30" in r.text
    assert login(phone, "sales").status_code == 302  # the known device is not paused
    forged = app.test_client()
    forged.set_cookie("tixi_device", "eyJkIjoieCIsImwiOltdfQ.forged.sig")
    assert login(forged, "sales").status_code == 429  # a cookie that is not ours counts for nothing


def test_idle_and_absolute_expiry(web_db, users):
    app = web_db.app()
    c = app.test_client()
    login(c, "sales")
    assert c.get("/").status_code == 200
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    with web_db.session() as s:
        s.execute(update(UserSession).values(last_seen=old))
    assert c.get("/").status_code == 302  # idle timeout (2 h)
    c = app.test_client()
    login(c, "sales")
    with web_db.session() as s:
        s.execute(update(UserSession).values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=13)))
    assert c.get("/").status_code == 302  # absolute timeout (12 h), although recently active


def test_disabling_user_ends_their_sessions(web_db, users):
    app = web_db.app()
    sales = app.test_client()
    login(sales, "sales")
    assert sales.get("/").status_code == 200
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get(f"/admin/users/{users['sales']}")
    assert page.status_code == 200
    r = admin.post(f"/admin/users/{users['sales']}/action/disable", data={"csrf_token": csrf_token(page.text)})
    assert r.status_code == 302
    with web_db.session() as s:
        assert s.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == users["sales"])) == 0
    assert sales.get("/").status_code == 302
    assert login(app.test_client(), "sales").status_code == 401


def test_csrf_refused(web_db, users):
    app = web_db.app()
    c = app.test_client()
    assert c.post("/login", data={"login": "sales", "password": "secret-pass-1"}).status_code == 400
    login(c, "sales")
    r = c.post("/items/new", data={"name": "x", "price": "1"})
    assert r.status_code == 400
    assert "表单已过期" in r.text or "expired" in r.text
    r = c.post("/logout")
    assert r.status_code == 400


def test_security_headers_and_cookie_flags(web_db, users):
    app = web_db.app(SESSION_COOKIE_SECURE=True)
    c = app.test_client()
    r = c.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"]
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
    assert "<script>" not in r.text  # no inline scripts


def test_vendor_allow_list(web_db, users):
    c = web_db.app().test_client()
    assert c.get("/static/vendor/bootstrap/bootstrap.min.css").status_code == 200
    assert c.get("/static/vendor/echarts/echarts.min.js").status_code == 200
    assert c.get("/static/vendor/bootstrap/package.json").status_code == 404
    assert c.get("/static/vendor/../package.json").status_code == 404


def test_language_default_browser_and_preference(web_db, users):
    app = web_db.app()
    c = app.test_client()
    assert "登录" in c.get("/login").text  # default zh_CN
    assert "Log in" in c.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert "登录" in c.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    login(c, "sales")
    page = c.get("/preferences")
    r = c.post("/preferences", data={"lang": "en", "tz": "Europe/Berlin", "csrf_token": csrf_token(page.text)})
    assert r.status_code == 302
    assert "Preferences" in c.get("/preferences", headers={"Accept-Language": "zh-CN"}).text


def test_password_change(web_db, users):
    app = web_db.app()
    c = app.test_client()
    login(c, "sales")
    other = app.test_client()
    login(other, "sales")
    page = c.get("/password")
    r = c.post("/password", data={"current": "wrong-one", "new": "new-secret-99", "confirm": "new-secret-99",
                                  "csrf_token": csrf_token(page.text)})
    assert r.status_code == 422
    r = c.post("/password", data={"current": "secret-pass-1", "new": "new-secret-99", "confirm": "new-secret-99",
                                  "csrf_token": csrf_token(page.text)})
    assert r.status_code == 302
    assert c.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302  # the other one ended
    assert login(app.test_client(), "sales", "new-secret-99").status_code == 302


def test_company_switcher(web_db, users):
    c = web_db.app().test_client()
    login(c, "sales")
    page = c.get("/")
    other_id = web_db.company("other")
    r = c.post("/company", data={"company_id": other_id, "csrf_token": csrf_token(page.text)})
    assert r.status_code == 302
    assert c.get("/items/").status_code == 404  # webshop is not enabled for "other"
    r = c.post("/company", data={"company_id": 999, "csrf_token": csrf_token(page.text)})
    assert r.status_code == 403


def test_language_chosen_on_login_page_is_kept(web_db, users):
    c = web_db.app().test_client()
    page = c.get("/login")
    r = c.post("/language", data={"lang": "en", "next": "/login", "csrf_token": csrf_token(page.text)})
    assert r.status_code == 302
    assert r.headers["Location"] == "/login"
    assert "Log in" in c.get("/login").text
    login(c, "sales")
    assert "Welcome" in c.get("/").text  # kept after login (no preference saved yet)
    assert c.post("/language", data={"lang": "fr", "csrf_token": csrf_token(page.text)}).status_code == 400


def test_api_errors_are_json(web_db, users):
    c = web_db.app().test_client()
    r = c.get("/api/webshop.item")
    assert r.status_code == 401
    assert r.get_json()["error"]
    assert c.get("/api/nothing/here/at/all").status_code in (401, 404)
