"""Editable fields one addon adds to another addon's generic form (Odoo's view inheritance).

An addon returns :class:`FormExtension` objects in the ``fields`` of its
``tixi_view_extend(view, env)``; the generic create/edit form of that view
then shows the field, fills it on edit with ``load(env, record)``, validates
it with the main record and saves it with ``save(env, record, value)`` in the
same transaction::

    from wtforms import StringField
    from core.web.generic import FormExtension

    def _load(env, item):
        note = _note_of(env, item)
        return note.text if note else None

    def _save(env, item, value):
        note = _note_of(env, item)
        if note is None:
            env.create(Note, {"item_id": item.id, "text": value})
        else:
            env.write(note, {"text": value})

    NOTE = FormExtension(
        name="webextra.note",                    # <extending addon>.<field>
        model=Note,                              # where the value is stored (its rights apply)
        field=lambda: StringField(_l("Packing note")),
        load=_load, save=_save,
        validate=lambda env, item, value: _("Too short.") if value and len(value) < 3 else None,
    )

    @hookimpl
    def tixi_view_extend(view, env):
        if view == "webshop.item":
            return {"fields": [NOTE]}

The order of a POST: the form's own validators (main fields and extension
fields), then ``env.create``/``env.write`` of the main record (flushed), then
every extension's ``validate(env, record, value)`` (the record already holds
the submitted values and has its id), then each ``save`` whose value changed.
Any :class:`~core.errors.ValidationError` (from the main record, a
``validate`` or a ``save``) rolls back everything the request wrote and the
form comes back (422) with the message on the field it belongs to.

Rights come from ``model``: a user who may create and write it edits the
field; one who may only read it sees it read-only (disabled, the posted value
ignored, ``save`` never called); one who may not read it (or whose company has
not enabled the extending addon) does not see it at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wtforms.fields.core import UnboundField
from wtforms.validators import Optional

from core.errors import ValidationError

if TYPE_CHECKING:
    from core.security.env import Env

#: How a user meets an extension field: edits it, sees it read-only, or not at all.
EDIT, READ = "edit", "read"


@dataclass
class FormExtension:
    """An editable field added to another addon's generic form, stored in the extending addon's model.

    ``name`` is namespaced by the extending addon (``"territories.region_note"``);
    the form field is called :attr:`key` (dots become ``__``). ``field`` is an
    unbound WTForms field or a factory returning one (label, validators).
    ``load(env, record)`` gives the current value (not called on create);
    ``save(env, record, value)`` stores it through ``env.create``/``env.write``
    on ``model`` after the main record is flushed; ``validate(env, record,
    value)`` returns an error message or None. ``label`` (default: the field's
    label) and ``detail`` (show the value on the detail page) concern the
    detail page.
    """

    name: str
    model: type
    field: Callable[[], Any] | Any
    load: Callable[[Env, Any], Any]
    save: Callable[[Env, Any, Any], None]
    validate: Callable[[Env, Any, Any], Any] | None = None
    label: Any = None
    detail: bool = True

    @property
    def key(self) -> str:
        """The name of the form field (``webextra.note`` -> ``webextra__note``)."""
        return self.name.replace(".", "__")

    def mode(self, env: Env) -> str | None:
        """``"edit"`` (may create and write ``model``), ``"read"`` (may read it) or None (hidden)."""
        if not env.can(self.model, "read"):
            return None
        if env.can(self.model, "create") and env.can(self.model, "write"):
            return EDIT
        return READ

    def unbound(self, mode: str) -> UnboundField:
        """The WTForms field to put on the form: as declared, or disabled without validators."""
        unbound = self.field if isinstance(self.field, UnboundField) else self.field()
        if mode == EDIT:
            return unbound
        kwargs = dict(unbound.kwargs)
        kwargs["validators"] = [Optional()]
        kwargs["render_kw"] = {**(kwargs.get("render_kw") or {}), "disabled": True, "data-readonly": "1"}
        return UnboundField(unbound.field_class, *unbound.args[:1], **kwargs)

    def text_label(self) -> str:
        """The label shown on the detail page."""
        from core.i18n import label

        if self.label is not None:
            return label(self.label)
        unbound = self.field if isinstance(self.field, UnboundField) else self.field()
        text = unbound.args[0] if unbound.args else unbound.kwargs.get("label")
        return label(text) if text is not None else self.name


def form_extensions(view: Any, env: Env) -> list[tuple[FormExtension, str]]:
    """The view's extension fields this user may see, with their mode (``edit``/``read``)."""
    out = []
    for ext in view.extensions(env)["fields"]:
        if isinstance(ext, FormExtension):
            mode = ext.mode(env)
            if mode is not None:
                out.append((ext, mode))
    return out


def posted_value(form: Any, ext: FormExtension) -> Any:
    """The submitted value of an extension field (strings stripped, blank as None)."""
    value = form[ext.key].data
    if isinstance(value, str):
        value = value.strip() or None
    return value


def save_extensions(env: Env, form: Any, record: Any, created: bool) -> None:
    """Validate every editable extension field of a posted form, then save the changed ones.

    Runs after the main record is flushed, inside the request's transaction;
    raises :class:`ValidationError` with errors keyed by the form field, so
    the caller rolls back the main record too and shows them on the form.
    """
    from core.i18n import _

    editable = [ext for ext, mode in getattr(form, "tixi_extensions", []) if mode == EDIT]
    errors: dict[str, str] = {}
    for ext in editable:
        if ext.validate is not None:
            message = ext.validate(env, record, posted_value(form, ext))
            if message:
                errors[ext.key] = str(message)
    if errors:
        raise ValidationError(_("Please correct the errors below."), errors)
    for ext in editable:
        value = posted_value(form, ext)
        if not created and value == ext.load(env, record):
            continue
        if created and value is None:
            continue
        try:
            ext.save(env, record, value)
        except ValidationError as exc:
            messages = [str(m) for m in (exc.errors or {}).values()] or [str(exc)]
            raise ValidationError(str(exc), {ext.key: " ".join(messages)}) from None
