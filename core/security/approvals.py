"""One reusable approval mechanism: states, transitions, authority by amount, history.

Addons declare workflows through the ``tixi_approval_workflows`` hook::

    Workflow(
        code="pricing.quote",
        model="pricing_quote",
        states={"draft": _l("Draft"), "submitted": _l("Waiting approval"),
                "approved": _l("Approved"), "rejected": _l("Rejected")},
        initial="draft",
        transitions=[
            Transition("submit", ["draft", "rejected"], "submitted", groups=["core.group_salesperson"]),
            Transition("approve", ["submitted"], "approved",
                       authority={"core.group_territory_manager": Decimal("50000"),
                                  "core.group_director": None},
                       not_by_requester=True),
            Transition("reject", ["submitted"], "rejected", groups=["core.group_territory_manager"]),
        ],
    )

``authority`` maps a group to the largest amount it may approve (``None``: no
limit); a user without enough authority gets a clear refusal. Every transition
is written to the approval history and to the audit trail.

``label`` of a :class:`Transition` is the button text (a lazy message; the
transition's name when omitted). ``state_field`` of a :class:`Workflow` names
a column of the model that the kernel keeps equal to the workflow's state: it
is set in the same transaction, before ``tixi_record_event`` is called, so no
addon mirrors it by hand (``Workflow(..., state_field="state")``).

Notifications: when a transition leaves the record in a state from which a
``not_by_requester`` or ``authority`` transition leads on (a pending approval),
the users of the company who may fire one of those now are notified
(``core.approval_pending``, the requester excluded); when somebody else moves
the record out of such a state, the requester hears the decision
(``core.approval_decided``). See
:mod:`core.notifications`.

The ``state_changed`` event's ``changes`` is::

    {"state": [old_state, new_state], "workflow": "pricing.quote",
     "transition": "approve", "comment": "ok" or None}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import select

from core.errors import AccessDenied, TixiError
from core.models import ApprovalEvent, ApprovalRequest
from core.plugins import flatten

if TYPE_CHECKING:
    from core.security.env import Env


@dataclass(frozen=True)
class Transition:
    """A move from one of ``sources`` to ``target`` that ``groups`` (or ``authority``) may fire."""

    name: str
    sources: list[str]
    target: str
    groups: list[str] = field(default_factory=list)
    authority: Mapping[str, Decimal | None] = field(default_factory=dict)
    not_by_requester: bool = False
    label: Any = None


@dataclass(frozen=True)
class Workflow:
    """A declared approval workflow on one model."""

    code: str
    model: str
    states: Mapping[str, Any]
    initial: str
    transitions: list[Transition]
    state_field: str | None = None

    def transition(self, name: str) -> Transition:
        """The transition called ``name``."""
        for t in self.transitions:
            if t.name == name:
                return t
        raise TixiError(f"workflow {self.code}: no transition {name!r}")


def workflows(registry: Any) -> dict[str, Workflow]:
    """Every workflow declared by installed addons, by code (a bad ``state_field`` is refused)."""
    out: dict[str, Workflow] = {}
    for w in flatten(registry.all_hooks.tixi_approval_workflows()):
        if w.state_field:
            from core.registry import model_class

            cls = model_class(w.model)
            if cls is not None and w.state_field not in cls.__table__.c:
                raise TixiError(f"workflow {w.code}: model {w.model} has no column {w.state_field!r}")
        out[w.code] = w
    return out


def state_of(env: Env, workflow: Workflow, record: Any) -> ApprovalRequest | None:
    """The approval row of a record under a workflow, if any."""
    return env.session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.workflow == workflow.code,
            ApprovalRequest.model == workflow.model,
            ApprovalRequest.res_id == record.id,
        )
    )


def current_state(env: Env, workflow: Workflow, record: Any) -> str:
    """The record's state (the workflow's initial state if never moved)."""
    row = state_of(env, workflow, record)
    return row.state if row else workflow.initial


def authority_limit(env: Env, transition: Transition) -> tuple[bool, Decimal | None]:
    """(allowed at all, largest amount or ``None`` for no limit) for the current user.

    ``groups`` say who may fire the transition at all; ``authority`` (when
    given) also requires one of its groups and caps the amount at the highest
    limit among the user's groups. A transition with neither lets nobody fire it.
    """
    if transition.groups and not env.in_group(*transition.groups):
        return False, None
    if not transition.authority:
        return bool(transition.groups), None
    best: Decimal | None = None
    allowed = False
    for group, limit in transition.authority.items():
        if not env.in_group(group):
            continue
        allowed = True
        if limit is None:
            return True, None
        best = Decimal(limit) if best is None else max(best, Decimal(limit))
    return allowed, best


def available(env: Env, workflow: Workflow, record: Any, amount: Decimal | None = None) -> list[Transition]:
    """Transitions the current user may fire on the record now (for buttons)."""
    row = state_of(env, workflow, record)
    state = row.state if row else workflow.initial
    if row is not None and row.amount is not None:
        amount = row.amount if amount is None else max(Decimal(amount), row.amount)
    out = []
    for t in workflow.transitions:
        try:
            _check(env, workflow, record, t, state, amount)
        except AccessDenied:
            continue
        out.append(t)
    return out


def _check(env: Env, workflow: Workflow, record: Any, t: Transition, state: str, amount: Decimal | None) -> None:
    if state not in t.sources:
        raise AccessDenied(_("Cannot %(action)s from state %(state)s.", action=t.name, state=state))
    if not env.allowed(record, "read"):
        raise AccessDenied(_("The record is not accessible."))
    allowed, limit = authority_limit(env, t)
    if not allowed:
        raise AccessDenied(_("You are not allowed to %(action)s this record.", action=t.name))
    if limit is not None and amount is None:
        raise AccessDenied(
            _("This request has no amount; only an approver without limit may %(action)s it.", action=t.name)
        )
    if limit is not None and amount is not None and amount > limit:
        raise AccessDenied(
            _(
                "The amount %(amount)s exceeds your authority (%(limit)s); a higher approver must %(action)s it.",
                amount=amount,
                limit=limit,
                action=t.name,
            )
        )
    if t.not_by_requester:
        row = state_of(env, workflow, record)
        if row is not None and row.requested_by_id == env.user_id:
            raise AccessDenied(_("You cannot %(action)s a request you submitted yourself.", action=t.name))


def fire(
    env: Env,
    workflow: Workflow,
    record: Any,
    transition: str,
    comment: str | None = None,
    amount: Decimal | None = None,
) -> ApprovalRequest:
    """Fire a transition after checking state, group, authority and requester; keep history."""
    t = workflow.transition(transition)
    if t.target not in workflow.states:
        raise TixiError(f"workflow {workflow.code}: unknown state {t.target!r}")
    row = state_of(env, workflow, record)
    state = row.state if row else workflow.initial
    if amount is not None:
        amount = Decimal(amount)
    # Authority is checked against the larger of the recorded and the given amount,
    # so an approver cannot lower the figure to get under their limit.
    checked = amount
    if row is not None and row.amount is not None:
        checked = row.amount if amount is None else max(amount, row.amount)
    _check(env, workflow, record, t, state, checked)
    if row is None:
        row = ApprovalRequest(
            company_id=env.company_id,
            workflow=workflow.code,
            model=workflow.model,
            res_id=record.id,
            state=state,
        )
        env.session.add(row)
    if amount is not None:
        row.amount = amount
    if state == workflow.initial or row.requested_by_id is None:
        row.requested_by_id = env.user_id
    row.state = t.target
    if workflow.state_field:
        # The transition was authorised above: the kernel, not the user's write
        # right on the record, moves the mirrored state (audited below).
        setattr(record, workflow.state_field, t.target)
    env.session.flush()
    env.session.add(
        ApprovalEvent(
            approval_id=row.id,
            transition=t.name,
            from_state=state,
            to_state=t.target,
            user_id=env.user_id,
            comment=comment,
        )
    )
    env.audit(
        workflow.model,
        record.id,
        "transition",
        {
            "state": [state, t.target],
            "transition": t.name,
            "comment": comment,
            "amount": str(row.amount) if row.amount is not None else None,
        },
    )
    env.hooks.tixi_record_event(
        env=env, event="state_changed", model=workflow.model, record=record,
        changes={"state": [state, t.target], "workflow": workflow.code, "transition": t.name, "comment": comment},
    )
    from core.notifications import notify_transition

    notify_transition(env, workflow, record, state, row, comment)
    return row


def history(env: Env, workflow: Workflow, record: Any) -> list[ApprovalEvent]:
    """Transitions fired on a record, oldest first."""
    row = state_of(env, workflow, record)
    if row is None:
        return []
    return list(
        env.session.scalars(
            select(ApprovalEvent).where(ApprovalEvent.approval_id == row.id).order_by(ApprovalEvent.id)
        )
    )
