"""The to-do list (待办): what waits for the current user, from the kernel and every addon.

Two sources, one list:

* **Approvals** — the kernel knows what waits for whom: for every workflow of
  an addon the company enabled, the records in a state from which the user may
  fire an approval transition now (``not_by_requester`` or ``authority``
  transitions, the user's groups, the authority limit against the amount,
  never the user's own request) and that the user may read under the record
  rules. One SQL statement for all workflows: the rules and the authority are
  conditions of its ``WHERE`` clause, never a Python filter.
* **Addons** — anything else through ``tixi_todos(env)`` (cards not yet filed,
  today's visits, an expense report to finish)::

      from core.i18n import _l
      from core.todos import Todo

      @hookimpl
      def tixi_todos(env):
          missing = count_missing_cards(env)
          return [Todo("crm_cards.cards_missing", _l("Monthly cards to file"), missing,
                       url=url_for("crm_cards.card_list"))]

The home page shows the list, the navigation bar its total (fetched after the
page has loaded, so no page pays for it). :func:`todos_for` is the one entry
point; entries carry the record (model, id) and the web layer labels and links
them through the reader's rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_

from core.i18n import N_, LazyText, current_lang, model_label, translate
from core.models import ApprovalRequest
from core.plugins import flatten

if TYPE_CHECKING:
    from core.security.approvals import Workflow
    from core.security.env import Env

#: entries listed per to-do on the home page (the count is always complete)
DEFAULT_ENTRIES = 5


@dataclass(frozen=True)
class TodoEntry:
    """One record waiting: which record, since when, for which amount."""

    model: str
    res_id: int
    since: dt.datetime | None = None
    amount: Decimal | None = None
    label: Any = None  # set by addons that know a better name than the record's display name
    url: str | None = None


@dataclass(frozen=True)
class Todo:
    """A kind of pending work with how many are waiting.

    ``key`` is ``<addon>.<name>`` (``approval:<workflow>`` for the kernel's
    approval to-dos); ``title`` a lazy message; ``url`` the page where the
    user does the work (the to-do page when omitted); ``entries`` the first
    few waiting records (optional).
    """

    key: str
    title: Any
    count: int
    url: str | None = None
    entries: tuple[TodoEntry, ...] = field(default_factory=tuple)
    sequence: int = 100


class ApprovalTitle(LazyText):
    """"To approve: <model>" in the reader's language (the title of a workflow's to-do)."""

    __slots__ = ("model",)

    def __init__(self, model: type) -> None:
        super().__init__("To approve: %(model)s")
        self.model = model

    def in_lang(self, lang: str) -> str:
        """The title in ``lang``, the model's label in the same language."""
        return translate(self.message, lang, model=model_label(self.model, lang))

    def __str__(self) -> str:
        return self.in_lang(current_lang())


def _waiting_clause(env: Env, workflow: Workflow) -> Any:
    """SQL condition on ``core_approval``: rows of ``workflow`` the env user may approve now (``None``: none)."""
    from core.security.approvals import authority_limit

    conds = []
    for t in workflow.transitions:
        if not (t.not_by_requester or t.authority):
            continue
        allowed, limit = authority_limit(env, t)
        if not allowed:
            continue
        cond = ApprovalRequest.state.in_(t.sources)
        if limit is not None:
            cond = and_(cond, ApprovalRequest.amount.is_not(None), ApprovalRequest.amount <= limit)
        if t.not_by_requester:
            cond = and_(cond, or_(ApprovalRequest.requested_by_id.is_(None),
                                  ApprovalRequest.requested_by_id != env.user_id))
        conds.append(cond)
    return or_(*conds) if conds else None


def approval_todos(env: Env, entries: int = DEFAULT_ENTRIES) -> list[Todo]:
    """The approvals waiting for the env user, one :class:`Todo` per workflow (count and first entries).

    One SQL statement for every workflow together: per workflow, its approval
    condition and the record rules of its model (a sub-query) in an ``OR``;
    ``count(*)`` and ``row_number()`` partitioned by workflow give each to-do's
    count and its first ``entries`` rows.
    """
    from sqlalchemy import select

    from core.registry import model_class
    from core.security.approvals import workflows

    if env.user_id is None:
        return []
    enabled = env.enabled
    branches, models = [], {}
    for code, workflow in sorted(workflows(env.registry).items()):
        if code.split(".", 1)[0] not in enabled:
            continue
        model = model_class(workflow.model)
        if model is None or not env.can(model, "read"):
            continue
        waiting = _waiting_clause(env, workflow)
        if waiting is None:
            continue
        readable = env.select(model, "read", model.id)
        branches.append(and_(ApprovalRequest.workflow == code, ApprovalRequest.model == workflow.model,
                             waiting, ApprovalRequest.res_id.in_(readable)))
        models[code] = (workflow, model)
    if not branches:
        return []
    # core_approval has no access rights of its own: the company filter of sudo(), each
    # workflow's approval condition and the record rules of its target model.
    by_workflow = {"partition_by": ApprovalRequest.workflow}
    inner = (
        env.sudo()
        .select(ApprovalRequest, ApprovalRequest.workflow, ApprovalRequest.res_id, ApprovalRequest.updated_at,
                ApprovalRequest.amount, func.count().over(**by_workflow).label("total"),
                func.row_number().over(order_by=(ApprovalRequest.updated_at, ApprovalRequest.id),
                                       **by_workflow).label("n"))
        .where(or_(*branches))
        .subquery()
    )
    stmt = (select(inner.c.workflow, inner.c.res_id, inner.c.updated_at, inner.c.amount, inner.c.total)
            .where(inner.c.n <= max(entries, 1)).order_by(inner.c.workflow, inner.c.n))
    rows_by: dict[str, list[Any]] = {}
    for row in env.sudo().execute(stmt):
        rows_by.setdefault(row.workflow, []).append(row)
    out = []
    for code, rows in rows_by.items():
        workflow, model = models[code]
        out.append(Todo(
            key=f"approval:{code}",
            title=ApprovalTitle(model),
            count=int(rows[0].total),
            entries=tuple(TodoEntry(workflow.model, r.res_id, r.updated_at, r.amount) for r in rows[:entries]),
            sequence=50,
        ))
    return out


def todos_for(env: Env, entries: int = DEFAULT_ENTRIES) -> list[Todo]:
    """Every to-do of the env user in the current company with something waiting, in display order."""
    items = approval_todos(env, entries) + list(flatten(env.hooks.tixi_todos(env=env)))
    return sorted((t for t in items if t.count > 0), key=lambda t: (t.sequence, t.key))


def todo_total(env: Env) -> int:
    """How many things wait for the env user (the navigation bar's badge)."""
    return sum(t.count for t in todos_for(env, entries=1))


N_("To approve: %(model)s")  # extracted for ApprovalTitle
