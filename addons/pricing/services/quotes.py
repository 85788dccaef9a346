"""Quotes: creation, lines, totals, approval steps, reactions, revisions, expiry and handover."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select

from addons.masterdata.models import Customer, Product
from addons.pricing.models import REACTION_LABELS, PriceReaction, Quote, QuoteLine
from addons.pricing.services.authority import covers, required_group, user_limit
from addons.pricing.services.competitors import record_competitor_price
from addons.pricing.services.helpers import (
    HUNDRED,
    PCT_Q,
    Money,
    fail,
    money,
    positive,
    today,
)
from addons.pricing.services.strategy_bands import Band, compute_bands
from addons.pricing.workflows import QUOTE_WORKFLOW
from core.errors import AccessDenied, ValidationError
from core.i18n import N_, current_lang, translate
from core.security import approvals

if TYPE_CHECKING:
    from core.security.env import Env

OPEN_STATES = ("draft", "waiting", "approved", "sent")


# ----- quotes -------------------------------------------------------------------------------
@dataclass
class LineInput:
    """A validated quote line before it is written."""

    product_id: int
    quantity: Decimal
    unit_price: Decimal | None


def _clean_lines(env: Env, lines: Sequence[Mapping[str, Any]]) -> list[LineInput]:
    if not lines:
        raise fail(env, N_("A quote needs at least one line."), "lines")
    out = []
    for n, raw in enumerate(lines, start=1):
        pid = raw.get("product_id")
        if not pid:
            raise fail(env, N_("Line %(line)s: choose a product."), "product_id", line=n)
        qty = raw.get("quantity")
        try:
            quantity = positive(env, qty, "quantity", N_("Quantity"))
            price = raw.get("unit_price")
            unit_price = None if price in (None, "") else positive(env, price, "unit_price", N_("Unit price"))
        except ValidationError as exc:
            text = translate(N_("Line %(line)s: %(error)s"), current_lang(env), line=n, error=str(exc))
            raise ValidationError(text, {**exc.errors, "line": text}) from None
        out.append(LineInput(int(pid), quantity, unit_price))
    readable = set(env.scalars(env.select(Product, "read", Product.id).where(
        Product.id.in_({li.product_id for li in out}))))
    for n, li in enumerate(out, start=1):
        if li.product_id not in readable:
            raise fail(env, N_("Line %(line)s: unknown product."), "product_id", line=n)
    return out


def _next_number(env: Env, year: int) -> str:
    prefix = f"Q{year}-"
    # numbers run across the company, whoever owns the other quotes
    last = env.sudo().scalar(env.sudo().select(Quote, func.max(Quote.number)).where(Quote.number.like(f"{prefix}%")))
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _owner_id(env: Env, customer: Customer) -> int | None:
    from addons.masterdata.services import current_employee

    emp = current_employee(env)
    return emp.id if emp is not None else customer.owner_id


def _territory_id(env: Env, customer_id: int) -> int | None:
    if "territories" not in env.enabled:
        return None
    from addons.territories.models import CustomerTerritory

    # the customer's current territory is stamped on the quote, whoever may read assignments
    sudo = env.sudo()
    return sudo.scalar(sudo.select(CustomerTerritory, CustomerTerritory.territory_id).where(
        CustomerTerritory.customer_id == customer_id, CustomerTerritory.date_to.is_(None),
    ).limit(1))


def _line_values(m: Money, band: Band, li: LineInput) -> tuple[dict[str, Any], dict[str, Any]]:
    price = m.round(li.unit_price if li.unit_price is not None else band.target)
    amount = m.round(price * li.quantity)
    cost_amount = band.cost * li.quantity
    margin = m.round(amount - cost_amount)
    margin_pct = ((price - band.cost) / price * HUNDRED).quantize(PCT_Q) if price else Decimal("0")
    public = {
        "product_id": li.product_id, "quantity": li.quantity, "unit_price": price, "amount": amount,
        "target_price": band.target, "floor_price": band.floor, "list_price": band.list_price,
        "deviation_pct": band.deviation(price), "quote_type": band.quote_type, "strategy_id": band.strategy_id,
        "cost_month": band.cost_month,
    }
    restricted = {"cost": band.cost, "margin_amount": margin, "margin_pct": margin_pct}
    return public, restricted


def create_quote(
    env: Env,
    customer_id: int,
    lines: Sequence[Mapping[str, Any]],
    *,
    kind: str = "quote",
    channel: str | None = None,
    quote_type: str | None = None,
    quote_date: dt.date | None = None,
    valid_until: dt.date | None = None,
    note: str | None = None,
) -> Quote:
    """Create a draft quote (or bid) with its lines priced from today's cost and strategy.

    ``lines``: ``[{"product_id", "quantity", "unit_price" (optional: the target)}]``.
    """
    env.check(Quote, "create")
    customer = env.get(Customer, customer_id)
    if kind not in ("quote", "bid"):
        raise fail(env, N_("Unknown quote kind: %(value)s."), "kind", value=kind)
    quote_date = quote_date or today(env)
    m = money(env)
    valid_until = valid_until or quote_date + dt.timedelta(days=m.validity_days)
    if valid_until < quote_date:
        raise fail(env, N_("The quote cannot be valid until a date before the quote date."), "valid_until")
    cleaned = _clean_lines(env, lines)
    priced = compute_bands(env, customer_id, [li.product_id for li in cleaned], quote_date, channel, quote_type)
    first = next(iter(priced.values()))
    with env.session.begin_nested():
        quote = env.create(Quote, {
            "number": _next_number(env, quote_date.year), "revision": 1, "kind": kind,
            "customer_id": customer_id, "owner_id": _owner_id(env, customer),
            "territory_id": _territory_id(env, customer_id), "customer_class": first.customer_class,
            "channel": first.channel, "currency": m.currency, "quote_date": quote_date,
            "valid_until": valid_until, "state": "draft", "bid_decision": "pending" if kind == "bid" else None,
            "note": note,
        })
        _write_lines(env, quote, cleaned, priced, m, {"root_id": quote.id})
    return quote


def _write_lines(env: Env, quote: Quote, cleaned: list[LineInput], priced: dict[int, Band], m: Money,
                 extra: Mapping[str, Any] | None = None) -> None:
    """Insert the lines in bulk: rights checked once, rules checked in one query, one audit entry.

    Lines are part of their quote: the quote's audit entry lists them, and
    ``tixi_records_imported`` (one call for all lines) replaces a
    ``tixi_record_event`` per line.
    """
    env.check(QuoteLine, "create")
    rows = []
    for seq, li in enumerate(cleaned, start=1):
        public, restricted = _line_values(m, priced[li.product_id], li)
        rows.append({
            "company_id": env.company_id, "created_by_id": env.user_id, "updated_by_id": env.user_id,
            "quote_id": quote.id, "sequence": seq * 10, **public, **restricted,
        })
    # one multi-row INSERT, not an ORM flush of N objects: a bulk change this function checks
    # (right above, rules below) and audits itself; the lines are read back the same way
    sudo = env.sudo()
    sudo.execute(insert(QuoteLine).values(rows))
    lines = sudo.search(QuoteLine, QuoteLine.quote_id == quote.id, order_by=[QuoteLine.sequence])
    ids = [r.id for r in lines]
    allowed = env.scalar(
        env.select(QuoteLine, "create", func.count(QuoteLine.id)).where(QuoteLine.quote_id == quote.id)
    )
    if allowed != len(ids):
        raise AccessDenied(f"record rules do not allow creating these {QuoteLine.__tablename__} rows")
    env.audit(Quote.__tablename__, quote.id, "lines", {
        "lines": [[r.product_id, str(r.quantity), str(r.unit_price), str(r.floor_price), str(r.target_price)] for r in lines]
    })
    try:
        hook = env.hooks.tixi_records_imported
    except AttributeError:
        hook = None
    if hook is not None:
        hook(env=env, model=QuoteLine.__tablename__, ids=ids)
    refresh_totals(env, quote, extra)


def refresh_totals(env: Env, quote: Quote, extra: Mapping[str, Any] | None = None) -> None:
    """Recompute the quote's total, largest deviation and required approver role (one write)."""
    # totals over every line of the quote, whoever may read them (the write below is checked)
    sudo = env.sudo()
    row = sudo.execute(sudo.select(
        QuoteLine, func.coalesce(func.sum(QuoteLine.amount), 0), func.coalesce(func.max(QuoteLine.deviation_pct), 0),
    ).where(QuoteLine.quote_id == quote.id)).one()
    deviation = Decimal(row[1]).quantize(PCT_Q)
    env.write(quote, {
        "amount_total": Decimal(row[0]).quantize(Decimal("0.01")), "max_deviation_pct": deviation,
        "required_group": required_group(env, deviation), **(extra or {}),
    })


