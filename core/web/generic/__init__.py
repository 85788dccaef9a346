"""Generic views: list, detail and create/edit pages of a model from a short declaration.

An addon declares a :class:`ModelView` and registers it on its blueprint::

    from flask import Blueprint
    from core.i18n import _l
    from core.web.generic import Col, Filter, ModelView, Related, Tab

    bp = Blueprint("masterdata", __name__, template_folder="templates")

    customers = ModelView(
        name="masterdata.customer",          # <addon>.<key>: endpoints masterdata.customer_list, ...
        model=Customer,
        label=_l("Customer"), label_plural=_l("Customers"),
        list_columns=["code", "name", "territory_id", "owner_id", "credit_limit"],
        search_fields=["code", "name"],
        filters=[Filter("status", _l("Status")), Filter("territory_id", _l("Territory"))],
        form_fields=["code", "name", "territory_id", "owner_id", "credit_limit"],
        detail_fields=["code", "name", "territory_id", "owner_id", "credit_limit"],
        related=[Related("contacts", _l("Contacts"), Contact, fk="customer_id",
                         columns=["name", "phone"], view="masterdata.contact")],
        url_prefix="/customers",
    )
    customers.register(bp)

Everything goes through the request's :class:`core.security.env.Env` (``g.env``):
``env.select`` for every read (rights, company and record rules in SQL),
``env.create``/``env.write`` for saves (optimistic locking with the hidden
``version`` field), ``env.visible_fields`` so restricted fields never show in
the list, the detail page, the form or the export. Other addons extend a view
with the ``tixi_view_extend(view, env)`` hook (``columns``, ``fields``,
``tabs``, ``buttons``). See ``docs/web.md``.

The package re-exports the public names of its modules (``from core.web.generic
import ModelView, Col`` keeps working):

- :mod:`.declarations`: ``Col``, ``Filter``, ``Tab``, ``Related``, ``Button``, ``FormField``, ``tr``
- :mod:`.extensions`: :class:`FormExtension`, editable fields another addon adds to a form
- :mod:`.labels`: foreign-key labels (cached per request), choices, cell formatting
- :mod:`.view`: :class:`ModelView` itself (declaration, URL rules), ``views()``
- :mod:`.columns`, :mod:`.listing`, :mod:`.export`, :mod:`.detail`, :mod:`.forms`: the
  parts of :class:`ModelView` (mixins) for its columns, list page, .xlsx export,
  detail page and create/edit form; their constants (``forms.FK_SELECT_LIMIT``,
  ``export.EXPORT_LIMIT``) are read there, so patch them there
"""

from __future__ import annotations

from core.web.generic.declarations import (
    FORMULA_PREFIXES,
    Button,
    Col,
    Filter,
    FormField,
    Related,
    Tab,
    display_name,
    escape_formula,
    tr,
)
from core.web.generic.extensions import FormExtension
from core.web.generic.forms import attach_errors, fit_decimal, select_choices
from core.web.generic.labels import (
    column_label,
    fk_choices,
    fk_label,
    format_cell,
    format_money,
    group_label,
    lookup_records,
    model_cell,
    prefetch_labels,
)
from core.web.generic.view import ModelView, views

__all__ = [
    "Button",
    "Col",
    "FORMULA_PREFIXES",
    "Filter",
    "FormExtension",
    "FormField",
    "ModelView",
    "Related",
    "Tab",
    "attach_errors",
    "column_label",
    "display_name",
    "escape_formula",
    "fit_decimal",
    "fk_choices",
    "fk_label",
    "format_cell",
    "format_money",
    "group_label",
    "lookup_records",
    "model_cell",
    "prefetch_labels",
    "select_choices",
    "tr",
    "views",
]
