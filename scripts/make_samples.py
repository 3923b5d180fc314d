"""Write the binary sample documents (PDF and DOCX) into samples/, byte for byte the same
on every run, from the text kept below.

The text uses a small line markup, so that each document reads as a document here:
"# " title, "## " and "### " headings, "- " bullet, "| a | b |" table rows (the first row
of a table is its header), and any other line is one paragraph.

Run: .venv/bin/python scripts/make_samples.py
"""

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
AUTHOR = "Northwind Robotics"
FIXED_TIME = datetime(2026, 1, 5, 9, 0, 0)  # fixed metadata dates keep the files reproducible


@dataclass(frozen=True)
class Block:
    kind: str  # "title", "h2", "h3", "bullet", "table", "paragraph"
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


def blocks(markup: str) -> Iterator[Block]:
    rows: list[tuple[str, ...]] = []
    for line in [*markup.strip().splitlines(), ""]:
        if line.startswith("|"):
            rows.append(tuple(cell.strip() for cell in line.strip().strip("|").split("|")))
            continue
        if rows:
            yield Block("table", rows=tuple(rows))
            rows = []
        prefixes = {"# ": "title", "## ": "h2", "### ": "h3", "- ": "bullet"}
        kind = next((k for prefix, k in prefixes.items() if line.startswith(prefix)), "paragraph")
        text = line.split(" ", 1)[1] if kind != "paragraph" else line.strip()
        if text:
            yield Block(kind, text)


# --- PDF (reportlab) ----------------------------------------------------------------


def make_pdf(markup: str, *, chinese: bool) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    sheet = getSampleStyleSheet()
    font = "Helvetica"
    if chinese:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # built into reportlab, no font file
        font = "STSong-Light"
    extra = {"fontName": font, "wordWrap": "CJK" if chinese else None}
    styles = {
        "title": ParagraphStyle("T", parent=sheet["Title"], fontSize=18, leading=22, **extra),
        "h2": ParagraphStyle("H2", parent=sheet["Heading2"], fontSize=14, leading=18, **extra),
        "h3": ParagraphStyle("H3", parent=sheet["Heading3"], fontSize=12, leading=15, **extra),
        "paragraph": ParagraphStyle("B", parent=sheet["BodyText"], fontSize=10, leading=14, **extra),
    }
    styles["bullet"] = ParagraphStyle(
        "L", parent=styles["paragraph"], leftIndent=12, bulletIndent=2, bulletFontName="Helvetica"
    )
    story = []
    document_title = ""
    for block in blocks(markup):
        if block.kind == "title":
            document_title = block.text
        if block.kind == "table":
            table = Table([list(row) for row in block.rows], hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("FONT", (0, 0), (-1, -1), font, 9),
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ]
                )
            )
            story += [table, Spacer(1, 4 * mm)]
        elif block.kind == "bullet":
            story.append(Paragraph(block.text, styles["bullet"], bulletText="•"))
        else:
            story.append(Paragraph(block.text, styles[block.kind]))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=document_title, author=AUTHOR, invariant=True, leftMargin=25 * mm
    )
    document.build(story)
    return buffer.getvalue()


# --- DOCX (python-docx) -------------------------------------------------------------


