"""Expense requests, claims and supplementary budget requests.

* A **claim** is drafted against a line of an approved budget (a category of the
  owner's budget); the form shows the line's remaining amount while drafting
  (:func:`preview`). At submit the line is locked and the claim must fit in what
  remains (plus its own approved expense request, if it uses one); otherwise it is
  refused: over-budget spend is not reimbursed.
* A **supplementary budget request** adds exactly its amount to its line once
  approved, by somebody whose band (:class:`..models.Band`) covers the amount.
* An **expense request** reserves its amount on the line at approval (not at
  submit); the claim that uses it releases the reservation and spends instead.

Nobody approves their own request or claim (kernel ``not_by_requester`` and the
employee check here). Every check runs before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from core.errors import AccessDenied, ValidationError
from core.i18n import _, current_lang
from core.security import approvals

from ..models import Band, Budget, Category, Claim, ClosedMonth, ExpenseRequest, Line, Supplement
from ..workflows import CLAIM_WORKFLOW, REQUEST_WORKFLOW, SUPPLEMENT_WORKFLOW
from . import lines as L

if TYPE_CHECKING:
    from core.security.env import Env

CENT = Decimal("0.01")
RECEIPT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf")


# ----- input -----------------------------------------------------------------------------------
def parse_amount(value: Any, field: str = "amount") -> Decimal:
    """A positive amount rounded half up to the cent (``1,200.005`` -> ``1200.01``)."""
    text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Enter the amount as a number, e.g. 1200.50."),
                              {field: _("Enter the amount as a number, e.g. 1200.50.")}) from None
    if not amount.is_finite():
        raise ValidationError(_("Enter the amount as a number, e.g. 1200.50."),
                              {field: _("Enter the amount as a number, e.g. 1200.50.")})
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount <= 0:
        raise ValidationError(_("The amount must be greater than zero."),
                              {field: _("The amount must be greater than zero.")})
    return amount


def parse_date(value: Any, field: str = "expense_date") -> dt.date:
    """A date (``2026-03-15``)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError(_("Enter the date as YYYY-MM-DD, e.g. 2026-03-15."), {field: _("Enter the date as YYYY-MM-DD, e.g. 2026-03-15.")}) from None


def is_closed(env: Env, day: dt.date) -> bool:
    """Whether finance has closed the month of ``day``."""
    # the closing is the company's, whoever files the claim
    return env.sudo().count(ClosedMonth, ClosedMonth.month == day.replace(day=1), ClosedMonth.active.is_(True)) > 0


def find_line(env: Env, budget_id: Any, category: Any) -> Line:
    """The line of ``category`` (id or code) in the budget, or a clear refusal."""
    try:
        budget = env.get(Budget, int(budget_id))
    except (TypeError, ValueError):
        raise ValidationError(_("Choose a budget."), {"budget_id": _("Choose a budget.")}) from None
    cat = None
    if category not in (None, ""):
        key = Category.id == int(category) if str(category).isdigit() else Category.code == str(category)
        found = env.search(Category, key, limit=1)
        cat = found[0] if found else None
    if cat is None:
        raise ValidationError(_("Choose an expense category."), {"category_id": _("Choose an expense category.")})
    found = env.search(Line, Line.budget_id == budget.id, Line.category_id == cat.id, limit=1)
    if not found:
        msg = _("The budget %(budget)s has no line for %(category)s: choose a category of the budget.",
                budget=budget.display(), category=cat.display(current_lang(env)))
        raise ValidationError(msg, {"category_id": msg})
    return found[0]


