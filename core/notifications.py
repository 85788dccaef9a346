"""Notifications: types declared by addons, an in-app inbox per user, optional e-mail (SMTP).

Addons declare their notification types through ``tixi_notification_types``
(a start-up hook); the kernel declares its own (:data:`KERNEL_TYPES`: an
approval waiting for you, the decision on your request). Subject and body are
English msgids with ``%(name)s`` placeholders, translated through
:mod:`core.i18n` in the **recipient's** language when shown and when e-mailed::

    from core.i18n import N_, _l
    from core.notifications import NotificationType, notify

    @hookimpl
    def tixi_notification_types():
        return [NotificationType("visits.overdue", _l("Overdue visit"),
                                 subject=N_("Visit overdue: %(customer)s"),
                                 body=N_("The visit to %(customer)s was due on %(day)s."))]

    notify(env, [user_id], "visits.overdue", record=visit, customer=customer.name, day="2026-12-03")

:func:`notify` writes one :class:`~core.models.Notification` row per recipient
(in the env's company; recipients outside it are skipped) whose in-app
preference is on, and queues an e-mail for those whose e-mail preference is on
and who have an address, when the instance configures ``[smtp]``. Mails leave
**after the transaction commits** (never for a rolled-back change, nor for a
rolled-back savepoint); a failure to send is logged, never raised.

A parameter may be a lazy message (``_l("Approved")``: translated for each
reader), a ``{"zh_CN": ..., "en": ...}`` dict (reference data), or a plain
value (shown as given).

Users see only their own notifications: every read goes through
:func:`inbox_select`, the company filter of :class:`~core.security.env.Env`
plus ``user_id = env.user_id`` in SQL.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from core.db import utcnow
from core.errors import AccessDenied, TixiError
from core.i18n import N_, LazyText, _, _l, current_lang, label, translate, use_lang
from core.models import (
    Group,
    Notification,
    NotificationPreference,
    User,
    group_implied,
    user_company,
    user_group,
)

if TYPE_CHECKING:
    from core.security.env import Env

log = logging.getLogger(__name__)

__all__ = [
    "KERNEL_TYPES",
    "NotificationType",
    "SmtpSettings",
    "UnknownNotificationType",
    "inbox",
    "inbox_select",
    "mail",
    "mark_all_read",
    "mark_read",
    "notification_types",
    "notify",
    "preferences",
    "render",
    "set_preference",
    "smtp_settings",
    "unread_count",
]


class UnknownNotificationType(TixiError):
    """``notify`` was given a type code that no installed addon (nor the kernel) declares."""


@dataclass(frozen=True)
class NotificationType:
    """A kind of notification: code ``<addon>.<name>``, label, subject and body msgids.

    ``inapp`` and ``email`` are the defaults of a user's preference for the
    type (each user may change them on the preferences page). ``addon`` is set
    by the kernel to the declaring addon (``core`` for the kernel's own).
    """

    code: str
    label: Any
    subject: str
    body: str
    inapp: bool = True
    email: bool = True
    addon: str = field(default="", compare=False)


KERNEL_TYPES: tuple[NotificationType, ...] = (
    NotificationType(
        "core.approval_pending",
        _l("Approval waiting for you"),
        subject=N_("To approve: %(title)s"),
        body=N_("%(requester)s asks for your decision on %(title)s (%(state)s)."),
        addon="core",
    ),
    NotificationType(
        "core.approval_decided",
        _l("Decision on your request"),
        subject=N_("%(title)s: %(state)s"),
        body=N_("%(actor)s moved %(title)s to %(state)s. %(comment)s"),
        addon="core",
    ),
    NotificationType(
        "core.report_ready",
        _l("Subscribed report ready"),
        subject=N_("Report: %(title)s"),
        body=N_("%(title)s (%(period)s): %(rows)s rows. Open it: %(url)s"),
        addon="core",
    ),
    NotificationType(
        "core.report_failed",
        _l("Subscribed report not produced"),
        subject=N_("Report not produced: %(title)s"),
        body=N_("Your subscription to %(title)s could not be computed: %(reason)s"),
        addon="core",
    ),
)


# ----- types ---------------------------------------------------------------------------------
def notification_types(registry: Any) -> dict[str, NotificationType]:
    """Every declared type by code: the kernel's, then each installed addon's.

    A code must start with its addon's name and a dot (``pricing.quote_expiring``);
    a code declared twice, or in another addon's name, is a :class:`TixiError`.
    """
    out: dict[str, NotificationType] = {t.code: t for t in KERNEL_TYPES}
    hook = getattr(registry.pm.hook, "tixi_notification_types", None)
    if hook is None:
        return out
    for impl in reversed(hook.get_hookimpls()):  # registration order
        owner = impl.plugin_name
        for t in impl.function() or []:
            if not isinstance(t, NotificationType):
                raise TixiError(f"{owner}: tixi_notification_types must return NotificationType objects")
            if not t.code.startswith(f"{owner}."):
                raise TixiError(f"{owner}: notification type {t.code!r} must be named '{owner}.<name>'")
            if t.code in out:
                raise TixiError(f"{owner}: notification type {t.code!r} is declared twice")
            out[t.code] = replace(t, addon=owner)
    return out


def types_for(env: Env) -> list[NotificationType]:
    """Types of the kernel and of the addons enabled for the env's company (preferences page)."""
    return [t for t in notification_types(env.registry).values() if t.addon == "core" or t.addon in env.enabled]


def _type(env: Env, code: str) -> NotificationType:
    t = notification_types(env.registry).get(code)
    if t is None:
        raise UnknownNotificationType(_("Unknown notification type %(code)s.", code=code))
    return t


# ----- parameters and rendering --------------------------------------------------------------
def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, LazyText):
        return {"_msgid": value.message, "_kwargs": {k: _encode(v) for k, v in value.kwargs.items()}}
    if hasattr(value, "_args") and hasattr(value, "_func") and value._args:  # flask_babel's LazyString
        return {"_msgid": str(value._args[0]), "_kwargs": {}}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    return str(value)


