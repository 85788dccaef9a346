"""Attachments (core.attachments and /attachments routes), on SQLite and PostgreSQL.

The webshop test addon's items follow their owner (a salesperson sees only their
own); files attached to an item are readable by exactly who can read the item.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from core import attachments
from core.config import Instance
from core.errors import AccessDenied, ValidationError
from core.i18n import use_lang
from core.models import Attachment, Company
from core.testing import make_env
from core.testing.web import csrf_token, logged_in_client
from tests.web.conftest import add_item

CAMERA = "SpyCam 3000"


def photo(width: int = 80, height: int = 40, color: str = "red", orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera model and an orientation (6: turn 90°)."""
    img = Image.new("RGB", (width, height), color)
    exif = Image.Exif()
    exif[0x0110] = CAMERA  # camera model
    exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def db(web_db_both, tmp_path):
    web_db_both.registry.files_path = tmp_path / "files"
    return web_db_both


def test_image_is_stored_content_addressed_without_exif_with_a_thumbnail(db, tmp_path):
    users = db.users
    item = add_item(db, users["sales"], "Camera photo")
    other = add_item(db, users["sales"], "Same photo")
    from webshop.models import Item

    with db.session() as s:
        env = make_env(db, s, users["sales"])
        rec = env.get(Item, item)
        att = env.attach(rec, photo(), filename="../../IMG_0001.JPG")
        again = env.attach(env.get(Item, other), photo(), filename="copy.jpg")
        doc = env.attach(rec, pdf(), filename="contract.pdf")
        assert att.name == "IMG_0001.JPG"  # the base name only
        assert att.mime == "image/jpeg"
        assert doc.mime == "application/pdf"
        assert doc.thumb_sha256 is None
        assert again.sha256 == att.sha256  # deduplicated
    store = attachments.store_for(db.registry)
    path = store.path(att.sha256)
    assert path == tmp_path / "files" / att.sha256[:2] / att.sha256[2:4] / att.sha256
    # one content, one thumbnail, one PDF: three files for four rows' worth of content
    assert len(stored_files(tmp_path / "files")) == 3
    clean = Image.open(path)
    assert clean.size == (40, 80)  # orientation applied before the EXIF went
    assert CAMERA not in path.read_bytes().decode("latin-1")
    assert 0x0110 not in clean.getexif()
    assert 0x0112 not in clean.getexif()
    thumb = Image.open(store.path(att.thumb_sha256))
    assert max(thumb.size) <= 320
    with db.session() as s:
        env = make_env(db, s, users["sales"])
        files = attachments.list_attachments(env, env.get(Item, item))
        assert [f.name for f in files] == ["IMG_0001.JPG", "contract.pdf"]
        assert attachments.open_attachment(env, doc.id).read() == pdf()


def _refused(db, users, item, data, filename, lang="zh_CN"):
    from webshop.models import Item

    with db.session() as s, use_lang(lang):
        env = make_env(db, s, users["sales"])
        with pytest.raises(ValidationError) as exc:
            env.attach(env.get(Item, item), data, filename=filename)
    return str(exc.value)


def test_disguised_oversized_and_over_count_files_are_refused_and_nothing_is_written(db, tmp_path):
    users = db.users
    item = add_item(db, users["sales"], "Refusals")
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    msg = _refused(db, users, item, exe, "photo.jpg")
    assert "photo.jpg" in msg
    assert "按内容判断" in msg
    assert "application/x-msdownload" in msg
    html = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    assert "无法识别的文件类型" in _refused(db, users, item, html, "photo.jpg")
    assert "content, not from the file name" in _refused(db, users, item, html, "photo.jpg", lang="en")
    broken = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"garbage" * 50  # JPEG magic, no image
    assert "不是有效的图片" in _refused(db, users, item, broken, "broken.jpg")
    assert "空文件" in _refused(db, users, item, b"", "empty.pdf")
    with db.session() as s:
        cid = s.scalar(select(Company.id).where(Company.code == "acme"))
        attachments.set_limits(s, cid, max_size=2000, max_count=1, allowed_types=["application/pdf"])
    big = pdf() + b"x" * 3000
    assert "太大" in _refused(db, users, item, big, "big.pdf")
    assert "按内容判断" in _refused(db, users, item, photo(), "photo.jpg")  # jpeg not allowed here
    from webshop.models import Item

    with db.session() as s:
        env = make_env(db, s, users["sales"])
        env.attach(env.get(Item, item), pdf(), filename="one.pdf")
    assert "已达上限" in _refused(db, users, item, pdf() + b"\n", "two.pdf")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 1
    assert len(stored_files(tmp_path / "files")) == 1  # only one.pdf: no refusal wrote anything
    with db.session() as s:  # another company keeps the defaults
        env = make_env(db, s, users["admin"], company="other")
        assert attachments.limits(env) == attachments.Limits()


