"""``tixi masterdata ...`` commands (registered through ``tixi_cli_commands``)."""

from __future__ import annotations

import click


@click.group("masterdata")
def masterdata() -> None:
    """Customers and master data: handover, import, export."""
