"""Import: good file, file with errors (nothing imported), Chinese headers, duplicates, unsafe files."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from addons.masterdata.importer import export_file, import_file
from addons.masterdata.models import Contact, Customer, Product, ProductLine
from addons.masterdata.spreadsheet import SpreadsheetError, read_table
from addons.masterdata.tests.helpers import build_org
from addons.masterdata.validation import make_credit_code
from core.models import AuditEntry
from core.testing import make_env, tixi_db  # noqa: F401

HEADER = ["客户名称", "统一社会信用代码", "省份", "城市", "销售员", "信用额度", "结算方式", "状态"]


def xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def code(i):
    return make_credit_code(f"9153010{i:010d}")


def good_rows(n=5, start=0):
    return [[f"客户{i}", code(i), "上海", "上海市", "王伟", "100000.50", "月结", "活跃"] for i in range(start, start + n)]


def test_import_good_bad_and_duplicates(tixi_db):  # noqa: F811
    tixi_db.install("masterdata", "territories", companies=["acme"])
    ids = build_org(tixi_db)
    with tixi_db.session() as s:
        ops = make_env(tixi_db, s, ids["users"]["ops"])
        res = import_file(ops, "customers", xlsx([HEADER, *good_rows(5)]), "customers.xlsx")
        assert res.ok, res.errors
        assert res.created == 5
        c = s.scalar(select(Customer).where(Customer.name_zh == "客户0"))
        assert c.owner_id == ids["employees"]["wangwei"]
        assert str(c.credit_limit) == "100000.50"
        assert c.settlement_method == "monthly"
        assert c.status == "active"
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import")) == 1

    # four bad rows -> nothing imported, one message per problem, in Chinese
    bad = [HEADER, *good_rows(3, start=10)]
    bad.append(["", code(20), "上海", "", "王伟", "", "", ""])  # no name
    bad.append(["客户21", code(21)[:17] + "0" if code(21)[17] != "0" else code(21)[:17] + "1", "", "", "王伟", "", "", ""])
    bad.append(["客户22", "", "", "", "无名氏", "abc", "", ""])  # unknown salesperson, bad amount
    bad.append(["客户10", "", "", "", "", "", "", ""])  # duplicate of row 2 in the file
    bad.append(["客户0", code(0), "", "", "", "", "", ""])  # already in the database
    with tixi_db.session() as s:
        ops = make_env(tixi_db, s, ids["users"]["ops"])
        res = import_file(ops, "customers", xlsx(bad), "bad.xlsx")
        assert not res.ok
        assert res.created == 0
        rows = sorted({e.row for e in res.errors})
        assert rows == [5, 6, 7, 8, 9]
        text = " ".join(e.message for e in res.errors)
        assert "客户名称必填" in text
        assert "校验位" in text
        assert "无名氏" in text
        assert "第2行" in text
        assert "已存在" in text
        assert {e.column for e in res.errors} >= {"客户名称", "统一社会信用代码", "销售员", "信用额度"}
        assert ops.count(Customer) == 5
        en = import_file(ops, "customers", xlsx(bad), "bad.xlsx", lang="en")
        assert any("check digit" in e.message for e in en.errors)

    # CSV in GB18030 with English headers; contacts and products
    csv_text = "Customer name,Province,Salesperson\n客户30,北京,zhao\n"
    with tixi_db.session() as s:
        ops = make_env(tixi_db, s, ids["users"]["ops"])
        assert import_file(ops, "customers", csv_text.encode("gb18030"), "c.csv").created == 1
        contacts = xlsx([["客户", "姓名", "角色", "邮箱"], ["客户0", "李工", "技术", "li@example.com"], ["客户1", "赵总", "决策者", ""]])
        res = import_file(ops, "contacts", contacts, "contacts.xlsx")
        assert res.ok, res.errors
        assert s.scalar(select(Contact.role).where(Contact.name == "李工")) == "technical"
        s.add(ProductLine(company_id=ops.company_id, code="TWC", name_zh="三元催化剂"))
        s.flush()
        prods = xlsx([["品种编码", "品种名称", "产品线", "单位"], ["P1", "汽油车三元催化剂", "三元催化剂", "件"], ["P1", "重复", "", ""]])
        res = import_file(ops, "products", prods, "p.xlsx")
        assert [e.row for e in res.errors] == [3]
        assert s.scalar(select(func.count()).select_from(Product)) == 0
        # export gives back what the user may read, with the same headers
        data = export_file(ops, "customers")
        ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        got = list(ws.iter_rows(values_only=True))
        assert got[0][1] == "客户名称"
        assert len(got) == 7

    # a salesperson may not import customers of someone else
    with tixi_db.session() as s:
        wang = make_env(tixi_db, s, ids["users"]["wangwei"])
        from core.errors import AccessDenied

        with pytest.raises(AccessDenied):
            import_file(wang, "customers", xlsx([["客户名称", "销售员"], ["客户40", "赵敏"]]), "x.xlsx")


def test_unsafe_files_refused():
    # zip bomb: a huge, very compressible member
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"0" * (5 * 1024 * 1024) + b"</a>")
    with pytest.raises(SpreadsheetError, match="zip bomb"):
        read_table(buf.getvalue(), "bomb.xlsx")
    # billion laughs / external entities: any DTD is refused before parsing
    good = io.BytesIO(xlsx([["客户名称"], ["x"]]))
    evil = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(evil, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                dtd = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                data = data.replace(b"?>", b"?>" + dtd, 1) if data.startswith(b"<?xml") else dtd + data
            dst.writestr(item, data)
    with pytest.raises(SpreadsheetError, match="XML"):
        read_table(evil.getvalue(), "evil.xlsx")
    with pytest.raises(SpreadsheetError):
        read_table(b"not a zip", "x.xlsx")
    with pytest.raises(SpreadsheetError):
        read_table(b"x" * (21 * 1024 * 1024), "big.csv")
    with pytest.raises(SpreadsheetError):
        read_table(b"a,b", "x.exe")
