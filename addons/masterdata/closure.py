"""Closure tables for trees (employees' reporting line, territories), kept up to date.

A closure table holds one row ``(ancestor_id, descendant_id, depth)`` for every
pair of nodes where the first is the second or one of its ancestors (depth 0 is
the node itself). With it, "everything under X" is one sub-query however deep
the tree is, which is what the kernel's ``child_of`` rule operator compiles to
(``__tixi_closure__`` on the model).

:func:`attach_closure` keeps the table right for ORM inserts and for moves (a
changed parent); rows go with their node through ``ON DELETE CASCADE``. Code
that bulk-inserts nodes with SQLAlchemy Core (the benchmark generator, imports)
must call :func:`rebuild_closure` afterwards.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    Table,
    and_,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
)
from sqlalchemy.engine import Connection

from core.db import Base
from core.errors import ValidationError


def closure_table(name: str, node_table: str) -> Table:
    """Declare the closure table ``name`` of the tree stored in ``node_table``."""
    return Table(
        name,
        Base.metadata,
        Column(
            "ancestor_id",
            ForeignKey(f"{node_table}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column(
            "descendant_id",
            ForeignKey(f"{node_table}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column("depth", Integer, nullable=False, default=0),
        Index(f"ix_{name}_descendant", "descendant_id", "ancestor_id"),
    )


def _add_node(conn: Connection, closure: Table, node_id: int, parent_id: int | None) -> None:
    conn.execute(insert(closure).values(ancestor_id=node_id, descendant_id=node_id, depth=0))
    if parent_id is not None:
        conn.execute(
            insert(closure).from_select(
                ["ancestor_id", "descendant_id", "depth"],
                select(closure.c.ancestor_id, literal(node_id), closure.c.depth + 1).where(
                    closure.c.descendant_id == parent_id
                ),
            )
        )


def is_descendant(conn: Connection, closure: Table, node_id: int, ancestor_id: int) -> bool:
    """Whether ``node_id`` is ``ancestor_id`` itself or lies below it."""
    row = conn.execute(
        select(closure.c.depth).where(
            closure.c.ancestor_id == ancestor_id, closure.c.descendant_id == node_id
        )
    ).first()
    return row is not None


def move_node(conn: Connection, closure: Table, node_id: int, new_parent_id: int | None) -> None:
    """Re-hang the subtree of ``node_id`` under ``new_parent_id`` (two statements)."""
    if new_parent_id is not None and is_descendant(conn, closure, new_parent_id, node_id):
        raise ValidationError(
            "a node cannot be moved under itself or one of its descendants",
            {"parent_id": "cycle"},
        )
    a = closure.alias("a")
    d = closure.alias("d")
    subtree = select(d.c.descendant_id).where(d.c.ancestor_id == node_id)
    # Links from outside ancestors into the subtree go ...
    conn.execute(
        delete(closure).where(
            closure.c.descendant_id.in_(subtree),
            closure.c.ancestor_id.not_in(select(a.c.descendant_id).where(a.c.ancestor_id == node_id)),
        )
    )
    if new_parent_id is None:
        return
    # ... and the new parent's ancestors link to every node of the subtree.
    conn.execute(
        insert(closure).from_select(
            ["ancestor_id", "descendant_id", "depth"],
            select(a.c.ancestor_id, d.c.descendant_id, a.c.depth + d.c.depth + 1)
            .select_from(a.join(d, literal(True)))
            .where(and_(a.c.descendant_id == new_parent_id, d.c.ancestor_id == node_id)),
        )
    )


def attach_closure(model: type, closure: Table, parent_attr: str) -> None:
    """Maintain ``closure`` on ORM inserts and parent changes of ``model``."""

    @event.listens_for(model, "after_insert")
    def _after_insert(_mapper: Any, conn: Connection, target: Any) -> None:
        _add_node(conn, closure, target.id, getattr(target, parent_attr))

    @event.listens_for(model, "before_update")
    def _before_update(_mapper: Any, conn: Connection, target: Any) -> None:
        hist = inspect(target).attrs[parent_attr].history
        if hist.has_changes():
            new_parent = getattr(target, parent_attr)
            if new_parent is not None and is_descendant(conn, closure, new_parent, target.id):
                raise ValidationError(
                    "a node cannot be moved under itself or one of its descendants",
                    {parent_attr: "cycle"},
                )

    @event.listens_for(model, "after_update")
    def _after_update(_mapper: Any, conn: Connection, target: Any) -> None:
        hist = inspect(target).attrs[parent_attr].history
        if hist.has_changes():
            move_node(conn, closure, target.id, getattr(target, parent_attr))


def rebuild_closure(conn: Connection, node_table: Table, closure: Table, parent_col: str) -> int:
    """Recompute the whole closure table from the parent column (recursive CTE); row count."""
    conn.execute(delete(closure))
    nodes = select(
        node_table.c.id.label("ancestor_id"), node_table.c.id.label("descendant_id"), literal(0).label("depth")
    ).cte("tree", recursive=True)
    child = node_table.alias("child")
    nodes = nodes.union_all(
        select(nodes.c.ancestor_id, child.c.id, nodes.c.depth + 1).where(
            child.c[parent_col] == nodes.c.descendant_id
        )
    )
    conn.execute(
        insert(closure).from_select(
            ["ancestor_id", "descendant_id", "depth"],
            select(nodes.c.ancestor_id, nodes.c.descendant_id, nodes.c.depth),
        )
    )
    return int(conn.execute(select(func.count()).select_from(closure)).scalar_one())
