"""Attachment routes: upload to a record, download, thumbnail, delete (blueprint ``attachments``).

Every route goes through :mod:`core.attachments`, which reads the record
through ``Env`` (rights and record rules): a user who cannot read the record
gets 403 for its files whatever id they try; the addon not enabled for the
company gives 404. Downloads carry ``Content-Disposition`` with the stored
name, the type detected at upload (never the client's) and
``X-Content-Type-Options: nosniff``. Uploads are ordinary forms with the
CSRF token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from flask import Blueprint, abort, flash, g, redirect, request, send_file

from core import attachments
from core.errors import ValidationError
from core.i18n import _

bp = Blueprint("attachments", __name__, url_prefix="/attachments")

#: Types a browser may show inline; everything else is downloaded.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"})


def _back(default: str = "/") -> str:
    """The same-site page to return to after a POST (``next`` field, else the referrer's path)."""
    for target in (request.form.get("next"), request.referrer):
        if not target:
            continue
        parts = urlparse(target)
        if parts.netloc and parts.netloc != request.host:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not path.startswith("//"):
            return path
    return default


@bp.app_template_global()
def record_attachments(model: type, ids: Any) -> dict[int, list[Any]]:
    """Template helper: ``{id: [attachments]}`` of several records of ``model`` the user may read."""
    return attachments.attachments_of(g.env, model, list(ids))


@bp.route("/upload/<model>/<int:res_id>", methods=["POST"])
def upload(model: str, res_id: int) -> Any:
    """Attach the uploaded file(s) of the ``file`` field to the record ``model`` #``res_id``."""
    env = g.env
    cls = attachments.model_of(env, model)
    record = env.get(cls, res_id, "write")
    files = [f for f in request.files.getlist("file") if f and f.filename]
    back = _back() + "#tab-attachments"
    if not files:
        flash(_("Choose a file to attach."), "warning")
        return redirect(back)
    done = 0
    for storage in files:
        try:
            env.attach(record, storage)
            done += 1
        except ValidationError as exc:  # refused before anything was written: the others still count
            flash(str(exc), "danger")
    if done:
        flash(_("%(n)s file(s) attached.", n=done), "success")
    return redirect(back)


def _send(opened: attachments.OpenedAttachment, inline: bool) -> Any:
    att = opened.attachment
    response = send_file(
        opened.path, mimetype=opened.mime, as_attachment=not inline, download_name=att.name,
        conditional=True, etag=att.sha256 if opened.mime == att.mime else True, max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if opened.mime != "application/pdf":  # the browser's PDF viewer needs more than this
        response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:attachment_id>")
def download(attachment_id: int) -> Any:
    """The file (inline for images and PDF, ``?download=1`` forces a download)."""
    try:
        opened = attachments.open_attachment(g.env, attachment_id)
    except FileNotFoundError:
        abort(404)
    inline = opened.mime in INLINE_TYPES and not request.args.get("download")
    return _send(opened, inline)


@bp.route("/<int:attachment_id>/thumb")
def thumbnail(attachment_id: int) -> Any:
    """The thumbnail of an image attachment."""
    try:
        opened = attachments.open_attachment(g.env, attachment_id, thumbnail=True)
    except FileNotFoundError:
        abort(404)
    return _send(opened, True)


@bp.route("/<int:attachment_id>/delete", methods=["POST"])
def remove(attachment_id: int) -> Any:
    """Delete an attachment (write access to its record)."""
    attachments.delete_attachment(g.env, attachment_id)
    flash(_("Deleted."), "success")
    return redirect(_back() + "#tab-attachments")
