"""Every hook (kernel, addons' ``hookspecs.py``, bench) has a test here proving it is called, per company.

The ``hookall`` fixture addon (tests/fixtures/hookall/hookall) implements every
kernel hook (and, in ``hookall/bench.py``, bench's hook) and records each call
with the company it ran for. ``hookall`` is installed and enabled for company
``acme`` only; company ``other`` must never reach it (per-company dispatch
through ``Registry.hooks(enabled)`` / ``Env.hooks``). Start-up hooks
(``tixi_blueprints``, ``tixi_cli_commands``, ``tixi_approval_workflows``, ``tixi_measures``, ``tixi_jobs``) are
called for every installed addon; the web shell then answers 404 for a company
that has not enabled the addon. ``tixi_bench_generate`` is called by the
benchmark generator for every installed addon's ``bench`` module.

Hooks that addons declare (``tixi_handover``, ``tixi_records_imported`` by
masterdata; ``tixi_customer_class_policy``, ``tixi_profile_sections`` by
crm_cards; ``tixi_price_for`` by pricing) are implemented by the
``hookaddons`` fixture (tests/fixtures/hookaddons), which depends on masterdata
and optionally on crm_cards and pricing. Its database has those three
installed but enabled for no company, and hookaddons enabled for ``acme``, so
only the fixture answers. They are tested at the dispatch level (``env.hooks``
reaches the addons enabled for the company, ``firstresult`` semantics hold);
the addon that calls each of them tests the call itself.

Meta-tests fail when a hookspec has no ``test_hook_<name>`` here or no
implementation in the fixtures.
"""

from __future__ import annotations

import inspect
import itertools
import os
import re
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from core import hookspecs
from core.plugins import flatten
from core.registry import ensure_module_path, spec_names
from core.testing import make_env, make_user, new_database
from tests.kernel_helpers import fixture_db

ROOT = Path(__file__).resolve().parent.parent
HOOKALL_ADDONS = Path(__file__).resolve().parent / "fixtures" / "hookall"
HOOKADDONS_ADDONS = Path(__file__).resolve().parent / "fixtures" / "hookaddons"
_counter = itertools.count()
HOOK_NAMES = spec_names(hookspecs)


def _spec_files() -> dict[str, Path]:
    """Every hookspecs module outside the kernel: ``{owner: file}`` (addons, bench)."""
    files = {p.parent.name: p for p in sorted((ROOT / "addons").glob("*/hookspecs.py"))}
    files["bench"] = ROOT / "bench" / "hookspecs.py"
    return files


def _declared(path: Path) -> list[str]:
    return re.findall(r"^def (tixi_\w+)\(", path.read_text(encoding="utf-8"), flags=re.M)


ADDON_HOOK_NAMES = sorted(h for owner, p in _spec_files().items() if owner != "bench" for h in _declared(p))
BENCH_HOOK_NAMES = _declared(_spec_files()["bench"])
ALL_HOOK_NAMES = sorted(HOOK_NAMES + ADDON_HOOK_NAMES + BENCH_HOOK_NAMES)

_TEMPLATES: dict[tuple[str, str], tuple[str, dict, dict]] = {}


def _template(engine: str, kind: str = "kernel") -> tuple[str, dict, dict]:
    """Built once per engine: ``kernel``: hookall installed, enabled for acme only;
    ``addons``: masterdata, crm_cards, pricing, competency, sales_planning, budget installed (enabled nowhere), hookaddons enabled
    for acme (with masterdata). Users in acme and in other."""
    if (engine, kind) not in _TEMPLATES:
        url, _drop = new_database(engine)
        db = fixture_db(url, extra=[HOOKALL_ADDONS, HOOKADDONS_ADDONS])
        if kind == "kernel":
            db.install("hookall", companies=["acme"])
        else:
            db.install("masterdata", "crm_cards", "pricing", "competency", "sales_planning", "budget", companies=[])
            db.install("hookaddons", companies=["acme"])
        db.company("other")
        users = {
            "acme": make_user(db, "u_acme", ["core.group_user"], company="acme"),
            "other": make_user(db, "u_other", ["core.group_user"], company="other"),
            "admin": make_user(db, "u_admin", ["core.group_admin"], company=["acme", "other"], is_admin=True),
        }
        cid = {"acme": db.company("acme"), "other": db.company("other")}
        db.dispose()
        _TEMPLATES[(engine, kind)] = (url, users, cid)
    return _TEMPLATES[(engine, kind)]