def _decode(value: Any, lang: str) -> Any:
    if isinstance(value, Mapping):
        if "_msgid" in value:
            kwargs = {k: _decode(v, lang) for k, v in (value.get("_kwargs") or {}).items()}
            return translate(value["_msgid"], lang, **kwargs)
        return label(value, lang)
    return "" if value is None else value


class _Params(dict):
    """Placeholders of a message: a missing one shows as empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def render(type_: NotificationType, params: Mapping[str, Any], lang: str | None = None) -> tuple[str, str]:
    """``(subject, body)`` of a notification in ``lang`` (default: the current language)."""
    lang = lang or current_lang()
    values = _Params({k: _decode(v, lang) for k, v in params.items()})
    texts = []
    for msgid in (type_.subject, type_.body):
        try:
            texts.append(translate(msgid, lang) % values)
        except (TypeError, ValueError, KeyError):
            texts.append(translate(msgid, lang))
    return texts[0].strip(), texts[1].strip()


def render_row(env: Env, row: Notification, lang: str | None = None) -> tuple[str, str]:
    """Subject and body of a stored notification (a type no longer installed shows its code)."""
    t = notification_types(env.registry).get(row.type_code)
    params = json.loads(row.params or "{}")
    if t is None:
        return row.type_code, ""
    return render(t, params, lang)


# ----- preferences ---------------------------------------------------------------------------
def preferences(session: Session, user_ids: Iterable[int], type_: NotificationType) -> dict[int, tuple[bool, bool]]:
    """``{user_id: (inapp, email)}`` for one type (the type's defaults where a user chose nothing)."""
    ids = list(user_ids)
    out = {uid: (type_.inapp, type_.email) for uid in ids}
    if not ids:
        return out
    rows = session.scalars(
        select(NotificationPreference).where(
            NotificationPreference.type_code == type_.code, NotificationPreference.user_id.in_(ids)
        )
    )
    for row in rows:
        out[row.user_id] = (row.inapp, row.email)
    return out


def user_preferences(env: Env) -> list[dict[str, Any]]:
    """The env user's choice for every type the company uses: ``{type, inapp, email}``."""
    types = types_for(env)
    chosen = {
        p.type_code: p
        for p in env.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == env.user_id))
    }
    rows = []
    for t in types:
        p = chosen.get(t.code)
        rows.append({"type": t, "inapp": p.inapp if p else t.inapp, "email": p.email if p else t.email})
    return rows


