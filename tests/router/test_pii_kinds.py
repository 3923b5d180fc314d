"""One case per kind of personal data and secret, in English and in Chinese where the kind
exists in both: the value is masked whole, and no piece of it is left in the protected text."""

import pytest

from router.protect import PlaceholderMap, find_personal_data, protect_text

CASES = [
    # secrets
    ("aws-en", "aws_access_key_id = AKIAQ3EGRTY7WPLKZN4D", "AKIAQ3EGRTY7WPLKZN4D", "SECRET"),
    (
        "aws-secret-en",
        "aws_secret_access_key = 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",
        "9fKq2Lr8vXwT0bYz+N5mHc3JdUe7SgPa1RiVoW6E",
        "SECRET",
    ),
    (
        "aws-secret-zh",
        "访问密钥Secret为Tq3Rs8Uv1Wx6Yz0Ab5Cd2Ef7Gh4Ij9Kl+Mn3Op8Qr。",
        "Tq3Rs8Uv1Wx6Yz0Ab5Cd2Ef7Gh4Ij9Kl+Mn3Op8Qr",
        "SECRET",
    ),
    (
        "gcp-en",
        "GOOGLE_API_KEY=AIzaSyB3x9Qw7Er2Ty5Ui8Op1As4Df6Gh0Jk3Lz",
        "AIzaSyB3x9Qw7Er2Ty5Ui8Op1As4Df6Gh0Jk3Lz",
        "SECRET",
    ),
    (
        "gcp-zh",
        "谷歌云客户端密钥GOCSPX-Qm7Zr2Lp9Xw4Tb8Kc1Vn6Hd3Fs已泄露",
        "GOCSPX-Qm7Zr2Lp9Xw4Tb8Kc1Vn6Hd3Fs",
        "SECRET",
    ),
    (
        "azure-en",
        "AccountName=contoso;AccountKey=Zk8Qp2Lm7Xr4Tw9Vb1Nc6Hd3Fs0Gy5Ju8Ki2Lo7Pe4Ra9Sb1Tc6Ud3Vf0Wg5Xh8Yi2Zj7Ak4Bl9Cm1Dn6Eo3Fp==;EndpointSuffix=core.windows.net",
        "Zk8Qp2Lm7Xr4Tw9Vb1Nc6Hd3Fs0Gy5Ju8Ki2Lo7Pe4Ra9Sb1Tc6Ud3Vf0Wg5Xh8Yi2Zj7Ak4Bl9Cm1Dn6Eo3Fp==",
        "SECRET",
    ),
    (
        "azure-client-en",
        "AZURE_CLIENT_SECRET: Xy48Q~Lm2Zp9Xc4Vb8Nn1Ks6Dt3Fw0Rg5Ye2Ua",
        "Xy48Q~Lm2Zp9Xc4Vb8Nn1Ks6Dt3Fw0Rg5Ye2Ua",
        "SECRET",
    ),
    (
        "pem-en",
        "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7Bz3kL9mQ2xV8rT\nY1uI6oP3aS5dF9gH2jK7\n-----END RSA PRIVATE KEY-----\nbye",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7Bz3kL9mQ2xV8rT\nY1uI6oP3aS5dF9gH2jK7\n-----END RSA PRIVATE KEY-----",
        "SECRET",
    ),
    (
        "ssh-zh",
        "私钥如下：\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\n-----END OPENSSH PRIVATE KEY-----\n请保管。",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\n-----END OPENSSH PRIVATE KEY-----",
        "SECRET",
    ),
    (
        "jwt-en",
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MTIzNCJ9.kX9sQ2mL7pR4tV8wY1zB3cF6hJ0nM5qS in the log",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MTIzNCJ9.kX9sQ2mL7pR4tV8wY1zB3cF6hJ0nM5qS",
        "SECRET",
    ),
    (
        "bearer-en",
        "Authorization: Bearer 7f3k9q2m8x4t1v6b0n5c3h7d2s9l4p on each call",
        "7f3k9q2m8x4t1v6b0n5c3h7d2s9l4p",
        "SECRET",
    ),
    (
        "bearer-zh",
        "请求头 Authorization: Bearer Zm9vYmFyMTIzNDU2Nzg5MGFiY2RlZmdo，说明令牌被打印了",
        "Zm9vYmFyMTIzNDU2Nzg5MGFiY2RlZmdo",
        "SECRET",
    ),
    ("setting-en", "DB_USER=app\nDB_PASSWORD=admin\n", "admin", "SECRET"),
    ("yaml-en", "database:\n  password: Rk7#mQ2!vX9\n", "Rk7#mQ2!vX9", "SECRET"),
    (
        "json-en",
        '{"service": "billing", "token": "tk_9d8f7g6h5j4k3l2m1n0b"}',
        "tk_9d8f7g6h5j4k3l2m1n0b",
        "SECRET",
    ),
    (
        "url-en",
        "Clone https://deploy-bot:Gh7xQ2mL9pR4@git.acme-corp.com/infra.git now",
        "https://deploy-bot:Gh7xQ2mL9pR4@git.acme-corp.com/infra.git",
        "SECRET",
    ),
    (
        "conn-zh",
        "连接串是mongodb://admin:Xk29pLq7@mongo-01.intra:27017/orders，请勿提交。",
        "mongodb://admin:Xk29pLq7@mongo-01.intra:27017/orders",
        "SECRET",
    ),
    ("prose-password-en", "My VPN password is Blue-Falcon-88 and it expires.", "Blue-Falcon-88", "SECRET"),
    ("password-zh", "服务器root口令为Qa7Zx3Wc9，只在维护窗口使用。", "Qa7Zx3Wc9", "SECRET"),
    (
        "entropy-en",
        "webhook_signing_key: 5a9Kx2Qm7Lr4Tv8Wb1Nz6Hc3Jd0Fs",
        "5a9Kx2Qm7Lr4Tv8Wb1Nz6Hc3Jd0Fs",
        "SECRET",
    ),
    (
        "host-en",
        "The job on build-07.ci.internal writes to files.corp.acme.com nightly.",
        "files.corp.acme.com",
        "HOST",
    ),
    ("host-zh", "报表服务部署在hr-report.prod.acme.cn上。", "hr-report.prod.acme.cn", "HOST"),
    # identifiers
    ("ssn-en", "Payroll needs the SSN 524-71-3390 before Friday.", "524-71-3390", "ID"),
    ("ssn-zh", "美国同事的社会安全号是612-45-8873，请录入。", "612-45-8873", "ID"),
    ("nino-en", "Her National Insurance number is JG 12 34 56 C.", "JG 12 34 56 C", "ID"),
    ("nino-zh", "英国员工的国民保险号（NI number）为JT 48 31 92 B。", "JT 48 31 92 B", "ID"),
    ("cn-id-zh", "申请人身份证号码：320106198507124518，请核对。", "320106198507124518", "ID"),
    ("cn-id-en", "Resident ID 440305197807031767 was scanned.", "440305197807031767", "ID"),
    ("passport-en", "Travel desk: passport number 583920174, expires 2031.", "583920174", "ID"),
    ("passport-zh", "出差人的护照号码为E83920174，签证已办好。", "E83920174", "ID"),
    ("employee-en", "Badge for EMP-204817 is ready.", "EMP-204817", "ID"),
    ("employee-zh", "新员工工号：A10234，请登记。", "A10234", "ID"),
    ("dob-en", "She was born on March 3, 1985 and joined later.", "March 3, 1985", "DOB"),
    ("dob-zh", "员工出生日期：1990年5月12日，入职日期另计。", "1990年5月12日", "DOB"),
    ("account-en", "Wire it to account number 0012345678901 today.", "0012345678901", "ACCOUNT"),
    ("account-zh", "报销款打到账号6222020402018827361，谢谢。", "6222020402018827361", "ACCOUNT"),
    ("card-zh", "信用卡号4539 1488 0343 6467请勿外传。", "4539 1488 0343 6467", "CARD"),
    ("bare-phone-en", "Escalation owner reachable at 2859474673 or by mail.", "2859474673", "PHONE"),
    ("ip-zh", "内网服务器IP为192.168.31.20，请加白名单。", "192.168.31.20", "IP"),
    ("age-en", "The candidate, aged 42, lives nearby.", "42", "AGE"),
    ("age-zh", "申请人今年35岁，已婚。", "35", "AGE"),
    # addresses and organisations
    (
        "address-us",
        "Ship it to 4821 Willow Creek Road, Apt 12, Springfield, IL 62704 by Tuesday.",
        "4821 Willow Creek Road, Apt 12, Springfield, IL 62704",
        "ADDRESS",
    ),
    (
        "address-uk",
        "The office is at 27 Baker Street, London NW1 6XE, second floor.",
        "27 Baker Street, London NW1 6XE",
        "ADDRESS",
    ),
    (
        "address-zh",
        "合同寄到上海市浦东新区世纪大道100号15楼1503室，收件人前台。",
        "上海市浦东新区世纪大道100号15楼1503室",
        "ADDRESS",
    ),
    ("zip-zh", "邮编200120，请写在信封上。", "200120", "ADDRESS"),
    ("org-en", "Our supplier Globex Corporation raised prices.", "Globex Corporation", "ORG"),
    ("firm-en", "The audit of Miller, Hart and Dawson found nothing.", "Miller, Hart and Dawson", "ORG"),
    ("org-zh", "客户北京星辰软件股份有限公司要求延期付款。", "北京星辰软件股份有限公司", "ORG"),
    # names beyond the directory
    ("initials-en", "The report by J. Whitfield was approved.", "J. Whitfield", "PERSON"),
    ("all-caps-en", "EMPLOYEE: MARGARET HOLLOWAY, DEPARTMENT: FINANCE", "MARGARET HOLLOWAY", "PERSON"),
    ("title-zh", "王总说这个项目由李工负责。", "李工", "PERSON"),
    ("nickname-zh", "这个项目小陈做测试。", "小陈", "PERSON"),
    ("department-zh", "请联系人事部的赵立新确认入职时间。", "赵立新", "PERSON"),
    # a single name that no list or directory holds
    ("single-ask-en", "Ask Priya about it before Friday.", "Priya", "PERSON"),
    ("single-said-en", "Oluwaseun confirmed the delivery date.", "Oluwaseun", "PERSON"),
    ("single-contact-zh", "请联系王芳确认报销金额。", "王芳", "PERSON"),
    ("single-thanks-zh", "谢谢曹颖的帮助。", "曹颖", "PERSON"),
    ("single-role-is-en", "Our reviewer this quarter is Yusuf.", "Yusuf", "PERSON"),
    ("single-loop-in-en", "Please loop in Kwabena on this thread.", "Kwabena", "PERSON"),
    ("single-role-is-zh", "负责人是佟悦。", "佟悦", "PERSON"),
    ("single-ask-a-bit-zh", "你去问一下翟一鸣。", "翟一鸣", "PERSON"),
    ("single-word-name-zh", "这件事你问许诺就行。", "许诺", "PERSON"),
]


