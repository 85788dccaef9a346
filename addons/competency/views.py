"""Pages of the competency addon (blueprint ``competency``, under ``/competency``).

* ``/competency/``: the user's start page (what waits, the people they may rate);
* ``/competency/assess/<employee>``: the phone-first assessment form (every competency, its level texts);
* ``/competency/person/<employee>``: radar chart against a position profile, gap table, readiness;
* ``/competency/team``: heat map of the gaps of the user's reports;
* ``/competency/standards/<position>.pdf``: the recruitment standard as an interview sheet;
* ``/competency/candidate``: a candidate against a position profile (not stored);
* ``/competency/model``: the model and the position matrix; generic lists of
  assessments, position requirements (editable by HR) and level texts.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from addons.masterdata.models import POSITION, Employee
from addons.masterdata.services import current_employee
from core.errors import AccessDenied, ValidationError
from core.i18n import _, _l, current_lang
from core.web.generic import Filter, ModelView
from core.web.menus import MenuItem

from . import services as svc
from .charts import heatmap_chart, radar_chart
from .models import (
    KIND,
    MODEL_POSITIONS,
    STATE,
    Assessment,
    Competency,
    CompetencyLevel,
    Requirement,
)
from .todos import current_period

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("competency", __name__, url_prefix="/competency", template_folder="templates")


def _choices(c: Any) -> list[tuple[str, Any]]:
    return list(c.items())


assessment_view = ModelView(
    name="competency.assessment",
    model=Assessment,
    label=_l("Competency assessment"), label_plural=_l("Competency assessments"),
    list_columns=["employee_id", "period", "kind", "state", "rater_id", "assessed_on"],
    filters=[Filter("period", _l("Period")), Filter("kind", _l("Kind")), Filter("state", _l("State"))],
    detail_fields=["employee_id", "period", "kind", "state", "rater_id", "assessed_on", "position", "comment",
                   "calibrated_at", "calibrated_by_id"],
    field_labels={"employee_id": _l("Employee"), "period": _l("Period"), "kind": _l("Kind"), "state": _l("State"),
                  "rater_id": _l("Rater"), "assessed_on": _l("Assessed on"), "position": _l("Position"),
                  "comment": _l("Comment"), "calibrated_at": _l("Calibrated at"),
                  "calibrated_by_id": _l("Calibrated by")},
    choices={"kind": _choices(KIND), "state": _choices(STATE), "position": _choices(POSITION)},
    order_by=["-id"],
    url_prefix="/assessments",
    can_create=False, can_edit=False,
)
assessment_view.register(bp)

requirement_view = ModelView(
    name="competency.requirement",
    model=Requirement,
    label=_l("Position requirement"), label_plural=_l("Position requirements"),
    list_columns=["position", "competency_id", "level"],
    filters=[Filter("position", _l("Position"))],
    form_fields=["level"],
    field_labels={"position": _l("Position"), "competency_id": _l("Competency"), "level": _l("Required level")},
    choices={"position": _choices(POSITION)},
    order_by=["position", "competency_id"],
    url_prefix="/requirements",
    can_create=False,
)
requirement_view.register(bp)

competency_view = ModelView(
    name="competency.competency",
    model=Competency,
    label=_l("Competency"), label_plural=_l("Competency names"),
    list_columns=["code", "group_id", "name_zh", "name_en"],
    search_fields=["name_zh", "name_en"],
    form_fields=["name_zh", "name_en"],
    detail_fields=["code", "group_id", "name_zh", "name_en"],
    field_labels={"code": _l("Code"), "group_id": _l("Competency group"), "name_zh": _l("Name (Chinese)"),
                  "name_en": _l("Name (English)"), "sequence": _l("Sequence")},
    order_by=["sequence", "code"],
    url_prefix="/competencies",
    can_create=False, can_delete=False,
)
competency_view.register(bp)

level_view = ModelView(
    name="competency.level",
    model=CompetencyLevel,
    label=_l("Competency level"), label_plural=_l("Level texts"),
    list_columns=["competency_id", "level", "text_zh", "text_en"],
    search_fields=["text_zh", "text_en"],
    form_fields=["text_zh", "text_en"],
    field_labels={"competency_id": _l("Competency"), "level": _l("Level"), "text_zh": _l("Text (Chinese)"),
                  "text_en": _l("Text (English)")},
    order_by=["competency_id", "level"],
    url_prefix="/levels",
    can_create=False,
)
level_view.register(bp)


def _period_arg(env: Env) -> str:
    raw = request.values.get("period")
    if not raw:
        return current_period(env)
    try:
        return svc.check_period(raw)
    except ValidationError as exc:
        flash(str(exc), "danger")
        return current_period(env)


@bp.route("/")
def index() -> str:
    """The start page: what waits for the user this period and the people they may rate."""
    env = g.env
    period = _period_arg(env)
    me = current_employee(env)
    return render_template(
        "competency/index.html", period=period, me=me, pending=svc.pending_for_user(env, period),
        reach=svc.assessable_employees(env), kind_label=KIND.label, position_label=POSITION.label,
        recent=env.search(Assessment, order_by=[Assessment.id.desc()], limit=10),
    )


@bp.route("/assess/<int:employee_id>", methods=["GET", "POST"])
def assess(employee_id: int) -> Any:
    """The phone-first assessment form: a level and a comment for every competency."""
    env = g.env
    kind = request.values.get("kind", "manager")
    if kind not in KIND:
        abort(404)
    me = current_employee(env)
    # sudo: the reach check below decides; the page only names the person
    employee = env.sudo().get(Employee, employee_id)
    if me is None or not svc.rater_reach(env, me, employee, kind):
        raise AccessDenied(_("%(name)s is outside your reach for a %(kind)s.",
                             name=employee.display(), kind=KIND.label(kind)))
    comps = svc.competencies(env)
    levels: dict[int, list[CompetencyLevel]] = {}
    for lv in env.search(CompetencyLevel, order_by=[CompetencyLevel.level]):
        levels.setdefault(lv.competency_id, []).append(lv)
    required = svc.requirement_levels(env, employee.position)
    period = _period_arg(env)
    error = None
    values: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        ratings = {}
        for c in comps:
            values[f"level_{c.id}"] = request.form.get(f"level_{c.id}", "")
            values[f"comment_{c.id}"] = request.form.get(f"comment_{c.id}", "")
            if values[f"level_{c.id}"] != "" or values[f"comment_{c.id}"]:
                ratings[c.id] = {"level": values[f"level_{c.id}"], "comment": values[f"comment_{c.id}"]}
        try:
            a = svc.submit_assessment(env, employee.id, request.form.get("period"), kind, ratings,
                                      comment=request.form.get("comment"))
        except ValidationError as exc:
            error, status = str(exc), 422
        else:
            flash(_("Assessment of %(name)s saved.", name=employee.display()), "success")
            return redirect(url_for("competency.person", employee_id=employee.id, period=a.period))
    return render_template(
        "competency/assess.html", employee=employee, kind=kind, kind_label=KIND.label(kind), comps=comps,
        levels=levels, required=required, period=request.form.get("period", period), error=error, values=values,
        position_label=POSITION.label(employee.position),
    ), status


@bp.route("/person/<int:employee_id>")
def person(employee_id: int) -> str:
    """One person against a position profile: radar chart, gaps, readiness for another position."""
    env = g.env
    employee = env.get(Employee, employee_id)
    position = request.args.get("position") or employee.position
    if position not in POSITION:
        abort(404)
    period = request.args.get("period") or svc.latest_period(env, employee.id) or current_period(env)
    try:
        period = svc.check_period(period)
    except ValidationError:
        abort(404)
    profile = svc.person_profile(env, employee.id, period, position)
    lang = current_lang(env)
    can_calibrate = bool(
        profile["manager_assessment"] and profile["manager_assessment"].state != "final"
        and env.in_group(*svc.assessments.CALIBRATORS) and env.allowed(profile["manager_assessment"], "write")
        and (current_employee(env) is None or current_employee(env).id != profile["manager_assessment"].rater_id))
    return render_template(
        "competency/person.html", p=profile, employee=employee, period=period, position=position,
        positions=[(k, POSITION.label(k)) for k in MODEL_POSITIONS], position_label=POSITION.label,
        chart_json=json.dumps(radar_chart(profile, POSITION.label(position), lang), ensure_ascii=False),
        can_calibrate=can_calibrate,
    )


@bp.route("/calibrate/<int:assessment_id>", methods=["POST"])
def calibrate(assessment_id: int) -> Any:
    """Calibrate a manager's assessment (HR / director): adjusted levels, then final."""
    env = g.env
    a = env.get(Assessment, assessment_id)
    adjustments = {r.competency_id: request.form[f"level_{r.competency_id}"]
                   for r in a.ratings if request.form.get(f"level_{r.competency_id}")}
    try:
        svc.calibrate(env, a.id, adjustments, comment=request.form.get("comment"))
    except ValidationError as exc:
        g.tx_failed = True
        flash(str(exc), "danger")
    else:
        flash(_("Assessment calibrated: the manager's rating is final."), "success")
    return redirect(url_for("competency.person", employee_id=a.employee_id, period=a.period))


