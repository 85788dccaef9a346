"""Import and export of customers, contacts and product varieties (.xlsx, .csv).

All rows or none: every row is validated first (types, choices, credit code
checksum, references, duplicates inside the file and against the database);
a file with any error imports nothing and returns the per-row error list in
the user's language. A clean file is inserted in bulk (SQLAlchemy Core, one
transaction), audited, checked against the record rules in SQL (the rows must
be ones the user may create) and announced to other addons through
``tixi_records_imported`` (territories assigns the new customers there).

Headers may be Chinese or English (``客户名称`` / ``Customer name``); see
:data:`COLUMNS`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from addons.masterdata.bulk import bulk_insert
from addons.masterdata.models import (
    CONTACT_ROLE,
    CUSTOMER_SIZE,
    CUSTOMER_STATUS,
    SETTLEMENT_METHOD,
    Contact,
    Customer,
    Employee,
    Product,
    ProductLine,
)
from addons.masterdata.services import clean_customer, current_employee
from addons.masterdata.spreadsheet import SpreadsheetError, read_table, write_xlsx
from addons.masterdata.validation import check_email, parse_choice
from core.db import utcnow
from core.errors import AccessDenied, ValidationError
from core.i18n import N_, current_lang, translate
from core.models import AuditEntry, User
from core.search import index_records

if TYPE_CHECKING:
    from core.security.env import Env

# field -> (label zh, label en, accepted header aliases)
COLUMNS: dict[str, dict[str, tuple[str, str, tuple[str, ...]]]] = {
    "customers": {
        "name_zh": ("客户名称", "Customer name", ("客户", "名称", "公司名称", "客户全称", "name", "name_zh", "company")),
        "name_en": ("英文名称", "English name", ("name_en", "english")),
        "code": ("客户编码", "Customer code", ("客户编号", "编码", "code")),
        "credit_code": ("统一社会信用代码", "Unified social credit code", ("信用代码", "社会信用代码", "credit code", "uscc", "credit_code")),
        "industry": ("行业", "Industry", ("所属行业",)),
        "province": ("省份", "Province", ("省", "所在省份")),
        "city": ("城市", "City", ("市", "所在城市")),
        "address": ("地址", "Address", ("详细地址", "通讯地址")),
        "size": ("规模", "Size", ("企业规模",)),
        "status": ("状态", "Status", ("客户状态",)),
        "owner": ("销售员", "Salesperson", ("业务员", "销售代表", "负责人", "owner", "sales rep")),
        "credit_limit": ("信用额度", "Credit limit", ("授信额度", "credit_limit")),
        "settlement_method": ("结算方式", "Settlement method", ("settlement", "settlement_method")),
        "payment_days": ("账期(天)", "Payment days", ("账期", "payment_days")),
        "payment_terms": ("付款条件", "Payment terms", ("payment_terms",)),
        "tags": ("标签", "Tags", ()),
        "notes": ("备注", "Notes", ()),
    },
    "contacts": {
        "customer": ("客户名称", "Customer", ("客户", "客户编码", "统一社会信用代码", "customer name")),
        "name": ("姓名", "Name", ("联系人", "联系人姓名", "contact")),
        "title": ("职务", "Title", ("职位",)),
        "role": ("角色", "Role", ("采购角色", "决策角色", "buying role")),
        "phone": ("电话", "Phone", ("手机", "联系电话", "mobile")),
        "email": ("邮箱", "E-mail", ("电子邮件", "email")),
        "wechat": ("微信", "WeChat", ("微信号", "wechat")),
        "notes": ("备注", "Notes", ()),
    },
    "products": {
        "code": ("品种编码", "Code", ("编码", "产品编码", "品种代码")),
        "name_zh": ("品种名称", "Name", ("名称", "产品名称", "品种", "name_zh")),
        "name_en": ("英文名称", "English name", ("name_en",)),
        "line": ("产品线", "Product line", ("line",)),
        "unit": ("单位", "Unit", ()),
        "spec": ("规格", "Specification", ("规格型号", "spec")),
    },
}
REQUIRED = {"customers": ("name_zh",), "contacts": ("customer", "name"), "products": ("code", "name_zh")}
MAX_ERRORS = 1000


@dataclass
class RowError:
    """One problem: spreadsheet row number (1 = header, 0 = the file), column label, message."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """Outcome of an import: created count, or the errors (then nothing was written)."""

    kind: str
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0
    ids: list[int] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the file was imported."""
        return not self.errors


