"""The whole product as its users meet it: every page each demo role can reach, in Chinese.

The demo instance is made the way README's run command makes it (``tixi init
--demo`` with the project's addons.yaml: 贵研催化 with a year of activity and
昆明贵金属贸易), then each role's demo user follows every link from the home
page (:func:`core.testing.crawl.crawl`). Two promises are held:

* **no dead end**: no menu item, button or link the shell shows a user answers
  403, 404 or a server error;
* **no raw code on a Chinese page**: no ``core.group_director``, ISO timestamp,
  ``2,026年``, four-decimal percentage or English UI word in the visible text.
  English record names (the ``*_en`` columns), logins and e-mail addresses are
  data, not UI, and are left out before the text is read.

SQLite only: the pages are the same on both engines, and the engines' own
behaviour is tested addon by addon.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import String, create_engine, inspect, select, text

from core.config import Instance
from core.testing.crawl import crawl, dead_ends, raw_codes
from core.testing.web import logged_in_client

#: One demo user per role and company (addons/masterdata/demo/generate.py).
ROLES = ("wangwei", "zhang_east", "liu_director", "qian_finance", "yang_gm", "zhou_ops", "he_tech",
         "xu_assist", "km_sales", "km_director")
DEMO_PASSWORD = "tixi-demo-1"
#: ASCII words of Chinese pages that are names, not UI text.
ALLOWED_WORDS = ("Tixi", "Excel", "English", "PDF", "DPF", "GPF", "TWC", "Administrator")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo instance of README's run command, and its web app."""
    from core.cli import cli
    from core.security import users  # noqa: F401  (the CLI's user commands, as main() loads them)
    from core.web.app import create_app

    instance = tmp_path_factory.mktemp("demo_crawl")
    cli.main(args=["--instance", str(instance), "init", "--demo", "--admin-password", "crawl-admin-1"],
             prog_name="tixi", standalone_mode=False)
    app = create_app(str(instance), test_config={"TESTING": True})
    app.config["CRAWL_DATABASE_URL"] = Instance.resolve(str(instance)).database_url()
    return app


@pytest.fixture(scope="module")
def data_text(demo_app: Any) -> set[str]:
    """Texts that are data: every ``*_en`` column's values, logins and e-mail addresses."""
    from core.db import Base

    engine = create_engine(demo_app.config["CRAWL_DATABASE_URL"])
    out: set[str] = set()
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name not in tables:
                continue
            for column in table.columns:
                wanted = column.name.endswith("_en") or column.name in ("login", "email")
                if wanted and isinstance(column.type, String):
                    out.update(v for (v,) in conn.execute(select(column).where(column.is_not(None))) if v)
        out.update(v for (v,) in conn.execute(text("SELECT name FROM core_user")) if v and v.isascii())
    engine.dispose()
    return out


@pytest.mark.parametrize("login", ROLES)
def test_no_dead_end_and_no_raw_code(demo_app: Any, data_text: set[str], login: str) -> None:
    client = logged_in_client(demo_app, login, DEMO_PASSWORD)
    result = crawl(client, login, per_shape=1, max_pages=800)
    assert len(result.html_pages()) > 40, "the crawl reached too few pages"
    assert dead_ends(result) == []
    assert raw_codes(result, allowed_words=ALLOWED_WORDS, data_text=data_text) == []
