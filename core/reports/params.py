"""Report parameters: a WTForms form read from the query string (shareable URLs), checked before any query.

:class:`ReportParams` is a plain :class:`wtforms.Form` (parameters travel in
GET requests, so there is no CSRF token, and the same form validates a
subscription's stored parameters in a job, outside any request). Its messages,
WTForms' own included, go through :mod:`core.i18n` in the reader's language.

Building blocks:

* :class:`PeriodParams`: ``period`` (a preset: this month, last month, this
  year ... or ``custom``) and ``date_from`` / ``date_to``; presets are
  resolved against "today" at run time, so a subscription to "last month"
  always sends the month before the sending day. Checked: dates that parse,
  the end not before the start, and the report's ``max_days``.
* :class:`RecordField`: an optional record of a table (territory,
  salesperson, product): the choices are the records **the user may read**
  (``env.search``), and an id that is unknown or not readable is refused with
  a message, never queried. ``requires`` names an addon (``territories``):
  where it is not enabled the field is removed.
* :class:`ChoiceField` / :class:`MultiChoiceField`: fixed keys (dimensions,
  states) with lazy labels; an unknown key is refused.

A report's form subclasses one of them; ``check(env)`` may add cross-field
errors with :meth:`ReportParams.add_error`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, SelectMultipleField
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.i18n import N_, _, _l, current_lang, gettext, label, ngettext

if TYPE_CHECKING:
    from core.security.env import Env

__all__ = [
    "PERIOD_PRESETS",
    "choice_pairs",
    "select_choices",
    "ChoiceField",
    "MultiChoiceField",
    "PeriodParams",
    "RecordField",
    "ReportParams",
    "resolve_period",
]

# WTForms' own messages, translated through core.i18n (see _Translations)
_WTFORMS_MESSAGES = (
    N_("Not a valid date value."),
    N_("Not a valid choice."),
    N_("Not a valid integer value."),
    N_("'%(value)s' is not a valid choice for this field."),
    N_("'%(value)s' are not valid choices for this field."),
)


class _Translations:
    """WTForms' translations object: its built-in messages through :mod:`core.i18n`."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)


class ReportParams(Form):
    """The parameters of a report (a WTForms form bound to the query string).

    Use :meth:`bind` rather than the constructor: it fills the choices for
    the env's user (``setup``), keeps ``env``, ``report`` and ``today`` on
    the form for the checks, and strips unknown keys.
    """

    class Meta:
        def get_translations(self, form: Any) -> Any:
            return _Translations()

    env: Env
    report: Any
    today: dt.date

    @classmethod
    def bind(cls, env: Env, report: Any, data: Mapping[str, Any] | MultiDict | None, today: dt.date) -> ReportParams:
        """A form of this class for ``env``'s user, bound to ``data`` (query string or stored params)."""
        formdata = _multidict(data)
        form = cls(formdata=formdata if formdata else None)
        form.env, form.report, form.today = env, report, today
        form.submitted = bool(formdata)
        form.setup(env)
        return form

    def setup(self, env: Env) -> None:
        """Fill choices for ``env``'s user (record fields do it themselves); override to add more."""
        for name in list(self._fields):
            f = self._fields[name]
            if isinstance(f, RecordField):
                if f.requires and f.requires not in env.enabled:
                    del self[name]
                else:
                    f.load(env)

    def check(self, env: Env) -> None:
        """Cross-field checks of a report (override; call :meth:`add_error`)."""

    def add_error(self, name: str, message: Any) -> None:
        """Refuse the field ``name`` with ``message`` (a msgid already translated or lazy)."""
        field = self._fields[name]
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(str(message))

    def validate(self, extra_validators: Any = None) -> bool:
        """WTForms' validation, then :meth:`check`; True when nothing was refused."""
        ok = super().validate(extra_validators)
        if ok:
            self.check(self.env)
        return not self.errors

    def values(self) -> dict[str, Any]:
        """The checked values by field name (dates as dates, ids as ints, ``None`` when empty)."""
        return {name: f.data for name, f in self._fields.items()}

    def query_args(self) -> MultiDict:
        """The raw values to put in a URL or to store in a subscription (empty ones left out)."""
        out: MultiDict = MultiDict()
        for name, f in self._fields.items():
            raw = f.raw_data if f.raw_data is not None else None
            if raw is None:
                value = f.data
                if value in (None, "", []):
                    continue
                raw = list(value) if isinstance(value, (list, tuple)) else [value]
            for v in raw:
                if v not in (None, ""):
                    out.add(name, v.isoformat() if isinstance(v, dt.date) else str(v))
        return out

    def error_messages(self) -> list[str]:
        """Every error as ``Label: message`` (for the page's alert and for exceptions)."""
        out = []
        for name, errors in self.errors.items():
            field = self._fields.get(name)
            text = label(field.label.text) if field is not None else name
            out.extend(f"{text}: {e}" for e in errors)
        return out


