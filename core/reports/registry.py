"""The reports of the installed addons (``tixi_reports``), those a company enabled, and who may run them."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from core.errors import AccessDenied, TixiError
from core.i18n import _, current_lang, translate
from core.reports.declaration import Report, check_declaration

if TYPE_CHECKING:
    from core.security.env import Env

__all__ = ["UnknownReport", "available_reports", "can_run", "check_access", "get_report", "reports"]


class UnknownReport(TixiError):
    """No installed addon declares this report, or its addon is not enabled for the company (web: 404)."""


def reports(registry: Any) -> dict[str, Report]:
    """Every report declared by the installed addons, by code (checked once per set of addons).

    A malformed declaration (code without the addon's prefix, two reports of
    one code, an unknown column format) is a :class:`TixiError` naming it.
    """
    key = frozenset(getattr(registry, "modules", {}) or ())
    cache = registry.__dict__.setdefault("_tixi_reports", {})
    if key in cache:
        return cache[key]
    out: dict[str, Report] = {}
    caller = getattr(registry.pm.hook, "tixi_reports", None)
    owners = {id(m): n for n, m in getattr(registry, "modules", {}).items()}
    for impl in reversed(caller.get_hookimpls()) if caller is not None else ():
        owner = owners.get(id(impl.plugin))
        for r in impl.function() or ():
            check_declaration(r, owner)
            if r.code in out:
                raise TixiError(f"report {r.code}: declared twice")
            out[r.code] = replace(r, addon=r.code.split(".", 1)[0])
    cache[key] = out
    return out


def get_report(env: Env, code: str) -> Report:
    """The report ``code`` if its addon is enabled for the env's company, else :class:`UnknownReport`."""
    r = reports(env.registry).get(code)
    if r is None or r.addon not in env.enabled:
        raise UnknownReport(_("Unknown report: %(code)s.", code=code))
    return r


def check_access(env: Env, report: Report) -> None:
    """:class:`AccessDenied` unless the env's user may run ``report`` (model right, groups, restricted field)."""
    ok = True
    if report.model is not None and not env.can(report.model, "read"):
        ok = False
    if ok and report.groups and not (env.user.is_admin or env.in_group(*report.groups)):
        ok = False
    if ok and report.restricted_field is not None and not env.field_visible(*report.restricted_field):
        ok = False
    if not ok:
        message = translate(report.denied, current_lang(env)) if report.denied else _(
            "You may not run this report.")
        raise AccessDenied(message)


def can_run(env: Env, report: Report) -> bool:
    """Whether :func:`check_access` lets the env's user run ``report``."""
    try:
        check_access(env, report)
    except AccessDenied:
        return False
    return True


def available_reports(env: Env, runnable: bool = True) -> list[Report]:
    """Reports of the addons enabled for the env's company (only those the user may run), by addon and sequence."""
    enabled = env.enabled
    out = [r for r in reports(env.registry).values() if r.addon in enabled]
    if runnable:
        out = [r for r in out if can_run(env, r)]
    return sorted(out, key=lambda r: (r.addon, r.sequence, r.code))
