"""The protect stage: personal data out before the cloud, real values back for the asker."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from router.protect import PlaceholderMap, StreamRestorer, find_personal_data, protect_text, restore_text

ROOT = Path(__file__).resolve().parents[2]
VALID_CN_ID = "11010519491231002X"


def kinds(text: str, **kwargs) -> dict[str, str]:
    return {span.value: span.kind for span in find_personal_data(text, **kwargs)}


def test_the_same_value_gets_the_same_placeholder_across_texts_of_a_conversation():
    mapping = PlaceholderMap()
    first = protect_text("Ask Alice Martin at alice@corp.example.com.", mapping=mapping)
    second = protect_text("Did alice@corp.example.com reply? Mail bob@corp.example.com too.", mapping=mapping)

    assert first.text == "Ask <PERSON_1> at <EMAIL_1>."
    assert second.text == "Did <EMAIL_1> reply? Mail <EMAIL_2> too."


def test_a_phone_written_differently_is_still_one_placeholder():
    mapping = PlaceholderMap()
    protect_text("手机 139 1234 5678", mapping=mapping)

    assert protect_text("手机13912345678", mapping=mapping).text == "手机<PHONE_1>"


def test_replacements_point_at_the_original_text():
    text = "Mail alice@corp.example.com now"
    result = protect_text(text, mapping=PlaceholderMap())

    [replacement] = result.replacements
    assert (replacement.kind, replacement.placeholder) == ("EMAIL", "<EMAIL_1>")
    assert text[replacement.start : replacement.end] == "alice@corp.example.com"


def test_the_map_survives_a_round_trip_through_json():
    mapping = PlaceholderMap()
    protect_text("Call Alice Martin on +86 139 1234 5678.", mapping=mapping)
    again = PlaceholderMap.from_dict(json.loads(json.dumps(mapping.to_dict())))

    assert protect_text("Alice Martin", mapping=again).text == "<PERSON_1>"
    assert protect_text("Carol Lewis", mapping=again).text == "<PERSON_2>"
    assert PlaceholderMap.from_dict(None).values == {}


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("Reach me at li.wei+kb@example.com.cn today", "li.wei+kb@example.com.cn", "EMAIL"),
        ("请联系邮箱zhang_san@example.org。", "zhang_san@example.org", "EMAIL"),
        ("手机+86 139-1234-5678，谢谢", "+86 139-1234-5678", "PHONE"),
        ("手机13912345678。", "13912345678", "PHONE"),
        ("座机010-62345678转总机", "010-62345678", "PHONE"),
        ("Desk phone (462)524-3933 or later", "(462)524-3933", "PHONE"),
        ("call 001-401-346-7300x2458 now", "001-401-346-7300x2458", "PHONE"),
        ("London office +44 20 7946 0958.", "+44 20 7946 0958", "PHONE"),
        (f"身份证{VALID_CN_ID}。", VALID_CN_ID, "ID"),
        ("Passport: E12345678 expires soon", "E12345678", "ID"),
        ("card 4111 1111 1111 1111 was charged", "4111 1111 1111 1111", "CARD"),
        ("工资卡号6213930955972979267。", "6213930955972979267", "CARD"),
        ("refund to IBAN GB82 WEST 1234 5698 7654 32.", "GB82 WEST 1234 5698 7654 32", "IBAN"),
        ("Server 10.20.30.40 is down", "10.20.30.40", "IP"),
        ("host 2001:db8:85a3::8a2e:370:7334 failed", "2001:db8:85a3::8a2e:370:7334", "IP"),
        ("use key sk-proj-4f9a8b7c6d5e4f3a2b1c now", "sk-proj-4f9a8b7c6d5e4f3a2b1c", "SECRET"),
        ("AWS AKIAIOSFODNN7EXAMPLE leaked", "AKIAIOSFODNN7EXAMPLE", "SECRET"),
        (
            "token=ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "SECRET",
        ),
        ("password: Tr0ub4dor&3 for the VPN", "Tr0ub4dor&3", "SECRET"),
        ("初始密码：Abc12345，请尽快修改", "Abc12345", "SECRET"),
    ],
)
def test_it_finds_structured_personal_data_and_secrets(text, value, kind):
    assert kinds(text).get(value) == kind


def test_an_ipv6_address_is_found_whole():
    assert "IP" in kinds("host 2001:db8:85a3::8a2e:370:7334 failed").values()


def test_a_valid_chinese_resident_id_is_caught():
    assert kinds(f"身份证号为{VALID_CN_ID}，请核对")[VALID_CN_ID] == "ID"


def test_an_eighteen_digit_number_with_a_wrong_check_digit_is_not_called_an_id():
    assert kinds("订单号110105194912310021已发货").get("110105194912310021") != "ID"


def test_an_eighteen_digit_number_with_an_impossible_birth_date_is_not_called_an_id():
    assert kinds("编号110105194913310020").get("110105194913310020") != "ID"


def test_a_card_number_must_pass_luhn():
    assert kinds("card 4111 1111 1111 1111")["4111 1111 1111 1111"] == "CARD"
    assert "CARD" not in kinds("order 4111 1111 1111 1112").values()


def test_an_iban_must_pass_mod_97():
    assert kinds("IBAN DE89370400440532013000")["DE89370400440532013000"] == "IBAN"
    assert "IBAN" not in kinds("IBAN GB82WEST12345698765433").values()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please forward the signed contract to Jacob Dean today.", "Jacob Dean"),
        ("New hire Christina Jackson starts Monday.", "Christina Jackson"),
        ("Escalation owner: Wayne Black, reachable by mail.", "Wayne Black"),
        ("The memo was signed by Ms. Okafor yesterday.", "Ms. Okafor"),
        ("Ask Dr. Maria Gonzalez about it.", "Dr. Maria Gonzalez"),
        ("Contact Will Smith for access.", "Will Smith"),
        ("合同联系人：武丹丹（电话见附件）", "武丹丹"),
        ("员工徐建的工资卡已办理。", "徐建"),
        ("请将报销单发给郭英，谢谢。", "郭英"),
        ("差旅审批人欧阳明辉已同意。", "欧阳明辉"),
    ],
)
def test_it_finds_names_in_english_and_chinese_sentences(text, name):
    found = [span.value for span in find_personal_data(text) if span.kind == "PERSON"]
    assert name in found


def test_directory_names_are_found_even_without_cues():
    found = kinds("meeting: alice martin, 陈伟 and the board", known_names=["Alice Martin", "陈伟"])

    assert found["alice martin"] == "PERSON"
    assert found["陈伟"] == "PERSON"


@pytest.mark.parametrize(
    "text",
    [
        "Grant Access to the Annual Leave Policy before Monday.",
        "The New York office follows the Human Resources handbook.",
        "We will review the Victoria Street lease in May.",
        "Version 2.4.1 shipped on 2026-11-25 with 3 fixes.",
        "公司的方向和平台建设由技术部负责。",
        "年假申请请在周五前提交给人力资源部。",
        "本手册适用于上海和苏州办公室的所有新员工。",
        "员工关系与 HR 业务伙伴负责此事。",
    ],
)
def test_ordinary_business_text_is_left_alone(text):
    assert find_personal_data(text) == []


def test_detection_on_a_thousand_characters_takes_a_few_milliseconds():
    import time

    text = ("Please forward the contract to Jacob Dean (jacob@example.com), call 871-860-7909. " * 12)[:1000]
    find_personal_data(text)  # builds the recognizers once
    started = time.perf_counter()
    for _ in range(5):
        find_personal_data(text)
    assert (time.perf_counter() - started) / 5 < 0.05


@pytest.fixture
def mapping() -> PlaceholderMap:
    mapping = PlaceholderMap()
    protect_text("Alice Martin, alice@corp.example.com", mapping=mapping)
    return mapping


@pytest.mark.parametrize(
    ("returned", "restored"),
    [
        ("Ask <PERSON_1>.", "Ask Alice Martin."),
        ("Ask <person_1>.", "Ask Alice Martin."),
        ("Ask **<PERSON_1>**.", "Ask **Alice Martin**."),
        ("Ask `<PERSON_1>`.", "Ask `Alice Martin`."),
        ("Ask &lt;PERSON_1&gt;.", "Ask Alice Martin."),
        ("Ask < PERSON_1 >.", "Ask Alice Martin."),
        ("Ask PERSON_1.", "Ask Alice Martin."),
        (r"Ask \<PERSON\_1\>.", "Ask Alice Martin."),
        ("Mail <EMAIL_1> or <Email_1>.", "Mail alice@corp.example.com or alice@corp.example.com."),
    ],
)
def test_restoration_survives_what_models_do_to_placeholders(mapping, returned, restored):
    assert restore_text(returned, mapping=mapping) == restored


def test_unknown_placeholders_and_look_alikes_are_left_as_they_are(mapping):
    text = "Ask <PERSON_7> or PERSON_12, not SUPERPERSON_1; Tom &amp; Jerry."

    assert restore_text(text, mapping=mapping) == text


def test_placeholder_ten_is_not_read_as_placeholder_one():
    mapping = PlaceholderMap()
    for index in range(10):
        mapping.placeholder_for("PERSON", f"Person Number{index}")

    assert restore_text("<PERSON_10> and <PERSON_1>", mapping=mapping) == "Person Number9 and Person Number0"


STREAMED = "Hi **<PERSON_1>**, mail &lt; EMAIL_1 &gt; or PERSON_1. Ask <person_1>! <PERSON_9> stays."


def test_a_stream_split_at_any_point_restores_like_the_whole_text(mapping):
    expected = restore_text(STREAMED, mapping=mapping)
    for cut in range(len(STREAMED) + 1):
        restorer = StreamRestorer(mapping)
        out = restorer.feed(STREAMED[:cut]) + restorer.feed(STREAMED[cut:]) + restorer.flush()
        assert out == expected, cut


def test_a_stream_fed_one_character_at_a_time_restores_like_the_whole_text(mapping):
    restorer = StreamRestorer(mapping)
    out = "".join(restorer.feed(char) for char in STREAMED) + restorer.flush()

    assert out == restore_text(STREAMED, mapping=mapping)


def test_a_stream_holds_back_only_what_could_become_a_placeholder(mapping):
    restorer = StreamRestorer(mapping)

    assert restorer.feed("Hello, please ask <PER") == "Hello, please ask "
    assert restorer.feed("SON_1> today.") == "Alice Martin today."


def test_detection_never_touches_the_network():
    """Presidio's e-mail check uses tldextract, whose default downloads the public suffix list;
    a fresh interpreter with every socket connection refused must still find the e-mail."""
    script = (
        "import json, socket\n"
        "attempts = []\n"
        "def refuse(self, address):\n"
        "    attempts.append(str(address))\n"
        "    raise OSError('network disabled in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.socket.connect_ex = refuse\n"
        "from router.protect import find_personal_data\n"
        "spans = find_personal_data('mail li.wei@example.co.uk or call +44 20 7946 0958')\n"
        "print(json.dumps({'attempts': attempts, 'kinds': sorted(s.kind for s in spans)}))\n"
    )
    dead_proxy = "http://127.0.0.1:9"
    env = {
        "PATH": "/usr/bin:/bin",
        "HTTP_PROXY": dead_proxy,
        "HTTPS_PROXY": dead_proxy,
        "HOME": "/nonexistent",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"attempts": [], "kinds": ["EMAIL", "PHONE"]}


def test_known_values_and_email_fragments_are_masked_wherever_they_resurface():
    from router.protect import mask_known_values

    mapping = PlaceholderMap()
    person = mapping.placeholder_for("PERSON", "Maria Gonzalez")

    masked = mask_known_values("ask MARIA GONZALEZ (maria.gonzalez@", mapping=mapping)

    assert masked == f"ask {person} (<EMAIL_1>"
    assert "maria" not in masked.lower()