def lines_of(env: Env, quote: Quote) -> list[QuoteLine]:
    """The quote's lines the user may read, in order."""
    return env.search(QuoteLine, QuoteLine.quote_id == quote.id, order_by=[QuoteLine.sequence])


def set_line_price(env: Env, line: QuoteLine, unit_price: Any, quantity: Any = None) -> QuoteLine:
    """Change a draft line's price (and quantity); band, deviation and margin follow."""
    quote = env.get(Quote, line.quote_id, "write")
    if quote.state != "draft":
        raise fail(env, N_("Only a draft quote can be changed; make a new version instead."), "state")
    price = positive(env, unit_price, "unit_price", N_("Unit price"))
    qty = line.quantity if quantity in (None, "") else positive(env, quantity, "quantity", N_("Quantity"))
    m = money(env)
    price = m.round(price)
    amount = m.round(price * qty)
    cost = Decimal(line.cost) if line.cost is not None else None
    with env.session.begin_nested():
        band = Band(line.product_id, quote.customer_id, quote.quote_date, line.quote_type, line.strategy_id or 0,
                    "", cost or Decimal(0), line.cost_month, line.list_price, line.target_price, line.floor_price,
                    quote.currency, None, quote.customer_class, quote.channel)
        env.write(line, {"unit_price": price, "quantity": qty, "amount": amount, "deviation_pct": band.deviation(price)})
        if cost is not None:
            line.margin_amount = m.round(amount - cost * qty)
            line.margin_pct = ((price - cost) / price * HUNDRED).quantize(PCT_Q)
        env.session.flush()
        refresh_totals(env, quote)
    return line


