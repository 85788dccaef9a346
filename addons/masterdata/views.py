"""Pages of masterdata (blueprint ``masterdata``, under ``/masterdata``).

Generic views (``core.web.generic``) for customers, contacts, product lines,
product varieties and employees; own pages for the import (upload, per-row
error report) and the handover of a leaving salesperson. Every read goes
through ``g.env``; writes through the services (validated, audited).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from addons.masterdata.models import (
    CONTACT_ROLE,
    CUSTOMER_SIZE,
    CUSTOMER_STATUS,
    POSITION,
    SETTLEMENT_METHOD,
    Contact,
    Customer,
    Employee,
    Product,
    ProductLine,
)
from addons.masterdata.pickers import sales_people
from addons.masterdata.services import current_employee
from core.errors import AccessDenied, TixiError
from core.i18n import Choices, LazyText, _, _l, choice_label, current_lang
from core.web.generic import Filter, ModelView, Related, Tab

if TYPE_CHECKING:
    from core.security.env import Env
    from core.web.menus import MenuItem

bp = Blueprint("masterdata", __name__, url_prefix="/masterdata", template_folder="templates")

IMPORT_GROUPS = ("core.group_marketing_admin", "core.group_director", "core.group_sales_assistant", "core.group_admin")


def _choices(labels: Choices) -> list[tuple[str, LazyText]]:
    return list(labels.items())


CUSTOMER_LABELS = {
    "code": _l("Customer code"),
    "name_zh": _l("Customer name"),
    "name_en": _l("English name"),
    "credit_code": _l("Unified social credit code"),
    "industry": _l("Industry"),
    "province": _l("Province"),
    "city": _l("City"),
    "address": _l("Address"),
    "size": _l("Size"),
    "status": _l("Status"),
    "owner_id": _l("Salesperson"),
    "credit_limit": _l("Credit limit"),
    "settlement_method": _l("Settlement method"),
    "payment_days": _l("Payment days"),
    "payment_terms": _l("Payment terms"),
    "tags": _l("Tags"),
    "notes": _l("Notes"),
    "active": _l("Active"),
}

customer_view = ModelView(
    name="masterdata.customer",
    model=Customer,
    label=_l("Customer"),
    label_plural=_l("Customers"),
    list_columns=["name_zh", "code", "province", "city", "owner_id", "status", "credit_limit"],
    optional_columns=["name_en", "credit_code", "industry", "size", "settlement_method", "payment_days", "tags"],
    search_fields=["name_zh", "name_en", "code", "credit_code", "city"],
    filters=[
        Filter("status", _l("Status")),
        Filter("owner_id", _l("Salesperson"), choices=sales_people),
        Filter("size", _l("Size")),
        Filter("settlement_method", _l("Settlement method")),
    ],
    form_fields=[
        "name_zh", "name_en", "code", "credit_code", "industry", "province", "city", "address", "size",
        "status", "owner_id", "credit_limit", "settlement_method", "payment_days", "payment_terms", "tags", "notes",
    ],
    detail_fields=[
        "name_zh", "name_en", "code", "credit_code", "industry", "province", "city", "address", "size",
        "status", "owner_id", "credit_limit", "settlement_method", "payment_days", "payment_terms", "tags", "notes",
    ],
    field_labels=CUSTOMER_LABELS,
    choices={
        "status": _choices(CUSTOMER_STATUS),
        "size": _choices(CUSTOMER_SIZE),
        "settlement_method": _choices(SETTLEMENT_METHOD),
    },
    related=[
        Related("contacts", _l("Contacts"), Contact, fk="customer_id",
                columns=["name", "title", "role", "phone", "email", "wechat"], view="masterdata.contact"),
    ],
    order_by=["name_zh"],
    url_prefix="/customers",
    defaults={"status": "prospect"},
)

contact_view = ModelView(
    name="masterdata.contact",
    model=Contact,
    label=_l("Contact"),
    label_plural=_l("Contacts"),
    list_columns=["name", "customer_id", "title", "role", "phone", "email", "wechat"],
    search_fields=["name", "phone", "email", "wechat"],
    filters=[Filter("role", _l("Buying role"))],
    form_fields=["customer_id", "name", "title", "role", "phone", "email", "wechat", "notes"],
    field_labels={
        "name": _l("Full name"), "customer_id": _l("Customer"), "title": _l("Job title"), "role": _l("Buying role"),
        "phone": _l("Phone"), "email": _l("E-mail"), "wechat": _l("WeChat"), "notes": _l("Notes"),
    },
    choices={"role": _choices(CONTACT_ROLE)},
    order_by=["name"],
    url_prefix="/contacts",
    can_delete=True,
)

product_line_view = ModelView(
    name="masterdata.product_line",
    model=ProductLine,
    label=_l("Product line"),
    label_plural=_l("Product lines"),
    list_columns=["code", "name_zh", "name_en"],
    search_fields=["code", "name_zh", "name_en"],
    field_labels={"code": _l("Code"), "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)")},
    related=[Related("products", _l("Product varieties"), Product, fk="line_id",
                     columns=["code", "name_zh", "unit"], view="masterdata.product")],
    order_by=["code"],
    url_prefix="/product-lines",
)

product_view = ModelView(
    name="masterdata.product",
    model=Product,
    label=_l("Product variety"),
    label_plural=_l("Product varieties"),
    list_columns=["code", "name_zh", "name_en", "line_id", "unit", "spec"],
    search_fields=["code", "name_zh", "name_en", "spec"],
    filters=[Filter("line_id", _l("Product line"))],
    form_fields=["code", "name_zh", "name_en", "line_id", "unit", "spec"],
    field_labels={
        "code": _l("Code"), "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"),
        "line_id": _l("Product line"), "unit": _l("Unit"), "spec": _l("Specification"),
    },
    order_by=["code"],
    url_prefix="/products",
)

employee_view = ModelView(
    name="masterdata.employee",
    model=Employee,
    label=_l("Employee"),
    label_plural=_l("Employees"),
    list_columns=["name_zh", "name_en", "code", "position", "manager_id", "user_id", "phone"],
    search_fields=["name_zh", "name_en", "code", "phone", "email"],
    filters=[Filter("position", _l("Position")), Filter("manager_id", _l("Manager"))],
    form_fields=["name_zh", "name_en", "code", "position", "manager_id", "user_id", "phone", "email",
                 "date_joined", "date_left"],
    field_labels={
        "name_zh": _l("Name (Chinese)"), "name_en": _l("Name (English)"), "code": _l("Employee code"),
        "position": _l("Position"), "manager_id": _l("Manager"), "user_id": _l("User"), "phone": _l("Phone"),
        "email": _l("E-mail"), "date_joined": _l("Joined on"), "date_left": _l("Left on"),
    },
    choices={"position": _choices(POSITION)},
    related=[
        Related("reports", _l("Direct reports"), Employee, fk="manager_id",
                columns=["name_zh", "position"], view="masterdata.employee"),
    ],
    # not a related list: those stop at 50 rows and their badge counted the rows shown (客户 50 for 53)
    tabs=[Tab("customers", _l("Customers"), lambda env, employee: employee_customers_tab(env, employee), sequence=20)],
    order_by=["code"],
    url_prefix="/employees",
)

for _view in (customer_view, contact_view, product_line_view, product_view, employee_view):
    _view.register(bp)


EMPLOYEE_CUSTOMERS_SHOWN = 50


def employee_customers(env: Env, employee_id: int) -> tuple[int, list[Customer]]:
    """An employee's customers as the customer list filtered by salesperson counts them.

    The same definition on both pages: customers the user may read whose owner
    is the employee, whatever their status (archived ones included); returns
    the count and the first :data:`EMPLOYEE_CUSTOMERS_SHOWN` by name.
    """
    where = Customer.owner_id == employee_id
    total = env.count(Customer, where)
    rows = env.search(Customer, where, order_by=[Customer.name_zh], limit=EMPLOYEE_CUSTOMERS_SHOWN)
    return total, rows


def employee_customers_tab(env: Env, employee: Employee) -> Markup:
    """The "Customers" tab of the employee page: the true count, the first rows, a link to the full list."""
    if not env.can(Customer, "read"):
        return Markup("")
    total, rows = employee_customers(env, employee.id)
    return Markup(render_template(
        "masterdata/_employee_customers.html", total=total, rows=rows, employee=employee,
        status_label=lambda k: choice_label(CUSTOMER_STATUS, k, current_lang(env)),
        list_url=url_for(customer_view.endpoint("list"), f_owner_id=employee.id),
    ))


# ----- import ------------------------------------------------------------------------------
KINDS = {"customers": _l("Customers"), "contacts": _l("Contacts"), "products": _l("Product varieties")}


def _may_import(env: Env, kind: str) -> bool:
    model = {"customers": Customer, "contacts": Contact, "products": Product}[kind]
    return env.can(model, "create")


@bp.route("/import", methods=["GET", "POST"])
def import_page() -> Any:
    """Upload an .xlsx/.csv of customers, contacts or products; all rows or none."""
    from addons.masterdata.importer import COLUMNS, REQUIRED, column_label, import_file
    from addons.masterdata.spreadsheet import MAX_UPLOAD_BYTES

    env = g.env
    kinds = [(k, v) for k, v in KINDS.items() if _may_import(env, k)]
    if not kinds:
        abort(403)
    lang = current_lang(env)
    result = None
    kind = request.values.get("kind", kinds[0][0])
    if kind not in dict(kinds):
        abort(403)
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("Choose a file to import."), "warning")
        else:
            data = upload.stream.read(MAX_UPLOAD_BYTES + 1)
            result = import_file(env, kind, data, upload.filename, lang=lang)
            if result.ok:
                flash(_("%(n)s records imported.", n=result.created), "success")
            else:
                status = 422  # the request's transaction is rolled back: nothing written
    columns = [(column_label(kind, f, lang), f in REQUIRED[kind]) for f in COLUMNS[kind]]
    return render_template(
        "masterdata/import.html", kinds=kinds, kind=kind, result=result, columns=columns,
        max_mb=MAX_UPLOAD_BYTES // 2**20,
    ), status


@bp.route("/import/template/<kind>.xlsx")
def import_template(kind: str) -> Response:
    """An empty .xlsx with the accepted headers (in the user's language)."""
    from addons.masterdata.importer import COLUMNS, column_label
    from addons.masterdata.spreadsheet import write_xlsx

    if kind not in KINDS or not _may_import(g.env, kind):
        abort(404)
    lang = current_lang(g.env)
    data = write_xlsx([column_label(kind, f, lang) for f in COLUMNS[kind]], [], title=kind)
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={kind}-template.xlsx"},
    )


