"""Across the sample corpus and every role: no personal value and no restricted passage ever
reaches the cloud, and nobody is cited a document they may not read."""

import json
import re

import pytest
from django.contrib.auth.models import User

from ingestion.models import Document
from ingestion.selectors import readable_documents
from ingestion.store import index_chunks
from router.pipeline import AskRequest, ask
from router.prompts import HISTORY_PROMPT, SYSTEM_PROMPT, USER_PROMPT
from tests.conftest import PASSWORD, group

pytestmark = pytest.mark.django_db

# Personal data written in samples/ (contacts in the policies, the contract, the matrix).
PERSONAL_VALUES = [
    "Maria Gonzalez", "maria.gonzalez@northwind-robotics.example", "+44 20 7946 0321",
    "Chen Jing", "chen.jing@northwind-robotics.example", "+86 138 1762 4409", "138 1762 4409",
    "李娜", "139 0211 4567", "li.na@northwind-robotics.example", "陈静",
    "Tom Becker", "+49 151 2345 6789", "13916668888",
]  # fmt: skip
QUESTIONS = [
    "Compare the approval rules for trips abroad and domestic trips, explain why they differ, and who do I contact?",
    "Explain how annual leave and sick leave differ, and who should I contact in the UK and in China?",
    "比较不同金额的付款审批权限，并解释为什么大额付款需要CFO审批，联系人是谁？",
    "为什么薪资档案必须保密？请解释案例记录的处理流程以及和解金额。",
]


def readable_ids(user: User) -> set[int]:
    documents = readable_documents(user=user)
    return set(documents.values_list("pk", flat=True))


def restricted_sentences() -> list[str]:
    sentences = []
    for document in Document.objects.filter(sensitivity="restricted"):
        for chunk in index_chunks(document_id=document.pk):
            sentences += [s.strip() for s in re.split(r"[。！？.!?\n]", chunk.text) if len(s.strip()) >= 12]
    return sentences


def test_nothing_private_reaches_the_cloud_for_any_role(sample_kb, cloud):
    people = list(User.objects.filter(username__in=["alice", "bob", "carol", "kim", "audrey"]))
    people.append(User.objects.create_user("oscar", password=PASSWORD))
    group("employees")
    answered = 0
    for person in people:
        allowed = readable_ids(person)
        for question in QUESTIONS:
            trace, meta = ask(AskRequest(question=question, user=person, channel="chat"))
            answered += bool(trace.answer)
            assert {c["document_id"] for c in meta.citations} <= allowed, (person, question)
            assert {r.document_id for r in trace.retrieved} <= allowed
    assert answered == len(people) * len(QUESTIONS)
    assert cloud.requests, "no question went to the cloud: the test would prove nothing"

    sent = json.dumps([r["messages"] for r in cloud.requests], ensure_ascii=False)
    sent_digits = re.sub(r"\D", "", sent)
    for value in PERSONAL_VALUES:
        assert value not in sent, value
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 9:
            assert digits not in sent_digits, value
    for sentence in restricted_sentences():
        assert sentence not in sent, sentence


