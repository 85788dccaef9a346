"""The kernel's hooks: the platform calls them (web shell, records, approvals, CLI).

Hooks that are contracts between addons live in the addon that owns them, in
its ``hookspecs.py`` (``tixi_handover`` in :mod:`addons.masterdata.hookspecs`,
``tixi_price_for`` in :mod:`addons.pricing.hookspecs`, ...); the benchmark
hook lives in :mod:`bench.hookspecs`. The registry adds an addon's specs when
it loads the addon and refuses an implementation of a hook that neither the
kernel nor the addon itself nor one of its ``depends``/``optional_depends``
declares.

Addons implement hooks in their package (usually ``__init__.py``) with
``@hookimpl`` from :mod:`core.plugins`. The kernel calls a per-company hook
(one with an ``env`` argument) only for the addons enabled for the current
company; start-up hooks (``tixi_blueprints``, ``tixi_cli_commands``,
``tixi_approval_workflows``, ``tixi_measures``, ``tixi_notification_types``,
``tixi_jobs``, ``tixi_reports``) are called for every installed addon.

The hooks are grouped by phase, as in pytest's ``hookspec.py``. Each docstring
has a short example; ``docs/addons.md`` carries the generated reference and
``tests/test_hooks_doc.py`` fails when the two drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from core.security.env import Env

hookspec = pluggy.HookspecMarker("tixi")


# --------------------------------------------------------------------------------------
# Start-up: called once for every installed addon when the app or the CLI starts
# --------------------------------------------------------------------------------------


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
def tixi_cli_commands() -> list[Any] | None:
    """Return Click commands or groups to add to ``tixi``.

    Example::

        @hookimpl
        def tixi_cli_commands():
            return [import_customers_command]
    """


@hookspec
def tixi_approval_workflows() -> list[Any] | None:
    """Declare approval workflows (:class:`core.security.approvals.Workflow`).

    Example::

        @hookimpl
        def tixi_approval_workflows():
            return [Workflow("crm_cards.strategy", model="crm_cards_strategy", ...)]
    """


# --------------------------------------------------------------------------------------
# Lifecycle: an addon is installed, or enabled for a company
# --------------------------------------------------------------------------------------


@hookspec
def tixi_company_setup(env: Env, company: Any) -> None:
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


# --------------------------------------------------------------------------------------
# Request: called per request/environment for the addons enabled for the company
# --------------------------------------------------------------------------------------


@hookspec
def tixi_user_context(env: Env) -> dict[str, Any] | None:
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
def tixi_menu_items(env: Env) -> list[Any] | None:
    """Return :class:`core.web.menus.MenuItem` entries for the navigation.

    Items whose ``model`` the user cannot read are hidden by the kernel.

    Example::

        @hookimpl
        def tixi_menu_items(env):
            return [MenuItem("customers", _l("Customers"), "masterdata.customer_list",
                             model="masterdata_customer", sequence=10)]
    """


@hookspec
def tixi_dashboard_widgets(env: Env) -> list[Any] | None:
    """Return dashboard widgets (:class:`core.web.dashboard.Widget`) for the home page.

    Example::

        @hookimpl
        def tixi_dashboard_widgets(env):
            return [Widget("customers_by_status", _l("Customers by status"), chart=option)]
    """


@hookspec
def tixi_todos(env: Env) -> list[Any] | None:
    """Return the current user's pending work (:class:`core.todos.Todo`) for the to-do list.

    Approvals waiting for the user come from the kernel (every workflow); add
    here what else waits (cards to file, visits to report). Count through
    ``env`` so the rules apply, one query per to-do; a count of 0 is hidden.

    Example::

        @hookimpl
        def tixi_todos(env):
            return [Todo("crm_cards.cards_missing", _l("Monthly cards to file"),
                         count_missing(env), url=url_for("crm_cards.card_list"))]
    """


@hookspec
def tixi_view_extend(view: str, env: Env) -> dict[str, Any] | None:
    """Extend another addon's generic view without editing it.

    ``view`` is the view's name (``"masterdata.customer"``). Return a dict with
    any of ``columns`` (list columns: names or ``Col``), ``fields`` (detail and
    form fields: a column name, ``Col``, ``FormField``, or a
    :class:`core.web.generic.FormExtension` — an editable field stored in the
    extending addon's own model, validated with the record and saved in the
    same transaction; editable with create and write rights on its model,
    read-only with read right, hidden otherwise), ``tabs`` (``Tab``) and
    ``buttons`` (``Button``).

    Example::

        @hookimpl
        def tixi_view_extend(view, env):
            if view == "masterdata.customer":
                return {
                    "tabs": [Tab("engine", _l("Engine platform"), render_engine_tab)],
                    "fields": [FormExtension("territories.region_note", RegionNote,
                                             field=lambda: StringField(_l("Region note")),
                                             load=load_note, save=save_note)],
                }
    """


# --------------------------------------------------------------------------------------
# Records: writes to any record (and approval transitions), labels of records
# --------------------------------------------------------------------------------------


@hookspec
def tixi_record_event(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """React to ``created``, ``updated``, ``deleted`` or ``state_changed`` on any record.

    Called inside the same transaction: raising aborts the whole operation.
    Mark a check that may refuse the write ``@hookimpl(tryfirst=True)`` and a
    reaction to it (assign, recompute, notify) ``@hookimpl(trylast=True)``, so
    every validation runs before any reaction whatever the load order.

    Example::

        @hookimpl(trylast=True)
        def tixi_record_event(env, event, model, record, changes):
            if model == "masterdata_customer" and "owner_id" in changes:
                log_handover(env, record)
    """


@hookspec(firstresult=True)
def tixi_explain_label(model: str, res_id: int, env: Env) -> str | None:
    """Return a human label for a record (used in audit history and explanations).

    The first non-None answer wins.

    Example::

        @hookimpl
        def tixi_explain_label(model, res_id, env):
            if model == "masterdata_customer":
                return env.sudo().get(Customer, res_id).name  # audit names what it mentions
    """


# ---- Measures ----


@hookspec
def tixi_measures() -> list[Any] | None:
    """Declare named measures (:class:`core.measures.Measure`) that dashboards, reports and targets read.

    A start-up hook, called for every installed addon; :func:`core.measures.available_measures`
    and :func:`core.measures.measure_value` offer a company only the measures of
    the addons it enabled. Each measure is named ``<addon>.<name>`` and its
    ``query(env, dimensions)`` builds the fact rows on ``env.select`` (rules apply).

    Example::

        @hookimpl
        def tixi_measures():
            from addons.visits.measures import MEASURES
            return MEASURES            # [Measure("visits.count", _l("Visits"), "count", query=...)]
    """


# ---- Notifications ----


@hookspec
def tixi_notification_types() -> list[Any] | None:
    """Declare notification types (:class:`core.notifications.NotificationType`).

    A start-up hook, called for every installed addon. Each code is
    ``<addon>.<name>``; subject and body are English msgids with ``%(name)s``
    placeholders, translated into the recipient's language when the
    notification is shown or e-mailed. Send one with
    ``core.notifications.notify(env, user_ids, code, record=..., **params)``.

    Example::

        @hookimpl
        def tixi_notification_types():
            return [NotificationType("crm_cards.card_missing", _l("Monthly card missing"),
                                     subject=N_("Monthly card missing: %(month)s"),
                                     body=N_("Your card for %(month)s has not been filed."))]
    """


# ---- Jobs ----


@hookspec
def tixi_jobs() -> list[Any] | None:
    """Declare scheduled and background jobs (:class:`core.jobs.JobSpec`).

    A start-up hook, called for every installed addon. Each code is
    ``<addon>.<name>``; ``func(ctx)`` gets a :class:`core.jobs.JobContext`
    (``ctx.env`` acting as the kernel in one company, ``ctx.params``,
    ``ctx.period``, ``ctx.progress(done, total)``). A job with a ``cron``
    (UTC) runs on that schedule for every company that enabled the addon, once
    per period across all workers; one without runs when queued with
    ``core.jobs.enqueue(env, code, **params)`` after the transaction commits.

    Example::

        @hookimpl
        def tixi_jobs():
            return [JobSpec("crm_cards.card_reminder", _l("Missing monthly card reminder"),
                            remind_missing_cards, cron="0 0 3 * *", period=previous_month)]
    """


# ---- Reports ----


@hookspec
def tixi_reports() -> list[Any] | None:
    """Declare reports (:class:`core.reports.Report`) for the report centre (``/reports/``).

    A start-up hook, called for every installed addon; the kernel offers a
    company only the reports of the addons it enabled, and a user only those
    they may run (``model``, ``groups``, ``restricted_field``). Each report is
    named ``<addon>.<name>``; its ``query(env, params)`` builds the rows on
    ``env.select`` (rules apply). The kernel gives it a page with the
    parameter form, .xlsx, print view, PDF and subscriptions.

    Example::

        @hookimpl
        def tixi_reports():
            from addons.visits.report_defs import REPORTS
            return REPORTS             # [Report("visits.by_customer", _l("Visits by customer"), query=..., columns=[...])]
    """


# ---- Global search ----


@hookspec
def tixi_search_sources() -> list[Any] | None:
    """Declare what the navigation bar's search finds (:class:`core.search.SearchSource`).

    A start-up hook, called for every installed addon; the kernel searches a
    company only in the sources of the addons it enabled, and a user only in
    the models they may read, reading every hit through ``env.select`` (the
    model's record rules apply). The kernel keeps the index (``core_search_entry``)
    on every flush; an addon that bulk-inserts past the ORM calls
    ``core.search.index_records(session, Model, ids)``.

    Example::

        @hookimpl
        def tixi_search_sources():
            from core.search import SearchSource
            from addons.visits.models import Visit
            return [SearchSource("visits.visit", Visit, ("number", "summary"), _l("Visits"))]
    """
