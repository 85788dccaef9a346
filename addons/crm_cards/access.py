"""Cards follow their customer: the user-context value behind crm_cards' record rule.

Every crm_cards record carries a ``customer_id``. One global rule per model,
``[[customer_id, in, user.crm_customer_ids]]``, makes a card visible exactly
when its customer is: ``user.crm_customer_ids`` is the SQL sub-query of the
customers the user may read, built by the kernel from *masterdata's and
territories'* own rules (``env.select(Customer, "read", Customer.id)``). So a
salesperson sees the cards of the customers they own, a territory manager
those of their territory, a director the whole company, and any rule another
addon adds on customers applies to the cards too, without copying it.

The sub-query is built lazily (when the kernel compiles the rule, after the
user context is complete), because building it needs that same context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, false, select

if TYPE_CHECKING:
    from core.security.env import Env


class ReadableCustomerIds:
    """A lazy SQL sub-query ``SELECT id FROM masterdata_customer WHERE <user's rules>``.

    SQLAlchemy accepts it wherever a selectable is expected (``col.in_(...)``)
    through ``__clause_element__``; the kernel's rule compiler treats it as a
    list of ids (it has ``subquery``).
    """

    def __init__(self, env: Env) -> None:
        self._env = env
        self._stmt: Select | None = None

    def select(self) -> Select:
        """The sub-query (built once)."""
        if self._stmt is None:
            from addons.masterdata.models import Customer

            env = self._env
            if env.can(Customer, "read"):
                self._stmt = env.select(Customer, "read", Customer.id)
            else:
                self._stmt = select(Customer.id).where(false())
        return self._stmt

    def subquery(self) -> Any:
        """As a named sub-query."""
        return self.select().subquery()

    def __clause_element__(self) -> Any:
        return self.select()


def customer_context(env: Env) -> dict[str, Any]:
    """The ``tixi_user_context`` values of crm_cards."""
    return {"crm_customer_ids": ReadableCustomerIds(env)}
