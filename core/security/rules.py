"""Record-rule domains compiled into SQL WHERE clauses.

A domain is a JSON/YAML list of conditions, implicitly AND-ed; ``["|", A, B]``
is OR, ``["!", A]`` is NOT. A condition is ``[field, operator, value]``:

* ``field`` is a column of the model, or ``relation.column`` /
  ``fk_column.column`` following a many-to-one relation or foreign key
  (compiled as a sub-query, never a Python loop);
* ``operator`` is one of ``= != < <= > >= in not in child_of``;
* ``value`` is a literal or ``"user.<key>"`` taken from the user context that
  hooks fill (``tixi_user_context``). ``child_of`` follows a closure table
  declared on the target model (``__tixi_closure__``), so a whole subtree is
  one predicate however deep the tree is.

Global rules (no groups) intersect; rules of the user's groups union (Odoo's
semantics). The compiled clause is applied to every read path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Select, and_, false, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from core.errors import LifecycleError

#: tables with a ``company_id`` that is not an owning company (a user's current company)
NOT_COMPANY_OWNED = frozenset({"core_user"})

#: Turns a ``Select`` of ids into a literal list when small, else returns it unchanged.
Resolver = Callable[[Select], Any]

OPERATORS = {"=", "!=", "<", "<=", ">", ">=", "in", "not in", "child_of"}


def validate_domain(domain: Any, where: str) -> None:
    """Raise a clear error for a malformed domain (at install time, not at query time).

    Checks each condition's shape and operator, and that the prefix operators
    have their operands (``["|", A]`` is refused).
    """
    if not isinstance(domain, list):
        raise LifecycleError(f"{where}: domain must be a list")
    depth = 0  # operands available, counted from the right (Polish notation)
    for item in reversed(domain):
        if item in ("|", "&"):
            if depth < 2:
                raise LifecycleError(f"{where}: operator {item!r} needs two conditions after it")
            depth -= 1
            continue
        if item == "!":
            if depth < 1:
                raise LifecycleError(f"{where}: operator '!' needs a condition after it")
            continue
        if isinstance(item, list) and len(item) == 3 and isinstance(item[0], str) and item[0] not in ("|", "&", "!"):
            if item[1] not in OPERATORS:
                raise LifecycleError(f"{where}: unknown operator {item[1]!r}")
            depth += 1
            continue
        if isinstance(item, list) and item and item[0] in ("|", "&", "!"):
            validate_domain(item, where)
            depth += 1
            continue
        raise LifecycleError(f"{where}: cannot read condition {item!r}")


class ContextValueMissing(LookupError):
    """A rule refers to ``user.<key>`` that no enabled addon provides."""


def _value(raw: Any, ctx: Mapping[str, Any]) -> Any:
    if isinstance(raw, str) and raw.startswith("user."):
        key = raw[5:]
        if key not in ctx:
            raise ContextValueMissing(key)
        return ctx[key]
    return raw


def _column(model: type, path: str) -> tuple[Any, Any]:
    """Return (outer column, wrapper) for ``field`` or ``rel.field`` paths."""
    table = model.__table__
    if "." not in path:
        if path not in table.c:
            raise LifecycleError(f"{table.name} has no column {path!r}")
        return table.c[path], None
    first, rest = path.split(".", 1)
    if first in table.c and table.c[first].foreign_keys:
        # a foreign-key column (``approval_id.company_id``): follow it to its table
        local_col = table.c[first]
        fk = next(iter(local_col.foreign_keys))
        target = _model_for_table(fk.column.table.name)
        if target is None:
            raise LifecycleError(f"{path}: no model for table {fk.column.table.name}")
    else:
        attr = getattr(model, first, None)
        prop = getattr(attr, "property", None)
        if prop is None or not hasattr(prop, "mapper"):
            raise LifecycleError(f"{path}: {first!r} is neither a relation nor a foreign key of {table.name}")
        target = prop.mapper.class_
        local_col = next(iter(prop.local_columns))
    inner_col, inner_wrap = _column(target, rest)
    return local_col, (target, inner_col, inner_wrap)


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, set, frozenset)) or hasattr(value, "subquery") or hasattr(value, "scalar_subquery") or hasattr(value, "select")


def _compare(col: Any, op: str, value: Any, target_model: type | None, resolve: Resolver | None = None) -> ColumnElement:
    if op == "child_of":
        closure = getattr(target_model, "__tixi_closure__", None)
        if closure is None:
            raise LifecycleError(f"child_of on {col} needs a model with __tixi_closure__")
        ids = value if _is_list(value) else [value]
        sub = select(closure.c.descendant_id).where(closure.c.ancestor_id.in_(ids))
        return col.in_(resolve(sub) if resolve is not None else sub)
    if op in ("in", "not in"):
        seq = value if _is_list(value) else [value]
        if isinstance(seq, (list, tuple, set, frozenset)) and not seq:
            return false() if op == "in" else true()
        expr = col.in_(seq)
        return expr if op == "in" else not_(expr)
    if op in ("=", "!=") and _is_list(value):
        return _compare(col, "in" if op == "=" else "not in", value, target_model, resolve)
    if value is None:
        if op not in ("=", "!="):
            raise LifecycleError(f"cannot compare {col} with None using {op!r}")
        return col.is_(None) if op == "=" else col.is_not(None)
    return {
        "=": col.__eq__,
        "!=": col.__ne__,
        "<": col.__lt__,
        "<=": col.__le__,
        ">": col.__gt__,
        ">=": col.__ge__,
    }[op](value)


def compile_condition(
    model: type, cond: list, ctx: Mapping[str, Any], resolve: Resolver | None = None
) -> ColumnElement:
    """One ``[field, op, value]`` as a SQL expression on ``model``'s table.

    ``resolve`` (optional) may turn the closure look-up of ``child_of`` into a
    literal list of ids when it is small (see :meth:`core.security.env.Env.resolve_ids`).
    """
    path, op, raw = cond
    value = _value(raw, ctx)
    outer, wrap = _column(model, path)
    if wrap is None:
        target = None
        if op == "child_of":
            fk = next(iter(outer.foreign_keys), None)
            target = _model_for_table(fk.column.table.name) if fk is not None else model
        return _compare(outer, op, value, target, resolve)
    target, inner_col, inner_wrap = wrap
    # follow the relation: outer_fk IN (SELECT target.id FROM target WHERE <inner>)
    inner_cond = compile_condition(target, [path.split(".", 1)[1], op, raw], ctx, resolve)
    pk = target.__table__.primary_key.columns.values()[0]
    inner = select(pk).where(inner_cond)
    company = ctx.get("company_id")
    if company is not None and "company_id" in target.__table__.c and target.__table__.name not in NOT_COMPANY_OWNED:
        # the target's company too: the planner can then use the target's (company_id, ...) indexes
        # instead of scanning every company's rows (a record only ever references its own company's)
        inner = inner.where(target.__table__.c.company_id == company)
    return outer.in_(inner)


def _model_for_table(name: str) -> type | None:
    from core.registry import model_class

    return model_class(name)


def compile_domain(
    model: type, domain: list, ctx: Mapping[str, Any], resolve: Resolver | None = None
) -> ColumnElement:
    """A whole domain (prefix ``|``/``&``/``!`` operators, implicit AND) as one expression."""
    items = list(domain)
    stack: list[ColumnElement] = []
    # Polish notation evaluated right to left, like Odoo's domains.
    for item in reversed(items):
        if item == "|":
            a, b = stack.pop(), stack.pop()
            stack.append(or_(a, b))
        elif item == "&":
            a, b = stack.pop(), stack.pop()
            stack.append(and_(a, b))
        elif item == "!":
            stack.append(not_(stack.pop()))
        elif isinstance(item, list) and item and item[0] in ("|", "&", "!"):
            stack.append(compile_domain(model, item, ctx, resolve))
        else:
            stack.append(compile_condition(model, item, ctx, resolve))
    if not stack:
        return true()
    return and_(*reversed(stack)) if len(stack) > 1 else stack[0]