def check_receipts(files: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Receipts must be images or PDFs (read from the content): refuse anything else before writing."""
    from core.attachments import detect_type

    out = []
    for name, data in files:
        if not data:
            continue
        if detect_type(data) not in RECEIPT_TYPES:
            msg = _("%(name)s is not an image or a PDF: attach a photo or a PDF of the receipt.", name=name)
            raise ValidationError(msg, {"receipts": msg})
        out.append((name, data))
    return out


def _employee(env: Env) -> Any:
    from addons.masterdata.services import current_employee

    emp = current_employee(env)
    if emp is None:
        raise ValidationError(_("Your user has no employee record: ask the administrator to link one."))
    return emp


def _check_spendable(env: Env, line: Line, day: dt.date) -> None:
    if line.budget.state != "approved":
        raise ValidationError(_("The budget %(budget)s is not approved yet: nothing can be spent against it.",
                                budget=line.budget.display()))
    if day.year != line.budget.year:
        msg = _("The date %(date)s lies outside the budget year %(year)s.", date=day.isoformat(),
                year=line.budget.year)
        raise ValidationError(msg, {"expense_date": msg})
    if is_closed(env, day):
        month = f"{day.year:04d}-{day.month:02d}"
        msg = _("%(month)s is closed: no claim can be dated in it any more.", month=month)
        raise ValidationError(msg, {"expense_date": msg})


def over_budget_message(env: Env, line: Line, amount: Decimal, available: Decimal) -> str:
    """The refusal of a claim or request over what remains."""
    return _("Over budget: %(line)s has %(remaining)s left and this is %(amount)s. Ask for a supplementary "
             "budget first; over-budget spend is not reimbursed.",
             line=line.category.display(current_lang(env)), remaining=L.money(available), amount=L.money(amount))


# ----- claims ----------------------------------------------------------------------------------
def preview(env: Env, line: Line, amount: Any = None, request: ExpenseRequest | None = None) -> dict[str, Any]:
    """What the form shows while drafting: the line's figures and whether ``amount`` fits."""
    f = L.figures(env, line)
    available = f.remaining + (request.amount if request is not None and request.state == "approved" else 0)
    out: dict[str, Any] = {"budget": f.budget, "committed": f.committed, "spent": f.spent,
                           "remaining": f.remaining, "available": available, "fits": None}
    if amount not in (None, ""):
        try:
            out["fits"] = parse_amount(amount) <= available
        except ValidationError:
            out["fits"] = None
    return out


def create_claim(env: Env, values: Mapping[str, Any], receipts: Iterable[tuple[str, bytes]] = (),
                 submit: bool = False) -> Claim:
    """Draft a claim (and attach its receipts); with ``submit`` submit it at once.

    ``values``: ``budget_id``, ``category`` (id or code) or ``line_id``, ``amount``,
    ``expense_date``, ``description``, optional ``request_id``. Everything is checked
    first; a refusal writes nothing (the caller's transaction is rolled back by the page,
    and the savepoint here keeps a failing submit from leaving a draft behind).
    """
    if values.get("line_id"):
        line = env.get(Line, int(values["line_id"]))
    else:
        line = find_line(env, values.get("budget_id"), values.get("category"))
    amount = parse_amount(values.get("amount"))
    day = parse_date(values.get("expense_date"))
    description = str(values.get("description") or "").strip()
    if not description:
        raise ValidationError(_("Say what the expense was for."), {"description": _("Say what the expense was for.")})
    _check_spendable(env, line, day)
    files = check_receipts(receipts)
    request_id = values.get("request_id") or None
    if request_id:
        req = env.get(ExpenseRequest, int(request_id))
        if req.line_id != line.id or req.state != "approved":
            raise ValidationError(_("The expense request must be approved and for the same budget line."))
    emp = _employee(env)
    if submit:
        L.lock(env, line.id)  # queue behind other spenders of the line before writing anything
    with env.session.begin_nested():
        claim = env.create(Claim, {"line_id": line.id, "employee_id": emp.id, "amount": amount,
                                   "expense_date": day, "description": description[:500],
                                   "request_id": int(request_id) if request_id else None})
        for name, data in files:
            env.attach(claim, data, filename=name)
        if submit:
            submit_claim(env, claim)
    return claim


def submit_claim(env: Env, claim: Claim) -> Claim:
    """Submit a draft claim: lock its line, refuse it if it is over what remains, else consume."""
    line = claim.line
    _check_spendable(env, line, claim.expense_date)
    f = L.lock(env, line.id)
    available = f.remaining
    req = env.sudo().get(ExpenseRequest, claim.request_id) if claim.request_id else None
    if req is not None:
        if req.state != "approved" or req.line_id != line.id:
            raise ValidationError(_("The expense request must be approved and for the same budget line."))
        available += req.amount
    if claim.amount > available:
        raise ValidationError(over_budget_message(env, line, claim.amount, available),
                              {"amount": over_budget_message(env, line, claim.amount, available)})
    approvals.fire(env, CLAIM_WORKFLOW, claim, "submit", amount=claim.amount)
    if req is not None:
        approvals.fire(env, REQUEST_WORKFLOW, req, "use")
    return claim


def _not_own(env: Env, record: Any) -> None:
    from addons.masterdata.services import current_employee

    emp = current_employee(env)
    if emp is not None and emp.id == record.employee_id:
        raise AccessDenied(_("You cannot approve your own request."))


def decide_claim(env: Env, claim: Claim, transition: str, comment: str | None = None) -> Claim:
    """Approve or reject a submitted claim (rejecting gives its amount back to the line)."""
    if transition not in ("approve", "reject"):
        raise ValidationError(_("Unknown action."))
    _not_own(env, claim)
    approvals.fire(env, CLAIM_WORKFLOW, claim, transition, comment=comment)
    return claim


def pay_claim(env: Env, claim: Claim, on: dt.date | None = None, deduct_advances: bool = True) -> Claim:
    """Finance pays an approved claim, deducting the claimant's open advances from it first."""
    from .advances import deduct

    on = on or dt.date.today()
    _not_own(env, claim)
    deducted = deduct(env, claim.employee_id, claim.amount, on, claim=claim) if deduct_advances else Decimal(0)
    approvals.fire(env, CLAIM_WORKFLOW, claim, "pay")
    # finance's write of the payment fields (the state moved through the workflow above)
    env.write(claim, {"advance_deducted": deducted, "paid_on": on})
    return claim


# ----- expense requests (commitments) ----------------------------------------------------------
def create_request(env: Env, values: Mapping[str, Any], submit: bool = True) -> ExpenseRequest:
    """An expense request on a line (submitted at once by default)."""
    line = env.get(Line, int(values["line_id"])) if values.get("line_id") else find_line(
        env, values.get("budget_id"), values.get("category"))
    amount = parse_amount(values.get("amount"))
    day = parse_date(values.get("needed_on"), "needed_on")
    purpose = str(values.get("purpose") or "").strip()
    if not purpose:
        raise ValidationError(_("Say what the expense is for."), {"purpose": _("Say what the expense is for.")})
    _check_spendable(env, line, day)
    emp = _employee(env)
    with env.session.begin_nested():
        req = env.create(ExpenseRequest, {"line_id": line.id, "employee_id": emp.id, "amount": amount,
                                          "needed_on": day, "purpose": purpose[:500]})
        if submit:
            approvals.fire(env, REQUEST_WORKFLOW, req, "submit", amount=amount)
    return req


def decide_request(env: Env, req: ExpenseRequest, transition: str, comment: str | None = None) -> ExpenseRequest:
    """Approve (reserving its amount, under the line lock) or reject an expense request."""
    if transition not in ("approve", "reject"):
        raise ValidationError(_("Unknown action."))
    _not_own(env, req)
    if transition == "approve":
        f = L.lock(env, req.line_id)
        if req.amount > f.remaining:
            raise ValidationError(over_budget_message(env, req.line, req.amount, f.remaining))
    approvals.fire(env, REQUEST_WORKFLOW, req, transition, comment=comment)
    return req


# ----- supplementary budgets and bands ---------------------------------------------------------
def bands(env: Env) -> list[Band]:
    """The company's approval bands, lowest first."""
    # the bands are the company's rules, read for whoever approves
    return env.sudo().search(Band, Band.active.is_(True), order_by=[Band.sequence, Band.id])


def authority(env: Env) -> tuple[bool, Decimal | None]:
    """(may approve supplements at all, largest amount or ``None`` for any) of the env's user."""
    best: Decimal | None = None
    allowed = False
    for band in bands(env):
        if env.in_group(band.group):
            allowed = True
            if band.limit is None:
                return True, None
            best = band.limit if best is None else max(best, band.limit)
    return allowed, best


def create_supplement(env: Env, values: Mapping[str, Any], submit: bool = True) -> Supplement:
    """A supplementary budget request on a line (submitted at once by default)."""
    line = env.get(Line, int(values["line_id"])) if values.get("line_id") else find_line(
        env, values.get("budget_id"), values.get("category"))
    amount = parse_amount(values.get("amount"))
    reason = str(values.get("reason") or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the supplementary budget."),
                              {"reason": _("Give the reason for the supplementary budget.")})
    if line.budget.state != "approved":
        raise ValidationError(_("The budget %(budget)s is not approved yet: nothing can be spent against it.",
                                budget=line.budget.display()))
    emp = _employee(env)
    with env.session.begin_nested():
        sup = env.create(Supplement, {"line_id": line.id, "employee_id": emp.id, "amount": amount,
                                      "reason": reason[:500]})
        if submit:
            approvals.fire(env, SUPPLEMENT_WORKFLOW, sup, "submit", amount=amount)
    return sup


def decide_supplement(env: Env, sup: Supplement, transition: str, comment: str | None = None,
                      on: dt.date | None = None) -> Supplement:
    """Approve or reject a supplementary budget request; approving needs a band covering its amount."""
    if transition not in ("approve", "reject"):
        raise ValidationError(_("Unknown action."))
    _not_own(env, sup)
    allowed, limit = authority(env)
    if not allowed:
        raise AccessDenied(_("You may not approve supplementary budgets."))
    if transition == "approve" and limit is not None and sup.amount > limit:
        raise AccessDenied(_("The amount %(amount)s exceeds your approval band (%(limit)s): a higher approver "
                             "must approve it.", amount=L.money(sup.amount), limit=L.money(limit)))
    if transition == "approve":
        L.lock(env, sup.line_id)
    approvals.fire(env, SUPPLEMENT_WORKFLOW, sup, transition, comment=comment)
    sup_values = {"decided_on": on or dt.date.today()}
    # the decision date is the approver's record of the decision (they may not write the requester's row)
    env.sudo().execute(_update(Supplement, sup.id, sup_values))
    sup.decided_on = sup_values["decided_on"]
    return sup


def _update(model: Any, res_id: int, values: Mapping[str, Any]) -> Any:
    from sqlalchemy import update

    return update(model).where(model.id == res_id).values(**values)


def pending(env: Env) -> dict[str, list[Any]]:
    """Submitted supplements, requests and claims the user may decide now (for the to-dos and the page)."""
    out: dict[str, list[Any]] = {}
    for key, model, wf in (("supplements", Supplement, SUPPLEMENT_WORKFLOW),
                           ("requests", ExpenseRequest, REQUEST_WORKFLOW), ("claims", Claim, CLAIM_WORKFLOW)):
        if not env.can(model, "read"):
            out[key] = []
            continue
        rows = env.search(model, model.state == "submitted", order_by=[model.id], limit=200)
        out[key] = [r for r in rows if any(t.name == "approve" for t in approvals.available(env, wf, r))]
    if out.get("supplements"):
        allowed, limit = authority(env)
        out["supplements"] = [s for s in out["supplements"] if allowed and (limit is None or s.amount <= limit)]
    return out