# One value of every kind issue 12 lists, spread over the three ways into a cloud payload (the
# condense stage may drop a passage's sentence: values it could drop are in the history too).
# (kind, value); the secrets' kinds are those the post-processor always removes from answers.
IN_QUESTION = [
    ("PERSON", "Ingrid Solberg"),  # with a title, not in the directory
    ("EMAIL", "ingrid.solberg@globex-partners.com"),
    ("PHONE", "+44 20 7946 0958"),
    ("ID", "NW20481K"),  # the admin's own format
    ("ID", "EMP-204817"),
]
QUESTION = (
    "Compare the migration runbook with what Dr. Ingrid Solberg (ingrid.solberg@globex-partners.com, "
    "+44 20 7946 0958) wrote, explain why badge NW20481K and EMP-204817 lost access, who the supplier "
    "and the 迁移联系人 are, and which credentials and keys of the migration (geocoding too) should we rotate?"
)
IN_PASSAGE = [
    ("ORG", "Globex Corporation"),
    ("ADDRESS", "4821 Willow Creek Road, Springfield, IL 62704"),
    ("ORG", "北京星辰软件股份有限公司"),
    ("ADDRESS", "上海市浦东新区世纪大道100号15楼1503室"),
    ("PERSON", "MARGARET HOLLOWAY"),
    ("PERSON", "J. Whitfield"),
    ("PERSON", "赵立新"),
    ("PHONE", "13916668888"),
    ("SECRET", "AKIAQ3EGRTY7WPLKZN4D"),
    ("SECRET", "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"),
    ("SECRET", "AIzaSyB3x9Qw7Er2Ty5Ui8Op1As4Df6Gh0Jk3Lz"),
    ("SECRET", "Zk8Qp2Lm7Xr4Tw9Vb1Nc6Hd3Fs0Gy5Ju8Ki2Lo7Pe4Ra9Sb1Tc6Ud3Vf0Wg5Xh8Yi2Zj7Ak4Bl9Cm1Dn6Eo3Fp=="),
    ("SECRET", "postgres://migrator:Xk29pLq7@db-01.corp.nw.internal:5432/orders"),
    ("SECRET", "5a9Kx2Qm7Lr4Tv8Wb1Nz6Hc3Jd0Fs"),
]
RUNBOOK = """# Migration runbook

## Who is involved in the migration
The customer of the migration is Globex Corporation, 4821 Willow Creek Road, Springfield, IL 62704.
The migration's supplier is 北京星辰软件股份有限公司，地址上海市浦东新区世纪大道100号15楼1503室。
The migration owner is MARGARET HOLLOWAY; the migration runbook was reviewed by J. Whitfield.
迁移联系人赵立新，手机13916668888。

## Credentials used by the migration
The migration uses aws_access_key_id = AKIAQ3EGRTY7WPLKZN4D and
aws_secret_access_key = 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 for the migration bucket.
The migration maps use GOOGLE_API_KEY=AIzaSyB3x9Qw7Er2Ty5Ui8Op1As4Df6Gh0Jk3Lz for geocoding.
Migration storage: AccountName=nwstorage;AccountKey=Zk8Qp2Lm7Xr4Tw9Vb1Nc6Hd3Fs0Gy5Ju8Ki2Lo7Pe4Ra9Sb1Tc6Ud3Vf0Wg5Xh8Yi2Zj7Ak4Bl9Cm1Dn6Eo3Fp==;EndpointSuffix=core.windows.net
The migration database is postgres://migrator:Xk29pLq7@db-01.corp.nw.internal:5432/orders and its
webhook_signing_key: 5a9Kx2Qm7Lr4Tv8Wb1Nz6Hc3Jd0Fs signs migration events.
"""
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7Bz3kL9mQ2xV8rT\nY1uI6oP3aS5dF9gH2jK7\n-----END RSA PRIVATE KEY-----"
SSH = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\n-----END OPENSSH PRIVATE KEY-----"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MTIzNCJ9.kX9sQ2mL7pR4tV8wY1zB3cF6hJ0nM5qS"
IN_HISTORY = [
    ("SECRET", "tk_9d8f7g6h5j4k3l2m1n0b"),
    ("SECRET", "Rk7#mQ2!vX9"),
    ("SECRET", "https://deploy-bot:Gh7xQ2mL9pR4@git.acme-corp.com/infra.git"),
    ("SECRET", PEM),
    ("SECRET", SSH),
    ("SECRET", JWT),
    ("SECRET", "7f3k9q2m8x4t1v6b0n5c3h7d2s9l4p"),
    ("HOST", "build-07.ci.internal"),
    ("PERSON", "Daniel Fletcher"),
    ("ID", "524-71-3390"),
    ("ID", "JG 12 34 56 C"),
    ("ID", "583920174"),
    ("ID", "320106198507124518"),
    ("ID", "E83920174"),
    ("ID", "CUST-0012345"),
    ("DOB", "March 3, 1985"),
    ("DOB", "1990年5月12日"),
    ("ACCOUNT", "0012345678901"),
    ("CARD", "4539 1488 0343 6467"),
    ("IP", "192.168.31.20"),
]
HISTORY = [
    (
        "user",
        'Our deploy config is {"service": "billing", "token": "tk_9d8f7g6h5j4k3l2m1n0b"} with\n'
        "database:\n  password: Rk7#mQ2!vX9\n"
        "and we clone https://deploy-bot:Gh7xQ2mL9pR4@git.acme-corp.com/infra.git from build-07.ci.internal.",
    ),
    (
        "assistant",
        f"The deploy key\n{PEM}\nand the SSH key\n{SSH}\nare in the vault; the session token {JWT} "
        "was sent as Authorization: Bearer 7f3k9q2m8x4t1v6b0n5c3h7d2s9l4p on each call.",
    ),
    (
        "user",
        "Daniel Fletcher's SSN is 524-71-3390, his National Insurance number JG 12 34 56 C and his passport "
        "number 583920174. 申请人身份证号码：320106198507124518，护照号码为E83920174。Customer CUST-0012345, "
        "born on March 3, 1985; 员工出生日期：1990年5月12日。Pay to account number 0012345678901 or card "
        "4539 1488 0343 6467; the migration server IP is 192.168.31.20.",
    ),
    (
        "assistant",
        "供应商北京星辰软件股份有限公司的地址是上海市浦东新区世纪大道100号15楼1503室。Storage uses "
        "AccountName=nwstorage;AccountKey=Zk8Qp2Lm7Xr4Tw9Vb1Nc6Hd3Fs0Gy5Ju8Ki2Lo7Pe4Ra9Sb1Tc6Ud3Vf0Wg5Xh8Yi2Zj7Ak4Bl9Cm1Dn6Eo3Fp==;"
        "EndpointSuffix=core.windows.net and webhook_signing_key: 5a9Kx2Qm7Lr4Tv8Wb1Nz6Hc3Jd0Fs.",
    ),
]
SECRET_KINDS = {"SECRET", "HOST"}


