"""DistributorEvaluation questionnaires (推广效果评估): tokenised public links, answers, the evaluation report.

Each invited contact gets a link ``/brand/q/<id>.<secret>``: only the SHA-256
of the secret is stored, the comparison is constant-time
(:func:`hmac.compare_digest`), the link expires (at the latest when the
questionnaire closes) and takes one answer (the token is marked used and the
answer is unique per token). The public page needs no login: the token is the
credential. It is resolved with the database session directly (there is no
user yet) and the answer is then written through the Env of the user who sent
the invitation, in the invitation's company — that user's rights apply.

The questionnaire is short and bilingual: awareness of the brand, acceptance
of the value proposition, willingness to recommend (1-5 each) and a comment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Contact
from core.db import utcnow
from core.errors import AccessDenied, ValidationError
from core.i18n import N_, _, _l, translate

from ..models import BrandSurvey, BrandSurveyToken, PromotionPlan, SurveyAnswer
from .common import parse_date, parse_int, required_text

if TYPE_CHECKING:
    from core.security.env import Env

QUESTIONS = (
    ("awareness", _l("How well do you know our brand?")),
    ("acceptance", _l("How well does our value proposition meet your needs?")),
    ("recommend", _l("How likely are you to recommend us to a colleague?")),
)
CLASSES = ("A", "B", "C", "D")


class TokenRefused(ValidationError):
    """A questionnaire link that cannot be used: forged, expired, used, or its questionnaire closed."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_survey(env: Env, values: Mapping[str, Any]) -> BrandSurvey:
    """A questionnaire (optionally about a plan) open until ``closes_on``."""
    closes = parse_date(values.get("closes_on"), "closes_on", _("Closes on"))
    plan_id = parse_int(values.get("plan_id"), "plan_id", _("Promotion plan"), 1)
    if plan_id is not None:
        env.get(PromotionPlan, plan_id)
    clean = {"name": required_text(values.get("name"), "name", _("Name")), "plan_id": plan_id,
             "closes_on": closes, "state": "open"}
    with env.session.begin_nested():
        return env.create(BrandSurvey, clean)


def close_survey(env: Env, survey: BrandSurvey) -> BrandSurvey:
    """No more answers."""
    with env.session.begin_nested():
        env.write(survey, {"state": "closed"})
    return survey


