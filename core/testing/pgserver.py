"""A throwaway PostgreSQL server for the test suite.

``postgres_url()`` returns the SQLAlchemy URL of a server the tests may do
anything with. When ``TIXI_TEST_PG_URL`` is set it is returned as is (point it
at a server you own); otherwise a private server is started once per process
(so each pytest-xdist worker gets its own): a fresh ``initdb`` cluster in a
temporary directory under /tmp, listening on a free loopback port, with
durability switched off for speed. It is stopped and deleted when the process
exits. If it cannot be started, ``RuntimeError`` says why; tests never skip.

``create_database()`` / ``drop_database()`` give each test (module, session...)
its own database on that server.

Needs the PostgreSQL server binaries (Debian: ``postgresql-15``; installed by
``bash scripts/setup.sh test``). As root the server runs as the ``postgres``
user through ``runuser``, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

__all__ = ["postgres_url", "create_database", "drop_database", "private_server"]

ENV_URL = "TIXI_TEST_PG_URL"
PREFERRED_MAJOR = "15"

_lock = threading.Lock()
_server: _Server | None = None


def postgres_url() -> str:
    """SQLAlchemy URL (psycopg 3 driver) of the test server's ``postgres`` database."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    global _server
    with _lock:
        if _server is None or _server.pid != os.getpid():
            _server = _Server.start()
        return _server.url


def private_server() -> _Server:
    """A new throwaway server of the caller's own (``.url``), which it may ``halt()`` and ``resume()``
    (fault tests: the database going away under load); deleted with ``stop()`` or at exit."""
    return _Server.start()


def create_database(base_url: str, name: str) -> str:
    """(Re)create database ``name`` on the server of ``base_url``; return its URL.

    The database is UTF-8 with the C locale (byte-order collation), so results
    do not depend on the machine's locales.
    """
    from psycopg import sql

    _check_name(name)
    with _admin_connection(base_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(
            sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
            ).format(sql.Identifier(name))
        )
    from sqlalchemy.engine import make_url

    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, name: str) -> None:
    """Drop database ``name`` (if it exists), terminating its open connections."""
    from psycopg import sql

    _check_name(name)
    with _admin_connection(base_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# --------------------------------------------------------------------------- helpers

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _check_name(name: str) -> None:
    if not _NAME_RE.match(name):
        raise ValueError(f"not a plain database name: {name!r}")


def _admin_connection(base_url: str):
    """Autocommit psycopg connection to the maintenance database of ``base_url``."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    params = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database or "postgres",
        **{k: v for k, v in url.query.items() if isinstance(v, str)},
    }
    params = {k: v for k, v in params.items() if v is not None}
    return psycopg.connect(autocommit=True, connect_timeout=10, **params)


def _find_bindir() -> Path:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: (Path(p).parent.name != PREFERRED_MAJOR, -_major(p)),
    )
    for bindir in candidates:
        if all(
            os.access(os.path.join(bindir, b), os.X_OK) for b in ("initdb", "pg_ctl", "postgres")
        ):
            return Path(bindir)
    raise RuntimeError(
        "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin "
        "(Debian package postgresql-15). Run `bash scripts/setup.sh test`, "
        f"or set {ENV_URL} to the URL of a server the tests may use."
    )


def _major(bindir: str) -> int:
    try:
        return int(Path(bindir).parent.name.split(".")[0])
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class _Server:
    def __init__(self, bindir: Path, base: Path, as_postgres: bool) -> None:
        self.bindir = bindir
        self.base = base  # owned by the server user, mode 700
        self.data = base / "data"
        self.log = base / "log"
        self.as_postgres = as_postgres
        self.pid = os.getpid()
        self.port = 0
        self.url = ""

    # -- process plumbing

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        return subprocess.run(
            cmd,
            cwd=self.base,  # the postgres user may not be allowed into our cwd
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    @classmethod
    def start(cls) -> _Server:
        bindir = _find_bindir()
        as_postgres = os.geteuid() == 0
        base = Path(tempfile.mkdtemp(prefix="tixi-pg-", dir="/tmp"))
        server = cls(bindir, base, as_postgres)
        try:
            if as_postgres:
                try:
                    shutil.chown(base, user="postgres", group="postgres")
                except LookupError as exc:
                    raise RuntimeError(
                        "running as root but there is no 'postgres' user to run the "
                        "test server as (it comes with Debian's postgresql-common)"
                    ) from exc
            os.chmod(base, 0o700)
            server._initdb()
            server._start()
        except BaseException:
            shutil.rmtree(base, ignore_errors=True)
            raise
        atexit.register(server.stop)
        return server

    def _initdb(self) -> None:
        res = self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        if res.returncode != 0:
            raise RuntimeError(
                f"initdb failed (exit {res.returncode}) in {self.data}:\n{res.stdout}\n{res.stderr}"
            )

    def _start(self) -> None:
        # The port is free when we pick it, but another process (another xdist
        # worker) may grab it before the server binds it: retry with a new one.
        last = ""
        for _attempt in range(5):
            self.port = _free_port()
            opts = (
                f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            res = self._run(
                "pg_ctl",
                "-D",
                str(self.data),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "-l",
                str(self.log),
                "start",
            )
            if res.returncode == 0:
                self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
                return
            last = (
                f"pg_ctl start failed (exit {res.returncode}):\n{res.stdout}{res.stderr}\n"
                f"--- {self.log} (tail) ---\n{_tail(self.log)}"
            )
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", timeout=30)
            if "already in use" not in _tail(self.log):
                break
        raise RuntimeError(
            f"could not start the throwaway PostgreSQL server in {self.base}\n{last}"
        )

    def halt(self) -> None:
        """Stop the server (fast shutdown: open connections are cut), keeping its data and port."""
        res = self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=60)
        if res.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed: {res.stdout}{res.stderr}")

    def resume(self) -> None:
        """Start a halted server again on the same port."""
        opts = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        res = self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-w", "-t", "60", "-l", str(self.log), "start")
        if res.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {res.stdout}{res.stderr}\n{_tail(self.log)}")

    def stop(self) -> None:
        if os.getpid() != self.pid:  # a forked child must not stop its parent's server
            return
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", timeout=30)
        except (OSError, subprocess.SubprocessError):
            pass
        shutil.rmtree(self.base, ignore_errors=True)