def _norm(text: str) -> str:
    return "".join(str(text).split()).lower().replace("（", "(").replace("）", ")").replace("*", "")


def map_header(kind: str, header: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    """Column index per field, and the header cells that were not recognised."""
    lookup: dict[str, str] = {}
    for fld, (zh, en, aliases) in COLUMNS[kind].items():
        for name in (zh, en, fld, *aliases):
            lookup.setdefault(_norm(name), fld)
    out: dict[str, int] = {}
    unknown: list[str] = []
    for i, cell in enumerate(header):
        fld = lookup.get(_norm(cell)) if cell else None
        if fld is None:
            if cell:
                unknown.append(cell)
        elif fld not in out:
            out[fld] = i
    return out, unknown


def column_label(kind: str, fld: str, lang: str) -> str:
    """The header label of a field in the user's language."""
    zh, en, _ = COLUMNS[kind].get(fld, (fld, fld, ()))
    return zh if lang.startswith("zh") else en


class _Rows:
    """Collects per-row errors in the user's language."""

    def __init__(self, kind: str, lang: str) -> None:
        self.kind = kind
        self.lang = lang
        self.errors: list[RowError] = []

    def add(self, row: int, fld: str, message: str, /, **params: Any) -> None:
        if len(self.errors) < MAX_ERRORS:
            col = column_label(self.kind, fld, self.lang) if fld else ""
            self.errors.append(RowError(row, col, translate(message, self.lang, **params)))

    def add_text(self, row: int, fld: str, text: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column_label(self.kind, fld, self.lang), text))


def import_file(env: Env, kind: str, data: bytes, filename: str, lang: str | None = None) -> ImportResult:
    """Validate and import a file of ``kind`` (customers, contacts, products): all or nothing.

    Runs in the caller's transaction; on errors nothing is written (the caller
    commits either way).
    """
    started = time.perf_counter()
    lang = lang or current_lang(env)
    result = ImportResult(kind)
    model = {"customers": Customer, "contacts": Contact, "products": Product}[kind]
    env.check(model, "create")
    try:
        table = read_table(data, filename)
        result.phases["parse"] = time.perf_counter() - started
    except SpreadsheetError as exc:
        result.errors.append(RowError(0, "", translate(exc.message, lang, **exc.params)))
        return result
    if not table or not any(table[0]):
        result.errors.append(RowError(0, "", translate(N_("The file is empty."), lang)))
        return result
    cols, _unknown = map_header(kind, table[0])
    missing = [f for f in REQUIRED[kind] if f not in cols]
    if missing:
        names = "、".join(column_label(kind, f, lang) for f in missing)
        result.errors.append(RowError(1, "", translate(N_("Missing column(s): %(names)s."), lang, names=names)))
        return result
    body = [(i, r) for i, r in enumerate(table[1:], start=2) if any(r)]
    result.rows = len(body)
    if not body:
        result.errors.append(RowError(0, "", translate(N_("The file has no data rows."), lang)))
        return result
    handler: Callable[..., list[dict[str, Any]]] = {
        "customers": _validate_customers,
        "contacts": _validate_contacts,
        "products": _validate_products,
    }[kind]
    errs = _Rows(kind, lang)
    mark = time.perf_counter()
    records = handler(env, cols, body, errs)
    result.phases["validate"] = time.perf_counter() - mark
    if errs.errors:
        result.errors = errs.errors
        result.seconds = time.perf_counter() - started
        return result
    try:  # every foreign key once for the whole file (one query per column), as Env.create does
        env.check_references(model, records)
    except ValidationError as exc:
        result.errors = [RowError(0, "", str(exc))]
        result.seconds = time.perf_counter() - started
        return result
    result.ids = _insert(env, model, records, filename, lang, result.phases)
    result.created = len(result.ids)
    result.seconds = time.perf_counter() - started
    return result


def _get(row: Sequence[str], cols: dict[str, int], fld: str) -> str:
    i = cols.get(fld)
    if i is None or i >= len(row):
        return ""
    return row[i]