def _without_values(text: str) -> str:
    for _, value in sorted(IN_QUESTION + IN_PASSAGE + IN_HISTORY, key=lambda kv: len(kv[1]), reverse=True):
        text = text.replace(value, " ")
    return text


# What the payload may say without any planted value: "tion" of "Corporation" is in "migration" too.
BACKGROUND = _without_values(
    "\n".join([QUESTION, RUNBOOK, *(t for _, t in HISTORY), SYSTEM_PROMPT, USER_PROMPT, HISTORY_PROMPT])
)


def pieces(value: str) -> set[str]:
    """Every ≥ 4-character piece of letters and digits: what a leak benchmark counts."""
    return {value[i : i + 4] for i in range(len(value) - 3) if value[i : i + 4].isalnum()}


@pytest.fixture
def runbook(empty_index, alice, settings):
    from router.models import CompanyIdPattern
    from tests.ingestion.test_services import ingested

    settings.ROUTER_CONDENSE_BUDGET_TOKENS = 2000  # the whole runbook travels: every value is tested
    CompanyIdPattern.objects.create(name="badge", regex=r"NW\d{5}[A-Z]", example="NW20481K")
    document = ingested("runbook.md", RUNBOOK.encode(), groups=[group("employees")])
    assert document.status == "indexed", document.failure_reason
    return document


def test_no_value_of_any_kind_reaches_the_cloud_from_a_question_a_passage_or_the_history(
    runbook, cloud, alice
):
    cloud.mode = "echo"
    request = AskRequest(question=QUESTION, user=alice, channel="chat", history=HISTORY)

    trace, _ = ask(request)

    assert trace.route == "cloud", trace.reason_texts
    sent = "\n".join(m["content"] for r in cloud.requests for m in r["messages"])
    originals = request.mapping.values
    problems = []
    for kind, value in IN_QUESTION + IN_PASSAGE + IN_HISTORY:
        leaked = {p for p in pieces(value) if p in sent and p not in BACKGROUND}
        # It went out as a placeholder: the test saw the value travel, and would catch a leak.
        travelled = any(value in original and p in sent for p, original in originals.items())
        shown = value in trace.answer
        if value in sent or leaked or not travelled or shown == (kind in SECRET_KINDS):
            problems.append((kind, value, sorted(leaked), travelled, shown))
    assert problems == [], "\n".join(map(str, problems))
