"""Form-extension test addon: an editable "packing note" on webshop's item form, stored in webextra_note."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.i18n import _, _l
from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


def _note(env: Env, item: Any) -> Any:
    from webextra.models import Note

    return env.scalar(env.select(Note).where(Note.item_id == item.id))


def load_note(env: Env, item: Any) -> str | None:
    """The item's packing note, or None."""
    note = _note(env, item)
    return note.text if note is not None else None


def save_note(env: Env, item: Any, value: str | None) -> None:
    """Create, change or (blank) delete the item's note through Env."""
    from webextra.models import Note

    note = _note(env, item)
    if note is None:
        if value is not None:
            env.create(Note, {"item_id": item.id, "text": value})
    elif value is None:
        env.delete(note)
    else:
        env.write(note, {"text": value})


def validate_note(env: Env, item: Any, value: str | None) -> str | None:
    """A note may not shout; a note on a free item must say why."""
    if value and value.startswith("!"):
        return _("A packing note cannot start with an exclamation mark.")
    if value and item.price == 0 and "free" not in value.lower():
        return _("A note on a free item must say why it is free.")
    return None


def note_extension() -> Any:
    """The packing-note field webextra adds to webshop's item form."""
    from wtforms import StringField
    from wtforms.validators import Length, Optional

    from core.web.generic import FormExtension
    from webextra.models import Note

    return FormExtension(
        name="webextra.note",
        model=Note,
        field=lambda: StringField(_l("Packing note"), validators=[
            Optional(), Length(max=40, message=_l("At most %(max)d characters.", max=40))]),
        load=load_note,
        save=save_note,
        validate=validate_note,
    )


@hookimpl
def tixi_view_extend(view: str, env: Env) -> dict[str, Any] | None:
    """Add the packing note to webshop's item form and detail page."""
    if view != "webshop.item":
        return None
    return {"fields": [note_extension()]}
