"""The customer profile kept by crm_cards: reading, creating and its technical data."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from addons.crm_cards.models import CustomerProfile
from addons.crm_cards.services.helpers import customer

if TYPE_CHECKING:
    from core.security.env import Env


# ----- profile ---------------------------------------------------------------------------
def profile(env: Env, customer_id: int, create: bool = True) -> CustomerProfile | None:
    """The CRM profile row of a customer the user may read (created when missing)."""
    customer(env, customer_id)
    # the profile follows its customer (checked above) and is kept by reactions whoever triggers them
    row = next(iter(env.sudo().search(CustomerProfile, CustomerProfile.customer_id == customer_id, limit=1)), None)
    if row is None and create:
        row = CustomerProfile(
            customer_id=customer_id, company_id=env.company_id,
            created_by_id=env.user_id, updated_by_id=env.user_id,
        )
        env.session.add(row)
        env.session.flush()
    return row


def _touch_profile(env: Env, customer_id: int, **values: Any) -> CustomerProfile:
    row = profile(env, customer_id)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by_id = env.user_id
    env.session.flush()
    return row


def tech_data(row: CustomerProfile | None) -> dict[str, str]:
    """Free technical fields of a profile (engine models, control system, ...)."""
    if row is None or not row.tech_data:
        return {}
    try:
        data = json.loads(row.tech_data)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def set_tech_data(env: Env, customer_id: int, values: Mapping[str, Any]) -> CustomerProfile:
    """Replace the free technical fields of a customer's profile (audited write)."""
    clean = {str(k).strip(): str(v).strip() for k, v in values.items() if str(k).strip()}
    row = profile(env, customer_id)
    env.write(row, {"tech_data": json.dumps(clean, ensure_ascii=False)})
    return row
