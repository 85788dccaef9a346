"""Measures: named, bilingual figures over dimensions and periods, computed through ``Env``.

Addons declare measures with the start-up hook ``tixi_measures()``; dashboards,
reports, targets and scorecards read them with :func:`measure_value` instead
of reading each other's tables::

    rows = measure_value(env, "pricing.quote_amount", period=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                         filters={"salesperson": [7]}, group_by=["customer"], grain="month")
    rows[0].period, rows[0]["customer"], rows[0].label("customer"), rows[0].value   # date, id, name, Decimal

A :class:`Measure` names its value (``kind``: money as ``Decimal``, a count as
``int``), its :class:`Dimension` s (how to label their values), its period field
and grains (day, month, quarter, year) and a ``query(env, dimensions)`` builder
returning the *fact rows* as a select built on :meth:`Env.select` (record rules
in its WHERE clause) with labelled columns ``value``, ``period`` and one per
requested dimension. The kernel wraps that select as a sub-query and adds the
period bounds, the filters, the grouping and the aggregate, so a salesperson's
``pricing.quote_amount`` covers only the quotes they can read.

Periods are ``(start, end)`` dates, both included, in the company's time zone
(``core_company.timezone``, Asia/Shanghai by default): a datetime period field
is compared with the local midnights of those days (converted to UTC) and
bucketed by local day/month/quarter/year; a date field is bucketed as is.

A measure over a large table may name a :class:`Summary` (a table maintained
on write, docs/performance.md section 6); the kernel reads it instead of the raw
query when the requested dimensions and grain fit in it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, DateTime, Integer, String, case, cast, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from core.errors import AccessDenied, TixiError, ValidationError
from core.i18n import _, choice_label, current_lang

if TYPE_CHECKING:
    from core.security.env import Env

__all__ = [
    "GRAINS",
    "KINDS",
    "Dimension",
    "Measure",
    "MeasureError",
    "MeasureRow",
    "Summary",
    "available_measures",
    "get_measure",
    "measure_value",
    "measures",
    "period_of",
    "total",
]

#: Period grains, finest first.
GRAINS: tuple[str, ...] = ("day", "month", "quarter", "year")
#: Kinds of value: ``money`` and ``quantity`` are ``Decimal``, ``count`` is ``int``.
KINDS: tuple[str, ...] = ("money", "quantity", "count")
AGGREGATES: tuple[str, ...] = ("sum", "count", "count_distinct")
DEFAULT_TZ = "Asia/Shanghai"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class MeasureError(ValidationError):
    """A measure, dimension, grain, period or filter the caller asked for does not exist or fit."""


@dataclass(frozen=True)
class Dimension:
    """A named axis of a measure (``customer``, ``salesperson``, ``territory``, ``class`` ...).

    Values are ids of ``model`` (a class or a table name, for a model of an
    optional dependency; labelled with the record's ``display(lang)``,
    else ``str(record)``, read through ``env.select``: a record the user cannot
    read is labelled ``#id``), or keys of ``choices`` (a :class:`core.i18n.Choices`
    or a ``{key: msgid}`` mapping), or labelled by ``labeler(env, values) ->
    {value: text}``; otherwise the value itself is the label. ``requires``
    names an addon that must be enabled for the company (an optional
    dependency such as ``territories``); elsewhere the dimension is unavailable.
    """

    name: str
    label: Any
    model: type | str | None = None
    choices: Mapping[Any, Any] | None = None
    labeler: Callable[[Env, Sequence[Any]], Mapping[Any, str]] | None = None
    requires: str | None = None

    def labels(self, env: Env, values: Iterable[Any]) -> dict[Any, str]:
        """Display text of each value in the current language (one query for a model)."""
        wanted = [v for v in dict.fromkeys(values) if v is not None]
        out: dict[Any, str] = {None: _("Not set")}
        if self.labeler is not None:
            out.update({k: str(v) for k, v in self.labeler(env, wanted).items()})
        elif self.model is not None and wanted:
            found: dict[Any, str] = {}
            model = self.model
            if isinstance(model, str):
                from core.registry import model_class

                model = model_class(model)
            try:
                if model is None:
                    raise AccessDenied(str(self.model))
                pk = model.__table__.primary_key.columns.values()[0]
                lang = current_lang(env)
                for rec in env.scalars(env.select(model).where(pk.in_(wanted))):
                    text = rec.display(lang) if hasattr(rec, "display") else str(rec)
                    found[getattr(rec, pk.key)] = text
            except AccessDenied:
                pass
            out.update(found)
        elif self.choices is not None:
            lang = current_lang(env)
            out.update({v: choice_label(self.choices, v, lang) for v in wanted})
        for v in wanted:
            out.setdefault(v, f"#{v}" if self.model is not None else str(v))
        return out


@dataclass(frozen=True)
class Summary:
    """A table maintained on write that can answer a measure faster than the raw query.

    ``query(env, dimensions)`` returns, like :attr:`Measure.query`, a select
    built on ``env.select`` of the summary's model with the columns ``value``
    (already aggregated per row: amounts or counts, summed again by the
    kernel), ``period`` (the first day of the row's ``grain`` bucket, a date)
    and one per dimension. It is used when every requested dimension is in
    ``dimensions`` and the requested grain is ``grain`` or coarser (and the
    period bounds fall on ``grain`` boundaries). The summary model carries the
    columns the measure's record rules need (owner, customer) and the same
    rules, so users see the same totals from it.

    ``unrestricted_only``: the summary is used only by users who may read it
    and whom no record rule narrows on it (no global rule narrows it, and one
    of their group rules grants all of the company's rows). A coarse summary that drops the
    columns a narrower rule needs (a salesperson's own rows) declares it:
    the director reads it, a salesperson the finer one.
    """

    table: str
    dimensions: tuple[str, ...]
    query: Callable[..., Any]
    grain: str | None = "month"
    unrestricted_only: bool = False

    def usable_by(self, env: Env) -> bool:
        """Whether ``env``'s user may be answered from this summary."""
        if not self.unrestricted_only:
            return True
        if not env.can(self.table, "read"):
            return False
        rules = env.applicable_rules(self.table, "read")
        if any(json.loads(rule.domain or "[]") != [] for rule, is_global in rules if is_global):
            return False  # a global rule narrows everyone
        group_rules = [rule for rule, is_global in rules if not is_global]
        # group rules are OR-ed: one that grants every row makes the others moot
        return not group_rules or any(json.loads(rule.domain or "[]") == [] for rule in group_rules)


@dataclass(frozen=True)
class Measure:
    """A named figure: what it counts or sums, by which dimensions, over which period field.

    * ``name``: ``<addon>.<measure>`` (``pricing.quote_amount``); the addon
      prefix must be the declaring addon's name.
    * ``label``: a lazy msgid (``_l("Quoted amount")``); ``description`` too.
    * ``kind``: ``money`` / ``quantity`` (``Decimal``, rounded to ``scale``) or
      ``count`` (``int``); ``unit``: ``"currency"`` (the company's) or a unit text.
    * ``query(env, dimensions) -> Select``: the fact rows, built on
      ``env.select``, with labelled columns ``value``, ``period`` (when the
      measure has one) and each name in ``dimensions`` (the ones the caller
      groups or filters by; the builder may skip the joins of the others).
    * ``aggregate``: ``sum`` (default), ``count`` or ``count_distinct`` of ``value``.
    * ``period``: the period field's name (for documentation: ``quote_date``),
      ``None`` for a snapshot measure (no period, no grain).
    * ``summary``: an optional :class:`Summary` backing the measure.
    * ``summaries``: more summaries, tried first, in order (coarsest first):
      the first that fits the request and the user answers it.
    """

    name: str
    label: Any
    kind: str
    query: Callable[..., Any]
    dimensions: tuple[Dimension, ...] = ()
    period: str | None = None
    grains: tuple[str, ...] = GRAINS
    aggregate: str = "sum"
    unit: str | None = None
    scale: int = 2
    description: Any = None
    summary: Summary | None = None
    summaries: tuple[Summary, ...] = ()

    @property
    def addon(self) -> str:
        """The declaring addon (the name's prefix)."""
        return self.name.split(".", 1)[0]

    def dimension(self, name: str) -> Dimension | None:
        """The dimension called ``name`` (``None`` when the measure has none of that name)."""
        for d in self.dimensions:
            if d.name == name:
                return d
        return None

    def available_dimensions(self, env: Env) -> list[Dimension]:
        """Dimensions usable in the current company (``requires`` addons enabled)."""
        return [d for d in self.dimensions if d.requires is None or d.requires in env.enabled]


@dataclass
class MeasureRow:
    """One row of :func:`measure_value`: dimension values, period start, value and labels."""

    dims: dict[str, Any]
    period: dt.date | None
    value: Decimal | int
    labels: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, dim: str) -> Any:
        return self.dims[dim]

    def label(self, dim: str) -> str:
        """The display text of this row's value of ``dim`` (``period``: ``2026-01``, ``2026-Q1`` ...)."""
        return self.labels.get(dim, "" if self.dims.get(dim) is None else str(self.dims[dim]))


def fact_columns(value: Any, period: Any, columns: Mapping[str, Any], dimensions: Sequence[str]) -> list[Any]:
    """The columns of a measure's fact rows: ``value``, ``period`` (or none) and each dimension asked for.

    ``columns`` maps dimension names to columns; a ``query`` builder is then
    ``env.select(Model, "read", *fact_columns(Model.id, Model.day, COLUMNS, dimensions))``.
    """
    cols = [value.label("value")]
    if period is not None:
        cols.append(period.label("period"))
    return cols + [columns[d].label(d) for d in dimensions]


# ----- the registry -----------------------------------------------------------------------------
def measures(registry: Any) -> dict[str, Measure]:
    """Every measure declared by the installed addons, by name (checked once per set of addons).

    A malformed declaration (name without the addon's prefix, unknown kind,
    grain or aggregate, two measures or dimensions of one name) is a
    :class:`TixiError` naming it.
    """
    key = frozenset(getattr(registry, "modules", {}) or ())
    cache = registry.__dict__.setdefault("_tixi_measures", {})
    if key in cache:
        return cache[key]
    out: dict[str, Measure] = {}
    caller = getattr(registry.pm.hook, "tixi_measures", None)
    owners = {id(m): n for n, m in getattr(registry, "modules", {}).items()}
    for impl in caller.get_hookimpls() if caller is not None else ():
        owner = owners.get(id(impl.plugin))
        for m in impl.function() or ():
            _check_declaration(m, owner)
            if m.name in out:
                raise TixiError(f"measure {m.name}: declared twice")
            out[m.name] = m
    cache[key] = out
    return out


def _check_declaration(m: Measure, owner: str | None) -> None:
    if not isinstance(m, Measure) or not NAME_RE.match(m.name):
        raise TixiError(f"measure {getattr(m, 'name', m)!r}: not a Measure named '<addon>.<name>'")
    if owner is not None and m.addon != owner:
        raise TixiError(f"measure {m.name}: declared by addon {owner!r}, must be named '{owner}.<name>'")
    if m.kind not in KINDS:
        raise TixiError(f"measure {m.name}: unknown kind {m.kind!r} (one of {', '.join(KINDS)})")
    if m.aggregate not in AGGREGATES:
        raise TixiError(f"measure {m.name}: unknown aggregate {m.aggregate!r}")
    bad = [g for g in m.grains if g not in GRAINS]
    if bad:
        raise TixiError(f"measure {m.name}: unknown grain {bad[0]!r}")
    names = [d.name for d in m.dimensions]
    if len(set(names)) != len(names) or "period" in names or "value" in names:
        raise TixiError(f"measure {m.name}: dimension names must be unique and not 'period' or 'value'")


def available_measures(env: Env) -> list[Measure]:
    """The measures of the addons enabled for the env's company, sorted by name."""
    enabled = env.enabled
    return [m for _n, m in sorted(measures(env.registry).items()) if m.addon in enabled]


def get_measure(env: Env, name: str) -> Measure:
    """The measure ``name`` if its addon is enabled for the company, else :class:`MeasureError`."""
    m = measures(env.registry).get(name)
    if m is None:
        raise MeasureError(_("Unknown measure: %(name)s.", name=name), {"measure": name})
    if m.addon not in env.enabled:
        raise MeasureError(
            _("The measure %(name)s is not available: its addon is not enabled for this company.", name=name),
            {"measure": name},
        )
    return m


# ----- periods ------------------------------------------------------------------------------------
def company_tz(env: Env) -> ZoneInfo:
    """The company's time zone (Asia/Shanghai when unset)."""
    from core.models import Company

    company = env.sudo().get(Company, env.company_id)  # the company's own settings, whoever asks
    return ZoneInfo((company.timezone if company is not None else None) or DEFAULT_TZ)


def period_start(day: dt.date, grain: str) -> dt.date:
    """The first day of the ``grain`` bucket holding ``day``."""
    if grain == "day":
        return day
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, 1, 1)


def _next_start(start: dt.date, grain: str) -> dt.date:
    if grain == "day":
        return start + dt.timedelta(days=1)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    y, m = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + y, m + 1, 1)


