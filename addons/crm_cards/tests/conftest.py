"""Fixtures of crm_cards' tests (``crm``: a prepared database on SQLite, then PostgreSQL)."""

from addons.crm_cards.tests.helpers import crm  # noqa: F401