def set_preference(env: Env, type_code: str, inapp: bool, email: bool) -> None:
    """Save the env user's choice for one type (an unknown type is refused)."""
    _type(env, type_code)
    row = env.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == env.user_id, NotificationPreference.type_code == type_code
        )
    )
    if row is None:
        row = NotificationPreference(user_id=env.user_id, type_code=type_code)
        env.session.add(row)
    row.inapp, row.email = bool(inapp), bool(email)
    env.session.flush()


# ----- sending -------------------------------------------------------------------------------
def notify(
    env: Env, user_ids: Iterable[int | None], type_code: str, record: Any = None, *,
    inapp: bool | None = None, email: bool | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (), **params: Any
) -> list[Notification]:
    """Notify users of the env's company: inbox rows now, e-mails after the commit.

    ``record`` links the notification to a record (its table and id); ``params``
    fill the type's texts. Returns the rows written (users whose in-app
    preference is off get none). An unknown ``type_code`` raises
    :class:`UnknownNotificationType` and writes nothing.

    ``inapp`` / ``email`` override the users' preferences when not ``None``
    (a report subscription names its channel); ``attachments`` are
    ``(filename, bytes, mime type)`` files added to the e-mail.
    """
    t = _type(env, type_code)
    stored = json.dumps({k: _encode(v) for k, v in params.items()}, ensure_ascii=False)
    wanted = {int(u) for u in user_ids if u is not None}
    if not wanted:
        return []
    # the kernel's own read: recipients are active members of the env's company
    users = list(
        env.session.scalars(
            select(User)
            .join(user_company, user_company.c.user_id == User.id)
            .where(User.id.in_(wanted), User.active.is_(True), user_company.c.company_id == env.company_id)
            .order_by(User.id)
        )
    )
    prefs = preferences(env.session, [u.id for u in users], t)
    model = getattr(record, "__tablename__", None) if record is not None else None
    res_id = getattr(record, "id", None) if record is not None else None
    rows: list[Notification] = []
    settings = None
    for user in users:
        want_inapp, want_email = prefs[user.id]
        want_inapp = want_inapp if inapp is None else inapp
        want_email = want_email if email is None else email
        if want_inapp:
            row = Notification(company_id=env.company_id, user_id=user.id, type_code=t.code,
                               model=model, res_id=res_id, params=stored, created_at=utcnow())
            env.session.add(row)
            rows.append(row)
        if want_email and user.email:
            settings = settings if settings is not None else smtp_settings(env.registry)
            if settings:
                with use_lang(user.lang) as lang:
                    subject, body = render(t, json.loads(stored), lang)
                _queue_mail(env.session, settings, user, subject, body, attachments)
    env.session.flush()
    return rows


def mail(env: Env, address: str, subject: str, body: str, name: str | None = None) -> bool:
    """E-mail someone who is not a user (a customer's contact): after the commit, as :func:`notify`'s mails.

    ``subject`` and ``body`` are final texts (the caller renders them in the language
    it chooses). Returns whether a mail was queued: False when the instance has no
    ``[smtp]`` or the address is blank. Nothing leaves for a rolled-back change.
    """
    address = (address or "").strip()
    if not address or "@" not in address:
        return False
    settings = smtp_settings(env.registry)
    if settings is None:
        return False
    _queue_mail(env.session, settings, _Recipient(name or "", address), subject, body)
    return True


@dataclass(frozen=True)
class _Recipient:
    """What :func:`_queue_mail` reads of a recipient (a user, or an address given to :func:`mail`)."""

    name: str
    email: str


@dataclass(frozen=True)
class SmtpSettings:
    """The instance's ``[smtp]`` table of ``config.toml``."""

    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "tixi@localhost"
    starttls: bool = False
    ssl: bool = False
    timeout: float = 10.0


