"""Global search: one box in the navigation bar finds customers, contacts, quotes, cards ...

Addons declare what is searchable with the hook ``tixi_search_sources`` (a list
of :class:`SearchSource`: the model, the columns whose text is indexed, the
label of the group). The kernel keeps one index table, ``core_search_entry``:
one row per record with the lower-cased text of those columns followed by the
pinyin of its Chinese characters, in full and as initials (``一汽解放`` is
found by ``一汽``, ``yiqi`` and ``yqjf``; pinyin from the maintained
`pypinyin` library).

* The index follows every ORM flush (insert, change of an indexed column,
  delete), in the same transaction; a bulk path that writes past the ORM calls
  :func:`index_records` (the customer import) or :func:`reindex`
  (``tixi search reindex``, the bench generator).
* A search never reads past the rules: for each source the index only
  proposes ids, and the records are read with ``env.select(model)``, so the
  same access rights and record rules as the model's list apply, in SQL.
* Speed: on PostgreSQL a ``pg_trgm`` GIN index serves ``LIKE '%...%'``
  (created when the extension can be created, see the kernel migration
  ``core_0007_search``); on SQLite the table is small and scanned (figures in
  docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, event, func, insert, select
from sqlalchemy.orm import Session, selectinload

from core.models.search import SearchEntry

if TYPE_CHECKING:
    from core.security.env import Env

#: results shown per group on the search page (the group's own page shows more)
PER_GROUP = 5
#: results of one group on its own page
PER_PAGE = 50
#: a query longer than this is cut (the index text is not meant for essays)
MAX_QUERY = 100
#: index matches checked against the rules per statement, and at most per source
BATCH = 200
MAX_CANDIDATES = 2000


@dataclass(frozen=True)
class SearchSource:
    """A model that the global search finds, declared by its addon (``tixi_search_sources``).

    ``name`` is ``<addon>.<what>``; ``fields`` the columns whose text is
    indexed; ``label`` the group's title (lazy, plural: "客户"). ``title`` and
    ``subtitle`` give a result's two lines (default: ``record.display(lang)``
    or ``str(record)``, and nothing); ``url`` its link (default: the detail
    page of the model's generic view). ``extra`` adds text that is not a column
    of the record (a quote's customer name): it is indexed when the record
    is, and refreshed by ``tixi search reindex``. ``load`` names the
    relationships the title and subtitle read (loaded with the hits, in one
    more query, not one per hit).
    """

    name: str
    model: type
    fields: tuple[str, ...]
    label: Any
    title: Callable[[Any, str], str] | None = None
    subtitle: Callable[[Any, str], str] | None = None
    url: Callable[[Any], str | None] | None = None
    extra: Callable[[Any], Iterable[str | None]] | None = None
    load: tuple[str, ...] = ()
    order: int = 100

    @property
    def addon(self) -> str:
        """The declaring addon (the part of ``name`` before the dot)."""
        return self.name.split(".", 1)[0]

    def text_of(self, record: Any) -> str:
        """The index text of ``record``: its values, then their pinyin (full and initials)."""
        values = [getattr(record, f, None) for f in self.fields]
        if self.extra is not None:
            values.extend(self.extra(record))
        return index_text(values)

    def title_of(self, record: Any, lang: str) -> str:
        """A result's first line."""
        if self.title is not None:
            return self.title(record, lang)
        display = getattr(record, "display", None)
        return display(lang) if callable(display) else str(record)


@dataclass
class SearchGroup:
    """The results of one source: the first hits and whether there are more."""

    source: SearchSource
    hits: list[tuple[str, str, str | None]] = field(default_factory=list)  # (title, subtitle, url)
    more: bool = False


def related(record: Any, name: str) -> Any:
    """A many-to-one of ``record`` for an ``extra`` text, also while the record is being flushed.

    A record just inserted is still pending when the index is written, and a
    pending record does not lazy-load its relationships: the target is read
    by its foreign key instead.
    """
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy.orm import object_session

    value = record.__dict__.get(name)
    if value is not None:
        return value
    rel = sa_inspect(type(record)).relationships[name]
    key = [getattr(record, col.key, None) for col in rel.local_columns]
    session = object_session(record)
    if session is None or any(k is None for k in key):
        return getattr(record, name, None) if session is not None else None
    return session.get(rel.mapper.class_, key[0] if len(key) == 1 else tuple(key))


def referenced(record: Any, model: type, column: str) -> Any:
    """The ``model`` row that ``record.<column>`` points to, for an ``extra`` text or a title.

    For records without a relationship to it. Index texts are built past the
    reader's rules on purpose (the index is filtered by the rules at search time).
    """
    from sqlalchemy.orm import object_session

    key = getattr(record, column, None)
    session = object_session(record)
    return session.get(model, key) if session is not None and key is not None else None


# ----- text ----------------------------------------------------------------------------------
_HAN = re.compile(r"[\u3400-\u9fff]+")


def _pinyin(text: str) -> tuple[str, str]:
    from pypinyin import Style, lazy_pinyin

    runs = _HAN.findall(text)
    if not runs:
        return "", ""
    full = " ".join("".join(lazy_pinyin(r)) for r in runs)
    initials = " ".join("".join(lazy_pinyin(r, style=Style.FIRST_LETTER)) for r in runs)
    return full, initials


def index_text(values: Iterable[Any]) -> str:
    """Lower-cased values and the pinyin of their Chinese runs, as one searchable string."""
    plain = " ".join(str(v).strip() for v in values if v not in (None, ""))
    full, initials = _pinyin(plain)
    return " | ".join(p for p in (plain.lower(), full, initials) if p)


def normalize(query: str | None) -> str:
    """The query as the index holds text: trimmed, lower-case, inner spaces kept single."""
    return " ".join((query or "").split()).lower()[:MAX_QUERY]


def _like(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ----- the registry --------------------------------------------------------------------------
#: every source ever declared in this process, by model class (for the flush listener)
_BY_CLASS: dict[type, list[SearchSource]] = {}


def sources(registry: Any) -> dict[str, SearchSource]:
    """The sources of the installed addons, by name (computed once per set of addons)."""
    key = frozenset(getattr(registry, "modules", {}) or ())
    cache = registry.__dict__.setdefault("_tixi_search_sources", {})
    if key in cache:
        return cache[key]
    out: dict[str, SearchSource] = {}
    caller = getattr(registry.pm.hook, "tixi_search_sources", None)
    for found in (caller() if caller is not None else ()) or ():
        for src in found or ():
            if not isinstance(src, SearchSource) or "." not in src.name:
                raise TypeError(f"search source {src!r}: not a SearchSource named '<addon>.<name>'")
            out[src.name] = src
            known = _BY_CLASS.setdefault(src.model, [])
            if all(s.name != src.name for s in known):
                known.append(src)
    cache[key] = out
    return out


def available_sources(env: Env) -> list[SearchSource]:
    """The sources of the addons enabled for the env's company that the user may read."""
    enabled = env.enabled
    found = [s for s in sources(env.registry).values() if s.addon in enabled and env.can(s.model, "read")]
    return sorted(found, key=lambda s: (s.order, s.name))


# ----- searching -----------------------------------------------------------------------------
def _matching(env: Env, src: SearchSource, query: str) -> Any:
    """The ids of ``src`` whose index text holds ``query`` (a sub-query; rules come after)."""
    entry = SearchEntry
    return (
        env.sudo()
        .select(entry, entry.res_id)
        # the pattern inlined: a prepared statement's generic plan (psycopg prepares a statement
        # run five times) cannot know that "%和平%" has no trigram and picks the GIN index for every row
        .where(entry.source == src.name,
               entry.text.like(bindparam("pattern", _like(query), literal_execute=True), escape="\\"))
    )


def search(env: Env, query: str | None, only: str | None = None) -> list[SearchGroup]:
    """Results grouped by source, each read through ``env.select`` (only what the user may read).

    ``only`` names one source: its page shows :data:`PER_PAGE` hits instead of
    :data:`PER_GROUP`. An empty query finds nothing.
    """
    from core.i18n import current_lang

    q = normalize(query)
    if not q:
        return []
    lang = current_lang()
    groups: list[SearchGroup] = []
    for src in available_sources(env):
        if only and src.name != only:
            continue
        limit = PER_PAGE if only else PER_GROUP
        records, more = _readable_hits(env, src, q, limit)
        if not records:
            continue
        group = SearchGroup(src, more=more)
        for record in records[:limit]:
            group.hits.append((
                src.title_of(record, lang),
                src.subtitle(record, lang) if src.subtitle else "",
                src.url(record) if src.url else _default_url(src, record),
            ))
        groups.append(group)
    return groups


def _readable_hits(env: Env, src: SearchSource, query: str, limit: int) -> tuple[list[Any], bool]:
    """The newest ``limit`` matches the user may read, and whether there are more.

    The index is read first, newest ids first, :data:`BATCH` at a time; each
    batch goes through ``env.select(model)`` (the rules, in SQL) until enough
    records are readable or :data:`MAX_CANDIDATES` were looked at. A planner
    given "rule AND id IN (matches) ORDER BY id" walks the whole table
    through the rule for a restricted user; this keeps every statement small.
    """
    pk = src.model.__table__.c.id
    found: list[Any] = []
    seen = 0
    below: int | None = None  # keyset: the next batch starts under the last id seen
    while seen < MAX_CANDIDATES:
        matching = _matching(env, src, query)
        if below is not None:
            matching = matching.where(SearchEntry.res_id < below)
        ids = list(env.scalars(matching.order_by(SearchEntry.res_id.desc()).limit(BATCH)))
        if not ids:
            break
        seen += len(ids)
        below = ids[-1]
        stmt = env.select(src.model).where(pk.in_(ids)).order_by(pk.desc()).limit(limit + 1 - len(found))
        if src.load:
            stmt = stmt.options(*(selectinload(getattr(src.model, name)) for name in src.load))
        found.extend(env.scalars(stmt))
        if len(found) > limit or len(ids) < BATCH:
            break
    return found[:limit], len(found) > limit or (seen >= MAX_CANDIDATES and len(found) == limit)


def _default_url(src: SearchSource, record: Any) -> str | None:
    from flask import has_request_context

    if not has_request_context():
        return None  # links are built for a page; a job or a test reads titles only
    from core.web.notifications import record_url

    return record_url(src.model.__tablename__, record.id)


# ----- keeping the index ---------------------------------------------------------------------
def _rows(records: Sequence[Any], model: type | None = None) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        for src in _BY_CLASS.get(model or type(record), ()):
            rows.append({"company_id": getattr(record, "company_id", None), "source": src.name,
                         "res_id": record.id, "text": src.text_of(record)})
    return rows


def _write(session: Session, changed: Sequence[Any], removed: Sequence[tuple[str, int]],
           model: type | None = None) -> None:
    """Replace the index rows of ``changed`` records (of ``model``, default their class), drop ``removed``."""
    conn = session.connection()
    table = SearchEntry.__table__
    gone = list(removed) + [(s.name, r.id) for r in changed for s in _BY_CLASS.get(model or type(r), ())]
    for name in {n for n, _i in gone}:
        ids = [i for n, i in gone if n == name]
        for start in range(0, len(ids), 500):
            conn.execute(delete(table).where(table.c.source == name, table.c.res_id.in_(ids[start:start + 500])))
    rows = _rows(changed, model)
    if rows:
        conn.execute(insert(table), rows)


def _indexed_change(record: Any) -> bool:
    from sqlalchemy import inspect as sa_inspect

    state = sa_inspect(record)
    fields = {f for s in _BY_CLASS.get(type(record), ()) for f in s.fields}
    return any(state.attrs[f].history.has_changes() for f in fields if f in state.attrs)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _ctx: Any) -> None:
    """Index the records of search sources that this flush inserted, changed or deleted."""
    if not _BY_CLASS:
        return
    changed = [r for r in session.new if type(r) in _BY_CLASS]
    changed += [r for r in session.dirty if type(r) in _BY_CLASS and _indexed_change(r)]
    removed = [(s.name, r.id) for r in session.deleted if type(r) in _BY_CLASS for s in _BY_CLASS[type(r)]]
    if changed or removed:
        _write(session, changed, removed)


def index_records(session: Session, model: type, ids: Sequence[int],
                  rows: Sequence[Mapping[str, Any]] | None = None) -> int:
    """(Re)index records written past the ORM (a bulk insert); returns how many were indexed.

    ``rows`` (the inserted values, in the order of ``ids``) spare reading the
    records back, unless a source of ``model`` indexes related text (``extra``).
    """
    if model not in _BY_CLASS or not ids:
        return 0
    if rows is not None and not any(s.extra for s in _BY_CLASS[model]):
        # records just inserted: nothing to replace, one INSERT (executemany) for all of them
        shaped = [SimpleNamespace(**{**row, "id": rid}) for rid, row in zip(ids, rows, strict=True)]
        entries = _rows(shaped, model)
        if entries:
            session.connection().execute(insert(SearchEntry.__table__), entries)
        return len(shaped)
    count = 0
    for start in range(0, len(ids), 1000):
        records = list(session.scalars(select(model).where(model.__table__.c.id.in_(ids[start:start + 1000]))))
        _write(session, records, [])
        count += len(records)
    return count


def reindex(session: Session, registry: Any, only: str | None = None) -> dict[str, int]:
    """Rebuild the index of every source (or of ``only``); returns the rows written per source."""
    done: dict[str, int] = {}
    table = SearchEntry.__table__
    conn = session.connection()
    for name, src in sorted(sources(registry).items()):
        if only and name != only:
            continue
        conn.execute(delete(table).where(table.c.source == name))
        total = 0
        last = 0
        while True:
            batch = list(session.scalars(
                select(src.model).where(src.model.__table__.c.id > last)
                .order_by(src.model.__table__.c.id).limit(2000)
            ))
            if not batch:
                break
            rows = [{"company_id": getattr(r, "company_id", None), "source": name, "res_id": r.id,
                     "text": src.text_of(r)} for r in batch]
            conn.execute(insert(table), rows)
            total += len(rows)
            last = batch[-1].id
        done[name] = total
    return done


def entry_count(session: Session, source: str) -> int:
    """Rows of the index for one source (tests, ``tixi search reindex`` output)."""
    return int(session.scalar(select(func.count()).select_from(SearchEntry).where(SearchEntry.source == source)) or 0)
