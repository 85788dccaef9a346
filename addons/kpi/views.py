"""Pages of the kpi addon (blueprint ``kpi``, under ``/kpi``), phone-first.

* ``/kpi/``: the user's scorecards and (managers, finance, director) the team's;
* ``/kpi/scorecards/<id>``: a scorecard: each KPI's actual, target, completion,
  score; the manager's qualitative ratings; submit / approve / send back; the pay;
* ``/kpi/scorecards/<id>/lines/<line>``: drill-down from a figure to the records
  behind it (the owner addon's documents: orders' delivery notes for sales,
  collections for collections) and a link to that addon's own list page;
* ``/kpi/definitions``: the KPIs per position; ``/kpi/definitions/edit``: HR (marketing admin)
  and the director edit a position's KPIs of one period kind as a set (per-field messages,
  nothing saved on error);
* ``/kpi/schemes``, ``/kpi/schemes/new``, ``/kpi/schemes/<id>``: incentive schemes and their
  commission tiers (same editors; a tier gap or overlap is named on the tier);
* ``/kpi/surveys``, ``/kpi/surveys/<id>``: a person answers an internal satisfaction survey
  (rates the back office 1..5), phone-first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from addons.masterdata.models import POSITION
from addons.masterdata.services import current_employee
from core.errors import AccessDenied, ValidationError
from core.i18n import _, _l, choice_label, current_lang
from core.web.generic import ModelView
from core.web.menus import MenuItem

from . import services as svc
from .models import (
    CURVE,
    PERIOD_KIND,
    QUALITATIVE,
    QUALITATIVE_LABELS,
    SCHEME_KIND,
    SCORECARD_STATE,
    Definition,
    Payout,
    PayoutLine,
    Scheme,
    SchemeTier,
    Scorecard,
    ScorecardLine,
    Survey,
)
from .services import surveys as survey_svc

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("kpi", __name__, url_prefix="/kpi", template_folder="templates")

#: the owner addon's list page for a measure's addon (drill-down beyond the records shown here)
OWNER_PAGES = {"orders": "orders.index", "field_activity": "field_activity.index", "training": "training.index",
               "budget": "budget.index", "crm_cards": "crm_cards.index", "sales_planning": "sales_planning.index",
               "competency": "competency.team"}
PAY_LABELS = {"base": _l("Base pay"), "target": _l("Target-based pay"), "commission": _l("Commission"),
              "advance": _l("Advances deducted")}


survey_view = ModelView(
    name="kpi.survey",
    model=Survey,
    label=_l("Internal satisfaction survey"), label_plural=_l("Satisfaction surveys"),
    list_columns=["title", "period_start", "period_end"],
    search_fields=["title"],
    form_fields=["title", "period_start", "period_end"],
    detail_fields=["title", "period_start", "period_end"],
    field_labels={"title": _l("Title"), "period_start": _l("From"), "period_end": _l("To")},
    order_by=["-period_start"],
    url_prefix="/surveys/manage",
    can_create=True, can_edit=True, can_delete=False,
)
survey_view.register(bp)


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

    return render_template("kpi/definitions.html", defs=defs, measure_label=measure_label, can_edit=can_edit(env),
                           **_ctx(env))


# ----- editing KPIs and schemes (marketing admin, director) ------------------------------------

EDITORS = ("core.group_marketing_admin", "core.group_director")
KPI_FIELDS = ("code", "name_zh", "name_en", "measure", "person_dimension", "ratio_measure", "target",
              "target_measure", "weight", "curve", "floor", "cap", "thresholds")
DIMENSIONS = {"salesperson": _l("Salesperson"), "employee": _l("Employee"), "company": _l("Whole company")}
BLANK_ROWS = 2


def _require_editor(env: Env) -> None:
    if not env.in_group(*EDITORS):
        raise AccessDenied(_("Only the marketing admin and the marketing director edit KPIs and incentive schemes."))


def can_edit(env: Env) -> bool:
    """Whether the user may use the KPI and scheme editing pages."""
    return env.in_group(*EDITORS)


def _measure_choices(env: Env) -> list[tuple[str, str]]:
    from core.i18n import label
    from core.measures import available_measures

    return [(m.name, str(label(m.label))) for m in available_measures(env)]


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _definition_rows(defs: list[Definition]) -> list[dict[str, str]]:
    return [{f: _plain(getattr(d, f)) for f in KPI_FIELDS} for d in defs]


def _posted_rows(form: Any, count: int) -> tuple[list[dict[str, str]], list[int]]:
    """Every posted row (as typed) and the indexes of those that are not blank or removed."""
    rows, kept = [], []
    for i in range(count):
        row = {f: (form.get(f"r{i}-{f}") or "").strip() for f in KPI_FIELDS}
        rows.append(row)
        if form.get(f"r{i}-remove") or not (row["code"] or row["measure"] or row["name_zh"]):
            continue
        kept.append(i)
    return rows, kept


@bp.route("/definitions/edit", methods=["GET", "POST"])
def definitions_edit() -> Any:
    """A position's KPIs of one period kind, edited as a set: the weights must sum to 100 %."""
    env = g.env
    _require_editor(env)
    position = request.values.get("position") or "salesperson"
    kind = request.values.get("period_kind") or "month"
    if position not in POSITION or kind not in PERIOD_KIND:
        abort(404)
    errors: dict[int, dict[str, str]] = {}
    message = None
    status = 200
    if request.method == "POST":
        count = min(_count(request.form.get("rows")), 50)
        rows, kept = _posted_rows(request.form, count)
        values = [{k: v for k, v in rows[i].items() if v != ""} for i in kept]
        try:
            svc.set_definitions(env, position, kind, values)
        except ValidationError as exc:
            env.session.rollback()
            message, status = str(exc), 422
            for key, msg in exc.errors.items():
                n, _sep, field = key.partition(".")
                if field and n.isdigit() and int(n) <= len(kept):
                    errors.setdefault(kept[int(n) - 1], {})[field] = msg
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("kpi.definitions_edit", position=position, period_kind=kind))
    else:
        rows = _definition_rows(svc.definitions(env, position, kind))
        rows += [dict.fromkeys(KPI_FIELDS, "") for _i in range(BLANK_ROWS)]
    total = sum((Decimal(r["weight"]) for r in rows if _is_number(r["weight"])), Decimal("0"))
    return render_template("kpi/definitions_edit.html", rows=rows, errors=errors, message=message,
                           position=position, period_kind=kind, positions=list(POSITION.items()),
                           kinds=list(PERIOD_KIND.items()),
                           curves=[(k, choice_label(CURVE, k, current_lang(env))) for k in CURVE],
                           dimensions=list(DIMENSIONS.items()), measures=_measure_choices(env),
                           weight_total=total, **_ctx(env)), status


