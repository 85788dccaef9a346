"""Validation of master data: unified social credit codes, amounts, choices, e-mails.

Validators return ``None`` when the value is fine, else an untranslated
message id (marked with ``N_``) and its parameters, so callers can report
errors in the user's language, field by field and row by row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from core.i18n import N_, choice_label

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z).
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MONEY_MAX = Decimal("99999999999999.99")

Problem = tuple[str, dict[str, Any]] | None


def credit_code_check_char(first17: str) -> str:
    """The 18th (check) character of a unified social credit code."""
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalise_credit_code(value: str | None) -> str | None:
    """Upper-case, without spaces; ``None`` for empty."""
    if value is None:
        return None
    text = re.sub(r"\s+", "", str(value)).upper()
    return text or None


def check_credit_code(value: str | None) -> Problem:
    """Validate a unified social credit code (统一社会信用代码), GB 32100-2015."""
    if value is None:
        return None
    if len(value) != 18:
        return N_("The unified social credit code must have 18 characters (got %(n)s)."), {"n": len(value)}
    if not _CC_RE.match(value):
        return N_("The unified social credit code contains characters that are not allowed."), {}
    if credit_code_check_char(value[:17]) != value[17]:
        return N_("The unified social credit code fails its check digit: please check it for typing errors."), {}
    return None


def make_credit_code(body17: str) -> str:
    """Complete 17 valid characters with their check character (demo and test data)."""
    return body17 + credit_code_check_char(body17)


def parse_money(value: Any) -> tuple[Decimal | None, Problem]:
    """A non-negative amount with at most 2 decimals, as ``Decimal`` (never float)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, (N_("%(value)s is not an amount."), {"value": value})
    if not amount.is_finite():
        return None, (N_("%(value)s is not an amount."), {"value": value})
    if amount < 0:
        return None, (N_("The amount cannot be negative."), {})
    if amount != amount.quantize(Decimal("0.01")):
        return None, (N_("The amount can have at most 2 decimals."), {})
    if amount > MONEY_MAX:
        return None, (N_("The amount is too large."), {})
    return amount.quantize(Decimal("0.01")), None


def parse_choice(labels: Mapping[str, Any], value: Any) -> tuple[str | None, Problem]:
    """A choice (a :class:`core.i18n.Choices`) given as its key or its Chinese or English label."""
    if value is None or not str(value).strip():
        return None, None
    text = str(value).strip()
    low = text.lower()
    for key in labels:
        if low == key or text == choice_label(labels, key, "zh_CN") or low == choice_label(labels, key, "en").lower():
            return key, None
    allowed = "、".join(choice_label(labels, k, "zh_CN") for k in labels)
    return None, (N_("%(value)s is not one of: %(allowed)s."), {"value": text, "allowed": allowed})


def check_email(value: str | None) -> Problem:
    """A plausible e-mail address."""
    if value and not EMAIL_RE.match(value):
        return N_("%(value)s is not an e-mail address."), {"value": value}
    return None
