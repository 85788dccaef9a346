"""Reports of the kpi addon on the report centre (``tixi_reports``), exportable to .xlsx for payroll.

* ``kpi.pay``: the incentive pay of the scorecards of a period, line by line
  (base, target-based pay, commission per tier, advances deducted), read
  through ``env.select``: a person sees their own, a manager the team's,
  finance and the director everybody's;
* ``kpi.scorecards``: the scorecards of a period with their total score and state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from core.i18n import _l, choice_label, current_lang
from core.reports import Column, Link, PeriodParams, Report

from .models import PERIOD_KIND, SCORECARD_STATE, Payout, PayoutLine, Scorecard

if TYPE_CHECKING:
    from core.security.env import Env

KIND_LABELS = {"base": _l("Base pay"), "target": _l("Target-based pay"), "commission": _l("Commission"),
               "advance": _l("Advances deducted")}


def _cards(env: Env, p: Mapping[str, Any]) -> list[Scorecard]:
    return env.search(Scorecard, Scorecard.period_start >= p["date_from"], Scorecard.period_start <= p["date_to"],
                      order_by=[Scorecard.period_start, Scorecard.employee_id])


def pay_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per pay line of the scorecards starting in the period."""
    lang = current_lang(env)
    cards = {c.id: c for c in _cards(env, p)}
    if not cards:
        return []
    payouts = {po.id: po for po in env.search(Payout, Payout.scorecard_id.in_(list(cards)))}
    if not payouts:
        return []
    rows = []
    for ln in env.search(PayoutLine, PayoutLine.payout_id.in_(list(payouts)),
                         order_by=[PayoutLine.payout_id, PayoutLine.sequence]):
        card = cards[payouts[ln.payout_id].scorecard_id]
        rows.append({"scorecard_id": card.id, "employee": card.employee.display(lang),
                     "code": card.employee.code or "", "period": f"{card.period_start:%Y-%m}",
                     "line": str(KIND_LABELS[ln.kind]) + (f" {ln.note}" if ln.note else ""),
                     "basis": ln.basis, "rate": ln.rate, "amount": ln.amount})
    return rows


def _card_link(row: Mapping[str, Any], p: Mapping[str, Any]) -> Link:
    return Link.endpoint("kpi.scorecard", card_id=row["scorecard_id"])


PAY_COLUMNS = [
    Column("employee", _l("Employee")), Column("code", _l("Code")), Column("period", _l("Period")),
    Column("line", _l("Pay line")), Column("basis", _l("Calculation basis"), "money"),
    Column("rate", _l("Rate"), "percent", places=2), Column("amount", _l("Amount"), "money", total="sum"),
]


def scorecards_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per scorecard starting in the period."""
    lang = current_lang(env)
    return [{"scorecard_id": c.id, "employee": c.employee.display(lang), "period": f"{c.period_start:%Y-%m}",
             "kind": choice_label(PERIOD_KIND, c.period_kind, lang), "score": c.total_score,
             "state": choice_label(SCORECARD_STATE, c.state, lang)} for c in _cards(env, p)]


SCORECARD_COLUMNS = [
    Column("employee", _l("Employee")), Column("period", _l("Period")), Column("kind", _l("Period kind")),
    Column("score", _l("Total score"), "decimal", places=2), Column("state", _l("State")),
]

REPORTS = [
    Report(code="kpi.pay", title=_l("Incentive pay"),
           description=_l("The incentive pay of the period's scorecards, line by line, for payroll."),
           query=pay_query, columns=PAY_COLUMNS, params=PeriodParams, totals=True, row_link=_card_link,
           model=PayoutLine.__tablename__),
    Report(code="kpi.scorecards", title=_l("Scorecards"),
           description=_l("The scorecards of the period with their total score and state."),
           query=scorecards_query, columns=SCORECARD_COLUMNS, params=PeriodParams, row_link=_card_link,
           model=Scorecard.__tablename__),
]
