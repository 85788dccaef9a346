"""The global search at scale: ``python3 -m bench.search [--tier S|M|L] [--engines sqlite,postgresql] [--db URL]``.

Generates a tier with masterdata, territories and pricing (the generator indexes
it, see ``bench.generate``), then times, per engine and role (admin, region
manager, salesperson), :func:`core.search.search` for a two-character Chinese
prefix of a generated customer, for its pinyin initials and for a three-letter
Latin string, with the SQL statements per search.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from sqlalchemy import event, func, select


def _median_ms(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def measure(url: str, repeat: int = 5) -> dict[str, Any]:
    """Time searches on a generated database (see the module docstring)."""
    from addons.masterdata.models import Customer
    from bench.generate import read_meta
    from core import search
    from core.config import Deployment
    from core.models import SearchEntry, User
    from core.registry import Registry
    from core.security.env import Env

    meta = read_meta(url)
    registry = Registry(url, Deployment(path=None))
    counter = {"n": 0}
    event.listen(registry.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"], "searches": {}}
    with registry.Session() as s:
        out["index_rows"] = int(s.scalar(select(func.count()).select_from(SearchEntry)) or 0)
        name = s.scalars(select(Customer.name_zh).order_by(Customer.id).offset(100).limit(1)).first() or "客户"
        initials = search.index_text([name[:2]]).split(" | ")[-1]
        queries = {"chinese_2": name[:2], "initials": initials, "latin_3": "abc"}
        out["queries"] = queries
        for role in ("admin", "region_manager", "salesperson"):
            login = meta["users"][role]
            env = Env(registry, s, s.scalar(select(User.id).where(User.login == login)))
            for key, q in queries.items():
                search.search(env, q)  # warm: rules, sources
                counter["n"] = 0
                med, groups = _median_ms(lambda env=env, q=q: search.search(env, q), repeat)
                out["searches"][f"{role}.{key}"] = {
                    "median_ms": round(med, 1), "sql_per_search": counter["n"] / repeat,
                    "hits": sum(len(g.hits) for g in groups),
                }
    registry.engine.dispose()
    return out


def main() -> None:
    """Command line (see the module docstring)."""
    from bench.common import addon_bench_main

    addon_bench_main("search", ["masterdata", "territories", "pricing"], measure, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
