"""Alembic environment shared by the kernel and every addon (one version branch each).

Run through :mod:`core.migrate`, which passes an open connection (inside the
caller's transaction) and the list of version folders of installed addons.
"""

from __future__ import annotations

from alembic import context

from core.db import Base

config = context.config
connection = config.attributes["connection"]
only_prefix = config.attributes.get("autogenerate_prefix")


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001, D103
    if type_ == "table" and only_prefix:
        return bool(name) and name.startswith(only_prefix)
    if only_prefix and getattr(obj, "table", None) is not None:
        return obj.table.name.startswith(only_prefix)
    return True


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
    compare_type=True,
)
# The caller owns the transaction: migrations, data and state commit or roll back together.
context.run_migrations()
