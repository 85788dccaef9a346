"""The company's defaults: the seeded promotion channels (``tixi_company_setup``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..models import PromotionChannel

if TYPE_CHECKING:
    from core.security.env import Env

CHANNELS = Path(__file__).resolve().parent.parent / "data" / "channels.yaml"


@cache
def default_channels() -> list[dict]:
    """The seeded channels (code, zh, en)."""
    return yaml.safe_load(CHANNELS.read_text(encoding="utf-8"))["channels"]


def ensure_channels(env: Env) -> None:
    """Create the seeded channels the company lacks (idempotent: edits are kept)."""
    have = {c.code for c in env.search(PromotionChannel, PromotionChannel.active.in_([True, False]))}
    for seq, c in enumerate(default_channels(), start=1):
        if c["code"] not in have:
            env.create(PromotionChannel, {"code": c["code"], "name_zh": c["zh"], "name_en": c["en"], "sequence": seq * 10})


def channels(env: Env) -> list[PromotionChannel]:
    """The company's channels in order."""
    return env.search(PromotionChannel, order_by=[PromotionChannel.sequence, PromotionChannel.id])