def _copy(engine: str, kind: str = "kernel") -> tuple[str, Any]:
    url = _template(engine, kind)[0]
    if engine == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="tixi-hooks-"))
        shutil.copy(url.removeprefix("sqlite:///"), folder / "test.db")
        return f"sqlite:///{folder / 'test.db'}", lambda: shutil.rmtree(folder, ignore_errors=True)
    from core.testing.pgserver import _admin_connection, drop_database, postgres_url

    base = postgres_url()
    name = f"tixi_hooks_{os.getpid()}_{next(_counter)}"
    with _admin_connection(base) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
    return base.rsplit("/", 1)[0] + f"/{name}", lambda: drop_database(base, name)


def _db(engine: str, kind: str):
    _url, users, cid = _template(engine, kind)
    url, drop = _copy(engine, kind)
    db = fixture_db(url, extra=[HOOKALL_ADDONS, HOOKADDONS_ADDONS])
    db.users, db.cid = dict(users), dict(cid)
    return db, drop


@pytest.fixture(params=["sqlite", "postgresql"])
def hdb(request):
    """A copy of the kernel-hooks template database, with its registry."""
    db, drop = _db(request.param, "kernel")
    calls().clear()
    yield db
    db.dispose()
    drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def adb(request):
    """A copy of the addon-hooks template database (hookaddons enabled for acme), with its registry."""
    db, drop = _db(request.param, "addons")
    calls("hookaddons").clear()
    yield db
    db.dispose()
    drop()


def calls(addon: str = "hookall") -> list:
    return sys.modules[addon].CALLS


def companies_called(hook: str, addon: str = "hookall") -> list:
    return [c for name, c in calls(addon) if name == hook]


def envs(db, s):
    """The same kind of user in acme (hookall enabled) and in other (not enabled)."""
    return make_env(db, s, db.users["acme"]), make_env(db, s, db.users["other"])


# ----- meta-tests ---------------------------------------------------------------------------
def test_every_hook_has_its_own_test():
    assert {"tixi_handover", "tixi_price_for", "tixi_bench_generate"} <= set(ALL_HOOK_NAMES)
    missing = [name for name in ALL_HOOK_NAMES if f"test_hook_{name}" not in globals()]
    assert not missing, f"hooks without a test_hook_<name> in tests/test_hooks.py: {missing}"


def test_kernel_declares_only_platform_hooks():
    """The addon-to-addon and benchmark hooks live with their owners, not in core/hookspecs.py."""
    assert not set(HOOK_NAMES) & set(ADDON_HOOK_NAMES + BENCH_HOOK_NAMES)
    owners = {owner: _declared(p) for owner, p in _spec_files().items()}
    assert owners["masterdata"] == ["tixi_handover", "tixi_records_imported"]
    assert owners["crm_cards"] == ["tixi_customer_class_policy", "tixi_profile_sections"]
    assert owners["pricing"] == ["tixi_price_for"]
    assert owners["competency"] == ["tixi_competency_gaps"]
    assert owners["bench"] == ["tixi_bench_generate"]


@pytest.mark.parametrize(
    ("fixture", "wanted"),
    [
        (HOOKALL_ADDONS / "hookall" / "__init__.py", HOOK_NAMES),
        (HOOKALL_ADDONS / "hookall" / "bench.py", BENCH_HOOK_NAMES),
        (HOOKADDONS_ADDONS / "hookaddons" / "__init__.py", ADDON_HOOK_NAMES),
    ],
    ids=["kernel", "bench", "addons"],
)
def test_fixtures_implement_every_hook(fixture: Path, wanted: list[str]):
    text = fixture.read_text(encoding="utf-8")
    implemented = set(re.findall(r"^def (tixi_\w+)\(", text, flags=re.M))
    missing = sorted(set(wanted) - implemented)
    assert not missing, f"{fixture.relative_to(ROOT)} does not implement: {missing}"
    unknown = sorted(implemented - set(wanted))
    assert not unknown, f"{fixture.relative_to(ROOT)} implements hooks that no longer exist: {unknown}"