def _count(raw: str | None) -> int:
    """A posted row count (0 for anything that is not a small whole number)."""
    return int(raw) if raw and raw.isdigit() else 0


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except Exception:  # noqa: BLE001 - anything that is not a number
        return False


SCHEME_FIELDS = ("code", "name_zh", "name_en", "kind", "position", "base_pay", "target_pay", "commission_kpi",
                 "rounding")
TIER_FIELDS = ("lower", "upper", "rate")


@bp.route("/schemes")
def schemes() -> str:
    """The company's incentive schemes."""
    env = g.env
    _require_editor(env)
    rows = env.search(Scheme, order_by=[Scheme.position, Scheme.code])
    tiers: dict[int, list[SchemeTier]] = {}
    for t in env.search(SchemeTier, SchemeTier.scheme_id.in_([r.id for r in rows]) if rows else SchemeTier.id < 0,
                        order_by=[SchemeTier.lower]):
        tiers.setdefault(t.scheme_id, []).append(t)
    return render_template("kpi/schemes.html", schemes=rows, tiers=tiers, plain=_plain,
                           kind_label_scheme=lambda k: choice_label(SCHEME_KIND, k, current_lang(env)), **_ctx(env))


@bp.route("/schemes/new", methods=["GET", "POST"], endpoint="scheme_new")
@bp.route("/schemes/<int:scheme_id>", methods=["GET", "POST"])
def scheme_edit(scheme_id: int | None = None) -> Any:
    """An incentive scheme and its commission tiers; a gap or an overlap is named on the tier."""
    env = g.env
    _require_editor(env)
    scheme = None
    if scheme_id is not None:
        scheme = env.get(Scheme, scheme_id)
        if scheme is None:
            abort(404)
    errors: dict[str, str] = {}
    message = None
    status = 200
    if request.method == "POST":
        values = {f: (request.form.get(f) or "").strip() for f in SCHEME_FIELDS}
        values["deduct_advances"] = bool(request.form.get("deduct_advances"))
        count = min(_count(request.form.get("tiers")), 30)
        tiers = [{f: (request.form.get(f"t{i}-{f}") or "").strip() for f in TIER_FIELDS} for i in range(count)]
        kept = [i for i, t in enumerate(tiers) if any(t.values()) and not request.form.get(f"t{i}-remove")]
        try:
            saved = svc.save_scheme(env, {k: v for k, v in values.items() if v != ""},
                                    [{k: (v or None) for k, v in tiers[i].items()} for i in kept], scheme=scheme)
        except ValidationError as exc:
            env.session.rollback()
            message, status = str(exc), 422
            for key, msg in exc.errors.items():
                parts = key.split(".")
                if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) <= len(kept):
                    errors[f"t{kept[int(parts[1]) - 1]}-{parts[2]}"] = msg
                else:
                    errors[key] = msg
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("kpi.scheme_edit", scheme_id=saved.id))
    else:
        values = {f: _plain(getattr(scheme, f)) if scheme else "" for f in SCHEME_FIELDS}
        if scheme is None:
            values.update({"kind": "front", "position": "salesperson", "rounding": "2"})
        values["deduct_advances"] = scheme.deduct_advances if scheme else True
        tiers = [{f: _plain(getattr(t, f)) for f in TIER_FIELDS}
                 for t in (env.search(SchemeTier, SchemeTier.scheme_id == scheme.id, order_by=[SchemeTier.lower])
                           if scheme else [])]
        tiers += [dict.fromkeys(TIER_FIELDS, "") for _i in range(BLANK_ROWS)]
    return render_template("kpi/scheme_edit.html", scheme=scheme, values=values, tiers=tiers, errors=errors,
                           message=message, positions=list(POSITION.items()),
                           scheme_kinds=[(k, choice_label(SCHEME_KIND, k, current_lang(env))) for k in SCHEME_KIND],
                           **_ctx(env)), status


