"""Helpers for kernel tests: a database whose deployment includes the fixture addons."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.config import Deployment
from core.testing import TixiTestDB

FIXTURE_ADDONS = Path(__file__).resolve().parent / "fixtures" / "addons"


def fixture_db(url: str, extra: list[Path] | None = None) -> TixiTestDB:
    """A test database whose registry sees the fixture addons (alpha, beta, gamma, delta)."""
    return TixiTestDB(url, Deployment(path=None, addons_paths=[FIXTURE_ADDONS, *(extra or [])]))


def write_addon(
    folder: Path,
    name: str,
    toml_extra: str = "",
    depends: str = "",
    version: str = "1.0.0",
    migration: str | None = None,
    data: str | None = None,
) -> Path:
    """Write a minimal addon into ``folder/name`` for one test."""
    path = folder / name
    (path / "migrations").mkdir(parents=True, exist_ok=True)
    files = '["data/data.yaml"]' if data is not None else "[]"
    (path / "addon.toml").write_text(
        textwrap.dedent(f"""\
        name = "{name}"
        version = "{version}"
        category = "Test"
        license = "MIT"
        depends = [{depends}]
        data = {files}
        {toml_extra}
        [label]
        zh_CN = "测试"
        en = "Test"
        [summary]
        zh_CN = "测试"
        en = "Test"
        """),
        encoding="utf-8",
    )
    (path / "__init__.py").write_text("", encoding="utf-8")
    if migration is not None:
        (path / "migrations" / f"{name}_0001.py").write_text(
            textwrap.dedent(migration), encoding="utf-8"
        )
    if data is not None:
        (path / "data").mkdir(exist_ok=True)
        (path / "data" / "data.yaml").write_text(textwrap.dedent(data), encoding="utf-8")
    return path


def table_migration(name: str, table: str, fail: bool = False) -> str:
    """Migration text creating one table (and optionally failing afterwards)."""
    boom = '    raise RuntimeError("migration failed on purpose")\n' if fail else ""
    return (
        f'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "{name}_0001"\n'
        f'down_revision = None\nbranch_labels = ("{name}",)\ndepends_on = None\n\n\n'
        f'def upgrade():\n    op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True))\n'
        f'{boom}\n\ndef downgrade():\n    op.drop_table("{table}")\n'
    )


@contextmanager
def gunicorn_serving(url: str, folder: Path, *options: str) -> Iterator[str]:
    """gunicorn (``options``: ``-w 2`` or ``-w 1 --threads 16``) serving the kernel app on database ``url``.

    Yields the base URL once ``/login`` answers; stops the server on exit.
    """
    import os
    import socket
    import subprocess
    import sys
    import time

    import requests

    (folder / "served_app.py").write_text(textwrap.dedent(f"""\
        from core.config import Deployment
        from core.registry import Registry
        from core.web.app import create_app

        app = create_app(registry=Registry({url!r}, Deployment(path=None)),
                         test_config={{"SECRET_KEY": "served-test"}})
        """), encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(folder)])}
    log = folder / "gunicorn.log"  # a file, not a pipe: a full pipe would block the server's logging
    err = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *options, "-b", f"127.0.0.1:{port}", "--timeout", "120", "served_app:app"],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=err,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/login", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            proc.kill()
            raise AssertionError("gunicorn did not start: " + log.read_text(errors="replace")[-2000:])
        yield base
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
        err.close()