def _fire(env: Env, quote: Quote, transition: str, comment: str | None = None, amount: Decimal | None = None) -> str:
    row = approvals.fire(env, QUOTE_WORKFLOW, quote, transition, comment=comment, amount=amount)
    return row.state  # the kernel has set quote.state (state_field)


def submit_quote(env: Env, quote: Quote, comment: str | None = None) -> str:
    """Inside the user's band: approved at once; outside: waits for the right approver."""
    if quote.state != "draft":
        raise fail(env, N_("Only a draft quote can be submitted."), "state")
    if not env.count(QuoteLine, QuoteLine.quote_id == quote.id):
        raise fail(env, N_("A quote needs at least one line."), "lines")
    if quote.kind == "bid" and quote.bid_decision != "go":
        raise fail(env, N_("A bid needs the manager's go before its quote can be submitted."), "bid_decision")
    if quote.valid_until < today(env):
        raise fail(env, N_("The quote's validity has passed; make a new version."), "valid_until")
    deviation = Decimal(quote.max_deviation_pct)
    if covers(user_limit(env), deviation):
        return _fire(env, quote, "confirm", comment, deviation)
    return _fire(env, quote, "submit", comment, deviation)


def approve_quote(env: Env, quote: Quote, comment: str | None = None) -> str:
    """Approve a price outside the requester's band: the approver's own band must cover it."""
    if quote.state != "waiting":
        raise fail(env, N_("This quote is not waiting for approval."), "state")
    deviation = Decimal(quote.max_deviation_pct)
    limit = user_limit(env)
    if not covers(limit, deviation):
        from core.models import Group

        group = required_group(env, deviation)
        # the required role's name is reference data, shown whatever the user's rights
        name = env.sudo().scalar(select(Group).where(Group.code == group)) if group else None
        role = (name.display(current_lang(env)) if name else group) or ""
        raise AccessDenied(translate(N_("This price is %(deviation)s%% below the floor and your authority covers %(limit)s%%: it must be approved by %(role)s."),
                              current_lang(env), deviation=deviation, limit=limit, role=role))
    return _fire(env, quote, "approve", comment, deviation)


def reject_quote(env: Env, quote: Quote, comment: str | None = None) -> str:
    """Send a waiting quote back to draft (with the reason)."""
    if quote.state != "waiting":
        raise fail(env, N_("This quote is not waiting for approval."), "state")
    if not comment:
        raise fail(env, N_("Give a reason for the rejection."), "comment")
    return _fire(env, quote, "reject", comment)


def send_quote(env: Env, quote: Quote, comment: str | None = None) -> str:
    """Send an approved quote to the customer; refused before approval."""
    if quote.state in ("draft", "waiting"):
        raise fail(env, N_("The quote cannot be sent before it is approved."), "state")
    if quote.state != "approved":
        raise fail(env, N_("Only an approved quote can be sent."), "state")
    if quote.valid_until < today(env):
        raise fail(env, N_("The quote's validity has passed; make a new version."), "valid_until")
    return _fire(env, quote, "send", comment)