# ----- customers ---------------------------------------------------------------------------
def _existing_customers(env: Env) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Names (lower-cased), codes and credit codes of the company's customers -> name."""
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    ccodes: dict[str, str] = {}
    elevated = env.sudo()  # sudo: duplicates are refused across owners the user cannot see
    for name, code, ccode in elevated.execute(
        elevated.select(Customer, Customer.name_zh, Customer.code, Customer.credit_code)
    ):
        names[name.lower()] = name
        if code:
            codes[code] = name
        if ccode:
            ccodes[ccode] = name
    return names, codes, ccodes


def _employee_lookup(env: Env) -> dict[str, int | None]:
    """name / English name / code / login (lower-cased) -> employee id; None when ambiguous."""
    out: dict[str, int | None] = {}
    rows = env.execute(
        env.select(Employee, "read", Employee.id, Employee.name_zh, Employee.name_en, Employee.code, User.login)
        .outerjoin(User, User.id == Employee.user_id)
        .where(Employee.active.is_(True))
    )
    for eid, name_zh, name_en, code, login in rows:
        for key in {name_zh, name_en, code, login} - {None, ""}:
            k = key.strip().lower()
            out[k] = eid if out.get(k, eid) == eid else None
    return out


def _validate_customers(env: Env, cols: dict[str, int], body: list, errs: _Rows) -> list[dict[str, Any]]:
    lang = errs.lang
    existing_names, existing_codes, existing_ccodes = _existing_customers(env)
    employees = _employee_lookup(env) if "owner" in cols else {}
    me = current_employee(env)
    seen_names: dict[str, int] = {}
    seen_ccodes: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    fields = [f for f in COLUMNS["customers"] if f in cols and f != "owner"]
    out: list[dict[str, Any]] = []
    for rowno, row in body:
        raw = {f: _get(row, cols, f) for f in fields}
        clean, problems = clean_customer(raw, lang)
        for fld, message in problems.items():
            errs.add_text(rowno, fld, message)
        name = clean.get("name_zh")
        if name:
            key = name.lower()
            if key in seen_names:
                errs.add(rowno, "name_zh", N_("Same customer name as row %(row)s."), row=seen_names[key])
            elif key in existing_names:
                errs.add(rowno, "name_zh", N_("A customer with this name already exists."))
            seen_names.setdefault(key, rowno)
        ccode = clean.get("credit_code")
        if ccode and "credit_code" not in problems:
            if ccode in seen_ccodes:
                errs.add(rowno, "credit_code", N_("Same credit code as row %(row)s."), row=seen_ccodes[ccode])
            elif ccode in existing_ccodes:
                errs.add(rowno, "credit_code", N_("A customer with this credit code already exists: %(name)s."), name=existing_ccodes[ccode])
            seen_ccodes.setdefault(ccode, rowno)
        code = clean.get("code")
        if code:
            if code in seen_codes:
                errs.add(rowno, "code", N_("Same customer code as row %(row)s."), row=seen_codes[code])
            elif code in existing_codes:
                errs.add(rowno, "code", N_("This customer code is already used by %(name)s."), name=existing_codes[code])
            seen_codes.setdefault(code, rowno)
        owner_text = _get(row, cols, "owner") if "owner" in cols else ""
        if owner_text:
            k = owner_text.strip().lower()
            if k not in employees:
                errs.add(rowno, "owner", N_("No employee called %(name)s."), name=owner_text)
            elif employees[k] is None:
                errs.add(rowno, "owner", N_("Several employees are called %(name)s: use the login or employee code."), name=owner_text)
            else:
                clean["owner_id"] = employees[k]
        else:
            clean["owner_id"] = me.id if me is not None else None
        clean.setdefault("status", "prospect")
        if clean.get("status") is None:
            clean["status"] = "prospect"
        clean.setdefault("credit_limit", Decimal("0.00"))
        out.append(clean)
    return out


