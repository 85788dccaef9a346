"""Every hook the kernel calls, in one module (the hook reference is checked against it).

Addons implement hooks in their package (usually ``__init__.py`` or ``hooks.py``)
with ``@hookimpl`` from :mod:`core.plugins`. The kernel calls a hook only for
the addons enabled for the current company; hooks that run at start-up
(``tixi_blueprints``, ``tixi_cli_commands``, ``tixi_approval_workflows``) are
called for every installed addon.

Each docstring has a short example; ``docs/addons.md`` carries the reference
and ``tests/test_hooks_doc.py`` fails when the two drift apart.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("tixi")


@hookspec
def tixi_user_context(env: Any) -> dict[str, Any] | None:
    """Add values to the user context that record rules can use (``user.<key>``).

    Called once per request/environment for the current user and company.
    Values are scalars or lists of ids, or SQLAlchemy selectables of ids
    (used as a sub-query, so a hierarchy stays one predicate).

    Example::

        @hookimpl
        def tixi_user_context(env):
            return {"territory_ids": managed_territory_ids_subquery(env.user_id)}
    """


@hookspec
def tixi_blueprints() -> list[Any] | None:
    """Return Flask blueprints of the addon; the web shell mounts them at start-up.

    Requests to a blueprint named after an addon that the current company has
    not enabled answer 404.

    Example::

        @hookimpl
        def tixi_blueprints():
            from addons.masterdata.views import bp
            return [bp]
    """


@hookspec
def tixi_menu_items(env: Any) -> list[Any] | None:
    """Return :class:`core.web.menus.MenuItem` entries for the navigation.

    Items whose ``model`` the user cannot read are hidden by the kernel.

    Example::

        @hookimpl
        def tixi_menu_items(env):
            return [MenuItem("customers", _l("Customers"), "masterdata.customer_list",
                             model="masterdata_customer", sequence=10)]
    """


@hookspec
def tixi_dashboard_widgets(env: Any) -> list[Any] | None:
    """Return dashboard widgets (:class:`core.web.dashboard.Widget`) for the home page.

    Example::

        @hookimpl
        def tixi_dashboard_widgets(env):
            return [Widget("customers_by_status", _l("Customers by status"), chart=option)]
    """


@hookspec
def tixi_view_extend(view: str, env: Any) -> dict[str, Any] | None:
    """Extend another addon's generic view without editing it.

    ``view`` is the view's name (``"masterdata.customer"``). Return a dict with
    any of ``columns``, ``fields``, ``tabs``, ``buttons`` (lists).

    Example::

        @hookimpl
        def tixi_view_extend(view, env):
            if view == "masterdata.customer":
                return {"tabs": [Tab("engine", _l("Engine platform"), render_engine_tab)]}
    """


@hookspec
def tixi_record_event(env: Any, event: str, model: str, record: Any, changes: dict) -> None:
    """React to ``created``, ``updated``, ``deleted`` or ``state_changed`` on any record.

    Called inside the same transaction: raising aborts the whole operation.

    Example::

        @hookimpl
        def tixi_record_event(env, event, model, record, changes):
            if model == "masterdata_customer" and "owner_id" in changes:
                log_handover(env, record)
    """


@hookspec
def tixi_approval_workflows() -> list[Any] | None:
    """Declare approval workflows (:class:`core.security.approvals.Workflow`).

    Example::

        @hookimpl
        def tixi_approval_workflows():
            return [Workflow("crm_cards.strategy", model="crm_cards_strategy", ...)]
    """


@hookspec
def tixi_cli_commands() -> list[Any] | None:
    """Return Click commands or groups to add to ``tixi``.

    Example::

        @hookimpl
        def tixi_cli_commands():
            return [import_customers_command]
    """


@hookspec
def tixi_bench_generate(ctx: Any) -> None:
    """Add the addon's generated records to a benchmark database (``tixi bench generate``).

    ``ctx`` carries the connection, the tier sizes and the ids generated so far.

    Example::

        @hookimpl
        def tixi_bench_generate(ctx):
            ctx.bulk_insert("crm_cards_monthly", rows_for(ctx.customer_ids))
    """


@hookspec(firstresult=True)
def tixi_explain_label(model: str, res_id: int, env: Any) -> str | None:
    """Return a human label for a record (used in audit history and explanations).

    The first non-None answer wins.

    Example::

        @hookimpl
        def tixi_explain_label(model, res_id, env):
            if model == "masterdata_customer":
                return env.session.get(Customer, res_id).name
    """


@hookspec
def tixi_handover(env: Any, from_employee: Any, to_employee: Any) -> dict[str, int] | None:
    """Move a leaving employee's open work and archives to a successor (handover, 交接).

    Called by ``masterdata``'s handover inside its single transaction, after the
    customers have moved. Move your addon's records (open quotes, cards, plans)
    from ``from_employee`` to ``to_employee`` (both ``masterdata_employee``
    records) and return counts per kind for the report. Raising aborts the
    whole handover.

    Example::

        @hookimpl
        def tixi_handover(env, from_employee, to_employee):
            n = move_open_quotes(env, from_employee.id, to_employee.id)
            return {"pricing_quote": n}
    """


@hookspec(firstresult=True)
def tixi_price_for(env: Any, customer_id: int, product_id: int, on_date: Any) -> dict[str, Any] | None:
    """Return the price and allowed band for a customer and product on a date.

    Implemented by the ``pricing`` addon; order and planning addons call it.
    The answer is a dict with ``target`` and ``floor`` (``Decimal``, the band),
    ``list_price``, ``quote_type`` (high/competitive/low/probing), ``currency``,
    ``cost_month`` and, only for roles allowed to see costs, ``cost``. ``None``
    when no addon answers (pricing not enabled for the company); a
    :class:`core.errors.ValidationError` when the price cannot be computed
    (no cost data for the month, no formula, ...).

    Example::

        band = env.hooks.tixi_price_for(env=env, customer_id=c.id,
                                         product_id=p.id, on_date=dt.date.today())
        if band and order_line.price < band["floor"]:
            flag_for_review(order_line)
    """


@hookspec(firstresult=True)
def tixi_customer_class_policy(env: Any, customer_id: int) -> dict[str, Any] | None:
    """Return the A/B/C/D class of a customer and the policy that goes with it.

    Implemented by ``crm_cards``; pricing, visit planning and credit control
    call it. The answer is a dict with ``class_code`` (``"A"``..``"D"``),
    ``visits_per_month`` (int), ``credit_days`` (int), ``credit_terms_zh`` /
    ``credit_terms_en`` and ``price_class`` (str). ``None`` when no enabled
    addon answers, the customer is not classified yet, or the user cannot read
    the customer.

    Example::

        policy = env.hooks.tixi_customer_class_policy(env=env, customer_id=c.id)
        price_class = policy["price_class"] if policy else "standard"
    """


@hookspec
def tixi_profile_sections(env: Any, customer: Any) -> list[Any] | None:
    """Add sections to the customer profile card (客户资料卡) of ``crm_cards``.

    ``customer`` is the ``masterdata_customer`` record (already checked
    readable). Return a list of sections, each a dict (or an object with the
    same attributes) with ``key``, ``title`` (translated), ``sequence`` (int,
    lower first) and either ``rows`` (a list of ``(label, value)`` pairs) or
    ``html`` (safe ``Markup``). Use it for technical data fields and business
    history (sales, visits, quotes) kept by other addons. Read your data
    through ``env`` so record rules apply.

    Example::

        @hookimpl
        def tixi_profile_sections(env, customer):
            n = env.count(Quote, Quote.customer_id == customer.id)
            return [{"key": "quotes", "title": _("Quotes"), "sequence": 60,
                     "rows": [(_("Quotes this year"), n)]}]
    """


@hookspec
def tixi_records_imported(env: Any, model: str, ids: list[int]) -> None:
    """React to records created in bulk by an import (no ``tixi_record_event`` per row).

    Called once per import inside its transaction, after the rows are
    inserted; raising aborts the whole import. Work in bulk (a few queries for
    all ``ids``), not row by row.

    Example::

        @hookimpl
        def tixi_records_imported(env, model, ids):
            if model == "masterdata_customer":
                assign_territories_in_bulk(env, ids)
    """


# ----- lifecycle -----
@hookspec
def tixi_company_setup(env: Any, company: Any) -> None:
    """Give a company the addon's per-company defaults (stages, settings, sequences).

    Called by the lifecycle, inside its transaction, when the addon is enabled
    for a company (``tixi addons enable``, ``tixi addons apply``, ``tixi init``),
    for every company using the addon after it is upgraded, and by every
    ``apply`` for the addons a company uses. Only the addon's own
    implementation runs. ``env`` is an environment of that company acting as
    the kernel (administrator rights, ``env.user_id`` is ``None``); ``company``
    is the :class:`core.models.Company`. Must be idempotent: called again it
    changes nothing (create what is missing, never overwrite what users edited).
    Replaces seeding on first use (in a request or a service call).

    Example::

        @hookimpl
        def tixi_company_setup(env, company):
            if not env.count(VisitType):
                env.create(VisitType, {"name_zh": "首次拜访", "name_en": "First visit"})
    """
