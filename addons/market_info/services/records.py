"""Filing information: competitors, price observations, notes, technical needs.

Every input is checked before anything is written: a refusal leaves nothing
saved. A price observation needs its date, place and source; its territory is
the customer's territory ON THAT DATE (territories' history) when a customer
is given, else the territory the collector names (one they may read). When
pricing is enabled, an observation of a product variety of ours also becomes
one of pricing's competitor prices (pricing's own service, its own rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer, Product
from core.errors import AccessDenied, ValidationError
from core.i18n import N_, current_lang, translate

from ..models import (
    KIND,
    NOTE_KINDS,
    PRICE_KIND,
    SOURCE,
    STAGE,
    CollectionPlan,
    Competitor,
    CompetitorProduct,
    Note,
    PriceObservation,
    TechNeed,
)
from .common import choice, fail, my_employee_id, parse_date, parse_price, required_text, today

if TYPE_CHECKING:
    from core.security.env import Env


def _id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(getattr(value, "id", value))


def create_competitor(env: Env, name_zh: str, **fields: Any) -> Competitor:
    """A competitor profile (the Chinese name required)."""
    name = required_text(env, name_zh, "name_zh", N_("The competitor's name is required."))
    return env.create(Competitor, {"name_zh": name, **fields})


def create_competitor_product(env: Env, competitor: Any, name: str, product: Any = None, **fields: Any) -> Any:
    """A product of a competitor, with our comparable variety (``product``) when known."""
    comp = env.get(Competitor, _id(competitor))
    text = required_text(env, name, "name", N_("The product's name is required."))
    pid = _id(product)
    if pid is not None:
        env.get(Product, pid)
    return env.create(CompetitorProduct, {"competitor_id": comp.id, "name": text, "product_id": pid, **fields})


def _plan_for(env: Env, plan: Any, kind: str, collector_id: int) -> int | None:
    """The plan an item is filed under: the one given (readable), else the collector's plan of that kind."""
    pid = _id(plan)
    if pid is not None:
        return env.get(CollectionPlan, pid).id
    # the collector's own plan of the kind (plans name them; they read them through the rules)
    rows = env.search(CollectionPlan, CollectionPlan.kind == kind, CollectionPlan.collector_id == collector_id, CollectionPlan.active.is_(True),
                      order_by=[CollectionPlan.id], limit=1)
    return rows[0].id if rows else None


def _territory(env: Env, customer_id: int | None, territory: Any, on: Any) -> int | None:
    """The territory of the customer on the date, else the one named (read through the rules: within reach)."""
    if "territories" not in env.enabled:
        return None
    if customer_id is not None:
        from addons.territories.services import territory_of

        found = territory_of(env, customer_id, on)
        if found is not None:
            return found
    tid = _id(territory)
    if tid is None:
        return None
    from addons.territories.models import Territory

    try:
        env.get(Territory, tid)
    except AccessDenied:
        raise fail(env, N_("No record #%(id)s, or one you may not read."), "territory_id", id=tid) from None
    return tid


def record_price(env: Env, competitor: Any, price: Any, observed_on: Any, place: Any, source: Any, *,
                 price_kind: str = "wholesale", competitor_product: Any = None, product: Any = None,
                 customer: Any = None, territory: Any = None, plan: Any = None, unit: str | None = None,
                 note: str | None = None) -> PriceObservation:
    """File a competitor price observation (date, place and source required); feed pricing when enabled."""
    on = parse_date(env, observed_on, "observed_on",
                    N_("The date of the price is required: a competitor price without a date is not saved."))
    value = parse_price(env, price)
    where = required_text(env, place, "place", N_("Say where the price was seen."))
    src = choice(env, source, SOURCE, "source") if source else None
    if src is None:
        raise fail(env, N_("Say where the price comes from (its source)."), "source")
    kind = choice(env, price_kind or "wholesale", PRICE_KIND, "price_kind")
    comp = env.get(Competitor, _id(competitor))
    cprod_id = _id(competitor_product)
    pid = _id(product)
    if cprod_id is not None:
        cprod = env.get(CompetitorProduct, cprod_id)
        if cprod.competitor_id != comp.id:
            raise fail(env, N_("This product is not one of that competitor's."), "competitor_product_id")
        pid = pid if pid is not None else cprod.product_id
    if pid is not None:
        env.get(Product, pid)
    cid = _id(customer)
    if cid is not None:
        env.get(Customer, cid)
    collector = my_employee_id(env)
    territory_id = _territory(env, cid, territory, on)
    plan_id = _plan_for(env, plan, "competitor_price", collector)
    row = env.create(PriceObservation, {
        "plan_id": plan_id, "collector_id": collector, "competitor_id": comp.id,
        "competitor_product_id": cprod_id, "product_id": pid, "customer_id": cid, "territory_id": territory_id,
        "observed_on": on, "place": where, "source": src, "price_kind": kind, "price": value,
        "unit": (unit or "").strip()[:32] or None, "note": (note or "").strip() or None,
    })
    fed = feed_pricing(env, row)
    if fed is not None:
        env.write(row, {"pricing_price_id": fed})
    return row


