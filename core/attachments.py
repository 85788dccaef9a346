"""Attachments: files attached to any record, stored outside the database.

A file's **content** goes to the instance's file store (``<instance>/files/``
or ``[files] path`` of ``config.toml``, a folder several gunicorn workers and
machines may share), **content-addressed**: the path is the SHA-256 of the
bytes (``ab/cd/abcd...``), written atomically (temporary file, then
``os.replace``) and stored once however many records carry it. The
**metadata** (record, name, detected type, size, hashes, who and when) is a
row of ``core_attachment``.

**Access is the record's access.** Reading an attachment reads its record
through ``env.get(Model, res_id)`` (rights and record rules apply); attaching
and deleting need write access to the record. Nobody reaches a file by id
alone.

**Limits per company** (:func:`limits`): maximum size, maximum count per
record and allowed types, with the defaults below and overrides in
``core_attachment_limit``. The type is detected from the content (magic
bytes with ``filetype``; images are opened by Pillow), never from the file
name: an ``.exe`` or an HTML page renamed ``.jpg`` is refused. Images are
re-encoded with their orientation applied and their EXIF (GPS position,
camera) dropped, and get a thumbnail (content-addressed too). A refusal
raises :class:`~core.errors.ValidationError` in the user's language and
writes nothing.

Example::

    att = env.attach(document, request.files["file"])         # or bytes + filename=
    for a in list_attachments(env, document): ...
    opened = open_attachment(env, att.id)                      # AccessDenied if the record is not readable
    data = opened.read()
    delete_attachment(env, att.id)
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import column as sa_column
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from core.errors import AccessDenied, ValidationError
from core.i18n import _
from core.models import Attachment, AttachmentLimit

if TYPE_CHECKING:
    from core.security.env import Env

#: Default limits (a company's ``core_attachment_limit`` row overrides each one it sets).
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
DEFAULT_MAX_COUNT = 50
DEFAULT_TYPES: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf")

#: Types Pillow opens, re-encodes (EXIF dropped) and thumbnails.
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
THUMB_SIZE = (320, 320)
#: Largest image accepted, in pixels (a small file may decode to gigabytes: a "decompression bomb").
MAX_PIXELS = 50_000_000
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


# ----- the file store --------------------------------------------------------------------------
class FileStore:
    """A content-addressed folder: ``<root>/ab/cd/<sha256>``; safe to share between processes."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        """Where the content with this SHA-256 lives."""
        if not _SHA_RE.match(sha):
            raise ValueError(f"not a sha256: {sha!r}")
        return self.root / sha[:2] / sha[2:4] / sha

    def exists(self, sha: str) -> bool:
        """Whether the content is stored."""
        return self.path(sha).is_file()

    def put(self, data: bytes) -> str:
        """Store bytes (once: same content, same path) and return their SHA-256.

        Written to a temporary file in the target folder, flushed to disk, then
        renamed with ``os.replace`` (atomic on one file system): a reader never
        sees half a file, and two workers storing the same content both succeed.
        """
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.is_file() and target.stat().st_size == len(data):
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return sha

    def read(self, sha: str) -> bytes:
        """The stored bytes (``FileNotFoundError`` when missing)."""
        return self.path(sha).read_bytes()

    def remove(self, sha: str) -> bool:
        """Delete the content (and its emptied folders); whether something was removed."""
        target = self.path(sha)
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        for folder in (target.parent, target.parent.parent):
            try:
                folder.rmdir()
            except OSError:
                break
        return True


def store_for(registry: Any) -> FileStore:
    """The file store of a registry's instance.

    ``registry.files_path`` (set by tests or embedding code) wins; else the
    instance's :meth:`~core.config.Instance.files_path`; a registry without an
    instance (tests) uses ``files/`` beside an SQLite file, or a folder per
    database under the temporary directory.
    """
    explicit = getattr(registry, "files_path", None)
    if explicit:
        return FileStore(explicit)
    instance = getattr(registry, "instance", None)
    if instance is not None:
        return FileStore(instance.files_path())
    env_path = os.environ.get("TIXI_FILES_PATH")
    if env_path:
        return FileStore(env_path)
    from sqlalchemy.engine import make_url

    url = make_url(registry.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return FileStore(Path(url.database).resolve().parent / "files")
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{url.host or 'local'}_{url.port or ''}_{url.database or 'db'}")
    return FileStore(Path(tempfile.gettempdir()) / "tixi-files" / name)


# ----- limits --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Limits:
    """What a company accepts: bytes per file, files per record, MIME types."""

    max_size: int = DEFAULT_MAX_SIZE
    max_count: int = DEFAULT_MAX_COUNT
    allowed_types: tuple[str, ...] = DEFAULT_TYPES


def limits(env: Env) -> Limits:
    """The current company's limits: its ``core_attachment_limit`` row over the defaults."""
    row = env.session.get(AttachmentLimit, env.company_id)
    if row is None:
        return Limits()
    types = tuple(t.strip() for t in (row.allowed_types or "").split(",") if t.strip())
    return Limits(
        max_size=row.max_size or DEFAULT_MAX_SIZE,
        max_count=row.max_count or DEFAULT_MAX_COUNT,
        allowed_types=types or DEFAULT_TYPES,
    )