def test_hookall_signatures_match_the_specs():
    """pluggy checks argument names at registration: registering hookall must succeed."""
    from core.plugins import make_plugin_manager

    pm = make_plugin_manager()
    url, drop = new_database("sqlite")
    try:
        db = fixture_db(url, extra=[HOOKALL_ADDONS])
        db.registry.load("hookall")
        pm.register(sys.modules["hookall"], name="hookall_check")
        pm.check_pending()
        from bench import hookspecs as bench_specs

        pm.add_hookspecs(bench_specs)
        ensure_module_path(HOOKALL_ADDONS)
        import hookall.bench

        pm.register(hookall.bench, name="hookall_bench_check")
        pm.check_pending()
        db.dispose()
    finally:
        drop()


# ----- kernel hooks -------------------------------------------------------------------------
def test_hook_tixi_user_context(hdb):
    with hdb.session() as s:
        acme, other = envs(hdb, s)
        assert acme.context["hookall_company"] == hdb.cid["acme"]
        assert "hookall_company" not in other.context
        assert other.context["id"] == hdb.users["other"]  # the kernel's own context still there
    assert companies_called("tixi_user_context") == [hdb.cid["acme"]]


def test_hook_tixi_record_event(hdb):
    from core.models import Group

    with hdb.session() as s:
        admin_acme = make_env(hdb, s, hdb.users["admin"], company="acme")
        admin_other = make_env(hdb, s, hdb.users["admin"], company="other")
        group = admin_acme.create(Group, {"code": "x.g1", "name_zh": "组", "name_en": "G1"})
        admin_acme.write(group, {"name_en": "G1!"})
        admin_other.write(group, {"name_en": "G1?"})  # other has not enabled hookall: no call
        admin_acme.delete(group)
    assert [(n, c) for n, c in calls() if n.startswith("event:")] == [
        ("event:created:core_group", hdb.cid["acme"]),
        ("event:updated:core_group", hdb.cid["acme"]),
        ("event:deleted:core_group", hdb.cid["acme"]),
    ]


def test_hook_tixi_approval_workflows(hdb):
    from core.models import Company
    from core.security import approvals

    flows = approvals.workflows(hdb.registry)
    assert "hookall.flow" in flows
    assert companies_called("tixi_approval_workflows") == [None]  # start-up hook
    with hdb.session() as s:
        admin = make_env(hdb, s, hdb.users["admin"], company="acme")
        approvals.fire(admin, flows["hookall.flow"], s.get(Company, hdb.cid["acme"]), "finish")
    assert ("event:state_changed:core_company", hdb.cid["acme"]) in calls()


def test_hook_tixi_notification_types(hdb):
    from core import notifications

    types = notifications.notification_types(hdb.registry)
    assert types["hookall.ping"].addon == "hookall"
    assert companies_called("tixi_notification_types") == [None]  # start-up hook
    with hdb.session() as s:
        acme = make_env(hdb, s, hdb.users["admin"], company="acme")
        other = make_env(hdb, s, hdb.users["admin"], company="other")
        (row,) = notifications.notify(acme, [hdb.users["acme"]], "hookall.ping", n=3)
        assert notifications.render_row(acme, row, "en") == ("Ping 3", "Ping body 3")
        # the preferences page offers a type only where its addon is enabled
        assert "hookall.ping" in {t.code for t in notifications.types_for(acme)}
        assert "hookall.ping" not in {t.code for t in notifications.types_for(other)}


def test_hook_tixi_jobs(hdb):
    from core import jobs

    spec = jobs.declared_jobs(hdb.registry)["hookall.count"]
    assert (spec.addon, spec.cron) == ("hookall", None)
    assert companies_called("tixi_jobs") == [None]  # start-up hook
    # run for the companies that enabled hookall only (acme), not for other
    assert jobs.run_by_hand(hdb.registry, "hookall.count") == {"done": 1, "skipped": 0}
    assert ("job:hookall.count", hdb.cid["acme"]) in calls()
    assert ("job:hookall.count", hdb.cid["other"]) not in calls()
    with hdb.session() as s:
        with pytest.raises(jobs.JobError):
            jobs.enqueue(make_env(hdb, s, hdb.users["admin"], company="other"), "hookall.count")


