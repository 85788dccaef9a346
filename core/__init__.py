"""Tixi kernel: database layer, addon registry, security, web shell and CLI.

The kernel never imports an addon; addons are discovered, ordered and loaded by
:mod:`core.registry` when they are installed.
"""

__version__ = "0.1.0"