def set_limits(
    session: Session, company_id: int, max_size: int | None = None, max_count: int | None = None,
    allowed_types: Iterable[str] | None = None,
) -> AttachmentLimit:
    """Set (or clear, with ``None``) a company's own limits (administration, set-up scripts)."""
    row = session.get(AttachmentLimit, company_id)
    if row is None:
        row = AttachmentLimit(company_id=company_id)
        session.add(row)
    row.max_size = max_size
    row.max_count = max_count
    row.allowed_types = ",".join(allowed_types) if allowed_types else None
    session.flush()
    return row


# ----- content checks --------------------------------------------------------------------------
def detect_type(data: bytes) -> str | None:
    """The MIME type the content's magic bytes say (``None``: unknown, e.g. text or HTML)."""
    import filetype

    kind = filetype.guess(data[:8192])
    return kind.mime if kind is not None else None


def _human_size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def _clean_name(filename: str | None, mime: str) -> str:
    """The name shown and downloaded: base name only, no control characters, at most 200 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip()
    name = name.lstrip(".") or "file"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 190] + dot + ext[:9]) if dot else name[:200]
    return name


def _process_image(data: bytes, mime: str, name: str) -> tuple[bytes, bytes]:
    """Verify an image with Pillow, re-encode it without EXIF (orientation applied); the thumbnail.

    Returns ``(clean bytes, thumbnail JPEG/PNG bytes)``; a file Pillow cannot
    read is refused.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("%(name)s is too large: at most %(max)s million pixels per image.",
                      name=name, max=MAX_PIXELS // 1_000_000)
                )
            probe.verify()
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("%(name)s is not a valid image: the file is damaged or is not what it claims to be.", name=name)
        ) from None
    icc = img.info.get("icc_profile")  # colours stay right; EXIF and text chunks go
    keep = {"icc_profile": icc} if icc else {}
    fmt = IMAGE_TYPES[mime]
    if fmt == "GIF" and getattr(img, "is_animated", False):
        # an animated GIF keeps its frames; GIFs carry no EXIF to strip
        clean = data
        still = img.convert("RGBA")
    else:
        img = ImageOps.exif_transpose(img) or img
        out = io.BytesIO()
        if fmt == "JPEG":
            if img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            img.save(out, "JPEG", quality=90, optimize=True, **keep)
        elif fmt == "PNG":
            img.save(out, "PNG", optimize=True, **keep)
        elif fmt == "WEBP":
            img.save(out, "WEBP", quality=90, **keep)
        else:
            img.save(out, "GIF")
        clean = out.getvalue()
        still = img
    thumb = still.copy()
    thumb.thumbnail(THUMB_SIZE)
    tout = io.BytesIO()
    if thumb.mode in ("RGBA", "LA", "P"):
        thumb.convert("RGBA").save(tout, "PNG", optimize=True)
    else:
        thumb.convert("RGB").save(tout, "JPEG", quality=80)
    return clean, tout.getvalue()


