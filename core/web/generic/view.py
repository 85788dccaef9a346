"""The :class:`ModelView` class (declaration, URL rules, menu item) and the views of an app."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from flask import Blueprint, abort, current_app, g

from core.web.generic.columns import ColumnsMixin
from core.web.generic.declarations import Button, Col, Filter, FormField, Related, Tab
from core.web.generic.detail import DetailMixin
from core.web.generic.export import ExportMixin
from core.web.generic.forms import FormsMixin
from core.web.generic.labels import _col
from core.web.generic.listing import ListingMixin


# ----- the view ----------------------------------------------------------------------------
class ModelView(ColumnsMixin, ListingMixin, ExportMixin, DetailMixin, FormsMixin):
    """List, detail, form and export pages (and JSON API exposure) of one model.

    Endpoints, for ``name="masterdata.customer"`` on blueprint ``masterdata``:
    ``masterdata.customer_list``, ``_new``, ``_detail`` (``id``), ``_edit``
    (``id``), ``_export``, ``_action`` (``id``, ``action``), ``_delete`` (``id``).
    """

    def __init__(
        self,
        name: str,
        model: type,
        list_columns: Sequence[str | Col],
        search_fields: Sequence[str] = (),
        filters: Sequence[Filter] = (),
        form_fields: Sequence[str | FormField] | None = None,
        detail_fields: Sequence[str | Col] | None = None,
        tabs: Sequence[Tab] = (),
        related: Sequence[Related] = (),
        buttons: Sequence[Button] = (),
        url_prefix: str | None = None,
        label: Any = None,
        label_plural: Any = None,
        optional_columns: Sequence[str | Col] = (),
        field_labels: dict[str, Any] | None = None,
        choices: dict[str, Any] | None = None,
        order_by: Sequence[str] = (),
        page_size: int = 50,
        workflow: str | None = None,
        workflow_amount: str | None = None,
        can_create: bool = True,
        can_edit: bool = True,
        can_delete: bool = False,
        export: bool = True,
        api: bool = True,
        templates: dict[str, str] | None = None,
        defaults: dict[str, Any] | None = None,
        new_endpoint: str | None = None,
        count_limit: int | None = 10_000,
        groups: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.model = model
        self.key = name.split(".", 1)[1].replace(".", "_") if "." in name else name
        self.list_columns = [_col(c) for c in list_columns]
        self.optional_columns = [_col(c) for c in optional_columns]
        self.search_fields = list(search_fields)
        self.filters = list(filters)
        self.form_fields = list(form_fields) if form_fields is not None else [
            c.name for c in self.list_columns if c.value is None
        ]
        self.detail_fields = [_col(c) for c in (detail_fields if detail_fields is not None else list_columns)]
        self.tabs = list(tabs)
        self.related = list(related)
        self.buttons = list(buttons)
        self.url_prefix = url_prefix or "/" + self.key.replace("_", "-")
        self.label = label if label is not None else getattr(model, "__tixi_label__", None) or self.key
        self.label_plural = label_plural if label_plural is not None else self.label
        self.field_labels = dict(field_labels or {})
        self.choices = dict(choices or {})
        self.order_by = list(order_by)
        self.page_size = page_size
        self.workflow = workflow
        self.workflow_amount = workflow_amount
        self.can_create = can_create
        self.can_edit = can_edit
        self.can_delete = can_delete
        self.export = export
        self.api = api
        self.templates = {"list": "generic/list.html", "detail": "generic/detail.html", "form": "generic/form.html"}
        self.templates.update(templates or {})
        self.defaults = dict(defaults or {})
        self.new_endpoint = new_endpoint
        self.count_limit = count_limit
        #: groups one of which the user must be in to open any page of the view (on top of the
        #: model's access rights: users may read ``core_user`` for labels, only admins get its pages)
        self.groups = list(groups)
        self.blueprint: str | None = None

    # ----- registration ----------------------------------------------------------------------
    def register(self, bp: Blueprint) -> ModelView:
        """Add the view's URL rules to ``bp`` and make it known to the app (JSON API)."""
        p, k, gate = self.url_prefix.rstrip("/"), self.key, self._gated
        bp.add_url_rule(f"{p}/", f"{k}_list", gate(self.list_view))
        bp.add_url_rule(f"{p}/export.xlsx", f"{k}_export", gate(self.export_view))
        bp.add_url_rule(f"{p}/new", f"{k}_new", gate(self.form_view), methods=["GET", "POST"])
        bp.add_url_rule(f"{p}/<int:id>", f"{k}_detail", gate(self.detail_view))
        bp.add_url_rule(f"{p}/<int:id>/edit", f"{k}_edit", gate(self.form_view), methods=["GET", "POST"])
        bp.add_url_rule(f"{p}/<int:id>/action/<action>", f"{k}_action", gate(self.action_view), methods=["POST"])
        bp.add_url_rule(f"{p}/<int:id>/delete", f"{k}_delete", gate(self.delete_view), methods=["POST"])
        self.blueprint = bp.name

        def _record(state: Any) -> None:
            state.app.extensions.setdefault("tixi_views", {})[self.name] = self

        bp.record(_record)
        return self

    def allowed_for(self, env: Any) -> bool:
        """Whether the env user may open the view's pages at all (in one of its ``groups``, if any)."""
        return not self.groups or env.in_group(*self.groups)

    def _gated(self, page: Callable[..., Any]) -> Callable[..., Any]:
        """``page`` answering 403 to users outside the view's ``groups``."""
        if not self.groups:
            return page

        @functools.wraps(page)
        def gated(*args: Any, **kwargs: Any) -> Any:
            if not self.allowed_for(g.env):
                abort(403)
            return page(*args, **kwargs)

        return gated

    def endpoint(self, page: str) -> str:
        """Full endpoint of one of the view's pages (``list``, ``detail``, ``new`` ...)."""
        return f"{self.blueprint}.{self.key}_{page}"

    def menu_item(self, label: Any = None, sequence: int = 100, parent: str | None = None,
                  icon: str | None = None, group: Any = None) -> Any:
        """A :class:`core.web.menus.MenuItem` for the list page (hidden without read right)."""
        from core.web.menus import MenuItem

        return MenuItem(self.name, label if label is not None else self.label_plural, self.endpoint("list"),
                        model=self.model, sequence=sequence, parent=parent, icon=icon,
                        group=group if group is not None else (list(self.groups) or None))


def views(app: Any = None) -> dict[str, ModelView]:
    """Generic views mounted on the app, by name (the JSON API exposes these)."""
    app = app or current_app
    return app.extensions.get("tixi_views", {})
