"""Per-company defaults of crm_cards (``data/defaults.yaml``): class criteria and stages."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from addons.crm_cards.models import ClassCriteria, ClassPolicy, DevelopmentStage
from core.errors import ValidationError
from core.i18n import _

if TYPE_CHECKING:
    from core.security.env import Env

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "data" / "defaults.yaml"


# ----- company defaults ------------------------------------------------------------------
@lru_cache(maxsize=1)
def default_config() -> dict[str, Any]:
    """The defaults of ``data/defaults.yaml`` (stages, criteria, class policies)."""
    return yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))


def ensure_company_defaults(env: Env) -> None:
    """Give the current company the default stages, criteria and policies it lacks (idempotent).

    Run by the ``tixi_company_setup`` hook when crm_cards is enabled for a
    company (and after upgrades): configuration written directly, keyed by company.
    """
    # a per-company seed run by the set-up hook or a job, whoever triggers it: reads past the rules
    sudo, cid = env.sudo(), env.company_id
    conf = default_config()
    stamp = {"company_id": cid, "created_by_id": env.user_id, "updated_by_id": env.user_id}
    if sudo.count(DevelopmentStage) == 0:
        for row in conf["stages"]:
            env.session.add(DevelopmentStage(**row, **stamp))
    if sudo.count(ClassCriteria) == 0:
        env.session.add(ClassCriteria(**{k: _conf_value(v) for k, v in conf["criteria"].items()}, **stamp))
    have = set(sudo.scalars(sudo.select(ClassPolicy, ClassPolicy.class_code)))
    for row in conf["policies"]:
        if row["class_code"] not in have:
            env.session.add(ClassPolicy(**row, **stamp))
    env.session.flush()


def _conf_value(value: Any) -> Any:
    return Decimal(value) if isinstance(value, str) else value


def criteria(env: Env) -> ClassCriteria:
    """The company's classification criteria (seeded by the company set-up hook)."""
    # the company's settings are an input of every classification, whatever the user's rights
    row = next(iter(env.sudo().search(ClassCriteria, limit=1)), None)
    if row is None:
        raise ValidationError(_("This company has no classification criteria: run tixi addons apply."))
    return row


def stages(env: Env) -> list[DevelopmentStage]:
    """The company's development stages in order (seeded by the company set-up hook)."""
    return env.search(DevelopmentStage, order_by=[DevelopmentStage.sequence, DevelopmentStage.id])
