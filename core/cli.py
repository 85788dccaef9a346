"""The ``tixi`` command line.

Command names are fixed so that integrators' scripts can rely on them:
``init``, ``addons list|install|upgrade|uninstall|enable|disable|apply``,
``db upgrade|revision``, ``scaffold``, ``run``, ``worker``, ``jobs list|run``, ``users``, ``explain``.
Installed distributions add top-level commands through the entry-point group
``tixi.commands`` (the project's own ``tixi bench`` is one: the kernel does not
import it); installed addons add theirs with the ``tixi_cli_commands`` hook.
Every user error is one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import inspect
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import ArgumentError, OperationalError

from core.config import Instance
from core.errors import TixiError

COMMANDS_GROUP = "tixi.commands"
_REGISTRIES: dict[tuple[Path, bool], Any] = {}


def _registry_for(instance: Instance, strict: bool = True) -> Any:
    """The registry of an instance, built once per process (plugin commands reuse it).

    ``strict=False`` asks for a registry that records addons refused at load in
    ``registry.refused`` instead of raising (uninstall must reach a broken addon);
    on a kernel whose ``Registry`` has no ``strict`` parameter it is the normal one.
    """
    from core.registry import Registry

    lenient = not strict and _accepts(Registry, "strict")
    key = (instance.path, lenient)
    registry = _REGISTRIES.get(key)
    if registry is None:
        if not instance.exists() and "TIXI_DATABASE_URL" not in os.environ:
            raise TixiError(
                f"no instance in {instance.path}: run 'tixi init' first (or pass --instance DIR)"
            )
        registry = Registry.from_instance(instance, **({"strict": False} if lenient else {}))
        _REGISTRIES[key] = registry
    return registry


def _accepts(cls: type, parameter: str) -> bool:
    """Whether ``cls(...)`` takes a keyword ``parameter``."""
    try:
        return parameter in inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False


def _forget_registries() -> None:
    """Drop registries built by an earlier invocation in this process (tests run many)."""
    for registry in _REGISTRIES.values():
        registry.engine.dispose()
    _REGISTRIES.clear()


class Context:
    """What every command needs: the instance and, lazily, its registry."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    @property
    def registry(self) -> Any:
        """The registry of the instance (built on first use)."""
        return _registry_for(self.instance)

    def lifecycle(self, strict: bool = True) -> Any:
        """Lifecycle operations with progress printed to stderr (see :func:`_registry_for`)."""
        from core.lifecycle import Lifecycle

        registry = self.registry if strict else _registry_for(self.instance, strict=False)
        return Lifecycle(registry, progress=lambda m: click.echo(m, err=True))


pass_ctx = click.make_pass_decorator(Context)


def _interactive() -> bool:
    """Whether a person can answer a confirmation (stdin is a terminal)."""
    return sys.stdin.isatty()


def _print_report(report: Any) -> None:
    for line in report.lines():
        click.echo(line)
    for warning in getattr(report, "warnings", []):
        click.echo(f"Warning: {one_line(warning)}", err=True)


def one_line(message: object) -> str:
    """A message on one line (database drivers like multi-line messages)."""
    return " ".join(str(message).split())