@bp.route("/team")
def team() -> str:
    """Heat map of the gaps of the people the user reaches (their reports; HR: everyone)."""
    env = g.env
    period = _period_arg(env)
    people = env.search(Employee, Employee.active.is_(True), Employee.position.in_(MODEL_POSITIONS),
                        order_by=[Employee.name_zh])
    heat = svc.team_heatmap(env, period, people)
    lang = current_lang(env)
    by_territory = svc.gaps.territory_gaps(env, period) if "territories" in env.enabled else None
    return render_template("competency/team.html", period=period, heat=heat, position_label=POSITION.label,
                           chart_json=json.dumps(heatmap_chart(heat, lang), ensure_ascii=False),
                           by_territory=by_territory)


@bp.route("/model")
def model_page() -> str:
    """The competency model: groups, competencies, level texts and the position matrix."""
    env = g.env
    comps = svc.competencies(env)
    levels: dict[int, list[CompetencyLevel]] = {}
    for lv in env.search(CompetencyLevel, order_by=[CompetencyLevel.level]):
        levels.setdefault(lv.competency_id, []).append(lv)
    return render_template("competency/model.html", comps=comps, levels=levels, matrix=svc.position_matrix(env),
                           positions=[(k, POSITION.label(k)) for k in MODEL_POSITIONS],
                           can_edit=env.can(Requirement, "write"), can_edit_names=env.can(Competency, "write"),
                           can_edit_levels=env.can(CompetencyLevel, "write"))