def _read(file: Any, limit: int) -> tuple[bytes, str | None]:
    """Bytes (at most ``limit + 1``) and the client's file name of bytes or a file storage/object."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        return bytes(file[: limit + 1]), None
    stream: BinaryIO = getattr(file, "stream", file)
    data = stream.read(limit + 1)
    return data, getattr(file, "filename", None) or getattr(file, "name", None)


# ----- records ---------------------------------------------------------------------------------
def model_of(env: Env, table: str) -> type:
    """The model class of a table name (AccessDenied, as for a missing record, when unknown)."""
    from core.registry import model_class

    cls = model_class(table)
    if cls is None:
        raise AccessDenied(_("%(model)s #%(id)s does not exist or is not accessible.", model=table, id="?"))
    return cls


def _record(env: Env, record: Any, perm: str) -> tuple[type, Any]:
    """The record re-read through the rules for ``perm`` (AccessDenied otherwise)."""
    model = type(record)
    return model, env.get(model, record.id, perm)


def _row(env: Env, attachment_id: int) -> Attachment:
    row = env.sudo().get(Attachment, attachment_id)  # company filter kept; the record is checked next
    if row is None:
        raise AccessDenied(
            _("%(model)s #%(id)s does not exist or is not accessible.", model="core_attachment", id=attachment_id)
        )
    return row


def attach(env: Env, record: Any, file: Any, filename: str | None = None) -> Attachment:
    """Attach a file (bytes, a werkzeug ``FileStorage`` or a binary file object) to a record.

    Needs write access to the record (rights and rules). Checks the company's
    limits and the content's real type; a refusal raises
    :class:`~core.errors.ValidationError` and stores nothing.
    """
    model, record = _record(env, record, "write")
    lim = limits(env)
    data, client_name = _read(file, lim.max_size)
    detected = detect_type(data) if data else None
    name = _clean_name(filename or client_name, detected or "")
    if not data:
        raise ValidationError(_("%(name)s is empty.", name=name))
    if len(data) > lim.max_size:
        raise ValidationError(
            _("%(name)s is too large: at most %(max)s per file.", name=name, max=_human_size(lim.max_size))
        )
    if detected is None or detected not in lim.allowed_types:
        raise ValidationError(
            _("%(name)s is refused: its content is %(kind)s, and only %(allowed)s may be attached "
              "(the type is read from the content, not from the file name).",
              name=name, kind=detected or _("not a recognised file type"),
              allowed=", ".join(lim.allowed_types))
        )
    table = model.__tablename__
    count = env.sudo().count(Attachment, Attachment.model == table, Attachment.res_id == record.id)
    if count >= lim.max_count:
        raise ValidationError(
            _("This record already has %(count)s files, the most allowed.", count=count)
        )
    thumb: bytes | None = None
    if detected in IMAGE_TYPES:
        data, thumb = _process_image(data, detected, name)
    store = store_for(env.registry)
    sha = store.put(data)
    thumb_sha = store.put(thumb) if thumb is not None else None
    row = Attachment(
        company_id=env.company_id, model=table, res_id=record.id, name=name, mime=detected,
        size=len(data), sha256=sha, thumb_sha256=thumb_sha, created_by_id=env.user_id,
    )
    try:
        with env.session.begin_nested():
            env.session.add(row)
            env.session.flush()
    except Exception:
        _collect_later(env.session, store, [sha, thumb_sha])
        raise
    return row


def list_attachments(env: Env, record: Any, checked: bool = False) -> list[Attachment]:
    """The attachments of a record the user may read (AccessDenied otherwise), oldest first.

    ``checked=True``: the caller has just read ``record`` through ``env.get``
    (a detail page), so it is not read again.
    """
    model = type(record)
    if not checked:
        model, record = _record(env, record, "read")
    stmt = env.sudo().select(Attachment).where(
        Attachment.model == model.__tablename__, Attachment.res_id == record.id
    ).order_by(Attachment.id)
    return list(env.sudo().scalars(stmt))


def get_attachment(env: Env, attachment_id: int, perm: str = "read") -> Attachment:
    """One attachment, after checking ``perm`` on its record through ``env.get`` (AccessDenied otherwise)."""
    row = _row(env, attachment_id)
    env.get(model_of(env, row.model), row.res_id, perm)
    return row


def attachments_of(env: Env, model: type, ids: Iterable[int]) -> dict[int, list[Attachment]]:
    """The attachments of several records the user may read, ``{res_id: [..]}``, in two queries.

    Ids the user cannot read are left out (the records are read through the rules).
    """
    wanted = set(ids)
    if not wanted or not env.can(model, "read"):
        return {}
    pk = model.__table__.primary_key.columns.values()[0]
    readable = set(env.scalars(env.select(model, "read", pk).where(pk.in_(wanted))))
    out: dict[int, list[Attachment]] = {}
    if not readable:
        return out
    stmt = env.sudo().select(Attachment).where(
        Attachment.model == model.__tablename__, Attachment.res_id.in_(readable)
    ).order_by(Attachment.id)
    for row in env.sudo().scalars(stmt):
        out.setdefault(row.res_id, []).append(row)
    return out


@dataclass
class OpenedAttachment:
    """An attachment the user may read, and the path of its content (or of its thumbnail)."""

    attachment: Attachment
    path: Path
    mime: str

    def read(self) -> bytes:
        """The stored bytes."""
        return self.path.read_bytes()


def open_attachment(env: Env, attachment_id: int, thumbnail: bool = False) -> OpenedAttachment:
    """The content of an attachment (``thumbnail``: of its thumbnail) after the record check.

    :class:`AccessDenied` when the record is not readable;
    ``FileNotFoundError`` when a thumbnail is asked of a file that has none
    or when the store lost the content (web: 404).
    """
    row = get_attachment(env, attachment_id)
    store = store_for(env.registry)
    if thumbnail:
        if not row.thumb_sha256:
            raise FileNotFoundError(f"attachment {row.id} has no thumbnail")
        path, mime = store.path(row.thumb_sha256), _thumb_mime(store.path(row.thumb_sha256))
    else:
        path, mime = store.path(row.sha256), row.mime
    if not path.is_file():
        raise FileNotFoundError(str(path))
    return OpenedAttachment(row, path, mime)


def _thumb_mime(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(8)
    return "image/png" if head.startswith(b"\x89PNG") else "image/jpeg"


def delete_attachment(env: Env, attachment_id: int) -> None:
    """Remove an attachment (write access to its record); its content goes once no row refers to it."""
    row = get_attachment(env, attachment_id, "write")
    shas = [row.sha256, row.thumb_sha256]
    env.session.delete(row)
    env.session.flush()
    _collect_later(env.session, store_for(env.registry), shas)


# ----- clean-up --------------------------------------------------------------------------------
def unreferenced(session: Session, shas: Iterable[str | None]) -> list[str]:
    """Of these hashes, those no attachment row (content or thumbnail) refers to any more."""
    wanted = {s for s in shas if s}
    if not wanted:
        return []
    used = set(session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(wanted))))
    used |= set(session.scalars(select(Attachment.thumb_sha256).where(Attachment.thumb_sha256.in_(wanted))))
    return sorted(wanted - used)


def collect(registry: Any, shas: Iterable[str | None]) -> int:
    """Delete from the store the contents of ``shas`` that no committed row refers to; how many."""
    with registry.Session() as s:
        gone = unreferenced(s, shas)
    store = store_for(registry)
    return sum(store.remove(sha) for sha in gone)


def _collect_later(session: Session, store: FileStore, shas: Iterable[str | None]) -> None:
    """Remove unreferenced contents once the session's transaction commits (never before)."""
    pending = [s for s in shas if s]
    if not pending:
        return
    engine = session.get_bind().engine if hasattr(session.get_bind(), "engine") else session.get_bind()

    def _after_commit(_session: Session) -> None:
        with Session(engine) as fresh:
            gone = unreferenced(fresh, pending)
        for sha in gone:
            store.remove(sha)

    event.listen(session, "after_commit", _after_commit, once=True)