def test_hook_tixi_cli_commands(hdb, tmp_path):
    from core.cli import _forget_registries, cli

    assert companies_called("tixi_cli_commands") == []
    names = [c.name for c in flatten(hdb.registry.all_hooks.tixi_cli_commands())]
    assert names == ["hookall-hello"]
    # through the real CLI: an instance whose database has hookall installed
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "addons.yaml").write_text(f"addons_paths:\n  - {HOOKALL_ADDONS}\n", encoding="utf-8")
    (inst / "config.toml").write_text(f'database = "{hdb.url}"\nsecret_key = "x"\n', encoding="utf-8")
    cli.commands.pop("hookall-hello", None)
    try:
        result = CliRunner().invoke(cli, ["--instance", str(inst), "hookall-hello"])
    finally:
        _forget_registries()
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "hello from hookall"


def test_hook_tixi_measures(hdb):
    from core.measures import MeasureError, available_measures, measure_value, measures

    hdb.registry.__dict__.pop("_tixi_measures", None)  # collected once per registry: collect again
    assert "hookall.companies" in measures(hdb.registry)
    assert companies_called("tixi_measures") == [None]  # start-up hook
    with hdb.session() as s:
        acme, other = envs(hdb, s)
        assert "hookall.companies" in {m.name for m in available_measures(acme)}
        assert "hookall.companies" not in {m.name for m in available_measures(other)}
        with pytest.raises(MeasureError):
            measure_value(other, "hookall.companies")
        admin = make_env(hdb, s, hdb.users["admin"], company="acme")
        rows = measure_value(admin, "hookall.companies", group_by=["currency"])
        assert sum(r.value for r in rows) >= 2
        assert {r["currency"] for r in rows} >= {"CNY"}


def test_hook_tixi_reports(hdb):
    from core.reports import UnknownReport, available_reports, reports, run_report

    hdb.registry.__dict__.pop("_tixi_reports", None)  # collected once per registry: collect again
    assert reports(hdb.registry)["hookall.companies"].addon == "hookall"
    assert companies_called("tixi_reports") == [None]  # start-up hook
    with hdb.session() as s:
        acme, other = envs(hdb, s)
        admin = make_env(hdb, s, hdb.users["admin"], company="acme")
        assert "hookall.companies" in {r.code for r in available_reports(admin)}
        assert "hookall.companies" not in {r.code for r in available_reports(other)}
        with pytest.raises(UnknownReport):
            run_report(other, "hookall.companies")
        result = run_report(admin, "hookall.companies", {"period": "this_month"})
        assert {r["code"] for r in result.rows} >= {"acme"}
        assert result.totals == {"n": len(result.rows)}


def test_hook_tixi_explain_label(hdb):
    from core.security.explain import explain_access

    acme = explain_access(hdb.registry, "u_admin", "core_company", hdb.cid["acme"], company="acme")
    assert f"(hookall label for company #{hdb.cid['acme']})" in acme[0]
    other = explain_access(hdb.registry, "u_admin", "core_company", hdb.cid["other"], company="other")
    assert "hookall label" not in other[0]
    assert companies_called("tixi_explain_label") == [hdb.cid["acme"]]


def test_hook_tixi_company_setup(hdb):
    """Called by the lifecycle for the company that enables the addon (and only that addon's)."""
    hdb.lifecycle.enable("hookall", "other")
    assert companies_called("tixi_company_setup") == [hdb.cid["other"]]
    hdb.lifecycle.enable("hookall", "other")  # again: called again (implementations are idempotent)
    assert companies_called("tixi_company_setup") == [hdb.cid["other"]] * 2