@pytest.mark.parametrize(("case", "text", "value", "kind"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_is_masked_whole(case, text, value, kind):
    start = text.index(value)
    covering = [s for s in find_personal_data(text) if s.start <= start and s.end >= start + len(value)]

    assert [s.kind for s in covering] == [kind]
    protected = protect_text(text, mapping=PlaceholderMap()).text
    assert not any(
        value[i : i + 4].isalnum() and value[i : i + 4] in protected for i in range(len(value) - 3)
    )


@pytest.mark.parametrize(
    ("text", "leftover"),
    [
        ("We reviewed Daniel Fletcher's claim and Fletcher's receipts.", "Fletcher"),
        ("Forward it to priya.raman@example.org; Raman handles Asia.", "Raman"),
        ("Contact Jacob Dean<jacob.dean@example.com> today", "Dean"),
    ],
)
def test_a_masked_name_leaves_no_surname_behind(text, leftover):
    assert leftover not in protect_text(text, mapping=PlaceholderMap()).text


@pytest.mark.parametrize(
    "text",
    [
        "The password is required for login; your token is valid for a day.",
        "周总结请在周五前提交给人力资源部。",
        "本公司和子公司的年假政策相同。",
        "Three hours (三小时) of training are required.",
        "Ask Finance about the budget; contact Berlin office or Support if in doubt.",
        "请抄送项目组，并联系财务部。",
        "Ping Reception when the visitor arrives.",
        "The host this year is Berlin.",
        "明天出差的同事请提前报备。",
        "白天和晚上都有人值班。",
        "他为德国语言和文学的发展做出了重大贡献。",  # 和 joins words too: 文学 stays literature
        "他饰演第11任博士。",  # after a numeral a surname is a measure word
        "封地加封1万石。",
    ],
)
def test_prose_about_secrets_and_companies_is_left_alone(text):
    assert find_personal_data(text) == []


def test_a_date_before_a_company_is_not_part_of_its_name():
    spans = find_personal_data("在2007年9月11日，该银行荣获2007年越南最佳零售银行奖。")
    assert [(s.kind, s.value) for s in spans] == [("ORG", "越南最佳零售银行")]