def test_a_file_is_readable_by_exactly_who_can_read_its_record(db):
    users = db.users
    from webshop.models import Item

    item = add_item(db, users["sales"], "Mine")
    with db.session() as s:
        env = make_env(db, s, users["sales"])
        att = env.attach(env.get(Item, item), photo(), filename="mine.jpg")
    with db.session() as s:
        env = make_env(db, s, users["sales2"])  # another salesperson: not their item
        with pytest.raises(AccessDenied):
            attachments.open_attachment(env, att.id)
        with pytest.raises(AccessDenied):
            attachments.open_attachment(env, att.id, thumbnail=True)
        with pytest.raises(AccessDenied):
            attachments.delete_attachment(env, att.id)
        with pytest.raises(AccessDenied):
            attachments.list_attachments(env, s.get(Item, item))
        with pytest.raises(AccessDenied):
            env.attach(s.get(Item, item), pdf(), filename="intruder.pdf")
        with pytest.raises(AccessDenied):  # an id that does not exist says the same
            attachments.open_attachment(env, att.id + 999)
    with db.session() as s:  # the outsider's company does not see acme's rows at all
        env = make_env(db, s, users["outsider"])
        with pytest.raises(AccessDenied):
            attachments.open_attachment(env, att.id)
    with db.session() as s:
        env = make_env(db, s, users["director"])  # reads every item
        assert attachments.open_attachment(env, att.id).attachment.name == "mine.jpg"
    with db.session() as s:
        env = make_env(db, s, users["sales"])
        attachments.delete_attachment(env, att.id)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0
    assert stored_files(attachments.store_for(db.registry).root) == []  # removed after the commit


def test_a_delete_rolled_back_keeps_the_file(db):
    users = db.users
    from webshop.models import Item

    item = add_item(db, users["sales"], "Rollback")
    with db.session() as s:
        env = make_env(db, s, users["sales"])
        att = env.attach(env.get(Item, item), pdf(), filename="keep.pdf")
    with db.registry.Session() as s:
        env = make_env(db, s, users["sales"])
        attachments.delete_attachment(env, att.id)
        s.rollback()
    assert attachments.store_for(db.registry).exists(att.sha256)


