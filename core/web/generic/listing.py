"""The list page of a :class:`~core.web.generic.ModelView`: search, filters, sort, pagination."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from flask import g, render_template, request, url_for
from flask_babel import format_decimal
from sqlalchemy import Boolean, Enum, Integer, func, or_, select

from core.i18n import _
from core.web.generic.declarations import Col, Filter, tr
from core.web.generic.labels import fk_choices

if TYPE_CHECKING:
    from core.security.env import Env


class ListingMixin:
    """Queries and the list page of a :class:`~core.web.generic.ModelView`."""

    def list_query(self, env: Env, cols: Sequence[Col]) -> tuple[Any, list[Any], list[Any]]:
        """(select, where clauses, order by) for the current request's list."""
        wheres: list[Any] = []
        q = (request.args.get("q") or "").strip()
        if q and self.search_fields:
            fields = [f for f in self.search_fields if env.field_visible(self.model, f)]
            like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            wheres.append(or_(*[func.lower(self.table.c[f]).like(like, escape="\\") for f in fields]))
        for flt in self.visible_filters(env):
            value = request.args.get(f"f_{flt.name}")
            if value in (None, ""):
                continue
            if flt.apply is not None:
                wheres.append(flt.apply(self.model, value, env))
                continue
            col = self.table.c[flt.field or flt.name]
            wheres.append(col == _coerce(col, value))
        # foreign keys are labelled through Env afterwards (prefetch): no eager load of their targets
        stmt = env.select(self.model).where(*wheres)
        order = self.order_clause(cols)
        return stmt.order_by(*order), wheres, order

    def order_clause(self, cols: Sequence[Col]) -> list[Any]:
        """ORDER BY from ``?sort=field`` / ``?sort=-field`` (only shown columns), else defaults."""
        sort = request.args.get("sort") or ""
        name = sort.lstrip("-")
        pk = self.table.primary_key.columns.values()[0]
        if name and any(c.name == name and c.value is None and c.sortable for c in cols) and name in self.table.c:
            col = self.table.c[name]
            return [col.desc() if sort.startswith("-") else col.asc(), pk.desc()]
        out = []
        for spec in self.order_by:
            col = self.table.c[spec.lstrip("-")]
            out.append(col.desc() if spec.startswith("-") else col.asc())
        return [*out, pk.desc()]

    def visible_filters(self, env: Env) -> list[Filter]:
        """Filters the user may use (none on a restricted field: filtering would reveal it)."""
        return [f for f in self.filters
                if f.apply is not None or env.field_visible(self.model, f.field or f.name)]

    def filter_choices(self, env: Env, flt: Filter) -> list[tuple[str, str]]:
        """Options of a filter's select box."""
        if flt.choices is not None:
            choices = flt.choices(env) if callable(flt.choices) else flt.choices
            return [(str(v), tr(lbl)) for v, lbl in choices]
        name = flt.field or flt.name
        static = self._static_choices(name)
        if static is not None:
            return [(str(v), tr(lbl)) for v, lbl in static]
        col = self.table.c[name]
        if isinstance(col.type, Boolean):
            return [("1", _("Yes")), ("0", _("No"))]
        if isinstance(col.type, Enum):
            return [(v, v) for v in col.type.enums]
        target = self.target_model(name)
        if target is not None:
            return [(str(k), v) for k, v in fk_choices(env, target)]
        return []

    # ----- pages -----------------------------------------------------------------------------
    def list_view(self) -> Any:
        """The list page: search, filters, sort, pagination and column choice."""
        env = g.env
        env.check(self.model, "read")
        cols = self.shown_columns(env)
        stmt, wheres, _order = self.list_query(env, cols)
        try:
            page = max(1, int(request.args.get("page", 1)))
        except ValueError:
            page = 1
        pk = self.table.primary_key.columns.values()[0]
        exact = True
        if self.count_limit:
            # count at most count_limit + 1 rows: "10,000+" instead of a full count of a huge table
            capped = env.select(self.model, "read", pk).where(*wheres).limit(self.count_limit + 1).subquery()
            total = int(env.scalar(select(func.count()).select_from(capped)) or 0)
            exact = total <= self.count_limit
        else:
            total = int(env.scalar(env.select(self.model, "read", func.count(pk)).where(*wheres)) or 0)
        if exact:
            pages = max(1, -(-total // self.page_size))
            page = min(page, pages)
        rows = list(env.scalars(stmt.limit(self.page_size).offset((page - 1) * self.page_size)))
        if not exact:
            total = self.count_limit
            pages = page + 1 if len(rows) == self.page_size else page
        self.prefetch(rows, cols)
        args = {k: v for k, v in request.args.items() if k != "page"}
        return render_template(
            self.templates["list"],
            view=self,
            rows=rows,
            cols=cols,
            labels={c.name: tr(c.label) if c.label is not None else self.field_label(c.name)
                    for c in self.available_columns(env)},
            available=self.available_columns(env),
            total=format_decimal(total) + ("" if exact else "+"),
            exact=exact,
            page=page,
            pages=pages,
            args=args,
            q=request.args.get("q", ""),
            filters=[(f, self.filter_choices(env, f), request.args.get(f"f_{f.name}", ""))
                     for f in self.visible_filters(env)],
            sort=request.args.get("sort", ""),
            can_create=(self.can_create or self.new_endpoint is not None) and env.can(self.model, "create"),
            new_url=url_for(self.new_endpoint) if self.new_endpoint else (
                url_for(self.endpoint("new")) if self.can_create else None),
        )


def _coerce(col: Any, value: str) -> Any:
    if isinstance(col.type, Boolean):
        return value in ("1", "true", "True", "yes")
    if isinstance(col.type, Integer):
        try:
            return int(value)
        except ValueError:
            return -1
    return value