def menu_items(env: Env) -> list[Any]:
    """The addon's menu: start page, team heat map, model, assessments, matrix, level texts."""
    return [
        MenuItem("competency", _l("Competencies"), "competency.index", model=Competency, sequence=70),
        MenuItem("competency_home", _l("My assessments"), "competency.index", model=Competency, sequence=1,
                 parent="competency"),
        MenuItem("competency_team", _l("Team gaps"), "competency.team", model=Assessment, sequence=2,
                 parent="competency"),
        MenuItem("competency_model", _l("Competency model"), "competency.model_page", model=Competency,
                 sequence=3, parent="competency"),
        MenuItem("competency_assessments", _l("Competency assessments"), "competency.assessment_list",
                 model=Assessment, sequence=4, parent="competency"),
        MenuItem("competency_requirements", _l("Position requirements"), "competency.requirement_list",
                 model=Requirement, sequence=5, parent="competency"),
        MenuItem("competency_levels", _l("Level texts"), "competency.level_list", model=CompetencyLevel,
                 sequence=6, parent="competency"),
        MenuItem("competency_names", _l("Competency names"), "competency.competency_list", model=Competency,
                 perm="write", sequence=6, parent="competency"),
        MenuItem("competency_candidate", _l("Candidate assessment"), "competency.candidate", model=Requirement,
                 sequence=7, parent="competency",
                 group=["core.group_marketing_admin", "core.group_director", "core.group_territory_manager"]),
    ]


# ----- recruitment standards: interview sheet (PDF) and candidate assessment -------------------
def _standard_context(env: Env, position: str) -> tuple[Requirement, dict[str, Any]]:
    if position not in MODEL_POSITIONS:
        abort(404)
    first = env.search(Requirement, Requirement.position == position, limit=1)
    if not first:
        abort(404)
    levels: dict[int, list[CompetencyLevel]] = {}
    for lv in env.search(CompetencyLevel, order_by=[CompetencyLevel.level]):
        levels.setdefault(lv.competency_id, []).append(lv)
    return first[0], {"comps": svc.competencies(env), "levels": levels, "position_label": POSITION.label(position),
                      "required": svc.requirement_levels(env, position)}


@bp.route("/standards/<position>/print")
def standard_print(position: str) -> str:
    """The recruitment standard of a position as an interview sheet (print view)."""
    from core.pdf import render_html

    record, ctx = _standard_context(g.env, position)
    return render_html(g.env, "competency/print_standard.html", record, screen=True,
                       pdf_url=url_for("competency.standard_pdf", position=position), **ctx)


@bp.route("/standards/<position>.pdf")
def standard_pdf(position: str) -> Any:
    """The interview sheet of a position as a PDF (A4, letterhead, the level texts)."""
    from core.pdf import pdf_response, render_pdf

    record, ctx = _standard_context(g.env, position)
    data = render_pdf(g.env, "competency/print_standard.html", record, **ctx)
    return pdf_response(data, f"{ctx['position_label']}.pdf")


@bp.route("/candidate", methods=["GET", "POST"])
def candidate() -> Any:
    """A candidate against a position profile (not stored): the interviewer's levels and the gaps."""
    env = g.env
    position = request.values.get("position") or "salesperson"
    if position not in MODEL_POSITIONS:
        abort(404)
    required = svc.requirement_levels(env, position)
    rows, error, status = [], None, 200
    for c in svc.competencies(env):
        raw = request.form.get(f"level_{c.id}", "")
        level = None
        if raw:
            try:
                level = svc.model.parse_level(raw)
            except ValidationError as exc:
                error, status = f"{c.display()}: {exc}", 422
        rows.append({"competency": c, "code": c.code, "required": required.get(c.id), "level": level,
                     "gap": svc.gaps.gap(required.get(c.id), level)})
    gaps = [r["gap"] for r in rows if r["gap"] is not None]
    return render_template("competency/candidate.html", rows=rows, position=position, error=error,
                           positions=[(k, POSITION.label(k)) for k in MODEL_POSITIONS],
                           candidate=request.form.get("candidate", ""),
                           total=sum(gaps) if gaps else None), status