def smtp_settings(registry: Any) -> SmtpSettings | None:
    """The SMTP server of the registry's instance, or ``None`` (no mail is attempted).

    ``config.toml``::

        [smtp]
        host = "smtp.example.com"
        port = 587
        user = "tixi"
        password = "..."
        from = "Tixi <tixi@example.com>"
        starttls = true
    """
    instance = getattr(registry, "instance", None)
    if instance is None:
        return None
    try:
        raw = instance.config().get("smtp")
    except TixiError as exc:
        log.error("smtp: %s", exc)
        return None
    if not isinstance(raw, dict) or not raw.get("host"):
        return None
    try:
        return SmtpSettings(
            host=str(raw["host"]),
            port=int(raw.get("port", 465 if raw.get("ssl") else 587 if raw.get("starttls") else 25)),
            user=raw.get("user") or None,
            password=raw.get("password") or None,
            sender=str(raw.get("from") or "tixi@localhost"),
            starttls=bool(raw.get("starttls", False)),
            ssl=bool(raw.get("ssl", False)),
            timeout=float(raw.get("timeout", 10)),
        )
    except (TypeError, ValueError) as exc:
        log.error("smtp: bad [smtp] settings in config.toml (%s); no mail is sent", exc)
        return None


_OUTBOX = "tixi_mail_outbox"


def _queue_mail(session: Session, settings: SmtpSettings, user: User | _Recipient, subject: str, body: str,
                attachments: Sequence[tuple[str, bytes, str]] = ()) -> None:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.sender
    msg["To"] = formataddr((user.name, user.email)) if user.name else user.email
    msg["Message-ID"] = make_msgid(domain="tixi")
    msg.set_content(body)
    for filename, data, mime in attachments:
        maintype, _sep, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
    box = session.info.get(_OUTBOX)
    if box is None:
        box = session.info[_OUTBOX] = []
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_soft_rollback)
        event.listen(session, "after_transaction_end", _after_transaction_end)
    current = session.get_nested_transaction() or session.get_transaction()
    box.append((current, settings, msg))


def _descends(trans: Any, ancestor: Any) -> bool:
    while trans is not None:
        if trans is ancestor:
            return True
        trans = trans.parent
    return False


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    box = session.info.get(_OUTBOX) or []
    box[:] = [entry for entry in box if not _descends(entry[0], previous_transaction)]


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the outer transaction may still roll back
    box = session.info.get(_OUTBOX) or []
    pending, box[:] = list(box), []
    if pending:
        try:
            send_mails([(settings, msg) for _trans, settings, msg in pending])
        except Exception:  # noqa: BLE001 - the change is committed: a mail problem must not fail the request
            log.exception("smtp: sending %d mail(s) failed", len(pending))


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        box = session.info.get(_OUTBOX)
        if box:
            box.clear()  # ended without a commit (closed): nothing leaves


def send_mails(messages: list[tuple[SmtpSettings, EmailMessage]]) -> int:
    """Send messages (one connection per server); errors are logged. Returns how many left."""
    sent = 0
    by_server: dict[SmtpSettings, list[EmailMessage]] = {}
    for settings, msg in messages:
        by_server.setdefault(settings, []).append(msg)
    for settings, msgs in by_server.items():
        try:
            if settings.ssl:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                                      context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            with conn:
                if settings.starttls:
                    conn.starttls(context=ssl.create_default_context())
                if settings.user:
                    conn.login(settings.user, settings.password or "")
                for msg in msgs:
                    try:
                        conn.send_message(msg)
                        sent += 1
                    except smtplib.SMTPException as exc:
                        log.error("smtp: mail to %s not sent: %s", msg["To"], exc)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("smtp: cannot send %d mail(s) through %s:%s: %s", len(msgs), settings.host, settings.port, exc)
    return sent


# ----- the inbox -----------------------------------------------------------------------------
def inbox_select(env: Env) -> Any:
    """A ``Select`` of the env user's notifications in the current company (nobody else's)."""
    # elevated on purpose: core_notification has no access rights; ownership is the filter
    return env.sudo().select(Notification).where(Notification.user_id == env.user_id)


def inbox(env: Env, limit: int = 50, offset: int = 0, unread_only: bool = False) -> list[Notification]:
    """The env user's notifications, newest first."""
    stmt = inbox_select(env)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit).offset(offset)
    return list(env.sudo().scalars(stmt))


def unread_count(env: Env) -> int:
    """How many unread notifications the env user has in the current company (one query)."""
    stmt = inbox_select(env).where(Notification.read_at.is_(None)).with_only_columns(func.count(Notification.id))
    return int(env.sudo().scalar(stmt) or 0)


