"""Measures of brand_campaigns (``tixi_measures``), by channel and month.

* ``brand_campaigns.campaign_cost``: actual cost of the activities that were run
  (money, period = the activity's start date; dims channel, kind, plan);
* ``brand_campaigns.reach``: people reached by the activities (quantity, same);
* ``brand_campaigns.leads``: leads the activities brought (quantity, same);
* ``brand_campaigns.answers``: questionnaire answers (count, period = the
  answer's time; dims channel of the questionnaire's plan, customer, customer class);
* ``brand_campaigns.purchase_amount``, ``.purchase_quantity``: distributors'
  purchases (经销商进货; period = the purchase date; dims distributor,
  salesperson — the distributor's owner —, territory, product). Answered from
  the monthly summary ``brand_campaigns_purchase_month`` when the request fits
  it (whole months, no product), from the purchases otherwise.

Built on ``env.select`` (activity, plan, survey and answer rules apply).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer, Employee, Product
from core.i18n import _l
from core.measures import Dimension, Measure, Summary, fact_columns

from .models import (
    ACTIVITY_KIND,
    BrandSurvey,
    Distributor,
    DistributorPurchase,
    MarketActivity,
    PromotionChannel,
    PromotionPlan,
    PurchaseMonth,
    SurveyAnswer,
)

if TYPE_CHECKING:
    from core.security.env import Env

ACTIVITY_DIMS = {"channel": MarketActivity.channel_id, "kind": MarketActivity.kind, "plan": MarketActivity.plan_id}


def _activity_query(column: Any) -> Any:
    def query(env: Env, dimensions: Sequence[str]) -> Any:
        cols = [ACTIVITY_DIMS[d].label(d) for d in dimensions if d in ACTIVITY_DIMS]
        return env.select(MarketActivity, "read", column.label("value"), MarketActivity.start_date.label("period"), *cols).where(
            column.is_not(None))
    return query


def answers_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per answer; the channel is its questionnaire's plan's."""
    cols = []
    stmt = env.select(SurveyAnswer, "read", SurveyAnswer.id.label("value"), SurveyAnswer.answered_at.label("period"))
    if "channel" in dimensions:
        stmt = stmt.outerjoin(BrandSurvey, BrandSurvey.id == SurveyAnswer.survey_id).outerjoin(PromotionPlan, PromotionPlan.id == BrandSurvey.plan_id)
        cols.append(PromotionPlan.channel_id.label("channel"))
    if "customer" in dimensions:
        cols.append(SurveyAnswer.customer_id.label("customer"))
    if "customer_class" in dimensions:
        cols.append(SurveyAnswer.customer_class.label("customer_class"))
    return stmt.add_columns(*cols)


_PURCHASE = {"distributor": DistributorPurchase.distributor_id, "salesperson": Distributor.owner_id,
             "territory": Distributor.territory_id, "product": DistributorPurchase.product_id}
_MONTH = {"distributor": PurchaseMonth.distributor_id, "salesperson": PurchaseMonth.owner_id,
          "territory": PurchaseMonth.territory_id}


def _purchases(column: str) -> tuple[Any, Summary]:
    """The raw query of a purchase figure and its monthly summary."""
    def query(env: Env, dimensions: Sequence[str]) -> Any:
        P = DistributorPurchase
        stmt = env.select(P, "read", *fact_columns(getattr(P, column), P.purchase_date, _PURCHASE, dimensions))
        if "salesperson" in dimensions or "territory" in dimensions:
            stmt = stmt.join(Distributor, Distributor.id == P.distributor_id)
        return stmt

    def summary(env: Env, dimensions: Sequence[str]) -> Any:
        return env.select(PurchaseMonth, "read", *fact_columns(getattr(PurchaseMonth, column), PurchaseMonth.month,
                                                               _MONTH, dimensions))

    return query, Summary(PurchaseMonth.__tablename__, tuple(_MONTH), summary, grain="month")


_CHANNEL = Dimension("channel", _l("Channel"), model=PromotionChannel)
_ACT_DIMS = (_CHANNEL, Dimension("kind", _l("Kind"), choices=ACTIVITY_KIND), Dimension("plan", _l("Promotion plan"),
                                                                                      model=PromotionPlan))
GRAINS = ("month", "quarter", "year")
_PURCHASE_DIMS = (Dimension("distributor", _l("Distributor"), model=Distributor),
                  Dimension("salesperson", _l("Salesperson"), model=Employee),
                  Dimension("territory", _l("Territory"), model="territories_territory", requires="territories"),
                  Dimension("product", _l("Product variety"), model=Product))

MEASURES = [
    Measure(name="brand_campaigns.campaign_cost", label=_l("Campaign cost"),
            description=_l("Actual cost of the promotion and market activities that were run."),
            kind="money", unit="currency", query=_activity_query(MarketActivity.actual_cost), dimensions=_ACT_DIMS,
            period="start_date", grains=GRAINS),
    Measure(name="brand_campaigns.reach", label=_l("Campaign reach"),
            description=_l("People reached by the promotion and market activities."),
            kind="quantity", scale=0, unit=_l("people"), query=_activity_query(MarketActivity.reach), dimensions=_ACT_DIMS,
            period="start_date", grains=GRAINS),
    Measure(name="brand_campaigns.leads", label=_l("Campaign leads"),
            description=_l("Leads brought by the promotion and market activities."),
            kind="quantity", scale=0, unit=_l("leads"), query=_activity_query(MarketActivity.leads), dimensions=_ACT_DIMS,
            period="start_date", grains=GRAINS),
    Measure(name="brand_campaigns.answers", label=_l("Questionnaire answers"),
            description=_l("Answers of customer contacts to the evaluation questionnaires."),
            kind="count", aggregate="count", query=answers_query,
            dimensions=(_CHANNEL, Dimension("customer", _l("Customer"), model=Customer),
                        Dimension("customer_class", _l("Customer class"))),
            period="answered_at", grains=GRAINS),
    Measure(name="brand_campaigns.purchase_amount", label=_l("Distributor purchases"),
            description=_l("Amount the distributors purchased, by purchase date."),
            kind="money", unit="currency", query=_purchases("amount")[0], summary=_purchases("amount")[1],
            dimensions=_PURCHASE_DIMS, period="purchase_date", grains=("day",) + GRAINS),
    Measure(name="brand_campaigns.purchase_quantity", label=_l("Quantity purchased by distributors"),
            description=_l("Quantity the distributors purchased, by purchase date."),
            kind="quantity", scale=3, query=_purchases("quantity")[0], summary=_purchases("quantity")[1],
            dimensions=_PURCHASE_DIMS, period="purchase_date", grains=("day",) + GRAINS),
]