def _multidict(data: Mapping[str, Any] | MultiDict | None) -> MultiDict:
    if data is None:
        return MultiDict()
    if isinstance(data, MultiDict):
        return data
    out: MultiDict = MultiDict()
    for key, value in data.items():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if v is not None:
                out.add(key, v if isinstance(v, str) else str(v))
    return out


# ----- fields ------------------------------------------------------------------------------------
def select_choices(pairs: Iterable[Any]) -> list[SelectChoice]:
    """WTForms choices from ``(value, label)`` pairs (labels stay lazy: shown in the reader's language)."""
    out = []
    for p in pairs:
        out.append(p if isinstance(p, SelectChoice) else SelectChoice(p[0], p[1]))
    return out


def choice_pairs(choices: Iterable[Any]) -> list[tuple[Any, Any]]:
    """``(value, label)`` of a field's choices (``SelectChoice`` objects or pairs)."""
    return [(c.value, c.label) if isinstance(c, SelectChoice) else (c[0], c[1]) for c in choices or ()]


class ChoiceField(SelectField):
    """One key among fixed choices (``[(key, lazy label), ...]`` or a :class:`~core.i18n.Choices`)."""

    def __init__(self, label: Any = None, choices: Any = (), default: Any = None, **kwargs: Any) -> None:
        pairs = list(choices.items()) if isinstance(choices, Mapping) else list(choices)
        super().__init__(label, choices=select_choices(pairs), default=default, validators=[Optional()], **kwargs)

    def pre_validate(self, form: Any) -> None:
        if self.data in (None, ""):
            return
        if self.data not in {str(k) for k, _v in choice_pairs(self.choices)}:
            raise ValidationError(_("Unknown value: %(value)s.", value=self.data))


