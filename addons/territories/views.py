"""Pages of territories (blueprint ``territories``, under ``/territories``).

* the tree (expand/collapse with ``<details>``, no script needed; "move to");
* a territory's page: its people (with history), its customers and a summary
  (customers by status, counts by salesperson, an ECharts chart);
* generic views of territories, members, province mappings and assignments;
* a "Territory" tab on masterdata's customer page (current territory, history,
  manual re-assignment).

Every read goes through ``g.env`` (record rules); moves through the services.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import func, select

from addons.masterdata.models import CUSTOMER_STATUS, Customer, Employee
from addons.territories.models import (
    ASSIGN_SOURCE,
    MEMBER_ROLE,
    CustomerTerritory,
    ProvinceMapping,
    Territory,
    TerritoryMember,
    territory_closure,
)
from addons.territories.services import assign_customer, customers_in_query, move_territory
from core.errors import AccessDenied, ValidationError
from core.i18n import Choices, LazyText, _, _l, current_lang
from core.web.generic import Filter, ModelView, Related, Tab

if TYPE_CHECKING:
    from core.security.env import Env
    from core.web.dashboard import Widget
    from core.web.menus import MenuItem

bp = Blueprint("territories", __name__, url_prefix="/territories", template_folder="templates")


def _choices(labels: Choices) -> list[tuple[str, LazyText]]:
    return list(labels.items())


territory_view = ModelView(
    name="territories.territory",
    model=Territory,
    label=_l("Territory"),
    label_plural=_l("Territories"),
    list_columns=["name_zh", "code", "name_en", "parent_id", "manager_id", "sequence"],
    search_fields=["name_zh", "name_en", "code"],
    filters=[Filter("parent_id", _l("Parent territory")), Filter("manager_id", _l("Territory Manager"))],
    form_fields=["name_zh", "name_en", "code", "parent_id", "manager_id", "sequence"],
    field_labels={
        "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"), "code": _l("Code"),
        "parent_id": _l("Parent territory"), "manager_id": _l("Territory Manager"), "sequence": _l("Sequence"),
    },
    related=[
        Related("children", _l("Sub-territories"), Territory, fk="parent_id",
                columns=["name_zh", "code", "manager_id"], view="territories.territory"),
        Related("provinces", _l("Provinces"), ProvinceMapping, fk="territory_id",
                columns=["province", "city"], view="territories.province"),
    ],
    tabs=[],
    order_by=["sequence", "code"],
    url_prefix="/list",
)

member_view = ModelView(
    name="territories.member",
    model=TerritoryMember,
    label=_l("Territory member"),
    label_plural=_l("Territory members"),
    list_columns=["employee_id", "territory_id", "role", "date_from", "date_to"],
    filters=[Filter("territory_id", _l("Territory")), Filter("employee_id", _l("Employee")), Filter("role", _l("Role"))],
    form_fields=["employee_id", "territory_id", "role", "date_from", "date_to"],
    field_labels={
        "employee_id": _l("Employee"), "territory_id": _l("Territory"), "role": _l("Role"),
        "date_from": _l("Start date"), "date_to": _l("End date"),
    },
    choices={"role": _choices(MEMBER_ROLE)},
    order_by=["-date_from"],
    url_prefix="/members",
)

province_view = ModelView(
    name="territories.province",
    model=ProvinceMapping,
    label=_l("Province mapping"),
    label_plural=_l("Province mappings"),
    list_columns=["province", "city", "territory_id"],
    search_fields=["province", "city"],
    filters=[Filter("territory_id", _l("Territory"))],
    form_fields=["province", "city", "territory_id"],
    field_labels={"province": _l("Province"), "city": _l("City"), "territory_id": _l("Territory")},
    order_by=["province"],
    url_prefix="/provinces",
    can_delete=True,
)

assignment_view = ModelView(
    name="territories.assignment",
    model=CustomerTerritory,
    label=_l("Customer territory"),
    label_plural=_l("Customer territories"),
    list_columns=["customer_id", "territory_id", "source", "date_from", "date_to"],
    filters=[Filter("territory_id", _l("Territory")), Filter("source", _l("Source"))],
    field_labels={
        "customer_id": _l("Customer"), "territory_id": _l("Territory"), "source": _l("Source"),
        "date_from": _l("Start date"), "date_to": _l("End date"),
    },
    choices={"source": _choices(ASSIGN_SOURCE)},
    order_by=["-date_from"],
    url_prefix="/assignments",
    can_create=False,
    can_edit=False,
)

for _view in (territory_view, member_view, province_view, assignment_view):
    _view.register(bp)


# ----- the tree ----------------------------------------------------------------------------
def _tree(env: Env) -> tuple[list[Territory], dict[int | None, list[Territory]]]:
    nodes = env.search(Territory, order_by=[Territory.sequence, Territory.code])
    children: dict[int | None, list[Territory]] = {}
    ids = {n.id for n in nodes}
    for n in nodes:
        parent = n.parent_id if n.parent_id in ids else None
        children.setdefault(parent, []).append(n)
    return nodes, children


def _subtree(children: dict[int | None, list[Territory]], root_id: int) -> set[int]:
    out, stack = set(), [root_id]
    while stack:
        nid = stack.pop()
        out.add(nid)
        stack.extend(c.id for c in children.get(nid, []))
    return out


@bp.route("/")
def tree_page() -> Any:
    """The territory tree with customer counts (only customers the user may read)."""
    env = g.env
    nodes, children = _tree(env)
    readable = env.select(Customer, "read", Customer.id)
    # sudo: assignments of the customers the user may read, whatever the rules on assignment rows
    direct = dict(env.execute(
        env.sudo().select(CustomerTerritory, CustomerTerritory.territory_id, func.count(CustomerTerritory.customer_id))
        .where(CustomerTerritory.date_to.is_(None), CustomerTerritory.customer_id.in_(readable))
        .group_by(CustomerTerritory.territory_id)
    ).all())
    totals: dict[int, int] = {}

    def total(node: Territory) -> int:
        if node.id not in totals:
            totals[node.id] = direct.get(node.id, 0) + sum(total(c) for c in children.get(node.id, []))
        return totals[node.id]

    for n in nodes:
        total(n)
    can_move = env.can(Territory, "write")
    targets = {n.id: [t for t in nodes if t.id not in _subtree(children, n.id)] for n in nodes} if can_move else {}
    return render_template(
        "territories/tree.html", roots=children.get(None, []), children=children, totals=totals,
        can_move=can_move, targets=targets, lang=current_lang(env),
    )


@bp.route("/<int:id>/move", methods=["POST"])
def move_page(id: int) -> Any:
    """Move a territory (and its subtree) under another one, or to the top."""
    env = g.env
    node = env.get(Territory, id, "write")
    raw = request.form.get("parent_id", "")
    parent = env.get(Territory, int(raw)) if raw else None
    try:
        move_territory(env, node, parent)
    except ValidationError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("territories.tree_page")), 303
    flash(_("Territory %(name)s moved.", name=node.display(current_lang(env))), "success")
    return redirect(url_for("territories.tree_page"))


# ----- a territory's page ------------------------------------------------------------------
@bp.route("/<int:id>")
def overview_page(id: int) -> Any:
    """People, customers and a summary of one territory and everything below it."""
    env = g.env
    lang = current_lang(env)
    node = env.get(Territory, id)
    subtree = select(territory_closure.c.descendant_id).where(territory_closure.c.ancestor_id == node.id)
    in_territory = Customer.id.in_(customers_in_query(subtree))
    members = env.search(
        TerritoryMember, TerritoryMember.territory_id.in_(subtree),
        order_by=[TerritoryMember.date_to.is_not(None), TerritoryMember.date_from.desc()],
    )
    emp_ids = {m.employee_id for m in members}
    by_status = dict(env.execute(
        env.select(Customer, "read", Customer.status, func.count(Customer.id)).where(in_territory).group_by(Customer.status)
    ).all())
    by_owner_rows = env.execute(
        env.select(Customer, "read", Customer.owner_id, Customer.status, func.count(Customer.id))
        .where(in_territory).group_by(Customer.owner_id, Customer.status)
    ).all()
    owner_ids = {o for o, _s, _n in by_owner_rows if o is not None} | emp_ids
    employees = {e.id: e for e in env.search(Employee, Employee.id.in_(owner_ids))} if owner_ids else {}
    by_owner: dict[Any, dict[str, int]] = {}
    for owner, status, n in by_owner_rows:
        by_owner.setdefault(owner, {})[status] = n
    total = sum(by_status.values())
    customers = env.search(Customer, in_territory, order_by=[Customer.name_zh], limit=100)
    statuses = CUSTOMER_STATUS.choices(lang)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "xAxis": {"type": "category", "data": [
            employees[o].display(lang) if o in employees else _("Nobody") for o in by_owner
        ]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": name, "type": "bar", "stack": "s", "data": [by_owner[o].get(key, 0) for o in by_owner]}
            for key, name in statuses
        ],
    }
    return render_template(
        "territories/overview.html", node=node, members=members, employees=employees, by_status=by_status,
        by_owner=by_owner, total=total, customers=customers, statuses=statuses, lang=lang,
        chart_json=json.dumps(chart, ensure_ascii=False), role_label=lambda r: MEMBER_ROLE.label(r, lang),
        status_label=lambda s: CUSTOMER_STATUS.label(s, lang),
    )


# ----- the customer tab --------------------------------------------------------------------
def customer_tab(env: Env, customer: Customer) -> Markup:
    """Current territory, its history and (for those allowed) a manual re-assignment form."""
    lang = current_lang(env)
    rows = env.search(
        CustomerTerritory, CustomerTerritory.customer_id == customer.id,
        order_by=[CustomerTerritory.date_from.desc(), CustomerTerritory.id.desc()],
    )
    names = {t.id: t.display(lang) for t in env.search(Territory)}
    can_assign = env.can(CustomerTerritory, "write") and env.allowed(customer, "read")
    return Markup(render_template(
        "territories/_customer_tab.html", customer=customer, rows=rows, names=names,
        can_assign=can_assign, source_label=lambda s: ASSIGN_SOURCE.label(s, lang),
        territories=sorted(names.items(), key=lambda kv: kv[1]),
    ))


@bp.route("/assign/<int:customer_id>", methods=["POST"])
def assign_page(customer_id: int) -> Any:
    """Assign a customer to a territory by hand (overrides the province mapping)."""
    env = g.env
    customer = env.get(Customer, customer_id)
    raw = request.form.get("territory_id", "")
    territory = env.get(Territory, int(raw)) if raw else None
    try:
        assign_customer(env, customer, territory)
    except AccessDenied:
        abort(403)
    flash(_("Territory of %(name)s changed.", name=customer.display(current_lang(env))), "success")
    return redirect(url_for("masterdata.customer_detail", id=customer.id))


def view_extension(view: str, env: Env) -> dict[str, Any] | None:
    """``tixi_view_extend``: the "Territory" tab on masterdata's customer page."""
    if view == "masterdata.customer" and env.can(CustomerTerritory, "read"):
        return {"tabs": [Tab("territory", _l("Territory"), customer_tab, sequence=10)]}
    return None


