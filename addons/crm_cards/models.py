"""Models of the crm_cards addon (客户卡片): the customer-management tools of DOMAIN.md §5.

Tables are prefixed with ``crm_cards_``. Every card belongs to a customer of
``masterdata`` and is visible exactly when its customer is (a global record
rule, see ``security/security.yaml`` and :mod:`addons.crm_cards.access`).

* :class:`StrategyCard` (客户策略卡) per customer and year, with
  :class:`ActionItem` rows (dated actions with owners).
* :class:`MonthlyCard` (客户月评卡) per customer and month.
* Classification A/B/C/D: :class:`ClassCriteria` (weights and thresholds per
  company), :class:`ClassAssessment` (factor scores of a customer),
  :class:`CustomerClass` (history of classes set, with reasons),
  :class:`ClassPolicy` (what a class means: visit frequency, credit terms,
  price class), :class:`ClassReview` and :class:`ClassProposal` (the periodic
  review whose proposals the Director approves).
* Key accounts (关键客户): :class:`KeyAccount` (screening by attractiveness x
  feasibility), :class:`KeyAccountPlan` with :class:`KeyAccountGoal` (stage
  goals, progress).
* Development stages: :class:`DevelopmentStage` (configurable per company) and
  :class:`CustomerStage` (a customer entering a stage on a date).
* :class:`CustomerProfile`: one row per customer holding the current class,
  key-account flag, current stage, risk flags, archive custodian and free
  technical data.

Workflow states (``state`` columns) mirror the kernel's approval state
(``core_approval``) so lists can filter on them in SQL; the kernel keeps them
in step when a transition fires (``state_field`` of the workflows in
:mod:`addons.crm_cards.workflows`).

Money is ``Numeric`` (``Decimal``), never float; months are stored as the
first day of the month (``datetime.date``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, BusinessMixin, UTCDateTime
from core.i18n import N_, Choices, _l
from core.i18n import label as text_label

CLASS_CODES = ("A", "B", "C", "D")
CLASS_LABELS = Choices({
    "A": N_("Class A"),
    "B": N_("Class B"),
    "C": N_("Class C"),
    "D": N_("Class D"),
})
CARD_STATE = Choices({
    "draft": N_("Draft"),
    "submitted": N_("Waiting for the territory manager"),
    "submitted_key": N_("Waiting for the director"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
})
MONTHLY_STATE = Choices({
    "draft": N_("Draft"),
    "submitted": N_("Waiting for review"),
    "reviewed": N_("Reviewed"),
    "returned": N_("Returned"),
})
PROPOSAL_STATE = Choices({
    "submitted": N_("Waiting for the director"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected (proposal)"),
})
KEY_ACCOUNT_STATUS = Choices({
    "candidate": N_("Candidate"),
    "key": N_("Key account"),
    "dropped": N_("Dropped"),
})
CLASS_SOURCE = Choices({
    "manual": N_("Set by hand"),
    "review": N_("Periodic review"),
})

PRICE_CLASS = Choices({
    "preferred": N_("Preferred price"),
    "standard": N_("Standard price"),
    "list": N_("List price"),
})
#: the factors of the classification score, in the order of the criteria
FACTOR_LABELS = Choices({
    "sales": N_("Sales volume"),
    "size": N_("Size"),
    "standing": N_("Industry standing"),
    "credit": N_("Credit"),
    "potential": N_("Potential"),
})

MONEY = Numeric(16, 2)
SCORE = Numeric(6, 2)



def _customer_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"), index=True)


class CustomerProfile(BusinessMixin, Base):
    """The CRM side of one customer (客户资料卡): class, key account, stage, risks, custodian."""

    __tablename__ = "crm_cards_profile"
    __tixi_label__ = _l("Customer profile card")
    __tixi_tracked__ = ("class_code", "is_key_account", "custodian_id")
    __table_args__ = (
        UniqueConstraint("customer_id"),
        Index("ix_crm_cards_profile_company_class", "company_id", "class_code"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"))
    class_code: Mapped[str | None] = mapped_column(String(1), nullable=True, info={"selection": CLASS_LABELS})
    class_since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    is_key_account: Mapped[bool] = mapped_column(Boolean, default=False)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("crm_cards_stage.id"), nullable=True, index=True)
    stage_since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    over_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    custodian_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    tech_data: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON object of free fields

    stage: Mapped[DevelopmentStage | None] = relationship()

    @property
    def at_risk(self) -> bool:
        """Over the credit limit or with overdue collections."""
        return bool(self.over_credit or self.overdue)


class StrategyCard(BusinessMixin, Base):
    """Customer strategy card (客户策略卡) for one customer and year."""

    __tablename__ = "crm_cards_strategy"
    __tixi_label__ = _l("Customer strategy card")
    __tixi_tracked__ = ("budget", "class_code", "owner_id", "state")
    __table_args__ = (UniqueConstraint("customer_id", "year"),)

    customer_id: Mapped[int] = _customer_fk()
    year: Mapped[int] = mapped_column(Integer)
    class_code: Mapped[str | None] = mapped_column(String(1), nullable=True, info={"selection": CLASS_LABELS})
    goals: Mapped[str | None] = mapped_column(Text, nullable=True)
    opportunities: Mapped[str | None] = mapped_column(Text, nullable=True)
    difficulties: Mapped[str | None] = mapped_column(Text, nullable=True)
    strategy: Mapped[str | None] = mapped_column(Text, nullable=True)
    resources_people: Mapped[str | None] = mapped_column(Text, nullable=True)
    budget: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": CARD_STATE})

    actions: Mapped[list[ActionItem]] = relationship(
        back_populates="strategy", order_by="ActionItem.due_date", viewonly=True
    )


class KeyAccountPlan(BusinessMixin, Base):
    """Key-account plan (关键客户计划): stage goals, strategy, staffing, budget, actions."""

    __tablename__ = "crm_cards_ka_plan"
    __tixi_label__ = _l("Key-account plan")
    __tixi_tracked__ = ("budget", "state", "owner_id")
    __table_args__ = (UniqueConstraint("customer_id", "year"),)

    customer_id: Mapped[int] = _customer_fk()
    year: Mapped[int] = mapped_column(Integer)
    stage_goals: Mapped[str | None] = mapped_column(Text, nullable=True)
    strategy: Mapped[str | None] = mapped_column(Text, nullable=True)
    staffing: Mapped[str | None] = mapped_column(Text, nullable=True)
    budget: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    spent: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": CARD_STATE})

    goals: Mapped[list[KeyAccountGoal]] = relationship(
        back_populates="plan", order_by="KeyAccountGoal.due_date", viewonly=True
    )


class ActionItem(BusinessMixin, Base):
    """A dated action with an owner, on a strategy card or a key-account plan."""

    __tablename__ = "crm_cards_action"
    __tixi_label__ = _l("Action (plan item)")

    customer_id: Mapped[int] = _customer_fk()
    strategy_id: Mapped[int | None] = mapped_column(
        ForeignKey("crm_cards_strategy.id", ondelete="CASCADE"), nullable=True, index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("crm_cards_ka_plan.id", ondelete="CASCADE"), nullable=True, index=True
    )
    due_date: Mapped[dt.date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    strategy: Mapped[StrategyCard | None] = relationship(back_populates="actions")


class KeyAccountGoal(BusinessMixin, Base):
    """A stage goal of a key-account plan, with its due date and progress."""

    __tablename__ = "crm_cards_ka_goal"
    __tixi_label__ = _l("Stage goal")
    __table_args__ = (Index("ix_crm_cards_ka_goal_open", "done", "due_date"),)

    customer_id: Mapped[int] = _customer_fk()
    plan_id: Mapped[int] = mapped_column(ForeignKey("crm_cards_ka_plan.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date] = mapped_column(Date)
    target_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    actual_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    plan: Mapped[KeyAccountPlan] = relationship(back_populates="goals")


class MonthlyCard(BusinessMixin, Base):
    """Customer monthly evaluation card (客户月评卡) for one customer and month."""

    __tablename__ = "crm_cards_monthly"
    __tixi_label__ = _l("Customer monthly card")
    __tixi_tracked__ = ("credit_used", "credit_limit", "overdue_amount", "state")
    __table_args__ = (
        UniqueConstraint("customer_id", "month"),
        Index("ix_crm_cards_monthly_company_month", "company_id", "month"),
        CheckConstraint("enthusiasm BETWEEN 1 AND 5", name="enthusiasm_range"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"))
    month: Mapped[dt.date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    sales_plan: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    sales_actual: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    collections_plan: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    collections: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    overdue_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    credit_limit: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    credit_used: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    enthusiasm: Mapped[int] = mapped_column(Integer, default=3)
    risks: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_actions: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": MONTHLY_STATE})
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), nullable=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    review_comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    @property
    def over_credit(self) -> bool:
        """Credit used above the limit."""
        return (self.credit_used or 0) > (self.credit_limit or 0)

    @property
    def at_risk(self) -> bool:
        """Over the credit limit or with overdue collections."""
        return self.over_credit or (self.overdue_amount or 0) > 0


class ClassCriteria(BusinessMixin, Base):
    """How a company classifies customers: factor weights and score thresholds (one row)."""

    __tablename__ = "crm_cards_class_criteria"
    __tixi_label__ = _l("Classification criteria")
    __tixi_audit__ = True
    __table_args__ = (UniqueConstraint("company_id"),)

    weight_sales: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("30"))
    weight_size: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("15"))
    weight_standing: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("20"))
    weight_credit: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("15"))
    weight_potential: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("20"))
    #: twelve-month sales that score 100 points on the sales factor (linear below)
    sales_full_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("10000000"))
    threshold_a: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("80"))
    threshold_b: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("60"))
    threshold_c: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("40"))
    #: months between periodic reviews (3 = quarterly)
    review_months: Mapped[int] = mapped_column(Integer, default=3)


class ClassAssessment(BusinessMixin, Base):
    """Scores (0-100) of a customer on the classification factors, as assessed on a date."""

    __tablename__ = "crm_cards_assessment"
    __tixi_label__ = _l("Classification assessment")
    __table_args__ = (Index("ix_crm_cards_assessment_customer", "customer_id", "assessed_on"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    #: optional override; by default the sales factor comes from the monthly cards
    sales_score: Mapped[Decimal | None] = mapped_column(SCORE, nullable=True)
    size_score: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("0"))
    standing_score: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("0"))
    credit_score: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("0"))
    potential_score: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("0"))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CustomerClass(BusinessMixin, Base):
    """One class given to a customer (history row): by whom, when, why."""

    __tablename__ = "crm_cards_customer_class"
    __tixi_label__ = _l("Customer class history")
    __table_args__ = (Index("ix_crm_cards_customer_class_customer", "customer_id", "id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"))
    class_code: Mapped[str] = mapped_column(String(1), info={"selection": CLASS_LABELS})
    previous_code: Mapped[str | None] = mapped_column(String(1), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    score: Mapped[Decimal | None] = mapped_column(SCORE, nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="manual", info={"selection": CLASS_SOURCE})
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), nullable=True)
    set_on: Mapped[dt.date] = mapped_column(Date, default=dt.date.today)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("crm_cards_class_proposal.id"), nullable=True)


class ClassPolicy(BusinessMixin, Base):
    """What a class means in practice: visit frequency, credit terms, price class."""

    __tablename__ = "crm_cards_class_policy"
    __tixi_label__ = _l("Class policy")
    __table_args__ = (UniqueConstraint("company_id", "class_code"),)

    class_code: Mapped[str] = mapped_column(String(1), info={"selection": CLASS_LABELS})
    visits_per_month: Mapped[int] = mapped_column(Integer, default=1)
    credit_days: Mapped[int] = mapped_column(Integer, default=0)
    credit_terms_zh: Mapped[str | None] = mapped_column(String(200), nullable=True)
    credit_terms_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    price_class: Mapped[str] = mapped_column(String(16), default="standard", info={"selection": PRICE_CLASS})

    def as_dict(self) -> dict[str, object]:
        """The policy as the plain dict other addons receive."""
        return {
            "class_code": self.class_code,
            "visits_per_month": self.visits_per_month,
            "credit_days": self.credit_days,
            "credit_terms_zh": self.credit_terms_zh,
            "credit_terms_en": self.credit_terms_en,
            "price_class": self.price_class,
        }


class ClassReview(BusinessMixin, Base):
    """A periodic classification review (e.g. quarterly) holding proposals."""

    __tablename__ = "crm_cards_class_review"
    __tixi_label__ = _l("Classification review")
    __table_args__ = (UniqueConstraint("company_id", "period"),)

    period: Mapped[str] = mapped_column(String(16))
    run_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    proposals: Mapped[list[ClassProposal]] = relationship(back_populates="review", viewonly=True)


class ClassProposal(BusinessMixin, Base):
    """A proposed class change (old -> new) from a review, approved or refused by the Director."""

    __tablename__ = "crm_cards_class_proposal"
    __tixi_label__ = _l("Class change proposal")
    __table_args__ = (UniqueConstraint("review_id", "customer_id"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("crm_cards_class_review.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = _customer_fk()
    old_class: Mapped[str | None] = mapped_column(String(1), nullable=True)
    new_class: Mapped[str] = mapped_column(String(1))
    score: Mapped[Decimal] = mapped_column(SCORE, default=Decimal("0"))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="submitted", info={"selection": PROPOSAL_STATE})
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    review: Mapped[ClassReview] = relationship(back_populates="proposals")


class KeyAccount(BusinessMixin, Base):
    """Key-account screening of a customer: attractiveness x feasibility (0-10 each)."""

    __tablename__ = "crm_cards_key_account"
    __tixi_label__ = _l("Key-account screening")
    __tixi_tracked__ = ("status",)
    __table_args__ = (UniqueConstraint("customer_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"))
    attractiveness: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("0"))
    feasibility: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(16), default="candidate", info={"selection": KEY_ACCOUNT_STATUS})
    screened_on: Mapped[dt.date] = mapped_column(Date, default=dt.date.today)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    @property
    def score(self) -> Decimal:
        """Attractiveness x feasibility (0-100)."""
        return (self.attractiveness or Decimal(0)) * (self.feasibility or Decimal(0))


class DevelopmentStage(BusinessMixin, Base):
    """A customer development stage of a technical B2B sale (configurable per company)."""

    __tablename__ = "crm_cards_stage"
    __tixi_label__ = _l("Development stage")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang`` (default: the current language); stored in both languages."""
        return text_label({"zh_CN": self.name_zh, "en": self.name_en}, lang)

    def __str__(self) -> str:
        return self.name_zh


