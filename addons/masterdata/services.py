"""Service functions of the masterdata addon: look-ups, validated create/update.

Validation happens before anything is written; errors come back as a
:class:`core.errors.ValidationError` whose ``errors`` maps each field to a
message in the user's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select

from addons.masterdata.models import (
    CONTACT_ROLE,
    CUSTOMER_SIZE,
    CUSTOMER_STATUS,
    SETTLEMENT_METHOD,
    Contact,
    Customer,
    Employee,
    Product,
    ProductLine,
)
from addons.masterdata.validation import (
    check_credit_code,
    check_email,
    normalise_credit_code,
    parse_choice,
    parse_money,
)
from core.errors import ValidationError
from core.i18n import N_, current_lang, translate

if TYPE_CHECKING:
    from core.security.env import Env

CUSTOMER_CHOICES = {
    "status": CUSTOMER_STATUS,
    "size": CUSTOMER_SIZE,
    "settlement_method": SETTLEMENT_METHOD,
}
TEXT_LIMITS = {
    "code": 32,
    "name_zh": 200,
    "name_en": 200,
    "industry": 100,
    "province": 32,
    "city": 64,
    "address": 300,
    "payment_terms": 200,
    "tags": 300,
}


def employee_ids_query(user_id: int, company_id: int) -> Select:
    """Ids of the employee records of a user in a company (used as a sub-query)."""
    return select(Employee.id).where(Employee.user_id == user_id, Employee.company_id == company_id)


def current_employee(env: Env) -> Employee | None:
    """The employee record of the env's user in the current company, if any."""
    # sudo: the user's own record is their identity (like user.employee_ids), whatever their rights
    return env.sudo().scalar(env.sudo().select(Employee).where(Employee.user_id == env.user_id).limit(1))


def subordinate_ids_query(employee_id: int) -> Select:
    """The employee and everyone below them in the reporting line (closure table)."""
    closure = Employee.__tixi_closure__
    return select(closure.c.descendant_id).where(closure.c.ancestor_id == employee_id)


