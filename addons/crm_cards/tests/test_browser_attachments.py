"""Browser test in Chinese on a 375 px phone (headless Debian Chromium): 王伟 photographs a
contract onto 上汽's archive through the camera input of the Attachments tab; the
thumbnail shows on the document and on the profile card; 孙立 (北京) gets 403 on the
file URL. Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from addons.crm_cards.tests.helpers import crm_database
from addons.crm_cards.tests.test_attachments import archive
from core.models import Attachment
from core.testing import TixiTestDB
from core.testing.browser import browser_login, serve_wsgi

pytestmark = pytest.mark.browser


def camera_photo() -> bytes:
    """A phone camera's JPEG: portrait by EXIF orientation, with a GPS-like camera tag."""
    img = Image.new("RGB", (120, 80), (200, 180, 150))
    exif = Image.Exif()
    exif[0x0110] = "Phone camera"
    exif[0x0112] = 6
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def server(tmp_path):
    from core.web.app import create_app

    url, drop, ids = crm_database("sqlite")
    db = TixiTestDB(url)
    db.registry.files_path = tmp_path / "files"
    ids["doc"] = archive(db, ids)
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def test_salesperson_photographs_a_document_onto_the_archive_on_a_phone(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(10000)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    browser_login(page, base_url, "wangwei")
    page.goto(f"{base_url}/crm/customers/{ids['c']['sh']}")
    page.click("#documents >> text=年度供货合同")
    page.click("#tab-attachments-button")
    assert "附件" in page.inner_text("#tab-attachments-button")
    assert "暂无附件" in page.inner_text("#tab-attachments")
    camera = page.locator("#attachment-file")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*,application/pdf"
    camera.set_input_files(files=[{"name": "合同照片.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}])
    page.click("#attachment-submit")
    page.wait_for_selector("#tab-attachments.active.show")  # the tab reopens after the upload
    page.wait_for_selector("#attachment-list img.attachment-thumb", state="visible")
    assert "已上传 1 个文件" in page.content()
    assert page.evaluate("document.querySelector('#attachment-list img.attachment-thumb').naturalWidth") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "attachments_phone.png"), full_page=True)
    with db.session() as s:
        att = s.query(Attachment).one()
        assert (att.name, att.mime, att.model) == ("合同照片.jpg", "image/jpeg", "crm_cards_document")
    # a disguised file (a web page renamed .jpg) is refused in Chinese
    page.locator("#attachment-file").set_input_files(
        files=[{"name": "发票.jpg", "mimeType": "image/jpeg", "buffer": b"<html><script>x()</script></html>"}])
    page.click("#attachment-submit")
    page.wait_for_selector(".alert-danger")
    assert "发票.jpg 被拒绝" in page.inner_text(".alert-danger")
    # the profile card's archive register shows the thumbnail
    page.goto(f"{base_url}/crm/customers/{ids['c']['sh']}")
    thumb = page.locator(f'[data-document-files="{ids["doc"]}"] img')
    thumb.wait_for(state="visible")
    assert page.evaluate(f"document.querySelector('[data-document-files=\"{ids['doc']}\"] img').naturalWidth") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    phone.close()
    # 孙立 sells in 北京: the file URL and its thumbnail are refused
    other = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True)
    page2 = other.new_page()
    browser_login(page2, base_url, "sun")
    assert page2.goto(f"{base_url}/attachments/{att.id}").status == 403
    assert "无权" in page2.content() or "拒绝" in page2.content()
    assert page2.goto(f"{base_url}/attachments/{att.id}/thumb").status == 403
    assert page2.goto(f"{base_url}/crm/documents/{ids['doc']}").status == 403
    other.close()
    assert problems == []
