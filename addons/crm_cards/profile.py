"""The customer profile card (客户资料卡): everything about one customer on one page.

:func:`profile_card` gathers, through the user's ``Env`` (record rules apply):
master data, contacts and key decision makers, the CRM profile (class, key
account, stage, risk, custodian, technical data), the current strategy card,
the last monthly cards, the class history, the development stages, the archive register
(documents), and the
sections other addons add through the ``tixi_profile_sections`` hook (business
history such as sales, visits, quotes; extra technical fields).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import selectinload

from addons.crm_cards import services
from addons.crm_cards.models import (
    ClassPolicy,
    CustomerClass,
    CustomerDocument,
    CustomerProfile,
    CustomerStage,
    KeyAccount,
    KeyAccountPlan,
    MonthlyCard,
    StrategyCard,
)
from addons.masterdata.models import Contact, Customer
from core.plugins import flatten

if TYPE_CHECKING:
    from core.security.env import Env


@dataclass
class ProfileSection:
    """A section of the profile card: ``rows`` of ``(label, value)`` or ready ``html``."""

    key: str
    title: Any
    sequence: int = 100
    rows: list[tuple[Any, Any]] = field(default_factory=list)
    html: Any = None


@dataclass
class ProfileCard:
    """Everything the profile page shows for one customer."""

    customer: Customer
    profile: CustomerProfile | None
    contacts: list[Contact]
    decision_makers: list[Contact]
    tech_data: dict[str, str]
    strategy: StrategyCard | None
    key_account: KeyAccount | None
    plan: KeyAccountPlan | None
    monthly: list[MonthlyCard]
    classes: list[CustomerClass]
    stages: list[CustomerStage]
    policy: ClassPolicy | None
    documents: list[CustomerDocument]
    sections: list[ProfileSection]

    @property
    def at_risk(self) -> bool:
        """Over the credit limit or with overdue collections."""
        return bool(self.profile and self.profile.at_risk)


def _section(obj: Any) -> ProfileSection:
    if isinstance(obj, ProfileSection):
        return obj
    if isinstance(obj, dict):
        return ProfileSection(
            key=obj["key"], title=obj.get("title", obj["key"]), sequence=int(obj.get("sequence", 100)),
            rows=list(obj.get("rows") or []), html=obj.get("html"),
        )
    return ProfileSection(
        key=obj.key, title=getattr(obj, "title", obj.key), sequence=int(getattr(obj, "sequence", 100)),
        rows=list(getattr(obj, "rows", None) or []), html=getattr(obj, "html", None),
    )


def profile_card(env: Env, customer_id: int, months: int = 12, year: int | None = None) -> ProfileCard:
    """Gather the profile card of a readable customer (:class:`AccessDenied` otherwise).

    A bounded number of queries whatever the history's length: monthly cards
    are limited to the last ``months``, other lists come in one query each.
    """
    cust = services.customer(env, customer_id)
    year = year or dt.date.today().year
    prof = env.scalar(env.select(CustomerProfile).where(CustomerProfile.customer_id == customer_id))
    contacts = (
        env.search(Contact, Contact.customer_id == customer_id, Contact.active.is_(True), order_by=[Contact.id])
        if env.can(Contact, "read") else []
    )
    strategy = env.scalar(
        env.select(StrategyCard)
        .where(StrategyCard.customer_id == customer_id, StrategyCard.year <= year)
        .order_by(StrategyCard.year.desc())
        .limit(1)
    ) if env.can(StrategyCard, "read") else None
    key_account = plan = None
    if prof is not None and prof.is_key_account:  # screening and plan only exist for key accounts
        key_account = env.scalar(env.select(KeyAccount).where(KeyAccount.customer_id == customer_id)) if env.can(KeyAccount, "read") else None
        plan = env.scalar(
            env.select(KeyAccountPlan)
            .where(KeyAccountPlan.customer_id == customer_id, KeyAccountPlan.year <= year)
            .order_by(KeyAccountPlan.year.desc())
            .limit(1)
        ) if env.can(KeyAccountPlan, "read") else None
    monthly = env.search(
        MonthlyCard, MonthlyCard.customer_id == customer_id, order_by=[MonthlyCard.month.desc()], limit=months
    ) if env.can(MonthlyCard, "read") else []
    classes = services.class_history(env, customer_id) if env.can(CustomerClass, "read") else []
    stages = list(env.scalars(
        env.select(CustomerStage)
        .where(CustomerStage.customer_id == customer_id)
        .options(selectinload(CustomerStage.stage))
        .order_by(CustomerStage.entered_on, CustomerStage.id)
    )) if env.can(CustomerStage, "read") else []
    documents = env.search(
        CustomerDocument, CustomerDocument.customer_id == customer_id, CustomerDocument.active.is_(True),
        order_by=[CustomerDocument.doc_date.desc(), CustomerDocument.id.desc()], limit=100,
    ) if env.can(CustomerDocument, "read") else []
    policy = None
    if prof is not None and prof.class_code:
        # what the customer's class means is company configuration, shown on every card
        policy = next(iter(env.sudo().search(ClassPolicy, ClassPolicy.class_code == prof.class_code, limit=1)), None)
    sections = [_section(s) for s in flatten(env.hooks.tixi_profile_sections(env=env, customer=cust))]
    sections.sort(key=lambda s: (s.sequence, s.key))
    return ProfileCard(
        customer=cust,
        profile=prof,
        contacts=contacts,
        decision_makers=[c for c in contacts if c.role == "decision_maker"],
        tech_data=services.tech_data(prof),
        strategy=strategy,
        key_account=key_account,
        plan=plan,
        monthly=monthly,
        classes=classes,
        stages=stages,
        policy=policy,
        documents=documents,
        sections=sections,
    )