class CustomerStage(BusinessMixin, Base):
    """A customer (or one opportunity of it) entering a development stage on a date."""

    __tablename__ = "crm_cards_customer_stage"
    __tixi_label__ = _l("Development progress")
    __table_args__ = (Index("ix_crm_cards_customer_stage_customer", "customer_id", "entered_on"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("crm_cards_stage.id"), index=True)
    entered_on: Mapped[dt.date] = mapped_column(Date, default=dt.date.today)
    opportunity: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    stage: Mapped[DevelopmentStage] = relationship()


DOCUMENT_KIND = Choices({
    "contract": N_("Contract"),
    "tech_agreement": N_("Technical agreement"),
    "supply_application": N_("Supply application"),
    "test_report": N_("Test report"),
    "certificate": N_("Certificate"),
    "visit_report": N_("Visit report"),
    "other": N_("Other"),
})


class CustomerDocument(BusinessMixin, Base):
    """A document of the customer's archive (客户档案): what it is, where it is kept, by whom.

    The archive register of the profile card: title, kind, date, where the
    document is kept (archive number, shelf, file server path or URL) and its
    custodian. Archives are confidential: visible exactly like the customer.
    """

    __tablename__ = "crm_cards_document"
    __tixi_label__ = _l("Customer document")
    __tixi_tracked__ = ("custodian_id", "location")
    __table_args__ = (Index("ix_crm_cards_document_customer", "customer_id", "doc_date"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="other", info={"selection": DOCUMENT_KIND})
    doc_date: Mapped[dt.date] = mapped_column(Date, default=dt.date.today)
    location: Mapped[str | None] = mapped_column(String(300), nullable=True)
    custodian_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


#: every model whose rows follow their customer's visibility (global record rule)
CUSTOMER_MODELS: tuple[type, ...] = (
    CustomerProfile,
    StrategyCard,
    KeyAccountPlan,
    ActionItem,
    KeyAccountGoal,
    MonthlyCard,
    ClassAssessment,
    CustomerClass,
    ClassProposal,
    KeyAccount,
    CustomerStage,
    CustomerDocument,
)
