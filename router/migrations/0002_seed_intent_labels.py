"""Seed the six intents with realistic English and Chinese example questions. Admins edit
them afterwards in Django admin; the classifier retrains from whatever is there."""

from django.db import migrations

LABELS = [
    {
        "name": "hr_admin",
        "title": "HR & administration",
        "description": "Leave, working hours, onboarding, benefits, payslips, office and travel administration.",
        "examples": """How many days of annual leave do I get?
How do I apply for sick leave?
What is the parental leave policy?
Can I carry over unused vacation days to next year?
How do I request time off in the HR portal?
What are the official working hours?
Can I work from home two days a week?
What do I need to do on my first day of onboarding?
Who do I contact to update my home address?
When will I receive my payslip?
How do I enrol in the company health insurance?
How do I book a business trip?
Which hotels are approved for business travel?
How do I get a new employee badge?
What is the notice period if I resign?
How do I refer a friend for an open position?
我每年有多少天年假？
怎么申请病假？
产假和陪产假有几天？
新员工入职第一天需要准备什么？
在哪里查看我的工资条？
如何申请居家办公？
出差需要提前多久提交申请？
离职需要提前多久通知？
工牌丢了怎么补办？
公司的加班政策是什么？
婚假可以休几天？
怎么修改社保缴纳信息？
试用期是多久？""",
    },
    {
        "name": "legal",
        "title": "Contracts & legal",
        "description": "Supplier and customer contracts, NDAs, clauses, signatures, compliance and data protection.",
        "examples": """Who can sign a supplier contract on behalf of the company?
What is the approval process for a new vendor agreement?
Do we need an NDA before sharing the roadmap with a partner?
What is our standard payment term in supplier contracts?
How do I terminate a contract with a supplier early?
What liability cap do we accept in service agreements?
Where is the template for a non-disclosure agreement?
Does the contract with the cleaning vendor renew automatically?
What does the indemnification clause in the master services agreement cover?
Can we share customer data with a subcontractor under GDPR?
Who reviews contracts above 100,000 euros?
What penalty applies if the supplier misses the delivery date?
Is an electronic signature legally valid for our contracts?
How long must we keep signed contracts on file?
供应商合同需要谁来签字？
保密协议的模板在哪里？
合同到期会自动续约吗？
合同违约金一般怎么约定？
和供应商提前解除合同需要什么流程？
超过多少金额的合同需要法务审核？
电子签名的合同有法律效力吗？
客户数据可以提供给外包商吗？
采购合同的付款条款怎么写？
合同审批流程是怎样的？
签合同前需要做供应商尽职调查吗？
合同纠纷找哪个部门？""",
    },
    {
        "name": "it_process",
        "title": "IT & processes",
        "description": "Accounts, passwords, VPN, laptops, software, security rules and internal procedures.",
        "examples": """How do I connect to the VPN from home?
I forgot my password, how do I reset it?
How do I set up multi-factor authentication?
My laptop is broken, who do I contact?
How do I request access to the shared drive?
Can I install my own software on my work laptop?
How do I report a phishing email?
What is the process for requesting a new monitor?
The VPN keeps disconnecting, what should I do?
How do I get a license for Microsoft Visio?
Is it allowed to use a personal USB stick on the company network?
How do I connect to the office Wi-Fi as a guest?
How do I open a ticket with the IT service desk?
What is the password policy?
How do I encrypt a file before sending it outside the company?
VPN连不上怎么办？
忘记密码了怎么重置？
如何申请共享盘的访问权限？
电脑坏了找谁修？
怎么开通双重认证？
收到钓鱼邮件应该怎么上报？
可以在公司电脑上安装个人软件吗？
怎么提交IT工单？
笔记本电脑连不上无线网络
邮箱登录不了怎么办？
怎么申请安装软件的权限？
打印机无法使用找谁？""",
    },
    {
        "name": "finance",
        "title": "Finance",
        "description": "Expenses and reimbursement, invoices, purchase orders, budgets, payment approvals, per diems.",
        "examples": """How do I submit an expense report?
What is the daily meal allowance on business trips?
When will my travel expenses be reimbursed?
Who approves purchase orders above 5,000 euros?
How do I pay a supplier invoice?
What is the approval limit for a team manager?
Can I claim a taxi ride home after working late?
How do I get a corporate credit card?
What receipts do I need for reimbursement?
How do I request budget for a team event?
What is the deadline for submitting invoices at month end?
Which cost center should I charge the training to?
How are foreign currency expenses converted?
Can I expense a flight upgrade to business class?
How do I raise a purchase requisition?
报销需要哪些发票？
差旅费多久能报销？
出差的餐补标准是多少？
超过多少金额的采购需要审批？
供应商发票怎么付款？
部门经理的审批权限是多少？
怎么申请公司信用卡？
月底报销截止日期是哪天？
采购订单需要谁审批？
报销单被退回了怎么办？
部门预算怎么申请？
打车费可以报销吗？""",
    },
    {
        "name": "chitchat",
        "title": "Chit-chat",
        "description": "Greetings, thanks and small talk with the assistant.",
        "examples": """Hello!
Hi there
Good morning
Thanks a lot
Thank you, that helped
Who are you?
What can you do?
How are you today?
Are you a robot?
Goodbye
See you later
Nice to meet you
You are very helpful
Can you help me?
你好
早上好
谢谢
非常感谢你的帮助
你是谁？
你能做什么？
再见
你是机器人吗？
下午好
辛苦了
你叫什么名字？""",
    },
    {
        "name": "out_of_scope",
        "title": "Out of scope",
        "description": "Questions the company knowledge base cannot answer: weather, sports, recipes, homework, general trivia.",
        "is_out_of_scope": True,
        "examples": """What's the weather like tomorrow?
Will it rain this weekend?
Who won the football match last night?
What is the score of the basketball game?
How do I bake chocolate chip cookies?
Give me a recipe for lasagna
Write a Python function that reverses a linked list
Solve this equation: 3x + 5 = 20
What is the capital of Australia?
Recommend a good movie to watch tonight
What is the price of Bitcoin today?
Tell me a joke about cats
How tall is Mount Everest?
Who is the best singer in the world?
How do I train my dog to sit?
Translate this poem into French
明天天气怎么样？
昨晚的球赛谁赢了？
红烧肉怎么做？
帮我写一个快速排序的代码
推荐一部好看的电影
比特币现在多少钱？
世界上最高的山是哪座？
给我讲个笑话
北京这周末天气怎么样？
今天的股票行情怎么样？
周末去哪里旅游比较好？
这道数学题怎么解？""",
    },
]


def seed(apps, schema_editor):
    IntentLabel = apps.get_model("router", "IntentLabel")
    for label in LABELS:
        IntentLabel.objects.update_or_create(
            name=label["name"], defaults={k: v for k, v in label.items() if k != "name"}
        )


def unseed(apps, schema_editor):
    IntentLabel = apps.get_model("router", "IntentLabel")
    IntentLabel.objects.filter(name__in=[label["name"] for label in LABELS]).delete()


class Migration(migrations.Migration):
    dependencies = [("router", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
