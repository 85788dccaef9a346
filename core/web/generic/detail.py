"""The detail page of a :class:`~core.web.generic.ModelView` and its POST actions.

Tabs, related lists, audit history, approval state; buttons, approval
transitions and delete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from core.errors import AccessDenied, ConcurrentEditError, ValidationError
from core.i18n import _
from core.web.generic.declarations import Button, tr
from core.web.generic.extensions import form_extensions
from core.web.generic.forms import _rollback
from core.web.generic.labels import (
    _col,
    audit_value,
    fk_label,
    format_cell,
    prefetch_labels,
)

if TYPE_CHECKING:
    from core.security.env import Env


class DetailMixin:
    """Detail page, button and approval actions, delete of a :class:`~core.web.generic.ModelView`."""

    def detail_view(self, id: int) -> Any:  # noqa: A002
        """The detail page: fields, tabs, related lists, audit history, approval state."""
        env = g.env
        record = env.get(self.model, id)
        ext = self.extensions(env)
        tabs = sorted([*self.tabs, *ext["tabs"]], key=lambda t: (t.sequence, t.key))
        rendered_tabs = [(t, _markup(t.render(env, record))) for t in tabs]
        related = []
        for rel in self.related:
            if not env.can(rel.model, "read"):
                continue
            rcols = [c for c in (_col(c) for c in rel.columns) if c.value is not None or env.field_visible(rel.model, c.name)]
            fk = rel.model.__table__.c[rel.fk]
            stmt = env.select(rel.model).where(fk == record.id)
            rows = list(env.scalars(stmt.limit(rel.limit)))
            self.prefetch(rows, rcols, rel.model)
            rview = current_app.extensions.get("tixi_views", {}).get(rel.view) if rel.view else None
            related.append((rel, rcols, rows, rview))
        history = self.history(env, record)
        can_write = self.can_edit and env.can(self.model, "write") and env.allowed(record, "write")
        can_delete = self.can_delete and env.can(self.model, "delete") and env.allowed(record, "delete")
        buttons = [b for b in [*self.buttons, *ext["buttons"]] if self._button_allowed(env, b, record)]
        approval = self.approval_info(env, record)
        return render_template(
            self.templates["detail"],
            view=self,
            record=record,
            fields=self.detail_columns(env),
            tabs=rendered_tabs,
            related=related,
            history=history,
            can_write=can_write,
            can_delete=can_delete,
            buttons=buttons,
            approval=approval,
            attachments=self.attachments_info(env, record, can_write if self.can_edit else None),
            extension_values=[(ext.name, ext.text_label(), format_cell(ext.load(env, record)))
                              for ext, _mode in form_extensions(self, env) if ext.detail],
        )

    def attachments_info(self, env: Env, record: Any, can_write: bool | None = None) -> dict[str, Any] | None:
        """The Attachments tab: the record's files, whether the user may add or delete, limits.

        ``record`` was just read through ``env.get``; ``can_write`` (write right
        and rules on it) is computed unless given. ``None`` when the view sets
        ``attachments = False`` (no tab).
        """
        if not getattr(self, "attachments", True):
            return None
        from core import attachments

        if can_write is None:
            can_write = env.can(self.model, "write") and env.allowed(record, "write")
        lim = attachments.limits(env) if can_write else attachments.Limits()
        return {
            "files": attachments.list_attachments(env, record, checked=True),
            "can_write": can_write,
            "model": self.table.name,
            "max_size_mb": round(lim.max_size / (1024 * 1024), 1),
            "max_count": lim.max_count,
            "accept": "image/*,application/pdf",
        }

    def history(self, env: Env, record: Any) -> list[dict[str, Any]]:
        """Audit entries of the record, restricted fields' values removed, values shown for people.

        Each entry: ``entry``, ``user`` (name), ``changes`` (raw ``{field: [old,
        new]}``), ``labels`` (field labels in the reader's language) and
        ``values`` (``{field: (old, new)}`` as text: a foreign key as its
        target's display name when the reader may read the target, else
        ``#<id>``; a choice as its label).
        """
        import json

        from core.models import User

        entries = env.history(self.model, record.id)
        parsed = []
        for e in entries:
            try:
                changes = json.loads(e.changes or "{}")
            except ValueError:
                changes = {}
            if not isinstance(changes, dict):
                changes = {}
            visible = {
                k: v for k, v in changes.items()
                if k not in self.table.c or env.field_visible(self.model, k)
            }
            parsed.append((e, visible))
        prefetch_labels(User, {e.user_id for e in entries if e.user_id}, env)
        self._prefetch_change_labels(env, [changes for _e, changes in parsed])
        return [{"entry": e, "user": fk_label(User, e.user_id, env) if e.user_id else "", "changes": visible,
                 "labels": {k: self.field_label(k) for k in visible},
                 "values": {k: tuple(self.change_text(env, k, x) for x in _old_new(v)) for k, v in visible.items()}}
                for e, visible in parsed]

    def _prefetch_change_labels(self, env: Env, changes: list[dict[str, Any]]) -> None:
        """Labels of every foreign key named in the changes, one query per target."""
        ids: dict[str, set[Any]] = {}
        for entry in changes:
            for field, value in entry.items():
                if field in self.table.c and self.target_model(field) is not None:
                    ids.setdefault(field, set()).update(x for x in _old_new(value) if isinstance(x, int))
        for field, values in ids.items():
            prefetch_labels(self.target_model(field), values, env)

    def change_text(self, env: Env, field: str, value: Any) -> Any:
        """One audited value as the reader should see it (foreign key label, choice label, locale)."""
        if value is None or value == "":
            return ""
        labels = self._static_labels(field) if field in self.table.c else None
        if labels is not None:
            return labels.get(value, value)
        return audit_value(env, self.model, field, value)

    def approval_info(self, env: Env, record: Any) -> dict[str, Any] | None:
        """State, possible transitions and history of the record's approval workflow."""
        if not self.workflow:
            return None
        from core.security import approvals

        wf = approvals.workflows(env.registry).get(self.workflow)
        if wf is None:
            return None
        amount = getattr(record, self.workflow_amount) if self.workflow_amount else None
        state = approvals.current_state(env, wf, record)
        history = approvals.history(env, wf, record)
        from core.models import User

        prefetch_labels(User, {ev.user_id for ev in history} - {None})
        return {
            "workflow": wf,
            "state": state,
            "state_label": tr(wf.states.get(state, state)),
            "transitions": approvals.available(env, wf, record, amount),
            "history": history,
            "users": {ev.user_id: fk_label(User, ev.user_id) for ev in history if ev.user_id},
            "labels": {k: tr(v) for k, v in wf.states.items()},
        }

    def _button_allowed(self, env: Env, button: Button, record: Any) -> bool:
        if button.groups and not env.in_group(*button.groups):
            return False
        if button.perm and not env.allowed(record, button.perm):
            return False
        return button.visible is None or bool(button.visible(env, record))

    def action_view(self, id: int, action: str) -> Any:  # noqa: A002
        """POST target of buttons and approval transitions (``wf:<transition>``)."""
        env = g.env
        record = env.get(self.model, id)
        target = url_for(self.endpoint("detail"), id=id)
        if action.startswith("wf:"):
            from core.security import approvals

            wf = approvals.workflows(env.registry).get(self.workflow or "")
            if wf is None:
                abort(404)
            amount = getattr(record, self.workflow_amount) if self.workflow_amount else None
            try:
                approvals.fire(env, wf, record, action[3:], comment=request.form.get("comment") or None, amount=amount)
            except AccessDenied as exc:
                _rollback()
                flash(_("Refused: %(reason)s", reason=str(exc)), "danger")
                return redirect(target)
            flash(_("Done."), "success")
            return redirect(target)
        ext = self.extensions(env)
        for button in [*self.buttons, *ext["buttons"]]:
            if button.key == action:
                if not self._button_allowed(env, button, record):
                    raise AccessDenied(f"button {action} not allowed")
                try:
                    result = button.action(env, record)
                except (ValidationError, ConcurrentEditError) as exc:
                    _rollback()
                    flash(str(exc), "danger")
                    return redirect(target)
                if isinstance(result, str | Markup):
                    flash(result, "success")
                elif result is not None:
                    return result
                return redirect(target)
        abort(404)

    def delete_view(self, id: int) -> Any:  # noqa: A002
        """POST: delete the record (rights and rules checked by ``env.delete``)."""
        if not self.can_delete:
            abort(404)
        env = g.env
        record = env.get(self.model, id, "delete")
        env.delete(record)
        flash(_("Deleted."), "success")
        return redirect(url_for(self.endpoint("list")))


def _old_new(value: Any) -> tuple[Any, Any]:
    """``(old, new)`` of an audited change (``[old, new]``, or a bare new value)."""
    if isinstance(value, list | tuple):
        padded = [*value, None, None]
        return padded[0], padded[1]
    return None, value


def _markup(value: Any) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup.escape(value if value is not None else "")
