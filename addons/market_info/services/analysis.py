"""Periodic analysis reports: drafted from the period's records of a plan, issued to its recipients.

:func:`draft_analysis` writes a text (in Chinese and English figures alike)
from what the plan's records of the period hold: price observations per
competitor and variety (count, lowest, average, highest), notes by kind and
title, technical needs by development stage. The aggregator edits it, then
:func:`issue_analysis` sends it to every recipient (``market_info.analysis_issued``)
and marks it issued.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from core.i18n import N_, current_lang, translate
from core.notifications import notify

from ..models import KIND, STAGE, Analysis, CollectionPlan, Note, PriceObservation, TechNeed
from .common import fail, parse_date
from .plans import recipient_user_ids

if TYPE_CHECKING:
    from core.security.env import Env

CENT = Decimal("0.01")


def check_period(env: Env, date_from: Any, date_to: Any) -> tuple[dt.date, dt.date]:
    """Both days given, the end not before the start."""
    start = parse_date(env, date_from, "date_from", N_("Give the first day of the period."))
    end = parse_date(env, date_to, "date_to", N_("Give the last day of the period."))
    if end < start:
        raise fail(env, N_("The end of the period is before its start."), "date_to")
    return start, end


def _price_lines(env: Env, plan_id: int, start: dt.date, end: dt.date, lang: str) -> tuple[list[str], int]:
    rows = env.search(PriceObservation, PriceObservation.plan_id == plan_id, PriceObservation.observed_on >= start,
                      PriceObservation.observed_on <= end, order_by=[PriceObservation.observed_on,
                                                                     PriceObservation.id])
    groups: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for r in rows:
        variety = r.product.display(lang) if r.product and hasattr(r.product, "display") else (
            r.competitor_product.name if r.competitor_product else "-")
        groups[(r.competitor.display(lang), variety)].append(r.price)
    lines = []
    for (comp, variety), prices in sorted(groups.items()):
        avg = (sum(prices, Decimal(0)) / len(prices)).quantize(CENT, ROUND_HALF_UP)
        lines.append(translate(N_("%(competitor)s, %(variety)s: %(count)s prices, lowest %(low)s, "
                                  "average %(avg)s, highest %(high)s"), lang, competitor=comp, variety=variety,
                               count=len(prices), low=min(prices).quantize(CENT), avg=avg,
                               high=max(prices).quantize(CENT)))
    return lines, len(rows)


def draft_analysis(env: Env, plan: Any, date_from: Any, date_to: Any, title: str | None = None) -> Analysis:
    """A draft analysis of the plan's records of the period (the user must read the plan)."""
    start, end = check_period(env, date_from, date_to)
    p = env.get(CollectionPlan, int(getattr(plan, "id", plan)))
    lang = current_lang(env)
    lines, count = _price_lines(env, p.id, start, end, lang)
    notes = env.search(Note, Note.plan_id == p.id, Note.noted_on >= start, Note.noted_on <= end,
                       order_by=[Note.noted_on, Note.id])
    for n in notes:
        lines.append(f"[{KIND.label(n.kind, lang)}] {n.noted_on.isoformat()} {n.title}")
    needs = env.search(TechNeed, TechNeed.plan_id == p.id, TechNeed.noted_on >= start, TechNeed.noted_on <= end,
                       order_by=[TechNeed.noted_on, TechNeed.id])
    for n in needs:
        customer = n.customer.display(lang) if hasattr(n.customer, "display") else str(n.customer)
        lines.append(f"[{STAGE.label(n.stage, lang)}] {customer}: {n.need}")
    count += len(notes) + len(needs)
    if not lines:
        lines.append(translate(N_("No information was filed in the period."), lang))
    from addons.masterdata.services import current_employee

    me = current_employee(env)
    head = title or f"{p.name} {start.isoformat()} ~ {end.isoformat()}"
    body = "\n".join(lines)
    if p.analysis:
        body = f"{p.analysis}\n\n{body}"
    return env.create(Analysis, {"plan_id": p.id, "author_id": me.id if me else None, "date_from": start,
                                 "date_to": end, "title": head[:200], "body": body, "records": count})


def issue_analysis(env: Env, analysis: Any) -> int:
    """Send the analysis to the plan's recipients; returns how many users were notified."""
    a = env.get(Analysis, int(getattr(analysis, "id", analysis)), "write")
    if a.state == "issued":
        raise fail(env, N_("This analysis has already been issued."))
    users = recipient_user_ids(env, a.plan)
    sent = notify(env, users, "market_info.analysis_issued", a, title=a.title, body=a.body[:2000])
    from core.db import utcnow

    env.write(a, {"state": "issued", "issued_at": utcnow()})
    return len(sent)