def test_hook_tixi_bench_generate(hdb):
    """Called by the benchmark generator for every installed addon (not per company)."""
    ctx = SimpleNamespace(progress=lambda message: None)
    try:
        from bench.generate import _call_addon_hooks
    except ImportError:  # pragma: no cover - bench not present: the registry-level call
        hdb.registry.all_hooks.tixi_bench_generate(ctx=ctx)
        called = ["hookall"]
    else:  # bench's private helper; pass the optional bookkeeping arguments it takes
        extra = {name: {} for name in list(inspect.signature(_call_addon_hooks).parameters)[2:]}
        called = _call_addon_hooks(ctx, hdb.registry, **extra)
    assert "hookall" in called
    assert ctx.hookall_generated is True
    assert companies_called("tixi_bench_generate") == [None]


# ----- web-shell hooks: through the Flask app ------------------------------------------------
def _client(db, login: str):
    from core.web.app import create_app

    app = create_app(registry=db.registry, test_config={"TESTING": True})
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    data = {"login": login, "password": "secret-pass-1"}
    if token:
        data["csrf_token"] = token.group(1)
    answer = client.post("/login", data=data)
    assert answer.status_code in (302, 303), answer.text[:500]
    return client


def test_hook_tixi_blueprints(hdb):
    blueprints = flatten(hdb.registry.all_hooks.tixi_blueprints())
    assert "hookall" in {bp.name for bp in blueprints}
    acme = _client(hdb, "u_acme")
    assert acme.get("/hookall/ping").text == "hookall pong"
    other = _client(hdb, "u_other")
    assert other.get("/hookall/ping").status_code == 404  # mounted, but not enabled for other


def test_hook_tixi_menu_items(hdb):
    from core.web.menus import visible_items

    with hdb.session() as s:
        acme, other = envs(hdb, s)
        assert "hookall_menu" in {i.key for i in visible_items(acme)}
        assert "hookall_menu" not in {i.key for i in visible_items(other)}
    assert "Hookall menu" in _client(hdb, "u_acme").get("/").text
    assert "Hookall menu" not in _client(hdb, "u_other").get("/").text


def test_hook_tixi_dashboard_widgets(hdb):
    from core.web.dashboard import widgets_for

    with hdb.session() as s:
        acme, other = envs(hdb, s)
        assert "hookall_widget" in {w.key for w in widgets_for(acme)}
        assert "hookall_widget" not in {w.key for w in widgets_for(other)}
    assert "hookall widget body" in _client(hdb, "u_acme").get("/").text
    assert "hookall widget body" not in _client(hdb, "u_other").get("/").text


def test_hook_tixi_todos(hdb):
    """Addon to-dos join the list (a count of 0 is hidden) for the companies that enabled the addon."""
    from core.todos import todo_total, todos_for

    with hdb.session() as s:
        acme, other = envs(hdb, s)
        keys = [t.key for t in todos_for(acme)]
        assert "hookall.todo" in keys
        assert "hookall.nothing" not in keys
        assert todo_total(acme) >= 3
        assert "hookall.todo" not in {t.key for t in todos_for(other)}
    page = _client(hdb, "u_acme").get("/todos/").text
    assert "Hookall to-do" in page
    assert "/hookall-todo" in page
    assert "Hookall to-do" not in _client(hdb, "u_other").get("/todos/").text


def test_hook_tixi_view_extend(hdb):
    """Generic views merge what ``tixi_view_extend`` returns (dispatch level; see the web tests)."""
    with hdb.session() as s:
        acme, other = envs(hdb, s)
        assert flatten([p.get("columns") for p in acme.hooks.tixi_view_extend(view="hookall.test", env=acme) if p]) \
            == ["hookall_column"]
        assert acme.hooks.tixi_view_extend(view="masterdata.customer", env=acme) == []
        assert other.hooks.tixi_view_extend(view="hookall.test", env=other) == []
    assert companies_called("tixi_view_extend") == [hdb.cid["acme"], hdb.cid["acme"]]


# ----- hooks declared by addons (through the hookaddons fixture) -----------------------------
def test_hook_tixi_handover(adb):
    with adb.session() as s:
        acme, other = envs(adb, s)
        assert acme.hooks.tixi_handover(env=acme, from_employee=None, to_employee=None) == [{"hookall_thing": 0}]
        assert other.hooks.tixi_handover(env=other, from_employee=None, to_employee=None) == []
    assert companies_called("tixi_handover", "hookaddons") == [adb.cid["acme"]]