# ----- contacts ----------------------------------------------------------------------------
def _validate_contacts(env: Env, cols: dict[str, int], body: list, errs: _Rows) -> list[dict[str, Any]]:
    customers: dict[str, int | None] = {}
    stmt = env.select(Customer, "read", Customer.id, Customer.name_zh, Customer.code, Customer.credit_code)
    for cid, name, code, ccode in env.execute(stmt):
        for key in {name, code, ccode} - {None, ""}:
            k = key.strip().lower()
            customers[k] = cid if customers.get(k, cid) == cid else None
    elevated = env.sudo()  # sudo: a customer's contacts are unique whoever may see them
    existing = {
        (cid, n.lower())
        for cid, n in elevated.execute(elevated.select(Contact, Contact.customer_id, Contact.name))
    }
    seen: dict[tuple[int, str], int] = {}
    out = []
    for rowno, row in body:
        cust_text = _get(row, cols, "customer")
        name = _get(row, cols, "name")
        rec: dict[str, Any] = {"name": name or None}
        cid = customers.get(cust_text.strip().lower()) if cust_text else None
        if not cust_text:
            errs.add(rowno, "customer", N_("The customer is required."))
        elif cust_text.strip().lower() not in customers:
            errs.add(rowno, "customer", N_("No customer %(name)s that you may see."), name=cust_text)
        elif cid is None:
            errs.add(rowno, "customer", N_("Several customers match %(name)s: use the code or credit code."), name=cust_text)
        rec["customer_id"] = cid
        if not name:
            errs.add(rowno, "name", N_("The contact name is required."))
        elif len(name) > 100:
            errs.add(rowno, "name", N_("At most %(n)s characters."), n=100)
        for fld, limit in (("title", 100), ("phone", 32), ("email", 200), ("wechat", 64), ("notes", 10000)):
            value = _get(row, cols, fld) or None
            if value and len(value) > limit:
                errs.add(rowno, fld, N_("At most %(n)s characters."), n=limit)
            rec[fld] = value
        if rec["email"]:
            problem = check_email(rec["email"])
            if problem:
                errs.add(rowno, "email", problem[0], **problem[1])
        role, problem = parse_choice(CONTACT_ROLE, _get(row, cols, "role"))
        if problem:
            errs.add(rowno, "role", problem[0], **problem[1])
        rec["role"] = role
        if cid is not None and name:
            key = (cid, name.lower())
            if key in seen:
                errs.add(rowno, "name", N_("Same contact as row %(row)s."), row=seen[key])
            elif key in existing:
                errs.add(rowno, "name", N_("This customer already has a contact with this name."))
            seen.setdefault(key, rowno)
        out.append(rec)
    return out


# ----- products ----------------------------------------------------------------------------
def _validate_products(env: Env, cols: dict[str, int], body: list, errs: _Rows) -> list[dict[str, Any]]:
    lines: dict[str, int] = {}
    for lid, code, name_zh, name_en in env.execute(
        env.select(ProductLine, "read", ProductLine.id, ProductLine.code, ProductLine.name_zh, ProductLine.name_en)
    ):
        for key in {code, name_zh, name_en} - {None, ""}:
            lines[key.strip().lower()] = lid
    # sudo: product codes are unique in the company, whoever may see the products
    existing = set(env.sudo().scalars(env.sudo().select(Product, Product.code)))
    seen: dict[str, int] = {}
    out = []
    for rowno, row in body:
        rec: dict[str, Any] = {}
        for fld, limit in (("code", 32), ("name_zh", 200), ("name_en", 200), ("unit", 16), ("spec", 200)):
            value = _get(row, cols, fld) or None
            if value and len(value) > limit:
                errs.add(rowno, fld, N_("At most %(n)s characters."), n=limit)
            rec[fld] = value
        if not rec["code"]:
            errs.add(rowno, "code", N_("The product code is required."))
        if not rec["name_zh"]:
            errs.add(rowno, "name_zh", N_("The product name is required."))
        rec["unit"] = rec["unit"] or "件"
        line_text = _get(row, cols, "line")
        rec["line_id"] = None
        if line_text:
            lid = lines.get(line_text.strip().lower())
            if lid is None:
                errs.add(rowno, "line", N_("No product line %(name)s."), name=line_text)
            rec["line_id"] = lid
        code = rec["code"]
        if code:
            if code in seen:
                errs.add(rowno, "code", N_("Same product code as row %(row)s."), row=seen[code])
            elif code in existing:
                errs.add(rowno, "code", N_("A product with this code already exists."))
            seen.setdefault(code, rowno)
        out.append(rec)
    return out


