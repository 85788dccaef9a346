"""Pages of the kpi addon (blueprint ``kpi``, under ``/kpi``), phone-first.

* ``/kpi/``: the user's scorecards and (managers, finance, director) the team's;
* ``/kpi/scorecards/<id>``: a scorecard: each KPI's actual, target, completion,
  score; the manager's qualitative ratings; submit / approve / send back; the pay;
* ``/kpi/scorecards/<id>/lines/<line>``: drill-down from a figure to the records
  behind it (the owner addon's documents: orders' delivery notes for sales,
  collections for collections) and a link to that addon's own list page;
* ``/kpi/definitions``: the KPIs per position (read; HR edits them by service).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from addons.masterdata.models import POSITION
from addons.masterdata.services import current_employee
from core.errors import AccessDenied, ValidationError
from core.i18n import _, _l, choice_label, current_lang
from core.web.menus import MenuItem

from . import services as svc
from .models import (
    PERIOD_KIND,
    QUALITATIVE,
    QUALITATIVE_LABELS,
    SCORECARD_STATE,
    Definition,
    Payout,
    PayoutLine,
    Scorecard,
    ScorecardLine,
)

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("kpi", __name__, url_prefix="/kpi", template_folder="templates")

#: the owner addon's list page for a measure's addon (drill-down beyond the records shown here)
OWNER_PAGES = {"orders": "orders.index", "field_activity": "field_activity.index", "training": "training.index",
               "budget": "budget.index", "crm_cards": "crm_cards.index", "sales_planning": "sales_planning.index"}
PAY_LABELS = {"base": _l("Base pay"), "target": _l("Target-based pay"), "commission": _l("Commission"),
              "advance": _l("Advances deducted")}


def _ctx(env: Env) -> dict[str, Any]:
    lang = current_lang(env)
    return {"lang": lang, "state_label": lambda k: choice_label(SCORECARD_STATE, k, lang),
            "kind_label": lambda k: choice_label(PERIOD_KIND, k, lang),
            "position_label": lambda k: choice_label(POSITION, k, lang)}


def _card(card_id: int) -> Scorecard:
    card = g.env.get(Scorecard, card_id)
    if card is None:
        abort(404)
    return card


@bp.route("/")
def index() -> str:
    """Own scorecards, then those of the people the user may read (newest period first)."""
    env = g.env
    me = current_employee(env)
    cards = env.search(Scorecard, order_by=[Scorecard.period_start.desc(), Scorecard.employee_id], limit=200)
    mine = [c for c in cards if me is not None and c.employee_id == me.id]
    team = [c for c in cards if me is None or c.employee_id != me.id]
    return render_template("kpi/index.html", me=me, mine=mine, team=team, **_ctx(env))


def _drill_records(env: Env, card: Scorecard, line: ScorecardLine) -> tuple[list[dict[str, Any]], str | None]:
    """The documents behind a figure, read through the env (the user's rights apply)."""
    addon = line.measure.split(".", 1)[0]
    rows: list[dict[str, Any]] = []
    if addon == "orders" and "orders" in env.enabled and line.measure in ("orders.sales_amount",
                                                                          "orders.sales_quantity",
                                                                          "orders.gross_profit"):
        from addons.orders.models import Delivery

        notes = env.search(Delivery, Delivery.salesperson_id == card.employee_id,
                           Delivery.state.in_(("shipped", "confirmed")), Delivery.delivery_date >= card.period_start,
                           Delivery.delivery_date <= card.period_end, order_by=[Delivery.delivery_date, Delivery.id])
        for d in notes:
            rows.append({"number": d.number, "date": d.delivery_date, "amount": d.amount_total,
                         "customer": d.customer.display(current_lang(env)) if d.customer else "",
                         "url": url_for("orders.contract_detail", contract_id=d.contract_id)})
    elif line.measure == "orders.collections" and "orders" in env.enabled:
        from addons.orders.models import Collection

        for c in env.search(Collection, Collection.salesperson_id == card.employee_id,
                            Collection.confirmed_on >= card.period_start, Collection.confirmed_on <= card.period_end,
                            order_by=[Collection.confirmed_on, Collection.id]):
            rows.append({"number": c.number, "date": c.confirmed_on, "amount": c.amount,
                         "customer": c.customer.display(current_lang(env)) if c.customer else "",
                         "url": url_for("orders.collections")})
    page = None
    endpoint = OWNER_PAGES.get(addon)
    if endpoint and addon in env.enabled:
        try:
            page = url_for(endpoint)
        except Exception:  # noqa: BLE001 - an owner addon without that page: no link
            page = None
    return rows, page


@bp.route("/scorecards/<int:card_id>", methods=["GET", "POST"])
def scorecard(card_id: int) -> Any:
    """A scorecard: figures, ratings, approval, pay."""
    env = g.env
    card = _card(card_id)
    if request.method == "POST":
        action = request.form.get("action") or ""
        try:
            if action == "rate":
                svc.rate(env, card, {k: request.form.get(k) for k in QUALITATIVE}, request.form.get("comment"))
                flash(_("Saved."), "success")
            elif action in ("submit", "approve", "reject"):
                svc.fire(env, card, action, comment=request.form.get("comment") or None)
                flash(_("Done."), "success")
            elif action == "pay":
                svc.pay(env, card)
                flash(_("Saved."), "success")
            else:
                abort(400)
        except (ValidationError, AccessDenied) as exc:
            env.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for("kpi.scorecard", card_id=card_id))
    me = current_employee(env)
    payout = env.search(Payout, Payout.scorecard_id == card.id, limit=1)
    pay_lines = env.search(PayoutLine, PayoutLine.payout_id == payout[0].id,
                           order_by=[PayoutLine.sequence]) if payout else []
    scheme = svc.scheme_for(env, card.position)
    return render_template(
        "kpi/scorecard.html", card=card, lines=env.search(ScorecardLine, ScorecardLine.scorecard_id == card.id,
                                                          order_by=[ScorecardLine.sequence]),
        own=me is not None and me.id == card.employee_id, can_rate=env.can(Scorecard, "write") and not (
            me is not None and me.id == card.employee_id) and card.state != "approved",
        qualitative=[(k, QUALITATIVE_LABELS[k]) for k in QUALITATIVE], average=svc.qualitative_average(card),
        transitions=svc.transitions(env, card), payout=payout[0] if payout else None, pay_lines=pay_lines,
        pay_labels=PAY_LABELS, can_pay=card.state == "approved" and not payout and scheme is not None
        and env.can(Payout, "create") and _is_finance(env), **_ctx(env))


