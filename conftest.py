"""Root pytest configuration: the kernel's fixtures for every test folder (kernel and addons)."""

from core.testing import tixi_db  # noqa: F401
from core.testing.web import browser  # noqa: F401
