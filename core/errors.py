"""Exceptions the kernel raises for problems a user can fix.

Every :class:`TixiError` is shown to the user as one clear line (CLI) or a
friendly message (web); anything else is a bug and may show a traceback.
"""

from __future__ import annotations


class TixiError(Exception):
    """A user-facing error: its message is complete and needs no traceback."""


class ManifestError(TixiError):
    """An addon manifest is missing, malformed or has a wrong field."""


class DependencyError(TixiError):
    """A dependency is missing, cyclic or at an unsuitable version."""


class DiscoveryError(TixiError):
    """Two addons share a name, or an addon folder cannot be read."""


class LifecycleError(TixiError):
    """An install, upgrade or uninstall cannot be carried out."""


class AccessDenied(TixiError):
    """The current user lacks the access right or record rule for an operation."""


class ValidationError(TixiError):
    """Input data is invalid; ``errors`` maps field names to messages."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class ConcurrentEditError(TixiError):
    """Somebody else saved the record since it was read (optimistic locking)."""


class AddonLoadError(TixiError):
    """An installed addon breaks the contract at load time (hook, argument, table, foreign key).

    The message is one line naming the addon and what to fix; the addon is not loaded.
    """