def period_of(day: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """``(first, last)`` day of the ``grain`` bucket holding ``day``: ``period_of(today, "year")``."""
    if grain not in GRAINS:
        raise MeasureError(_("Unknown grain: %(grain)s.", grain=grain), {"grain": grain})
    start = period_start(day, grain)
    return start, _next_start(start, grain) - dt.timedelta(days=1)


def period_label(start: dt.date, grain: str) -> str:
    """``2026-01-31``, ``2026-01``, ``2026-Q1`` or ``2026``."""
    if grain == "day":
        return start.isoformat()
    if grain == "month":
        return f"{start:%Y-%m}"
    if grain == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def _midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tz).astimezone(dt.UTC)


@lru_cache(maxsize=64)
def _fixed_offset(tzname: str) -> int | None:
    """Minutes east of UTC when the zone kept one offset from 1995 to 2045 (Asia/Shanghai), else None."""
    tz = ZoneInfo(tzname)
    offsets = {
        tz.utcoffset(dt.datetime(y, m, 1, 12)) for y in range(1995, 2046) for m in (1, 4, 7, 10)
    }
    if len(offsets) != 1:
        return None
    return int(offsets.pop().total_seconds() // 60)


def _is_datetime(column: Any) -> bool:
    t = column.type
    return isinstance(t, DateTime) or isinstance(getattr(t, "impl", None), DateTime)


def _sqlite_bucket(expr: Any, grain: str, modifier: str | None) -> Any:
    args = (expr, modifier) if modifier else (expr,)
    if grain == "day":
        return func.strftime("%Y-%m-%d", *args)
    if grain == "month":
        return func.strftime("%Y-%m-01", *args)
    if grain == "year":
        return func.strftime("%Y-01-01", *args)
    quarter_month = (cast(func.strftime("%m", *args), Integer()) + 2) // 3 * 3 - 2
    return func.printf("%s-%02d-01", func.strftime("%Y", *args), quarter_month)


def _bucket(env: Env, column: Any, grain: str, bounds: tuple[dt.date, dt.date] | None, tz: ZoneInfo) -> Any:
    """SQL for the first day of the local ``grain`` bucket of ``column`` (a date or a text date)."""
    dialect = env.session.get_bind().dialect.name
    if not _is_datetime(column):
        if dialect == "postgresql":
            return cast(func.date_trunc(grain, cast(column, DateTime())), Date())
        return _sqlite_bucket(column, grain, None)
    if dialect == "postgresql":
        return cast(func.date_trunc(grain, func.timezone(tz.key, column)), Date())
    offset = _fixed_offset(tz.key)
    if offset is not None:
        return _sqlite_bucket(column, grain, f"{offset:+d} minutes")
    # a zone with daylight saving time on SQLite: compare with each bucket's local midnight
    if bounds is None:
        lo, hi = env.execute(select(func.min(column), func.max(column))).one()
        if lo is None:
            return literal(None, String())
        bounds = (lo.astimezone(tz).date(), hi.astimezone(tz).date())
    whens = []
    start = period_start(bounds[0], grain)
    while start <= bounds[1]:
        nxt = _next_start(start, grain)
        whens.append((column < _midnight(nxt, tz), literal(start.isoformat())))
        start = nxt
    return case(*whens, else_=literal(None, String()))


def _as_date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _grain_rank(grain: str | None) -> int:
    return -1 if grain is None else GRAINS.index(grain)


# ----- the kernel API -----------------------------------------------------------------------------
def _check_request(
    env: Env, m: Measure, period: Any, filters: Mapping[str, Any], group_by: Sequence[str], grain: str | None
) -> tuple[dt.date, dt.date] | None:
    known = [d.name for d in m.available_dimensions(env)]
    for dim in [*group_by, *filters]:
        if dim not in known:
            d = m.dimension(dim)
            if d is not None:
                raise MeasureError(
                    _("The dimension %(dim)s of %(name)s needs the addon %(addon)s.",
                      dim=dim, name=m.name, addon=d.requires),
                    {"dimension": dim},
                )
            raise MeasureError(
                _("Unknown dimension %(dim)s of the measure %(name)s (known: %(known)s).",
                  dim=dim, name=m.name, known=", ".join(known) or "-"),
                {"dimension": dim},
            )
    if len(set(group_by)) != len(group_by):
        raise MeasureError(_("A dimension is grouped by twice."), {"group_by": ", ".join(group_by)})
    if grain is not None and grain not in GRAINS:
        raise MeasureError(_("Unknown grain: %(grain)s.", grain=grain), {"grain": str(grain)})
    if m.period is None and (grain is not None or period is not None):
        raise MeasureError(_("The measure %(name)s has no period.", name=m.name), {"period": m.name})
    if grain is not None and grain not in m.grains:
        raise MeasureError(
            _("The measure %(name)s has no grain %(grain)s (one of: %(known)s).",
              name=m.name, grain=grain, known=", ".join(m.grains)),
            {"grain": grain},
        )
    for dim, ids in filters.items():
        if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
            raise MeasureError(_("The filter on %(dim)s must be a list of values.", dim=dim), {"filters": dim})
    if period is None:
        return None
    try:
        start, end = period
    except (TypeError, ValueError):
        start = end = None
    if not all(isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in (start, end)) or start > end:
        raise MeasureError(
            _("The period must be two dates, the first on or before the second."), {"period": str(period)}
        )
    return start, end


def _pick_summary(env: Env, m: Measure, needed: Sequence[str], grain: str | None,
                  bounds: tuple[dt.date, dt.date] | None) -> Summary | None:
    """The first of the measure's summaries that answers this request for this user, if any."""
    for s in (*m.summaries, m.summary):
        if s is not None and _summary_fits(m, s, needed, grain, bounds) and s.usable_by(env):
            return s
    return None


def _summary_fits(m: Measure, s: Summary, needed: Sequence[str], grain: str | None,
                  bounds: tuple[dt.date, dt.date] | None) -> bool:
    if m.aggregate == "count_distinct" or any(d not in s.dimensions for d in needed):
        return False  # distinct counts do not add up across summary rows
    if grain is not None and (s.grain is None or _grain_rank(grain) < _grain_rank(s.grain)):
        return False
    if bounds is not None:
        if s.grain is None:
            return False
        start, end = bounds
        if period_start(start, s.grain) != start or _next_start(period_start(end, s.grain), s.grain) != end + dt.timedelta(days=1):
            return False
    return True


def measure_value(
    env: Env,
    name: str,
    period: tuple[dt.date, dt.date] | None = None,
    filters: Mapping[str, Iterable[Any]] | None = None,
    group_by: Sequence[str] = (),
    grain: str | None = None,
    labels: bool = True,
    roll_up: Mapping[str, Mapping[Any, Any]] | None = None,
) -> list[MeasureRow]:
    """The measure ``name`` for the env's user: one :class:`MeasureRow` per group (one SQL query).

    * ``period``: ``(start, end)`` dates, both included, in the company's time
      zone; ``None``: all time.
    * ``filters``: ``{dimension: [values]}`` (``None`` in the list matches rows without a value).
    * ``group_by``: dimension names; ``grain``: ``day``/``month``/``quarter``/``year``
      adds the period start (``row.period``) to the grouping; ``None``: no time axis.
    * ``labels``: fill ``row.labels`` with the display text of each dimension
      value (one query per model dimension) and of the period.
    * ``roll_up``: ``{dimension: {value: group value}}``, applied in SQL before
      grouping (a province's sales counted for its region: fewer rows come
      back); values not in the mapping keep their own group.

    Rows are sorted by period then dimension values. Without ``group_by`` and
    ``grain`` there is exactly one row (value 0 when nothing matches). Unknown
    measures, dimensions and grains, a disabled addon's measure and a bad
    period raise :class:`MeasureError` with a translated message.
    """
    m = get_measure(env, name)
    filters = dict(filters or {})
    group_by = list(group_by)
    bounds = _check_request(env, m, period, filters, group_by, grain)
    needed = tuple(dict.fromkeys([*group_by, *filters]))
    summary = _pick_summary(env, m, needed, grain, bounds)
    use_summary = summary is not None
    source = summary.query(env, needed) if summary is not None else m.query(env, needed)
    sub = source.subquery("measure_facts")
    tz = company_tz(env)
    columns: list[Any] = []
    for d in group_by:
        mapping = (roll_up or {}).get(d)
        columns.append(case(dict(mapping), value=sub.c[d], else_=sub.c[d]).label(d) if mapping else sub.c[d])
    bucket = None
    if grain is not None:
        bucket = _bucket(env, sub.c.period, grain, bounds, tz).label("period")
        columns.append(bucket)
    value = sub.c.value
    agg = {"sum": func.sum(value), "count": func.count(value), "count_distinct": func.count(value.distinct())}[
        m.aggregate
    ]
    if use_summary and m.aggregate != "sum":
        agg = func.sum(value)  # a summary row holds a count already
    stmt = select(*columns, agg.label("value")).select_from(sub)
    if bounds is not None:
        lo, hi = bounds
        if _is_datetime(sub.c.period):
            stmt = stmt.where(sub.c.period >= _midnight(lo, tz), sub.c.period < _midnight(hi + dt.timedelta(days=1), tz))
        else:
            stmt = stmt.where(sub.c.period >= lo, sub.c.period <= hi)
    for dim, values in filters.items():
        values = list(values)
        cond: ColumnElement = sub.c[dim].in_([v for v in values if v is not None])
        if None in values:
            cond = or_(cond, sub.c[dim].is_(None))
        stmt = stmt.where(cond)
    if columns:
        stmt = stmt.group_by(*columns)
    rows: list[MeasureRow] = []
    for rec in env.execute_rows(stmt).all():
        data = rec._mapping
        rows.append(MeasureRow(
            dims={d: data[d] for d in group_by},
            period=_as_date(data["period"]) if grain is not None else None,
            value=_value(m, data["value"]),
        ))
    if not columns and not rows:
        rows.append(MeasureRow(dims={}, period=None, value=_value(m, None)))
    rows.sort(key=lambda r: (r.period or dt.date.min, *(_sort_key(r.dims[d]) for d in group_by)))
    if labels:
        _fill_labels(env, m, rows, group_by, grain)
    return rows


def _value(m: Measure, raw: Any) -> Decimal | int:
    if m.kind == "count":
        return int(raw or 0)
    amount = Decimal(str(raw)) if raw is not None else Decimal(0)
    return amount.quantize(Decimal(1).scaleb(-m.scale), rounding=ROUND_HALF_UP)


def _sort_key(value: Any) -> tuple[int, Any]:
    return (1, "") if value is None else (0, value if isinstance(value, (int, float, Decimal)) else str(value))


def _fill_labels(env: Env, m: Measure, rows: list[MeasureRow], group_by: Sequence[str], grain: str | None) -> None:
    for dim in group_by:
        d = m.dimension(dim)
        texts = d.labels(env, [r.dims[dim] for r in rows]) if d else {}
        for r in rows:
            r.labels[dim] = texts.get(r.dims[dim], str(r.dims[dim]))
    if grain is not None:
        for r in rows:
            r.labels["period"] = period_label(r.period, grain) if r.period else _("Not set")


def total(rows: Iterable[MeasureRow]) -> Decimal | int:
    """The sum of the rows' values (``0`` for none)."""
    return sum((r.value for r in rows), 0)