def feed_pricing(env: Env, row: PriceObservation) -> int | None:
    """Give pricing the observation as a competitor price (when pricing is on and the variety is ours).

    Pricing's own service and rules decide: a salesperson records prices of the
    market and of their own customers; when pricing refuses the customer's, the
    price goes in as the market's; when it refuses that too, nothing is fed.
    """
    if "pricing" not in env.enabled or row.product_id is None:
        return None
    from addons.pricing.services import record_competitor_price

    source = "visit" if row.source == "customer" else "market"
    name = row.competitor.display("zh_CN") if row.competitor else ""
    text = f"{row.place}: {row.note}" if row.note else row.place
    for customer_id in ([row.customer_id, None] if row.customer_id is not None else [None]):
        try:
            fed = record_competitor_price(env, row.product_id, name, row.price, customer_id=customer_id,
                                          observed_on=row.observed_on, source=source, note=text)
            return fed.id
        except AccessDenied:
            continue
    return None


def record_note(env: Env, kind: str, title: str, noted_on: Any, *, body: str | None = None,
                source: str | None = None, competitor: Any = None, customer: Any = None,
                plan: Any = None) -> Note:
    """File a note: policy (environmental, industry), competitor technology, new product, trend ..."""
    key = choice(env, kind, {k: KIND[k] for k in NOTE_KINDS}, "kind")
    on = parse_date(env, noted_on, "noted_on", N_("The date is required."))
    text = required_text(env, title, "title", N_("The title is required."))
    comp = _id(competitor)
    if comp is not None:
        env.get(Competitor, comp)
    cid = _id(customer)
    if cid is not None:
        env.get(Customer, cid)
    collector = my_employee_id(env)
    return env.create(Note, {
        "plan_id": _plan_for(env, plan, key, collector), "collector_id": collector, "kind": key, "noted_on": on,
        "title": text, "body": (body or "").strip() or None, "source": (source or "").strip()[:200] or None,
        "competitor_id": comp, "customer_id": cid,
    })


def record_tech_need(env: Env, customer: Any, stage: str, need: str, noted_on: Any, *, product: Any = None,
                     plan: Any = None) -> TechNeed:
    """File a customer's technical need at a development stage."""
    cid = _id(customer)
    if cid is None:
        raise fail(env, N_("The customer is required."), "customer_id")
    env.get(Customer, cid)
    key = choice(env, stage, STAGE, "stage")
    on = parse_date(env, noted_on, "noted_on", N_("The date is required."))
    text = required_text(env, need, "need", N_("Describe the need."), size=4000)
    pid = _id(product)
    if pid is not None:
        env.get(Product, pid)
    collector = my_employee_id(env)
    return env.create(TechNeed, {
        "plan_id": _plan_for(env, plan, "tech_need", collector), "collector_id": collector, "customer_id": cid,
        "stage": key, "noted_on": on, "need": text, "product_id": pid,
    })


NEED_FIELDS = ("customer_id", "stage", "noted_on", "need", "product_id")


def check_tech_need(env: Env, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The values of a technical need's form, and every field's error (in the user's language) at once.

    Customer (one the user may read), development stage, date (not in the future) and the need are
    required; the product variety is optional (one the user may read). Nothing is written here.
    """
    lang = current_lang(env)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}

    def err(name: str, message: str, **kw: Any) -> None:
        errors.setdefault(name, translate(message, lang, **kw))

    for name, model, required in (("customer_id", Customer, N_("The customer is required.")),
                                  ("product_id", Product, None)):
        raw = str(values.get(name) or "").strip()
        if not raw:
            if required:
                err(name, required)
            data[name] = None
            continue
        try:
            data[name] = env.get(model, int(raw)).id
        except (ValueError, AccessDenied):
            err(name, N_("No record #%(id)s, or one you may not read."), id=raw)
    stage = str(values.get("stage") or "").strip()
    if not stage:
        err("stage", N_("Choose the development stage."))
    elif stage not in STAGE:
        err("stage", N_("Unknown value: %(value)s."), value=stage)
    data["stage"] = stage
    try:
        day = parse_date(env, values.get("noted_on"), "noted_on", N_("The date is required."))
    except ValidationError as exc:
        errors.update({k: v for k, v in exc.errors.items() if k not in errors})
    else:
        if day > today(env):
            err("noted_on", N_("The date cannot be in the future."))
        data["noted_on"] = day
    text = str(values.get("need") or "").strip()
    if not text:
        err("need", N_("Describe the need."))
    elif len(text) > 4000:
        err("need", N_("At most %(n)s characters."), n=4000)
    data["need"] = text
    return data, errors


def save_tech_need(env: Env, values: Mapping[str, Any], need: Any = None) -> TechNeed:
    """File a technical need (``need`` None) or change one; every field checked first, nothing saved on an error.

    The refusal is a :class:`ValidationError` whose ``errors`` map each field to its message. A new
    need is the env user's (collector) under their technical-needs plan; a change keeps its collector
    and is allowed to whoever may write it (the collector: record rules).
    """
    row = env.get(TechNeed, _id(need)) if need is not None else None
    if row is not None:
        env.check(TechNeed, "write")
        if not env.allowed(row, "write"):
            raise AccessDenied(translate(N_("Only the collector may change this technical need."), current_lang(env)))
    data, errors = check_tech_need(env, values)
    if errors:
        raise ValidationError(translate(N_("Please correct the errors below."), current_lang(env)), errors)
    if row is None:
        collector = my_employee_id(env)
        return env.create(TechNeed, {"plan_id": _plan_for(env, None, "tech_need", collector),
                                     "collector_id": collector, **data})
    env.write(row, data)
    return row

