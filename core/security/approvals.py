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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.errors import AccessDenied, TixiError
from core.models import ApprovalEvent, ApprovalRequest
from core.plugins import flatten


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

    def transition(self, name: str) -> Transition:
        """The transition called ``name``."""
        for t in self.transitions:
            if t.name == name:
                return t
        raise TixiError(f"workflow {self.code}: no transition {name!r}")


def workflows(registry: Any) -> dict[str, Workflow]:
    """Every workflow declared by installed addons, by code."""
    return {w.code: w for w in flatten(registry.all_hooks.tixi_approval_workflows())}


def state_of(env: Any, workflow: Workflow, record: Any) -> ApprovalRequest | None:
    """The approval row of a record under a workflow, if any."""
    return env.session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.workflow == workflow.code,
            ApprovalRequest.model == workflow.model,
            ApprovalRequest.res_id == record.id,
        )
    )


def current_state(env: Any, workflow: Workflow, record: Any) -> str:
    """The record's state (the workflow's initial state if never moved)."""
    row = state_of(env, workflow, record)
    return row.state if row else workflow.initial


def authority_limit(env: Any, transition: Transition) -> tuple[bool, Decimal | None]:
    """(allowed at all, largest amount) for the current user on a transition."""
    if transition.groups and env.in_group(*transition.groups):
        if not transition.authority:
            return True, None
    best: Decimal | None = Decimal("-1")
    allowed = False
    for group, limit in transition.authority.items():
        if env.in_group(group):
            allowed = True
            if limit is None:
                return True, None
            best = max(best, Decimal(limit)) if best is not None else best
    if transition.groups and env.in_group(*transition.groups) and not allowed:
        return True, None
    return allowed, (best if allowed else None)


def available(env: Any, workflow: Workflow, record: Any, amount: Decimal | None = None) -> list[Transition]:
    """Transitions the current user may fire on the record now (for buttons)."""
    state = current_state(env, workflow, record)
    out = []
    for t in workflow.transitions:
        try:
            _check(env, workflow, record, t, state, amount)
        except AccessDenied:
            continue
        out.append(t)
    return out


def _check(env: Any, workflow: Workflow, record: Any, t: Transition, state: str, amount: Decimal | None) -> None:
    if state not in t.sources:
        raise AccessDenied(f"cannot {t.name} from state {state!r}")
    if not env.allowed(record, "read"):
        raise AccessDenied("record not accessible")
    allowed, limit = authority_limit(env, t)
    if not allowed:
        raise AccessDenied(f"you are not allowed to {t.name} this record")
    if limit is not None and amount is not None and amount > limit:
        raise AccessDenied(
            f"amount {amount} exceeds your authority ({limit}); a higher approver must {t.name} it"
        )
    if t.not_by_requester:
        row = state_of(env, workflow, record)
        if row is not None and row.requested_by_id == env.user_id:
            raise AccessDenied(f"you cannot {t.name} a request you submitted yourself")


def fire(
    env: Any,
    workflow: Workflow,
    record: Any,
    transition: str,
    comment: str | None = None,
    amount: Decimal | None = None,
) -> ApprovalRequest:
    """Fire a transition after checking state, group, authority and requester; keep history."""
    t = workflow.transition(transition)
    row = state_of(env, workflow, record)
    state = row.state if row else workflow.initial
    if row is not None and amount is None:
        amount = row.amount
    _check(env, workflow, record, t, state, amount)
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
    if t.target not in workflow.states:
        raise TixiError(f"workflow {workflow.code}: unknown state {t.target!r}")
    if state == workflow.initial or row.requested_by_id is None:
        row.requested_by_id = env.user_id
    row.state = t.target
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
    env.audit(workflow.model, record.id, "transition", {"state": [state, t.target], "comment": comment, "amount": str(amount) if amount is not None else None})
    env.hooks.tixi_record_event(
        env=env, event="state_changed", model=workflow.model, record=record,
        changes={"state": [state, t.target], "workflow": workflow.code},
    )
    return row


def history(env: Any, workflow: Workflow, record: Any) -> list[ApprovalEvent]:
    """Transitions fired on a record, oldest first."""
    row = state_of(env, workflow, record)
    if row is None:
        return []
    return list(
        env.session.scalars(
            select(ApprovalEvent).where(ApprovalEvent.approval_id == row.id).order_by(ApprovalEvent.id)
        )
    )
