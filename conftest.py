"""Root pytest configuration: the kernel's plugin (``tixi_db``, ``tixi_world``, ...) and browser fixture."""

pytest_plugins = ["core.testing.plugin"]

from core.testing.web import browser  # noqa: E402, F401
