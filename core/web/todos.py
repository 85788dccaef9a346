"""The to-do list page (``/todos/``), its count for the navigation bar, and the home page's card.

Everything comes from :func:`core.todos.todos_for`; entries are labelled with
:func:`core.web.generic.labels.prefetch_labels` (one query per model, through
the reader's rules) and linked to the record's detail page.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from flask import Blueprint, g, jsonify, render_template

from core import todos as svc

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("tixi_todos", __name__, url_prefix="/todos")

#: entries per to-do on the to-do page (the home page shows svc.DEFAULT_ENTRIES)
PAGE_ENTRIES = 50


def present(env: Env, todos: list[svc.Todo]) -> list[dict[str, Any]]:
    """To-dos with labelled, linked entries for the templates."""
    from core.registry import model_class
    from core.web.generic.labels import fk_label, prefetch_labels
    from core.web.notifications import record_url

    by_model: dict[str, list[int]] = defaultdict(list)
    for todo in todos:
        for e in todo.entries:
            if e.label is None:
                by_model[e.model].append(e.res_id)
    for table, ids in by_model.items():
        cls = model_class(table)
        if cls is not None:
            prefetch_labels(cls, ids, env)
    out = []
    for todo in todos:
        entries = []
        for e in todo.entries:
            cls = model_class(e.model)
            text = e.label if e.label is not None else (fk_label(cls, e.res_id, env) if cls else f"#{e.res_id}")
            entries.append({"entry": e, "label": text, "url": e.url or record_url(e.model, e.res_id)})
        out.append({"todo": todo, "entries": entries, "more": todo.count - len(entries)})
    return out


@bp.route("/")
def index() -> Any:
    """Every to-do of the current user with its waiting records."""
    env = g.env
    return render_template("todos/index.html", items=present(env, svc.todos_for(env, entries=PAGE_ENTRIES)))


@bp.route("/count.json")
def count() -> Any:
    """``{"count": n}``: how many things wait for the current user (fetched by the navigation bar)."""
    return jsonify({"count": svc.todo_total(g.env)})