def test_pages_upload_download_and_refuse_another_salespersons_file(db):
    users = db.users
    item = add_item(db, users["sales"], "Web item")
    app = db.app()
    client = logged_in_client(app, "sales")
    page = client.get(f"/items/{item}")
    assert page.status_code == 200
    html = page.text
    assert 'accept="image/*,application/pdf"' in html
    assert 'capture="environment"' in html
    assert 'id="tab-attachments"' in html
    token = csrf_token(html)
    r = client.post(f"/attachments/upload/webshop_item/{item}",
                    data={"file": (io.BytesIO(photo()), "现场照片.jpg"), "csrf_token": token, "next": f"/items/{item}"},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/items/{item}#tab-attachments")
    with db.session() as s:
        att = s.scalars(select(Attachment)).one()
    page = client.get(f"/items/{item}").text
    assert f"/attachments/{att.id}/thumb" in page
    assert "现场照片.jpg" in page
    got = client.get(f"/attachments/{att.id}")
    assert got.status_code == 200
    assert got.mimetype == "image/jpeg"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("inline")
    assert "filename*=UTF-8''%E7%8E%B0" in got.headers["Content-Disposition"]
    assert Image.open(io.BytesIO(got.data)).size == (40, 80)
    down = client.get(f"/attachments/{att.id}?download=1")
    assert down.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/attachments/{att.id}/thumb").mimetype == "image/jpeg"
    # without the CSRF token nothing is accepted
    r = client.post(f"/attachments/upload/webshop_item/{item}",
                    data={"file": (io.BytesIO(pdf()), "a.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 400
    # a disguised file is refused with a message in Chinese, nothing stored
    r = client.post(f"/attachments/upload/webshop_item/{item}",
                    data={"file": (io.BytesIO(b"<html><body>hi</body></html>"), "photo.jpg"), "csrf_token": token},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "photo.jpg 被拒绝" in r.text
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 1
    # another salesperson: the record, the file and its thumbnail are all refused
    other = logged_in_client(app, "sales2")
    assert other.get(f"/items/{item}").status_code == 403
    assert other.get(f"/attachments/{att.id}").status_code == 403
    assert other.get(f"/attachments/{att.id}/thumb").status_code == 403
    r = other.post(f"/attachments/{att.id}/delete", data={"csrf_token": csrf_token(other.get("/").text)})
    assert r.status_code == 403
    r = other.post(f"/attachments/upload/webshop_item/{item}",
                   data={"file": (io.BytesIO(pdf()), "x.pdf"), "csrf_token": csrf_token(other.get("/").text)},
                   content_type="multipart/form-data")
    assert r.status_code == 403
    # the owner deletes it
    r = client.post(f"/attachments/{att.id}/delete", data={"csrf_token": token, "next": f"/items/{item}"})
    assert r.status_code == 302
    assert client.get(f"/attachments/{att.id}").status_code == 403


def test_uninstall_removes_the_addons_attachments_and_only_unshared_files(db, tmp_path):
    users = db.users
    from webshop.models import Item

    item = add_item(db, users["sales"], "Goes away")
    with db.session() as s:
        env = make_env(db, s, users["sales"])
        gone = env.attach(env.get(Item, item), photo(color="blue"), filename="gone.jpg")
        shared = env.attach(env.get(Item, item), pdf(), filename="shared.pdf")
        admin = make_env(db, s, users["admin"])
        company = admin.get(Company, s.scalar(select(Company.id).where(Company.code == "acme")))
        kept = admin.attach(company, pdf(), filename="letterhead.pdf")  # same content, a kernel record
    store = attachments.store_for(db.registry)
    report = db.lifecycle.uninstall("webshop", cascade=True, confirmed=True, backup_dir=tmp_path / "bk")
    assert any("2 attachment(s) removed" in line for line in report.lines()), report.lines()
    with db.session() as s:
        assert [a.name for a in s.scalars(select(Attachment))] == ["letterhead.pdf"]
    assert not store.exists(gone.sha256)
    assert not store.exists(gone.thumb_sha256)
    assert store.exists(shared.sha256)
    assert kept.sha256 == shared.sha256
    import json

    backup = json.loads(report.backup.read_text())
    assert sorted(a["name"] for a in backup["attachments"]["webshop"]) == ["gone.jpg", "shared.pdf"]


def test_file_store_location_and_atomic_writes(tmp_path, monkeypatch):
    monkeypatch.delenv("TIXI_FILES_PATH", raising=False)
    inst = Instance(tmp_path / "inst")
    assert inst.files_path() == tmp_path / "inst" / "files"
    inst.path.mkdir()
    inst.config_file.write_text('[files]\npath = "shared"\n', encoding="utf-8")
    assert inst.files_path() == tmp_path / "inst" / "shared"
    inst.config_file.write_text(f'[files]\npath = "{tmp_path / "nfs"}"\n', encoding="utf-8")
    assert inst.files_path() == tmp_path / "nfs"
    monkeypatch.setenv("TIXI_FILES_PATH", str(tmp_path / "env"))
    assert inst.files_path() == tmp_path / "env"
    store = attachments.FileStore(tmp_path / "s")
    sha = store.put(b"hello")
    assert store.put(b"hello") == sha
    assert store.read(sha) == b"hello"
    assert [p.name for p in stored_files(tmp_path / "s")] == [sha]  # no temporary file left
    with pytest.raises(ValueError, match="sha256"):
        store.path("../../etc/passwd")
    assert store.remove(sha)
    assert not (tmp_path / "s" / sha[:2]).exists()


def test_housekeeping_removes_rows_of_deleted_records_and_unreferenced_files(db, tmp_path):
    users = db.users
    from sqlalchemy import delete
    from webshop.models import Item

    keep = add_item(db, users["sales"], "Keep")
    drop = add_item(db, users["sales"], "Dropped by bulk SQL")
    with db.session() as s:
        env = make_env(db, s, users["sales"])
        kept = env.attach(env.get(Item, keep), pdf(), filename="kept.pdf")
        lost = env.attach(env.get(Item, drop), photo(color="green"), filename="lost.jpg")
        doc = env.attach(env.get(Item, drop), pdf() + b"%2", filename="lost.pdf")
    with db.session() as s:
        s.execute(delete(Item).where(Item.id == drop))  # no event: the attachment rows stay behind
    store = attachments.store_for(db.registry)
    stray = store.put(b"written by a worker that died before its row was committed")
    client = logged_in_client(db.app(), "sales")
    assert client.get(f"/attachments/{kept.id}/thumb").status_code == 404  # a PDF has no thumbnail
    assert client.get(f"/attachments/{doc.id}").status_code == 403  # its record is gone
    rows, files = attachments.collect_orphans(db.registry)
    assert (rows, files) == (2, 4)  # lost.jpg + its thumbnail, lost.pdf, the stray file
    assert store.exists(kept.sha256)
    assert not store.exists(lost.sha256)
    assert not store.exists(stray)
    with db.session() as s:
        assert [a.name for a in s.scalars(select(Attachment))] == ["kept.pdf"]
        assert attachments.purge_record(s, "webshop_item", keep) == [kept.sha256]
    assert attachments.collect(db.registry, [kept.sha256]) == 1
    assert stored_files(store.root) == []


def test_an_image_of_too_many_pixels_is_refused_before_decoding(db, tmp_path, monkeypatch):
    users = db.users
    item = add_item(db, users["sales"], "Bomb")
    monkeypatch.setattr(attachments, "MAX_PIXELS", 2_000_000)
    big = io.BytesIO()
    Image.new("L", (2000, 1500)).save(big, "PNG")  # 3 MP, a few KB: compresses to almost nothing
    assert len(big.getvalue()) < 20_000
    assert "百万像素" in _refused(db, users, item, big.getvalue(), "bomb.png")
    assert stored_files(tmp_path / "files") == []


def test_one_refused_file_of_several_does_not_lose_the_others(db):
    users = db.users
    item = add_item(db, users["sales"], "Several")
    client = logged_in_client(db.app(), "sales")
    token = csrf_token(client.get(f"/items/{item}").text)
    r = client.post(f"/attachments/upload/webshop_item/{item}", content_type="multipart/form-data",
                    data={"csrf_token": token, "file": [(io.BytesIO(b"<html></html>"), "fake.jpg"),
                                                        (io.BytesIO(pdf()), "real.pdf")]},
                    follow_redirects=True)
    assert "fake.jpg 被拒绝" in r.text
    assert "已上传 1 个文件" in r.text
    with db.session() as s:
        assert [a.name for a in s.scalars(select(Attachment))] == ["real.pdf"]


def test_env_never_writes_attachment_rows_even_for_an_administrator(db):
    with db.session() as s:
        env = make_env(db, s, db.users["admin"])
        assert not any(env.can(Attachment, p) for p in ("create", "write", "delete"))
        with pytest.raises(AccessDenied):
            env.create(Attachment, {"model": "webshop_item", "res_id": 1, "name": "x.pdf", "mime": "application/pdf",
                                    "size": 1, "sha256": "0" * 64})
