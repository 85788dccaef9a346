"""Tixi benchmarks and the scale-data generator (``tixi bench ...``).

Benchmarks are scripts, not timed tests: they print a table and write a JSON
file so that figures can be compared between commits. See
``docs/performance.md`` for how to run them and the latest figures.

Modules:

* :mod:`bench.common`: tiers, database URLs (SQLite file under /tmp, throwaway
  PostgreSQL), the SQL query counter, timing statistics, machine description.
* :mod:`bench.generate`: the deterministic scale generator (bulk inserts).
* :mod:`bench.run`: the query/page benchmark (``tixi bench run``).
* :mod:`bench.kernel`: cold start and installing 20 small addons.
* :mod:`bench.cli`: the ``tixi bench`` click group.
"""