def get(env: Env, notification_id: int) -> Notification:
    """One of the env user's notifications; another user's (or a missing one) is refused."""
    row = env.sudo().scalar(inbox_select(env).where(Notification.id == notification_id))
    if row is None:
        raise AccessDenied(_("This notification does not exist or is not yours."))
    return row


def mark_read(env: Env, notification_id: int) -> Notification:
    """Mark one of the env user's notifications read (another user's is refused)."""
    row = get(env, notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        env.session.flush()
    return row


def mark_all_read(env: Env) -> int:
    """Mark every unread notification of the env user in the current company read; how many."""
    stmt = (
        update(Notification)
        .where(Notification.user_id == env.user_id, Notification.company_id == env.company_id,
               Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(env.sudo().execute(stmt).rowcount or 0)


# ----- approvals -----------------------------------------------------------------------------
def record_label(env: Env, record: Any) -> Any:
    """A record's name for a notification: the addon's label (``tixi_explain_label``), else model #id."""
    from core.i18n import model_label

    model = record.__tablename__
    text = env.hooks.tixi_explain_label(model=model, res_id=record.id, env=env)
    if text:
        return str(text)
    return {lang: f"{model_label(type(record), lang)} #{record.id}" for lang in ("zh_CN", "en")}


def _pending(workflow: Any, state: str) -> list[Any]:
    """Transitions out of ``state`` that somebody other than the requester must fire (approvals)."""
    return [t for t in workflow.transitions if state in t.sources and (t.not_by_requester or t.authority)]


def _group_closure(env: Env, codes: set[str]) -> set[int]:
    """Ids of the groups with these codes and of every group that implies one of them."""
    ids = set(env.session.scalars(select(Group.id).where(Group.code.in_(codes)))) if codes else set()
    frontier = set(ids)
    while frontier:
        parents = set(env.session.scalars(select(group_implied.c.group_id).where(group_implied.c.implied_id.in_(frontier))))
        frontier = parents - ids
        ids |= frontier
    return ids


def approvers(env: Env, workflow: Any, record: Any, row: Any) -> list[int]:
    """Users of the env's company who may fire one of the pending transitions now (not the requester)."""
    from core.security import approvals
    from core.security.env import Env as EnvClass

    pending = _pending(workflow, row.state)
    codes: set[str] = set()
    for t in pending:
        codes |= set(t.groups) | set(t.authority)
    group_ids = _group_closure(env, codes)
    if not group_ids:
        return []
    candidates = env.session.scalars(
        select(user_group.c.user_id)
        .join(user_company, user_company.c.user_id == user_group.c.user_id)
        .where(user_group.c.group_id.in_(group_ids), user_company.c.company_id == env.company_id)
        .distinct()
    )
    out = []
    for uid in sorted(set(candidates) - {env.user_id, row.requested_by_id}):
        try:
            other = EnvClass(env.registry, env.session, uid, env.company_id)
        except AccessDenied:
            continue  # disabled
        for t in pending:
            try:
                approvals._check(other, workflow, record, t, row.state, row.amount)
            except AccessDenied:
                continue
            out.append(uid)
            break
    return out


def notify_transition(
    env: Env, workflow: Any, record: Any, old_state: str, row: Any, comment: str | None = None
) -> None:
    """After a transition: the approvers hear of a pending request, the requester of the decision.

    A state is *pending* when a ``not_by_requester`` or ``authority`` transition
    leaves it; a transition out of a pending state fired by somebody other
    than the requester is a decision.
    """
    state = workflow.states.get(row.state, row.state)
    decided = bool(_pending(workflow, old_state))
    pending = _pending(workflow, row.state)
    if not decided and not pending:
        return
    label_ = record_label(env, record)
    if decided and row.requested_by_id and row.requested_by_id != env.user_id:
        notify(env, [row.requested_by_id], "core.approval_decided", record=record, title=label_,
               state=state, actor=env.user.name, comment=comment or "")
    if pending:
        requester = env.session.get(User, row.requested_by_id) if row.requested_by_id else None
        notify(env, approvers(env, workflow, record, row), "core.approval_pending", record=record,
               title=label_, state=state, requester=requester.name if requester else "")
