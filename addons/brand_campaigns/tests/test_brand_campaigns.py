"""Tests of brand_campaigns on SQLite and PostgreSQL."""

from __future__ import annotations

from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401


def test_smoke(tixi_world):  # noqa: F811
    world = tixi_world
    m = world.addon_module("brand_campaigns", "models")
    with world.session() as s:
        env = world.env(s, "marketing_admin")
        assert len(env.search(m.PromotionChannel)) == 5