class TixiGroup(click.Group):
    """Click group that turns :class:`TixiError` into one line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TixiError as exc:
            click.echo(f"Error: {one_line(exc)}", err=True)
            ctx.exit(1)
        except OperationalError as exc:
            click.echo(f"Error: cannot use the database: {one_line(exc.orig)}", err=True)
            ctx.exit(1)
        except ArgumentError as exc:
            click.echo(f"Error: bad database URL: {one_line(exc)}", err=True)
            ctx.exit(1)


class TixiCLI(TixiGroup):
    """The root command: one-line usage errors, and commands contributed by installed addons."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """Run; a usage error is one line on stderr (exit 2), like every other user error."""
        _forget_registries()
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            click.echo(f"Error: {one_line(exc.format_message())}", err=True)
            code = exc.exit_code
        except click.Abort:
            click.echo("Aborted.", err=True)
            code = 1
        else:
            code = rv if isinstance(rv, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code

    entry_points_loaded = False

    def _load_entry_points(self) -> None:
        if not TixiCLI.entry_points_loaded:
            TixiCLI.entry_points_loaded = True
            load_entry_point_commands(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A kernel command, else a distribution's (``tixi.commands``), else an addon's."""
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None:
            self._load_entry_points()
            cmd = super().get_command(ctx, cmd_name)
        if cmd is None:
            _load_plugin_commands(ctx.params.get("instance_dir"))
            cmd = super().get_command(ctx, cmd_name)
        return cmd

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Kernel commands, distributions' and installed addons' commands (for ``--help``)."""
        self._load_entry_points()
        _load_plugin_commands(ctx.params.get("instance_dir"))
        return super().list_commands(ctx)


@click.group(cls=TixiCLI)
@click.option(
    "--instance",
    "instance_dir",
    envvar="TIXI_INSTANCE",
    default="instance",
    show_default=True,
    help="Instance folder (config, SQLite file, backups).",
)
@click.pass_context
def cli(ctx: click.Context, instance_dir: str) -> None:
    """Tixi (体系): marketing & sales operations for B2B companies."""
    ctx.obj = Context(Instance.resolve(instance_dir))


@cli.command()
@click.option("--db", "database", help="Database URL (default: SQLite file in the instance).")
@click.option("--demo", is_flag=True, help="Load demo data for the addons installed.")
@click.option("--admin-password", default=None, help="Password of the 'admin' user.")
@click.option("--force", is_flag=True, help="Re-initialise an existing instance's config.")
@pass_ctx
def init(obj: Context, database: str | None, demo: bool, admin_password: str | None, force: bool) -> None:
    """Create a new instance and apply addons.yaml (companies, addons)."""
    if obj.instance.exists() and not force:
        click.echo(f"instance {obj.instance.path} already exists; applying addons.yaml", err=True)
    else:
        obj.instance.write_config(database)
        click.echo(f"created instance {obj.instance.path}")
    report = obj.lifecycle().apply_deployment(demo=demo)
    _print_report(report)
    from core.security.users import ensure_admin

    with obj.registry.Session.begin() as session:
        created = ensure_admin(session, admin_password)
    if created:
        click.echo(f"created user 'admin' with password {created!r} (change it after login)")


@cli.group(cls=TixiGroup)
def addons() -> None:
    """Install, upgrade, uninstall and enable addons."""


@addons.command("list")
@pass_ctx
def addons_list(obj: Context) -> None:
    """Name, version, state, dependencies and companies of every addon found."""
    from sqlalchemy import select

    from core.models import Company, CompanyAddon

    reg = obj.registry
    by_addon: dict[str, list[str]] = {}
    if reg.kernel_ready():
        with reg.Session() as s:
            rows = s.execute(
                select(CompanyAddon.addon, Company.code).join(Company, Company.id == CompanyAddon.company_id)
            )
            for addon, code in rows:
                by_addon.setdefault(addon, []).append(code)
    click.echo(
        f"{'name':<20} {'version':<10} {'state':<14} {'depends':<30} {'companies':<20} location"
    )
    for name in sorted(reg.manifests):
        m = reg.manifests[name]
        state = "installed" if name in reg.installed else "available"
        if name in reg.installed and reg.installed[name] != str(m.version):
            state = f"to upgrade ({reg.installed[name]})"
        deps = ",".join(str(d) for d in m.depends) or "-"
        companies = ",".join(sorted(by_addon.get(name, []))) or "-"
        click.echo(
            f"{name:<20} {str(m.version):<10} {state:<14} {deps:<30} {companies:<20} "
            f"{m.path} ({m.origin})"
        )


@addons.command("install")
@click.argument("names", nargs=-1, required=True)
@click.option("--demo", is_flag=True, help="Also load the addons' demo data.")
@click.option("--dry-run", is_flag=True, help="Show what would happen, change nothing.")
@pass_ctx
def addons_install(obj: Context, names: tuple[str, ...], demo: bool, dry_run: bool) -> None:
    """Install addons and their dependencies."""
    _print_report(obj.lifecycle().install(names, demo=demo, dry_run=dry_run))


@addons.command("upgrade")
@click.argument("names", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Show what would happen, change nothing.")
@pass_ctx
def addons_upgrade(obj: Context, names: tuple[str, ...], dry_run: bool) -> None:
    """Upgrade addons (all whose version rose when no name is given)."""
    _print_report(obj.lifecycle().upgrade(names, dry_run=dry_run))


@addons.command("uninstall")
@click.argument("name")
@click.option("--cascade", is_flag=True, help="Also uninstall addons that depend on it.")
@click.option("--dry-run", is_flag=True, help="Show tables and rows that would go.")
@click.option("--yes", is_flag=True, help="Confirm without asking.")
@pass_ctx
def addons_uninstall(obj: Context, name: str, cascade: bool, dry_run: bool, yes: bool) -> None:
    """Uninstall an addon: drops its tables and data after a backup.

    The registry is built leniently (``strict=False``) so that an addon the
    kernel refuses to load can still be uninstalled.
    """
    life = obj.lifecycle(strict=False)
    if not dry_run and not yes:
        if not _interactive():
            raise TixiError("uninstall not confirmed (use --yes to confirm non-interactively)")
        _print_report(life.uninstall(name, cascade=cascade, dry_run=True))
        if not click.confirm("Drop these tables and data?"):
            raise TixiError("uninstall not confirmed")
    report = life.uninstall(
        name, cascade=cascade, dry_run=dry_run, confirmed=True, backup_dir=obj.instance.backups
    )
    _print_report(report)


@addons.command("enable")
@click.argument("name")
@click.option("--company", "company", required=True, help="Company code.")
@click.option("--dry-run", is_flag=True)
@pass_ctx
def addons_enable(obj: Context, name: str, company: str, dry_run: bool) -> None:
    """Enable an addon for one company (installs it first if needed)."""
    _print_report(obj.lifecycle().enable(name, company, dry_run=dry_run))


@addons.command("disable")
@click.argument("name")
@click.option("--company", "company", required=True, help="Company code.")
@click.option("--dry-run", is_flag=True)
@pass_ctx
def addons_disable(obj: Context, name: str, company: str, dry_run: bool) -> None:
    """Disable an addon for one company; its data stays, other companies are untouched."""
    _print_report(obj.lifecycle().disable(name, company, dry_run=dry_run))


@addons.command("apply")
@click.option("--demo", is_flag=True)
@click.option("--dry-run", is_flag=True)
@pass_ctx
def addons_apply(obj: Context, demo: bool, dry_run: bool) -> None:
    """Make the database match addons.yaml (companies, installed and enabled addons)."""
    _print_report(obj.lifecycle().apply_deployment(demo=demo, dry_run=dry_run))


@cli.group(cls=TixiGroup)
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--dry-run", is_flag=True, help="List pending migrations, change nothing.")
@pass_ctx
def db_upgrade(obj: Context, dry_run: bool) -> None:
    """Bring the kernel and every installed addon to their head revision."""
    _print_report(obj.lifecycle().upgrade(dry_run=dry_run))


@db.command("revision")
@click.argument("addon")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Do not autogenerate from the models.")
@pass_ctx
def db_revision(obj: Context, addon: str, message: str, empty: bool) -> None:
    """Create a new migration for ADDON (autogenerated from its models)."""
    from core import migrate

    reg = obj.registry
    if addon not in reg.manifests:
        raise TixiError(f"unknown addon {addon!r}")
    manifest = reg.manifests[addon]
    reg.load(addon)
    active = [reg.manifests[n] for n in reg.installed if n in reg.manifests]
    if manifest not in active:
        active.append(manifest)
    with reg.engine.connect() as conn:
        trans = conn.begin()
        path = migrate.new_revision(
            conn, active, addon, message, manifest.migrations_dir,
            ["core"] + [d.name for d in manifest.depends], autogenerate=not empty,
        )
        trans.rollback()
    click.echo(f"created {path}")


@cli.command()
@click.argument("name")
@click.option("--path", "target", default=None, help="Folder to create the addon in (default: addons/).")
@pass_ctx
def scaffold(obj: Context, name: str, target: str | None) -> None:
    """Create a new addon skeleton that installs and whose test passes."""
    from core.scaffold import scaffold_addon

    path = scaffold_addon(name, Path(target) if target else None)
    click.echo(f"created addon {name} in {path}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug", is_flag=True)
@pass_ctx
def run(obj: Context, host: str, port: int, debug: bool) -> None:
    """Serve the web UI (development server; use gunicorn in production)."""
    from core.web.app import create_app

    app = create_app(instance=obj.instance)
    registry = obj.registry
    if registry.engine.dialect.name == "sqlite":
        from core.jobs import backend

        scheduled = backend(registry).start_scheduler()
        click.echo(f"jobs: running in this process ({scheduled} periodic)", err=True)
    else:
        click.echo("jobs: run 'tixi worker' (one or more) to execute scheduled and background jobs", err=True)
    app.run(host=host, port=port, debug=debug, use_reloader=False)


@cli.command()
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Jobs this worker runs at the same time (threads).")
@pass_ctx
def worker(obj: Context, concurrency: int) -> None:
    """Run scheduled and background jobs (PostgreSQL); stops cleanly on SIGTERM or SIGINT.

    Run as many workers as you like, on as many machines: each queued job runs
    once, and each period of a periodic job once across all of them.
    """
    registry = obj.registry
    if registry.engine.dialect.name != "postgresql":
        raise TixiError("tixi worker needs PostgreSQL; on SQLite 'tixi run' runs the jobs in its process")
    from core.jobs.queue import run_worker

    click.echo(f"worker: {concurrency} job(s) at a time; stop with SIGTERM or Ctrl-C", err=True)
    run_worker(registry, concurrency=concurrency)
    click.echo("worker: stopped", err=True)


@cli.group(cls=TixiGroup)
def jobs() -> None:
    """Declared jobs: list them, run one by hand."""


@jobs.command("list")
@pass_ctx
def jobs_list(obj: Context) -> None:
    """Code, addon, schedule (UTC) and next run of every declared job."""
    from core.i18n import label
    from core.jobs import declared_jobs

    click.echo(f"{'code':<36} {'addon':<14} {'cron (UTC)':<16} {'next run (UTC)':<20} label")
    for spec in declared_jobs(obj.registry).values():
        nxt = spec.next_run()
        click.echo(f"{spec.code:<36} {spec.addon:<14} {spec.cron or '-':<16} "
                   f"{nxt.strftime('%Y-%m-%d %H:%M') if nxt else '-':<20} {label(spec.label)}")


@jobs.command("run")
@click.argument("code")
@click.option("--company", "company", default=None, help="Company code (default: every company using the job).")
@pass_ctx
def jobs_run(obj: Context, code: str, company: str | None) -> None:
    """Run job CODE now in this process, once (a periodic job for its current period)."""
    from sqlalchemy import select

    from core.jobs import job_spec, run_by_hand
    from core.models import Company

    registry = obj.registry
    job_spec(registry, code)
    company_id = None
    if company:
        with registry.Session() as s:
            company_id = s.scalar(select(Company.id).where(Company.code == company))
        if company_id is None:
            raise TixiError(f"no company with code {company!r}")
    counts = run_by_hand(registry, code, company_id)
    click.echo(f"{code}: {counts['done']} run(s) done, {counts['skipped']} skipped (period already done)")


@cli.group(cls=TixiGroup)
def search() -> None:
    """The global search's index."""


