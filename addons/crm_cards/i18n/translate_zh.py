"""zh_CN translations of crm_cards' messages; run to (re)write the catalogs:

    python3 addons/crm_cards/i18n/translate_zh.py

It extracts the messages with the kernel's tool (``i18n/update_catalogs.py``),
fills zh_CN from :data:`ZH` and en with the msgids, and fails listing any
message without a Chinese translation.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent

ZH = {
    "Class %(code)s": "%(code)s类", "Unclassified": "未分类", "No territory": "无片区",
    "%(n)s customers have no monthly card for %(month)s.": "%(n)s 个客户缺少 %(month)s 的月评卡。",
    "No key account is behind plan.": "没有落后于计划的关键客户。",
    "%(name)s: %(n)s late goal(s)": "%(name)s：%(n)s 个阶段目标逾期",
    "Customers by class per territory": "各片区客户分类", "Missing monthly cards": "缺少的月评卡",
    "Key accounts behind plan": "落后于计划的关键客户", "Enter a number.": "请输入数字。",
    "Must not be below %(min)s.": "不能小于 %(min)s。",
    "Please correct the highlighted fields: %(first)s": "请修改标出的字段：%(first)s",
    "Unknown field: %(name)s": "未知字段：%(name)s", "Choose a class among A, B, C and D.": "请在 A、B、C、D 中选择分类。",
    "Enter a year between 2000 and 2100.": "请输入 2000 到 2100 之间的年份。",
    "This customer already has a strategy card for %(year)s.": "该客户已有 %(year)s 年的策略卡。",
    "This card is waiting for approval or approved: revise it first.": "该卡片正在审批或已批准：请先点击“修订”。",
    "Describe the action.": "请填写行动内容。", "Enter the action's date.": "请填写行动日期。",
    "Give a reason when you reject.": "退回时请说明理由。", "Required.": "必填。",
    "Score the enthusiasm from 1 to 5.": "积极性评分为 1 到 5。", "Enter the month.": "请填写月份。",
    "A monthly card cannot be filled for a future month.": "不能填写未来月份的月评卡。", "Future month.": "未来月份。",
    "This monthly card was submitted: it can no longer be changed.": "该月评卡已提交，不能再修改。",
    "Say what must be corrected when you return a card.": "退回卡片时请说明需要修改的内容。",
    "Between 1 and 12 months.": "1 到 12 个月之间。", "Scores go from 0 to 100.": "分数范围为 0 到 100。",
    "Thresholds must go down from A to C.": "分数线必须从 A 到 C 递减。", "Between A and C.": "介于 A 和 C 之间。",
    "At least one weight must be positive.": "至少一个权重必须大于零。",
    "The sales amount for full score must be positive.": "满分销售额必须大于零。", "Unknown factor.": "未知因素。",
    "Give the reason for the class.": "请填写分类理由。", "The review of %(period)s was already run.": "%(period)s 的评审已经进行过。",
    "Give a reason when you refuse.": "否决时请说明理由。", "Scores go from 0 to 10.": "分数范围为 0 到 10。",
    "Unknown status.": "未知状态。", "Only a key account has a key-account plan.": "只有关键客户才有关键客户计划。",
    "This customer already has a plan for %(year)s.": "该客户已有 %(year)s 年的计划。", "Describe the stage goal.": "请填写阶段目标。",
    "Enter the goal's date.": "请填写目标日期。", "Unknown development stage.": "未知的开发阶段。", "Unknown.": "未知。",
    "The date cannot be in the future.": "日期不能晚于今天。", "Future date.": "未来日期。",
    "This customer is a key account: its strategy card is approved by the director.": "该客户是关键客户：其策略卡由营销总监审批。",
    "Periodic review": "定期评审", "Risk": "风险", "Strategy card": "客户策略卡", "Strategy cards": "客户策略卡",
    "Year": "年度", "State": "状态", "Class": "分类", "Customer": "客户", "Owner": "负责人", "Goals": "目标",
    "Opportunities": "机会", "Difficulties": "困难", "Strategy": "策略", "People": "人员", "Budget": "费用预算",
    "Action plan": "行动计划", "Action": "行动", "Actions": "行动", "Done": "已完成", "Date": "日期", "Done on": "完成日期",
    "Key-account plan": "关键客户计划", "Monthly card": "客户月评卡", "Monthly cards": "客户月评卡", "Month": "月份",
    "Sales plan": "计划销售额", "Sales": "实际销售额", "Collections plan": "计划回款", "Collections": "回款",
    "Overdue collections": "逾期回款", "Credit limit": "信用额度", "Credit used": "已用信用", "Enthusiasm (1-5)": "积极性（1-5）",
    "Risks": "风险", "Next month's actions": "下月行动", "Reviewed by": "审阅人", "Reviewed at": "审阅时间",
    "Review comment": "审阅意见", "Key-account plans": "关键客户计划", "Stage goals": "阶段目标", "Staffing": "人员配置",
    "Spent": "已支出", "Stage goal": "阶段目标", "Target amount": "目标金额", "Achieved amount": "完成金额",
    "Key-account screening": "关键客户筛选", "Key accounts": "关键客户", "Score": "得分", "Status": "状态",
    "Attractiveness (0-10)": "吸引力（0-10）", "Feasibility (0-10)": "可行性（0-10）", "Screened on": "筛选日期", "Note": "备注",
    "Class change proposal": "分类调整建议", "Class change proposals": "分类调整建议", "Review": "评审",
    "Current class": "当前分类", "Proposed class": "建议分类", "Reason": "理由", "Decided by": "决定人",
    "Decided at": "决定时间", "Decision comment": "决定意见", "Classification review": "客户分类评审",
    "Classification reviews": "客户分类评审", "Period": "期间", "Run on": "评审日期", "Proposals": "建议",
    "Customer class": "客户分类", "Class history": "分类记录", "Source": "来源", "Previous class": "原分类", "Set by": "设定人",
    "Proposal": "建议", "Development stage": "开发阶段", "Development stages": "开发阶段", "Sequence": "顺序", "Code": "编码",
    "Name (Chinese)": "名称（中文）", "Name (English)": "名称（英文）", "Development progress": "开发进度", "Stage": "阶段",
    "Entered on": "进入日期", "Opportunity": "机会项目", "Class policy": "分类政策", "Class policies": "分类政策",
    "Visits per month": "每月拜访次数", "Credit days": "信用天数", "Credit terms (Chinese)": "信用条件（中文）",
    "Credit terms (English)": "信用条件（英文）", "Price class": "价格等级", "Classification criteria": "客户分类标准",
    "Weight: sales volume": "权重：销售量", "Weight: size": "权重：规模", "Weight: industry standing": "权重：行业地位",
    "Weight: credit": "权重：信用", "Weight: potential": "权重：潜力", "12-month sales for full score": "满分对应的 12 个月销售额",
    "Score for class A": "A类分数线", "Score for class B": "B类分数线", "Score for class C": "C类分数线",
    "Months between reviews": "评审间隔（月）", "Saved.": "已保存。", "Choose one of your customers.": "请选择您的客户。",
    "Monthly card submitted for review.": "月评卡已提交审阅。",
    "Somebody else saved this card since you opened it. Reload the page.": "您打开后已有他人保存了该卡片，请刷新页面。",
    "Review %(period)s run.": "%(period)s 评审已完成。", "No class change to propose.": "没有需要调整的分类。",
    "Customer cards": "客户卡片", "Customer management": "客户管理", "Development pipeline": "客户开发进度板",
    "Customers at risk": "风险客户", "Draft": "草稿", "Waiting for the territory manager": "待片区经理审批",
    "Waiting for the director": "待营销总监审批", "Approved": "已批准", "Rejected": "已退回", "Submit": "提交",
    "Submit to the director": "提交营销总监", "Approve": "批准", "Reject": "退回", "Revise": "修订",
    "Waiting for review": "待审阅", "Reviewed": "已审阅", "Returned": "已退回", "Mark as reviewed": "审阅通过",
    "Return": "退回修改", "Not classified yet.": "尚未分类。", "Key account": "关键客户", "Yes": "是", "No": "否",
    "Over credit limit": "超信用额度", "Profile card": "客户资料卡", "Monthly card for %(month)s": "%(month)s 月评卡",
    "New strategy card": "新建客户策略卡", "Edit": "编辑", "Delete this record?": "删除这条记录？", "Delete": "删除",
    "Why can I see this?": "为什么我能看到？", "Comment": "意见", "Details": "详情", "History": "历史", "No records.": "没有记录。",
    "Approval history": "审批记录", "created": "创建", "updated": "修改", "deleted": "删除", "state changed": "状态变更",
    "No changes recorded.": "没有变更记录。", "All I can see": "我能看到的全部", "My customers": "我的客户", "Fill in": "填写",
    "Every monthly card is there.": "月评卡已全部填写。", "Please correct the errors below.": "请修改下面的错误。",
    "Sales and collections": "销售与回款", "Credit": "信用", "Enthusiasm": "积极性",
    "Save and submit for review": "保存并提交审阅", "Save as draft": "保存草稿", "Territory": "片区",
    "All territories": "全部片区", "Show": "显示", "Customer profile card": "客户资料卡", "Printed on %(date)s": "打印日期 %(date)s",
    "Print": "打印", "Master data": "基本资料", "Name": "名称", "Industry": "行业", "Region": "地区", "Address": "地址",
    "Size": "规模", "Salesperson": "销售员", "Payment terms": "付款条件", "%(n)s visits a month": "每月拜访 %(n)s 次",
    "Contacts and decision makers": "联系人与关键决策者", "No contacts.": "没有联系人。", "Technical data": "技术资料",
    "No technical data yet.": "尚无技术资料。", "Edit technical data": "编辑技术资料",
    "One field per line, e.g. Engine model: 1.5T": "每行一项，例如 发动机型号: 1.5T", "Save": "保存",
    "Open the strategy card": "打开客户策略卡", "No strategy card yet.": "尚无客户策略卡。", "open": "打开",
    "Monthly evaluation": "月度评价", "No monthly card yet.": "尚无月评卡。", "No stage recorded.": "尚无阶段记录。",
    "No customer at risk.": "没有风险客户。", "Cancel": "取消",
    "It belongs to another customer.": "它属于另一个客户。",
    "Customer document": "客户档案", "Customer archives": "客户档案", "Kind": "类别", "Title": "标题",
    "Kept at": "存放位置", "Custodian": "保管人", "Archives": "档案", "No document registered.": "尚无登记的档案。",
    "Register a document": "登记档案",
    "All customers": "全部客户", "Customers by class": "客户分类",
}


def main() -> int:
    spec = importlib.util.spec_from_file_location("tixi_update_catalogs", ROOT / "i18n" / "update_catalogs.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    template = tool.extract(HERE.parent)
    missing = []
    for lang in ("zh_CN", "en"):
        cat = Catalog(locale=lang, project="crm_cards", charset="utf-8")
        for msg in template:
            if not msg.id:
                continue
            if lang == "en":
                text = msg.id
            else:
                text = ZH.get(msg.id, "")
                if not text:
                    missing.append(msg.id)
            cat.add(msg.id, text, locations=msg.locations, flags=msg.flags)
        out = HERE / lang / "LC_MESSAGES" / "messages.po"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as fh:
            write_po(fh, cat, width=100, sort_output=True, omit_header=False)
    if missing:
        print("untranslated:", missing)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