def test_hook_tixi_price_for(adb):
    from decimal import Decimal

    from hookaddons import SENTINEL

    with adb.session() as s:
        acme, other = envs(adb, s)
        band = acme.hooks.tixi_price_for(env=acme, customer_id=SENTINEL, product_id=1, on_date=None)
        assert band["floor"] == Decimal("9")  # firstresult: a dict, not a list
        assert acme.hooks.tixi_price_for(env=acme, customer_id=1, product_id=1, on_date=None) is None
        assert other.hooks.tixi_price_for(env=other, customer_id=SENTINEL, product_id=1, on_date=None) is None
    assert companies_called("tixi_price_for", "hookaddons") == [adb.cid["acme"], adb.cid["acme"]]


def test_hook_tixi_competency_gaps(adb):
    from hookaddons import SENTINEL

    with adb.session() as s:
        acme, other = envs(adb, s)
        rows = acme.hooks.tixi_competency_gaps(env=acme, period=str(SENTINEL), position=None)
        assert rows[0]["value"] == 2  # firstresult: the list of one addon, not a list of lists
        assert acme.hooks.tixi_competency_gaps(env=acme, period="2026", position=None) is None
        assert other.hooks.tixi_competency_gaps(env=other, period=str(SENTINEL), position=None) is None
    assert companies_called("tixi_competency_gaps", "hookaddons") == [adb.cid["acme"], adb.cid["acme"]]


def test_hook_tixi_customer_class_policy(adb):
    from hookaddons import SENTINEL

    with adb.session() as s:
        acme, other = envs(adb, s)
        assert acme.hooks.tixi_customer_class_policy(env=acme, customer_id=SENTINEL)["class_code"] == "A"
        assert other.hooks.tixi_customer_class_policy(env=other, customer_id=SENTINEL) is None
    assert companies_called("tixi_customer_class_policy", "hookaddons") == [adb.cid["acme"]]


def test_hook_tixi_profile_sections(adb):
    with adb.session() as s:
        acme, other = envs(adb, s)
        sections = flatten(acme.hooks.tixi_profile_sections(env=acme, customer=None))
        assert [x["key"] for x in sections] == ["hookall"]
        assert flatten(other.hooks.tixi_profile_sections(env=other, customer=None)) == []
    assert companies_called("tixi_profile_sections", "hookaddons") == [adb.cid["acme"]]


def test_hook_tixi_records_imported(adb):
    with adb.session() as s:
        acme, other = envs(adb, s)
        acme.hooks.tixi_records_imported(env=acme, model="core_company", ids=[1])
        other.hooks.tixi_records_imported(env=other, model="core_company", ids=[1])
    assert companies_called("tixi_records_imported", "hookaddons") == [adb.cid["acme"]]


def test_addon_hookspecs_are_declared_by_their_owner(adb):
    """Each addon hook is declared when (and because) its owner is loaded."""
    owners = adb.registry.hook_owners
    assert owners["tixi_handover"] == owners["tixi_records_imported"] == "masterdata"
    assert owners["tixi_customer_class_policy"] == owners["tixi_profile_sections"] == "crm_cards"
    assert owners["tixi_price_for"] == "pricing"
    assert owners["tixi_record_event"] == "core"
    assert "tixi_bench_generate" not in owners  # only bench.generate adds it


def test_kernel_alone_does_not_know_addon_hooks(hdb):
    assert not hasattr(hdb.registry.pm.hook, "tixi_handover")  # masterdata is not installed there
    with hdb.session() as s:
        acme, _other = envs(hdb, s)
        with pytest.raises(AttributeError):
            acme.hooks.tixi_price_for  # noqa: B018 - callers guard with try/except AttributeError


