"""Development stages: moving a customer to a stage, its stage history and the pipeline board."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from addons.crm_cards.models import CustomerProfile, CustomerStage, DevelopmentStage
from addons.crm_cards.services.defaults import stages
from addons.crm_cards.services.helpers import customer
from addons.crm_cards.services.territory import territory_filter
from addons.masterdata.models import Customer
from core.errors import AccessDenied, ValidationError
from core.i18n import _

if TYPE_CHECKING:
    from core.security.env import Env


# ----- development stages ----------------------------------------------------------------
def move_to_stage(
    env: Env,
    customer_id: int,
    stage_id: int,
    entered_on: dt.date | None = None,
    note: str | None = None,
    opportunity: str | None = None,
) -> CustomerStage:
    """Record that a customer (or one opportunity) entered a development stage on a date."""
    customer(env, customer_id)
    try:
        stage = env.get(DevelopmentStage, stage_id)
    except AccessDenied:
        raise ValidationError(_("Unknown development stage."), {"stage_id": _("Unknown.")}) from None
    entered_on = entered_on or dt.date.today()
    if entered_on > dt.date.today():
        raise ValidationError(_("The date cannot be in the future."), {"entered_on": _("Future date.")})
    row = env.create(
        CustomerStage,
        {"customer_id": customer_id, "stage_id": stage.id, "entered_on": entered_on, "note": note, "opportunity": opportunity},
    )
    return row


def stage_history(env: Env, customer_id: int) -> list[CustomerStage]:
    """Stages the customer went through, oldest first."""
    return env.search(CustomerStage, CustomerStage.customer_id == customer_id, order_by=[CustomerStage.entered_on, CustomerStage.id])



def pipeline(env: Env, territory_id: int | None = None) -> list[tuple[DevelopmentStage, list[tuple[Customer, CustomerProfile]]]]:
    """The pipeline board: each stage with the readable customers currently in it (one query)."""
    cols = stages(env)
    stmt = (
        env.select(Customer).add_columns(CustomerProfile)
        .join(CustomerProfile, CustomerProfile.customer_id == Customer.id)
        .where(CustomerProfile.stage_id.is_not(None))
        .order_by(CustomerProfile.stage_since, Customer.name_zh)
    )
    cond = territory_filter(env, territory_id)
    if cond is not None:
        stmt = stmt.where(cond)
    by_stage: dict[int, list[tuple[Customer, CustomerProfile]]] = {s.id: [] for s in cols}
    for cust, prof in env.execute(stmt):
        by_stage.setdefault(prof.stage_id, []).append((cust, prof))
    return [(s, by_stage.get(s.id, [])) for s in cols]
