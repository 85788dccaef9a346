"""Install, upgrade and uninstall addons; enable and disable them per company.

Every operation runs in one database transaction: migrations (Alembic, DDL
included: SQLite DDL is made transactional in :func:`core.db.make_engine`),
data files and the registry state commit together or not at all. A dry run
performs the same work and rolls it back, so its report is exact.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, inspect, or_, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from core import attachments, graph, migrate
from core.data import DataLoader, remove_addon_data
from core.db import utcnow
from core.errors import LifecycleError, TixiError
from core.manifest import Manifest
from core.models import AddonState, ApprovalEvent, ApprovalRequest, Company, CompanyAddon, User
from core.registry import Registry
from core.security.env import Env


def core_manifest() -> Manifest:
    """A manifest-like description of the kernel, for loading its own data files."""
    from packaging.version import Version

    import core

    return Manifest(
        name="core",
        version=Version(core.__version__),
        label={"zh_CN": "内核", "en": "Kernel"},
        summary={"zh_CN": "内核", "en": "Kernel"},
        depends=(),
        category="Kernel",
        license="LGPL-3.0-or-later",
        path=Path(core.__file__).resolve().parent,
        module="core",
        origin="kernel",
        data=("data/security.yaml",),
    )


Progress = Callable[[str], None]


class SetupEnv(Env):
    """The environment of ``tixi_company_setup``: one company, acting as the kernel.

    No user is behind it (``user_id`` is ``None``: rows it creates have no
    ``created_by_id``, audit entries no author); it has the administrator's
    rights, and global record rules still apply. Only the lifecycle builds one,
    inside its transaction.
    """

    def __init__(self, registry: Registry, session: Session, company_id: int) -> None:
        # Env.__init__ needs a user row; the kernel is none. Same attributes, set here
        # (tests/test_lifecycle_setup.py checks that every attribute Env sets is set).
        self.registry = registry
        self.session = session
        self.user = User(login="__kernel__", name="Kernel", active=True, is_admin=True)
        self.user_id = None  # type: ignore[assignment]
        self.company_ids = frozenset({company_id})
        self.company_id = company_id
        self._rules = {}
        self._rules_loaded = False
        self._clauses = {}
        self._readable_refs = {}

    @property
    def group_ids(self) -> frozenset[int]:  # type: ignore[override]
        """No groups (administrator rights come from ``is_admin``)."""
        return frozenset()


@dataclass
class Step:
    """What happened (or would happen) to one addon."""

    addon: str
    action: str  # install, upgrade, uninstall, enable, disable
    from_version: str | None = None
    to_version: str | None = None
    migrations: list[str] = field(default_factory=list)
    tables_created: list[str] = field(default_factory=list)
    tables_dropped: dict[str, int] = field(default_factory=dict)
    records: int = 0
    removed_records: int = 0
    approvals: int = 0
    attachments: int = 0
    kept: list[str] = field(default_factory=list)
    #: one-line warnings of this step (a model readable without a record rule, ...)
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line for the CLI."""
        parts = [f"{self.action} {self.addon}"]
        if self.from_version or self.to_version:
            parts.append(f"{self.from_version or '-'} -> {self.to_version or '-'}")
        if self.migrations:
            parts.append(f"{len(self.migrations)} migration(s)")
        if self.tables_created:
            parts.append("tables +" + ",".join(self.tables_created))
        if self.tables_dropped:
            parts.append(
                "tables -" + ",".join(f"{t}({n} rows)" for t, n in self.tables_dropped.items())
            )
        if self.records:
            parts.append(f"{self.records} data record(s)")
        if self.removed_records:
            parts.append(f"{self.removed_records} data record(s) removed")
        if self.approvals:
            parts.append(f"{self.approvals} approval(s) removed")
        if self.attachments:
            parts.append(f"{self.attachments} attachment(s) removed")
        if self.kept:
            parts.append("kept (still referenced, deactivated): " + ",".join(self.kept))
        return ", ".join(parts)


@dataclass
class Report:
    """The outcome of one lifecycle operation."""

    steps: list[Step] = field(default_factory=list)
    dry_run: bool = False
    backup: Path | None = None
    #: one-line warnings for stderr (``tixi addons enable`` against ``addons.yaml``, ...)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary, one line per step."""
        head = "[dry run] " if self.dry_run else ""
        out = [head + s.describe() for s in self.steps] or [head + "nothing to do"]
        if self.backup:
            out.append(f"backup written to {self.backup}")
        return out


