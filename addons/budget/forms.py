"""WTForms (Flask-WTF, with CSRF) of the budget pages: a new budget, a draft budget's lines.

The fields only carry what was typed; the checks are the services' (``services.budgets``),
whose :class:`~core.errors.ValidationError` names the field each message belongs to, in
the user's language (``attach_errors`` puts it under the field). Select fields do not
validate their choices themselves (WTForms' own message is English): the services check
that a territory or an employee is one the user may read.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from core.i18n import _l
from core.web.generic.forms import select_choices
from core.web.generic.labels import fk_choices

from .models import OWNER_KIND

if TYPE_CHECKING:
    from core.security.env import Env

    from .models import Budget, Category


class BudgetForm(FlaskForm):
    """A new annual budget: year, owner, name, the person answerable, basis and note."""

    year = StringField(_l("Year"), render_kw={"inputmode": "numeric"})
    owner_kind = SelectField(_l("Owned by"), validate_choice=False)
    territory_id = SelectField(_l("Territory"), validate_choice=False)
    department = StringField(_l("Department"))
    campaign_code = StringField(_l("Campaign code"))
    project_id = SelectField(_l("Customer-development project"), validate_choice=False)
    name = StringField(_l("Name"))
    owner_id = SelectField(_l("Person answerable"), validate_choice=False)
    basis = StringField(_l("Basis"))
    note = TextAreaField(_l("Note"))


class HeaderForm(FlaskForm):
    """What may change on a draft budget besides its lines."""

    name = StringField(_l("Name"))
    owner_id = SelectField(_l("Person answerable"), validate_choice=False)
    basis = StringField(_l("Basis"))
    note = TextAreaField(_l("Note"))


def _people(env: Env) -> list[Any]:
    from addons.masterdata.models import Employee

    return select_choices([("", "—"), *fk_choices(env, Employee)])


def budget_form(env: Env, posted: bool) -> BudgetForm:
    """The new-budget form with this user's choices (territories and employees they may read)."""
    from addons.territories.models import Territory

    form = BudgetForm() if posted else BudgetForm(formdata=None, data={"year": str(dt.date.today().year + 1)})
    form.owner_kind.choices = select_choices([(k, OWNER_KIND.label(k)) for k in OWNER_KIND])
    form.territory_id.choices = select_choices([("", "—"), *fk_choices(env, Territory)])
    form.owner_id.choices = _people(env)
    from .services.budgets import project_choices

    form.project_id.choices = select_choices([("", "—"), *project_choices(env)])
    return form


def header_form(env: Env, budget: Budget, posted: bool) -> HeaderForm:
    """The draft budget's name, person answerable, basis and note."""
    data = {"name": budget.name, "owner_id": str(budget.owner_id or ""), "basis": budget.basis or "",
            "note": budget.note or ""}
    form = HeaderForm(prefix="h") if posted else HeaderForm(prefix="h", formdata=None, data=data)
    form.owner_id.choices = _people(env)
    return form


def lines_form(env: Env, cats: list[Category], amounts: dict[int, Any], posted: bool) -> FlaskForm:
    """One amount field per expense category (``amount_<category id>``), filled with the line's amount."""
    attrs = {f"amount_{c.id}": StringField(c.display(), render_kw={"inputmode": "decimal", "data-category": c.code})
             for c in cats}
    attrs["percent"] = StringField(_l("Share of the sales target (%)"), render_kw={"inputmode": "decimal"})
    cls = type("BudgetLinesForm", (FlaskForm,), attrs)
    if posted:
        return cls(prefix="l")
    return cls(prefix="l", formdata=None, data={f"amount_{c.id}": _plain(amounts.get(c.id)) for c in cats})


def _plain(value: Any) -> str:
    return "" if value in (None, "") else f"{value:.2f}" if hasattr(value, "quantize") else str(value)