@search.command("reindex")
@click.option("--source", default=None, help="One source (e.g. masterdata.customer); default: all.")
@pass_ctx
def search_reindex(obj: Context, source: str | None) -> None:
    """Rebuild the search index (after data was written past the application, or to refresh related names)."""
    from core.search import reindex

    registry = obj.registry
    with registry.Session.begin() as s:
        done = reindex(s, registry, only=source)
    if source and source not in done:
        raise TixiError(f"no search source {source!r}")
    for name, count in done.items():
        click.echo(f"{name}: {count} record(s) indexed")


@cli.command()
@click.argument("login")
@click.argument("model")
@click.argument("res_id", type=int)
@click.option("--company", default=None, help="Company code (default: the user's current company).")
@pass_ctx
def explain(obj: Context, login: str, model: str, res_id: int, company: str | None) -> None:
    """Why can LOGIN see (or change) record RES_ID of MODEL?"""
    from core.security.explain import explain_access

    for line in explain_access(obj.registry, login, model, res_id, company):
        click.echo(line)


def _load_plugin_commands(instance_dir: str | None) -> None:
    """Add commands contributed by the instance's installed addons (``tixi_cli_commands``)."""
    try:
        instance = Instance.resolve(instance_dir)
        if not instance.exists():
            return
        from core.plugins import flatten

        for command in flatten(_registry_for(instance).all_hooks.tixi_cli_commands()):
            if command.name not in cli.commands:
                cli.add_command(command)
    except Exception:  # noqa: BLE001 - a broken instance must not break the kernel's commands
        return


def load_entry_point_commands(group: Any = cli) -> list[str]:
    """Add the commands that installed distributions declare in ``tixi.commands``.

    ``[project.entry-points."tixi.commands"] bench = "bench.cli:bench"`` adds
    ``tixi bench``. A kernel command is never replaced; an entry point that
    cannot be loaded costs one line on stderr, not a traceback. Returns the
    names added.
    """
    added: list[str] = []
    for ep in metadata.entry_points(group=COMMANDS_GROUP):
        if ep.name in group.commands:
            continue
        try:
            command = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the CLI
            click.echo(
                f"Warning: command {ep.name!r} ({ep.value}) cannot be loaded: "
                f"{type(exc).__name__}: {one_line(exc)}",
                err=True,
            )
            continue
        if not isinstance(command, click.Command):
            click.echo(
                f"Warning: command {ep.name!r} ({ep.value}) is not a click command", err=True
            )
            continue
        group.add_command(command, ep.name)
        added.append(ep.name)
    return added


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from core.security import users  # noqa: F401

    cli.main(args=argv, prog_name="tixi")


if __name__ == "__main__":
    main()