def _noop(_: str) -> None:
    return None


class Lifecycle:
    """Lifecycle operations on one registry (one database)."""

    def __init__(self, registry: Registry, progress: Progress | None = None) -> None:
        self.registry = registry
        self.progress = progress or _noop

    # ----- transaction helper ------------------------------------------------------------
    def _run(self, dry_run: bool, work: Callable[[Connection, Session, Report], None]) -> Report:
        report = Report(dry_run=dry_run)
        loaded_before = set(self.registry.modules)
        with self.registry.engine.connect() as conn:
            trans = conn.begin()
            session = Session(bind=conn, join_transaction_mode="create_savepoint", autoflush=True)
            try:
                work(conn, session, report)
                session.flush()
                if dry_run:
                    trans.rollback()
                else:
                    trans.commit()
            except BaseException:
                trans.rollback()
                raise
            finally:
                session.close()
        if dry_run:
            for name in set(self.registry.modules) - loaded_before:
                self.registry.unload(name)
        self.registry.refresh()
        return report

    def _tables(self, conn: Connection) -> set[str]:
        return set(inspect(conn).get_table_names())

    # ----- kernel ------------------------------------------------------------------------
    def init_kernel(self, conn: Connection) -> None:
        """Create or upgrade the kernel tables (branch ``core``) and its seed data."""
        migrate.upgrade(conn, self._installed_manifests(conn), "core")
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        loader = DataLoader(session, core_manifest())
        loader.load_file("data/security.yaml")
        session.flush()

    def _installed_manifests(self, conn: Connection) -> list[Manifest]:
        """Manifests of the addons installed in this database (their version folders)."""
        if not inspect(conn).has_table("core_addon"):
            return []
        names = conn.execute(select(AddonState.name)).scalars()
        return [self.registry.manifests[n] for n in names if n in self.registry.manifests]

    def _installed(self, session: Session) -> dict[str, AddonState]:
        return {a.name: a for a in session.scalars(select(AddonState))}

    # ----- per-company set-up ------------------------------------------------------------
    def setup_company(self, session: Session, company: Company, names: Iterable[str]) -> None:
        """Run ``tixi_company_setup`` of each addon (dependencies first) for one company.

        Called when addons are enabled for a company, by ``tixi addons apply`` for
        every addon a company uses, and after an addon upgrade; implementations
        are idempotent, so calling again changes nothing. Only the named addon's
        implementation runs, in a :class:`SetupEnv` of that company.
        """
        manifests = self.registry.manifests
        wanted = [n for n in graph.order(manifests, [n for n in names if n in manifests])]
        session.flush()
        env = None
        for name in wanted:
            module = self.registry.modules.get(name)
            if module is None or not hasattr(self.registry.pm.hook, "tixi_company_setup"):
                continue
            impls = [
                i for i in self.registry.pm.hook.tixi_company_setup.get_hookimpls()
                if i.plugin is module
            ]
            if not impls:
                continue
            others = [p for p in self.registry.pm.get_plugins() if p is not module]
            caller = self.registry.pm.subset_hook_caller("tixi_company_setup", remove_plugins=others)
            env = env or SetupEnv(self.registry, session, company.id)
            self.progress(f"  {name}: company set-up for {company.code}")
            caller(env=env, company=company)
            session.flush()

    def _setup_enabled(self, session: Session, names: Iterable[str]) -> None:
        """Company set-up of these addons for every company that enabled them (after upgrade)."""
        names = set(names)
        rows = session.execute(
            select(CompanyAddon.company_id, CompanyAddon.addon).where(CompanyAddon.addon.in_(names))
        ).all()
        by_company: dict[int, list[str]] = {}
        for cid, addon in rows:
            by_company.setdefault(cid, []).append(addon)
        for cid in sorted(by_company):
            self.setup_company(session, session.get(Company, cid), by_company[cid])

    def _rule_coverage(self, session: Session, manifest: Manifest) -> list[str]:
        """One warning line when a model of the addon is readable by a restricted role without a rule.

        See :mod:`core.security.coverage`; the project's own addons are held to
        it by the security matrix (a failing test), outside addons get the warning.
        """
        from core.security.coverage import (
            company_wide_declarations,
            coverage_message,
            uncovered_models,
        )

        session.flush()
        tables = [t.name for t in self.registry.tables_of(manifest)]
        missing = uncovered_models(session, tables, company_wide_declarations([manifest]))
        return [coverage_message(manifest.name, missing)] if missing else []

    # ----- install -----------------------------------------------------------------------
    def install(self, names: Iterable[str], demo: bool = False, dry_run: bool = False) -> Report:
        """Install addons with their dependency closure (and auto-install addons)."""
        names = list(names)
        manifests = self.registry.manifests

        def work(conn: Connection, session: Session, report: Report) -> None:
            self.init_kernel(conn)
            installed = self._installed(session)
            wanted = graph.closure(manifests, names)
            todo = set(wanted) - set(installed)
            while True:
                extra = set(graph.auto_installable(manifests, set(installed) | todo)) - todo
                if not extra:
                    break
                todo |= graph.closure(manifests, extra) - set(installed)
            for name in graph.order(manifests, todo):
                step = self._install_one(conn, session, name, demo, installed)
                report.steps.append(step)
                report.warnings.extend(step.warnings)

        return self._run(dry_run, work)

    def _install_one(
        self, conn: Connection, session: Session, name: str, demo: bool, installed: dict
    ) -> Step:
        manifest = self.registry.manifests[name]
        check_python_requirements(manifest)
        self.progress(f"installing {name} {manifest.version}")
        step = Step(name, "install", None, str(manifest.version))
        before = self._tables(conn)
        self.registry.load(name)
        active = [
            self.registry.manifests[n]
            for n in list(installed) + [name]
            if n in self.registry.manifests
        ]
        step.migrations = migrate.pending(conn, active, name)
        migrate.upgrade(conn, active, name)
        step.tables_created = sorted(self._tables(conn) - before)
        loader = DataLoader(session, manifest)
        files = list(manifest.data) + (list(manifest.demo) if demo else [])
        for rel in files:
            self.progress(f"  {name}: loading {rel}")
            loader.load_file(rel)
        step.records = loader.count
        step.warnings = self._rule_coverage(session, manifest)
        state = AddonState(name=name, version=str(manifest.version), demo=demo)
        session.add(state)
        session.flush()
        installed[name] = state
        return step

    # ----- upgrade -----------------------------------------------------------------------
    def upgrade(self, names: Iterable[str] | None = None, dry_run: bool = False) -> Report:
        """Upgrade the kernel and installed addons whose manifest version rose (or all named)."""
        names = list(names or [])
        manifests = self.registry.manifests

        def work(conn: Connection, session: Session, report: Report) -> None:
            core_pending = migrate.pending(conn, self._installed_manifests(conn), "core")
            self.init_kernel(conn)
            if core_pending:
                report.steps.append(Step("core", "upgrade", migrations=core_pending))
            installed = self._installed(session)
            for name in names:
                if name not in installed:
                    raise LifecycleError(f"addon {name!r} is not installed")
            missing = [n for n in installed if n not in manifests]
            if missing:
                raise LifecycleError(
                    f"installed addon {missing[0]!r} is no longer available in any addons path"
                )
            graph.check(manifests, installed)
            active = [manifests[n] for n in installed]
            for name in graph.order(manifests, installed):
                state = installed[name]
                manifest = manifests[name]
                pending = migrate.pending(conn, active, name)
                newer = manifest.version > _version(state.version)
                if manifest.version < _version(state.version):
                    raise LifecycleError(
                        f"addon {name!r}: database has version {state.version}, code has "
                        f"{manifest.version} (a downgrade is not supported)"
                    )
                if not (newer or pending or name in names):
                    continue
                self.progress(f"upgrading {name} {state.version} -> {manifest.version}")
                step = Step(
                    name, "upgrade", state.version, str(manifest.version), migrations=pending
                )
                before = self._tables(conn)
                migrate.upgrade(conn, active, name)
                step.tables_created = sorted(self._tables(conn) - before)
                loader = DataLoader(session, manifest)
                for rel in list(manifest.data) + (list(manifest.demo) if state.demo else []):
                    loader.load_file(rel)
                step.records = loader.count
                step.removed_records = loader.remove_stale()
                step.warnings = self._rule_coverage(session, manifest)
                state.version = str(manifest.version)
                state.updated_at = utcnow()
                session.flush()
                report.steps.append(step)
                report.warnings.extend(step.warnings)
            upgraded = [st.addon for st in report.steps if st.addon in manifests]
            if upgraded:
                self._setup_enabled(session, upgraded)

        return self._run(dry_run, work)

    # ----- uninstall ---------------------------------------------------------------------
    def uninstall(
        self,
        name: str,
        cascade: bool = False,
        dry_run: bool = False,
        confirmed: bool = False,
        backup_dir: Path | None = None,
    ) -> Report:
        """Remove an addon's data, tables and state; dependents first when ``cascade``.

        Without ``confirmed`` (and outside a dry run) nothing is dropped. A JSON
        backup of every row that goes is written first.
        """
        manifests = self.registry.manifests

        def work(conn: Connection, session: Session, report: Report) -> None:
            installed = self._installed(session)
            if name not in installed:
                raise LifecycleError(f"addon {name!r} is not installed")
            deps = graph.dependents(manifests, name, [n for n in installed if n in manifests])
            if deps and not cascade:
                raise LifecycleError(
                    f"cannot uninstall {name!r}: installed addon(s) {', '.join(deps)} depend on it "
                    "(use --cascade to uninstall them too)"
                )
            if not dry_run and not confirmed:
                raise LifecycleError("uninstall drops tables and data: confirm with --yes")
            victims = list(reversed(deps)) + [name]
            active = [manifests[n] for n in installed if n in manifests]
            if backup_dir is not None and not dry_run:
                report.backup = self._backup(conn, session, victims, backup_dir)
            for victim in victims:
                self.progress(f"uninstalling {victim}")
                step = Step(victim, "uninstall", installed[victim].version, None)
                tables = [t for t in self._tables(conn) if t.startswith(victim + "_")]
                step.tables_dropped = {
                    t: conn.execute(select(func.count()).select_from(table(t))).scalar_one()
                    for t in sorted(tables)
                }
                approvals = _approvals_of(victim, list(step.tables_dropped))
                step.approvals = session.scalar(
                    select(func.count()).select_from(ApprovalRequest).where(approvals)
                ) or 0
                if step.approvals:
                    ids = select(ApprovalRequest.id).where(approvals)
                    session.execute(delete(ApprovalEvent).where(ApprovalEvent.approval_id.in_(ids)))
                    session.execute(delete(ApprovalRequest).where(approvals))
                step.attachments, shas = attachments.purge_tables(session, list(step.tables_dropped))
                orphans.extend(shas)
                step.removed_records = remove_addon_data(session, victim, step.kept)
                from core.models import SearchEntry

                session.execute(delete(SearchEntry).where(SearchEntry.source.startswith(victim + ".", autoescape=True)))
                session.execute(delete(CompanyAddon).where(CompanyAddon.addon == victim))
                session.flush()
                migrate.downgrade_to_base(conn, active, victim)
                leftover = [t for t in self._tables(conn) if t.startswith(victim + "_")]
                if leftover:
                    raise LifecycleError(
                        f"addon {victim!r}: its migrations' downgrade left tables {leftover}"
                    )
                session.delete(installed[victim])
                session.flush()
                active = [m for m in active if m.name != victim]
                report.steps.append(step)
            for victim in victims:
                self.registry.unload(victim)

        orphans: list[str] = []  # attachment contents whose rows went: removed after the commit
        report = self._run(dry_run, work)
        if dry_run:
            self.registry.refresh()
        elif orphans:
            attachments.collect(self.registry, orphans)
        return report

    def _backup(self, conn: Connection, session: Session, victims: list[str], folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = folder / f"{stamp}-uninstall-{'-'.join(victims)}.json"
        dump: dict[str, Any] = {
            "addons": victims,
            "taken_at": stamp,
            "tables": {},
            "external_ids": {},
        }
        for t in sorted(self._tables(conn)):
            if any(t.startswith(v + "_") for v in victims):
                rows = conn.execute(text(f'SELECT * FROM "{t}"')).mappings().all()
                dump["tables"][t] = [dict(r) for r in rows]
        from core.models import ExternalId

        dump["approvals"] = {}
        dump["approval_events"] = {}
        for v in victims:
            tables = [t for t in self._tables(conn) if t.startswith(v + "_")]
            where = _approvals_of(v, tables)
            requests = session.scalars(select(ApprovalRequest).where(where)).all()
            dump["approvals"][v] = [_row(r) for r in requests]
            events = session.scalars(
                select(ApprovalEvent)
                .where(ApprovalEvent.approval_id.in_([r.id for r in requests] or [-1]))
                .order_by(ApprovalEvent.id)
            ).all()
            dump["approval_events"][v] = [_row(e) for e in events]
        from core.models import Attachment

        dump["attachments"] = {}
        for v in victims:
            tables = [t for t in self._tables(conn) if t.startswith(v + "_")]
            rows = session.scalars(select(Attachment).where(Attachment.model.in_(tables or ["-"])))
            dump["attachments"][v] = [_row(r) for r in rows]
        for v in victims:
            dump["external_ids"][v] = [
                {"name": x.name, "table": x.table, "res_id": x.res_id}
                for x in session.scalars(select(ExternalId).where(ExternalId.addon == v))
            ]
        path.write_text(
            json.dumps(dump, ensure_ascii=False, default=_json_default, indent=1), encoding="utf-8"
        )
        return path

    # ----- per company -------------------------------------------------------------------
    def enable(self, name: str, company_code: str, dry_run: bool = False) -> Report:
        """Enable an addon (and its dependencies) for one company, installing what is missing.

        Each addon's ``tixi_company_setup`` runs for the company (again, for those
        already enabled: it is idempotent). When ``addons.yaml`` manages the company
        and does not list the addon, the report warns that the next ``apply`` undoes it.
        """
        manifests = self.registry.manifests

        def work(conn: Connection, session: Session, report: Report) -> None:
            self.init_kernel(conn)
            company = _company(session, company_code)
            installed = self._installed(session)
            needed = graph.order(manifests, graph.closure(manifests, [name]))
            for dep in needed:
                if dep not in installed:
                    report.steps.append(self._install_one(conn, session, dep, False, installed))
            added = []
            for dep in needed:
                if session.get(CompanyAddon, (company.id, dep)) is None:
                    session.add(CompanyAddon(company_id=company.id, addon=dep))
                    report.steps.append(Step(dep, f"enable for {company.code}"))
                    added.append(dep)
            session.flush()
            self.setup_company(session, company, needed)
            want = self._declared(company.code)
            undone = [d for d in added if want is not None and d not in want]
            if undone:
                report.warnings.append(
                    f"addons.yaml manages company {company.code} and does not list "
                    f"{', '.join(undone)}: the next 'tixi addons apply' disables it again "
                    f"unless you add it to {self._deployment_name()}"
                )

        return self._run(dry_run, work)

    def disable(self, name: str, company_code: str, dry_run: bool = False) -> Report:
        """Disable an addon (and addons enabled there that depend on it) for one company.

        The company's data stays in the tables; no other company is touched. When
        ``addons.yaml`` lists the addon for the company, the report warns that the
        next ``apply`` enables it again.
        """
        manifests = self.registry.manifests

        def work(conn: Connection, session: Session, report: Report) -> None:
            company = _company(session, company_code)
            enabled = set(
                session.scalars(
                    select(CompanyAddon.addon).where(CompanyAddon.company_id == company.id)
                )
            )
            if name not in enabled:
                raise LifecycleError(f"addon {name!r} is not enabled for company {company.code!r}")
            deps = graph.dependents(manifests, name, [n for n in enabled if n in manifests])
            gone = list(reversed(deps)) + [name]
            for dep in gone:
                session.execute(
                    delete(CompanyAddon).where(
                        CompanyAddon.company_id == company.id, CompanyAddon.addon == dep
                    )
                )
                report.steps.append(Step(dep, f"disable for {company.code}"))
            want = self._declared(company.code)
            undone = [d for d in gone if want is not None and d in want]
            if undone:
                report.warnings.append(
                    f"addons.yaml manages company {company.code} and lists "
                    f"{', '.join(undone)}: the next 'tixi addons apply' enables it again "
                    f"unless you remove it from {self._deployment_name()}"
                )

        return self._run(dry_run, work)

    def _declared(self, company_code: str) -> set[str] | None:
        """Addons ``addons.yaml`` enables for a company (closure), or ``None`` if it does not manage it."""
        for spec in self.registry.deployment.companies:
            if spec.code == company_code:
                known = [a for a in spec.addons if a in self.registry.manifests]
                return set(graph.closure(self.registry.manifests, known))
        return None

    def _deployment_name(self) -> str:
        path = self.registry.deployment.path
        return str(path) if path else "addons.yaml"

    def apply_deployment(self, demo: bool = False, dry_run: bool = False) -> Report:
        """Make the database match ``addons.yaml``: companies exist, addons installed and enabled."""
        deployment = self.registry.deployment
        manifests = self.registry.manifests

        def work(conn: Connection, session: Session, report: Report) -> None:
            self.init_kernel(conn)
            installed = self._installed(session)
            installed_before = set(installed)
            wanted: set[str] = set()
            for spec in deployment.companies:
                wanted |= graph.closure(manifests, spec.addons)
            companies = {}
            existing: set[str] = set()
            for spec in deployment.companies:
                company = session.scalar(select(Company).where(Company.code == spec.code))
                if company is not None:
                    existing.add(spec.code)
                if company is None:
                    company = Company(
                        code=spec.code,
                        name_zh=spec.name_zh,
                        name_en=spec.name_en,
                        currency=spec.currency,
                    )
                    session.add(company)
                    session.flush()
                    report.steps.append(Step(spec.code, "create company"))
                companies[spec.code] = company
            for name in graph.order(manifests, wanted - set(installed)):
                report.steps.append(self._install_one(conn, session, name, demo, installed))
            undone: list[str] = []
            for spec in deployment.companies:
                company = companies[spec.code]
                want = graph.closure(manifests, spec.addons)
                have = set(
                    session.scalars(
                        select(CompanyAddon.addon).where(CompanyAddon.company_id == company.id)
                    )
                )
                for n in sorted(want - have):
                    session.add(CompanyAddon(company_id=company.id, addon=n))
                    report.steps.append(Step(n, f"enable for {company.code}"))
                    if spec.code in existing and n in installed_before:
                        undone.append(f"enable {n} for {company.code}")
                for n in sorted(have - want):
                    session.execute(
                        delete(CompanyAddon).where(
                            CompanyAddon.company_id == company.id, CompanyAddon.addon == n
                        )
                    )
                    report.steps.append(Step(n, f"disable for {company.code}"))
                    undone.append(f"disable {n} for {company.code}")
                session.flush()
                self.setup_company(session, company, want)
            if undone:
                report.warnings.append(
                    "addons.yaml wins over changes made by hand; apply undid: " + "; ".join(undone)
                )

        return self._run(dry_run, work)


def check_python_requirements(manifest: Manifest) -> None:
    """Refuse to install an addon whose external Python requirements are not met."""
    from importlib import metadata

    from packaging.requirements import Requirement

    for line in manifest.python_requires:
        req = Requirement(line)
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            raise LifecycleError(
                f"addon {manifest.name!r} needs the Python package {line!r}: pip install '{line}'"
            ) from None
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            raise LifecycleError(
                f"addon {manifest.name!r} needs {line!r}, but {req.name} {version} is installed"
            )


def _approvals_of(addon: str, tables: list[str]) -> Any:
    """Approval rows of an addon: on its tables, or under one of its workflows (``addon.x``)."""
    clauses = [ApprovalRequest.workflow.startswith(addon + ".", autoescape=True)]
    if tables:
        clauses.append(ApprovalRequest.model.in_(tables))
    return or_(*clauses)


def _row(obj: Any) -> dict[str, Any]:
    """A mapped object's columns as a dict (for the JSON backup)."""
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def _company(session: Session, code: str) -> Company:
    company = session.scalar(select(Company).where(Company.code == code))
    if company is None:
        raise TixiError(f"no company with code {code!r}")
    return company


def _version(text_: str) -> Any:
    from packaging.version import Version

    return Version(text_)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