def purge_tables(session: Session, tables: Iterable[str]) -> tuple[int, list[str]]:
    """Delete the attachment rows of records of these tables (uninstall); count and their hashes.

    The caller removes the contents no other row refers to with :func:`collect`
    after its transaction commits.
    """
    names = list(tables)
    if not names:
        return 0, []
    where = Attachment.model.in_(names)
    rows = session.execute(select(Attachment.sha256, Attachment.thumb_sha256).where(where)).all()
    if not rows:
        return 0, []
    session.execute(delete(Attachment).where(where))
    shas = sorted({s for row in rows for s in row if s})
    return len(rows), shas


def purge_record(session: Session, table: str, res_id: int) -> list[str]:
    """Delete the attachment rows of one record (it was deleted); their hashes, for :func:`collect`."""
    where = (Attachment.model == table) & (Attachment.res_id == res_id)
    rows = session.execute(select(Attachment.sha256, Attachment.thumb_sha256).where(where)).all()
    if rows:
        session.execute(delete(Attachment).where(where))
    return sorted({s for row in rows for s in row if s})


def collect_orphans(registry: Any) -> tuple[int, int]:
    """Housekeeping (a nightly job): rows of records that no longer exist, files no row refers to.

    Records deleted by a database cascade or by bulk SQL never tell the
    attachment table; this removes their rows, then every stored file no row
    refers to (temporary files of interrupted writes older than a day
    included). Returns ``(rows removed, files removed)``.
    """
    import time

    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy import table as sa_table

    rows_removed = 0
    with registry.Session() as s:
        existing = set(sa_inspect(s.connection()).get_table_names())
        for model in list(s.scalars(select(Attachment.model).distinct())):
            stmt = delete(Attachment).where(Attachment.model == model)
            if model in existing:
                ids = sa_table(model, sa_column("id"))
                stmt = stmt.where(~Attachment.res_id.in_(select(ids.c.id)))
            rows_removed += s.execute(stmt).rowcount or 0
        s.commit()
        used = set(s.scalars(select(Attachment.sha256))) | set(
            s.scalars(select(Attachment.thumb_sha256).where(Attachment.thumb_sha256.is_not(None)))
        )
    store = store_for(registry)
    files_removed = 0
    if store.root.is_dir():
        day_ago = time.time() - 86400
        for path in store.root.glob("??/??/*"):
            if path.name.startswith(".tmp-"):
                if path.stat().st_mtime < day_ago:
                    path.unlink(missing_ok=True)
                continue
            if _SHA_RE.match(path.name) and path.name not in used and store.remove(path.name):
                files_removed += 1
    return rows_removed, files_removed


def stats(session: Session, company_id: int | None = None) -> tuple[int, int]:
    """Number of attachment rows and their total size (a company's, or all)."""
    stmt = select(func.count(), func.coalesce(func.sum(Attachment.size), 0))
    if company_id is not None:
        stmt = stmt.where(Attachment.company_id == company_id)
    count, total = session.execute(stmt).one()
    return int(count), int(total)

__all__ = [
    "DEFAULT_MAX_COUNT",
    "DEFAULT_MAX_SIZE",
    "DEFAULT_TYPES",
    "FileStore",
    "Limits",
    "OpenedAttachment",
    "attach",
    "attachments_of",
    "collect",
    "collect_orphans",
    "delete_attachment",
    "detect_type",
    "get_attachment",
    "limits",
    "list_attachments",
    "open_attachment",
    "model_of",
    "purge_record",
    "purge_tables",
    "set_limits",
    "store_for",
    "unreferenced",
]