class MultiChoiceField(SelectMultipleField):
    """Several keys among fixed choices, shown as check boxes (dimensions of a grouping)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: Any = None, choices: Any = (), default: Any = None, **kwargs: Any) -> None:
        pairs = list(choices.items()) if isinstance(choices, Mapping) else list(choices)
        super().__init__(label, choices=select_choices(pairs), default=default, **kwargs)

    def pre_validate(self, form: Any) -> None:
        known = {str(k) for k, _v in choice_pairs(self.choices)}
        bad = [v for v in self.data or () if v not in known]
        if bad:
            raise ValidationError(_("Unknown value: %(value)s.", value=", ".join(bad)))


class RecordField(SelectField):
    """An optional record of ``model`` (a table name), among those the user may read."""

    def __init__(self, label: Any = None, model: str = "", requires: str | None = None,
                 limit: int = 500, **kwargs: Any) -> None:
        super().__init__(label, choices=[], coerce=_int_or_none, validators=[Optional()], **kwargs)
        self.model = model
        self.requires = requires
        self.limit = limit
        self.env: Env | None = None

    def load(self, env: Env) -> None:
        """The choices: the records of ``model`` the user may read (``env.search``), by name."""
        from core.registry import model_class

        self.env = env
        model = model_class(self.model)
        if model is None or not env.can(model, "read"):
            self.choices = select_choices([("", "")])
            return
        lang = current_lang(env)
        records = env.search(model, limit=self.limit)
        pairs = [(r.id, r.display(lang) if hasattr(r, "display") else str(r)) for r in records]
        pairs.sort(key=lambda p: p[1])
        self.choices = select_choices([("", _("All")), *pairs])

    def pre_validate(self, form: Any) -> None:
        if self.data is None:
            if self.raw_data and self.raw_data[0] not in ("", None):
                raise ValidationError(_("Not a valid record id: %(value)s.", value=self.raw_data[0]))
            return
        if self.data not in {k for k, _v in choice_pairs(self.choices) if k != ""}:
            # beyond the loaded choices: read it through the env (rules apply)
            from core.errors import AccessDenied
            from core.registry import model_class

            model = model_class(self.model)
            try:
                if model is None or self.env is None:
                    raise AccessDenied(self.model)
                self.env.get(model, self.data)
            except AccessDenied:
                raise ValidationError(
                    _("No record #%(id)s, or one you may not read.", id=self.data)) from None


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ----- period ------------------------------------------------------------------------------------
PERIOD_PRESETS: list[tuple[str, Any]] = [
    ("this_month", _l("This month")),
    ("last_month", _l("Last month")),
    ("this_quarter", _l("This quarter")),
    ("this_year", _l("This year")),
    ("last_year", _l("Last year")),
    ("last_30_days", _l("Last 30 days")),
    ("custom", _l("Dates below")),
]


def resolve_period(preset: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """``(first, last)`` day of a preset period relative to ``today``; ``None`` for ``custom``."""
    from core.measures import period_of

    if preset == "this_month":
        return period_of(today, "month")
    if preset == "last_month":
        return period_of(today.replace(day=1) - dt.timedelta(days=1), "month")
    if preset == "this_quarter":
        return period_of(today, "quarter")
    if preset == "this_year":
        return period_of(today, "year")
    if preset == "last_year":
        return period_of(dt.date(today.year - 1, 1, 1), "year")
    if preset == "last_30_days":
        return today - dt.timedelta(days=29), today
    return None


class PeriodParams(ReportParams):
    """A period: a preset (default this year) or two dates; checked against the report's ``max_days``."""

    period = ChoiceField(_l("Period"), choices=PERIOD_PRESETS, default="this_year")
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def check(self, env: Env) -> None:
        """Resolve the preset; refuse an end before the start and a period longer than allowed."""
        super().check(env)
        preset = self.period.data or "this_year"
        bounds = resolve_period(preset, self.today)
        if bounds is None:
            if self.date_from.data is None:
                self.add_error("date_from", _("Give the first day of the period."))
            if self.date_to.data is None:
                self.add_error("date_to", _("Give the last day of the period."))
            if self.errors:
                return
            bounds = (self.date_from.data, self.date_to.data)
        start, end = bounds
        if end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
            return
        limit = getattr(self.report, "max_days", None)
        if limit is not None and (end - start).days + 1 > limit:
            self.add_error("date_to", _("The period is longer than %(days)s days.", days=limit))
            return
        self.date_from.data, self.date_to.data = start, end

    def values(self) -> dict[str, Any]:
        """The values, with ``date_from``/``date_to`` resolved from the preset."""
        out = super().values()
        out["period"] = self.period.data or "this_year"
        return out

    def query_args(self) -> MultiDict:
        """A preset period keeps only its name (so a shared link stays "this month"); dates for ``custom``."""
        out = super().query_args()
        if (self.period.data or "this_year") != "custom":
            out.poplist("date_from")
            out.poplist("date_to")
        return out


def record_choices(records: Iterable[Any], lang: str) -> list[tuple[int, str]]:
    """``[(id, display name)]`` of records, for a field filled by hand in ``setup``."""
    return [(r.id, r.display(lang) if hasattr(r, "display") else str(r)) for r in records]
