"""The promotion toolkit (推广工具包): items, numbered versions per language, approval, publication.

A version's file is a kernel attachment of the version record (content-typed,
size-limited per company); reading it is reading the version, so the record
rules decide who downloads what: salespeople reach only the *published,
current* version of each item and language. A version is submitted by the
brand owner, approved by the director or the general manager and published by
the brand owner; publishing makes it the current one and the previous current
version of the same item and language stops being current (it stays in the
history). Versions are not edited on the pages (a new version is added).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, update

from core import attachments
from core.db import utcnow
from core.errors import ValidationError
from core.i18n import _
from core.security import approvals

from ..models import TOOLKIT_KIND, TOOLKIT_LANG, ToolkitItem, ToolkitVersion
from ..workflows import VERSION_WORKFLOW
from .common import required_text

if TYPE_CHECKING:
    from core.security.env import Env


def create_item(env: Env, values: Mapping[str, Any]) -> ToolkitItem:
    """A new toolkit item (kind, Chinese and English titles)."""
    kind = values.get("kind")
    if kind not in TOOLKIT_KIND:
        msg = _("Choose the kind of material.")
        raise ValidationError(msg, {"kind": msg})
    clean = {"kind": kind, "title_zh": required_text(values.get("title_zh"), "title_zh", _("Title (Chinese)")),
             "title_en": required_text(values.get("title_en"), "title_en", _("Title (English)")),
             "description": (values.get("description") or "").strip() or None}
    with env.session.begin_nested():
        return env.create(ToolkitItem, clean)


def add_version(env: Env, item: ToolkitItem, lang: str, file: Any, filename: str | None = None,
                note: str | None = None) -> ToolkitVersion:
    """The next version of ``item`` in ``lang`` with its file; all or nothing (a refused file saves nothing)."""
    if lang not in TOOLKIT_LANG:
        msg = _("Choose the language of the version.")
        raise ValidationError(msg, {"lang": msg})
    if file is None or (isinstance(file, (bytes, bytearray)) and not file):
        msg = _("Choose the file of the version.")
        raise ValidationError(msg, {"file": msg})
    env.check(ToolkitVersion, "create")
    # sudo: the numbering counts every version of the item, published or not
    last = env.sudo().scalar(env.sudo().select(ToolkitVersion, func.max(ToolkitVersion.number)).where(
        ToolkitVersion.item_id == item.id, ToolkitVersion.lang == lang))
    with env.session.begin_nested():
        version = env.create(ToolkitVersion, {"item_id": item.id, "lang": lang, "number": (last or 0) + 1,
                                              "note": (note or "").strip() or None, "state": "draft"})
        attachments.attach(env, version, file, filename=filename)
    return version


def file_of(env: Env, version: ToolkitVersion) -> Any:
    """The version's attachment (the latest one), or None."""
    files = attachments.list_attachments(env, version)
    return files[-1] if files else None


def fire(env: Env, version: ToolkitVersion, transition: str, comment: str | None = None) -> ToolkitVersion:
    """Submit, approve, send back or publish a version (the kernel checks who may)."""
    if transition == "submit" and file_of(env, version) is None:
        raise ValidationError(_("Attach the file before submitting the version."))
    with env.session.begin_nested():
        approvals.fire(env, VERSION_WORKFLOW, version, transition, comment=comment)
    return version


def on_published(env: Env, version: ToolkitVersion) -> None:
    """Make ``version`` the current one of its item and language (called on the ``publish`` transition).

    A version that is not a draft is locked by a global record rule (``rule_toolkit_version_locked``:
    no write, no file attached or removed, administrators included), so the flags are moved here in
    two bulk updates the addon audits itself; the kernel approvals authorised the transition.
    """
    now = utcnow()
    # sudo: the previous current versions are found whatever the user may read (they are locked)
    sudo = env.sudo()
    old = list(sudo.scalars(sudo.select(ToolkitVersion, ToolkitVersion.id).where(
        ToolkitVersion.item_id == version.item_id, ToolkitVersion.lang == version.lang,
        ToolkitVersion.current.is_(True), ToolkitVersion.id != version.id)))
    if old:
        sudo.execute(update(ToolkitVersion).where(ToolkitVersion.id.in_(old)).values(current=False)
                     .execution_options(synchronize_session="fetch"))
    sudo.execute(update(ToolkitVersion).where(ToolkitVersion.id == version.id)
                 .values(current=True, published_at=now).execution_options(synchronize_session="fetch"))
    for vid in old:
        env.audit(ToolkitVersion.__tablename__, vid, "write", {"current": [True, False]})
    env.audit(ToolkitVersion.__tablename__, version.id, "write",
              {"current": [False, True], "published_at": [None, now.isoformat()]})


def library(env: Env, lang: str | None = None) -> list[dict[str, Any]]:
    """Items with the versions the user may read (salespeople: the published, current ones)."""
    items = env.search(ToolkitItem, order_by=[ToolkitItem.kind, ToolkitItem.id])
    by_item: dict[int, list[ToolkitVersion]] = {}
    where = [ToolkitVersion.item_id.in_([i.id for i in items])]
    if lang:
        where.append(ToolkitVersion.lang == lang)
    versions = env.search(ToolkitVersion, *where, order_by=[ToolkitVersion.lang, ToolkitVersion.number.desc()])
    files = attachments.attachments_of(env, ToolkitVersion, [v.id for v in versions])
    for v in versions:
        by_item.setdefault(v.item_id, []).append(v)
    return [{"item": i, "versions": [(v, (files.get(v.id) or [None])[-1]) for v in by_item.get(i.id, [])]}
            for i in items if by_item.get(i.id) or env.can(ToolkitVersion, "create")]
