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


def ensure_approval_rows(env: Env) -> int:
    """Give positionings and toolkit versions loaded in a non-initial state (demo data, imports) their
    kernel approval row, so the workflow continues from the stored state; returns how many were added."""
    from core.models import ApprovalRequest

    from ..models import Positioning, ToolkitVersion
    from ..workflows import POSITIONING_WORKFLOW, VERSION_WORKFLOW

    added = 0
    for wf, model in ((POSITIONING_WORKFLOW, Positioning), (VERSION_WORKFLOW, ToolkitVersion)):
        # sudo: a set-up step of the company, not a user's read
        have = set(env.sudo().scalars(env.sudo().select(ApprovalRequest, ApprovalRequest.res_id).where(
            ApprovalRequest.workflow == wf.code)))
        for rec in env.sudo().search(model, model.state != wf.initial):
            if rec.id not in have:
                env.session.add(ApprovalRequest(company_id=env.company_id, workflow=wf.code, model=wf.model,
                                                res_id=rec.id, state=rec.state, requested_by_id=rec.created_by_id))
                added += 1
    env.session.flush()
    return added


def channels(env: Env) -> list[PromotionChannel]:
    """The company's channels in order."""
    return env.search(PromotionChannel, order_by=[PromotionChannel.sequence, PromotionChannel.id])
