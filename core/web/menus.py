"""Navigation entries contributed through the ``tixi_menu_items(env)`` hook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import url_for
from werkzeug.routing import BuildError

if TYPE_CHECKING:
    from core.security.env import Env


@dataclass
class MenuItem:
    """One navigation entry.

    ``key`` is unique; ``label`` a (lazy) translated string; ``endpoint`` a Flask
    endpoint (``"masterdata.customer_list"``); ``model`` a model class or table
    name: the item is hidden unless the user has ``perm`` on it (``"read"``; a
    "new ..." entry says ``perm="create"``, so nobody is shown a page that
    answers 403; a tuple of models: every one of them); ``visible(env)`` an
    optional last say for a page whose use depends on more than rights;
    ``group`` a group code
    (or list of codes) the user must be in; ``parent`` the key of another item
    (one level of sub-menus); ``icon`` an optional short text/emoji.
    """

    key: str
    label: Any
    endpoint: str
    model: Any = None
    group: str | list[str] | None = None
    perm: str = "read"
    sequence: int = 100
    icon: str | None = None
    parent: str | None = None
    url_values: dict[str, Any] = field(default_factory=dict)
    visible: Callable[[Env], bool] | None = None
    children: list[MenuItem] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The item's URL (``#`` when the endpoint is not mounted)."""
        try:
            return url_for(self.endpoint, **self.url_values)
        except BuildError:
            return "#"


def visible_items(env: Env) -> list[MenuItem]:
    """Menu tree for ``env``: hook results filtered by groups and read rights, sorted."""
    from core.plugins import flatten

    return menu_tree(env, flatten(env.hooks.tixi_menu_items(env=env)))


def menu_tree(env: Env, offered: list[MenuItem]) -> list[MenuItem]:
    """``offered`` items the user may open (groups, ``perm`` on every model, ``visible``), as a tree."""
    items: list[MenuItem] = []
    for item in offered:
        if item.group:
            groups = [item.group] if isinstance(item.group, str) else list(item.group)
            if not env.in_group(*groups):
                continue
        models = item.model if isinstance(item.model, (tuple, list)) else (item.model,)
        if any(m is not None and not env.can(m, item.perm) for m in models):
            continue
        if item.visible is not None and not item.visible(env):
            continue
        items.append(MenuItem(**{**item.__dict__, "children": []}))
    by_key = {i.key: i for i in items}
    roots: list[MenuItem] = []
    for item in sorted(items, key=lambda i: (i.sequence, i.key)):
        parent = by_key.get(item.parent) if item.parent else None
        if parent is not None:
            parent.children.append(item)
        elif item.parent is None:
            roots.append(item)
    # a parent without any visible child and without its own page is dropped
    return [r for r in roots if r.children or r.endpoint]