def invite(env: Env, survey: BrandSurvey, contact_ids: Iterable[int], days: int = 14,
           now: dt.datetime | None = None) -> list[tuple[BrandSurveyToken, str]]:
    """One invitation per contact: ``(token row, raw token)``; the raw token is shown once, never stored."""
    if survey.state != "open":
        raise ValidationError(_("This questionnaire is closed."))
    ids = [int(c) for c in contact_ids]
    if not ids:
        raise ValidationError(_("Choose at least one contact."))
    contacts = {c.id: c for c in env.search(Contact, Contact.id.in_(ids))}
    missing = [i for i in ids if i not in contacts]
    if missing:
        raise ValidationError(_("Unknown contact: %(ids)s.", ids=", ".join(map(str, missing))))
    now = now or utcnow()
    closes = dt.datetime.combine(survey.closes_on + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    expires = min(now + dt.timedelta(days=days), closes)
    out = []
    with env.session.begin_nested():
        for cid in ids:
            secret = secrets.token_urlsafe(24)
            row = env.create(BrandSurveyToken, {"survey_id": survey.id, "customer_id": contacts[cid].customer_id,
                                           "contact_id": cid, "token_hash": _hash(secret), "expires_at": expires})
            out.append((row, f"{row.id}.{secret}"))
    return out


MAIL_SUBJECT = N_("Questionnaire from %(company)s: %(survey)s")
MAIL_BODY = N_("Dear %(name)s,\n\n%(company)s asks for your opinion of its brand: three questions, one minute. "
               "Your personal link (one answer, valid until %(expires)s):\n%(url)s\n\nThank you!")


def _mail_texts(company: Any, contact: Contact | None, survey: BrandSurvey, url: str, expires: dt.datetime) -> tuple[str, str]:
    """The invitation's subject and body, in Chinese then English (a contact has no language of their own)."""
    subjects, bodies = [], []
    for lang in ("zh_CN", "en"):
        params = {"company": company.display(lang) if company is not None else "", "survey": survey.name,
                  "name": contact.name if contact is not None else "", "url": url, "expires": expires.date().isoformat()}
        subjects.append(translate(MAIL_SUBJECT, lang, **params))
        bodies.append(translate(MAIL_BODY, lang, **params))
    return " / ".join(subjects), "\n\n----------\n\n".join(bodies)


def send_invitations(env: Env, survey: BrandSurvey, links: Iterable[tuple[BrandSurveyToken, str]]) -> dict[str, Any]:
    """E-mail each invited contact their link (kernel mail, after the commit) and tell the sender.

    ``links`` are ``(token row, absolute url)``. Contacts without an e-mail address (or an
    instance without SMTP) are left to the sender, whose notification
    (``brand_campaigns.invitations``, in-app and by e-mail after their preferences) counts both.
    Returns ``{"mailed": [token ids], "not_mailed": [token ids]}``.
    """
    from core.models import Company
    from core.notifications import mail, notify

    company = env.sudo().get(Company, env.company_id)  # the company's own name, for the mail
    mailed, not_mailed = [], []
    for row, url in links:
        contact = row.contact
        subject, body = _mail_texts(company, contact, survey, url, row.expires_at)
        if contact is not None and mail(env, contact.email or "", subject, body, name=contact.name):
            mailed.append(row.id)
        else:
            not_mailed.append(row.id)
    notify(env, [env.user_id], "brand_campaigns.invitations", record=survey, survey=survey.name,
           mailed=len(mailed), not_mailed=len(not_mailed))
    return {"mailed": mailed, "not_mailed": not_mailed}


def resolve(session: Any, raw: str | None, now: dt.datetime | None = None) -> BrandSurveyToken:
    """The invitation of a public link, or :class:`TokenRefused` (forged, expired, used, closed)."""
    invalid = TokenRefused(_("This link is not valid."), "invalid")
    ident, _sep, secret = (raw or "").partition(".")
    if not ident.isdigit() or not secret or len(secret) > 100:
        raise invalid
    # elevated: there is no user on the public page; the token (checked below) is the credential
    row = session.get(BrandSurveyToken, int(ident))  # tixi: session-ok (public page: no user, the token is the check)
    expected = row.token_hash if row is not None else _hash("x")
    if not hmac.compare_digest(_hash(secret), expected) or row is None:
        raise invalid
    now = now or utcnow()
    if row.used_at is not None:
        raise TokenRefused(_("An answer was already given with this link. Thank you!"), "used")
    survey = row.survey
    today = now.date()
    if survey.state != "open" or survey.closes_on < today:
        raise TokenRefused(_("This questionnaire is closed."), "closed")
    if row.expires_at <= now:
        raise TokenRefused(_("This link has expired."), "expired")
    return row


def public_env(registry: Any, session: Any, token: BrandSurveyToken) -> Env:
    """The Env the answer is written with: the sender's, in the invitation's company."""
    from core.security.env import Env

    if token.created_by_id is None:
        raise TokenRefused(_("This link is not valid."), "invalid")
    try:
        return Env(registry, session, token.created_by_id, token.company_id)
    except AccessDenied:
        raise TokenRefused(_("This link is not valid."), "invalid") from None


def customer_class(env: Env, customer_id: int) -> str | None:
    """The customer's class A-D from crm_cards when it is enabled (None otherwise)."""
    if "crm_cards" not in env.enabled:
        return None
    from addons.crm_cards.services.classification import current_class

    try:
        return current_class(env, customer_id)
    except AccessDenied:
        return None


def submit_answer(env: Env, token: BrandSurveyToken, values: Mapping[str, Any], now: dt.datetime | None = None) -> SurveyAnswer:
    """Record the answer of ``token`` (checked again: one answer per token, an open questionnaire)."""
    session = env.session
    now = now or utcnow()
    if token.used_at is not None:
        raise TokenRefused(_("An answer was already given with this link. Thank you!"), "used")
    if token.survey.state != "open" or token.survey.closes_on < now.date():
        raise TokenRefused(_("This questionnaire is closed."), "closed")
    scores = {}
    errors = {}
    for key, question in QUESTIONS:
        try:
            scores[key] = parse_int(values.get(key), key, str(question), 1, 5, required=True)
        except ValidationError as exc:
            errors[key] = str(exc)
    if errors:
        raise ValidationError(_("Please answer every question with a score from 1 to 5."), errors)
    comment = (values.get("comment") or "").strip()[:2000] or None
    with session.begin_nested():
        answer = env.create(SurveyAnswer, {"survey_id": token.survey_id, "token_id": token.id,
                                     "customer_id": token.customer_id,
                                     "customer_class": customer_class(env, token.customer_id),
                                     **scores, "comment": comment, "answered_at": now})
        env.write(token, {"used_at": now})
    return answer


def evaluation_report(env: Env, survey: BrandSurvey) -> dict[str, Any]:
    """Expected against actual effect of the plan, and acceptance by customer class."""
    from .plans import plan_figures

    answers = env.search(SurveyAnswer, SurveyAnswer.survey_id == survey.id, order_by=[SurveyAnswer.answered_at])
    invited = env.search(BrandSurveyToken, BrandSurveyToken.survey_id == survey.id) if env.can(BrandSurveyToken) else []
    classes: dict[str | None, dict[str, Any]] = {}
    for a in answers:
        row = classes.setdefault(a.customer_class, {"answers": 0, "awareness": 0, "acceptance": 0, "recommend": 0})
        row["answers"] += 1
        for key, _q in QUESTIONS:
            row[key] += getattr(a, key)

    def avg(total: int, n: int) -> Decimal | None:
        return (Decimal(total) / n).quantize(Decimal("0.01")) if n else None

    order = [c for c in CLASSES if c in classes] + [c for c in classes if c not in CLASSES]
    by_class = [{"class": c, "answers": classes[c]["answers"],
                 **{k: avg(classes[c][k], classes[c]["answers"]) for k, _q in QUESTIONS}} for c in order]
    n = len(answers)
    overall = {k: avg(sum(getattr(a, k) for a in answers), n) for k, _q in QUESTIONS}
    plan = survey.plan
    figures = plan_figures(env, plan) if plan is not None else None
    comparison = []
    if plan is not None:
        comparison = [
            {"key": "reach", "label": _("Reach"), "expected": plan.expected_reach, "actual": figures["reach"]},
            {"key": "leads", "label": _("Leads"), "expected": plan.expected_leads, "actual": figures["leads"]},
            {"key": "cost", "label": _("Cost"), "expected": plan.budget_amount, "actual": figures["actual_cost"]},
            {"key": "acceptance", "label": _("Acceptance (1-5)"), "expected": plan.expected_score,
             "actual": overall["acceptance"]},
        ]
    return {"survey": survey, "plan": plan, "answers": answers, "count": n, "invited": len(invited),
            "overall": overall, "by_class": by_class, "comparison": comparison,
            "classes_enabled": "crm_cards" in env.enabled}