def record_reaction(
    env: Env,
    quote: Quote,
    kind: str,
    *,
    line_id: int | None = None,
    counter_price: Any = None,
    competitor: str | None = None,
    competitor_price: Any = None,
    note: str | None = None,
    on_date: dt.date | None = None,
) -> PriceReaction:
    """Record the customer's reaction: accepted (won), countered at X, lost to Y at Z."""
    if kind not in REACTION_LABELS:
        raise fail(env, N_("Unknown reaction: %(value)s."), "kind", value=kind)
    if quote.state != "sent":
        raise fail(env, N_("Reactions are recorded on a quote that was sent."), "state")
    line = None
    if line_id is not None:
        line = env.get(QuoteLine, line_id)
        if line.quote_id != quote.id:
            raise fail(env, N_("This line belongs to another quote."), "line_id")
    counter = None
    comp_price = None
    competitor = (competitor or "").strip() or None
    if kind == "countered":
        counter = positive(env, counter_price, "counter_price", N_("Counter price"))
    if kind == "lost":
        if not competitor and not note:
            raise fail(env, N_("Say who won or why the quote was lost."), "competitor")
        if competitor_price not in (None, ""):
            comp_price = positive(env, competitor_price, "competitor_price", N_("Competitor price"))
    on_date = on_date or today(env)
    with env.session.begin_nested():
        reaction = env.create(PriceReaction, {
            "quote_id": quote.id, "line_id": line_id, "kind": kind, "counter_price": counter,
            "competitor": competitor, "competitor_price": comp_price, "reacted_on": on_date, "note": note,
        })
        if kind == "accepted":
            _fire(env, quote, "win", note)
        elif kind == "lost":
            _fire(env, quote, "lose", note)
            env.write(quote, {"lost_reason": note, "lost_to": competitor, "lost_price": comp_price})
            if competitor and comp_price is not None:
                products = [line.product_id] if line is not None else sorted(
                    {li.product_id for li in lines_of(env, quote)})
                for pid in products:
                    record_competitor_price(env, pid, competitor, comp_price, customer_id=quote.customer_id,
                                            observed_on=on_date, source="reaction", note=note)
    return reaction


def revise_quote(env: Env, quote: Quote, prices: Mapping[int, Any] | None = None,
                 quote_date: dt.date | None = None, valid_until: dt.date | None = None) -> Quote:
    """Re-quote: a new version (same number, revision + 1) priced from today's data.

    The earlier version is kept unchanged apart from its state (superseded).
    ``prices`` maps product ids to new unit prices; other lines keep theirs.
    """
    if quote.state not in OPEN_STATES:
        raise fail(env, N_("Only an open quote can be re-quoted."), "state")
    prices = dict(prices or {})
    old_lines = lines_of(env, quote)
    lines = [{"product_id": li.product_id, "quantity": li.quantity,
              "unit_price": prices.get(li.product_id, li.unit_price)} for li in old_lines]
    cleaned = _clean_lines(env, lines)
    quote_date = quote_date or today(env)
    m = money(env)
    valid_until = valid_until or quote_date + dt.timedelta(days=m.validity_days)
    if valid_until < quote_date:
        raise fail(env, N_("The quote cannot be valid until a date before the quote date."), "valid_until")
    qtype = old_lines[0].quote_type if old_lines else None
    priced = compute_bands(env, quote.customer_id, [li.product_id for li in cleaned], quote_date, quote.channel, qtype)
    root = quote.root_id or quote.id
    # every version of the number counts, whoever owns it
    last = env.sudo().scalar(env.sudo().select(Quote, func.max(Quote.revision)).where(Quote.number == quote.number))
    first = next(iter(priced.values()))
    with env.session.begin_nested():
        new = env.create(Quote, {
            "number": quote.number, "revision": (last or 1) + 1, "root_id": root, "previous_id": quote.id,
            "kind": quote.kind, "customer_id": quote.customer_id, "owner_id": quote.owner_id,
            "territory_id": _territory_id(env, quote.customer_id), "customer_class": first.customer_class,
            "channel": quote.channel, "currency": m.currency, "quote_date": quote_date, "valid_until": valid_until,
            "state": "draft", "bid_decision": quote.bid_decision, "note": quote.note,
        })
        _write_lines(env, new, cleaned, priced, m)
        _fire(env, quote, "revise", f"-> {new.display_number}")
    return new


def versions(env: Env, quote: Quote) -> list[Quote]:
    """Every version of a quote, oldest first."""
    return env.search(Quote, Quote.number == quote.number, order_by=[Quote.revision])


def expire_quotes(env: Env, on_date: dt.date | None = None) -> int:
    """Expire the open quotes (that the user may change) whose validity has passed."""
    on_date = on_date or today(env)
    n = 0
    for quote in env.search(Quote, Quote.state.in_(OPEN_STATES), Quote.valid_until < on_date):
        if env.allowed(quote, "write"):
            _fire(env, quote, "expire")
            n += 1
    return n


def hand_over_quotes(env: Env, from_employee_id: int, to_employee_id: int) -> int:
    """Give a leaving salesperson's open quotes to a successor (history kept, audited)."""
    n = 0
    for quote in env.search(Quote, Quote.owner_id == from_employee_id, Quote.state.in_(OPEN_STATES)):
        env.write(quote, {"owner_id": to_employee_id})
        n += 1
    return n
