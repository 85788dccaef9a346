"""Namespace for Tixi addons.

Addons found in extra folders listed in ``addons.yaml`` are appended to this
package's ``__path__`` by the registry, so every folder-based addon imports as
``addons.<name>``. Addons installed as distributions keep their own package name.
"""