# ----- TIXI_TRACE_HOOKS ---------------------------------------------------------------------
def test_trace_hooks_prints_plugins_arguments_and_results(monkeypatch, capsys):
    """Each call: hook, arguments (repr, shortened), the plugins it reaches, then the result."""
    from types import ModuleType

    from core.plugins import hookimpl, make_plugin_manager

    monkeypatch.setenv("TIXI_TRACE_HOOKS", "1")
    pm = make_plugin_manager()
    one, two = ModuleType("one"), ModuleType("two")

    @hookimpl
    def tixi_view_extend(view, env):
        return {"columns": ["x" * 200]}

    @hookimpl
    def tixi_explain_label(model, res_id, env):
        raise RuntimeError("label lookup failed")

    one.tixi_view_extend = tixi_view_extend
    two.tixi_view_extend = tixi_view_extend
    two.tixi_explain_label = tixi_explain_label
    pm.register(one, name="one")
    pm.register(two, name="two")
    pm.hook.tixi_view_extend(view="masterdata.customer", env="E" * 300)
    with pytest.raises(RuntimeError):
        pm.hook.tixi_explain_label(model="core_company", res_id=7, env=None)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4, lines
    call, result, call2, failed = lines
    assert call.startswith("[hook] tixi_view_extend(view='masterdata.customer', env='EEEE")
    assert call.endswith("...) -> two, one")  # the order pluggy calls them in (last registered first)
    assert len(call) < 220  # each argument shortened to ~80 characters
    assert result.startswith("[hook] tixi_view_extend = [{'columns': ['xxxx")
    assert result.endswith(" ms)")
    assert len(result) < 120
    assert call2 == "[hook] tixi_explain_label(model='core_company', res_id=7, env=None) -> two"
    assert failed.startswith("[hook] tixi_explain_label raised RuntimeError: label lookup failed (")


def test_no_trace_without_the_variable(monkeypatch, capsys):
    from core.plugins import make_plugin_manager

    monkeypatch.delenv("TIXI_TRACE_HOOKS", raising=False)
    make_plugin_manager().hook.tixi_blueprints()
    assert capsys.readouterr().err == ""


def test_hook_tixi_search_sources(hdb):
    """A start-up hook: the source is indexed on flush and offered only where its addon is enabled."""
    from core import search
    from core.models import Company, SearchEntry

    hdb.registry.__dict__.pop("_tixi_search_sources", None)  # collected once per registry: collect again
    assert search.sources(hdb.registry)["hookall.company"].addon == "hookall"
    assert companies_called("tixi_search_sources") == [None]
    with hdb.session() as s:
        acme, other = envs(hdb, s)
        admin = make_env(hdb, s, hdb.users["admin"], company="acme")
        assert "hookall.company" in {src.name for src in search.available_sources(admin)}
        assert "hookall.company" not in {src.name for src in search.available_sources(other)}
        company = Company(code="searchco", name_zh="搜索公司", name_en="Search Co")
        s.add(company)
        s.flush()
        text = s.scalar(select(SearchEntry.text).where(SearchEntry.source == "hookall.company",
                                                       SearchEntry.res_id == company.id))
        assert "searchco" in text
        assert "sousuogongsi" in text  # pinyin, in full
        assert "ssgs" in text  # and as initials


def test_hook_tixi_advances_outstanding(adb):
    from hookaddons import SENTINEL

    with adb.session() as s:
        acme, other = envs(adb, s)
        assert acme.hooks.tixi_advances_outstanding(env=acme, employee_id=SENTINEL, on=None) == Decimal("12.50")
        assert other.hooks.tixi_advances_outstanding(env=other, employee_id=SENTINEL, on=None) is None
    assert companies_called("tixi_advances_outstanding", "hookaddons") == [adb.cid["acme"]]


def test_hook_tixi_advances_deduct(adb):
    from hookaddons import SENTINEL

    with adb.session() as s:
        acme, other = envs(adb, s)
        taken = acme.hooks.tixi_advances_deduct(env=acme, employee_id=SENTINEL, amount=Decimal("20"), on=None,
                                                kind="bonus")
        assert taken == Decimal("12.50")
        assert other.hooks.tixi_advances_deduct(env=other, employee_id=SENTINEL, amount=Decimal("20"), on=None,
                                                kind="bonus") is None
    assert companies_called("tixi_advances_deduct", "hookaddons") == [adb.cid["acme"]]