# ----- writing -----------------------------------------------------------------------------
def _insert(
    env: Env, model: type, records: list[dict[str, Any]], filename: str, lang: str, phases: dict[str, float]
) -> list[int]:
    """Bulk insert, rule check in SQL, audit, hook. Raises AccessDenied (nothing kept)."""
    mark = time.perf_counter()
    table = model.__table__
    stamp = utcnow()
    base = {
        "company_id": env.company_id,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by_id": env.user_id,
        "updated_by_id": env.user_id,
        "version": 1,
        "active": True,
    }
    keys = sorted({k for r in records for k in r})
    rows = [{**base, **{k: r.get(k) for k in keys}} for r in records]
    ids = bulk_insert(env.session, table, rows, want_ids=True)  # a write: COPY / executemany
    phases["insert"] = time.perf_counter() - mark
    mark = time.perf_counter()
    batch = (table.c.created_at == stamp, table.c.created_by_id == env.user_id, table.c.company_id == env.company_id)
    allowed = env.scalar(env.select(model, "create", func.count()).select_from(table).where(*batch))
    if allowed != len(ids):
        message = N_("%(n)s of the rows are records you may not create (e.g. customers of another salesperson).")
        raise AccessDenied(translate(message, lang, n=len(ids) - int(allowed or 0)))
    phases["rules"] = time.perf_counter() - mark
    mark = time.perf_counter()
    tracked = tuple(getattr(model, "__tixi_tracked__", ()))
    audit_rows = []
    for rid, rec in zip(ids, rows, strict=True):
        changes = {k: [None, str(rec[k]) if isinstance(rec[k], Decimal) else rec[k]] for k in tracked if rec.get(k) is not None}
        audit_rows.append(
            {
                "company_id": env.company_id,
                "model": table.name,
                "res_id": rid,
                "action": "create",
                "user_id": env.user_id,
                "at": stamp,
                "changes": json.dumps(changes, ensure_ascii=False),
            }
        )
    audit_rows.append(
        {
            "company_id": env.company_id,
            "model": table.name,
            "res_id": 0,
            "action": "import",
            "user_id": env.user_id,
            "at": stamp,
            "changes": json.dumps({"file": filename, "rows": len(ids)}, ensure_ascii=False),
        }
    )
    bulk_insert(env.session, AuditEntry.__table__, audit_rows)  # a write
    phases["audit"] = time.perf_counter() - mark
    mark = time.perf_counter()
    env.hooks.tixi_records_imported(env=env, model=table.name, ids=ids)
    phases["hooks"] = time.perf_counter() - mark
    mark = time.perf_counter()
    index_records(env.session, model, ids, rows)  # past the ORM: the search index is told
    phases["search"] = time.perf_counter() - mark
    return ids


# ----- export ------------------------------------------------------------------------------
EXPORT_FIELDS = {
    "customers": ["code", "name_zh", "name_en", "credit_code", "industry", "province", "city", "address", "size", "status", "owner", "credit_limit", "settlement_method", "payment_days", "payment_terms", "tags", "notes"],
    "contacts": ["customer", "name", "title", "role", "phone", "email", "wechat", "notes"],
    "products": ["code", "name_zh", "name_en", "line", "unit", "spec"],
}
_SELECTIONS = {"size": CUSTOMER_SIZE, "status": CUSTOMER_STATUS, "settlement_method": SETTLEMENT_METHOD, "role": CONTACT_ROLE}


def export_file(env: Env, kind: str, where: Sequence[Any] = (), lang: str | None = None) -> bytes:
    """An .xlsx of the records the user may read (same headers as the import accepts).

    Restricted fields the user may not see are left out; text that looks like
    a formula is escaped.
    """
    lang = lang or current_lang(env)
    model = {"customers": Customer, "contacts": Contact, "products": Product}[kind]
    visible = set(env.visible_fields(model))
    fields = [f for f in EXPORT_FIELDS[kind] if f in visible or f in ("owner", "customer", "line")]
    stmt = env.select(model).where(*where).order_by(model.id)
    target = {"customers": Employee, "contacts": Customer, "products": ProductLine}[kind]
    names: dict[int, str] = dict(env.execute(env.select(target, "read", target.id, target.name_zh)).all())

    def rows() -> Any:
        for rec in env.scalars(stmt.execution_options(yield_per=1000)):
            out = []
            for f in fields:
                if f == "owner":
                    out.append(names.get(rec.owner_id, ""))
                elif f == "customer":
                    out.append(names.get(rec.customer_id, ""))
                elif f == "line":
                    out.append(names.get(rec.line_id, ""))
                elif f in _SELECTIONS:
                    out.append(_SELECTIONS[f].label(getattr(rec, f), lang))
                else:
                    value = getattr(rec, f)
                    out.append(value)
            yield out

    header = [column_label(kind, f, lang) for f in fields]
    return write_xlsx(header, rows(), title=kind)
