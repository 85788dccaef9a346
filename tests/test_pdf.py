"""core.pdf: the printed documents' kernel part (on SQLite and PostgreSQL through ``tixi_db``).

Nothing is fetched from the network (a local HTTP server referenced by a document receives no
connection), the letterhead comes from ``core_company`` plus the instance's ``[letterhead]``
settings (logo embedded), the page numbers are translated, the fonts are Noto CJK, and a record
outside the user's rules is refused before anything is rendered.
"""

from __future__ import annotations

import io
import socket
import threading
from pathlib import Path

import pytest

from core.config import Instance
from core.errors import AccessDenied
from core.models import Company, User
from core.pdf import (
    KERNEL_STATIC,
    html_to_pdf,
    letterhead,
    local_url_fetcher,
    page_label,
    pdf_font_names,
    render_pdf,
    url_allowed,
)
from core.testing import make_env, make_user


def test_url_fetcher_is_local_only(tmp_path: Path) -> None:
    roots = [KERNEL_STATIC]
    inside = next(p for p in KERNEL_STATIC.rglob("*") if p.is_file())
    secret = tmp_path / "secret.txt"
    secret.write_text("x", encoding="utf-8")
    assert url_allowed("data:text/plain,hello", roots)
    assert url_allowed(inside.as_uri(), roots)
    for url in ("http://127.0.0.1/x.png", "https://fonts.googleapis.com/css?family=Noto", "ftp://x/y",
                secret.as_uri(), (KERNEL_STATIC / ".." / ".." / "config.py").resolve().as_uri(), "//cdn/x.css"):
        assert not url_allowed(url, roots), url
    fetcher = local_url_fetcher(roots)
    with pytest.raises(ValueError, match="non-local"):
        fetcher.fetch("https://example.com/logo.png")
    with pytest.raises(ValueError, match="non-local"):
        fetcher.fetch(secret.as_uri())


def test_a_document_never_reaches_the_network() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    hits: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        html = (f'<html><head><link rel="stylesheet" href="{base}/x.css">'
                f'<style>@font-face {{ font-family: X; src: url({base}/x.woff2); }} body {{ font-family: X; }}</style>'
                f'</head><body><img src="{base}/logo.png"><p>报价单</p></body></html>')
        data = html_to_pdf(html)
    finally:
        stop.set()
        thread.join(2)
        server.close()
    assert data.startswith(b"%PDF-")
    assert hits == []


def test_page_numbers_in_both_languages() -> None:
    assert page_label("zh_CN") == '"第 " counter(page) " 页，共 " counter(pages) " 页"'
    assert page_label("en") == '"Page " counter(page) " of " counter(pages) ""'


def test_chinese_is_drawn_with_noto_cjk() -> None:
    data = html_to_pdf('<html><body style="font-family: \'Noto Serif CJK SC\'">贵研铂业</body></html>')
    fonts = pdf_font_names(data)
    assert any("Noto" in f and "Serif" in f and "CJK" in f for f in fonts), fonts


def test_letterhead_from_company_and_instance_settings(tixi_db, tmp_path, monkeypatch) -> None:
    from PIL import Image

    uid = make_user(tixi_db, "clerk")
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, uid)
        company = s.get(Company, env.company_id)
        company.name_zh, company.name_en = "贵研铂业股份有限公司", "Sino-Platinum Metals Co., Ltd."
        s.flush()
        bare = letterhead(env)
        assert (bare.name_zh, bare.name_en, bare.address("zh_CN"), bare.logo) == (
            "贵研铂业股份有限公司", "Sino-Platinum Metals Co., Ltd.", "", "")
        buf = io.BytesIO()
        Image.new("RGB", (40, 20), "navy").save(buf, "PNG")
        (tmp_path / "logo.png").write_bytes(buf.getvalue())
        (tmp_path / "config.toml").write_text(
            '[letterhead]\nphone = "0871-1234567"\naddress_en = "Kunming"\n'
            f'[letterhead.{company.code}]\naddress_zh = "昆明市高新区科技路988号"\nlogo = "logo.png"\n'
            '[letterhead.other]\nphone = "000"\n', encoding="utf-8")
        monkeypatch.setattr(tixi_db.registry, "instance", Instance(tmp_path))
        head = letterhead(env)
        assert head.phone == "0871-1234567"
        assert head.address("zh_CN") == "昆明市高新区科技路988号"
        assert head.address("en") == "Kunming"
        assert head.logo.startswith("data:image/png;base64,")
        # a disguised or oversized logo is left out, the rest stays
        (tmp_path / "logo.png").write_bytes(b"x" * (1024 * 1024 + 1))
        assert letterhead(env).logo == ""
        assert letterhead(env).phone == "0871-1234567"


def test_a_record_out_of_reach_is_refused(tixi_db) -> None:
    """A user does not reach the users of a company they do not belong to: no document of them."""
    me = make_user(tixi_db, "clerk")
    other = make_user(tixi_db, "other", company="beta")
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, me)
        record = s.get(User, other)  # held by the caller, read past Env: still refused
        with pytest.raises(AccessDenied):
            render_pdf(env, "print/base.html", record)


def test_format_number_matches_babel_for_both_languages():
    """The fast formatting gives babel's text (grouping, decimals, half-even rounding) in zh_CN and en."""
    import random
    from decimal import Decimal

    from babel.numbers import format_decimal

    from core.pdf import format_number

    rng = random.Random(7)
    values = [Decimal(rng.randint(-10**9, 10**9)) / Decimal(10 ** rng.randint(0, 5)) for _ in range(500)]
    values += [Decimal("0.005"), Decimal("0.015"), Decimal("2.5"), Decimal("-0.004"), 0, 1.005, 12345, Decimal("1E+3")]
    for value in values:
        for places in (0, 1, 2, 4):
            pattern = "#,##0" + ("." + "0" * places if places else "")
            for lang, locale in (("zh_CN", "zh_Hans_CN"), ("en", "en")):
                want = format_decimal(Decimal(str(value)), format=pattern, locale=locale, decimal_quantization=True)
                assert format_number(value, places, lang) == want, (value, places, lang)
    assert format_number(None) == ""
    assert format_number(Decimal("1234567.5"), 2, "zh_CN") == "1,234,567.50"
