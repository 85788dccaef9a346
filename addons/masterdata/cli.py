"""``tixi masterdata ...`` commands (registered through ``tixi_cli_commands``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy.orm import Session

from core.errors import TixiError

if TYPE_CHECKING:
    from addons.masterdata.models import Employee
    from core.security.env import Env


@click.group("masterdata")
def masterdata() -> None:
    """Customers and master data: handover, import, export."""


def _env(obj: Any, session: Session, as_login: str, company: str | None) -> Env:
    """The acting user's env, looked up by login and company code."""
    from core.security.env import Env

    return Env.for_login(obj.registry, session, as_login, company)


def _employee(env: Env, login_or_code: str) -> Employee:
    """An employee of the env's company by login or employee code."""
    from addons.masterdata.models import Employee
    from core.models import User

    elevated = env.sudo()  # sudo: the command names people; handover() checks who may move them
    emp = elevated.scalar(
        elevated.select(Employee).join(User, User.id == Employee.user_id).where(User.login == login_or_code)
    ) or elevated.scalar(elevated.select(Employee).where(Employee.code == login_or_code))
    if emp is None:
        raise TixiError(f"no employee with login or code {login_or_code!r} in this company")
    return emp


@masterdata.command("handover")
@click.option("--from", "from_", required=True, help="Login (or employee code) of the leaving person.")
@click.option("--to", "to", required=True, help="Login (or employee code) of the successor.")
@click.option("--company", default=None, help="Company code (default: the acting user's current one).")
@click.option("--as", "as_login", default="admin", show_default=True, help="Acting user (audited).")
@click.option("--keep-reports", is_flag=True, help="Do not move the leaving person's direct reports.")
@click.pass_obj
def handover_cmd(obj: Any, from_: str, to: str, company: str | None, as_login: str, keep_reports: bool) -> None:
    """Hand a leaving salesperson's customers, open work and archives to a successor (one transaction)."""
    from addons.masterdata.handover import handover

    with obj.registry.Session.begin() as session:
        env = _env(obj, session, as_login, company)
        counts = handover(env, _employee(env, from_), _employee(env, to), move_reports=not keep_reports)
    for key, n in sorted(counts.items()):
        click.echo(f"{key}: {n}")


@masterdata.command("import")
@click.argument("kind", type=click.Choice(["customers", "contacts", "products"]))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--company", default=None, help="Company code (default: the acting user's current one).")
@click.option("--as", "as_login", default="admin", show_default=True, help="Acting user (rights and rules apply).")
@click.option("--lang", default=None, help="Language of the error report (zh_CN or en).")
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
def import_cmd(kind: str, path: Path, company: str | None, as_login: str, lang: str | None, dry_run: bool) -> None:
    """Import customers, contacts or products from .xlsx or .csv: all rows or none."""
    from addons.masterdata.importer import import_file

    obj = click.get_current_context().obj
    session = obj.registry.Session()
    try:
        env = _env(obj, session, as_login, company)
        result = import_file(env, kind, path.read_bytes(), path.name, lang=lang)
        if result.ok and not dry_run:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()
    if not result.ok:
        for err in result.errors:
            where = f"{err.row}" + (f" [{err.column}]" if err.column else "")
            click.echo(f"{where}: {err.message}", err=True)
        raise TixiError(f"{len(result.errors)} error(s): nothing imported")
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {result.created if not dry_run else result.rows} {kind} in {result.seconds:.2f}s")


@masterdata.command("export")
@click.argument("kind", type=click.Choice(["customers", "contacts", "products"]))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--company", default=None, help="Company code.")
@click.option("--as", "as_login", default="admin", show_default=True, help="Acting user (only what they may read).")
@click.option("--lang", default=None, help="Header language (zh_CN or en).")
def export_cmd(kind: str, path: Path, company: str | None, as_login: str, lang: str | None) -> None:
    """Export customers, contacts or products to .xlsx (what the acting user may read)."""
    from addons.masterdata.importer import export_file

    obj = click.get_current_context().obj
    with obj.registry.Session() as session:
        env = _env(obj, session, as_login, company)
        path.write_bytes(export_file(env, kind, lang=lang))
    click.echo(f"wrote {path}")