# ----- satisfaction surveys ----------------------------------------------------------------------

@bp.route("/surveys")
def surveys() -> str:
    """The company's satisfaction surveys, open ones first, with what the user has answered."""
    env = g.env
    me = current_employee(env)
    day = survey_svc.today(env)
    rows = env.search(Survey, order_by=[Survey.period_start.desc()], limit=24)
    answered = {}
    if me is not None and rows:
        from .models import SurveyAnswer

        for a in env.search(SurveyAnswer, SurveyAnswer.rater_id == me.id,
                            SurveyAnswer.survey_id.in_([r.id for r in rows])):
            answered[a.survey_id] = answered.get(a.survey_id, 0) + 1
    open_rows = [r for r in rows if survey_svc.is_open(r, day)]
    closed = [r for r in rows if not survey_svc.is_open(r, day)]
    return render_template("kpi/surveys.html", open_rows=open_rows, closed=closed, answered=answered, me=me,
                           can_manage=env.can(Survey, "create"), **_ctx(env))


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
def survey(survey_id: int) -> Any:
    """Answer a survey: rate each back-office person 1..5, with an optional comment."""
    env = g.env
    row = env.get(Survey, survey_id)
    if row is None:
        abort(404)
    me = current_employee(env)
    people = survey_svc.rateable(env, me.id if me else None)
    errors: dict[str, str] = {}
    message = None
    status = 200
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {k: v for k, v in request.form.items() if k.startswith(("rating_", "comment_"))}
        ratings = {p.id: request.form.get(f"rating_{p.id}") for p in people}
        comments = {p.id: request.form.get(f"comment_{p.id}") for p in people}
        try:
            survey_svc.answer(env, row, ratings, comments)
        except (ValidationError, AccessDenied) as exc:
            env.session.rollback()
            message, status = str(exc), 422
            errors = dict(getattr(exc, "errors", {}) or {})
        else:
            flash(_("Thank you: your ratings are saved."), "success")
            return redirect(url_for("kpi.survey", survey_id=row.id))
    done = survey_svc.my_answers(env, row, me.id if me else None)
    return render_template("kpi/survey.html", survey=row, people=people, done=done, errors=errors, message=message,
                           posted=posted, me=me, is_open=survey_svc.is_open(row, survey_svc.today(env)),
                           **_ctx(env)), status


def menu_items(env: Env) -> list[Any]:
    """My scorecards, the KPIs."""
    return [
        MenuItem("kpi", _l("Performance"), "kpi.index", model=Scorecard, sequence=78),
        MenuItem("kpi_home", _l("Scorecards"), "kpi.index", model=Scorecard, sequence=1, parent="kpi"),
        MenuItem("kpi_definitions", _l("KPIs per position"), "kpi.definitions_page", model=Definition, sequence=2,
                 parent="kpi"),
        MenuItem("kpi_schemes", _l("Incentive schemes"), "kpi.schemes", model=Scheme, sequence=3, parent="kpi",
                 visible=can_edit),
        MenuItem("kpi_surveys", _l("Satisfaction surveys"), "kpi.surveys", model=Survey, sequence=4, parent="kpi"),
    ]


__all__ = ["bp", "menu_items"]