def menu_items(env: Env) -> list[MenuItem]:
    """The "Territories" menu."""
    from core.web.menus import MenuItem

    parent = "territories"
    return [
        MenuItem(parent, _l("Territories"), "", sequence=15),
        MenuItem("territories.tree", _l("Territory tree"), "territories.tree_page", model=Territory,
                 parent=parent, sequence=1),
        territory_view.menu_item(_l("Territory list"), sequence=2, parent=parent),
        member_view.menu_item(_l("Territory members"), sequence=3, parent=parent),
        assignment_view.menu_item(_l("Customer territories"), sequence=4, parent=parent),
        province_view.menu_item(_l("Province mappings"), sequence=5, parent=parent,
                                group=["core.group_director", "core.group_marketing_admin", "core.group_admin"]),
    ]


# ----- dashboard ---------------------------------------------------------------------------
def dashboard_widgets(env: Env) -> list[Widget]:
    """"Customers by territory": top-level territories side by side, stacked by status.

    Counts only customers the user may read (their rules apply), in one query
    through the closure table.
    """
    from core.web.dashboard import Widget

    if not env.can(Customer, "read") or not env.can(Territory, "read"):
        return []
    lang = current_lang(env)
    roots = env.search(Territory, Territory.parent_id.is_(None), order_by=[Territory.sequence, Territory.code])
    if not roots:
        return []
    readable = env.select(Customer, "read", Customer.id)
    # sudo: assignments of the customers the user may read, whatever the rules on assignment rows
    rows = env.execute(
        env.sudo().select(CustomerTerritory, territory_closure.c.ancestor_id, Customer.status, func.count(Customer.id))
        .select_from(CustomerTerritory)
        .join(territory_closure, territory_closure.c.descendant_id == CustomerTerritory.territory_id)
        .join(Customer, Customer.id == CustomerTerritory.customer_id)
        .where(
            CustomerTerritory.date_to.is_(None),
            territory_closure.c.ancestor_id.in_([r.id for r in roots]),
            Customer.id.in_(readable),
        )
        .group_by(territory_closure.c.ancestor_id, Customer.status)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for tid, status, n in rows:
        counts.setdefault(tid, {})[status] = n
    shown = [r for r in roots if counts.get(r.id)]
    if not shown:
        return []
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "xAxis": {"type": "category", "data": [r.display(lang) for r in shown]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": CUSTOMER_STATUS.label(key, lang), "type": "bar", "stack": "s",
             "data": [counts[r.id].get(key, 0) for r in shown]}
            for key in CUSTOMER_STATUS
        ],
    }
    return [Widget("territories.customers", _l("Customers by territory"), chart=chart, sequence=20)]