def _is_finance(env: Env) -> bool:
    return env.in_group("core.group_finance", "core.group_director")


@bp.route("/scorecards/<int:card_id>/lines/<int:line_id>")
def drill(card_id: int, line_id: int) -> str:
    """The records behind one KPI figure."""
    env = g.env
    card = _card(card_id)
    line = env.get(ScorecardLine, line_id)
    if line is None or line.scorecard_id != card.id:
        abort(404)
    rows, page = _drill_records(env, card, line)
    return render_template("kpi/drill.html", card=card, line=line, rows=rows, owner_page=page,
                           total=sum((r["amount"] for r in rows), Decimal("0")), **_ctx(env))


@bp.route("/definitions")
def definitions_page() -> str:
    """The company's KPIs per position."""
    env = g.env
    defs = env.search(Definition, Definition.active.is_(True),
                      order_by=[Definition.position, Definition.period_kind, Definition.sequence])
    from core.i18n import label
    from core.measures import measures

    known = measures(env.registry)

    def measure_label(name: str | None) -> str:
        """A measure's label in the reader's language (its name only if no addon offers it)."""
        m = known.get(name or "")
        return label(m.label) if m is not None else (name or "")

    return render_template("kpi/definitions.html", defs=defs, measure_label=measure_label, **_ctx(env))


def menu_items(env: Env) -> list[Any]:
    """My scorecards, the KPIs."""
    return [
        MenuItem("kpi", _l("Performance"), "kpi.index", model=Scorecard, sequence=78),
        MenuItem("kpi_home", _l("Scorecards"), "kpi.index", model=Scorecard, sequence=1, parent="kpi"),
        MenuItem("kpi_definitions", _l("KPIs per position"), "kpi.definitions_page", model=Definition, sequence=2,
                 parent="kpi"),
    ]


__all__ = ["bp", "menu_items"]