def make_docx(markup: str) -> bytes:
    import docx

    document = docx.Document()
    for block in blocks(markup):
        if block.kind == "title":
            document.add_heading(block.text, level=0)
            document.core_properties.title = block.text
        elif block.kind in ("h2", "h3"):
            document.add_heading(block.text, level=int(block.kind[1]) - 1)
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        elif block.kind == "table":
            table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row, values in zip(table.rows, block.rows, strict=True):
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = value
        else:
            document.add_paragraph(block.text)
    properties = document.core_properties
    properties.author = properties.last_modified_by = AUTHOR
    properties.created = properties.modified = properties.last_printed = FIXED_TIME
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """python-docx stamps each zip member with the current time; use a fixed one instead."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member.filename))
    return out.getvalue()


# --- the documents ------------------------------------------------------------------

TRAVEL_AND_EXPENSE_POLICY = """
# Travel and Expense Policy
Northwind Robotics Ltd. Version 5.0, effective 1 January 2026. Owner: Finance. This policy applies to all employees who travel or spend money on behalf of Northwind Robotics. It replaces version 4.3 of 1 March 2024.
## 1. Principles
Employees travel only when a meeting cannot reasonably be held online, and spend company money as carefully as their own. Bookings are made through the Northwind travel desk so that the company knows where its travellers are in an emergency. Costs that this policy does not allow are not reimbursed, even if a manager approved them.
## 2. Approval before travel
Every business trip needs approval in ExpenseHub before anything is booked. Domestic trips are approved by the line manager. International trips are approved by the department director and must be requested at least 21 days before departure. Trips with an estimated total cost above EUR 5,000, and any trip to a country on the security watch list, also need the approval of the Chief Financial Officer.
Travel to customer sites that is charged to a customer project is approved by the project manager, who checks that the customer contract allows the costs to be re-invoiced.
## 3. Flights and trains
### Class of travel
Flights of up to 6 hours are booked in economy class. Flights longer than 6 hours may be booked in premium economy. Business class is allowed only for flights longer than 10 hours, or for employees at grade G7 and above on flights longer than 6 hours, and always needs the approval of a vice president.
Train journeys of up to 3 hours are booked in standard class; longer journeys may be booked in first class. Within Europe, the train is preferred to the plane for journeys of up to 5 hours.
### Booking rules
Flights are booked at least 14 days in advance where possible, and always at the lowest logical fare: the cheapest fare that fits the schedule with at most one stop. Frequent-flyer memberships may be kept, but they must never influence the choice of airline or fare. Changes and cancellations caused by personal reasons are paid by the employee.
## 4. Hotels
Employees stay in standard rooms in business hotels near their place of work. The following nightly limits include taxes but exclude breakfast:
| City tier | Examples | Limit per night |
| Tier 1 | London, Paris, New York, Tokyo, Shanghai | EUR 220 |
| Tier 2 | Munich, Berlin, Milan, Shenzhen | EUR 170 |
| Tier 3 | All other cities | EUR 130 |
| China, domestic trips | All cities in mainland China | CNY 700 |
When trade fairs push local prices above the limit, the travel desk may book above it, and the booking confirmation serves as the approval. Private accommodation booked through Airbnb or similar platforms is allowed only when it costs less than the hotel limit.
## 5. Meals and per diem
Employees receive a daily meal allowance instead of reimbursement of individual meals: EUR 55 per day on international trips, EUR 40 per day on domestic trips in Europe, and CNY 200 per day on domestic trips in China. On the day of departure and the day of return the allowance is half of the daily rate. If a meal is provided by a customer, a conference or the hotel, the allowance is reduced by 20% for breakfast and 40% each for lunch and dinner.
Business meals with customers or partners are reimbursed at cost, up to EUR 90 per person including drinks, when the receipt lists the names and companies of all guests. Alcohol is never reimbursed on meals without external guests.
## 6. Ground transport
Taxis and ride-hailing are allowed between airports, stations, hotels and business locations when public transport is impractical. Rental cars are booked in the compact category and need the manager's approval. Employees who use their own car for business receive EUR 0.30 per kilometre in Europe and CNY 2.0 per kilometre in China; fuel, tolls and parking for their own car are included in this rate.
## 7. Expense claims
Expense claims are submitted in ExpenseHub within 30 days after the end of the trip. A receipt is required for every item above EUR 25, or CNY 200 in China; a photo of the receipt is enough, and the original paper receipt need not be kept unless local tax law requires it (in China, an official fapiao is always required). Claims submitted more than 90 days after the expense are rejected.
Approved claims are reimbursed with the next payroll run, and at the latest within 10 working days after approval. Claims above EUR 2,500 are checked by the finance team before payment.
### Not reimbursable
- Fines for traffic or parking offences, and late-payment fees.
- Upgrades, lounge access, and seat reservations on flights under 6 hours.
- Minibar, in-room films, laundry on trips shorter than 5 nights, and personal entertainment.
- Costs of family members or other people travelling with the employee.
## 8. Corporate cards
Employees who travel more than 4 times a year receive a corporate credit card with a monthly limit of EUR 10,000. The card is for business expenses only; personal use, even if repaid, leads to the card being withdrawn. Card transactions must be reconciled in ExpenseHub within 30 days.
## 9. Contacts
The travel desk books all trips and helps in an emergency: travel@northwind-robotics.example, +44 20 7946 0850, available 24 hours a day on the emergency line +44 20 7946 0851. Questions about this policy go to the Finance Business Partner, Priya Raman, priya.raman@northwind-robotics.example.
"""

SALARY_BANDS_AND_CASE_NOTE_ZH = """
# 薪酬职级表与员工关系个案记录
本文件为北风机器人人力资源部内部资料，密级为“限制级”（restricted）。仅限人力资源部薪酬组和员工关系组查阅，禁止复制、转发或上传至任何外部系统（包括外部人工智能服务）。
## 一、2026 年度薪酬职级表
下表为中国区（上海、苏州）员工的月度基本工资区间，单位为人民币元，自 2026 年 4 月 1 日起执行。新员工的起薪原则上不超过所在职级区间的中位值；超过中位值的录用须经人力资源总监批准。
| 职级 | 典型岗位 | 月薪下限 | 月薪中位值 | 月薪上限 |
| G1 | 助理、操作员 | 8,000 | 10,000 | 12,000 |
| G2 | 初级工程师、专员 | 12,000 | 15,000 | 18,000 |
| G3 | 工程师、高级专员 | 18,000 | 22,000 | 26,000 |
| G4 | 高级工程师、主管 | 26,000 | 32,000 | 38,000 |
| G5 | 资深工程师、经理 | 38,000 | 46,000 | 55,000 |
| G6 | 专家、高级经理 | 55,000 | 67,000 | 80,000 |
| G7 | 首席专家、总监 | 80,000 | 100,000 | 120,000 |
年终奖目标为：G1 至 G3 为 1 个月基本工资，G4 和 G5 为 2 个月，G6 为 3 个月，G7 为 4 个月。实际发放系数根据公司业绩和个人绩效在 0 至 1.5 之间浮动。
年度调薪每年 4 月进行一次，调薪预算为工资总额的 4.5%。绩效评级为“待改进”的员工当年不参加调薪。晋升调薪幅度一般为 8% 至 15%，且调整后工资不得低于新职级的下限。
## 二、员工关系个案记录
### 基本信息
个案编号：HR-2026-014。登记日期：2026 年 2 月 9 日。负责人：员工关系经理陈静。
当事员工：王芳，工号 NW-20417，职级 G3，苏州办公室测试工程部。联系电话 13812345678，邮箱 wang.fang@northwind-robotics.example，身份证号 320503199003071528。
被投诉人：测试工程部主管刘强，工号 NW-10233。
### 投诉内容
王芳反映，2025 年 11 月至 2026 年 1 月期间，其所在项目组连续 9 周每周加班超过 12 小时，加班未在 Workday 中登记，也未安排调休。王芳另称，主管刘强在 1 月 15 日的组会上当众批评其“效率低”，使其感到受到羞辱。
### 调查经过
员工关系组于 2 月 10 日至 2 月 20 日期间分别约谈了王芳、刘强及项目组其他 4 名成员，并调取了门禁记录和代码提交记录。门禁记录显示，项目组成员在上述 9 周内平均每周在办公室停留 52 小时，与投诉内容基本一致。
### 结论与处理
调查确认：项目组存在未经审批的加班，违反《休假与人事制度》中“加班须事先经上级批准”的规定；组会上的批评言辞不当，但不构成骚扰。
处理措施如下：第一，按 1.5 倍标准为项目组成员补登加班并安排调休，须于 2026 年 5 月 31 日前休完；第二，刘强须于 3 月 31 日前完成管理者沟通培训，并向王芳当面致歉；第三，测试工程部自 3 月起每月向人力资源部报送加班统计。王芳已于 2 月 27 日书面确认接受上述处理，本个案于 2026 年 3 月 2 日结案。
"""

SUPPLIER_CONTRACT_TEMPLATE = """
# Master Supply Agreement (Template)
Template LEG-07, version 2.3, approved by Legal on 15 December 2025. Use this template for all suppliers of components, modules and contract manufacturing. Changes to the clauses marked as key terms need the approval of the Legal department before signature.
## 1. Parties
This Master Supply Agreement is made between Northwind Robotics Ltd, a company registered in England and Wales under company number 09876543, whose registered office is at 40 Canal Street, Manchester M1 3HE ("Northwind"), and [SUPPLIER NAME], registered under [NUMBER] at [ADDRESS] (the "Supplier").
## 2. Orders and delivery
Northwind orders goods by purchase order. A purchase order becomes binding when the Supplier confirms it, or 3 business days after it is sent if the Supplier has not rejected it. The standard lead time is 30 calendar days from confirmation unless the purchase order states otherwise.
Goods are delivered DAP (Incoterms 2020) to the Northwind site named in the purchase order. If the Supplier delivers late, Northwind may claim liquidated damages of 0.5% of the value of the late goods for each started week of delay, up to a maximum of 10% of that value. Deliveries more than 4 weeks late entitle Northwind to cancel the affected purchase order without cost.
## 3. Prices and payment
Prices are fixed for the first 12 months and include packaging and delivery. After that, either party may request a price review once per year, with at least 90 days' notice; increases are limited to the change in the relevant producer price index.
The Supplier invoices after delivery. Northwind pays correct invoices 60 days after the end of the month in which the invoice was received. Late payments bear interest at 4% per year above the Bank of England base rate.
## 4. Quality and warranty
The Supplier maintains an ISO 9001 certified quality system and inspects each lot at an acceptance quality limit (AQL) of 0.65. The warranty period is 24 months from delivery. The Supplier repairs or replaces defective goods within 10 business days of notice, and bears the costs of return shipping. If more than 2% of a lot is defective, Northwind may reject the whole lot.
## 5. Liability
Each party's total liability under this Agreement in any contract year is limited to 150% of the fees paid or payable in that year. This limit does not apply to death or personal injury caused by negligence, fraud, breach of confidentiality, breach of data protection obligations, or the Supplier's indemnity for infringement of third-party intellectual property. Neither party is liable for indirect or consequential losses.
## 6. Confidentiality and data protection
Each party keeps the other's confidential information secret during the Agreement and for 5 years after it ends; trade secrets remain protected for as long as they remain secret. Where the Supplier processes personal data for Northwind, it does so only on Northwind's documented instructions and in line with the UK GDPR and, for data from China, the Personal Information Protection Law (PIPL). The Supplier notifies Northwind of any personal data breach within 24 hours of becoming aware of it.
## 7. Term and termination
The Agreement starts on the date of the last signature and runs for an initial term of 3 years. It then renews automatically for further periods of 1 year unless either party gives notice at least 90 days before the end of the current term. Either party may terminate with immediate effect if the other commits a material breach and does not remedy it within 30 days of written notice, or becomes insolvent.
## 8. Governing law and disputes
The Agreement is governed by the laws of England and Wales, and the courts of London have exclusive jurisdiction. For agreements signed by Northwind Robotics (Shanghai) Co., Ltd, the laws of the People's Republic of China apply instead, and disputes are settled by arbitration at the Shanghai International Arbitration Centre.
## Schedule 1: Key commercial terms
| Term | Standard position | Fallback (needs Legal approval) |
| Payment terms | 60 days end of month | 45 days end of month |
| Warranty | 24 months | 18 months |
| Liability cap | 150% of annual fees | 100% of annual fees |
| Late delivery damages | 0.5% per week, max 10% | 0.3% per week, max 5% |
| Initial term | 3 years | 2 years |
## Signatures
Signed for Northwind Robotics Ltd by Daniel Foster, General Counsel (daniel.foster@northwind-robotics.example, +44 161 496 0734). Signed for the Supplier by [NAME], [TITLE].
"""

FINANCE_APPROVAL_MATRIX_ZH = """
# 财务审批权限矩阵
北风机器人（上海）有限公司及苏州分公司适用。文件编号 FIN-03，版本 3.0，自 2026 年 1 月 1 日起生效，由财务部负责解释。
## 一、总则
本矩阵规定各类财务事项的最高审批人。所有金额均为含税金额，以人民币计算；外币按付款当日中国人民银行中间价折算。
同一事项不得拆分为多笔以规避审批权限。发现拆单的，财务部有权退回全部单据，并报告内部审计。
审批人不得审批本人或直系亲属作为收款人的单据，此类单据自动上升一级审批。
## 二、审批权限表
下表中的金额为“不超过”该金额时的最高审批人；超过最高一级时，须报董事会批准。
| 事项 | 部门经理 | 财务总监 | 首席财务官 | 首席执行官 |
| 费用报销 | 5,000 元 | 50,000 元 | 200,000 元 | 200,000 元以上 |
| 采购合同 | 20,000 元 | 200,000 元 | 1,000,000 元 | 5,000,000 元 |
| 资本性支出 | 不适用 | 100,000 元 | 1,000,000 元 | 5,000,000 元 |
| 差旅借款 | 10,000 元 | 30,000 元 | 不适用 | 不适用 |
| 市场推广费用 | 10,000 元 | 100,000 元 | 500,000 元 | 2,000,000 元 |
| 坏账核销 | 不适用 | 不适用 | 50,000 元 | 50,000 元以上 |
采购合同金额超过 5,000,000 元的，以及任何对外担保和借款，无论金额大小，均须经董事会批准。
## 三、审批时限与代理
审批人应在收到单据后 3 个工作日内完成审批。超过 3 个工作日未处理的，系统自动提醒；超过 5 个工作日未处理的，自动转交其上级审批。
审批人休假或出差期间，可在 ExpenseHub 中书面授权一名同级或上级人员代为审批，授权期限最长 30 天，且不得转授权。
## 四、紧急付款
因生产停线等紧急情况需当日付款的，经首席财务官电话或邮件批准后可先行付款，但须在 2 个工作日内补办审批手续。每季度紧急付款不得超过 3 次。
## 五、联系人
财务共享服务中心负责人：张伟，电话 13916668888，邮箱 zhang.wei@northwind-robotics.example。
应付账款组：ap-cn@northwind-robotics.example，分机 6021。
"""

DOCUMENTS = {
    "travel-and-expense-policy.pdf": lambda: make_pdf(TRAVEL_AND_EXPENSE_POLICY, chinese=False),
    "hr-salary-bands-and-case-note-zh.pdf": lambda: make_pdf(SALARY_BANDS_AND_CASE_NOTE_ZH, chinese=True),
    "supplier-contract-template.docx": lambda: make_docx(SUPPLIER_CONTRACT_TEMPLATE),
    "finance-approval-matrix-zh.docx": lambda: make_docx(FINANCE_APPROVAL_MATRIX_ZH),
}


def main() -> None:
    for name, make in DOCUMENTS.items():
        (SAMPLES / name).write_bytes(make())
        print(f"wrote samples/{name}")


if __name__ == "__main__":
    main()