# ----- customers ---------------------------------------------------------------------------
def clean_customer(values: Mapping[str, Any], lang: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise and validate customer values; return (clean values, field errors)."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def err(field: str, problem: tuple[str, dict[str, Any]]) -> None:
        errors.setdefault(field, translate(problem[0], lang, **problem[1]))

    for key, raw in values.items():
        if key in TEXT_LIMITS or key in ("notes",):
            text = None if raw is None else str(raw).strip() or None
            limit = TEXT_LIMITS.get(key)
            if text is not None and limit is not None and len(text) > limit:
                err(key, (N_("At most %(n)s characters."), {"n": limit}))
            out[key] = text
        elif key == "credit_code":
            code = normalise_credit_code(raw)
            problem = check_credit_code(code)
            if problem:
                err(key, problem)
            out[key] = code
        elif key == "credit_limit":
            amount, problem = parse_money(raw)
            if problem:
                err(key, problem)
            out[key] = amount if amount is not None else Decimal("0.00")
        elif key in CUSTOMER_CHOICES:
            choice, problem = parse_choice(CUSTOMER_CHOICES[key], raw)
            if problem:
                err(key, problem)
            if choice is not None or key != "status":
                out[key] = choice
        elif key == "payment_days":
            if raw in (None, ""):
                out[key] = None
            else:
                try:
                    days = int(str(raw).strip())
                    if days < 0 or days > 3650:
                        raise ValueError
                    out[key] = days
                except ValueError:
                    err(key, (N_("%(value)s is not a number of days."), {"value": raw}))
        else:
            out[key] = raw
    if "name_zh" in values and not out.get("name_zh"):
        err("name_zh", (N_("The customer name is required."), {}))
    return out, errors


def find_duplicate(
    env: Env, name: str | None, credit_code: str | None, exclude_id: int | None = None
) -> Customer | None:
    """A customer of the company with the same credit code or the same name (any owner)."""
    conds = []
    if credit_code:
        conds.append(Customer.credit_code == credit_code)
    if name:
        conds.append(func.lower(Customer.name_zh) == name.lower())
    if not conds:
        return None
    # sudo: a name or credit code is unique in the company, across owners the user cannot see
    stmt = env.sudo().select(Customer).where(or_(*conds))
    if exclude_id is not None:
        stmt = stmt.where(Customer.id != exclude_id)
    return env.sudo().scalar(stmt.limit(1))


def _duplicate_errors(env: Env, clean: dict[str, Any], lang: str, exclude_id: int | None = None) -> dict[str, str]:
    dup = find_duplicate(env, clean.get("name_zh"), clean.get("credit_code"), exclude_id)
    if dup is None:
        return {}
    if clean.get("credit_code") and dup.credit_code == clean["credit_code"]:
        message = N_("A customer with this credit code already exists: %(name)s.")
        return {"credit_code": translate(message, lang, name=dup.name_zh)}
    return {"name_zh": translate(N_("A customer with this name already exists."), lang)}


def create_customer(env: Env, values: Mapping[str, Any]) -> Customer:
    """Validate and create a customer; the owner defaults to the user's employee record."""
    lang = current_lang(env)
    clean, errors = clean_customer({"name_zh": values.get("name_zh"), **values}, lang)
    if not errors:
        errors.update(_duplicate_errors(env, clean, lang))
    if errors:
        raise ValidationError(translate(N_("Please correct the errors below."), lang), errors)
    if clean.get("owner_id") is None:
        me = current_employee(env)
        if me is not None:
            clean["owner_id"] = me.id
    clean.setdefault("status", "prospect")
    return env.create(Customer, clean)


def update_customer(env: Env, customer: Customer, values: Mapping[str, Any], expected_version: int | None = None) -> dict:
    """Validate and change a customer; returns the changes (audited by the kernel)."""
    lang = current_lang(env)
    clean, errors = clean_customer(values, lang)
    if not errors and ({"name_zh", "credit_code"} & set(clean)):
        probe = {"name_zh": clean.get("name_zh", customer.name_zh), "credit_code": clean.get("credit_code", customer.credit_code)}
        errors.update(_duplicate_errors(env, probe, lang, exclude_id=customer.id))
    if errors:
        raise ValidationError(translate(N_("Please correct the errors below."), lang), errors)
    return env.write(customer, clean, expected_version=expected_version)


def create_contact(env: Env, values: Mapping[str, Any]) -> Contact:
    """Validate and create a contact of a customer the user may change."""
    lang = current_lang(env)
    errors: dict[str, str] = {}
    clean = {k: (str(v).strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    if not clean.get("name"):
        errors["name"] = translate(N_("The contact name is required."), lang)
    if "role" in clean:
        role, problem = parse_choice(CONTACT_ROLE, clean["role"])
        if problem:
            errors["role"] = translate(problem[0], lang, **problem[1])
        clean["role"] = role
    problem = check_email(clean.get("email"))
    if problem:
        errors["email"] = translate(problem[0], lang, **problem[1])
    if clean.get("customer_id") is None:
        errors["customer_id"] = translate(N_("The customer is required."), lang)
    if errors:
        raise ValidationError(translate(N_("Please correct the errors below."), lang), errors)
    env.get(Customer, clean["customer_id"])
    return env.create(Contact, clean)


_LABEL_MODELS: dict[str, type] = {
    "masterdata_customer": Customer,
    "masterdata_contact": Contact,
    "masterdata_product": Product,
    "masterdata_product_line": ProductLine,
    "masterdata_employee": Employee,
}


def record_label(env: Env, model: str, res_id: int) -> str | None:
    """A human label for one of this addon's records (None for other models)."""
    cls = _LABEL_MODELS.get(model)
    if cls is None:
        return None
    # sudo: audit history and explanations name the records they mention, whatever the rules
    obj = env.sudo().get(cls, res_id)
    return str(obj) if obj is not None else None


def check_customer_record(env: Env, customer: Customer, changes: Mapping[str, Any]) -> None:
    """Checks on a flushed customer (credit code checksum, amount, duplicates); ValidationError."""
    lang = current_lang(env)
    errors: dict[str, str] = {}
    if "credit_code" in changes and customer.credit_code:
        code = normalise_credit_code(customer.credit_code)
        problem = check_credit_code(code)
        if problem:
            errors["credit_code"] = translate(problem[0], lang, **problem[1])
        elif code != customer.credit_code:
            customer.credit_code = code
    if "credit_limit" in changes and customer.credit_limit is not None and customer.credit_limit < 0:
        errors["credit_limit"] = translate(N_("The amount cannot be negative."), lang)
    if "name_zh" in changes and not (customer.name_zh or "").strip():
        errors["name_zh"] = translate(N_("The customer name is required."), lang)
    if not errors and {"name_zh", "credit_code"} & set(changes):
        errors.update(
            _duplicate_errors(env, {"name_zh": customer.name_zh, "credit_code": customer.credit_code}, lang, exclude_id=customer.id)
        )
    if errors:
        raise ValidationError(translate(N_("Please correct the errors below."), lang), errors)