# ----- handover ----------------------------------------------------------------------------
@bp.route("/handover", methods=["GET", "POST"])
def handover_page() -> Any:
    """Hand a leaving salesperson's customers, open work and archives to a successor, in two steps.

    Step one chooses the leaving person (GET ``from_employee``); step two shows
    what will move (counts and the customers) with the successors that make
    sense (:func:`~addons.masterdata.handover.successor_candidates`) and runs the
    handover only when that page is confirmed (POST ``confirm=1``).
    """
    from addons.masterdata.handover import (
        handover,
        handover_preview,
        may_hand_over,
        successor_candidates,
    )

    env = g.env
    lang = current_lang(env)
    env.check(Customer, "read")
    employees = env.search(Employee, Employee.active.is_(True), order_by=[Employee.name_zh])
    leaving = [e for e in employees if may_hand_over(env, e)]
    if not leaving:
        abort(403)
    source = request.form if request.method == "POST" else request.args
    try:
        src_id = int(source.get("from_employee") or 0)
    except ValueError:
        abort(400)
    src = next((e for e in leaving if e.id == src_id), None)
    if src_id and src is None:
        abort(403)
    if src is None:  # step one: who leaves
        return render_template("masterdata/handover.html", leaving=leaving, src=None, lang=lang)
    candidates = successor_candidates(env, src)
    preview = handover_preview(env, src)
    context = {"leaving": leaving, "src": src, "candidates": candidates, "preview": preview, "lang": lang}
    if request.method == "POST":
        try:
            dst_id = int(request.form.get("to_employee") or 0)
        except ValueError:
            dst_id = 0
        dst = next((e for e in candidates if e.id == dst_id), None)
        if dst is None:
            message = _("Choose the successor among the salespeople and managers offered.")
            return render_template("masterdata/handover.html", error=message, **context), 422
        if request.form.get("confirm") != "1":
            message = _("Confirm the handover: tick the box after checking what will move.")
            return render_template("masterdata/handover.html", error=message, dst_id=dst.id, **context), 422
        try:
            counts = handover(env, src, dst)
        except AccessDenied:
            abort(403)
        except TixiError as exc:  # ValidationError included
            env.session.rollback()
            return render_template("masterdata/handover.html", error=str(exc), **context), 422
        flash(_("Handover done: %(n)s customers moved.", n=counts.get("masterdata_customer", 0)), "success")
        return redirect(url_for("masterdata.employee_detail", id=dst.id))
    return render_template("masterdata/handover.html", **context)


def menu_items(env: Env) -> list[MenuItem]:
    """The "Customers" and "Master data" menus."""
    from core.web.menus import MenuItem

    parent = "masterdata"
    items = [
        customer_view.menu_item(_l("Customers"), sequence=10),
        MenuItem(parent, _l("Master data"), "", sequence=80),
        contact_view.menu_item(_l("Contacts"), sequence=1, parent=parent),
        product_view.menu_item(_l("Product varieties"), sequence=2, parent=parent),
        product_line_view.menu_item(_l("Product lines"), sequence=3, parent=parent),
        employee_view.menu_item(_l("Employees"), sequence=4, parent=parent),
        MenuItem("masterdata.import", _l("Import"), "masterdata.import_page", model=Customer,
                 group=list(IMPORT_GROUPS), parent=parent, sequence=5),
        MenuItem("masterdata.handover", _l("Handover"), "masterdata.handover_page", model=Customer,
                 group=["core.group_territory_manager", "core.group_marketing_admin", "core.group_admin"],
                 parent=parent, sequence=6),
    ]
    return items


def employee_of_user(env: Env) -> Employee | None:
    """The current user's employee record (for templates)."""
    return current_employee(env)
